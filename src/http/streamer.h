/*
 * streamer: a few threads that write every MJPEG stream, every part of it.
 *
 * Once a stream request has passed the admission checks, its socket is
 * handed here (sk_streamer_add) and the connection's thread goes back to
 * libmicrohttpd: a viewer costs no thread of its own. Each writer thread
 * (one per CPU, up to four) sends a new viewer its HTTP response header,
 * wakes once per new frame (not once per viewer), and for each of its
 * viewers that has finished its last part writes the next one with one
 * non-blocking sendmsg straight from the refcounted frame: part header,
 * the JPEG bytes as captured, trailer. A viewer whose socket is full is
 * left for epoll to report writable; when it has drained its part it gets
 * the newest frame, so a slow viewer skips frames and never delays capture
 * or anyone else. Nothing is queued. Every viewer gets the newest frame
 * again after SK_STREAMER_REPEAT_MS without a new one, and is dropped after
 * idle_timeout_s without reading, or SK_STREAMER_FIRST_FRAME_MS without any
 * frame to send.
 */
#ifndef SK_STREAMER_H
#define SK_STREAMER_H

#include <stddef.h>
#include <stdint.h>

struct sk_hub;
struct sk_streamer;

#define SK_STREAMER_REPEAT_MS 1000
#define SK_STREAMER_FIRST_FRAME_MS 10000

struct sk_streamer_stats {
    uint64_t parts;   /* parts started */
    uint64_t bytes;   /* bytes written */
    uint64_t skipped; /* frames viewers skipped because they were slower than capture */
    int viewers;      /* streams being served now */
};

/* A streamer over hub (borrowed) for at most max_viewers streams at once. */
struct sk_streamer *sk_streamer_new(struct sk_hub *hub, int idle_timeout_s, int max_viewers);
void sk_streamer_free(struct sk_streamer *st);
/* Start its threads: 0, or -1 with err set. */
int sk_streamer_open(struct sk_streamer *st, char *err, size_t errlen);
/* End every stream (closing its socket, calling its done) and stop. Idempotent. */
void sk_streamer_close(struct sk_streamer *st);

/*
 * Serve a stream on socket fd until the client goes, stops reading, or the
 * streamer closes. The streamer takes fd: it writes head (head_len bytes,
 * copied; the HTTP response header, or nothing when head_len is 0) then
 * every part, closes fd when the stream ends, and then calls done(ctx)
 * from a writer thread (done may be NULL). The hub counts the stream as
 * watching meanwhile. Returns 0; SK_E_BUSY when max_viewers streams are
 * being served, SK_E_CLOSED when the streamer is not open (fd is not taken
 * and done is not called then).
 */
int sk_streamer_add(struct sk_streamer *st, int fd, const char *head, size_t head_len,
                    void (*done)(void *ctx), void *ctx);

/* Would a stream be taken now (fewer than max_viewers, open)? 1 or 0. */
int sk_streamer_has_room(struct sk_streamer *st);

void sk_streamer_stats(struct sk_streamer *st, struct sk_streamer_stats *out);

#endif

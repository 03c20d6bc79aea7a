/*
 * streamer: a few threads that write every MJPEG stream.
 *
 * After libmicrohttpd has sent a stream's HTTP header and first part, the
 * connection's thread hands the socket here (sk_streamer_run) and sleeps
 * until the stream ends. Each writer thread (one per CPU, up to four) wakes
 * once per new frame (not once per viewer), and for each of its viewers that has finished its last
 * part writes the next one with one non-blocking sendmsg straight from the
 * refcounted frame: part header, the JPEG bytes as captured, trailer. A
 * viewer whose socket is full is left for epoll to report writable; when
 * it has drained its part it gets the newest frame, so a slow viewer skips
 * frames and never delays capture or anyone else. Nothing is queued.
 * Every viewer gets the newest frame again after SK_STREAMER_REPEAT_MS
 * without a new one, and is dropped after idle_timeout_s without reading.
 */
#ifndef SK_STREAMER_H
#define SK_STREAMER_H

#include <stddef.h>
#include <stdint.h>

struct sk_hub;
struct sk_streamer;

#define SK_STREAMER_REPEAT_MS 1000

struct sk_streamer_stats {
    uint64_t parts;   /* parts started */
    uint64_t bytes;   /* bytes written */
    uint64_t skipped; /* frames viewers skipped because they were slower than capture */
};

/* A streamer over hub (borrowed). */
struct sk_streamer *sk_streamer_new(struct sk_hub *hub, int idle_timeout_s);
void sk_streamer_free(struct sk_streamer *st);
/* Start its threads: 0, or -1 with err set. */
int sk_streamer_open(struct sk_streamer *st, char *err, size_t errlen);
/* End every stream (their sk_streamer_run calls return) and stop. Idempotent. */
void sk_streamer_close(struct sk_streamer *st);

/*
 * Serve the stream on socket fd (borrowed: not closed here) until the
 * client goes, stops reading, or the streamer closes. after_seq is the
 * frame the client already has. Blocks the calling thread meanwhile;
 * returns at once when the streamer is not open.
 */
void sk_streamer_run(struct sk_streamer *st, int fd, uint64_t after_seq);

void sk_streamer_stats(struct sk_streamer *st, struct sk_streamer_stats *out);

#endif

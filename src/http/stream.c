/*
 * stream: the answer to GET /stream, handed from libmicrohttpd to the streamer.
 *
 * Owns nothing past the call. On plain TCP it formats the answer's head (as
 * MHD would write it), takes the connection's socket from MHD and gives it
 * with the head to the streamer, which writes everything from then on and
 * closes it; MHD's thread returns at once. Over TLS the session is MHD's:
 * the streamer writes into one end of a socket pair and MHD's thread relays
 * the other end (relay_read) until either side ends. HEAD gets MHD's head
 * and no body. The stream counts in app->http_clients while it lasts.
 */
#include "http/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "http/multipart.h"
#include "http/streamer.h"

/* What MHD reads at a time from a TLS stream's relay. */
#define SK_STREAM_RELAY_BLOCK (64u * 1024u)

/* The stream's headers after the common ones, whoever writes them. */
static const struct sk_request_field stream_fields[] = {
    {MHD_HTTP_HEADER_CONTENT_TYPE, SK_MULTIPART_CONTENT_TYPE},
    {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store, no-cache, must-revalidate, max-age=0"},
    {MHD_HTTP_HEADER_PRAGMA, "no-cache"},
    {MHD_HTTP_HEADER_EXPIRES, "0"},
};

/* Over TLS, MHD's thread relays what the streamer writes into the other end of a socket pair. */
static ssize_t relay_read(void *cls, uint64_t offset, char *buf, size_t max)
{
    const int *fd = cls;
    for (;;) {
        ssize_t n = read(*fd, buf, max);
        if (n > 0) {
            return n;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return MHD_CONTENT_READER_END_OF_STREAM; /* the streamer ended the stream */
    }
}

static void relay_free(void *cls)
{
    int *fd = cls;
    close(*fd);
    free(fd);
}

/* HEAD: MHD never asks for the body. */
static ssize_t no_body(void *cls, uint64_t offset, char *buf, size_t max)
{
    return MHD_CONTENT_READER_END_OF_STREAM;
}

/*
 * The stream's answer written by MHD (over TLS, and for HEAD), body from
 * reader(cls); free_cb(cls) runs when MHD is done with it, or here on failure.
 */
static enum MHD_Result queue_stream(struct MHD_Connection *conn, MHD_ContentReaderCallback reader,
                                    void *cls, MHD_ContentReaderFreeCallback free_cb)
{
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, SK_STREAM_RELAY_BLOCK, reader, cls, free_cb);
    if (resp == NULL) {
        if (free_cb != NULL) {
            free_cb(cls);
        }
        return MHD_NO;
    }
    /*
     * Like mjpg-streamer and uStreamer: no chunked encoding, the connection
     * closes when the stream ends. Simple MJPEG clients (cameras' viewers,
     * OpenCV, motion) expect the parts as raw bytes after the header.
     */
    MHD_set_response_options(resp, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
    sk_request_headers(resp, stream_fields, SK_ARRAY_LEN(stream_fields));
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

/*
 * Take conn's socket from MHD: returns a descriptor of our own for it, and
 * leaves MHD a dead socket (a socket pair whose other end is closed) under
 * its old number, so that whatever MHD still does with the connection
 * (answer, shut down, close) touches only that: its sends fail and it lets
 * the connection go, and its thread with it. -1 when it cannot (MHD keeps
 * its socket).
 */
static int take_socket(struct MHD_Connection *conn)
{
    int fd = sk_request_fd(conn);
    int pair[2];
    if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
        return -1;
    }
    int mine = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (mine >= 0 && dup3(pair[0], fd, O_CLOEXEC) < 0) {
        close(mine);
        mine = -1;
    }
    close(pair[0]);
    close(pair[1]);
    return mine;
}

/* A stream handed to the streamer has ended (called from its writer thread). */
static void stream_done(void *ctx)
{
    struct sk_app *app = ctx;
    atomic_fetch_sub(&app->http_clients, 1);
    sk_log(SK_LOG_DEBUG, "http", "stream ended");
}

/* Over TLS the TLS session is MHD's: the streamer writes to a socket pair that MHD relays. */
static enum MHD_Result serve_tls(struct sk_streamer *st, struct MHD_Connection *conn)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return MHD_NO;
    }
    int rc = sk_streamer_add(st, pair[0], NULL, 0, NULL, NULL);
    if (rc != 0) {
        close(pair[0]);
        close(pair[1]);
        return rc == SK_E_BUSY
                   ? sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many viewers\n")
                   : MHD_NO;
    }
    int *relay = xmalloc(sizeof(*relay));
    *relay = pair[1];
    return queue_stream(conn, relay_read, relay, relay_free);
}

enum MHD_Result sk_stream_serve(struct sk_app *app, struct sk_streamer *st, int tls,
                                struct MHD_Connection *conn, struct sk_request *req)
{
    if (req->is_head) {
        return queue_stream(conn, no_body, NULL, NULL);
    }
    if (!sk_streamer_has_room(st)) {
        return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many viewers\n");
    }
    if (tls) {
        return serve_tls(st, conn);
    }
    struct sk_buf head = {0};
    sk_request_raw_head(&head, stream_fields, SK_ARRAY_LEN(stream_fields), time(NULL));
    int fd = take_socket(conn);
    if (fd < 0) {
        sk_buf_free(&head);
        sk_log(SK_LOG_WARN, "http", "cannot hand a stream over: %s", strerror(errno));
        return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot stream now\n");
    }
    /* The stream counts as an HTTP client until the streamer lets it go. */
    atomic_fetch_add(&app->http_clients, 1);
    int rc = sk_streamer_add(st, fd, head.data, head.len, stream_done, app);
    sk_buf_free(&head);
    if (rc != 0) {
        /* Closing (or full since the look above): the client sees the connection end. */
        close(fd);
        atomic_fetch_sub(&app->http_clients, 1);
        return MHD_NO;
    }
    req->handed_over = 1;
    sk_log(SK_LOG_DEBUG, "http", "stream started");
    /*
     * MHD's socket is dead now: this answer goes nowhere (the send fails,
     * which MHD logs at debug level as a client gone) and MHD lets go.
     */
    return sk_request_text(conn, MHD_HTTP_OK, "");
}

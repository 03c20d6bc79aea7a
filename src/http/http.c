/*
 * http: the browser side's daemon and routes, served by libmicrohttpd.
 *
 * Owns one MHD daemon (an internal listening thread plus one thread per
 * connection, optionally with TLS), the listening socket it hands to it,
 * and the stream writer (http/streamer.h). Every request passes the
 * admission checks first (http/admit.h), then is looked up in two fixed
 * tables: the routes below and the allow-list of page files read from
 * web_dir at request time. Anything else is 404; no path from the request
 * ever reaches the file system. The page's control endpoints are in
 * http/api.c, /metrics in http/metrics.c; the answers go out through
 * http/request.h.
 *
 * Frames pass through untouched: a stream's connection thread waits on the
 * hub for a frame newer than the one it sent last, takes a reference, and
 * hands MHD the part header, the frame's bytes and the trailer; the
 * reference is dropped with the last byte. On plain TCP only the first part
 * goes this way: then the socket is handed to the streamer (http/streamer.h),
 * whose few writer threads serve every stream. A client that reads slowly
 * simply finds a newer frame the next time it asks, so nothing is ever
 * queued and capture and other clients never wait for it.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "http/admit.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/multipart.h"
#include "http/request.h"
#include "http/streamer.h"
#include "policy/auth.h"
#include "policy/pending.h"
#include "video/frame.h"
#include "video/hub.h"

#define SK_HTTP_CONNECTION_LIMIT 256u
/*
 * MHD closes a connection that neither sent nor received for this long. A
 * stream sends at least one part a second (see SK_STREAMER_REPEAT_MS), so only a
 * stream whose client stopped reading is cut, which is what we want.
 */
#ifndef SK_HTTP_IDLE_TIMEOUT_S
#define SK_HTTP_IDLE_TIMEOUT_S 15u
#endif
/* Connection threads only run our small callbacks; 8 MiB each would exhaust a 32-bit Pi. */
#define SK_HTTP_THREAD_STACK (512u * 1024u)
#ifndef SK_HTTP_BLOCK_SIZE
#define SK_HTTP_BLOCK_SIZE (64u * 1024u)
#endif
#define SK_HTTP_SNAPSHOT_WAIT_MS 2000
/* How often a waiting stream looks at the stop flag, bounding sk_http_close. */
#define SK_HTTP_WAIT_SLICE_MS 200
/* A stream that never got a single frame gives up after this long. */
#define SK_HTTP_FIRST_FRAME_MS 10000
#define SK_HTTP_MAX_FILE (1024 * 1024)
#define SK_HTTP_PEM_MAX (64 * 1024)

struct sk_http {
    char *addr;
    int port;
    char *web_dir;
    struct sk_app *app;
    struct sk_admit admit; /* the admission policy: auth, loopback rule, TLS */
    char *tls_cert_file;
    char *tls_key_file;
    char *tls_cert; /* PEM text while the daemon runs */
    char *tls_key;
    struct MHD_Daemon *daemon;
    struct sk_streamer *streamer; /* writes plain-TCP streams after their first part */
    struct sk_pending *idle;      /* connections with no request in flight, bounded */
    /* Set by sk_http_close so that streams end instead of waiting for frames. */
    atomic_int stopping;
    atomic_int streams;
    atomic_uint_fast64_t bytes_sent;
    atomic_uint_fast64_t frames_sent;
    atomic_uint_fast64_t frames_skipped;
};

/* One MJPEG client: the part being handed to MHD. Confined to its connection thread. */
struct stream {
    struct sk_http *http;
    int fd;                 /* the client's socket for the streamer, -1 for none (TLS) */
    int parts;              /* parts handed to MHD so far */
    struct sk_frame *frame; /* the part being sent; NULL between parts */
    uint64_t last_seq;      /* the last frame sent, 0 before the first */
    size_t pos;             /* bytes of the current part already given to MHD */
    size_t head_len;
    char head[SK_MULTIPART_HEADER_MAX];
};

enum route_flags {
    ROUTE_POST = 1,   /* POST only (else GET and HEAD) */
    ROUTE_PUBLIC = 2, /* served before authentication */
};

struct sk_http_route {
    const char *path;
    const char *action; /* required ?action= value, NULL for none */
    int flags;
    size_t max_body;
    /* Served here, or by the control API (one of the two is set). */
    enum MHD_Result (*serve)(struct sk_http *http, struct MHD_Connection *conn,
                             struct sk_request *req);
    enum MHD_Result (*act)(struct sk_app *app, struct MHD_Connection *conn,
                           struct sk_request *req);
};

/* The only files ever read from web_dir. */
struct page_file {
    const char *path;
    const char *file;
    const char *type;
};


static const struct page_file page_files[] = {
    {.path = "/", .file = "index.html", .type = "text/html; charset=utf-8"},
    {.path = "/index.html", .file = "index.html", .type = "text/html; charset=utf-8"},
    {.path = "/style.css", .file = "style.css", .type = "text/css; charset=utf-8"},
    {.path = "/app.js", .file = "app.js", .type = "text/javascript; charset=utf-8"},
};

/*
 * Read a whole page file into a new buffer. Returns NULL when it is missing,
 * not a regular file, or unreasonably big.
 */
static char *read_page_file(const char *dir, const char *file, size_t *size)
{
    char *path = xasprintf("%s/%s", dir, file);
    char *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SK_HTTP_MAX_FILE) {
        goto fail;
    }
    data = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            goto fail;
        }
        got += (size_t)n;
    }
    close(fd);
    free(path);
    *size = got;
    return data;

fail:
    if (fd >= 0) {
        close(fd);
    }
    sk_log(SK_LOG_WARN, "http", "cannot serve %s", path);
    free(path);
    free(data);
    return NULL;
}

static enum MHD_Result serve_page(struct sk_http *http, struct MHD_Connection *conn,
                                  const struct page_file *pf)
{
    size_t size = 0;
    char *data = read_page_file(http->web_dir, pf->file, &size);
    if (data == NULL) {
        return sk_request_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(data);
        return MHD_NO;
    }
    sk_request_headers(resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, pf->type);
    /* The page is read at request time; let the browser revalidate so edits show up. */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void unref_frame_cb(void *cls)
{
    sk_frame_unref(cls);
}

static enum MHD_Result serve_snapshot(struct sk_http *http, struct MHD_Connection *conn,
                                      struct sk_request *req)
{
    struct sk_hub *hub = http->app->hub;
    struct sk_frame *f = sk_hub_latest(hub);
    if (f == NULL || sk_now_us() - f->captured_us > 1000000) {
        /*
         * Nothing yet (right after start), or an old frame from before
         * on-demand capture went idle: watch, so capture runs, and wait a
         * moment for a fresh one; the old one is better than nothing.
         */
        sk_hub_watch(hub, +1);
        struct sk_frame *fresh = sk_hub_wait(hub, f ? f->seq : 0, SK_HTTP_SNAPSHOT_WAIT_MS);
        sk_hub_watch(hub, -1);
        if (fresh != NULL) {
            sk_frame_unref(f);
            f = fresh;
        }
    }
    if (f == NULL || f->format != SK_FRAME_JPEG || f->size == 0) {
        sk_frame_unref(f);
        return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no frame available\n");
    }
    /* The response borrows the frame's bytes and keeps our reference until MHD is done. */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback_cls(f->size, f->data, unref_frame_cb, f);
    if (resp == NULL) {
        sk_frame_unref(f);
        return MHD_NO;
    }
    char stamp[48];
    snprintf(stamp, sizeof(stamp), "%" PRId64 ".%06" PRId64, f->captured_us / 1000000,
             f->captured_us % 1000000);
    MHD_add_response_header(resp, "X-Timestamp", stamp);
    return sk_request_queue(conn, MHD_HTTP_OK, resp, "image/jpeg");
}

static enum MHD_Result serve_status(struct sk_http *http, struct MHD_Connection *conn,
                                    struct sk_request *req)
{
    struct sk_buf out = {0};
    sk_app_status_json(http->app, &out);
    enum MHD_Result rc = sk_request_copy(conn, MHD_HTTP_OK, out.data, out.len, "application/json");
    sk_buf_free(&out);
    return rc;
}

/*
 * Wait for the next frame to send: a newer one, or after SK_STREAMER_REPEAT_MS
 * the newest again. Returns a reference, or NULL when the stream should end
 * (server stopping, hub closed, no frame at all for a long time).
 */
static struct sk_frame *stream_next_frame(struct stream *s)
{
    struct sk_hub *hub = s->http->app->hub;
    int64_t start = sk_now_ms();
    for (;;) {
        if (atomic_load(&s->http->stopping)) {
            return NULL;
        }
        int64_t before = sk_now_ms();
        struct sk_frame *f = sk_hub_wait(hub, s->last_seq, SK_HTTP_WAIT_SLICE_MS);
        int64_t now = sk_now_ms();
        if (f == NULL && now - before < SK_HTTP_WAIT_SLICE_MS / 2) {
            /* sk_hub_wait only returns early with nothing once the hub is closed. */
            return NULL;
        }
        if (f == NULL && s->last_seq > 0 && now - start >= SK_STREAMER_REPEAT_MS) {
            /*
             * A still screen publishes nothing; repeating the frame keeps a
             * player that just joined (and the idle timeout) from seeing a
             * dead stream.
             */
            f = sk_hub_latest(hub);
        }
        if (f == NULL) {
            if (s->last_seq == 0 && now - start >= SK_HTTP_FIRST_FRAME_MS) {
                return NULL;
            }
            continue;
        }
        if (s->last_seq > 0 && f->seq > s->last_seq + 1) {
            atomic_fetch_add(&s->http->frames_skipped, f->seq - s->last_seq - 1);
        }
        s->last_seq = f->seq;
        if (f->format == SK_FRAME_JPEG && f->size > 0) {
            return f;
        }
        /* Only JPEG can go on the wire as is; skip anything else. */
        sk_frame_unref(f);
        start = now;
    }
}

/* Start the next part: 0, or -1 when the stream should end. */
static int stream_next_part(struct stream *s)
{
    s->frame = stream_next_frame(s);
    if (s->frame == NULL) {
        return -1;
    }
    s->head_len =
        sk_multipart_header(s->head, sizeof(s->head), s->frame->size, s->frame->captured_us);
    s->pos = 0;
    s->parts++;
    atomic_fetch_add(&s->http->frames_sent, 1);
    return 0;
}

static ssize_t stream_read(void *cls, uint64_t offset, char *buf, size_t max)
{
    struct stream *s = cls;
    if (atomic_load(&s->http->stopping)) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->frame == NULL && s->fd >= 0 && s->parts > 0) {
        /*
         * MHD asks its content reader for more only once everything it
         * holds (the HTTP header and the first part) has gone out, so from
         * here the streamer writes this socket alone, straight from the
         * frames, until the stream ends. This thread sleeps meanwhile.
         */
        sk_streamer_run(s->http->streamer, s->fd, s->last_seq);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->frame == NULL) {
        if (stream_next_part(s) != 0) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
    }
    static const char trailer[] = SK_MULTIPART_TRAILER;
    const size_t trailer_len = sizeof(trailer) - 1;
    const size_t body_end = s->head_len + s->frame->size;
    const size_t total = body_end + trailer_len;
    size_t n = 0;
    while (n < max && s->pos < total) {
        const char *src;
        size_t avail;
        if (s->pos < s->head_len) {
            src = s->head + s->pos;
            avail = s->head_len - s->pos;
        } else if (s->pos < body_end) {
            src = (const char *)s->frame->data + (s->pos - s->head_len);
            avail = body_end - s->pos;
        } else {
            src = trailer + (s->pos - body_end);
            avail = total - s->pos;
        }
        size_t chunk = SK_MIN(avail, max - n);
        memcpy(buf + n, src, chunk);
        n += chunk;
        s->pos += chunk;
    }
    atomic_fetch_add(&s->http->bytes_sent, n);
    if (s->pos == total) {
        /* MHD has every byte of this part in its own buffer now: let the frame go. */
        sk_frame_unref(s->frame);
        s->frame = NULL;
    }
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    sk_frame_unref(s->frame);
    sk_hub_watch(s->http->app->hub, -1);
    atomic_fetch_sub(&s->http->streams, 1);
    sk_log(SK_LOG_DEBUG, "http", "stream ended");
    free(s);
}

static enum MHD_Result serve_stream(struct sk_http *http, struct MHD_Connection *conn,
                                    struct sk_request *req)
{
    struct stream *s = xcalloc(1, sizeof(*s));
    s->http = http;
    s->fd = -1;
    /* bench/bench_http.sh builds with SK_HTTP_NO_STREAMER to measure MHD's own path against it. */
#ifndef SK_HTTP_NO_STREAMER
    if (http->tls_cert_file == NULL) {
        /* Plain TCP: parts after the first go to the streamer (see stream_read). */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci != NULL) {
            s->fd = ci->connect_fd;
        }
    }
#endif
    sk_hub_watch(http->app->hub, +1);
    atomic_fetch_add(&http->streams, 1);
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, SK_HTTP_BLOCK_SIZE, stream_read, s, stream_free);
    if (resp == NULL) {
        stream_free(s);
        return MHD_NO;
    }
    /*
     * Like mjpg-streamer and uStreamer: no chunked encoding, the connection
     * closes when the stream ends. Simple MJPEG clients (cameras' viewers,
     * OpenCV, motion) expect the parts as raw bytes after the header.
     */
    MHD_set_response_options(resp, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
    sk_request_headers(resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, SK_MULTIPART_CONTENT_TYPE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            "no-store, no-cache, must-revalidate, max-age=0");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_PRAGMA, "no-cache");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_EXPIRES, "0");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    sk_log(SK_LOG_DEBUG, "http", "stream started");
    return rc;
}

static enum MHD_Result serve_login(struct sk_http *http, struct MHD_Connection *conn,
                                   struct sk_request *req)
{
    return sk_admit_login(&http->admit, conn, req);
}

static enum MHD_Result serve_metrics(struct sk_http *http, struct MHD_Connection *conn,
                                     struct sk_request *req)
{
    struct sk_streamer_stats ss;
    sk_streamer_stats(http->streamer, &ss);
    const struct sk_metrics_web web = {
        .parts = atomic_load(&http->frames_sent) + ss.parts,
        .bytes = atomic_load(&http->bytes_sent) + ss.bytes,
        .skipped = atomic_load(&http->frames_skipped) + ss.skipped,
        .streams = atomic_load(&http->streams),
        .auth_failures = http->admit.auth != NULL ? sk_auth_failures(http->admit.auth) : 0,
    };
    struct sk_buf b = {0};
    sk_metrics_text(&b, http->app, &web);
    enum MHD_Result rc =
        sk_request_copy(conn, MHD_HTTP_OK, b.data, b.len, "text/plain; version=0.0.4; charset=utf-8");
    sk_buf_free(&b);
    return rc;
}

/* ---- dispatch ---- */

static const struct sk_http_route routes[] = {
    {.path = "/stream", .serve = serve_stream},
    {.path = "/snapshot", .serve = serve_snapshot},
    {.path = "/status", .serve = serve_status},
    {.path = "/metrics", .serve = serve_metrics},
    {.path = "/login", .flags = ROUTE_PUBLIC, .serve = serve_login},
    {.path = "/api/keys", .flags = ROUTE_POST, .max_body = SK_API_MAX_BODY, .act = sk_api_keys},
    {.path = "/api/mouse", .flags = ROUTE_POST, .max_body = SK_API_MAX_BODY, .act = sk_api_mouse},
    {.path = "/api/release", .flags = ROUTE_POST, .max_body = SK_API_MAX_BODY,
     .act = sk_api_release},
    {.path = "/api/paste", .flags = ROUTE_POST, .max_body = SK_API_MAX_PASTE, .act = sk_api_paste},
    {.path = "/api/control", .flags = ROUTE_POST, .max_body = SK_API_MAX_BODY,
     .act = sk_api_control},
    /* mjpg-streamer's URLs, which many players and scripts already know. */
    {.path = "/", .action = "stream", .serve = serve_stream},
    {.path = "/", .action = "snapshot", .serve = serve_snapshot},
};

static const struct sk_http_route *find_route(const char *url, const char *action)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(routes); i++) {
        const struct sk_http_route *r = &routes[i];
        if (strcmp(url, r->path) != 0) {
            continue;
        }
        if (r->action != NULL && (action == NULL || strcmp(action, r->action) != 0)) {
            continue;
        }
        return r;
    }
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct sk_http *http = cls;
    struct sk_request *req = *req_cls;
    const char *action = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "action");
    int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    int is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                 strcmp(method, MHD_HTTP_METHOD_HEAD) == 0; /* MHD leaves HEAD's body out */
    if (req == NULL) {
        /* MHD made this connection's thread; name it for the log. */
        sk_log_thread_name("http");
        /* Freed and counted down in on_completed, which MHD calls however the request ends. */
        req = xcalloc(1, sizeof(*req));
        *req_cls = req;
        sk_pending_remove(http->idle, conn); /* a request is in flight */
        atomic_fetch_add(&http->app->http_clients, 1);
        sk_log(SK_LOG_DEBUG, "http", "%s %s", method, url);
        sk_request_client_address(conn, req->addr, sizeof(req->addr));
        req->route = find_route(url, action);
        const struct sk_http_route *r = req->route;
        if (r != NULL && (r->flags & ROUTE_POST) ? !is_post : !is_get) {
            return sk_request_not_allowed(conn, r != NULL && (r->flags & ROUTE_POST) ? "POST"
                                                                                 : "GET, HEAD");
        }
        enum MHD_Result rc = MHD_YES;
        int need = r == NULL                  ? 0
                   : (r->flags & ROUTE_PUBLIC) ? SK_ADMIT_PUBLIC
                   : (r->flags & ROUTE_POST)   ? SK_ADMIT_SAME_ORIGIN
                                               : 0;
        if (!sk_admit_request(&http->admit, conn, req, url, need, &rc)) {
            return rc;
        }
        req->admitted = 1;
        if (is_post) {
            return MHD_YES; /* the body follows */
        }
    }
    if (!req->admitted) {
        return MHD_YES; /* refused already; swallow whatever body comes */
    }
    if (*upload_data_size > 0) {
        if (req->body.len + *upload_data_size > req->route->max_body) {
            req->body_too_big = 1;
        } else {
            sk_buf_append(&req->body, upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->body_too_big) {
        return sk_request_text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
    }
    if (req->route != NULL) {
        sk_buf_reserve(&req->body, 1); /* a C string even when empty */
        const struct sk_http_route *r = req->route;
        return r->serve != NULL ? r->serve(http, conn, req) : r->act(http->app, conn, req);
    }
    /* A page file never takes an action: "/?action=other" is an unknown mjpg-streamer URL. */
    if (action == NULL) {
        for (size_t i = 0; i < SK_ARRAY_LEN(page_files); i++) {
            if (strcmp(url, page_files[i].path) == 0) {
                return serve_page(http, conn, &page_files[i]);
            }
        }
    }
    return sk_request_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/*
 * A connection that has not sent a request yet (or waits between
 * keep-alive requests) is idle: a silent flood of them is bounded by
 * dropping the oldest. MHD reports the close before closing the socket.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    struct sk_http *http = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        int fd = sk_request_fd(conn);
        if (fd >= 0) {
            sk_pending_add(http->idle, conn, fd);
        }
    } else {
        sk_pending_remove(http->idle, conn);
    }
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct sk_http *http = cls;
    struct sk_request *req = *req_cls;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        /* Kept alive for another request: idle again. */
        int fd = sk_request_fd(conn);
        if (fd >= 0) {
            sk_pending_add(http->idle, conn, fd);
        }
    }
    if (req != NULL) {
        atomic_fetch_sub(&http->app->http_clients, 1);
        if (req->body.data != NULL) {
            /* Paste bodies are typed text. */
            sk_wipe(req->body.data, req->body.len);
        }
        sk_buf_free(&req->body);
        free(req);
        *req_cls = NULL;
    }
}

/*
 * MHD reports a client that goes away mid-response (every stream ends that
 * way) as an error. These are ordinary and logged at debug level only.
 */
static const char *const mhd_client_noise[] = {
    "Failed to send", "Failed to receive", "timed out", "closed by remote", "reset by remote",
};

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }
    enum sk_log_level level = SK_LOG_WARN;
    for (size_t i = 0; i < SK_ARRAY_LEN(mhd_client_noise); i++) {
        if (strstr(line, mhd_client_noise[i]) != NULL) {
            level = SK_LOG_DEBUG;
            break;
        }
    }
    sk_log(level, "http", "%s", line);
}

/*
 * Bind and listen on addr:port ourselves so that a failure names the address
 * and the system's reason. Returns the socket (and its printable address in
 * shown), or -1 with err set.
 */
static int listen_on(const char *addr, int port, int *ipv6, char *shown, size_t shownlen, char *err,
                     size_t errlen)
{
    struct sockaddr_storage ss = {0};
    socklen_t sslen = 0;
    char host[64];
    size_t alen = strlen(addr);
    /* Accept "[::1]" as well as "::1". */
    if (alen >= 2 && addr[0] == '[' && addr[alen - 1] == ']') {
        snprintf(host, sizeof(host), "%.*s", (int)(alen - 2), addr + 1);
    } else {
        snprintf(host, sizeof(host), "%s", strcmp(addr, "localhost") == 0 ? "127.0.0.1" : addr);
    }
    int fd = -1;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        sslen = sizeof(*in4);
        *ipv6 = 0;
        snprintf(shown, shownlen, "%s:%d", host, port);
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        sslen = sizeof(*in6);
        *ipv6 = 1;
        snprintf(shown, shownlen, "[%s]:%d", host, port);
    } else {
        snprintf(err, errlen, "cannot listen on %s:%d: not an IP address", addr, port);
        return -1;
    }
    if (port < 0 || port > 65535) {
        snprintf(err, errlen, "cannot listen on %s: bad port", shown);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        goto fail;
    }
    /* Restarting right after a crash must not wait for TIME_WAIT to clear. */
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) {
        goto fail;
    }
    if (bind(fd, (struct sockaddr *)&ss, sslen) < 0 || listen(fd, SOMAXCONN) < 0) {
        goto fail;
    }
    return fd;

fail:
    snprintf(err, errlen, "cannot listen on %s: %s", shown, strerror(errno));
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}

struct sk_http *sk_http_new(const struct sk_http_opts *opts)
{
    struct sk_http *http = xcalloc(1, sizeof(*http));
    http->addr = xstrdup(opts->addr != NULL ? opts->addr : "127.0.0.1");
    http->port = opts->port;
    http->web_dir = xstrdup(opts->web_dir != NULL ? opts->web_dir : "web");
    http->app = opts->app;
    http->admit = (struct sk_admit){.app = opts->app,
                                    .auth = opts->auth,
                                    .auth_loopback = opts->auth_loopback,
                                    .tls = opts->tls_cert != NULL};
    http->tls_cert_file = opts->tls_cert != NULL ? xstrdup(opts->tls_cert) : NULL;
    http->tls_key_file = opts->tls_key != NULL ? xstrdup(opts->tls_key) : NULL;
    atomic_init(&http->stopping, 0);
    atomic_init(&http->streams, 0);
    atomic_init(&http->bytes_sent, 0);
    atomic_init(&http->frames_sent, 0);
    atomic_init(&http->frames_skipped, 0);
    http->streamer = sk_streamer_new(opts->app->hub, SK_HTTP_IDLE_TIMEOUT_S);
    http->idle = sk_pending_new(opts->max_idle > 0 ? opts->max_idle : 32, "http");
    return http;
}

void sk_http_free(struct sk_http *http)
{
    if (http == NULL) {
        return;
    }
    sk_http_close(http);
    free(http->addr);
    free(http->web_dir);
    free(http->tls_cert_file);
    free(http->tls_key_file);
    sk_streamer_free(http->streamer);
    sk_pending_free(http->idle);
    free(http);
}

/* Forget the PEM texts, wiping the key. */
static void drop_tls(struct sk_http *http)
{
    if (http->tls_key != NULL) {
        sk_wipe(http->tls_key, strlen(http->tls_key));
    }
    free(http->tls_key);
    free(http->tls_cert);
    http->tls_key = http->tls_cert = NULL;
}

static int load_tls(struct sk_http *http, char *err, size_t errlen)
{
    char why[300];
    if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
        sk_set_err(err, errlen, "--tls-cert: this libmicrohttpd was built without TLS");
        return -1;
    }
    if (sk_read_file(http->tls_cert_file, SK_HTTP_PEM_MAX, &http->tls_cert, NULL, why,
                     sizeof(why)) != 0) {
        sk_set_err(err, errlen, "--tls-cert: %s", why);
        return -1;
    }
    if (sk_read_file(http->tls_key_file, SK_HTTP_PEM_MAX, &http->tls_key, NULL, why,
                     sizeof(why)) != 0) {
        sk_set_err(err, errlen, "--tls-key: %s", why);
        drop_tls(http);
        return -1;
    }
    return 0;
}

int sk_http_open(struct sk_http *http, char *err, size_t errlen)
{
    if (http->daemon != NULL) {
        return 0;
    }
    int tls = http->tls_cert_file != NULL && http->tls_key_file != NULL;
    if (tls && load_tls(http, err, errlen) != 0) {
        return -1;
    }
    int ipv6 = 0;
    char shown[96];
    int fd = listen_on(http->addr, http->port, &ipv6, shown, sizeof(shown), err, errlen);
    if (fd < 0) {
        drop_tls(http);
        return -1;
    }
    if (sk_streamer_open(http->streamer, err, errlen) != 0) {
        close(fd);
        drop_tls(http);
        return -1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0) | (tls ? MHD_USE_TLS : 0);
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, http->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, http->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    atomic_store(&http->stopping, 0);
    /* The logger goes first so that MHD's start-up complaints reach our log too. */
    http->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, http, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT,
        SK_HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, SK_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)SK_HTTP_THREAD_STACK, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, http, MHD_OPTION_NOTIFY_CONNECTION, on_connection, http, MHD_OPTION_ARRAY, tls ? tls_opts : no_opts, MHD_OPTION_END);
    if (http->daemon == NULL) {
        close(fd);
        sk_streamer_close(http->streamer);
        drop_tls(http);
        snprintf(err, errlen, "cannot start the HTTP server on %s (see the log)", shown);
        return -1;
    }
    sk_log(SK_LOG_INFO, "http", "listening on %s://%s/", tls ? "https" : "http", shown);
    return 0;
}

void sk_http_close(struct sk_http *http)
{
    if (http == NULL || http->daemon == NULL) {
        return;
    }
    /*
     * Streams wait for frames in short slices and end as soon as they see
     * the flag, so MHD_stop_daemon (which joins every connection thread)
     * returns promptly even though the hub stays open.
     */
    atomic_store(&http->stopping, 1);
    /* Streams in the streamer end first, so their connection threads can be joined. */
    sk_streamer_close(http->streamer);
    MHD_stop_daemon(http->daemon);
    http->daemon = NULL;
    drop_tls(http);
    atomic_store(&http->stopping, 0);
}

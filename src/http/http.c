/*
 * http: the browser side, served by libmicrohttpd.
 *
 * Owns one MHD daemon (an internal listening thread plus one thread per
 * connection) and the listening socket it hands to it. Every request is
 * looked up in two fixed tables: the routes (/stream, /snapshot, /status and
 * mjpg-streamer's /?action=stream|snapshot) and the allow-list of page files
 * read from web_dir at request time. Anything else is 404; no path from the
 * request ever reaches the file system.
 *
 * Frames pass through untouched: a stream's connection thread waits on the
 * hub for a frame newer than the one it sent last, takes a reference, and
 * hands MHD the part header, the frame's bytes and the trailer; the
 * reference is dropped with the last byte. A client that reads slowly simply
 * finds a newer frame the next time it asks, so nothing is ever queued and
 * capture and other clients never wait for it.
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

#include "app.h"
#include "frame.h"
#include "http/multipart.h"
#include "hub.h"
#include "log.h"
#include "util.h"

#define SK_HTTP_CONNECTION_LIMIT 256u
/*
 * MHD closes a connection that neither sent nor received for this long. A
 * stream sends at least one part a second (see SK_HTTP_REPEAT_MS), so only a
 * stream whose client stopped reading is cut, which is what we want.
 */
#ifndef SK_HTTP_IDLE_TIMEOUT_S
#define SK_HTTP_IDLE_TIMEOUT_S 15u
#endif
/* Connection threads only run our small callbacks; 8 MiB each would exhaust a 32-bit Pi. */
#define SK_HTTP_THREAD_STACK (512u * 1024u)
#define SK_HTTP_BLOCK_SIZE (64u * 1024u)
#define SK_HTTP_SNAPSHOT_WAIT_MS 2000
/* A stream repeats its last frame after this long without a newer one. */
#define SK_HTTP_REPEAT_MS 1000
/* How often a waiting stream looks at the stop flag, bounding sk_http_close. */
#define SK_HTTP_WAIT_SLICE_MS 200
/* A stream that never got a single frame gives up after this long. */
#define SK_HTTP_FIRST_FRAME_MS 10000
#define SK_HTTP_MAX_FILE (1024 * 1024)

struct sk_http {
    char *addr;
    int port;
    char *web_dir;
    struct sk_app *app;
    struct MHD_Daemon *daemon;
    /* Set by sk_http_close so that streams end instead of waiting for frames. */
    atomic_int stopping;
};

/* One MJPEG client: the part being handed to MHD. Confined to its connection thread. */
struct stream {
    struct sk_http *http;
    struct sk_frame *frame; /* the part being sent; NULL between parts */
    uint64_t last_seq;      /* the last frame sent, 0 before the first */
    size_t pos;             /* bytes of the current part already given to MHD */
    size_t head_len;
    char head[160];
};

struct route {
    const char *path;
    const char *action; /* required ?action= value, NULL for none */
    enum MHD_Result (*serve)(struct sk_http *http, struct MHD_Connection *conn);
};

/* The only files ever read from web_dir. */
struct page_file {
    const char *path;
    const char *file;
    const char *type;
};

static enum MHD_Result serve_stream(struct sk_http *http, struct MHD_Connection *conn);
static enum MHD_Result serve_snapshot(struct sk_http *http, struct MHD_Connection *conn);
static enum MHD_Result serve_status(struct sk_http *http, struct MHD_Connection *conn);

static const struct route routes[] = {
    {.path = "/stream", .serve = serve_stream},
    {.path = "/snapshot", .serve = serve_snapshot},
    {.path = "/status", .serve = serve_status},
    /* mjpg-streamer's URLs, which many players and scripts already know. */
    {.path = "/", .action = "stream", .serve = serve_stream},
    {.path = "/", .action = "snapshot", .serve = serve_snapshot},
};

static const struct page_file page_files[] = {
    {.path = "/", .file = "index.html", .type = "text/html; charset=utf-8"},
    {.path = "/index.html", .file = "index.html", .type = "text/html; charset=utf-8"},
    {.path = "/style.css", .file = "style.css", .type = "text/css; charset=utf-8"},
    {.path = "/app.js", .file = "app.js", .type = "text/javascript; charset=utf-8"},
};

/* Marks a request that was counted in app->http_clients. */
static char counted_request;

static void add_common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result queue_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        return MHD_NO;
    }
    add_common_headers(resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

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
        return queue_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(data);
        return MHD_NO;
    }
    add_common_headers(resp);
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

static enum MHD_Result serve_snapshot(struct sk_http *http, struct MHD_Connection *conn)
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
        return queue_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no frame available\n");
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
    add_common_headers(resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "image/jpeg");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Timestamp", stamp);
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result serve_status(struct sk_http *http, struct MHD_Connection *conn)
{
    struct sk_buf out = {0};
    sk_app_status_json(http->app, &out);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(out.len, out.data, MHD_RESPMEM_MUST_COPY);
    sk_buf_free(&out);
    if (resp == NULL) {
        return MHD_NO;
    }
    add_common_headers(resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return rc;
}

/*
 * Wait for the next frame to send: a newer one, or after SK_HTTP_REPEAT_MS
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
        if (f == NULL && s->last_seq > 0 && now - start >= SK_HTTP_REPEAT_MS) {
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
        s->last_seq = f->seq;
        if (f->format == SK_FRAME_JPEG && f->size > 0) {
            return f;
        }
        /* Only JPEG can go on the wire as is; skip anything else. */
        sk_frame_unref(f);
        start = now;
    }
}

static ssize_t stream_read(void *cls, uint64_t offset, char *buf, size_t max)
{
    struct stream *s = cls;
    if (atomic_load(&s->http->stopping)) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->frame == NULL) {
        s->frame = stream_next_frame(s);
        if (s->frame == NULL) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        s->head_len =
            sk_multipart_header(s->head, sizeof(s->head), s->frame->size, s->frame->captured_us);
        s->pos = 0;
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
    sk_log(SK_LOG_DEBUG, "http", "stream ended");
    free(s);
}

static enum MHD_Result serve_stream(struct sk_http *http, struct MHD_Connection *conn)
{
    struct stream *s = xcalloc(1, sizeof(*s));
    s->http = http;
    sk_hub_watch(http->app->hub, +1);
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
    add_common_headers(resp);
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct sk_http *http = cls;
    if (*req_cls == NULL) {
        /* MHD made this connection's thread; name it for the log. */
        sk_log_thread_name("http");
        /* Counted down in on_completed, which MHD calls however the request ends. */
        *req_cls = &counted_request;
        atomic_fetch_add(&http->app->http_clients, 1);
    }
    sk_log(SK_LOG_DEBUG, "http", "%s %s", method, url);

    /* MHD itself leaves the body out of a HEAD response. */
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        return queue_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
    }
    const char *action = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "action");
    for (size_t i = 0; i < SK_ARRAY_LEN(routes); i++) {
        const struct route *r = &routes[i];
        if (strcmp(url, r->path) != 0) {
            continue;
        }
        if (r->action != NULL && (action == NULL || strcmp(action, r->action) != 0)) {
            continue;
        }
        return r->serve(http, conn);
    }
    /* A page file never takes an action: "/?action=other" is an unknown mjpg-streamer URL. */
    if (action == NULL) {
        for (size_t i = 0; i < SK_ARRAY_LEN(page_files); i++) {
            if (strcmp(url, page_files[i].path) == 0) {
                return serve_page(http, conn, &page_files[i]);
            }
        }
    }
    return queue_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct sk_http *http = cls;
    if (*req_cls == &counted_request) {
        atomic_fetch_sub(&http->app->http_clients, 1);
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
    if (bind(fd, (struct sockaddr *)&ss, sslen) < 0 || listen(fd, 64) < 0) {
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
    atomic_init(&http->stopping, 0);
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
    free(http);
}

int sk_http_open(struct sk_http *http, char *err, size_t errlen)
{
    if (http->daemon != NULL) {
        return 0;
    }
    int ipv6 = 0;
    char shown[96];
    int fd = listen_on(http->addr, http->port, &ipv6, shown, sizeof(shown), err, errlen);
    if (fd < 0) {
        return -1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    atomic_store(&http->stopping, 0);
    /* The logger goes first so that MHD's start-up complaints reach our log too. */
    http->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, http, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT,
        SK_HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, SK_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)SK_HTTP_THREAD_STACK, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, http, MHD_OPTION_END);
    if (http->daemon == NULL) {
        close(fd);
        snprintf(err, errlen, "cannot start the HTTP server on %s (see the log)", shown);
        return -1;
    }
    sk_log(SK_LOG_INFO, "http", "listening on http://%s/", shown);
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
    MHD_stop_daemon(http->daemon);
    http->daemon = NULL;
    atomic_store(&http->stopping, 0);
}

/*
 * test_http: the HTTP server on loopback, spoken to with plain sockets.
 *
 * A real sk_http runs on 127.0.0.1 (a free port found by binding port 0)
 * against a hub the test publishes known frames into, with a temporary
 * web_dir. The frames are distinct byte blobs marked SK_FRAME_JPEG: the
 * server must pass them through without looking inside.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cmd/app.h"
#include "check.h"
#include "video/frame.h"
#include "http/http.h"
#include "http/multipart.h"
#include "http/serialapi.h"
#include "video/hub.h"
#include "base/log.h"
#include "base/util.h"

/*
 * app.c links the HID module, which this test does not need: the status
 * JSON is replaced by a fixed one that also shows the live HTTP count, so
 * that the count can be checked from inside a request.
 */
void sk_app_status_json(struct sk_app *app, struct sk_buf *out)
{
    sk_buf_printf(out, "{\"stub\":true,\"http\":%d}", atomic_load(&app->http_clients));
}

static const char index_html[] = "<!DOCTYPE html><title>test page</title>\n";
static const char app_js[] = "console.log('test');\n";
static char web_dir[64];

/* ---- the server under test ---- */

struct server {
    struct sk_app app;
    struct sk_http *http;
    int port;
};

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
        perror("free_port");
        exit(2);
    }
    close(fd);
    return ntohs(sa.sin_port);
}

static int server_start(struct server *s)
{
    memset(s, 0, sizeof(*s));
    s->app.hub = sk_hub_new();
    s->app.started_ms = sk_now_ms();
    s->port = free_port();
    s->http = sk_http_new(&(struct sk_http_opts){
        .addr = "127.0.0.1", .port = s->port, .web_dir = web_dir, .app = &s->app});
    char err[256] = "";
    if (sk_http_open(s->http, err, sizeof(err)) < 0) {
        fprintf(stderr, "  sk_http_open: %s\n", err);
        return -1;
    }
    return 0;
}

static void server_stop(struct server *s)
{
    sk_http_free(s->http);
    sk_hub_free(s->app.hub);
}

/* A distinct frame: a JPEG-looking blob whose every byte depends on id. */
static struct sk_frame *make_frame(unsigned id, size_t size)
{
    struct sk_frame *f = sk_frame_new(size);
    uint8_t *p = xmalloc(size);
    uint32_t x = id * 2654435761u + 12345u;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
    p[0] = 0xff;
    p[1] = 0xd8;
    /* The id in clear, so a reader can tell which frame it got. */
    memcpy(p + 2, &id, sizeof(id));
    p[size - 2] = 0xff;
    p[size - 1] = 0xd9;
    sk_frame_set_data(f, p, size);
    free(p);
    f->format = SK_FRAME_JPEG;
    f->width = 640;
    f->height = 480;
    f->captured_us = sk_now_us();
    return f;
}

/* ---- a tiny HTTP client over a plain socket ---- */

struct conn {
    int fd;
    struct sk_buf in;
    size_t off;
};

static int conn_open(struct conn *c, int port, int rcvbuf)
{
    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) {
        return -1;
    }
    if (rcvbuf > 0) {
        /* Before connect, so the window is small from the start. */
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    struct timeval tv = {.tv_sec = 5};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return connect(c->fd, (struct sockaddr *)&sa, sizeof(sa));
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    c->fd = -1;
    sk_buf_free(&c->in);
}

static void conn_send(struct conn *c, const char *s)
{
    size_t len = strlen(s);
    CHECK_EQ_INT(write(c->fd, s, len), len);
}

/* Read more bytes; the count, 0 at EOF, -1 on error or timeout. */
static ssize_t conn_fill(struct conn *c)
{
    if (c->off > 0 && c->off == c->in.len) {
        c->in.len = 0;
        c->off = 0;
    }
    sk_buf_reserve(&c->in, 256 * 1024);
    ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len - 1);
    if (n > 0) {
        c->in.len += (size_t)n;
        c->in.data[c->in.len] = '\0';
    }
    return n;
}

/* The next bytes up to and including delim (NUL-free text only), or NULL. */
static char *conn_until(struct conn *c, const char *delim)
{
    for (;;) {
        char *start = c->in.data ? c->in.data + c->off : NULL;
        char *hit = start ? memmem(start, c->in.len - c->off, delim, strlen(delim)) : NULL;
        if (hit != NULL) {
            size_t len = (size_t)(hit - start) + strlen(delim);
            char *out = xstrndup(start, len);
            c->off += len;
            return out;
        }
        if (conn_fill(c) <= 0) {
            return NULL;
        }
    }
}

/* The next n bytes (a new buffer), or NULL. */
static uint8_t *conn_take(struct conn *c, size_t n)
{
    while (c->in.len - c->off < n) {
        if (conn_fill(c) <= 0) {
            return NULL;
        }
    }
    uint8_t *out = xmalloc(n ? n : 1);
    memcpy(out, c->in.data + c->off, n);
    c->off += n;
    return out;
}

struct response {
    int status;
    char *head; /* status line and headers, ending with the blank line */
    uint8_t *body;
    size_t body_len;
};

static void response_free(struct response *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* The value of a header (copied into buf), or NULL when absent. */
static const char *header(const struct response *r, const char *name, char *buf, size_t cap)
{
    char key[64];
    snprintf(key, sizeof(key), "\r\n%s: ", name);
    const char *p = r->head ? strcasestr(r->head, key) : NULL;
    if (p == NULL) {
        return NULL;
    }
    p += strlen(key);
    size_t len = strcspn(p, "\r");
    snprintf(buf, cap, "%.*s", (int)len, p);
    return buf;
}

/* Send a raw request and read the whole response (the server closes). */
static int request(int port, const char *raw, struct response *r)
{
    memset(r, 0, sizeof(*r));
    struct conn c;
    if (conn_open(&c, port, 0) < 0) {
        conn_close(&c);
        return -1;
    }
    conn_send(&c, raw);
    r->head = conn_until(&c, "\r\n\r\n");
    if (r->head == NULL || sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1) {
        conn_close(&c);
        return -1;
    }
    while (conn_fill(&c) > 0) {
    }
    r->body_len = c.in.len - c.off;
    r->body = xmalloc(r->body_len + 1);
    memcpy(r->body, c.in.data + c.off, r->body_len);
    r->body[r->body_len] = '\0';
    conn_close(&c);
    return 0;
}

static int get(int port, const char *path, struct response *r)
{
    char raw[512];
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
             path);
    return request(port, raw, r);
}

/* Read the stream response's header; 0 when it looks right. */
static int stream_begin(struct conn *c, int port, const char *path, int rcvbuf)
{
    char raw[256];
    if (conn_open(c, port, rcvbuf) < 0) {
        return -1;
    }
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    conn_send(c, raw);
    struct response r = {.head = conn_until(c, "\r\n\r\n")};
    char v[128];
    int ok = r.head != NULL && strncmp(r.head, "HTTP/1.1 200 ", 13) == 0;
    CHECK(ok);
    CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), SK_MULTIPART_CONTENT_TYPE);
    CHECK_STR(header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
    CHECK(header(&r, "Cache-Control", v, sizeof(v)) != NULL && strstr(v, "no-store") != NULL);
    CHECK_STR(header(&r, "Pragma", v, sizeof(v)), "no-cache");
    /* Parts go out as raw bytes, as mjpg-streamer sends them: no chunking. */
    CHECK(header(&r, "Transfer-Encoding", v, sizeof(v)) == NULL);
    CHECK(header(&r, "Content-Length", v, sizeof(v)) == NULL);
    response_free(&r);
    return ok ? 0 : -1;
}

/*
 * Read one part; checks its header bytes against sk_multipart_header for
 * the announced length. Returns the body (caller frees) or NULL.
 */
static uint8_t *stream_part(struct conn *c, size_t *len)
{
    char *head = conn_until(c, "\r\n\r\n");
    if (head == NULL) {
        return NULL;
    }
    size_t n = 0;
    long long sec = 0, usec = 0;
    const char *cl = strstr(head, "\r\nContent-Length: ");
    const char *ts = strstr(head, "\r\nX-Timestamp: ");
    CHECK(cl != NULL && ts != NULL);
    if (cl == NULL || ts == NULL || sscanf(cl, "\r\nContent-Length: %zu", &n) != 1 ||
        sscanf(ts, "\r\nX-Timestamp: %lld.%lld", &sec, &usec) != 2) {
        free(head);
        return NULL;
    }
    char want[256];
    size_t wlen = sk_multipart_header(want, sizeof(want), n, sec * 1000000 + usec);
    CHECK_EQ_INT(strlen(head), wlen);
    CHECK_STR(head, want);
    free(head);
    uint8_t *body = conn_take(c, n);
    uint8_t *trailer = body ? conn_take(c, 2) : NULL;
    CHECK(trailer != NULL && memcmp(trailer, SK_MULTIPART_TRAILER, 2) == 0);
    free(trailer);
    *len = n;
    return body;
}

static int same_frame(const uint8_t *body, size_t len, const struct sk_frame *f)
{
    return body != NULL && len == f->size && memcmp(body, f->data, len) == 0;
}

static int hub_watchers(struct sk_hub *hub)
{
    struct sk_hub_stats st;
    sk_hub_stats(hub, &st);
    return st.watchers;
}

/* ---- tests ---- */

static void test_stream_parts_exact(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct conn c;
    CHECK(stream_begin(&c, s.port, "/stream", 0) == 0);
    CHECK_EQ_INT(hub_watchers(s.app.hub), 1);

    struct sk_frame *prev = NULL;
    for (unsigned i = 0; i < 5; i++) {
        struct sk_frame *f = make_frame(i + 1, 3000 + i * 777);
        f->captured_us = INT64_C(1000000) * (i + 7) + i * 11;
        sk_hub_publish(s.app.hub, f);
        /*
         * A repeat of the previous frame may slip in when the machine is
         * slow (a still screen is resent every second); anything else is
         * wrong.
         */
        for (int tries = 0; tries < 5; tries++) {
            size_t len = 0;
            uint8_t *body = stream_part(&c, &len);
            CHECK(body != NULL);
            if (body == NULL) {
                break;
            }
            if (same_frame(body, len, f)) {
                free(body);
                break;
            }
            CHECK(prev != NULL && same_frame(body, len, prev));
            free(body);
        }
        sk_frame_unref(prev);
        prev = f;
    }
    /* Static screen: after a second the newest frame comes again, byte for byte. */
    int64_t t0 = sk_now_ms();
    size_t len = 0;
    uint8_t *body = stream_part(&c, &len);
    int64_t waited = sk_now_ms() - t0;
    CHECK(same_frame(body, len, prev));
    CHECK(waited >= 500 && waited < 2500);
    free(body);
    sk_frame_unref(prev);
    conn_close(&c);

    /* The server notices the closed client at its next part (within ~1 s). */
    int64_t deadline = sk_now_ms() + 3000;
    while ((hub_watchers(s.app.hub) != 0 || atomic_load(&s.app.http_clients) != 0) &&
           sk_now_ms() < deadline) {
        sk_sleep_ms(20);
    }
    CHECK_EQ_INT(hub_watchers(s.app.hub), 0);
    CHECK_EQ_INT(atomic_load(&s.app.http_clients), 0);
    server_stop(&s);
}

static void test_snapshot_and_mjpg_streamer_urls(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct sk_frame *a = make_frame(100, 5000);
    struct sk_frame *b = make_frame(101, 7001);
    b->captured_us = INT64_C(42000017);
    sk_hub_publish(s.app.hub, a);
    sk_hub_publish(s.app.hub, b);

    const char *paths[] = {"/snapshot", "/?action=snapshot", "/snapshot?x=1"};
    for (size_t i = 0; i < SK_ARRAY_LEN(paths); i++) {
        struct response r;
        char v[128];
        CHECK(get(s.port, paths[i], &r) == 0);
        CHECK_EQ_INT(r.status, 200);
        CHECK(same_frame(r.body, r.body_len, b));
        CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "image/jpeg");
        CHECK_STR(header(&r, "Content-Length", v, sizeof(v)), "7001");
        CHECK_STR(header(&r, "Cache-Control", v, sizeof(v)), "no-store");
        CHECK_STR(header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
        CHECK_STR(header(&r, "X-Timestamp", v, sizeof(v)), "42.000017");
        response_free(&r);
    }

    /* HEAD: the headers of the snapshot, no body. */
    struct response r;
    char v[128];
    CHECK(request(s.port, "HEAD /snapshot HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                  &r) == 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_STR(header(&r, "Content-Length", v, sizeof(v)), "7001");
    CHECK_EQ_INT(r.body_len, 0);
    response_free(&r);

    /* mjpg-streamer's stream URL gives the same stream. */
    struct conn c;
    CHECK(stream_begin(&c, s.port, "/?action=stream", 0) == 0);
    size_t len = 0;
    uint8_t *body = stream_part(&c, &len);
    CHECK(same_frame(body, len, b));
    free(body);
    conn_close(&c);

    sk_frame_unref(a);
    sk_frame_unref(b);
    server_stop(&s);
}

static void test_snapshot_without_frame(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct response r;
    char v[128];
    int64_t t0 = sk_now_ms();
    CHECK(get(s.port, "/snapshot", &r) == 0);
    int64_t waited = sk_now_ms() - t0;
    CHECK_EQ_INT(r.status, 503);
    CHECK(waited >= 1800 && waited < 4000);
    CHECK(r.body_len > 0);
    CHECK(header(&r, "Content-Type", v, sizeof(v)) != NULL && strncmp(v, "text/plain", 10) == 0);
    response_free(&r);
    server_stop(&s);
}

static void test_pages_and_refusals(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct response r;
    char v[128];

    CHECK(get(s.port, "/", &r) == 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(r.body_len, strlen(index_html));
    CHECK_STR((char *)r.body, index_html);
    CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "text/html; charset=utf-8");
    CHECK_STR(header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
    response_free(&r);

    CHECK(get(s.port, "/app.js", &r) == 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_STR((char *)r.body, app_js);
    CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "text/javascript; charset=utf-8");
    response_free(&r);

    CHECK(get(s.port, "/status", &r) == 0);
    CHECK_EQ_INT(r.status, 200);
    /* This very request is being served: the live count is 1. */
    CHECK_STR((char *)r.body, "{\"stub\":true,\"http\":1}");
    CHECK_STR(header(&r, "Content-Type", v, sizeof(v)), "application/json");
    response_free(&r);

    /* Allowed name, but the file is missing from web_dir. */
    CHECK(get(s.port, "/style.css", &r) == 0);
    CHECK_EQ_INT(r.status, 404);
    response_free(&r);

    /* Not on the allow-list, even though these exist on disk. */
    const char *not_found[] = {
        "/../etc/passwd",   "/nope",         "/secret.txt",
        "/./index.html",    "//index.html",  "/index.html/",
        "/web/index.html",  "/?action=nope", "/%2e%2e/secret.txt",
        "/..%2fsecret.txt", "/streamx",
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(not_found); i++) {
        CHECK(get(s.port, not_found[i], &r) == 0);
        if (r.status != 404) {
            fprintf(stderr, "  %s -> %d\n", not_found[i], r.status);
        }
        CHECK_EQ_INT(r.status, 404);
        CHECK(strstr((char *)r.body, "test page") == NULL);
        CHECK(strstr((char *)r.body, "secret") == NULL);
        response_free(&r);
    }

    const char *posts[] = {
        "POST /stream HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
        "3\r\n\r\nabc",
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "PUT /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: "
        "1\r\n\r\nx",
        "DELETE /snapshot HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(posts); i++) {
        CHECK(request(s.port, posts[i], &r) == 0);
        CHECK_EQ_INT(r.status, 405);
        CHECK_STR(header(&r, "Allow", v, sizeof(v)), "GET, HEAD");
        response_free(&r);
    }
    CHECK_EQ_INT(hub_watchers(s.app.hub), 0);
    server_stop(&s);
}

struct reader {
    int port;
    atomic_int stop;
    atomic_uint last_id; /* id of the newest part received */
    atomic_uint parts;
    atomic_uint bad;  /* parts whose bytes do not match their frame */
    atomic_int ended; /* the stream closed or failed */
};

static void *reader_main(void *arg)
{
    struct reader *rd = arg;
    struct conn c;
    if (stream_begin(&c, rd->port, "/stream", 0) < 0) {
        rd->ended = 1;
        conn_close(&c);
        return NULL;
    }
    while (!atomic_load(&rd->stop)) {
        size_t len = 0;
        uint8_t *body = stream_part(&c, &len);
        if (body == NULL) {
            rd->ended = 1;
            break;
        }
        unsigned id = 0;
        if (len >= 6) {
            memcpy(&id, body + 2, sizeof(id));
        }
        struct sk_frame *want = make_frame(id, 200000);
        if (!same_frame(body, len, want)) {
            rd->bad++;
        }
        sk_frame_unref(want);
        free(body);
        rd->parts++;
        rd->last_id = id;
    }
    conn_close(&c);
    return NULL;
}

static void test_slow_client_does_not_block(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct sk_frame *first = make_frame(1000, 200000);
    sk_hub_publish(s.app.hub, first);
    sk_frame_unref(first);

    /* A client that asks for the stream and never reads, with a tiny window. */
    struct conn stuck;
    CHECK(conn_open(&stuck, s.port, 4096) == 0);
    conn_send(&stuck, "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");

    struct reader rd = {.port = s.port};
    pthread_t th;
    pthread_create(&th, NULL, reader_main, &rd);

    int64_t worst_us = 0;
    int64_t t0 = sk_now_us();
    for (unsigned i = 0; i < 100; i++) {
        struct sk_frame *f = make_frame(1001 + i, 200000);
        int64_t a = sk_now_us();
        sk_hub_publish(s.app.hub, f);
        worst_us = SK_MAX(worst_us, sk_now_us() - a);
        sk_frame_unref(f);
        sk_sleep_ms(5);
    }
    int64_t total_ms = (sk_now_us() - t0) / 1000;
    /* Publishing never waits for a client. */
    CHECK(worst_us < 50000);
    CHECK(total_ms < 3000);
    CHECK_EQ_INT(hub_watchers(s.app.hub), 2);

    /* The reading client catches up with the newest frame. */
    int64_t deadline = sk_now_ms() + 3000;
    while (rd.last_id != 1100 && !rd.ended && sk_now_ms() < deadline) {
        sk_sleep_ms(10);
    }
    CHECK_EQ_INT(rd.last_id, 1100);
    CHECK(rd.parts >= 2);
    CHECK_EQ_INT(rd.bad, 0);
    CHECK_EQ_INT(rd.ended, 0);
    CHECK_EQ_INT(atomic_load(&s.app.http_clients), 2);

    /*
     * Close with the stuck client still connected and the reader waiting
     * on the hub (which stays open): it must not hang.
     */
    int64_t c0 = sk_now_ms();
    sk_http_close(s.http);
    int64_t close_ms = sk_now_ms() - c0;
    CHECK(close_ms < 1500);
    atomic_store(&rd.stop, 1);
    pthread_join(th, NULL);
    CHECK_EQ_INT(hub_watchers(s.app.hub), 0);
    CHECK_EQ_INT(atomic_load(&s.app.http_clients), 0);
    conn_close(&stuck);

    /* Closing again is harmless; the port is free again for a new open. */
    sk_http_close(s.http);
    char err[256] = "";
    CHECK(sk_http_open(s.http, err, sizeof(err)) == 0);
    struct response r;
    CHECK(get(s.port, "/snapshot", &r) == 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(r.body_len, 200000);
    response_free(&r);
    server_stop(&s);
}

/* The head of the answer, with the Date header's value blanked (it is the only line that varies).
 */
static char *head_without_date(const char *head)
{
    char *out = xstrdup(head);
    char *date = strstr(out, "\r\nDate: ");
    if (date != NULL) {
        date += strlen("\r\nDate: ");
        size_t len = strcspn(date, "\r");
        /* "Sat, 05 Dec 2026 01:30:21 GMT": the same shape MHD writes. */
        CHECK_EQ_INT(len, 29);
        CHECK(len >= 4 && memcmp(date + len - 4, " GMT", 4) == 0);
        memset(date, 'D', len);
    }
    return out;
}

/*
 * A stream's head is written by the streamer, on the socket taken from
 * MHD; HEAD's is written by MHD. Both must be the same bytes.
 */
static void test_stream_head_as_mhd_writes_it(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct response r;
    CHECK(request(s.port, "HEAD /stream HTTP/1.1\r\nHost: localhost\r\n\r\n", &r) == 0);
    CHECK_EQ_INT(r.status, 200);
    CHECK_EQ_INT(r.body_len, 0);
    struct conn c;
    CHECK(conn_open(&c, s.port, 0) == 0);
    conn_send(&c, "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    char *head = conn_until(&c, "\r\n\r\n");
    CHECK(head != NULL && r.head != NULL);
    if (head != NULL && r.head != NULL) {
        char *ours = head_without_date(head), *mhd = head_without_date(r.head);
        CHECK_STR(ours, mhd);
        free(ours);
        free(mhd);
    }
    free(head);
    conn_close(&c);
    response_free(&r);
    server_stop(&s);
}

static int thread_count(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

/* Many viewers, and no thread of the server's each: the streamer's few threads serve them all. */
static void test_viewers_cost_no_thread(void)
{
    enum { VIEWERS = 24 };
    struct server s;
    CHECK(server_start(&s) == 0);
    struct sk_frame *f = make_frame(7, 20000);
    sk_hub_publish(s.app.hub, f);
    /* A request answered first: the threads MHD keeps between requests are there already. */
    struct response r;
    CHECK(get(s.port, "/snapshot", &r) == 0);
    response_free(&r);
    int before = thread_count();
    struct conn c[VIEWERS];
    for (int i = 0; i < VIEWERS; i++) {
        CHECK(stream_begin(&c[i], s.port, "/stream", 0) == 0);
        size_t len = 0;
        uint8_t *body = stream_part(&c[i], &len);
        CHECK(same_frame(body, len, f));
        free(body);
    }
    CHECK_EQ_INT(hub_watchers(s.app.hub), VIEWERS);
    /*
     * The connections' threads end once their streams are handed over (and
     * each request is counted as over a moment after its stream begins).
     */
    int64_t deadline = sk_now_ms() + 3000;
    int during = thread_count();
    while ((during > before + 2 || atomic_load(&s.app.http_clients) != VIEWERS) &&
           sk_now_ms() < deadline) {
        sk_sleep_ms(20);
        during = thread_count();
    }
    CHECK_EQ_INT(atomic_load(&s.app.http_clients), VIEWERS);
    fprintf(stderr, "  threads: %d before, %d with %d viewers\n", before, during, VIEWERS);
    CHECK(during <= before + 2);
    /* And every viewer still gets every new frame. */
    struct sk_frame *g = make_frame(8, 30000);
    sk_hub_publish(s.app.hub, g);
    for (int i = 0; i < VIEWERS; i++) {
        size_t len = 0;
        uint8_t *body = stream_part(&c[i], &len);
        /* Repeats of the still screen (one a second) may come first. */
        for (int repeats = 0; repeats < 10 && same_frame(body, len, f); repeats++) {
            free(body);
            body = stream_part(&c[i], &len);
        }
        CHECK(same_frame(body, len, g));
        free(body);
        conn_close(&c[i]);
    }
    sk_frame_unref(f);
    sk_frame_unref(g);
    server_stop(&s);
    CHECK_EQ_INT(atomic_load(&s.app.http_clients), 0);
}

static void test_open_errors(void)
{
    struct server s;
    CHECK(server_start(&s) == 0);
    struct sk_app app = {.hub = s.app.hub};

    struct sk_http *dup = sk_http_new(&(struct sk_http_opts){
        .addr = "127.0.0.1", .port = s.port, .web_dir = web_dir, .app = &app});
    char err[256] = "";
    char want[128];
    CHECK_EQ_INT(sk_http_open(dup, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%d: Address already in use", s.port);
    CHECK_STR(err, want);
    sk_http_free(dup);

    struct sk_http *bad = sk_http_new(&(struct sk_http_opts){
        .addr = "not-an-address", .port = s.port, .web_dir = web_dir, .app = &app});
    CHECK_EQ_INT(sk_http_open(bad, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "cannot listen on not-an-address:%d: not an IP address", s.port);
    CHECK_STR(err, want);
    sk_http_free(bad);

    /* "localhost" means 127.0.0.1, so it collides with the running server. */
    struct sk_http *local = sk_http_new(&(struct sk_http_opts){
        .addr = "localhost", .port = s.port, .web_dir = web_dir, .app = &app});
    CHECK_EQ_INT(sk_http_open(local, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%d: Address already in use", s.port);
    CHECK_STR(err, want);
    sk_http_free(local);
    server_stop(&s);
}

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return -1;
    }
    fputs(text, f);
    return fclose(f);
}

/* The port's name from a serial route's path: one segment, bounded, nothing else. */
static void test_serial_port_name(void)
{
    char name[8];
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial/com1/stream", name, sizeof(name)), 0);
    CHECK_STR(name, "com1");
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial/usb/write", name, sizeof(name)), 0);
    CHECK_STR(name, "usb");
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial//stream", name, sizeof(name)), -1);
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial/", name, sizeof(name)), -1);
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial", name, sizeof(name)), -1);
    CHECK_EQ_INT(sk_serialapi_port_name("/api/media/x/stream", name, sizeof(name)), -1);
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial/abcdefgh/stream", name, sizeof(name)), -1);
    CHECK_EQ_INT(sk_serialapi_port_name("/api/serial/abcdefg/stream", name, sizeof(name)), 0);
    CHECK_STR(name, "abcdefg");
    CHECK_EQ_INT(sk_serialapi_port_name(NULL, name, sizeof(name)), -1);
}

int main(void)
{
    /* A web_dir with a file the server must never hand out, and one beside it. */
    char base[] = "/tmp/sk_test_http_XXXXXX";
    if (mkdtemp(base) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(web_dir, sizeof(web_dir), "%s/web", base);
    if (mkdir(web_dir, 0700) < 0 || write_file(web_dir, "index.html", index_html) < 0 ||
        write_file(web_dir, "app.js", app_js) < 0 ||
        write_file(web_dir, "secret.txt", "secret in web\n") < 0 ||
        write_file(base, "secret.txt", "secret beside web\n") < 0) {
        perror("setup");
        return 2;
    }
    sk_log_set_level(SK_LOG_WARN);

    SK_RUN(test_stream_parts_exact);
    SK_RUN(test_snapshot_and_mjpg_streamer_urls);
    SK_RUN(test_snapshot_without_frame);
    SK_RUN(test_pages_and_refusals);
    SK_RUN(test_slow_client_does_not_block);
    SK_RUN(test_stream_head_as_mhd_writes_it);
    SK_RUN(test_viewers_cost_no_thread);
    SK_RUN(test_open_errors);
    SK_RUN(test_serial_port_name);

    char path[128];
    const char *files[] = {"web/index.html", "web/app.js", "web/secret.txt", "secret.txt"};
    for (size_t i = 0; i < SK_ARRAY_LEN(files); i++) {
        snprintf(path, sizeof(path), "%s/%s", base, files[i]);
        unlink(path);
    }
    rmdir(web_dir);
    rmdir(base);
    return SK_CHECK_EXIT();
}

/*
 * http: the browser side's daemon and routes, served by libmicrohttpd.
 *
 * Owns one MHD daemon (an internal listening thread plus one thread per
 * connection, optionally with TLS), the listening socket it hands to it,
 * and the stream writer (http/streamer.h). Every request passes the
 * admission checks first (http/admit.h), then is looked up in two fixed
 * tables: the routes below and the allow-list of page files read from
 * web_dir at request time. Anything else is 404; no path from the request
 * ever reaches the file system. The answers live by job: page files,
 * snapshot and status in http/pages.c, the page's control endpoints in
 * http/api.c, /login in http/admit.c, /metrics in http/metrics.c, /stream
 * in http/stream.c; they go out through http/request.h.
 *
 * A stream (/stream) is admitted like any request; then its socket is taken
 * from MHD and handed to the streamer (http/streamer.h), whose few writer
 * threads send the answer's head and every part straight from the frames,
 * and the connection's thread goes back to MHD. Over TLS the session is
 * MHD's, so the streamer writes into a socket pair that the connection's
 * thread relays. Either way a client that reads slowly finds a newer frame
 * the next time it can take one: nothing is queued, and capture and other
 * clients never wait for it.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "http/admit.h"
#include "http/api.h"
#include "http/mediaapi.h"
#include "http/metrics.h"
#include "http/powerapi.h"
#include "http/serialapi.h"
#include "http/pages.h"
#include "http/request.h"
#include "http/stream.h"
#include "http/streamer.h"
#include "policy/auth.h"
#include "policy/pending.h"

#define SK_HTTP_CONNECTION_LIMIT 256u
/* Connection threads only run our small callbacks; 8 MiB each would exhaust a 32-bit Pi. */
#define SK_HTTP_THREAD_STACK (512u * 1024u)
/* Streams at once; MHD's own connections (requests being read and answered) are bounded apart. */
#define SK_HTTP_MAX_STREAMS SK_HTTP_CONNECTION_LIMIT
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
    struct sk_streamer *streamer; /* writes every stream, every part */
    struct sk_pending *idle;      /* connections with no request in flight, bounded */
};

enum route_flags {
    ROUTE_POST = 1,   /* POST only (else GET and HEAD) */
    ROUTE_PUBLIC = 2, /* served before authentication */
    ROUTE_TYPES = 4,  /* types on the target: a view-only login is refused before its body */
    ROUTE_UPLOAD = 8, /* the body streams to sk_mediaapi_upload_data, any size, not collected */
};

struct sk_http_route {
    const char *path;
    const char *action; /* required ?action= value, NULL for none */
    int flags;
    size_t max_body;
    /* Served with the server at hand, or with the app only (one of the two is set). */
    enum MHD_Result (*serve)(struct sk_http *http, struct MHD_Connection *conn,
                             struct sk_request *req);
    enum MHD_Result (*act)(struct sk_app *app, struct MHD_Connection *conn, struct sk_request *req);
};

static enum MHD_Result serve_stream(struct sk_http *http, struct MHD_Connection *conn,
                                    struct sk_request *req)
{
    return sk_stream_serve(http->app, http->streamer, http->tls_cert_file != NULL, conn, req);
}

static enum MHD_Result serve_login(struct sk_http *http, struct MHD_Connection *conn,
                                   struct sk_request *req)
{
    return sk_admit_login(&http->admit, conn, req);
}

static enum MHD_Result serve_logout(struct sk_http *http, struct MHD_Connection *conn,
                                    struct sk_request *req)
{
    return sk_admit_logout(&http->admit, conn, req);
}

static enum MHD_Result serve_metrics(struct sk_http *http, struct MHD_Connection *conn,
                                     struct sk_request *req)
{
    struct sk_streamer_stats ss;
    sk_streamer_stats(http->streamer, &ss);
    struct sk_buf b = {0};
    sk_metrics_text(&b, http->app, &ss,
                    http->admit.auth != NULL ? sk_auth_failures(http->admit.auth) : 0);
    enum MHD_Result rc = sk_request_copy(conn, MHD_HTTP_OK, b.data, b.len,
                                         "text/plain; version=0.0.4; charset=utf-8");
    sk_buf_free(&b);
    return rc;
}

/* ---- dispatch ---- */

static const struct sk_http_route routes[] = {
    {.path = "/stream", .serve = serve_stream},
    {.path = "/snapshot", .act = sk_pages_snapshot},
    {.path = "/status", .act = sk_pages_status},
    {.path = "/metrics", .serve = serve_metrics},
    {.path = "/login", .flags = ROUTE_PUBLIC, .serve = serve_login},
    {.path = "/api/keys", .flags = ROUTE_POST, .max_body = SK_API_MAX_BODY, .act = sk_api_keys},
    {.path = "/api/mouse", .flags = ROUTE_POST, .max_body = SK_API_MAX_BODY, .act = sk_api_mouse},
    {.path = "/api/release",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .act = sk_api_release},
    {.path = "/api/paste",
     .flags = ROUTE_POST | ROUTE_TYPES,
     .max_body = SK_API_MAX_PASTE,
     .act = sk_api_paste},
    {.path = "/api/logout",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .serve = serve_logout},
    {.path = "/api/power",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .act = sk_powerapi_post},
    {.path = "/api/media", .act = sk_mediaapi_list},
    {.path = "/api/media",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .act = sk_mediaapi_post},
    {.path = "/api/media/upload", .flags = ROUTE_POST | ROUTE_UPLOAD, .act = sk_mediaapi_upload},
    {.path = "/api/control",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .act = sk_api_control},
    /* A "*" in a path stands for one segment: the port's name (http/serialapi.h). */
    {.path = "/api/serial", .act = sk_serialapi_list},
    {.path = "/api/serial/*/stream", .act = sk_serialapi_stream},
    {.path = "/api/serial/*/write",
     .flags = ROUTE_POST,
     .max_body = SK_SERIALAPI_MAX_WRITE,
     .act = sk_serialapi_write},
    {.path = "/api/serial/*/break",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .act = sk_serialapi_break},
    {.path = "/api/serial/*/take",
     .flags = ROUTE_POST,
     .max_body = SK_API_MAX_BODY,
     .act = sk_serialapi_take},
    /* mjpg-streamer's URLs, which many players and scripts already know. */
    {.path = "/", .action = "stream", .serve = serve_stream},
    {.path = "/", .action = "snapshot", .act = sk_pages_snapshot},
};

/* Does url match a route's path, where a "*" stands for one non-empty segment? 1 or 0. */
static int path_matches(const char *url, const char *path)
{
    while (*path != '\0') {
        if (*path == '*') {
            size_t n = strcspn(url, "/");
            if (n == 0) {
                return 0;
            }
            url += n;
            path++;
        } else if (*url++ != *path++) {
            return 0;
        }
    }
    return *url == '\0';
}

/* want_post: 1 or 0 prefers the route for that method where a path has both; -1 any. */
static const struct sk_http_route *find_route(const char *url, const char *action, int want_post)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(routes); i++) {
        const struct sk_http_route *r = &routes[i];
        if (!path_matches(url, r->path) ||
            (want_post >= 0 && want_post != !!(r->flags & ROUTE_POST))) {
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
        req->is_head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
        req->url = url;
        req->route = find_route(url, action, is_post);
        if (req->route == NULL) {
            req->route = find_route(url, action, -1); /* for its 405 */
        }
        const struct sk_http_route *r = req->route;
        if (r != NULL && (r->flags & ROUTE_POST) ? !is_post : !is_get) {
            return sk_request_not_allowed(conn, r != NULL && (r->flags & ROUTE_POST) ? "POST"
                                                                                     : "GET, HEAD");
        }
        enum MHD_Result rc = MHD_YES;
        int need = r == NULL                   ? 0
                   : (r->flags & ROUTE_PUBLIC) ? SK_ADMIT_PUBLIC
                   : (r->flags & ROUTE_POST)   ? SK_ADMIT_SAME_ORIGIN
                                               : 0;
        if (!sk_admit_request(&http->admit, conn, req, url, need, &rc)) {
            return rc;
        }
        if (r != NULL && (r->flags & ROUTE_TYPES) && req->role == SK_ROLE_VIEW) {
            /* A view-only login never types: refused (and audited) before a byte of its body. */
            return sk_api_refuse_view_only(http->app, conn, req, r->path + 5);
        }
        if (r != NULL && (r->flags & ROUTE_UPLOAD) &&
            !sk_mediaapi_upload_begin(http->app, conn, req, &rc)) {
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
    if (*upload_data_size > 0 && req->route != NULL && (req->route->flags & ROUTE_UPLOAD)) {
        sk_mediaapi_upload_data(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
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
    return sk_pages_file(http->web_dir, conn, action == NULL ? url : NULL);
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
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && (req == NULL || !req->handed_over)) {
        /* Kept alive for another request: idle again. */
        int fd = sk_request_fd(conn);
        if (fd >= 0) {
            sk_pending_add(http->idle, conn, fd);
        }
    }
    if (req != NULL) {
        if (req->upload != NULL) {
            req->upload_drop(req->upload); /* cut off before its end: nothing of it stays */
        }
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
    http->streamer = sk_streamer_new(opts->app->hub, SK_HTTP_IDLE_TIMEOUT_S, SK_HTTP_MAX_STREAMS);
    /*
     * Up to libmicrohttpd's own limit of connections while none is silent: a
     * burst of 200 viewers whose requests have arrived must all be served.
     */
    http->idle = sk_pending_new(opts->max_idle > 0 ? opts->max_idle : 32,
                                (int)SK_HTTP_CONNECTION_LIMIT, "http");
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
    if (sk_read_file(http->tls_key_file, SK_HTTP_PEM_MAX, &http->tls_key, NULL, why, sizeof(why)) !=
        0) {
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
    /* The logger goes first so that MHD's start-up complaints reach our log too. */
    http->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, http, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_CONNECTION_LIMIT,
        SK_HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, SK_HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)SK_HTTP_THREAD_STACK, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, http, MHD_OPTION_NOTIFY_CONNECTION, on_connection, http, MHD_OPTION_ARRAY,
        tls ? tls_opts : no_opts, MHD_OPTION_END);
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
     * Streams end first: their sockets close, and a TLS stream's relay sees
     * the end, so MHD_stop_daemon (which joins every connection thread)
     * returns promptly even though the hub stays open.
     */
    sk_streamer_close(http->streamer);
    MHD_stop_daemon(http->daemon);
    http->daemon = NULL;
    drop_tls(http);
}

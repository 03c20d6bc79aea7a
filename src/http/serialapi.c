/*
 * serialapi: the web page's serial terminal, served over plain HTTP.
 *
 * No websockets: the page reads GET /api/serial/NAME/stream, a response of
 * unknown length whose body is the port's last screenful (as the ssh
 * terminal replays it) and then every byte the port says, exact, as it
 * comes; what it types goes as POST /api/serial/NAME/write bodies, bytes
 * exact, the Break button as POST /api/serial/NAME/break, the Take button
 * (control of this port, from whoever holds it) as POST .../take. GET
 * /api/serial lists the ports and says the caller's role.
 *
 * A stream is one of libmicrohttpd's connection threads running the
 * reader below: it keeps its own position in the port's ring (the port's
 * thread never waits for it), waits there for output, and hands it to MHD
 * whenever MHD has sent the last piece. A browser that reads too slowly
 * falls behind in the ring and skips ahead with a visible marker; the
 * port's log keeps everything. While the port is quiet the reader looks
 * at the client's socket, so a client that goes (or a server that stops)
 * ends the stream within STREAM_WAIT_MS.
 *
 * Writes and breaks need control of the port, as the ssh terminal's keys do
 * (one check, may_write below; each port has its own writer, apart from the
 * video console's control): a view-only login gets 403, a control login 409
 * while another session holds the port. The audit log gets attach, detach
 * and break lines (and control changes and refusals from the access check),
 * never the bytes.
 */
#include "http/serialapi.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/serialterm.h"
#include "http/api.h"
#include "policy/audit.h"
#include "policy/roster.h"
#include "serial/port.h"

#define SERIAL_PREFIX "/api/serial/"
#define STREAM_BLOCK 16384    /* the most MHD takes from the reader at a time */
#define STREAM_WAIT_MS 500    /* the reader's wait for output between looks at the client */
#define WRITE_TIMEOUT_MS 1000 /* how long typed bytes wait for a port that does not take them */
#define REPLAY_ROWS 24        /* the last screenful when the page does not give its size */
#define REPLAY_COLS 80

/* Streams being served now, bounded by SK_SERIALAPI_MAX_VIEWERS. */
static atomic_int viewers;

struct viewer {
    struct sk_app *app;
    struct sk_port *port;
    struct MHD_Connection *conn;
    int fd;              /* the client's socket, looked at for a hang-up while the port is quiet */
    uint64_t pos;        /* where this stream is in the port's output */
    struct sk_buf ahead; /* bytes to send before the port's next: the replay, a marker */
    size_t ahead_sent;
    char identity[SK_AUTH_IDENTITY_LEN];
    char addr[SK_ROSTER_ADDR_LEN];
};

int sk_serialapi_port_name(const char *url, char *name, size_t len)
{
    size_t plen = strlen(SERIAL_PREFIX);
    if (url == NULL || strncmp(url, SERIAL_PREFIX, plen) != 0) {
        return -1;
    }
    const char *start = url + plen;
    size_t n = strcspn(start, "/");
    if (n == 0 || n >= len) {
        return -1;
    }
    memcpy(name, start, n);
    name[n] = '\0';
    return 0;
}

/* The port the request's path names, or NULL with 404 queued in *rc. */
static struct sk_port *find_port(struct sk_app *app, struct MHD_Connection *conn,
                                 const struct sk_request *req, enum MHD_Result *rc)
{
    char name[SK_SERIAL_NAME_MAX];
    if (sk_serialapi_port_name(req->url, name, sizeof(name)) == 0) {
        struct sk_port *port = sk_app_serial_port(app, name);
        if (port != NULL) {
            return port;
        }
    }
    *rc = sk_request_text(conn, MHD_HTTP_NOT_FOUND, "no such serial port\n");
    return NULL;
}

/*
 * May this request write to the port (take: take it from its holder)? The
 * one check for writes, breaks and takes (as for the page's keys); 1, or 0
 * with 403/409 queued in *rc.
 */
static int may_write(struct sk_app *app, struct MHD_Connection *conn, struct sk_request *req,
                     struct sk_port *port, int take, enum MHD_Result *rc)
{
    char msg[SK_ROSTER_NAME_LEN + 160];
    const struct sk_identity who = {req->member, req->role, req->identity, req->addr};
    int r = sk_app_port(app, &who, sk_port_spec(port)->name, take, msg, sizeof(msg));
    if (r == 0) {
        return 1;
    }
    *rc = sk_api_refused(conn, r, msg, sizeof(msg), " (take control of the port to type)");
    return 0;
}

/* The port's state as a line for the person: "com1 (/dev/ttyUSB0) is absent (why)". */
static enum MHD_Result port_not_open(struct MHD_Connection *conn, struct sk_port *port,
                                     const char *what)
{
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    char msg[512], state[SK_SERIALTERM_STATE_LEN];
    snprintf(msg, sizeof(msg), "%s (%s) is %s: %s\n", st.name, st.device,
             sk_serialterm_state(&st, state, sizeof(state)), what);
    return sk_request_copy(conn, MHD_HTTP_SERVICE_UNAVAILABLE, msg, strlen(msg),
                           "text/plain; charset=utf-8");
}

enum MHD_Result sk_serialapi_list(struct sk_app *app, struct MHD_Connection *conn,
                                  struct sk_request *req)
{
    struct sk_buf out = {0};
    sk_buf_printf(&out, "{\"role\":\"%s\",\"ports\":[", sk_role_name(req->role));
    for (size_t i = 0; i < app->serial_count; i++) {
        struct sk_port_stats st;
        sk_port_stats(app->serial[i], &st);
        if (i > 0) {
            sk_buf_puts(&out, ",");
        }
        sk_port_stats_json(&st, &out);
        /* Who else writes to it (the page says "no control"); null: this login, nobody, or shared.
         */
        char holder[SK_ROSTER_NAME_LEN];
        sk_buf_puts(&out, ",\"holder\":");
        if (app->roster != NULL &&
            sk_roster_port_holder(app->roster, req->member, st.name, holder, sizeof(holder)) == 0) {
            sk_buf_json_string(&out, holder);
        } else {
            sk_buf_puts(&out, "null");
        }
        sk_buf_puts(&out, "}");
    }
    sk_buf_puts(&out, "]}\n");
    enum MHD_Result rc = sk_request_copy(conn, MHD_HTTP_OK, out.data, out.len, "application/json");
    sk_buf_free(&out);
    return rc;
}

/* Has the client hung up (or the server shut its socket down to stop)? 1 or 0. */
static int client_gone(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* Take what is ahead (the replay, a marker) first. */
static ssize_t take_ahead(struct viewer *v, char *buf, size_t max)
{
    size_t n = SK_MIN(max, v->ahead.len - v->ahead_sent);
    memcpy(buf, v->ahead.data + v->ahead_sent, n);
    v->ahead_sent += n;
    if (v->ahead_sent == v->ahead.len) {
        v->ahead.len = 0;
        v->ahead_sent = 0;
    }
    return (ssize_t)n;
}

/*
 * MHD asks for the body's next piece once it has sent the last one. Waits
 * here (on MHD's connection thread, which is this stream's) until the port
 * says something, the port closes, or the client goes.
 */
static ssize_t stream_read(void *cls, uint64_t offset, char *buf, size_t max)
{
    struct viewer *v = cls;
    (void)offset;
    /*
     * MHD closes a connection idle for its timeout; waiting here for a
     * quiet port is not idleness (a client that stops reading never gets
     * here: MHD waits to send and times it out). No timeout while we wait,
     * the usual one again, counted from now, once there is something.
     */
    MHD_set_connection_option(v->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    ssize_t got = 0;
    while (got == 0) {
        if (v->ahead.len > 0) {
            got = take_ahead(v, buf, max);
            break;
        }
        uint64_t lost = 0;
        long n = sk_port_read(v->port, &v->pos, buf, max, STREAM_WAIT_MS, &lost);
        if (n == SK_E_CLOSED) {
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (lost > 0) {
            /* The marker goes before what was read after the gap. */
            sk_buf_printf(&v->ahead,
                          "\r\n[sshkvm %s: %llu bytes skipped: this browser was too slow (the log "
                          "has them)]\r\n",
                          sk_port_spec(v->port)->name, (unsigned long long)lost);
            sk_buf_append(&v->ahead, buf, (size_t)SK_MAX(n, 0L));
            continue;
        }
        if (n > 0) {
            got = n;
        } else if (client_gone(v->fd)) {
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    MHD_set_connection_option(v->conn, MHD_CONNECTION_OPTION_TIMEOUT, SK_HTTP_IDLE_TIMEOUT_S);
    return got;
}

static void stream_free(void *cls)
{
    struct viewer *v = cls;
    sk_audit(v->app->audit, "serial", v->identity, v->addr, "port=%s action=detach web=1",
             sk_port_spec(v->port)->name);
    sk_buf_free(&v->ahead);
    free(v);
    atomic_fetch_sub(&viewers, 1);
}

/* ?NAME=N (1..max), else def. */
static unsigned size_arg(struct MHD_Connection *conn, const char *name, unsigned def, unsigned max)
{
    const char *s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
    char *end;
    unsigned long v = s != NULL ? strtoul(s, &end, 10) : 0;
    return s != NULL && *end == '\0' && v >= 1 && v <= max ? (unsigned)v : def;
}

enum MHD_Result sk_serialapi_stream(struct sk_app *app, struct MHD_Connection *conn,
                                    struct sk_request *req)
{
    enum MHD_Result rc;
    struct sk_port *port = find_port(app, conn, req, &rc);
    if (port == NULL) {
        return rc;
    }
    if (atomic_fetch_add(&viewers, 1) >= SK_SERIALAPI_MAX_VIEWERS) {
        atomic_fetch_sub(&viewers, 1);
        return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many serial viewers\n");
    }
    struct viewer *v = xcalloc(1, sizeof(*v));
    v->app = app;
    v->port = port;
    v->conn = conn;
    v->fd = sk_request_fd(conn);
    snprintf(v->identity, sizeof(v->identity), "%s", req->identity);
    snprintf(v->addr, sizeof(v->addr), "%s", req->addr);
    /* The replay and the live output join without a gap: the position is taken first. */
    v->pos = sk_port_position(port, 0);
    if (!req->is_head) {
        sk_serialterm_replay(port, size_arg(conn, "rows", REPLAY_ROWS, 500),
                             size_arg(conn, "cols", REPLAY_COLS, 1000), &v->ahead);
    }
    sk_audit(app->audit, "serial", v->identity, v->addr, "port=%s action=attach web=1",
             sk_port_spec(port)->name);
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
                                                                  stream_read, v, stream_free);
    if (resp == NULL) {
        stream_free(v);
        return MHD_NO;
    }
    const struct sk_request_field fields[] = {
        {MHD_HTTP_HEADER_CACHE_CONTROL, "no-store"},
    };
    sk_request_headers(resp, fields, SK_ARRAY_LEN(fields));
    return sk_request_queue(conn, MHD_HTTP_OK, resp, "application/octet-stream");
}

enum MHD_Result sk_serialapi_write(struct sk_app *app, struct MHD_Connection *conn,
                                   struct sk_request *req)
{
    enum MHD_Result rc;
    struct sk_port *port = find_port(app, conn, req, &rc);
    if (port == NULL || !may_write(app, conn, req, port, 0, &rc)) {
        return rc;
    }
    size_t done = 0;
    int64_t until = sk_now_ms() + WRITE_TIMEOUT_MS;
    while (done < req->body.len && sk_now_ms() < until) {
        long n = sk_port_write(port, req->body.data + done, req->body.len - done, 100);
        if (n == SK_E_NODEV) {
            return port_not_open(conn, port, done ? "the rest was not sent" : "nothing sent");
        }
        done += (size_t)SK_MAX(n, 0L);
    }
    if (done < req->body.len) {
        char msg[128];
        snprintf(msg, sizeof(msg), "the port took %zu of %zu bytes\n", done, req->body.len);
        return sk_request_copy(conn, MHD_HTTP_SERVICE_UNAVAILABLE, msg, strlen(msg),
                               "text/plain; charset=utf-8");
    }
    return sk_request_text(conn, MHD_HTTP_OK, "ok\n");
}

enum MHD_Result sk_serialapi_break(struct sk_app *app, struct MHD_Connection *conn,
                                   struct sk_request *req)
{
    enum MHD_Result rc;
    struct sk_port *port = find_port(app, conn, req, &rc);
    if (port == NULL || !may_write(app, conn, req, port, 0, &rc)) {
        return rc;
    }
    if (sk_port_break(port) != 0) {
        return port_not_open(conn, port, "no break sent");
    }
    sk_audit(app->audit, "serial", req->identity, req->addr, "port=%s action=break web=1",
             sk_port_spec(port)->name);
    return sk_request_text(conn, MHD_HTTP_OK, "break sent\n");
}

enum MHD_Result sk_serialapi_take(struct sk_app *app, struct MHD_Connection *conn,
                                  struct sk_request *req)
{
    enum MHD_Result rc;
    struct sk_port *port = find_port(app, conn, req, &rc);
    if (port == NULL || !may_write(app, conn, req, port, 1, &rc)) {
        return rc;
    }
    return sk_request_text(conn, MHD_HTTP_OK, "you have control\n");
}

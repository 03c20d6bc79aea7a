/*
 * request: one HTTP request as the routes see it, and the ways to answer it.
 *
 * http.c makes a struct sk_request when a request arrives and frees it when
 * libmicrohttpd reports it finished; in between the admission checks
 * (http/admit.h) fill in who is asking, the body is collected, and one
 * route answers through the helpers below. Every answer carries the common
 * headers (no sniffing, no framing, no referrer). Confined to the
 * connection's thread.
 */
#ifndef SK_REQUEST_H
#define SK_REQUEST_H

#include <microhttpd.h>
#include <stddef.h>
#include <time.h>

#include "base/util.h"
#include "policy/auth.h"
#include "policy/roster.h"

struct sk_http_route;

/*
 * MHD closes a connection that neither sent nor received for this long, and
 * the streamer a stream whose client stopped reading. A stream sends at
 * least one part a second (see SK_STREAMER_REPEAT_MS), so only a stream
 * whose client stopped reading is cut, which is what we want (a serial
 * stream lifts it while it waits for a quiet port: http/serialapi.c).
 */
#ifndef SK_HTTP_IDLE_TIMEOUT_S
#define SK_HTTP_IDLE_TIMEOUT_S 15u
#endif

struct sk_request {
    int admitted;
    char identity[SK_AUTH_IDENTITY_LEN]; /* who is asking: a key, "password:USER", "loopback" */
    int role;                            /* enum sk_role of that identity */
    int member;                          /* its roster id (0 without a roster) */
    char addr[SK_ROSTER_ADDR_LEN];       /* the client's address, set once per request */
    int retry_after_s;                   /* > 0: its password may not be tried yet (429) */
    const struct sk_http_route *route;   /* http.c's, NULL for a page file or nothing */
    const char *url;                     /* the request's path (MHD's, valid for the request) */
    struct sk_buf body;
    int body_too_big;
    int is_head;     /* a HEAD request: MHD leaves the body out */
    int handed_over; /* a stream whose socket went to the streamer: MHD's part is over */
    void *upload;    /* a body streamed to its route (ROUTE_UPLOAD), not collected */
    void (*upload_drop)(void *upload); /* drops it when the request ends before the answer */
};

/* One header line of an answer. */
struct sk_request_field {
    const char *name;
    const char *value;
};

/* Add the headers every answer carries to resp, then n more fields. */
void sk_request_headers(struct MHD_Response *resp, const struct sk_request_field *fields, size_t n);
/*
 * The head of a 200 answer that ends by closing the connection, byte for
 * byte as MHD writes it (status line, Date of now, "Connection: close",
 * the common headers, the n fields, the blank line), appended to out: for
 * an answer written on a socket taken from MHD.
 */
void sk_request_raw_head(struct sk_buf *out, const struct sk_request_field *fields, size_t n,
                         time_t now);
/*
 * Queue resp (built by the caller) with the common headers, Content-Type
 * type and no caching, and drop the caller's hold on it. MHD's result.
 */
enum MHD_Result sk_request_queue(struct MHD_Connection *conn, unsigned status,
                                 struct MHD_Response *resp, const char *type);
/* A response of text that outlives it (a literal), not yet queued; NULL when out of memory. */
struct MHD_Response *sk_request_literal(const char *text);
/* Answer with text that outlives the response (a literal), as text/plain. */
enum MHD_Result sk_request_text(struct MHD_Connection *conn, unsigned status, const char *text);
/* Answer with a copy of len bytes of text, as type. */
enum MHD_Result sk_request_copy(struct MHD_Connection *conn, unsigned status, const char *text,
                                size_t len, const char *type);
/* 405, naming the methods allowed ("GET, HEAD"). */
enum MHD_Result sk_request_not_allowed(struct MHD_Connection *conn, const char *allow);

/* Is the client's address a loopback one (127/8, ::1, v4-mapped 127/8)? 1 or 0. */
int sk_request_client_is_loopback(struct MHD_Connection *conn);
/* The client's IP address as text into out ("?" when unknown). */
void sk_request_client_address(struct MHD_Connection *conn, char *out, size_t len);
/* The connection's socket, or -1. */
int sk_request_fd(struct MHD_Connection *conn);

#endif

/*
 * serialapi: the web page's serial terminal, /api/serial (see serialapi.c).
 */
#ifndef SK_SERIALAPI_H
#define SK_SERIALAPI_H

#include <microhttpd.h>
#include <stddef.h>

#include "http/request.h"

struct sk_app;

/* The most bytes one POST /api/serial/NAME/write may carry (the page sends more in turns). */
#define SK_SERIALAPI_MAX_WRITE 4096
/* Streams at once: each holds a connection thread of libmicrohttpd's while it lasts. */
#define SK_SERIALAPI_MAX_VIEWERS 32

/*
 * Pure: the port's name in a request path "/api/serial/NAME/..." copied to
 * name (len bytes at most, NUL included). 0, or -1 when the path names no
 * port or the name does not fit.
 */
int sk_serialapi_port_name(const char *url, char *name, size_t len);

/*
 * The endpoints. app is borrowed; each queues its answer and returns MHD's
 * result. GET /api/serial: the caller's role, who else holds control (or
 * null), and the ports, as JSON.
 * GET /api/serial/NAME/stream[?rows=R&cols=C]: the port's last screenful,
 * then its output as it comes, bytes exact, until the client goes.
 * POST /api/serial/NAME/write: the body's bytes to the port, exact.
 * POST /api/serial/NAME/break: a break on the port.
 * Writing and breaks need control as keys do (403 view-only, 409 held).
 */
enum MHD_Result sk_serialapi_list(struct sk_app *app, struct MHD_Connection *conn,
                                  struct sk_request *req);
enum MHD_Result sk_serialapi_stream(struct sk_app *app, struct MHD_Connection *conn,
                                    struct sk_request *req);
enum MHD_Result sk_serialapi_write(struct sk_app *app, struct MHD_Connection *conn,
                                   struct sk_request *req);
enum MHD_Result sk_serialapi_break(struct sk_app *app, struct MHD_Connection *conn,
                                   struct sk_request *req);
/* POST /api/serial/NAME/take: take control of the port from its holder (audited). */
enum MHD_Result sk_serialapi_take(struct sk_app *app, struct MHD_Connection *conn,
                                  struct sk_request *req);

#endif

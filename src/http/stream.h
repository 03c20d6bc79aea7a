/*
 * stream: the answer to GET /stream, handed from libmicrohttpd to the
 * streamer (http/streamer.h), which writes every part of it.
 *
 * On plain TCP the connection's socket is taken from MHD at once, so the
 * viewer costs no thread; over TLS, MHD's connection thread relays what the
 * streamer writes through its TLS session.
 */
#ifndef SK_STREAM_H
#define SK_STREAM_H

#include <microhttpd.h>

#include "http/request.h"

struct sk_app;
struct sk_streamer;

/*
 * Answer an admitted stream request: hand it to st (borrowed, open), or
 * 503 when st serves as many streams as it may. tls: MHD holds a TLS
 * session on the connection. app's http_clients counts the stream while
 * it lasts. Returns MHD's result; req->handed_over is set when the socket
 * went to the streamer.
 */
enum MHD_Result sk_stream_serve(struct sk_app *app, struct sk_streamer *st, int tls,
                                struct MHD_Connection *conn, struct sk_request *req);

#endif

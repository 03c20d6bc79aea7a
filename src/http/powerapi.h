/*
 * powerapi: POST /api/power, the web page's power buttons (see powerapi.c).
 */
#ifndef SK_POWERAPI_H
#define SK_POWERAPI_H

#include <microhttpd.h>

#include "http/request.h"

struct sk_app;

/* Body: on | off | off --force | reset | cycle | wake. app is borrowed; queues the answer. */
enum MHD_Result sk_powerapi_post(struct sk_app *app, struct MHD_Connection *conn,
                                 struct sk_request *req);

#endif

/*
 * mediaapi: the page's boot media, /api/media (see mediaapi.c).
 */
#ifndef SK_MEDIAAPI_H
#define SK_MEDIAAPI_H

#include <microhttpd.h>
#include <stddef.h>

#include "http/request.h"

struct sk_app;

/* GET /api/media: `media list --json`, for every role. app is borrowed; queues the answer. */
enum MHD_Result sk_mediaapi_list(struct sk_app *app, struct MHD_Connection *conn,
                                 struct sk_request *req);
/* POST /api/media?op=insert&name=N[&mode=cdrom|disk][&rw=1], ?op=eject, ?op=rm&name=N. */
enum MHD_Result sk_mediaapi_post(struct sk_app *app, struct MHD_Connection *conn,
                                 struct sk_request *req);

/*
 * POST /api/media/upload?name=N, the image as the raw body, streamed into the
 * store. begin runs once the request is admitted, before any of the body:
 * 1 to go on, 0 with the refusal queued in *rc. data takes each piece of
 * the body; upload (the route's act) answers once it has all arrived. A
 * request that ends before that (the client gone) leaves nothing: http.c
 * calls req->upload_drop.
 */
int sk_mediaapi_upload_begin(struct sk_app *app, struct MHD_Connection *conn,
                             struct sk_request *req, enum MHD_Result *rc);
void sk_mediaapi_upload_data(struct sk_request *req, const char *data, size_t len);
enum MHD_Result sk_mediaapi_upload(struct sk_app *app, struct MHD_Connection *conn,
                                   struct sk_request *req);

#endif

/*
 * pages: the GET answers sent whole: the page's files from web_dir, the
 * newest frame as one JPEG (/snapshot), and the status JSON (/status).
 */
#ifndef SK_PAGES_H
#define SK_PAGES_H

#include <microhttpd.h>

#include "http/request.h"

struct sk_app;

/*
 * Answer with the page file at url ("/", "/app.js", ...) read from web_dir,
 * or 404 when url (NULL: none) is not on the allow-list or the file cannot
 * be read.
 */
enum MHD_Result sk_pages_file(const char *web_dir, struct MHD_Connection *conn, const char *url);
/* The newest frame as image/jpeg with its X-Timestamp; 503 when there is none. */
enum MHD_Result sk_pages_snapshot(struct sk_app *app, struct MHD_Connection *conn,
                                  struct sk_request *req);
/* One line of JSON: sk_app_status_json. */
enum MHD_Result sk_pages_status(struct sk_app *app, struct MHD_Connection *conn,
                                struct sk_request *req);

#endif

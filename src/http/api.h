/*
 * api: the page's control endpoints, POST /api/keys, /api/mouse,
 * /api/release, /api/paste and /api/control.
 *
 * Each takes a request that passed the admission checks (http/admit.h),
 * with its body collected: the keys and mouse bodies are parsed by
 * http/control.h, a paste is typed by the `paste` command through the
 * target's keymap. Input goes through the one input check (sk_app_input):
 * 403 for a view-only login, 409 naming the holder while another session
 * has control.
 */
#ifndef SK_API_H
#define SK_API_H

#include <microhttpd.h>

#include "http/request.h"

struct sk_app;

/* Request bodies: a paste may be long, everything else is a few lines. */
#define SK_API_MAX_BODY 4096
#define SK_API_MAX_PASTE (1024 * 1024)

/* The endpoints. app is borrowed; each queues its answer and returns MHD's result. */
enum MHD_Result sk_api_keys(struct sk_app *app, struct MHD_Connection *conn,
                            struct sk_request *req);
enum MHD_Result sk_api_mouse(struct sk_app *app, struct MHD_Connection *conn,
                             struct sk_request *req);
enum MHD_Result sk_api_release(struct sk_app *app, struct MHD_Connection *conn,
                               struct sk_request *req);
enum MHD_Result sk_api_paste(struct sk_app *app, struct MHD_Connection *conn,
                             struct sk_request *req);
/* Body "take": take control from whoever holds it (exclusive mode). */
enum MHD_Result sk_api_control(struct sk_app *app, struct MHD_Connection *conn,
                               struct sk_request *req);

/*
 * The io of a command run for a web request: out and err both append to
 * *out (up to a bound), as the request's identity, address and role.
 */
struct sk_cmd_io;
struct sk_buf;
struct sk_cmd_io sk_api_cmd_io(const struct sk_request *req, struct sk_buf *out);

/*
 * Answer an access check's refusal r (SK_ROSTER_VIEW_ONLY: 403, else 409)
 * with its message msg (of msglen bytes of room), held_hint added when
 * another session holds control.
 */
enum MHD_Result sk_api_refused(struct MHD_Connection *conn, int r, char *msg, size_t msglen,
                               const char *held_hint);

/*
 * Refuse a view-only login's request to type (what: "paste", for the audit
 * log) before its body is read: 403 with the reason, audited as every
 * refusal is.
 */
enum MHD_Result sk_api_refuse_view_only(struct sk_app *app, struct MHD_Connection *conn,
                                        struct sk_request *req, const char *what);

#endif

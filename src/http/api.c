/*
 * api: the page's keyboard, mouse, paste and control requests, applied.
 *
 * Owns nothing: the request body arrives whole (http.c collects it, bounded
 * by SK_API_MAX_*), is parsed by http/control.c, checked against the
 * caller's role and who holds control (sk_app_input), and handed to the HID
 * (which owns the keyboard state) or, for a paste, to the `paste` command
 * with the body as its input. The answer is plain text: "ok", or why not.
 */
#include "http/api.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "hid/hid.h"
#include "http/control.h"
#include "policy/access.h"
#include "policy/roster.h"

static enum MHD_Result hid_result(struct MHD_Connection *conn, int rc)
{
    if (rc == 0) {
        return sk_request_text(conn, MHD_HTTP_OK, "ok\n");
    }
    if (rc == SK_E_BUSY) {
        return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "keyboard busy (six keys held, or the queue is full)\n");
    }
    return sk_request_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the target is not reading keys\n");
}

/* A message of our own (a parser's complaint, a refusal) as text/plain. */
static enum MHD_Result message(struct MHD_Connection *conn, unsigned status, const char *text)
{
    return sk_request_copy(conn, status, text, strlen(text), "text/plain; charset=utf-8");
}

/*
 * May this request send input (what: "keys", "serial", ... for the audit
 * log; take: take control from its holder)? 1 yes; 0 with the answer
 * queued in *rc: 403 for a view-only identity, 409 naming the holder while
 * another session holds control.
 */
static int control_allowed(struct sk_app *app, struct MHD_Connection *conn, struct sk_request *req,
                           const char *what, int take, enum MHD_Result *rc)
{
    char msg[SK_ROSTER_NAME_LEN + 96];
    const struct sk_identity who = {req->member, req->role, req->identity, req->addr};
    int r = sk_app_input(app, &who, what, take, msg, sizeof(msg));
    if (r == 0) {
        return 1;
    }
    *rc = sk_api_refused(conn, r, msg, sizeof(msg), " (take control to type)");
    return 0;
}

enum MHD_Result sk_api_refused(struct MHD_Connection *conn, int r, char *msg, size_t msglen,
                               const char *held_hint)
{
    size_t len = strlen(msg);
    snprintf(msg + len, msglen - len, "%s\n", r == SK_ROSTER_HELD ? held_hint : "");
    return message(conn, r == SK_ROSTER_VIEW_ONLY ? MHD_HTTP_FORBIDDEN : MHD_HTTP_CONFLICT, msg);
}

/*
 * Apply parsed key events to the HID. Returns 0, or the first SK_E_* error
 * (later events are still applied, so every release goes out).
 */
static int apply_keys(struct sk_hid *hid, const struct sk_control_key *keys, size_t n)
{
    int first = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = keys[i].down ? sk_hid_key_down(hid, keys[i].usage, 0)
                              : sk_hid_key_up(hid, keys[i].usage, 0);
        if (rc != 0 && first == 0) {
            first = rc;
        }
    }
    return first;
}

enum MHD_Result sk_api_keys(struct sk_app *app, struct MHD_Connection *conn, struct sk_request *req)
{
    struct sk_control_key keys[SK_CONTROL_MAX_KEYS];
    char err[160], msg[200];
    int n = sk_control_parse_keys(req->body.data, req->body.len, keys, err, sizeof(err));
    if (n < 0) {
        snprintf(msg, sizeof(msg), "%s\n", err);
        return message(conn, MHD_HTTP_BAD_REQUEST, msg);
    }
    /*
     * Releases alone are allowed to a control role that lost control: a key
     * this page pressed must be able to come up. A view-only page never
     * pressed one, and hears "no" to everything, so its message stays.
     */
    int presses = req->role == SK_ROLE_VIEW;
    for (int i = 0; i < n; i++) {
        presses |= keys[i].down;
    }
    enum MHD_Result rc;
    if (presses && !control_allowed(app, conn, req, "keys", 0, &rc)) {
        return rc;
    }
    return hid_result(conn, apply_keys(app->hid, keys, (size_t)n));
}

enum MHD_Result sk_api_mouse(struct sk_app *app, struct MHD_Connection *conn,
                             struct sk_request *req)
{
    uint16_t x, y;
    uint8_t buttons;
    int8_t wheel;
    char err[160], msg[200];
    if (sk_control_parse_mouse(req->body.data, req->body.len, &x, &y, &buttons, &wheel, err,
                               sizeof(err)) != 0) {
        snprintf(msg, sizeof(msg), "%s\n", err);
        return message(conn, MHD_HTTP_BAD_REQUEST, msg);
    }
    enum MHD_Result rc;
    if (!control_allowed(app, conn, req, "mouse", 0, &rc)) {
        return rc;
    }
    return hid_result(conn, sk_hid_mouse(app->hid, x, y, buttons, wheel));
}

enum MHD_Result sk_api_release(struct sk_app *app, struct MHD_Connection *conn,
                               struct sk_request *req)
{
    enum MHD_Result refused;
    if (!control_allowed(app, conn, req, "release", 0, &refused)) {
        return refused;
    }
    struct sk_hid_status st;
    sk_hid_status(app->hid, &st);
    int rc = sk_hid_release_all(app->hid);
    if (st.buttons != 0) {
        /* Let go of the mouse buttons too, where the pointer is. */
        sk_hid_mouse(app->hid, st.mouse_x, st.mouse_y, 0, 0);
    }
    return hid_result(conn, rc);
}

/* The paste body, read by the `paste` command as its standard input. */
struct paste_io {
    const struct sk_buf *body;
    size_t pos;
    struct sk_buf out;
};

static int paste_out(void *ctx, const void *data, size_t len)
{
    struct paste_io *p = ctx;
    if (p->out.len < 4096) {
        sk_buf_append(&p->out, data, len);
    }
    return 0;
}

static long paste_in(void *ctx, void *buf, size_t len)
{
    struct paste_io *p = ctx;
    size_t n = SK_MIN(len, p->body->len - p->pos);
    memcpy(buf, p->body->data + p->pos, n);
    p->pos += n;
    return (long)n;
}

enum MHD_Result sk_api_paste(struct sk_app *app, struct MHD_Connection *conn,
                             struct sk_request *req)
{
    /* The same path as `ssh kvm@host paste`: the target's keymap, confirmed delivery. */
    enum MHD_Result refused;
    if (!control_allowed(app, conn, req, "paste", 0, &refused)) {
        return refused;
    }
    struct paste_io p = {.body = &req->body};
    struct sk_cmd_io io = {.ctx = &p,
                           .out = paste_out,
                           .err = paste_out,
                           .in = paste_in,
                           .name = req->identity,
                           .addr = req->addr,
                           .role = req->role,
                           .member = req->member};
    int status = sk_cmd_run(app, "paste", &io);
    unsigned code = status == 0   ? MHD_HTTP_OK
                    : status == 2 ? MHD_HTTP_BAD_REQUEST
                                  : MHD_HTTP_UNPROCESSABLE_CONTENT;
    if (status == 0) {
        sk_buf_puts(&p.out, "ok\n");
    }
    enum MHD_Result rc =
        sk_request_copy(conn, code, p.out.data, p.out.len, "text/plain; charset=utf-8");
    sk_buf_free(&p.out);
    return rc;
}

enum MHD_Result sk_api_control(struct sk_app *app, struct MHD_Connection *conn,
                               struct sk_request *req)
{
    if (strcmp(req->body.data, "take") != 0 && strcmp(req->body.data, "take\n") != 0) {
        return sk_request_text(conn, MHD_HTTP_BAD_REQUEST, "expected 'take'\n");
    }
    enum MHD_Result refused;
    if (!control_allowed(app, conn, req, "take", 1, &refused)) {
        return refused;
    }
    return sk_request_text(conn, MHD_HTTP_OK, "you have control\n");
}

static int collect(void *ctx, const void *data, size_t len)
{
    struct sk_buf *b = ctx;
    if (b->len < (1u << 20)) {
        sk_buf_append(b, data, len);
    }
    return 0;
}

struct sk_cmd_io sk_api_cmd_io(const struct sk_request *req, struct sk_buf *out)
{
    return (struct sk_cmd_io){.ctx = out,
                              .out = collect,
                              .err = collect,
                              .name = req->identity,
                              .addr = req->addr,
                              .role = req->role,
                              .member = req->member};
}

enum MHD_Result sk_api_refuse_view_only(struct sk_app *app, struct MHD_Connection *conn,
                                        struct sk_request *req, const char *what)
{
    enum MHD_Result rc = MHD_NO;
    if (control_allowed(app, conn, req, what, 0, &rc)) {
        /* Not view-only after all (the caller asks only for view-only logins). */
        return sk_request_text(conn, MHD_HTTP_FORBIDDEN, "refused\n");
    }
    return rc;
}

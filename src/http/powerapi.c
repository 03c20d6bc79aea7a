/*
 * powerapi: the page's power buttons, POST /api/power.
 *
 * The body names one action: on, off, off --force, reset, cycle or wake.
 * It runs as the `power` command does over ssh (the same control check,
 * press sequencer and audit line), with the web login's identity; a
 * view-only login is refused (403) before anything runs. The answer is the
 * command's own line: 200 done, 400 not an action, 409 refused or failed.
 */
#include "http/powerapi.h"

#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "http/api.h"
#include "policy/roster.h"

/* What the page may ask for, and the command line each runs. */
static const struct {
    const char *body;
    const char *line;
} actions[] = {
    {"on", "power on"},       {"off", "power off"},     {"off --force", "power off --force"},
    {"reset", "power reset"}, {"cycle", "power cycle"}, {"wake", "power wake"},
};

enum MHD_Result sk_powerapi_post(struct sk_app *app, struct MHD_Connection *conn,
                                 struct sk_request *req)
{
    const char *line = NULL;
    size_t blen = strcspn(req->body.data, "\r\n");
    for (size_t i = 0; i < SK_ARRAY_LEN(actions) && line == NULL; i++) {
        if (strlen(actions[i].body) == blen &&
            strncmp(req->body.data, actions[i].body, blen) == 0) {
            line = actions[i].line;
        }
    }
    if (line == NULL) {
        return sk_request_text(conn, MHD_HTTP_BAD_REQUEST,
                               "expected on, off, off --force, reset, cycle or wake\n");
    }
    if (req->role == SK_ROLE_VIEW) {
        return sk_api_refuse_view_only(app, conn, req, "power");
    }
    struct sk_buf out = {0};
    const struct sk_cmd_io io = sk_api_cmd_io(req, &out);
    int status = sk_cmd_run(app, line, &io);
    enum MHD_Result rc =
        sk_request_copy(conn, status == 0 ? MHD_HTTP_OK : MHD_HTTP_CONFLICT,
                        out.data ? out.data : "", out.len, "text/plain; charset=utf-8");
    sk_buf_free(&out);
    return rc;
}

/*
 * access: check a session's role, ask the roster for control, and when
 * control changes hands release every key before the new holder types.
 * Every refusal and every change of holder goes to the audit log.
 */
#include "access.h"

#include "app.h"
#include "audit.h"
#include "hid/hid.h"
#include "roster.h"
#include "util.h"

int sk_access_input(struct sk_app *app, int member, int role, const char *name, const char *addr,
                    const char *what, int take, char *msg, size_t msglen)
{
    char holder[SK_ROSTER_NAME_LEN] = "";
    int rc = role == SK_ROLE_VIEW ? SK_ROSTER_VIEW_ONLY : 0;
    if (rc == 0 && app->roster != NULL) {
        rc = sk_roster_acquire(app->roster, member, take, holder, sizeof(holder));
    }
    if (rc == SK_ROSTER_VIEW_ONLY) {
        sk_set_err(msg, msglen, "view-only key: %s may watch but not send keys or clicks",
                   name ? name : "this session");
        sk_audit(app->audit, "refused", name, addr, "what=%s reason=view-only", what);
    } else if (rc == SK_ROSTER_HELD) {
        sk_set_err(msg, msglen, "%s has control; nothing sent", holder);
        sk_audit(app->audit, "refused", name, addr, "what=%s reason=held holder=\"%s\"", what,
                 holder);
    } else if (rc == SK_ROSTER_TAKEN) {
        /* Whatever the old holder had down must not stay down under the new one. */
        sk_hid_release_all(app->hid);
        sk_audit(app->audit, "control", name, addr, "action=taken from=\"%s\"", holder);
        rc = 0;
    } else if (rc == SK_ROSTER_GOT) {
        sk_audit(app->audit, "control", name, addr, "action=acquired");
        rc = 0;
    }
    return rc;
}

/*
 * access: check a session's role, ask the roster for control, and when
 * control changes hands release every key before the new holder types.
 * Every refusal and every change of holder goes to the audit log. A serial
 * port's writer is checked the same way, port by port (sk_access_port).
 */
#include "policy/access.h"

#include <stdio.h>

#include "policy/audit.h"
#include "hid/hid.h"
#include "policy/roster.h"
#include "base/util.h"

/*
 * The check behind both: the role, then control in the roster, of the video console (port NULL;
 * what names what would be sent) or of serial port `port` (what is "serial"). The audit lines
 * of a port carry port=NAME; only the video console's control releases held keys.
 */
static int check(const struct sk_access *acc, const struct sk_identity *who, const char *what,
                 const char *port, int take, char *msg, size_t msglen)
{
    const char *name = who->name;
    const char *addr = who->addr;
    char holder[SK_ROSTER_NAME_LEN] = "";
    int rc = who->role == SK_ROLE_VIEW ? SK_ROSTER_VIEW_ONLY : 0;
    if (rc == 0 && acc->roster != NULL) {
        rc = port == NULL
                 ? sk_roster_acquire(acc->roster, who->member, take, holder, sizeof(holder))
                 : sk_roster_acquire_port(acc->roster, who->member, port, take, holder,
                                          sizeof(holder));
    }
    if (rc == 0) {
        return 0; /* granted, nothing changed hands: nothing to audit */
    }
    /* "port=NAME " before what the audit line says of a port, nothing for the video console. */
    char qp[2 * SK_ROSTER_PORT_LEN];
    char scope[sizeof(qp) + 8] = "";
    if (port != NULL) {
        snprintf(scope, sizeof(scope), "port=%s ", sk_audit_quote(port, qp, sizeof(qp)));
    }
    char q[2 * SK_ROSTER_NAME_LEN];
    if (rc == SK_ROSTER_VIEW_ONLY) {
        if (port == NULL) {
            sk_set_err(msg, msglen, "view-only key: %s may watch but not send keys or clicks",
                       name ? name : "this session");
        } else {
            sk_set_err(msg, msglen, "view-only key: %s may watch %s but not write to it",
                       name ? name : "this session", port);
        }
        sk_audit(acc->audit, "refused", name, addr, "what=%s %sreason=view-only", what, scope);
    } else if (rc == SK_ROSTER_HELD) {
        if (port == NULL) {
            sk_set_err(msg, msglen, "%s has control; nothing sent", holder);
        } else {
            sk_set_err(msg, msglen, "%s has control of %s; nothing sent", holder, port);
        }
        sk_audit(acc->audit, "refused", name, addr, "what=%s %sreason=held holder=%s", what, scope,
                 sk_audit_quote(holder, q, sizeof(q)));
    } else if (rc == SK_ROSTER_TAKEN) {
        /* Whatever the old holder had down must not stay down under the new one. A port has
         * no keys held down: its new writer simply writes. */
        if (port == NULL) {
            sk_hid_release_all(acc->hid);
        }
        sk_audit(acc->audit, "control", name, addr, "%saction=taken from=%s", scope,
                 sk_audit_quote(holder, q, sizeof(q)));
        rc = 0;
    } else if (rc == SK_ROSTER_GOT) {
        sk_audit(acc->audit, "control", name, addr, "%saction=acquired", scope);
        rc = 0;
    }
    return rc;
}

int sk_access_input(const struct sk_access *acc, const struct sk_identity *who, const char *what,
                    int take, char *msg, size_t msglen)
{
    return check(acc, who, what, NULL, take, msg, msglen);
}

int sk_access_port(const struct sk_access *acc, const struct sk_identity *who, const char *port,
                   int take, char *msg, size_t msglen)
{
    return check(acc, who, "serial", port, take, msg, msglen);
}

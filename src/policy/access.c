/*
 * access: check a session's role, ask the roster for control, and when
 * control changes hands release every key before the new holder types.
 * Every refusal and every change of holder goes to the audit log. A serial
 * port's writer is checked the same way, port by port (sk_access_port).
 */
#include "policy/access.h"

#include "policy/audit.h"
#include "hid/hid.h"
#include "policy/roster.h"
#include "base/util.h"

int sk_access_input(const struct sk_access *acc, const struct sk_identity *who, const char *what,
                    int take, char *msg, size_t msglen)
{
    const char *name = who->name;
    const char *addr = who->addr;
    char holder[SK_ROSTER_NAME_LEN] = "";
    int rc = who->role == SK_ROLE_VIEW ? SK_ROSTER_VIEW_ONLY : 0;
    if (rc == 0 && acc->roster != NULL) {
        rc = sk_roster_acquire(acc->roster, who->member, take, holder, sizeof(holder));
    }
    if (rc == SK_ROSTER_VIEW_ONLY) {
        sk_set_err(msg, msglen, "view-only key: %s may watch but not send keys or clicks",
                   name ? name : "this session");
        sk_audit(acc->audit, "refused", name, addr, "what=%s reason=view-only", what);
    } else if (rc == SK_ROSTER_HELD) {
        sk_set_err(msg, msglen, "%s has control; nothing sent", holder);
        char q[2 * SK_ROSTER_NAME_LEN];
        sk_audit(acc->audit, "refused", name, addr, "what=%s reason=held holder=%s", what,
                 sk_audit_quote(holder, q, sizeof(q)));
    } else if (rc == SK_ROSTER_TAKEN) {
        /* Whatever the old holder had down must not stay down under the new one. */
        sk_hid_release_all(acc->hid);
        char q[2 * SK_ROSTER_NAME_LEN];
        sk_audit(acc->audit, "control", name, addr, "action=taken from=%s",
                 sk_audit_quote(holder, q, sizeof(q)));
        rc = 0;
    } else if (rc == SK_ROSTER_GOT) {
        sk_audit(acc->audit, "control", name, addr, "action=acquired");
        rc = 0;
    }
    return rc;
}

int sk_access_port(const struct sk_access *acc, const struct sk_identity *who, const char *port,
                   int take, char *msg, size_t msglen)
{
    const char *name = who->name;
    const char *addr = who->addr;
    char holder[SK_ROSTER_NAME_LEN] = "";
    char q[2 * SK_ROSTER_NAME_LEN];
    char qp[2 * SK_ROSTER_PORT_LEN];
    sk_audit_quote(port, qp, sizeof(qp));
    int rc = who->role == SK_ROLE_VIEW ? SK_ROSTER_VIEW_ONLY : 0;
    if (rc == 0 && acc->roster != NULL) {
        rc = sk_roster_acquire_port(acc->roster, who->member, port, take, holder, sizeof(holder));
    }
    if (rc == SK_ROSTER_VIEW_ONLY) {
        sk_set_err(msg, msglen, "view-only key: %s may watch %s but not write to it",
                   name ? name : "this session", port);
        sk_audit(acc->audit, "refused", name, addr, "what=serial port=%s reason=view-only", qp);
    } else if (rc == SK_ROSTER_HELD) {
        sk_set_err(msg, msglen, "%s has control of %s; nothing sent", holder, port);
        sk_audit(acc->audit, "refused", name, addr, "what=serial port=%s reason=held holder=%s", qp,
                 sk_audit_quote(holder, q, sizeof(q)));
    } else if (rc == SK_ROSTER_TAKEN) {
        /* A port has no keys held down: the new writer simply writes. */
        sk_audit(acc->audit, "control", name, addr, "port=%s action=taken from=%s", qp,
                 sk_audit_quote(holder, q, sizeof(q)));
        rc = 0;
    } else if (rc == SK_ROSTER_GOT) {
        sk_audit(acc->audit, "control", name, addr, "port=%s action=acquired", qp);
        rc = 0;
    }
    return rc;
}

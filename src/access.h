/*
 * access: may this session send keys and clicks now?
 *
 * The one place where a role, the roster's control arbitration, the
 * keyboard and the audit log meet, shared by the console, the script
 * commands and the web page's control endpoints.
 */
#ifndef SK_ACCESS_H
#define SK_ACCESS_H

#include <stddef.h>

struct sk_app;

/*
 * May this member send keys or clicks now (what = "type", "keys", "mouse",
 * ... for the audit log)? Asks the roster (take: take control from its
 * holder); when control changes hands every key is released first and the
 * change is audited. Returns 0, or SK_ROSTER_VIEW_ONLY / SK_ROSTER_HELD
 * with a message for the person in msg (the refusal is audited). Without a
 * roster only the role counts.
 */
int sk_access_input(struct sk_app *app, int member, int role, const char *name, const char *addr,
                    const char *what, int take, char *msg, size_t msglen);

#endif

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

struct sk_roster;
struct sk_hid;
struct sk_audit;

/* Who asks to send input: a console, a script command or a web request. */
struct sk_identity {
    int member;       /* the roster member (sk_roster_join), or -1 */
    int role;         /* enum sk_role */
    const char *name; /* for the person's message and the audit log; NULL: "this session" */
    const char *addr; /* the peer's address, for the audit log */
};

/* What the check consults, all borrowed. roster NULL: only the role counts. */
struct sk_access {
    struct sk_roster *roster;
    struct sk_hid *hid;     /* every key is released here when control changes hands */
    struct sk_audit *audit; /* NULL: nothing audited */
};

/*
 * May who send keys or clicks now (what = "type", "keys", "mouse",
 * ... for the audit log)? Asks the roster (take: take control from its
 * holder); when control changes hands every key is released first and the
 * change is audited. Returns 0, or SK_ROSTER_VIEW_ONLY / SK_ROSTER_HELD
 * with a message for the person in msg (the refusal is audited). Without a
 * roster only the role counts.
 */
int sk_access_input(const struct sk_access *acc, const struct sk_identity *who, const char *what,
                    int take, char *msg, size_t msglen);

/*
 * May who write to serial port `port` (its name) now: keys, a break, a
 * speed, a pipe's bytes? The same check for every client of a port (the
 * terminal, `serial --send/--break`, the pipe, the web page's terminal):
 * the role, then the port's own writer in the roster (take: take that
 * port from its holder; the video console's control and other ports are
 * untouched, and no key is released). Refusals and changes of a port's
 * writer are audited with port=NAME. port must name a configured port
 * (look it up first: the roster keeps an entry for every name asked for).
 * Returns 0, or SK_ROSTER_VIEW_ONLY / SK_ROSTER_HELD with a message for the
 * person in msg.
 */
int sk_access_port(const struct sk_access *acc, const struct sk_identity *who, const char *port,
                   int take, char *msg, size_t msglen);

#endif

/*
 * roster: who is connected, with which role, and who holds control.
 *
 * Every SSH session (console or script command) and every web client joins
 * the roster with a kind, a name (the key's comment or fingerprint,
 * "password:USER", "loopback"), a source address and a role. A view-role
 * member may watch only. Control follows conserver's model:
 *   - exclusive (the default): one writer at a time. The first control-role
 *     member to send input becomes the holder; others are refused, naming
 *     the holder, until they take control (which is immediate; the holder
 *     sees it in its status line) or the holder leaves, releases, or sends
 *     no input for idle_s seconds;
 *   - shared: every control-role member may send input; nobody holds it.
 * The roster only decides; whoever is granted control from someone else is
 * told so (SK_ROSTER_TAKEN) and must release the keys the old holder left
 * down. Each serial port has a writer of its own on the same rules
 * (sk_roster_acquire_port), so typing on a port blocks neither the
 * keyboard nor another port. Thread-safe: SSH session threads and HTTP
 * threads share it.
 */
#ifndef SK_ROSTER_H
#define SK_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "serial/serialspec.h"

struct sk_buf;

/* Zero is control, so that zeroed options keep today's behaviour. */
enum sk_role {
    SK_ROLE_CONTROL = 0, /* may watch and send keys and clicks */
    SK_ROLE_VIEW = 1,    /* may watch and take snapshots only */
};

enum sk_control_mode {
    SK_CONTROL_EXCLUSIVE = 0,
    SK_CONTROL_SHARED = 1,
};

/* "view" or "control". */
const char *sk_role_name(enum sk_role role);
/* Parse "view" or "control": 0, or -1. */
int sk_role_parse(const char *s, enum sk_role *out);

#define SK_ROSTER_NAME_LEN 160
#define SK_ROSTER_ADDR_LEN 64
#define SK_ROSTER_PORT_LEN SK_SERIAL_NAME_MAX /* a serial port's name, its NUL included */

struct sk_roster_opts {
    enum sk_control_mode mode;
    int idle_s;              /* a holder without input this long loses control; 0: 300, <0: never */
    int web_idle_s;          /* a web member without requests this long has left; 0: 15 */
    int64_t (*now_ms)(void); /* the clock, for tests; NULL: sk_now_ms */
};

struct sk_roster;

struct sk_roster *sk_roster_new(const struct sk_roster_opts *opts);
void sk_roster_free(struct sk_roster *r);

/*
 * Add a member ("ssh" for a console, "command" for a script, "web"); the
 * strings are copied. Returns its id (> 0).
 */
int sk_roster_join(struct sk_roster *r, const char *kind, const char *name, const char *addr,
                   enum sk_role role);
/* Remove a member; control it held is free again. Unknown ids are ignored. */
void sk_roster_leave(struct sk_roster *r, int id);

/*
 * The web member for (name, addr), joined on its first request and kept
 * while it keeps asking (the page polls status every second); left after
 * web_idle_s without a request. Returns its id; *joined (may be NULL) is
 * 1 when it joined just now.
 */
int sk_roster_web(struct sk_roster *r, const char *name, const char *addr, enum sk_role role,
                  int *joined);

#define SK_ROSTER_TAKEN 1         /* granted, and control changed hands: release held keys */
#define SK_ROSTER_GOT 2           /* granted, and nobody held control before */
#define SK_ROSTER_VIEW_ONLY (-10) /* the member has the view role */
#define SK_ROSTER_HELD (-11)      /* another member holds control (its name copied) */

/*
 * Member id wants to send input now. take: take control from a holder.
 * Returns 0 (granted: already the holder, or the mode is shared),
 * SK_ROSTER_GOT, SK_ROSTER_TAKEN (the old holder named in holder), or
 * SK_ROSTER_VIEW_ONLY / SK_ROSTER_HELD (holder named in holder). Granting
 * counts as input for the idle timer.
 */
int sk_roster_acquire(struct sk_roster *r, int id, int take, char *holder, size_t holderlen);

/*
 * The same for writing to serial port `port` (its name): one writer per
 * port, each port's holder apart from the video console's control and from
 * the other ports', on the same rules (exclusive or shared mode, take, the
 * idle time-out, view-only never). The old holder of a port is not told
 * (sk_roster_lost is the video control's); its next write is refused.
 */
int sk_roster_acquire_port(struct sk_roster *r, int id, const char *port, int take, char *holder,
                           size_t holderlen);
/* Who writes to port now, as sk_roster_holder answers for the video control. */
int sk_roster_port_holder(struct sk_roster *r, int id, const char *port, char *name,
                          size_t namelen);

/* Give control up if id holds it. */
void sk_roster_release(struct sk_roster *r, int id);

/*
 * Who holds control now: 1 when id does, 0 when another member does (its
 * name copied to name), -1 when nobody does (or the mode is shared).
 */
int sk_roster_holder(struct sk_roster *r, int id, char *name, size_t namelen);
/*
 * Did member id lose control since it last asked? 1 taken (the taker's
 * name copied to by), 2 lost to the idle time-out, 0 neither. Asking
 * clears it.
 */
int sk_roster_lost(struct sk_roster *r, int id, char *by, size_t bylen);
/* Members now. */
int sk_roster_count(struct sk_roster *r);
enum sk_control_mode sk_roster_mode(const struct sk_roster *r);

/*
 * Append {"mode":..,"holder":NAME|null,"ports":{PORT:NAME,...},"sessions":[{"id":N,"kind":..,
 * "name":..,"addr":..,"role":..,"since":UNIX_SECONDS,"control":bool,"ports":[PORT,..]},...]}
 * to out: "holder" and "control" are the video console's control, "ports" the serial ports'
 * writers (held ports only).
 */
void sk_roster_json(struct sk_roster *r, struct sk_buf *out);
/*
 * Append one line per member ("kind name from addr, role, since HH:MM:SS[, has control][,
 * writes PORT, PORT]").
 */
void sk_roster_text(struct sk_roster *r, struct sk_buf *out, const char *eol);

#endif

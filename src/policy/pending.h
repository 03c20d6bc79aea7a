/*
 * pending: connections that have not proven themselves yet, bounded.
 *
 * An SSH connection before it authenticates, an HTTP connection with no
 * request in flight: each costs a thread and a socket while doing nothing
 * useful. The servers register such connections here; when one more would
 * exceed the limit, the oldest silent one is shut down (shutdown(2) on its
 * socket, so its own thread sees the end of the stream and cleans up as
 * usual) and forgotten. Silent means: here for SK_PENDING_SILENT_MS at
 * least, with nothing unread on its socket. A connection whose request has
 * arrived but that its thread has not read yet (a burst of 200 viewers on
 * two cores) is not silent and is never dropped; while no connection is
 * silent the set may hold up to twice the limit, and past that the
 * oldest goes regardless. A flood of silent connections therefore never
 * fills the servers' slots: a real client arriving in the middle of it
 * evicts the oldest silent one and is served (OpenSSH's MaxStartups).
 * Thread-safe. A connection must be removed before its owner closes the
 * socket, so a shut-down never hits a reused descriptor.
 */
#ifndef SK_PENDING_H
#define SK_PENDING_H

#include <stdint.h>

struct sk_pending;

#define SK_PENDING_SILENT_MS 500

/*
 * A set of limit (>= 1) pending connections that holds at most cap (at
 * least limit) while none is silent, as above; tag names them in the log
 * ("ssh").
 */
struct sk_pending *sk_pending_new(int limit, int cap, const char *tag);
/* The clock, for tests (default sk_now_ms). */
void sk_pending_set_clock(struct sk_pending *p, int64_t (*now_ms)(void));
void sk_pending_free(struct sk_pending *p);

/*
 * Track the connection key (any unique pointer) on socket fd. When the set
 * is full, the oldest entry is shut down and dropped first. Adding a key
 * already tracked restarts its age.
 */
void sk_pending_add(struct sk_pending *p, const void *key, int fd);
/* Stop tracking key (it proved itself, or is closing). Unknown keys are ignored. */
void sk_pending_remove(struct sk_pending *p, const void *key);
/* How many are tracked now, and how many were shut down since start. */
int sk_pending_count(struct sk_pending *p);
uint64_t sk_pending_evicted(struct sk_pending *p);

#endif

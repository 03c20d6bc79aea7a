/*
 * throttle: how fast failed logins may come, from one source and from all.
 *
 * Each source (a client address) and the whole server keep a level that
 * rises by one for every failure and drains at a steady rate (a leaky
 * bucket). A source whose level has reached its bound must wait, and so
 * must every source while the overall level has reached its own: a guesser
 * gets a few tries and then about one a second, and many guessers together
 * cannot make the server check more than a bounded number of passwords a
 * second (each check is a deliberately slow hash). Bookkeeping only, under a
 * lock; it never sleeps: the caller decides what waiting means (the web side
 * answers 429). Thread-safe.
 */
#ifndef SK_THROTTLE_H
#define SK_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

struct sk_throttle_opts {
    double source_burst; /* failures one source may make before it waits; 0: 5 */
    double source_rate;  /* failures a second a source is forgiven; 0: 1 */
    double total_burst;  /* the same for all sources together; 0: 50 */
    double total_rate;   /* 0: 20 */
    size_t
        max_sources; /* sources remembered; when full, the one drained most is forgotten; 0: 1024 */
    int64_t (*now_ms)(void); /* the clock, for tests; NULL: sk_now_ms */
};

struct sk_throttle;

struct sk_throttle *sk_throttle_new(const struct sk_throttle_opts *opts);
void sk_throttle_free(struct sk_throttle *t);

/* May source try now? 0 yes, else the milliseconds until it may (at least 1). */
int64_t sk_throttle_wait_ms(struct sk_throttle *t, const char *source);

/* Count one failure of source (copied; cut to 63 bytes). */
void sk_throttle_fail(struct sk_throttle *t, const char *source);

#endif

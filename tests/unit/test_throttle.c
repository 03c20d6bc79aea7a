/*
 * test_throttle: failed logins, per source and overall, on a test clock:
 * a source gets its burst and then one try per second; other sources are
 * not held back by it until the overall bound; forgetting when full drops
 * the drained source, never one still at its bound.
 */
#include <stdio.h>

#include "check.h"
#include "policy/throttle.h"

static int64_t clock_ms;
static int64_t test_now(void)
{
    return clock_ms;
}

static void test_per_source(void)
{
    clock_ms = 1000;
    struct sk_throttle *t = sk_throttle_new(&(struct sk_throttle_opts){.source_burst = 3,
                                                                       .source_rate = 1,
                                                                       .total_burst = 100,
                                                                       .total_rate = 100,
                                                                       .now_ms = test_now});
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.1"), 0);
        sk_throttle_fail(t, "10.0.0.1");
    }
    /* The burst is spent: a second until the next try. */
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.1"), 1000);
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.2"), 0);
    clock_ms += 400;
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.1"), 600);
    clock_ms += 600;
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.1"), 0);
    sk_throttle_fail(t, "10.0.0.1");
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.1"), 1000);
    /* Quiet long enough, the whole burst is back. */
    clock_ms += 10000;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(sk_throttle_wait_ms(t, "10.0.0.1"), 0);
        sk_throttle_fail(t, "10.0.0.1");
    }
    CHECK(sk_throttle_wait_ms(t, "10.0.0.1") > 0);
    sk_throttle_free(t);
}

static void test_overall(void)
{
    clock_ms = 0;
    struct sk_throttle *t = sk_throttle_new(&(struct sk_throttle_opts){.source_burst = 5,
                                                                       .source_rate = 1,
                                                                       .total_burst = 10,
                                                                       .total_rate = 2,
                                                                       .now_ms = test_now});
    char name[32];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "10.1.0.%d", i);
        CHECK_EQ_INT(sk_throttle_wait_ms(t, name), 0);
        sk_throttle_fail(t, name);
    }
    /* Ten sources, one failure each: everyone waits for the overall bucket (2 a second). */
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "192.168.9.9"), 500);
    clock_ms += 500;
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "192.168.9.9"), 0);
    sk_throttle_free(t);
}

static void test_forgetting(void)
{
    clock_ms = 0;
    struct sk_throttle *t = sk_throttle_new(&(struct sk_throttle_opts){.source_burst = 2,
                                                                       .source_rate = 1,
                                                                       .total_burst = 1000,
                                                                       .total_rate = 1000,
                                                                       .max_sources = 4,
                                                                       .now_ms = test_now});
    sk_throttle_fail(t, "attacker");
    sk_throttle_fail(t, "attacker");
    CHECK(sk_throttle_wait_ms(t, "attacker") > 0);
    /* Spraying new names fills the table; the attacker at its bound stays remembered. */
    char name[32];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "spray-%d", i);
        sk_throttle_fail(t, name);
    }
    CHECK(sk_throttle_wait_ms(t, "attacker") > 0);
    sk_throttle_free(t);
}

static void test_defaults(void)
{
    clock_ms = 0;
    struct sk_throttle *t = sk_throttle_new(&(struct sk_throttle_opts){.now_ms = test_now});
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(sk_throttle_wait_ms(t, "a"), 0);
        sk_throttle_fail(t, "a");
    }
    CHECK_EQ_INT(sk_throttle_wait_ms(t, "a"), 1000);
    sk_throttle_free(t);
}

int main(void)
{
    SK_RUN(test_per_source);
    SK_RUN(test_overall);
    SK_RUN(test_forgetting);
    SK_RUN(test_defaults);
    return SK_CHECK_EXIT();
}

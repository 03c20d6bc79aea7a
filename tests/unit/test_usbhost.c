/*
 * test_usbhost: the host-side decoding of boot-keyboard reports.
 */
#include "check.h"
#include "demo/usbhost.h"

struct seq {
    struct sk_usbhost host;
    struct sk_usbhost_event ev[SK_USBHOST_MAX_EVENTS];
    int n;
};

static void feed(struct seq *s, uint8_t mods, uint8_t k1, uint8_t k2, uint8_t k3, uint8_t k4,
                 uint8_t k5, uint8_t k6)
{
    const uint8_t r[8] = {mods, 0, k1, k2, k3, k4, k5, k6};
    s->n = sk_usbhost_report(&s->host, r, sizeof(r), s->ev);
}

#define CHECK_EV(s, i, t, u, m, l)                                                                 \
    do {                                                                                           \
        CHECK_EQ_INT((s)->ev[i].type, (t));                                                        \
        CHECK_EQ_INT((s)->ev[i].usage, (u));                                                       \
        CHECK_EQ_INT((s)->ev[i].mods, (m));                                                        \
        CHECK_EQ_INT((s)->ev[i].locks, (l));                                                       \
    } while (0)

static void test_press_release(void)
{
    struct seq s;
    sk_usbhost_init(&s.host);
    feed(&s, 0, 0x04, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EV(&s, 0, SK_USBHOST_PRESS, 0x04, 0, 0);
    /* The same report again is no change. */
    feed(&s, 0, 0x04, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 0);
    feed(&s, 0, 0, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EV(&s, 0, SK_USBHOST_RELEASE, 0x04, 0, 0);
}

static void test_shift_key(void)
{
    struct seq s;
    sk_usbhost_init(&s.host);
    /* Shift and 'a' in one report: the modifier comes first, the press carries it. */
    feed(&s, 0x02, 0x04, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 2);
    CHECK_EV(&s, 0, SK_USBHOST_MODS, 0, 0x02, 0);
    CHECK_EV(&s, 1, SK_USBHOST_PRESS, 0x04, 0x02, 0);
    feed(&s, 0x02, 0, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EV(&s, 0, SK_USBHOST_RELEASE, 0x04, 0x02, 0);
    feed(&s, 0, 0, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EV(&s, 0, SK_USBHOST_MODS, 0, 0, 0);
}

static void test_six_keys(void)
{
    struct seq s;
    sk_usbhost_init(&s.host);
    feed(&s, 0, 0x04, 0x05, 0x06, 0, 0, 0);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EV(&s, 0, SK_USBHOST_PRESS, 0x04, 0, 0);
    CHECK_EV(&s, 1, SK_USBHOST_PRESS, 0x05, 0, 0);
    CHECK_EV(&s, 2, SK_USBHOST_PRESS, 0x06, 0, 0);
    /* Keys may move between slots: only 0x07..0x09 are new, 0x05 left. */
    feed(&s, 0, 0x06, 0x04, 0x07, 0x08, 0x09, 0x0a);
    CHECK_EQ_INT(s.n, 5);
    CHECK_EV(&s, 0, SK_USBHOST_RELEASE, 0x05, 0, 0);
    CHECK_EV(&s, 1, SK_USBHOST_PRESS, 0x07, 0, 0);
    CHECK_EV(&s, 2, SK_USBHOST_PRESS, 0x08, 0, 0);
    CHECK_EV(&s, 3, SK_USBHOST_PRESS, 0x09, 0, 0);
    CHECK_EV(&s, 4, SK_USBHOST_PRESS, 0x0a, 0, 0);
    /* All six released, with ctrl pressed in the same report. */
    feed(&s, 0x01, 0, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 7);
    CHECK_EV(&s, 0, SK_USBHOST_MODS, 0, 0x01, 0);
    CHECK_EV(&s, 1, SK_USBHOST_RELEASE, 0x06, 0x01, 0);
    CHECK_EV(&s, 6, SK_USBHOST_RELEASE, 0x0a, 0x01, 0);
}

static void test_rollover(void)
{
    struct seq s;
    sk_usbhost_init(&s.host);
    feed(&s, 0, 0x04, 0x05, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 2);
    /* Rollover: keys stay as they were, no events for them; modifiers still count. */
    feed(&s, 0x20, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EV(&s, 0, SK_USBHOST_MODS, 0, 0x20, 0);
    CHECK_EQ_INT(s.host.keys[0], 0x04);
    CHECK_EQ_INT(s.host.keys[1], 0x05);
    /* Back to a real report: 0x05 released, 0x06 pressed, 0x04 still held. */
    feed(&s, 0x20, 0x04, 0x06, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 2);
    CHECK_EV(&s, 0, SK_USBHOST_RELEASE, 0x05, 0x20, 0);
    CHECK_EV(&s, 1, SK_USBHOST_PRESS, 0x06, 0x20, 0);
}

static void test_locks(void)
{
    struct seq s;
    sk_usbhost_init(&s.host);
    CHECK_EQ_INT(sk_usbhost_leds(&s.host), 0);
    feed(&s, 0, 0x39, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EV(&s, 0, SK_USBHOST_PRESS, 0x39, 0, 0x02);
    CHECK_EQ_INT(sk_usbhost_leds(&s.host), 0x02);
    /* Holding or releasing does not toggle again. */
    feed(&s, 0, 0x39, 0, 0, 0, 0, 0);
    feed(&s, 0, 0, 0, 0, 0, 0, 0);
    CHECK_EV(&s, 0, SK_USBHOST_RELEASE, 0x39, 0, 0x02);
    CHECK_EQ_INT(sk_usbhost_leds(&s.host), 0x02);
    feed(&s, 0, 0x53, 0x47, 0, 0, 0, 0);
    CHECK_EQ_INT(sk_usbhost_leds(&s.host), 0x07);
    CHECK_EV(&s, 0, SK_USBHOST_PRESS, 0x53, 0, 0x03);
    CHECK_EV(&s, 1, SK_USBHOST_PRESS, 0x47, 0, 0x07);
    feed(&s, 0, 0, 0, 0, 0, 0, 0);
    feed(&s, 0, 0x39, 0, 0, 0, 0, 0);
    CHECK_EQ_INT(sk_usbhost_leds(&s.host), 0x05);
}

static void test_bad_length(void)
{
    struct sk_usbhost host;
    struct sk_usbhost_event ev[SK_USBHOST_MAX_EVENTS];
    sk_usbhost_init(&host);
    const uint8_t r[9] = {0x02, 0, 0x04, 0, 0, 0, 0, 0, 0};
    CHECK_EQ_INT(sk_usbhost_report(&host, r, 9, ev), -1);
    CHECK_EQ_INT(sk_usbhost_report(&host, r, 7, ev), -1);
    CHECK_EQ_INT(host.mods, 0);
    CHECK_EQ_INT(host.keys[0], 0);
}

int main(void)
{
    SK_RUN(test_press_release);
    SK_RUN(test_shift_key);
    SK_RUN(test_six_keys);
    SK_RUN(test_rollover);
    SK_RUN(test_locks);
    SK_RUN(test_bad_length);
    return SK_CHECK_EXIT();
}

/*
 * test_power: the --power-gpio and --wol parsers, the Wake-on-LAN packet's
 * exact bytes, and the press sequencer against a fake line backend that
 * records every level set and when (one press at a time, always released,
 * active-low, cancelled and stopped presses, a chip that is missing).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "check.h"
#include "power/power.h"
#include "power/powerspec.h"

static void test_powerspec_defaults(void)
{
    struct sk_powerspec s;
    char why[256];
    CHECK_EQ_INT(sk_powerspec_parse("gpiochip0", &s, why, sizeof(why)), 0);
    CHECK_STR(s.chip, "gpiochip0");
    const unsigned want[] = {23, 27, 24, 22};
    for (int i = 0; i < SK_POWER_NLINES; i++) {
        CHECK(s.line[i].used);
        CHECK_EQ_INT(s.line[i].offset, want[i]);
        CHECK_EQ_INT(s.line[i].active_low, 0);
    }
}

static void test_powerspec_overrides(void)
{
    struct sk_powerspec s;
    char why[256];
    CHECK_EQ_INT(sk_powerspec_parse("/dev/gpiochip1,power=5:low,reset=none,led=6:high,hdd=0", &s,
                                    why, sizeof(why)),
                 0);
    CHECK_STR(s.chip, "/dev/gpiochip1");
    CHECK(s.line[SK_POWER_BUTTON].used && s.line[SK_POWER_BUTTON].offset == 5 &&
          s.line[SK_POWER_BUTTON].active_low);
    CHECK(!s.line[SK_POWER_RESET].used);
    CHECK(s.line[SK_POWER_LED].offset == 6 && !s.line[SK_POWER_LED].active_low);
    CHECK(s.line[SK_POWER_HDD].offset == 0);
}

static void expect_bad(const char *text, const char *fragment)
{
    struct sk_powerspec s;
    char why[256] = "";
    CHECK_EQ_INT(sk_powerspec_parse(text, &s, why, sizeof(why)), -1);
    if (strstr(why, fragment) == NULL) {
        fprintf(stderr, "  '%s': '%s' lacks '%s'\n", text, why, fragment);
        CHECK(0);
    }
}

static void test_powerspec_errors(void)
{
    expect_bad("", "no GPIO chip");
    expect_bad(",power=1", "no GPIO chip");
    expect_bad("power=5", "is not a GPIO chip");
    expect_bad("gpiochip0,fan=3", "unknown line 'fan'");
    expect_bad("gpiochip0,power", "is not NAME=LINE");
    expect_bad("gpiochip0,power=none", "cannot be none");
    expect_bad("gpiochip0,reset=x1", "reset: 'x1' is not a line number");
    expect_bad("gpiochip0,reset=", "is not a line number");
    expect_bad("gpiochip0,led=1024", "is not a line number");
    expect_bad("gpiochip0,led=3:lo", "'lo' is not low or high");
    expect_bad("gpiochip0,,led=3", "empty item");
    expect_bad("gpiochip0,led=3,", "empty item");
    expect_bad("gpiochip0,led=23", "power and led are both line 23");
    expect_bad("gpio chip", "space or control");
}

static void test_wolspec(void)
{
    struct sk_wolspec w;
    char why[256];
    CHECK_EQ_INT(sk_wolspec_parse("00:11:22:aA:bB:ff", &w, why, sizeof(why)), 0);
    const uint8_t mac[6] = {0x00, 0x11, 0x22, 0xaa, 0xbb, 0xff};
    CHECK_MEM(w.mac, mac, 6);
    CHECK_STR(w.addr, "255.255.255.255");
    CHECK_EQ_INT(w.port, 9);
    CHECK_EQ_INT(sk_wolspec_parse("00-11-22-aa-bb-ff,192.168.1.255", &w, why, sizeof(why)), 0);
    CHECK_MEM(w.mac, mac, 6);
    CHECK_STR(w.addr, "192.168.1.255");
    CHECK_EQ_INT(w.port, 9);
    CHECK_EQ_INT(sk_wolspec_parse("00:11:22:aa:bb:ff,127.0.0.1:40000", &w, why, sizeof(why)), 0);
    CHECK_STR(w.addr, "127.0.0.1");
    CHECK_EQ_INT(w.port, 40000);
    const char *bad[] = {"00:11:22:aa:bb",
                         "00:11:22:aa:bb:fg",
                         "00:11-22:aa:bb:ff",
                         "00:11:22:aa:bb:ff:",
                         "00.11.22.aa.bb.ff",
                         "00:11:22:aa:bb:ff,",
                         "00:11:22:aa:bb:ff,host.example",
                         "00:11:22:aa:bb:ff,10.0.0.255:0",
                         "00:11:22:aa:bb:ff,10.0.0.255:70000",
                         "00:11:22:aa:bb:ff,10.0.0.255:9x",
                         "00:11:22:aa:bb:ff,::1"};
    for (size_t i = 0; i < SK_ARRAY_LEN(bad); i++) {
        if (sk_wolspec_parse(bad[i], &w, why, sizeof(why)) != -1) {
            fprintf(stderr, "  '%s' was accepted\n", bad[i]);
            CHECK(0);
        }
    }
}

static void test_wol_packet(void)
{
    const uint8_t mac[6] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
    uint8_t p[SK_WOL_PACKET_LEN];
    memset(p, 0, sizeof(p));
    sk_wol_packet(mac, p);
    /* Written out: the contract is the bytes. */
    static const uint8_t head[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK_MEM(p, head, 6);
    uint8_t want[102];
    memcpy(want, head, 6);
    for (int r = 0; r < 16; r++) {
        static const uint8_t m[6] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
        memcpy(want + 6 + r * 6, m, 6);
    }
    CHECK_EQ_INT(p[101], 0xab);
    CHECK_EQ_INT(p[96], 0x01);
    CHECK_MEM(p, want, sizeof(want));
}

/* The fake lines: physical levels, each set recorded with its time. */
#define MAX_EVENTS 64
struct fake {
    pthread_mutex_t lock;
    int level[SK_POWER_NLINES];
    int open_fails;
    int release_fails; /* a set to the released level fails (the press still happened) */
    int opens, closes;
    int n;
    struct {
        int line, level;
        int64_t ms;
    } ev[MAX_EVENTS];
};

static int fake_open(void *ctx, const struct sk_powerspec *spec, char *err, size_t errlen)
{
    struct fake *f = ctx;
    if (f->open_fails) {
        snprintf(err, errlen, "%s: No such file or directory", spec->chip);
        return -1;
    }
    f->opens++;
    /* Released outputs: the inactive level. */
    f->level[SK_POWER_BUTTON] = spec->line[SK_POWER_BUTTON].active_low;
    f->level[SK_POWER_RESET] = spec->line[SK_POWER_RESET].active_low;
    return 0;
}

static int fake_set(void *ctx, enum sk_power_line line, int level)
{
    struct fake *f = ctx;
    pthread_mutex_lock(&f->lock);
    if (f->release_fails && f->n > 0) {
        pthread_mutex_unlock(&f->lock);
        return -1; /* the line stays as it was: pressed */
    }
    f->level[line] = level;
    if (f->n < MAX_EVENTS) {
        f->ev[f->n].line = line;
        f->ev[f->n].level = level;
        f->ev[f->n].ms = sk_now_ms();
        f->n++;
    }
    pthread_mutex_unlock(&f->lock);
    return 0;
}

static int fake_get(void *ctx, enum sk_power_line line)
{
    struct fake *f = ctx;
    pthread_mutex_lock(&f->lock);
    int v = f->level[line];
    pthread_mutex_unlock(&f->lock);
    return v;
}

static void fake_close(void *ctx)
{
    struct fake *f = ctx;
    f->closes++;
}

static struct sk_power *make(struct fake *f, const char *spec_text)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    static struct sk_power_backend be;
    be = (struct sk_power_backend){
        .ctx = f, .open = fake_open, .set = fake_set, .get = fake_get, .close = fake_close};
    struct sk_powerspec spec;
    char why[256];
    CHECK_EQ_INT(sk_powerspec_parse(spec_text, &spec, why, sizeof(why)), 0);
    struct sk_power_opts o = {
        .gpio = &spec, .backend = &be, .press_ms = 60, .hold_ms = 200, .cycle_wait_ms = 100};
    return sk_power_new(&o);
}

/* Event i is line set to level, about ms after event 0 (within scheduling slack). */
static void expect_event(struct fake *f, int i, int line, int level, int64_t ms)
{
    if (i >= f->n) {
        fprintf(stderr, "  no event %d (only %d)\n", i, f->n);
        CHECK(0);
        return;
    }
    CHECK_EQ_INT(f->ev[i].line, line);
    CHECK_EQ_INT(f->ev[i].level, level);
    int64_t at = f->ev[i].ms - f->ev[0].ms;
    if (at < ms || at > ms + 60) {
        fprintf(stderr, "  event %d at %lld ms, expected %lld\n", i, (long long)at, (long long)ms);
        CHECK(0);
    }
}

static void test_press_on_off(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "sim0");
    char msg[256];
    struct sk_power_stats st;
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "off");
    CHECK_EQ_INT(st.disk, 0);
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_STR(msg, "pressed power for 60 ms");
    CHECK_EQ_INT(f.n, 2);
    expect_event(&f, 0, SK_POWER_BUTTON, 1, 0);
    expect_event(&f, 1, SK_POWER_BUTTON, 0, 60);
    /* Off already: nothing pressed. */
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_OFF, 0, NULL, NULL, msg, sizeof(msg)),
                 SK_POWER_ALREADY);
    CHECK(strstr(msg, "already off") != NULL);
    CHECK_EQ_INT(f.n, 2);
    /* The LED lit: on does nothing, off presses, off --force holds. */
    f.level[SK_POWER_LED] = 1;
    f.level[SK_POWER_HDD] = 1;
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "on");
    CHECK_EQ_INT(st.disk, 1);
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)),
                 SK_POWER_ALREADY);
    CHECK_EQ_INT(f.n, 2);
    f.n = 0;
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_OFF, 0, NULL, NULL, msg, sizeof(msg)), 0);
    expect_event(&f, 1, SK_POWER_BUTTON, 0, 60);
    f.n = 0;
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_OFF, 1, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_STR(msg, "pressed power for 200 ms");
    expect_event(&f, 0, SK_POWER_BUTTON, 1, 0);
    expect_event(&f, 1, SK_POWER_BUTTON, 0, 200);
    /* on --force presses though the LED is lit. */
    f.n = 0;
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 1, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(f.n, 2);
    sk_power_stats(p, &st);
    CHECK_EQ_INT(st.presses, 4);
    sk_power_free(p);
    CHECK_EQ_INT(f.closes, 1);
}

/* A release that fails: the lines are given back and requested again, released. */
static void test_release_fails(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "gpiochip9,led=none,hdd=none");
    char msg[256];
    f.release_fails = 1;
    CHECK(sk_power_act(p, SK_POWER_ACT_ON, 1, NULL, NULL, msg, sizeof(msg)) != 0);
    CHECK_EQ_INT(f.closes, 1);
    CHECK_EQ_INT(f.opens, 2);
    CHECK_EQ_INT(f.level[SK_POWER_BUTTON], 0); /* requested again: released */
    f.release_fails = 0;
    sk_power_free(p);
}

static void test_reset_and_cycle(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "sim0");
    char msg[256];
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_RESET, 0, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(f.n, 2);
    expect_event(&f, 0, SK_POWER_RESET, 1, 0);
    expect_event(&f, 1, SK_POWER_RESET, 0, 60);
    /* On: held off, a pause, pressed on. */
    f.level[SK_POWER_LED] = 1;
    f.n = 0;
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_CYCLE, 0, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(f.n, 4);
    expect_event(&f, 0, SK_POWER_BUTTON, 1, 0);
    expect_event(&f, 1, SK_POWER_BUTTON, 0, 200);
    expect_event(&f, 2, SK_POWER_BUTTON, 1, 300);
    expect_event(&f, 3, SK_POWER_BUTTON, 0, 360);
    /* Off: only the press on. */
    f.level[SK_POWER_LED] = 0;
    f.n = 0;
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_CYCLE, 0, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(f.n, 2);
    expect_event(&f, 1, SK_POWER_BUTTON, 0, 60);
    sk_power_free(p);
    /* No reset line: refused, nothing pressed. */
    p = make(&f, "sim0,reset=none,led=none,hdd=none");
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_RESET, 0, NULL, NULL, msg, sizeof(msg)),
                 SK_POWER_E_NONE);
    CHECK(strstr(msg, "no reset line") != NULL);
    struct sk_power_stats st;
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "unknown");
    CHECK_EQ_INT(st.disk, -1);
    /* No LED: on always presses. */
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(f.n, 2);
    sk_power_free(p);
}

static void test_active_low(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "sim0,power=1:low,led=2:low");
    char msg[256];
    CHECK_EQ_INT(f.level[SK_POWER_BUTTON], 1); /* released = high */
    f.level[SK_POWER_LED] = 1;                 /* high = dark */
    struct sk_power_stats st;
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "off");
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)), 0);
    expect_event(&f, 0, SK_POWER_BUTTON, 0, 0);
    expect_event(&f, 1, SK_POWER_BUTTON, 1, 60);
    f.level[SK_POWER_LED] = 0;
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "on");
    sk_power_free(p);
    CHECK_EQ_INT(f.level[SK_POWER_BUTTON], 1);
}

static int64_t cancel_at;
static int cancel_after(void *ctx)
{
    return sk_now_ms() >= cancel_at;
}

static void test_cancelled_press_released(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "sim0");
    char msg[256];
    f.level[SK_POWER_LED] = 1;
    cancel_at = sk_now_ms() + 50;
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_OFF, 1, cancel_after, NULL, msg, sizeof(msg)),
                 SK_POWER_E_STOPPED);
    CHECK(strstr(msg, "released") != NULL);
    CHECK_EQ_INT(f.n, 2);
    expect_event(&f, 1, SK_POWER_BUTTON, 0, 50);
    CHECK_EQ_INT(f.level[SK_POWER_BUTTON], 0);
    sk_power_free(p);
}

struct presser {
    struct sk_power *p;
    enum sk_power_action a;
    int force;
    int rc;
};

static void *press_thread(void *arg)
{
    struct presser *pr = arg;
    char msg[256];
    pr->rc = sk_power_act(pr->p, pr->a, pr->force, NULL, NULL, msg, sizeof(msg));
    return NULL;
}

static void test_one_press_at_a_time(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "sim0");
    struct presser a = {p, SK_POWER_ACT_ON, 1, -9}, b = {p, SK_POWER_ACT_RESET, 0, -9},
                   c = {p, SK_POWER_ACT_ON, 1, -9};
    pthread_t ta, tb, tc;
    pthread_create(&ta, NULL, press_thread, &a);
    pthread_create(&tb, NULL, press_thread, &b);
    pthread_create(&tc, NULL, press_thread, &c);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_join(tc, NULL);
    CHECK_EQ_INT(a.rc, 0);
    CHECK_EQ_INT(b.rc, 0);
    CHECK_EQ_INT(c.rc, 0);
    /* Six events, presses never overlapping: each release before the next press. */
    CHECK_EQ_INT(f.n, 6);
    for (int i = 0; i + 1 < f.n; i += 2) {
        CHECK_EQ_INT(f.ev[i].level, 1);
        CHECK_EQ_INT(f.ev[i + 1].level, 0);
        CHECK_EQ_INT(f.ev[i + 1].line, f.ev[i].line);
        CHECK(f.ev[i + 1].ms - f.ev[i].ms >= 60);
    }
    sk_power_free(p);
}

static void test_close_releases(void)
{
    struct fake f;
    struct sk_power *p = make(&f, "sim0");
    f.level[SK_POWER_LED] = 1;
    struct presser a = {p, SK_POWER_ACT_OFF, 1, -9};
    /* A long hold, stopped by close. */
    pthread_t ta;
    pthread_create(&ta, NULL, press_thread, &a);
    sk_sleep_ms(40);
    int64_t t0 = sk_now_ms();
    sk_power_close(p);
    CHECK(sk_now_ms() - t0 < 150);
    pthread_join(ta, NULL);
    CHECK_EQ_INT(a.rc, SK_POWER_E_STOPPED);
    CHECK_EQ_INT(f.level[SK_POWER_BUTTON], 0);
    CHECK_EQ_INT(f.closes, 1);
    /* Closed: refused, nothing pressed. */
    char msg[256];
    int n = f.n;
    CHECK(sk_power_act(p, SK_POWER_ACT_ON, 1, NULL, NULL, msg, sizeof(msg)) < 0);
    CHECK_EQ_INT(f.n, n);
    sk_power_free(p);
    CHECK_EQ_INT(f.closes, 1);
}

static void test_missing_chip(void)
{
    struct fake f;
    memset(&f, 0, sizeof(f));
    pthread_mutex_init(&f.lock, NULL);
    f.open_fails = 1;
    struct sk_power_backend be = {
        .ctx = &f, .open = fake_open, .set = fake_set, .get = fake_get, .close = fake_close};
    struct sk_powerspec spec;
    char why[256], msg[256];
    sk_powerspec_parse("gpiochip9", &spec, why, sizeof(why));
    struct sk_power *p = sk_power_new(&(struct sk_power_opts){.gpio = &spec, .backend = &be});
    struct sk_power_stats st;
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "absent");
    CHECK_STR(st.error, "gpiochip9: No such file or directory");
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)),
                 SK_POWER_E_ABSENT);
    CHECK(strstr(msg, "gpiochip9: No such file") != NULL);
    struct sk_buf b = {0};
    sk_power_json(&st, &b);
    CHECK_STR(b.data, "{\"wired\":true,\"state\":\"absent\",\"disk\":null,\"pressing\":\"\","
                      "\"presses\":0,\"wol\":false,\"wakes\":0,\"chip\":\"gpiochip9\","
                      "\"error\":\"gpiochip9: No such file or directory\"}");
    sk_buf_free(&b);
    /* The chip appears: found again within a second. */
    f.open_fails = 0;
    sk_sleep_ms(1050);
    sk_power_stats(p, &st);
    CHECK_STR(st.state, "off");
    CHECK_STR(st.error, "");
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)), 0);
    sk_power_free(p);
    /* No wiring at all. */
    p = sk_power_new(&(struct sk_power_opts){0});
    CHECK_EQ_INT(sk_power_act(p, SK_POWER_ACT_ON, 0, NULL, NULL, msg, sizeof(msg)),
                 SK_POWER_E_NONE);
    CHECK_EQ_INT(sk_power_wake(p, msg, sizeof(msg)), SK_POWER_E_NONE);
    sk_power_free(p);
}

static void test_wake_loopback(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_EQ_INT(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t alen = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &alen);
    char spec[64], why[256], msg[256];
    snprintf(spec, sizeof(spec), "52:54:00:12:34:56,127.0.0.1:%u", ntohs(a.sin_port));
    struct sk_wolspec w;
    CHECK_EQ_INT(sk_wolspec_parse(spec, &w, why, sizeof(why)), 0);
    struct sk_power *p = sk_power_new(&(struct sk_power_opts){.wol = &w});
    CHECK_EQ_INT(sk_power_wake(p, msg, sizeof(msg)), 0);
    CHECK(strstr(msg, "52:54:00:12:34:56") != NULL);
    uint8_t got[200];
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n = recv(fd, got, sizeof(got), 0);
    CHECK_EQ_INT(n, SK_WOL_PACKET_LEN);
    uint8_t want[SK_WOL_PACKET_LEN];
    sk_wol_packet(w.mac, want);
    CHECK(n == SK_WOL_PACKET_LEN && memcmp(got, want, sizeof(want)) == 0);
    struct sk_power_stats st;
    sk_power_stats(p, &st);
    CHECK_EQ_INT(st.wakes, 1);
    CHECK_EQ_INT(st.wired, 0);
    sk_power_free(p);
    close(fd);
}

int main(void)
{
    SK_RUN(test_powerspec_defaults);
    SK_RUN(test_powerspec_overrides);
    SK_RUN(test_powerspec_errors);
    SK_RUN(test_wolspec);
    SK_RUN(test_wol_packet);
    SK_RUN(test_press_on_off);
    SK_RUN(test_reset_and_cycle);
    SK_RUN(test_active_low);
    SK_RUN(test_cancelled_press_released);
    SK_RUN(test_one_press_at_a_time);
    SK_RUN(test_close_releases);
    SK_RUN(test_missing_chip);
    SK_RUN(test_release_fails);
    SK_RUN(test_wake_loopback);
    return SK_CHECK_EXIT();
}

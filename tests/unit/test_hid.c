/*
 * test_hid: the report encoders, keyboard state, the queue and the three
 * sinks (demo callbacks, file:PATH, and a device node: a FIFO that stops
 * being read stands in for a target that stalls, a pty for LED reports).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "hid/hid.h"
#include "base/log.h"
#include "base/util.h"

static const uint8_t ZERO8[8] = {0};

static char scratch[64];

static void make_scratch(void)
{
    snprintf(scratch, sizeof(scratch), "/tmp/test_hid.%d", (int)getpid());
    mkdir(scratch, 0700);
}

static char *scratch_path(const char *name)
{
    char *p = xasprintf("%s/%s", scratch, name);
    unlink(p);
    return p;
}

/* Read a whole file into buf; returns its length or -1. */
static ssize_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = read(fd, buf, cap);
    close(fd);
    return n;
}

/* ---- demo callbacks recording what they get ---- */

struct record {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint8_t kb[4096][8];
    size_t nkb;
    uint8_t mouse[64][6];
    size_t nmouse;
    uint8_t leds;
    int gate_closed; /* while set, the keyboard callback blocks */
    int blocked;     /* the callback is waiting at the gate */
};

static void record_init(struct record *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
}

static void record_destroy(struct record *r)
{
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
}

static int rec_keyboard(void *ctx, const uint8_t *report, size_t len)
{
    struct record *r = ctx;
    pthread_mutex_lock(&r->lock);
    while (r->gate_closed) {
        r->blocked = 1;
        pthread_cond_broadcast(&r->cond);
        pthread_cond_wait(&r->cond, &r->lock);
    }
    r->blocked = 0;
    int rc = -1;
    if (len == 8 && r->nkb < SK_ARRAY_LEN(r->kb)) {
        memcpy(r->kb[r->nkb++], report, 8);
        rc = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int rec_mouse(void *ctx, const uint8_t *report, size_t len)
{
    struct record *r = ctx;
    pthread_mutex_lock(&r->lock);
    int rc = -1;
    if (len == 6 && r->nmouse < SK_ARRAY_LEN(r->mouse)) {
        memcpy(r->mouse[r->nmouse++], report, 6);
        rc = 0;
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static uint8_t rec_leds(void *ctx)
{
    struct record *r = ctx;
    pthread_mutex_lock(&r->lock);
    uint8_t leds = r->leds;
    pthread_mutex_unlock(&r->lock);
    return leds;
}

static struct sk_hid *open_demo(struct record *r, const char *mouse, size_t queue_len)
{
    struct sk_hid_opts opts = {
        .keyboard = "demo",
        .mouse = mouse,
        .demo_keyboard = rec_keyboard,
        .demo_mouse = rec_mouse,
        .demo_leds = rec_leds,
        .demo_ctx = r,
        .write_timeout_ms = 200,
        .queue_len = queue_len,
    };
    struct sk_hid *hid = sk_hid_new(&opts);
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    return hid;
}

static void report8(uint8_t out[8], uint8_t mods, uint8_t k1, uint8_t k2, uint8_t k3)
{
    memset(out, 0, 8);
    out[0] = mods;
    out[2] = k1;
    out[3] = k2;
    out[4] = k3;
}

/* ---- tests ---- */

static void test_encoders(void)
{
    uint8_t out[8];
    const uint8_t keys[6] = {0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    sk_hid_keyboard_report(0x22, keys, out);
    const uint8_t want[8] = {0x22, 0x00, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    CHECK_MEM(out, want, 8);

    uint8_t m[6];
    sk_hid_mouse_report(0x05, 0x1234, 0x7fff, -3, m);
    const uint8_t wantm[6] = {0x05, 0x34, 0x12, 0xff, 0x7f, 0xfd};
    CHECK_MEM(m, wantm, 6);
    /* Out of range coordinates clamp to the descriptor's maximum. */
    sk_hid_mouse_report(0x01, 40000, 0, 0, m);
    const uint8_t wantc[6] = {0x01, 0xff, 0x7f, 0x00, 0x00, 0x00};
    CHECK_MEM(m, wantc, 6);
}

static void test_check_spec(void)
{
    char err[128] = "";
    CHECK_EQ_INT(sk_hid_check_spec("demo", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_check_spec("none", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_check_spec("/dev/hidg0", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_check_spec("file:out.bin", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_check_spec("dev:/tmp/fifo", err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_check_spec("foo", err, sizeof(err)), -1);
    CHECK_STR(err, "'foo' is not demo, none, /dev/hidgN or file:PATH");
    CHECK_EQ_INT(sk_hid_check_spec("file:", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_hid_check_spec("/dev/", err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_hid_check_spec("", err, sizeof(err)), -1);
}

static void test_open_errors(void)
{
    char err[256] = "";
    struct sk_hid *hid = sk_hid_new(&(struct sk_hid_opts){.keyboard = "/dev/hidg-test-missing"});
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), -1);
    CHECK_STR(err, "cannot open /dev/hidg-test-missing: No such file or directory (is the USB "
                   "gadget configured? see README)");
    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "closed");
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x04, 0), SK_E_CLOSED);
    sk_hid_free(hid);

    hid = sk_hid_new(&(struct sk_hid_opts){.keyboard = "file:/nonexistent-dir/kb.bin"});
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), -1);
    CHECK_STR(err, "cannot open /nonexistent-dir/kb.bin for writing: No such file or directory");
    sk_hid_free(hid);

    hid = sk_hid_new(&(struct sk_hid_opts){.keyboard = "bogus"});
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), -1);
    CHECK_STR(err, "'bogus' is not demo, none, /dev/hidgN or file:PATH");
    sk_hid_free(hid);

    hid = sk_hid_new(&(struct sk_hid_opts){.keyboard = "demo"});
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), -1);
    CHECK_STR(err, "demo keyboard: no demo target to send reports to");
    sk_hid_free(hid);

    hid = sk_hid_new(&(struct sk_hid_opts){.keyboard = "file:/tmp/x", .mouse = "file:/tmp/x"});
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), -1);
    CHECK_STR(err, "keyboard and mouse cannot both write to /tmp/x");
    sk_hid_free(hid);

    sk_hid_free(NULL);
}

static void test_file_sink(void)
{
    char *kb = scratch_path("kb.bin");
    char *ms = scratch_path("mouse.bin");
    char *kbspec = xasprintf("file:%s", kb);
    char *msspec = xasprintf("file:%s", ms);
    struct sk_hid *hid = sk_hid_new(
        &(struct sk_hid_opts){.keyboard = kbspec, .mouse = msspec, .write_timeout_ms = 200});
    /* The options' strings are copied: the caller's may go away. */
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);

    uint8_t buf[256];
    CHECK_EQ_INT(slurp(kb, buf, sizeof(buf)), 8);
    CHECK_MEM(buf, ZERO8, 8);
    /* The mouse is not moved at start-up. */
    CHECK_EQ_INT(slurp(ms, buf, sizeof(buf)), 0);

    const struct sk_key keys[] = {
        {.usage = 0x0b, .mods = SK_MOD_LSHIFT},   /* shift+h */
        {.usage = SK_USAGE_DELETE, .mods = 0x05}, /* ctrl+alt+delete */
        {.usage = 0, .mods = SK_MOD_LGUI},        /* super alone */
    };
    CHECK_EQ_INT(sk_hid_strokes(hid, keys, SK_ARRAY_LEN(keys), 1000), 0);
    const uint8_t want[7][8] = {
        {0},                            /* start-up: all released */
        {0x02, 0, 0x0b, 0, 0, 0, 0, 0}, /* shift+h */
        {0},                            /* released */
        {0x05, 0, 0x4c, 0, 0, 0, 0, 0}, /* ctrl+alt+delete */
        {0},                            /* released */
        {0x08, 0, 0, 0, 0, 0, 0, 0},    /* super */
        {0},                            /* released */
    };
    CHECK_EQ_INT(slurp(kb, buf, sizeof(buf)), sizeof(want));
    CHECK_MEM(buf, want, sizeof(want));

    CHECK_EQ_INT(sk_hid_mouse(hid, 16384, 100, 0x01, -1), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);
    const uint8_t wantm[6] = {0x01, 0x00, 0x40, 0x64, 0x00, 0xff};
    CHECK_EQ_INT(slurp(ms, buf, sizeof(buf)), 6);
    CHECK_MEM(buf, wantm, 6);

    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "ok");
    CHECK_STR(st.keyboard, kbspec);
    CHECK_STR(st.mouse, msspec);
    CHECK_STR(st.error, "");
    CHECK_EQ_INT(st.written, 8);
    CHECK_EQ_INT(st.dropped, 0);
    CHECK_EQ_INT(st.queued, 0);

    /* Close releases the keys again: one more all-released report, and nothing for the mouse. */
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x04, 0), 0);
    sk_hid_close(hid);
    sk_hid_close(hid);
    CHECK_EQ_INT(slurp(kb, buf, sizeof(buf)), sizeof(want) + 16);
    const uint8_t tail[16] = {0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_MEM(buf + sizeof(want), tail, 16);
    CHECK_EQ_INT(slurp(ms, buf, sizeof(buf)), 6);
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "closed");
    CHECK_EQ_INT(sk_hid_strokes(hid, keys, 1, 100), SK_E_CLOSED);
    CHECK_EQ_INT(sk_hid_mouse(hid, 0, 0, 0, 0), SK_E_CLOSED);

    sk_hid_free(hid);
    unlink(kb);
    unlink(ms);
    free(kb);
    free(ms);
    free(kbspec);
    free(msspec);
}

static void test_held_keys(void)
{
    struct record *r = xmalloc(sizeof(*r));
    record_init(r);
    struct sk_hid *hid = open_demo(r, NULL, 0);

    CHECK_EQ_INT(sk_hid_key_down(hid, 0, SK_MOD_LSHIFT), 0);
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x04, 0), 0);
    /* Pressing what is already held changes nothing and sends nothing. */
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x04, SK_MOD_LSHIFT), 0);
    const struct sk_key ctrl_b = {.usage = 0x05, .mods = SK_MOD_LCTRL};
    CHECK_EQ_INT(sk_hid_strokes(hid, &ctrl_b, 1, 1000), 0);
    for (uint8_t u = 0x06; u <= 0x0a; u++) {
        CHECK_EQ_INT(sk_hid_key_down(hid, u, 0), 0);
    }
    /* Six held: a seventh is refused, in key_down and in strokes. */
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x0b, 0), SK_E_BUSY);
    const struct sk_key k = {.usage = 0x0b};
    CHECK_EQ_INT(sk_hid_strokes(hid, &k, 1, 1000), SK_E_BUSY);
    /* Releasing one in the middle keeps the others in order. */
    CHECK_EQ_INT(sk_hid_key_up(hid, 0x06, 0), 0);
    CHECK_EQ_INT(sk_hid_key_up(hid, 0x06, 0), 0);
    CHECK_EQ_INT(sk_hid_key_up(hid, 0, SK_MOD_LSHIFT), 0);
    CHECK_EQ_INT(sk_hid_release_all(hid), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);

    const uint8_t want[13][8] = {
        {0},
        {0x02, 0, 0, 0, 0, 0, 0, 0},
        {0x02, 0, 0x04, 0, 0, 0, 0, 0},
        {0x03, 0, 0x04, 0x05, 0, 0, 0, 0}, /* the stroke ctrl+b on top of what is held */
        {0x02, 0, 0x04, 0, 0, 0, 0, 0},
        {0x02, 0, 0x04, 0x06, 0, 0, 0, 0},
        {0x02, 0, 0x04, 0x06, 0x07, 0, 0, 0},
        {0x02, 0, 0x04, 0x06, 0x07, 0x08, 0, 0},
        {0x02, 0, 0x04, 0x06, 0x07, 0x08, 0x09, 0},
        {0x02, 0, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a},
        {0x02, 0, 0x04, 0x07, 0x08, 0x09, 0x0a, 0},
        {0x00, 0, 0x04, 0x07, 0x08, 0x09, 0x0a, 0},
        {0},
    };
    pthread_mutex_lock(&r->lock);
    CHECK_EQ_INT(r->nkb, 13);
    CHECK_MEM(r->kb, want, sizeof(want));
    pthread_mutex_unlock(&r->lock);

    sk_hid_free(hid);
    record_destroy(r);
    free(r);
}

static void test_demo_sink(void)
{
    struct record *r = xmalloc(sizeof(*r));
    record_init(r);
    struct sk_hid *hid = open_demo(r, "demo", 0);

    CHECK_EQ_INT(sk_hid_mouse(hid, 1000, 2000, 0x02, 1), 0);
    /* "ll": identical consecutive presses still come as press/release pairs. */
    const struct sk_key ll[2] = {{.usage = 0x0f}, {.usage = 0x0f}};
    CHECK_EQ_INT(sk_hid_strokes(hid, ll, 2, 1000), 0);
    /* A modifier's usage (0xE2, left alt) becomes its bit in byte 0. */
    const struct sk_key alt = {.usage = 0xe2};
    CHECK_EQ_INT(sk_hid_strokes(hid, &alt, 1, 1000), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);

    pthread_mutex_lock(&r->lock);
    CHECK_EQ_INT(r->nkb, 7);
    uint8_t l[8];
    report8(l, 0, 0x0f, 0, 0);
    CHECK_MEM(r->kb[0], ZERO8, 8);
    CHECK_MEM(r->kb[1], l, 8);
    CHECK_MEM(r->kb[2], ZERO8, 8);
    CHECK_MEM(r->kb[3], l, 8);
    CHECK_MEM(r->kb[4], ZERO8, 8);
    const uint8_t alt_down[8] = {SK_MOD_LALT, 0, 0, 0, 0, 0, 0, 0};
    CHECK_MEM(r->kb[5], alt_down, 8);
    CHECK_MEM(r->kb[6], ZERO8, 8);
    CHECK_EQ_INT(r->nmouse, 1);
    const uint8_t wantm[6] = {0x02, 0xe8, 0x03, 0xd0, 0x07, 0x01};
    CHECK_MEM(r->mouse[0], wantm, 6);
    r->leds = 0x03;
    pthread_mutex_unlock(&r->lock);

    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_EQ_INT(st.leds, 0x03);
    CHECK_STR(st.keyboard, "demo");
    CHECK_STR(st.mouse, "demo");
    CHECK_STR(st.state, "ok");
    CHECK_EQ_INT(st.written, 8);

    sk_hid_free(hid);
    record_destroy(r);
    free(r);
}

static void test_queue_full(void)
{
    struct record *r = xmalloc(sizeof(*r));
    record_init(r);
    r->gate_closed = 1;
    struct sk_hid *hid = open_demo(r, NULL, 4);

    /* Wait until the writer is stuck in the callback with the start-up report. */
    pthread_mutex_lock(&r->lock);
    while (!r->blocked) {
        pthread_cond_wait(&r->cond, &r->lock);
    }
    pthread_mutex_unlock(&r->lock);

    const struct sk_key abc[3] = {{.usage = 0x04}, {.usage = 0x05}, {.usage = 0x06}};
    /* Six reports do not fit in four: refused whole. */
    CHECK_EQ_INT(sk_hid_strokes(hid, abc, 3, 100), SK_E_BUSY);
    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_EQ_INT(st.queued, 0);
    /* Two strokes fit; the call times out waiting because the target is stuck. */
    CHECK_EQ_INT(sk_hid_strokes(hid, abc, 2, 50), SK_E_TIMEOUT);
    sk_hid_status(hid, &st);
    CHECK_EQ_INT(st.queued, 4);
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x07, 0), SK_E_BUSY);
    /* A release is never refused: it may use the reserve beyond queue_len. */
    CHECK_EQ_INT(sk_hid_release_all(hid), 0);
    sk_hid_status(hid, &st);
    CHECK(st.queued <= 5);

    pthread_mutex_lock(&r->lock);
    r->gate_closed = 0;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);
    CHECK_EQ_INT(sk_hid_strokes(hid, abc, 1, 1000), 0);
    sk_hid_free(hid);

    pthread_mutex_lock(&r->lock);
    /* start-up, a, up, b, up, [release_all], a, up, the release at close */
    int extra = r->nkb - 8;
    CHECK(extra == 0 || extra == 1);
    CHECK_EQ_INT(r->kb[1][2], 0x04);
    CHECK_EQ_INT(r->kb[3][2], 0x05);
    CHECK_EQ_INT(r->kb[5 + extra][2], 0x04);
    CHECK_MEM(r->kb[7 + extra], ZERO8, 8);
    pthread_mutex_unlock(&r->lock);
    record_destroy(r);
    free(r);
}

struct typer {
    struct sk_hid *hid;
    uint8_t usage;
    int rc;
};

static void *typer_main(void *arg)
{
    struct typer *t = arg;
    struct sk_key keys[10];
    for (size_t i = 0; i < SK_ARRAY_LEN(keys); i++) {
        keys[i] = (struct sk_key){.usage = t->usage, .mods = (uint8_t)(i & 1 ? SK_MOD_LSHIFT : 0)};
    }
    t->rc = 0;
    for (int round = 0; round < 10 && t->rc == 0; round++) {
        t->rc = sk_hid_strokes(t->hid, keys, SK_ARRAY_LEN(keys), 5000);
    }
    return NULL;
}

static void test_concurrent_strokes(void)
{
    struct record *r = xmalloc(sizeof(*r));
    record_init(r);
    struct sk_hid *hid = open_demo(r, NULL, 0);
    struct typer t[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        t[i] = (struct typer){.hid = hid, .usage = (uint8_t)(0x04 + i)};
        pthread_create(&th[i], NULL, typer_main, &t[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(t[i].rc, 0);
    }
    sk_hid_free(hid);

    /* Each call's 20 reports arrive together: no other typer's key in between. */
    pthread_mutex_lock(&r->lock);
    CHECK_EQ_INT(r->nkb, 1 + 4 * 10 * 20 + 1);
    int bad = 0;
    for (size_t at = 1; at + 20 <= r->nkb - 1; at += 20) {
        uint8_t usage = r->kb[at][2];
        for (size_t i = 0; i < 20; i++) {
            uint8_t want[8];
            report8(want, i % 2 == 0 && (i / 2) % 2 == 1 ? SK_MOD_LSHIFT : 0,
                    i % 2 == 0 ? usage : 0, 0, 0);
            bad += memcmp(r->kb[at + i], want, 8) != 0;
        }
    }
    CHECK_EQ_INT(bad, 0);
    pthread_mutex_unlock(&r->lock);
    record_destroy(r);
    free(r);
}

/* A FIFO with a one-page buffer: after one report poll() says "full" until it is read. */
static void test_stalled_device(void)
{
    char *fifo = scratch_path("hidg.fifo");
    CHECK_EQ_INT(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    CHECK(rd >= 0);
    CHECK(fcntl(rd, F_SETPIPE_SZ, 4096) >= 4096);
    char *spec = xasprintf("dev:%s", fifo);
    struct sk_hid *hid =
        sk_hid_new(&(struct sk_hid_opts){.keyboard = spec, .write_timeout_ms = 200});
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);

    /* Hold shift: its report cannot go out, the target "stopped reading". */
    int64_t t0 = sk_now_ms();
    CHECK_EQ_INT(sk_hid_key_down(hid, 0, SK_MOD_LSHIFT), 0);
    const struct sk_key hi[2] = {{.usage = 0x0b}, {.usage = 0x0c}};
    CHECK_EQ_INT(sk_hid_strokes(hid, hi, 2, 5000), SK_E_TIMEOUT);
    int64_t took = sk_now_ms() - t0;
    CHECK(took >= 150 && took < 1000);

    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "stalled");
    char *want_err = xasprintf("keyboard %s: target is not reading reports (write timed out after "
                               "200 ms); is the target powered on and the USB cable in the OTG "
                               "port?",
                               fifo);
    /* The status field holds 159 characters; the long scratch path may cut the end off. */
    want_err[SK_MIN(strlen(want_err), sizeof(st.error) - 1)] = '\0';
    CHECK_STR(st.error, want_err);
    free(want_err);
    CHECK_EQ_INT(st.written, 1);
    CHECK_EQ_INT(st.dropped, 5);
    CHECK_EQ_INT(st.queued, 0);

    /* While stalled, callers are told at once instead of waiting their whole time-out. */
    t0 = sk_now_ms();
    CHECK_EQ_INT(sk_hid_strokes(hid, hi, 1, 5000), SK_E_TIMEOUT);
    CHECK(sk_now_ms() - t0 < 150);

    /* The target reads again: it gets the start-up report, then the current state (shift held). */
    uint8_t buf[4096];
    CHECK_EQ_INT(read(rd, buf, sizeof(buf)), 8);
    CHECK_MEM(buf, ZERO8, 8);
    struct pollfd p = {.fd = rd, .events = POLLIN};
    CHECK_EQ_INT(poll(&p, 1, 1000), 1);
    CHECK_EQ_INT(read(rd, buf, sizeof(buf)), 8);
    uint8_t shift[8];
    report8(shift, SK_MOD_LSHIFT, 0, 0, 0);
    CHECK_MEM(buf, shift, 8);
    for (int i = 0; i < 100; i++) {
        sk_hid_status(hid, &st);
        if (strcmp(st.state, "ok") == 0) {
            break;
        }
        sk_sleep_ms(10);
    }
    CHECK_STR(st.state, "ok");
    CHECK_STR(st.error, "");
    CHECK_EQ_INT(st.dropped, 7);
    CHECK_EQ_INT(st.written, 2);

    /* Working again: a stroke goes through once the reader keeps reading. */
    const struct sk_key a = {.usage = 0x04};
    CHECK_EQ_INT(sk_hid_key_up(hid, 0, SK_MOD_LSHIFT), 0);
    CHECK_EQ_INT(poll(&p, 1, 1000), 1);
    CHECK_EQ_INT(read(rd, buf, sizeof(buf)), 8);
    CHECK_MEM(buf, ZERO8, 8);

    /* Stall again with a key held, and close: bounded by the time-out, nothing hangs. */
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x04, 0), 0);
    CHECK_EQ_INT(sk_hid_strokes(hid, &a, 1, 5000), SK_E_TIMEOUT);
    t0 = sk_now_ms();
    sk_hid_close(hid);
    took = sk_now_ms() - t0;
    CHECK(took < 600);
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "closed");
    uint8_t held_a[8];
    report8(held_a, 0, 0x04, 0, 0);
    CHECK_EQ_INT(read(rd, buf, sizeof(buf)), 8);
    CHECK_MEM(buf, held_a, 8);

    sk_hid_free(hid);
    close(rd);
    unlink(fifo);
    free(fifo);
    free(spec);
}

/* Reads a FIFO after a delay, as a target waking up, collecting what it gets. */
struct late_reader {
    int fd;
    uint8_t buf[256];
    size_t len;
};

static void *late_reader_main(void *arg)
{
    struct late_reader *lr = arg;
    sk_sleep_ms(50);
    int64_t end = sk_now_ms() + 500;
    while (sk_now_ms() < end && lr->len < sizeof(lr->buf)) {
        struct pollfd p = {.fd = lr->fd, .events = POLLIN};
        if (poll(&p, 1, 20) == 1) {
            ssize_t n = read(lr->fd, lr->buf + lr->len, sizeof(lr->buf) - lr->len);
            lr->len += n > 0 ? (size_t)n : 0;
        }
    }
    return NULL;
}

/* Closing a stalled device: a target that reads again in time gets the all-released state. */
static void test_stalled_close_releases(void)
{
    char *fifo = scratch_path("hidg2.fifo");
    CHECK_EQ_INT(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    CHECK(fcntl(rd, F_SETPIPE_SZ, 4096) >= 4096);
    char *spec = xasprintf("dev:%s", fifo);
    struct sk_hid *hid =
        sk_hid_new(&(struct sk_hid_opts){.keyboard = spec, .write_timeout_ms = 200});
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), 0);
    CHECK_EQ_INT(sk_hid_key_down(hid, 0x04, 0), 0);
    CHECK_EQ_INT(sk_hid_flush(hid, 1000), SK_E_TIMEOUT);
    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "stalled");

    struct late_reader lr = {.fd = rd};
    pthread_t th;
    pthread_create(&th, NULL, late_reader_main, &lr);
    int64_t t0 = sk_now_ms();
    sk_hid_close(hid);
    CHECK(sk_now_ms() - t0 < 200);
    pthread_join(th, NULL);
    /* The start-up report, then straight to all released: the held 'a' was superseded. */
    CHECK_EQ_INT(lr.len, 16);
    CHECK_MEM(lr.buf, ZERO8, 8);
    CHECK_MEM(lr.buf + 8, ZERO8, 8);

    sk_hid_free(hid);
    close(rd);
    unlink(fifo);
    free(fifo);
    free(spec);
}

/* A pty slave is a real /dev/ node: reports come out of the master, LED bytes go back in. */
static void test_device_leds(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(master >= 0);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        return;
    }
    char *slave = xstrdup(ptsname(master));
    int sfd = open(slave, O_RDWR | O_NOCTTY);
    struct termios tio;
    tcgetattr(sfd, &tio);
    cfmakeraw(&tio);
    tcsetattr(sfd, TCSANOW, &tio);

    struct sk_hid *hid =
        sk_hid_new(&(struct sk_hid_opts){.keyboard = slave, .write_timeout_ms = 200});
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    const struct sk_key enter = {.usage = SK_USAGE_ENTER};
    CHECK_EQ_INT(sk_hid_strokes(hid, &enter, 1, 1000), 0);
    uint8_t buf[64];
    size_t got = 0;
    for (int i = 0; i < 100 && got < 24; i++) {
        struct pollfd p = {.fd = master, .events = POLLIN};
        if (poll(&p, 1, 20) == 1) {
            ssize_t n = read(master, buf + got, sizeof(buf) - got);
            got += n > 0 ? (size_t)n : 0;
        }
    }
    CHECK_EQ_INT(got, 24);
    uint8_t want[24] = {0};
    want[8 + 2] = SK_USAGE_ENTER;
    CHECK_MEM(buf, want, 24);

    struct sk_hid_status st;
    CHECK_EQ_INT(write(master, "\x02", 1), 1);
    for (int i = 0; i < 100; i++) {
        sk_hid_status(hid, &st);
        if (st.leds == 0x02) {
            break;
        }
        sk_sleep_ms(10);
    }
    CHECK_EQ_INT(st.leds, 0x02);
    /* A report with a report ID in front: the LED byte is the last one. */
    CHECK_EQ_INT(write(master, "\x01\x05", 2), 2);
    for (int i = 0; i < 100; i++) {
        sk_hid_status(hid, &st);
        if (st.leds == 0x05) {
            break;
        }
        sk_sleep_ms(10);
    }
    CHECK_EQ_INT(st.leds, 0x05);
    CHECK_STR(st.state, "ok");

    sk_hid_free(hid);
    close(sfd);
    close(master);
    free(slave);
}

/* /dev/full refuses every write (ENOSPC): the sink goes to "error" and keeps retrying. */
static void test_write_error(void)
{
    char *kb = scratch_path("kb2.bin");
    char *kbspec = xasprintf("file:%s", kb);
    struct sk_hid *hid = sk_hid_new(
        &(struct sk_hid_opts){.keyboard = kbspec, .mouse = "/dev/full", .write_timeout_ms = 200});
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_hid_mouse(hid, 5, 5, 0, 0), 0);
    /*
     * The writer may fail the report before flush looks (under ThreadSanitizer
     * it often does): then nothing is left to wait for. The status says what
     * happened either way.
     */
    int rc = sk_hid_flush(hid, 1000);
    CHECK(rc == SK_E_TIMEOUT || rc == 0);
    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "error");
    CHECK_STR(st.error, "mouse /dev/full: write failed: No space left on device; retrying every "
                        "second");
    CHECK_EQ_INT(st.dropped, 1);
    /* The keyboard does not care: its reports still go out. */
    const struct sk_key a = {.usage = 0x04};
    CHECK_EQ_INT(sk_hid_strokes(hid, &a, 1, 1000), 0);
    /* After a reopen the pending report fails the same way: still "error", still running. */
    sk_sleep_ms(1100);
    CHECK_EQ_INT(sk_hid_mouse(hid, 6, 6, 0, 0), 0);
    rc = sk_hid_flush(hid, 1000);
    CHECK(rc == SK_E_TIMEOUT || rc == 0);
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "error");
    CHECK_EQ_INT(st.written, 3);
    sk_hid_free(hid);
    uint8_t buf[64];
    CHECK_EQ_INT(slurp(kb, buf, sizeof(buf)), 32);
    unlink(kb);
    free(kb);
    free(kbspec);
}

static int64_t cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * /dev/null is a character device, so its reads were polled for LED
 * reports; it says POLLIN forever and reads as end of file, which spun the
 * idle writer at full CPU. It must idle like any other sink.
 */
static void test_null_device_idles(void)
{
    struct sk_hid *hid =
        sk_hid_new(&(struct sk_hid_opts){.keyboard = "/dev/null", .write_timeout_ms = 200});
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    const struct sk_key a = {.usage = 0x04};
    CHECK_EQ_INT(sk_hid_strokes(hid, &a, 1, 1000), 0);
    sk_sleep_ms(50);
    int64_t before = cpu_ms();
    sk_sleep_ms(500);
    int64_t used = cpu_ms() - before;
    CHECK(used < 100);
    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.state, "ok");
    CHECK_EQ_INT(st.written, 3);
    sk_hid_free(hid);
}

static void test_none_sink(void)
{
    struct sk_hid *hid = sk_hid_new(&(struct sk_hid_opts){.keyboard = "none"});
    char err[256] = "";
    CHECK_EQ_INT(sk_hid_open(hid, err, sizeof(err)), 0);
    const struct sk_key a = {.usage = 0x04};
    CHECK_EQ_INT(sk_hid_strokes(hid, &a, 1, 100), 0);
    CHECK_EQ_INT(sk_hid_mouse(hid, 1, 2, 0, 0), 0);
    struct sk_hid_status st;
    sk_hid_status(hid, &st);
    CHECK_STR(st.keyboard, "none");
    CHECK_STR(st.mouse, "none");
    CHECK_STR(st.state, "ok");
    CHECK_EQ_INT(st.written, 0);
    sk_hid_free(hid);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    make_scratch();
    SK_RUN(test_encoders);
    SK_RUN(test_check_spec);
    SK_RUN(test_open_errors);
    SK_RUN(test_file_sink);
    SK_RUN(test_held_keys);
    SK_RUN(test_demo_sink);
    SK_RUN(test_queue_full);
    SK_RUN(test_concurrent_strokes);
    SK_RUN(test_stalled_device);
    SK_RUN(test_stalled_close_releases);
    SK_RUN(test_device_leds);
    SK_RUN(test_write_error);
    SK_RUN(test_none_sink);
    SK_RUN(test_null_device_idles);
    rmdir(scratch);
    return SK_CHECK_EXIT();
}

/*
 * test_cmd: the script commands against a real sk_hid (its demo sink
 * records every report) and a real hub: exact reports, exit codes,
 * messages (the splitting of arguments: test_argv).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "check.h"
#include "cmd/cmd.h"
#include "video/frame.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "video/hub.h"
#include "base/util.h"

static struct sk_buf reports; /* every keyboard report the "target" got */
static struct sk_buf out, err;
static const char *stdin_text;
static size_t stdin_pos;

static int record(void *ctx, const uint8_t *r, size_t len)
{
    sk_buf_append(&reports, r, len);
    return 0;
}

/* The target's LEDs: Caps Lock off unless a test turns it on. */
static uint8_t target_leds;

static uint8_t leds(void *ctx)
{
    return target_leds;
}

static int w_out(void *ctx, const void *d, size_t n)
{
    sk_buf_append(&out, d, n);
    return 0;
}

static int w_err(void *ctx, const void *d, size_t n)
{
    sk_buf_append(&err, d, n);
    return 0;
}

static long r_in(void *ctx, void *buf, size_t len)
{
    size_t left = strlen(stdin_text) - stdin_pos;
    size_t n = SK_MIN(left, SK_MIN(len, (size_t)3)); /* small reads, as a network gives */
    memcpy(buf, stdin_text + stdin_pos, n);
    stdin_pos += n;
    return (long)n;
}

static struct sk_app app;

/* Publish a copy of the frame after a moment, as a running capture would. */
static void *publish_later(void *arg)
{
    const struct sk_frame *src = arg;
    struct sk_frame *f = sk_frame_new(0);
    sk_frame_set_data(f, src->data, src->size);
    f->width = src->width;
    f->height = src->height;
    f->format = src->format;
    sk_sleep_ms(100);
    sk_hub_publish(app.hub, f);
    sk_frame_unref(f);
    return NULL;
}
static const struct sk_cmd_io io = {.out = w_out, .err = w_err, .in = r_in};

static int run(const char *line)
{
    sk_buf_reset(&out);
    sk_buf_reset(&err);
    sk_buf_reset(&reports);
    return sk_cmd_run(&app, line, &io);
}

/* The reports of pressing and releasing keys given as "mods usage" pairs. */
static int reports_are(const uint8_t *pairs, size_t n)
{
    if (reports.len != n * 16) {
        fprintf(stderr, "  got %zu report bytes, want %zu\n", reports.len, n * 16);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t press[8] = {pairs[2 * i], 0, pairs[2 * i + 1]}, release[8] = {0};
        if (memcmp(reports.data + i * 16, press, 8) != 0 ||
            memcmp(reports.data + i * 16 + 8, release, 8) != 0) {
            fprintf(stderr, "  stroke %zu differs\n", i);
            return 0;
        }
    }
    return 1;
}

static void test_type(void)
{
    CHECK_EQ_INT(run("type Hi there!"), 0);
    const uint8_t want[] = {0x02, 0x0b, 0,    0x0c, 0,    0x2c, 0,    0x17, 0,
                            0x0b, 0,    0x08, 0,    0x15, 0,    0x08, 0x02, 0x1e};
    CHECK(reports_are(want, 9));
    /* The text is verbatim: quotes and double spaces are typed as they came. */
    CHECK_EQ_INT(run("type a  'b"), 0);
    const uint8_t want2[] = {0, 0x04, 0, 0x2c, 0, 0x2c, 0, 0x34, 0, 0x05};
    CHECK(reports_are(want2, 5));
    CHECK_EQ_INT(run("type"), 2);
    CHECK(strstr(err.data, "nothing to type") != NULL);
    /* With the target's Caps Lock on, letters flip Shift so the text comes out as asked. */
    target_leds = 0x02;
    CHECK_EQ_INT(run("type Hi 1!"), 0);
    const uint8_t want3[] = {0, 0x0b, 0x02, 0x0c, 0, 0x2c, 0, 0x1e, 0x02, 0x1e};
    CHECK(reports_are(want3, 5));
    target_leds = 0;
}

static void test_untypable(void)
{
    CHECK_EQ_INT(run("type caf\xc3\xa9"), 1);
    CHECK_EQ_INT(reports.len, 0);
    CHECK(strstr(err.data, "U+00E9") != NULL);
    CHECK_EQ_INT(run("type --keymap nosuch abc"), 2);
    CHECK(strstr(err.data, "nosuch") != NULL);
    CHECK_EQ_INT(reports.len, 0);
}

static void test_key(void)
{
    CHECK_EQ_INT(run("key ctrl+alt+delete f2 enter shift+tab"), 0);
    const uint8_t want[] = {0x05, 0x4c, 0, 0x3b, 0, 0x28, 0x02, 0x2b};
    CHECK(reports_are(want, 4));
    CHECK_EQ_INT(run("key f2 nosuchkey"), 2);
    CHECK_EQ_INT(reports.len, 0); /* nothing is sent when any name is bad */
    CHECK(strstr(err.data, "nosuchkey") != NULL);
    CHECK(strstr(err.data, "usage:") != NULL);
    CHECK_EQ_INT(run("key"), 2);
}

static void test_paste(void)
{
    stdin_text = "ab\ncd\r\n";
    stdin_pos = 0;
    CHECK_EQ_INT(run("paste"), 0);
    const uint8_t want[] = {0, 0x04, 0, 0x05, 0, 0x28, 0, 0x06, 0, 0x07, 0, 0x28};
    CHECK(reports_are(want, 6));
    stdin_text = "ok\n\xe2\x82\xac\n";
    stdin_pos = 0;
    CHECK_EQ_INT(run("paste"), 1);
    CHECK_EQ_INT(reports.len, 0);
    CHECK(strstr(err.data, "U+20AC") != NULL);
    CHECK_EQ_INT(run("paste extra"), 2);
}

static void test_snapshot_and_status(void)
{
    struct sk_frame *f = sk_frame_new(0);
    sk_frame_set_data(f, "\xff\xd8 jpeg bytes \xff\xd9", 16);
    f->width = 640;
    f->height = 480;
    f->format = SK_FRAME_JPEG;
    sk_hub_publish(app.hub, f);
    /* A frame published before the request is not "now": snapshot waits for the next. */
    CHECK_EQ_INT(run("snapshot"), 1);
    CHECK(strstr(err.data, "no frame from the capture source") != NULL);
    pthread_t t;
    pthread_create(&t, NULL, publish_later, f);
    CHECK_EQ_INT(run("snapshot"), 0);
    pthread_join(t, NULL);
    sk_frame_unref(f);
    CHECK(out.len == 16 && memcmp(out.data, "\xff\xd8 jpeg bytes \xff\xd9", 16) == 0);
    CHECK_EQ_INT(run("snapshot now"), 2);
    target_leds = 0x02;
    CHECK_EQ_INT(run("status"), 0);
    target_leds = 0;
    CHECK(strncmp(out.data, "{\"source\":\"test\",\"resolution\":\"640x480\"", 39) == 0);
    CHECK(strstr(out.data, "\"caps\":true") != NULL);
    CHECK(strstr(out.data, "\"state\":\"ok\"") != NULL);
    CHECK(out.data[out.len - 1] == '\n' && strchr(out.data, '\n') == out.data + out.len - 1);
}

static void test_unknown(void)
{
    CHECK_EQ_INT(run("rm -rf /"), 2);
    CHECK(strstr(err.data, "unknown command 'rm'") != NULL);
    CHECK_EQ_INT(out.len, 0);
    CHECK_EQ_INT(run("help"), 0);
    CHECK(strstr(out.data, "paste") != NULL);
}

int main(void)
{
    char e[256];
    app.hub = sk_hub_new();
    app.keymap = sk_keymap_load("keymaps", "us", e, sizeof(e));
    app.keymap_dir = "keymaps";
    app.video_name = "test";
    if (app.keymap == NULL) {
        fprintf(stderr, "%s\n", e);
        return 1;
    }
    struct sk_hid_opts ho = {.keyboard = "demo", .demo_keyboard = record, .demo_leds = leds};
    app.hid = sk_hid_new(&ho);
    if (sk_hid_open(app.hid, e, sizeof(e)) != 0 || sk_hid_flush(app.hid, 2000) != 0) {
        fprintf(stderr, "%s\n", e);
        return 1;
    }
    SK_RUN(test_type);
    SK_RUN(test_untypable);
    SK_RUN(test_key);
    SK_RUN(test_paste);
    SK_RUN(test_snapshot_and_status);
    SK_RUN(test_unknown);
    sk_hid_close(app.hid);
    sk_hid_free(app.hid);
    sk_keymap_free(app.keymap);
    sk_hub_free(app.hub);
    sk_buf_free(&reports);
    sk_buf_free(&out);
    sk_buf_free(&err);
    return SK_CHECK_EXIT();
}

/*
 * test_capture: --video spec checking, open errors, and the file source
 * played through the capture thread into a real hub.
 *
 * Fixtures are read from tests/data (run from the repository root, or set
 * SK_TEST_DATA to the folder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "check.h"
#include "video/frame.h"
#include "video/hub.h"
#include "base/log.h"
#include "base/util.h"

#define NREF 12

struct span {
    size_t off;
    size_t len;
};

static uint8_t *read_data(const char *name, size_t *len)
{
    const char *dir = sk_test_data();
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "  cannot open %s (run from the repository root)\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = xmalloc((size_t)n + 1);
    CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Frame boundaries of the simple ffmpeg fixture, found naively (FFD8 .. FFD9). */
static size_t naive_split(const uint8_t *buf, size_t len, struct span *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < len && n < max;) {
        if (buf[i] == 0xFF && buf[i + 1] == 0xD8) {
            size_t j = i + 2;
            while (j + 1 < len && !(buf[j] == 0xFF && buf[j + 1] == 0xD9)) {
                j++;
            }
            out[n++] = (struct span){.off = i, .len = j + 2 - i};
            i = j + 2;
        } else {
            i++;
        }
    }
    return n;
}

static char *write_temp(const void *data, size_t len)
{
    char *path = xstrdup("/tmp/sk-test-capture-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, data, len) == (ssize_t)len);
    close(fd);
    return path;
}

static void test_check_spec(void)
{
    static const char *good[] = {"demo", "file:x.mjpeg", "file:/tmp/a b", "/dev/video0",
                                 "/dev/v4l/by-id/usb-MACROSILICON-video-index0"};
    char err[128];
    for (size_t k = 0; k < SK_ARRAY_LEN(good); k++) {
        err[0] = '\0';
        CHECK_EQ_INT(sk_capture_check_spec(good[k], err, sizeof(err)), 0);
        CHECK_STR(err, "");
    }
    CHECK_EQ_INT(sk_capture_check_spec("foo", err, sizeof(err)), -1);
    CHECK_STR(err, "'foo' is not demo, /dev/videoN or file:PATH");
    static const char *bad[] = {"", "file:", "/dev/", "Demo", "video0", "dev/video0"};
    for (size_t k = 0; k < SK_ARRAY_LEN(bad); k++) {
        err[0] = '\0';
        CHECK_EQ_INT(sk_capture_check_spec(bad[k], err, sizeof(err)), -1);
        CHECK(strstr(err, "is not demo, /dev/videoN or file:PATH") != NULL);
    }
}

static int open_fails(const char *spec, const char *want_in_err)
{
    struct sk_hub *hub = sk_hub_new();
    struct sk_capture *cap = sk_capture_new(&(struct sk_capture_opts){.spec = spec, .hub = hub});
    char err[256] = "";
    int rc = sk_capture_open(cap, err, sizeof(err));
    int ok = rc == -1 && strstr(err, want_in_err) != NULL;
    if (!ok) {
        fprintf(stderr, "  open(%s): rc %d, err \"%s\", wanted \"%s\"\n", spec, rc, err,
                want_in_err);
    }
    sk_capture_close(cap);
    sk_capture_free(cap);
    sk_hub_free(hub);
    return ok;
}

static void test_open_errors(void)
{
    CHECK(open_fails("foo", "'foo' is not demo"));
    CHECK(open_fails("file:/nonexistent/x.mjpeg", "/nonexistent/x.mjpeg"));
    CHECK(open_fails("demo", "demo")); /* no demo target given */
    CHECK(open_fails("/dev/null", "/dev/null: not a V4L2 device"));

    char *empty = write_temp("", 0);
    char spec[300];
    snprintf(spec, sizeof(spec), "file:%s", empty);
    CHECK(open_fails(spec, "empty"));
    unlink(empty);
    free(empty);

    char *text = write_temp("hello, not a JPEG\n", 18);
    snprintf(spec, sizeof(spec), "file:%s", text);
    CHECK(open_fails(spec, "no JPEG frames"));
    unlink(text);
    free(text);
}

/* A capture device not plugged in at start: no error, NO SIGNAL while watched, retried. */
static void test_missing_device_waits(void)
{
    struct sk_hub *hub = sk_hub_new();
    struct sk_capture *cap = sk_capture_new(
        &(struct sk_capture_opts){.spec = "/dev/video-sk-missing", .hub = hub, .input = -1});
    char err[256] = "";
    CHECK_EQ_INT(sk_capture_open(cap, err, sizeof(err)), 0);
    struct sk_capture_stats cs;
    sk_capture_stats(cap, &cs);
    CHECK_STR(cs.state, "no-device");
    CHECK_STR(cs.format, "");
    /* Nobody watches: nothing is published. */
    struct sk_frame *f = sk_hub_wait(hub, 0, 300);
    CHECK(f == NULL);
    /* A watcher gets NO SIGNAL pictures, about one a second. */
    sk_hub_watch(hub, 1);
    f = sk_hub_wait(hub, 0, 2000);
    CHECK(f != NULL && f->no_signal && f->format == SK_FRAME_JPEG && f->width == 640);
    uint64_t seq = f ? f->seq : 0;
    sk_frame_unref(f);
    f = sk_hub_wait(hub, seq, 2500);
    CHECK(f != NULL && f->no_signal);
    sk_frame_unref(f);
    sk_hub_watch(hub, -1);
    sk_capture_stats(cap, &cs);
    CHECK_STR(cs.state, "no-device");
    CHECK_EQ_INT(cs.frames, 0);
    CHECK_EQ_INT(cs.reconnects, 0);
    sk_capture_close(cap);
    sk_capture_free(cap);
    sk_hub_free(hub);
}

static void test_file_playback(void)
{
    size_t len = 0;
    uint8_t *src = read_data("testsrc-320x240.mjpeg", &len);
    struct span ref[NREF + 1];
    CHECK_EQ_INT(naive_split(src, len, ref, NREF + 1), NREF);

    const char *dir = sk_test_data();
    char spec[512];
    snprintf(spec, sizeof(spec), "file:%s/testsrc-320x240.mjpeg", dir);
    struct sk_hub *hub = sk_hub_new();
    struct sk_capture *cap =
        sk_capture_new(&(struct sk_capture_opts){.spec = spec, .hub = hub, .fps = 30});
    char err[256] = "";
    CHECK_EQ_INT(sk_capture_open(cap, err, sizeof(err)), 0);
    CHECK_STR(sk_capture_name(cap), spec);

    /* 2.5 loops. Frames may be skipped by a slow reader, so match by seq. */
    uint64_t seq = 0;
    int64_t first_us = 0;
    int64_t last_us = 0;
    int got = 0;
    int mismatches = 0;
    while (seq < 30) {
        struct sk_frame *f = sk_hub_wait(hub, seq, 2000);
        CHECK(f != NULL);
        if (f == NULL) {
            break;
        }
        size_t k = (size_t)((f->seq - 1) % NREF);
        mismatches += f->format != SK_FRAME_JPEG || f->width != 320 || f->height != 240 ||
                      f->no_signal || f->size != ref[k].len ||
                      memcmp(f->data, src + ref[k].off, ref[k].len) != 0;
        if (f->seq == 1) {
            first_us = f->captured_us;
        }
        last_us = f->captured_us;
        seq = f->seq;
        got++;
        sk_frame_unref(f);
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK(got >= 20);
    CHECK(seq >= 30);
    /* 29 periods of 1/30 s is 0.967 s; allow a loaded machine some slack. */
    double span_s = (double)(last_us - first_us) / 1e6;
    CHECK(first_us > 0 && span_s > 0.85 && span_s < 1.6);

    int64_t t0 = sk_now_us();
    /* A file plays whether or not anyone watches; its frames are JPEG already. */
    struct sk_capture_stats cs;
    sk_capture_stats(cap, &cs);
    CHECK_STR(cs.state, "streaming");
    CHECK_STR(cs.format, "jpeg");
    CHECK(cs.frames >= 30);
    CHECK_EQ_INT(cs.dropped, 0);
    CHECK_EQ_INT(cs.restarts + cs.reconnects, 0);
    sk_capture_close(cap);
    CHECK(sk_now_us() - t0 < 300000);
    sk_capture_close(cap); /* idempotent */
    struct sk_hub_stats st;
    sk_hub_stats(hub, &st);
    uint64_t published = st.published;
    sk_sleep_ms(100);
    sk_hub_stats(hub, &st);
    CHECK_EQ_INT(st.published, published); /* really stopped */

    /* Reopen after close works, from the first frame again. */
    CHECK_EQ_INT(sk_capture_open(cap, err, sizeof(err)), 0);
    struct sk_frame *f = sk_hub_wait(hub, published, 2000);
    CHECK(f != NULL && f->size == ref[0].len && memcmp(f->data, src, ref[0].len) == 0);
    sk_frame_unref(f);
    sk_capture_free(cap);
    sk_hub_free(hub);
    free(src);
}

static void test_file_skips_invalid(void)
{
    size_t len = 0;
    uint8_t *src = read_data("testsrc-320x240.mjpeg", &len);
    struct span ref[NREF + 1];
    CHECK_EQ_INT(naive_split(src, len, ref, NREF + 1), NREF);

    /* A complete SOI..SOS..EOI without a frame header: split off, then skipped. */
    static const uint8_t no_sof[] = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x03,
                                     0x01, 0x11, 0x22, 0xFF, 0xD9};
    struct sk_buf b = {0};
    sk_buf_append(&b, src + ref[0].off, ref[0].len);
    sk_buf_append(&b, no_sof, sizeof(no_sof));
    sk_buf_append(&b, src + ref[5].off, ref[5].len);
    char *path = write_temp(b.data, b.len);
    char spec[300];
    snprintf(spec, sizeof(spec), "file:%s", path);

    struct sk_hub *hub = sk_hub_new();
    struct sk_capture *cap =
        sk_capture_new(&(struct sk_capture_opts){.spec = spec, .hub = hub, .fps = 100});
    char err[256] = "";
    CHECK_EQ_INT(sk_capture_open(cap, err, sizeof(err)), 0);
    uint64_t seq = 0;
    int mismatches = 0;
    while (seq < 6) {
        struct sk_frame *f = sk_hub_wait(hub, seq, 2000);
        CHECK(f != NULL);
        if (f == NULL) {
            break;
        }
        const struct span *want = (f->seq % 2) ? &ref[0] : &ref[5];
        mismatches += f->size != want->len || memcmp(f->data, src + want->off, want->len) != 0;
        seq = f->seq;
        sk_frame_unref(f);
    }
    CHECK_EQ_INT(mismatches, 0);
    sk_capture_free(cap); /* free closes */
    sk_hub_free(hub);
    unlink(path);
    free(path);
    sk_buf_free(&b);
    free(src);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_check_spec);
    SK_RUN(test_open_errors);
    SK_RUN(test_missing_device_waits);
    SK_RUN(test_file_playback);
    SK_RUN(test_file_skips_invalid);
    return SK_CHECK_EXIT();
}

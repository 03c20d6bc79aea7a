/*
 * test_negotiate: the pure decisions of V4L2 capture: --format names, which
 * formats are tried in which order, --resolution, the reopen backoff
 * schedule, and the check of a dequeued MJPEG buffer (SOI, EOI, bytesused,
 * junk after the EOI cut off).
 */
#include <stdlib.h>
#include <string.h>

#include "capture/negotiate.h"
#include "check.h"
#include "video/jpeg.h"
#include "base/util.h"

static void test_format_names(void)
{
    uint32_t f = 1;
    CHECK_EQ_INT(sk_format_parse("auto", &f), 0);
    CHECK_EQ_INT(f, 0);
    CHECK_EQ_INT(sk_format_parse("mjpeg", &f), 0);
    CHECK_EQ_INT(f, SK_FMT_MJPEG);
    CHECK_EQ_INT(sk_format_parse("yuyv", &f), 0);
    CHECK_EQ_INT(f, SK_FMT_YUYV);
    CHECK_EQ_INT(sk_format_parse("rgb24", &f), 0);
    CHECK_EQ_INT(f, SK_FMT_RGB24);
    CHECK_EQ_INT(sk_format_parse("MJPEG", &f), -1);
    CHECK_EQ_INT(sk_format_parse("nv12", &f), -1);
    CHECK_EQ_INT(sk_format_parse("", &f), -1);
    CHECK_STR(sk_format_name(SK_FMT_JPEG), "jpeg");
    CHECK(sk_format_name(SK_FOURCC('N', 'V', '1', '2')) == NULL);
    char cc[5];
    sk_format_fourcc_str(SK_FMT_MJPEG, cc);
    CHECK_STR(cc, "MJPG");
    sk_format_fourcc_str(0x01020304, cc);
    CHECK_STR(cc, "????");
    CHECK(sk_format_is_jpeg(SK_FMT_MJPEG) && sk_format_is_jpeg(SK_FMT_JPEG));
    CHECK(!sk_format_is_jpeg(SK_FMT_YUYV));
}

static void test_format_choices(void)
{
    uint32_t out[SK_FMT_MAX_CHOICES];
    /* A UVC dongle: YUYV listed first, MJPEG second; MJPEG still wins. */
    const uint32_t dongle[] = {SK_FMT_YUYV, SK_FMT_MJPEG};
    CHECK_EQ_INT(sk_format_choices(dongle, 2, 0, out), 2);
    CHECK_EQ_INT(out[0], SK_FMT_MJPEG);
    CHECK_EQ_INT(out[1], SK_FMT_YUYV);
    /* vivid: YUYV and many others, libv4l2's RGB24 among them; no MJPEG. */
    const uint32_t vivid[] = {SK_FOURCC('U', 'Y', 'V', 'Y'), SK_FMT_RGB24, SK_FMT_YUYV,
                              SK_FOURCC('N', 'V', '1', '2')};
    CHECK_EQ_INT(sk_format_choices(vivid, 4, 0, out), 2);
    CHECK_EQ_INT(out[0], SK_FMT_YUYV);
    CHECK_EQ_INT(out[1], SK_FMT_RGB24);
    /* A bridge that only has UYVY (and libv4l2's conversions): RGB24. */
    const uint32_t bridge[] = {SK_FOURCC('U', 'Y', 'V', 'Y'), SK_FMT_RGB24,
                               SK_FOURCC('B', 'G', 'R', '3')};
    CHECK_EQ_INT(sk_format_choices(bridge, 3, 0, out), 1);
    CHECK_EQ_INT(out[0], SK_FMT_RGB24);
    /* JPEG (not MJPG) cameras. */
    const uint32_t jpeg[] = {SK_FMT_JPEG};
    CHECK_EQ_INT(sk_format_choices(jpeg, 1, 0, out), 1);
    CHECK_EQ_INT(out[0], SK_FMT_JPEG);
    /* Nothing usable. */
    const uint32_t grey[] = {SK_FOURCC('G', 'R', 'E', 'Y')};
    CHECK_EQ_INT(sk_format_choices(grey, 1, 0, out), 0);
    CHECK_EQ_INT(sk_format_choices(NULL, 0, 0, out), 0);
    /* An explicit format is the only choice, listed or not (S_FMT's answer decides). */
    CHECK_EQ_INT(sk_format_choices(dongle, 2, SK_FMT_YUYV, out), 1);
    CHECK_EQ_INT(out[0], SK_FMT_YUYV);
    CHECK_EQ_INT(sk_format_choices(vivid, 4, SK_FMT_MJPEG, out), 1);
    CHECK_EQ_INT(out[0], SK_FMT_MJPEG);
}

static void test_resolution(void)
{
    unsigned w = 0, h = 0;
    CHECK_EQ_INT(sk_resolution_parse("1920x1080", &w, &h), 0);
    CHECK_EQ_INT(w, 1920);
    CHECK_EQ_INT(h, 1080);
    CHECK_EQ_INT(sk_resolution_parse("640X480", &w, &h), 0);
    CHECK_EQ_INT(w, 640);
    static const char *bad[] = {"",           "1920",      "1920x",    "x1080",
                                "1920x1080p", "-640x480",  "640x-480", "8x8",
                                "9000x100",   "640 x 480", "0x0",      "+640x480"};
    for (size_t k = 0; k < SK_ARRAY_LEN(bad); k++) {
        w = h = 7;
        CHECK_EQ_INT(sk_resolution_parse(bad[k], &w, &h), -1);
        CHECK_EQ_INT(w, 7); /* untouched on error */
    }
}

static void test_backoff(void)
{
    /* 0.5 s doubling to 5 s, then 5 s for ever. */
    const int64_t want[] = {500000, 1000000, 2000000, 4000000, 5000000, 5000000, 5000000};
    int64_t b = 0;
    for (size_t k = 0; k < SK_ARRAY_LEN(want); k++) {
        b = sk_backoff_next(b);
        CHECK_EQ_INT(b, want[k]);
    }
    CHECK_EQ_INT(sk_backoff_next(-3), SK_BACKOFF_MIN_US);
}

static void test_mjpeg_buffer(void)
{
    /* A real JPEG, 64x48, from our own encoder. */
    static uint8_t rgb[64 * 48 * 3];
    for (size_t k = 0; k < sizeof(rgb); k++) {
        rgb[k] = (uint8_t)(k * 7);
    }
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(80);
    struct sk_frame *f = sk_frame_new(0);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, rgb, 64, 48, 64 * 3, f), 0);
    size_t n = f->size;
    size_t buflen = n + 4096;
    uint8_t *buf = xcalloc(1, buflen);
    memcpy(buf, f->data, n);
    size_t len = 0;

    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, n, buflen, &len), SK_MJPEG_OK);
    CHECK_EQ_INT(len, n);
    /* v4l2loopback's stale first buffer: bytesused = the whole buffer, zeros after EOI. */
    len = 0;
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, buflen, buflen, &len), SK_MJPEG_OK);
    CHECK_EQ_INT(len, n);
    /* Text after the EOI (cheap dongles): cut off. */
    memcpy(buf + n, "JUNKJUNKJUNK", 12);
    len = 0;
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, n + 12, buflen, &len), SK_MJPEG_OK);
    CHECK_EQ_INT(len, n);
    /* Truncated: no EOI. */
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, n - 10, buflen, &len), SK_MJPEG_BAD);
    /* No SOI at the start. */
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf + 1, n - 1, buflen - 1, &len), SK_MJPEG_BAD);
    /* bytesused beyond the buffer, and below any real JPEG. */
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, buflen + 1, buflen, &len), SK_MJPEG_OVERSIZED);
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, SK_MJPEG_MIN_BYTES - 1, buflen, &len),
                 SK_MJPEG_TOO_SMALL);
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, 0, buflen, &len), SK_MJPEG_TOO_SMALL);
    /* Zeros only (a dongle's empty frame). */
    memset(buf, 0, buflen);
    CHECK_EQ_INT(sk_mjpeg_check_buffer(buf, buflen, buflen, &len), SK_MJPEG_BAD);

    free(buf);
    sk_frame_unref(f);
    sk_jpeg_enc_free(enc);
}

int main(void)
{
    SK_RUN(test_format_names);
    SK_RUN(test_format_choices);
    SK_RUN(test_resolution);
    SK_RUN(test_backoff);
    SK_RUN(test_mjpeg_buffer);
    return SK_CHECK_EXIT();
}

/*
 * test_jpeg: DCT-scaled decoding, RGB and YUYV encoding, header info.
 *
 * Fixtures are read from tests/data (run from the repository root, or set
 * SK_TEST_DATA to the folder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "check.h"
#include "video/frame.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "capture/mjpeg.h"
#include "base/util.h"

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

/* The first JPEG of the fixture stream, found with the splitter. */
static uint8_t *first_frame(size_t *len)
{
    size_t all = 0;
    uint8_t *buf = read_data("testsrc-320x240.mjpeg", &all);
    size_t off = 0;
    size_t flen = 0;
    long n = sk_mjpeg_next(buf, all, 1, &off, &flen);
    CHECK(n > 0 && flen > 0 && off == 0);
    *len = flen;
    return buf;
}

static void test_info(void)
{
    size_t len = 0;
    uint8_t *jpeg = first_frame(&len);
    unsigned w = 0;
    unsigned h = 0;
    CHECK_EQ_INT(sk_jpeg_info(jpeg, len, &w, &h), 0);
    CHECK_EQ_INT(w, 320);
    CHECK_EQ_INT(h, 240);
    free(jpeg);

    /* The EXIF thumbnail (16x16, inside APP1) must not be taken for the picture. */
    uint8_t *exif = read_data("exif-thumb-64x48.jpg", &len);
    CHECK_EQ_INT(sk_jpeg_info(exif, len, &w, &h), 0);
    CHECK_EQ_INT(w, 64);
    CHECK_EQ_INT(h, 48);
    free(exif);

    static const uint8_t junk[] = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x00};
    CHECK_EQ_INT(sk_jpeg_info(junk, sizeof(junk), &w, &h), -1);
    CHECK_EQ_INT(sk_jpeg_info((const uint8_t *)"hello", 5, &w, &h), -1);
}

static void test_decode_scales(void)
{
    static const struct {
        unsigned min_w, min_h, want_w, want_h;
    } cases[] = {
        {0, 0, 40, 30},         /* 1/8 */
        {40, 30, 40, 30},       /* 1/8 exactly */
        {41, 30, 80, 60},       /* 1/4 */
        {100, 100, 160, 120},   /* 1/2: 3/8 would be 120x90 */
        {161, 0, 200, 150},     /* 5/8 */
        {0, 151, 240, 180},     /* 3/4 */
        {250, 0, 280, 210},     /* 7/8 */
        {300, 200, 320, 240},   /* full */
        {1000, 1000, 320, 240}, /* never scaled up */
    };
    size_t len = 0;
    uint8_t *jpeg = first_frame(&len);
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    for (size_t k = 0; k < SK_ARRAY_LEN(cases); k++) {
        CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg, len, cases[k].min_w, cases[k].min_h, &img), 0);
        CHECK_EQ_INT(img.width, cases[k].want_w);
        CHECK_EQ_INT(img.height, cases[k].want_h);
        CHECK_EQ_INT(img.pitch, cases[k].want_w * 3);
    }

    /* Full size and 1/8 must show the same picture: compare block averages. */
    struct sk_image small = {0};
    CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg, len, 0, 0, &small), 0);
    CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg, len, 320, 240, &img), 0);
    int worst = 0;
    for (unsigned by = 0; by < 30; by += 3) {
        for (unsigned bx = 0; bx < 40; bx += 3) {
            for (int c = 0; c < 3; c++) {
                long sum = 0;
                for (unsigned y = 0; y < 8; y++) {
                    for (unsigned x = 0; x < 8; x++) {
                        sum += img.pixels[(by * 8 + y) * img.pitch + (bx * 8 + x) * 3 + c];
                    }
                }
                int avg = (int)(sum / 64);
                int d = abs(avg - small.pixels[by * small.pitch + bx * 3 + c]);
                worst = d > worst ? d : worst;
            }
        }
    }
    CHECK(worst <= 24);
    sk_image_free(&small);
    sk_image_free(&img);
    sk_jpeg_dec_free(dec);
    free(jpeg);
}

static void test_decode_bad(void)
{
    size_t len = 0;
    uint8_t *jpeg = first_frame(&len);
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    CHECK_EQ_INT(sk_jpeg_decode(dec, (const uint8_t *)"not a jpeg", 10, 0, 0, &img), -1);
    CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg, 100, 0, 0, &img), -1);
    /* A good frame after bad ones decodes (and resets the log-once state). */
    CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg, len, 0, 0, &img), 0);
    CHECK_EQ_INT(img.width, 40);
    /* A header claiming 65535x65535 is refused before any pixel memory is taken. */
    for (size_t i = 0; i + 9 < len; i++) {
        if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
            jpeg[i + 5] = jpeg[i + 6] = jpeg[i + 7] = jpeg[i + 8] = 0xFF;
            break;
        }
    }
    unsigned w = 0, h = 0;
    CHECK_EQ_INT(sk_jpeg_info(jpeg, len, &w, &h), 0);
    CHECK_EQ_INT(w, 65535);
    size_t cap_before = img.capacity;
    CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg, len, 0, 0, &img), -1);
    CHECK_EQ_INT(img.capacity, cap_before);
    sk_image_free(&img);
    sk_jpeg_dec_free(dec);
    free(jpeg);
}

static void check_jpeg_frame(const struct sk_frame *f, unsigned w, unsigned h)
{
    CHECK_EQ_INT(f->format, SK_FRAME_JPEG);
    CHECK_EQ_INT(f->width, w);
    CHECK_EQ_INT(f->height, h);
    CHECK(f->size > 4 && f->size <= f->capacity);
    CHECK(f->data[0] == 0xFF && f->data[1] == 0xD8);
    CHECK(f->data[f->size - 2] == 0xFF && f->data[f->size - 1] == 0xD9);
    CHECK_EQ_INT(sk_mjpeg_validate(f->data, f->size), (long)f->size);
}

static void test_encode_rgb(void)
{
    const unsigned w = 64;
    const unsigned h = 48;
    const unsigned pitch = w * 3 + 7; /* padded rows must be honoured */
    uint8_t *rgb = xcalloc(pitch, h);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x++) {
            uint8_t *p = rgb + y * pitch + x * 3;
            p[0] = (uint8_t)(x * 4);
            p[1] = (uint8_t)(y * 5);
            p[2] = (uint8_t)(128 + x - y);
        }
    }
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(95);
    struct sk_frame *f = sk_frame_new(16);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, rgb, w, h, pitch, f), 0);
    check_jpeg_frame(f, w, h);

    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    CHECK_EQ_INT(sk_jpeg_decode(dec, f->data, f->size, w, h, &img), 0);
    CHECK_EQ_INT(img.width, w);
    CHECK_EQ_INT(img.height, h);
    long total = 0;
    int worst = 0;
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w * 3; x++) {
            int d = abs(img.pixels[y * img.pitch + x] - rgb[y * pitch + x]);
            total += d;
            worst = d > worst ? d : worst;
        }
    }
    CHECK(worst <= 16);
    CHECK(total / (long)(w * h * 3) <= 3);

    /* The same frame can be reused for a bigger picture. */
    uint8_t *big = xcalloc(320 * 3, 200);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, big, 320, 200, 320 * 3, f), 0);
    check_jpeg_frame(f, 320, 200);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, big, 0, 200, 0, f), -1);

    free(big);
    sk_image_free(&img);
    sk_jpeg_dec_free(dec);
    sk_frame_unref(f);
    sk_jpeg_enc_free(enc);
    free(rgb);
}

static void test_encode_yuyv(void)
{
    /* Left half mid grey, right half red (JFIF full-range YCbCr). */
    const unsigned w = 64;
    const unsigned h = 32;
    const unsigned pitch = w * 2;
    uint8_t *yuyv = xmalloc(pitch * h);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x += 2) {
            uint8_t *p = yuyv + y * pitch + x * 2;
            int right = x >= w / 2;
            p[0] = p[2] = right ? 81 : 200;
            p[1] = right ? 90 : 128;
            p[3] = right ? 240 : 128;
        }
    }
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(95);
    struct sk_frame *f = sk_frame_new(0);
    CHECK_EQ_INT(sk_jpeg_encode_yuyv(enc, yuyv, w, h, pitch, f), 0);
    check_jpeg_frame(f, w, h);

    /* It really is a 4:2:2 JPEG (no RGB round trip with 4:2:0). */
    tjhandle tj = tjInitDecompress();
    int jw = 0;
    int jh = 0;
    int sub = -1;
    int cs = -1;
    CHECK_EQ_INT(tjDecompressHeader3(tj, f->data, f->size, &jw, &jh, &sub, &cs), 0);
    CHECK_EQ_INT(sub, TJSAMP_422);
    CHECK_EQ_INT(cs, TJCS_YCbCr);
    tjDestroy(tj);

    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    CHECK_EQ_INT(sk_jpeg_decode(dec, f->data, f->size, w, h, &img), 0);
    const uint8_t *grey = img.pixels + 16 * img.pitch + 12 * 3;
    const uint8_t *red = img.pixels + 16 * img.pitch + 52 * 3;
    /* R = Y + 1.402 (Cr-128), G = Y - 0.344 (Cb-128) - 0.714 (Cr-128), B = Y + 1.772 (Cb-128). */
    CHECK(abs(grey[0] - 200) <= 4 && abs(grey[1] - 200) <= 4 && abs(grey[2] - 200) <= 4);
    CHECK(abs(red[0] - 238) <= 8 && abs(red[1] - 14) <= 8 && abs(red[2] - 14) <= 8);

    sk_image_free(&img);
    sk_jpeg_dec_free(dec);
    sk_frame_unref(f);
    sk_jpeg_enc_free(enc);
    free(yuyv);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_info);
    SK_RUN(test_decode_scales);
    SK_RUN(test_decode_bad);
    SK_RUN(test_encode_rgb);
    SK_RUN(test_encode_yuyv);
    return SK_CHECK_EXIT();
}

/*
 * test_picture: a frame to pixels at a wanted size. Raw companions (YUYV,
 * RGB24) are box-filtered directly, with the same colours a JPEG decode of
 * the same picture gives; frames without one are decoded from their JPEG;
 * malformed raw pixels are refused, never read out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "video/jpeg.h"
#include "video/picture.h"
#include "base/util.h"

/* A YUYV frame: left half mid grey, right half red, like test_jpeg's. */
static struct sk_frame *yuyv_frame(unsigned w, unsigned h, unsigned pitch)
{
    struct sk_frame *raw = sk_frame_new((size_t)pitch * h);
    memset(raw->data, 0xEE, (size_t)pitch * h); /* row padding: must never show */
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x += 2) {
            uint8_t *p = raw->data + (size_t)y * pitch + x * 2;
            int right = x >= w / 2;
            p[0] = p[2] = right ? 81 : 200;
            p[1] = right ? 90 : 128;
            p[3] = right ? 240 : 128;
        }
    }
    raw->size = (size_t)pitch * h;
    raw->width = w;
    raw->height = h;
    raw->pitch = pitch;
    raw->format = SK_FRAME_YUYV;
    return raw;
}

static int near(const uint8_t *px, int r, int g, int b, int tol)
{
    return abs(px[0] - r) <= tol && abs(px[1] - g) <= tol && abs(px[2] - b) <= tol;
}

static void test_yuyv_scaled(void)
{
    struct sk_frame *raw = yuyv_frame(64, 32, 64 * 2 + 8);
    struct sk_image img = {0};
    /* 16x8 wanted: a factor of 4. */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 16, 8, &img), 0);
    CHECK_EQ_INT(img.width, 16);
    CHECK_EQ_INT(img.height, 8);
    CHECK(near(img.pixels + 4 * img.pitch + 3 * 3, 200, 200, 200, 1));
    /* The JPEG colours of YCbCr (81, 90, 240): 238, 14, 14 (see test_jpeg). */
    CHECK(near(img.pixels + 4 * img.pitch + 13 * 3, 238, 14, 14, 2));
    /* Not a whole factor: the largest that still covers 20x10 is 3 (21x10). */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 20, 10, &img), 0);
    CHECK_EQ_INT(img.width, 21);
    CHECK_EQ_INT(img.height, 10);
    /* A factor of 32, sampled 4 x 4 per block: still exactly the two halves. */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 2, 1, &img), 0);
    CHECK_EQ_INT(img.width, 2);
    CHECK_EQ_INT(img.height, 1);
    CHECK(near(img.pixels, 200, 200, 200, 1));
    CHECK(near(img.pixels + 3, 238, 14, 14, 2));
    /* Bigger than the frame: full size. */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 1000, 1000, &img), 0);
    CHECK_EQ_INT(img.width, 64);
    CHECK_EQ_INT(img.height, 32);
    sk_image_free(&img);
    sk_frame_unref(raw);
}

static void test_same_colours_as_a_decode(void)
{
    /* The renderer must not see different colours for raw and JPEG frames. */
    struct sk_frame *raw = yuyv_frame(64, 32, 128);
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(100);
    struct sk_frame *jpeg = sk_frame_new(0);
    CHECK_EQ_INT(sk_jpeg_encode_yuyv(enc, raw->data, 64, 32, 128, jpeg), 0);
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image a = {0}, b = {0};
    CHECK_EQ_INT(sk_jpeg_decode(dec, jpeg->data, jpeg->size, 64, 32, &a), 0);
    CHECK_EQ_INT(sk_picture_from_raw(raw, 64, 32, &b), 0);
    const unsigned xs[] = {4, 20, 40, 60};
    for (size_t k = 0; k < SK_ARRAY_LEN(xs); k++) {
        const uint8_t *pa = a.pixels + 16 * a.pitch + xs[k] * 3;
        const uint8_t *pb = b.pixels + 16 * b.pitch + xs[k] * 3;
        CHECK(near(pa, pb[0], pb[1], pb[2], 4));
    }
    sk_image_free(&a);
    sk_image_free(&b);
    sk_jpeg_dec_free(dec);
    sk_frame_unref(jpeg);
    sk_jpeg_enc_free(enc);
    sk_frame_unref(raw);
}

static void test_rgb_box_filter(void)
{
    /* 4x2 RGB24, each 2x2 block averaged exactly. */
    static const uint8_t px[2][12] = {
        {10, 20, 30, 30, 40, 50, 0, 0, 0, 255, 255, 255},
        {50, 60, 70, 70, 80, 90, 255, 255, 255, 0, 0, 0},
    };
    struct sk_frame *raw = sk_frame_new(0);
    sk_frame_set_data(raw, px, sizeof(px));
    raw->width = 4;
    raw->height = 2;
    raw->pitch = 12;
    raw->format = SK_FRAME_RGB24;
    struct sk_image img = {0};
    CHECK_EQ_INT(sk_picture_from_raw(raw, 2, 1, &img), 0);
    CHECK_EQ_INT(img.width, 2);
    CHECK_EQ_INT(img.height, 1);
    const uint8_t want[6] = {40, 50, 60, 127, 127, 127};
    CHECK_MEM(img.pixels, want, 6);
    sk_image_free(&img);
    sk_frame_unref(raw);
}

static void test_bad_raw_refused(void)
{
    struct sk_image img = {0};
    struct sk_frame *raw = yuyv_frame(64, 32, 128);
    raw->size -= 1; /* pitch * height beyond the data */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 8, 8, &img), -1);
    raw->size += 1;
    raw->pitch = 100; /* rows shorter than width * 2 */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 8, 8, &img), -1);
    raw->pitch = 128;
    raw->width = 63; /* YUYV comes in pixel pairs */
    CHECK_EQ_INT(sk_picture_from_raw(raw, 8, 8, &img), -1);
    raw->width = 64;
    raw->format = SK_FRAME_JPEG;
    CHECK_EQ_INT(sk_picture_from_raw(raw, 8, 8, &img), -1);
    sk_frame_unref(raw);
    sk_image_free(&img);
}

static void test_get_prefers_raw(void)
{
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    /* A frame whose JPEG is garbage: only its raw pixels can give a picture. */
    struct sk_frame *f = sk_frame_new(0);
    sk_frame_set_data(f, "not a JPEG at all", 17);
    f->format = SK_FRAME_JPEG;
    f->width = 64;
    f->height = 32;
    CHECK_EQ_INT(sk_picture_get(dec, f, 32, 16, &img), -1);
    f->raw = yuyv_frame(64, 32, 128);
    CHECK_EQ_INT(sk_picture_get(dec, f, 32, 16, &img), 0);
    CHECK_EQ_INT(img.width, 32);
    CHECK(near(img.pixels + 8 * img.pitch + 2 * 3, 200, 200, 200, 1));
    sk_frame_unref(f); /* frees the companion too (ASan checks) */

    /* Without a companion: decoded from the JPEG with DCT scaling. */
    struct sk_frame *raw = yuyv_frame(64, 32, 128);
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(90);
    struct sk_frame *j = sk_frame_new(0);
    CHECK_EQ_INT(sk_jpeg_encode_yuyv(enc, raw->data, 64, 32, 128, j), 0);
    CHECK_EQ_INT(sk_picture_get(dec, j, 32, 16, &img), 0);
    CHECK_EQ_INT(img.width, 32);
    CHECK_EQ_INT(img.height, 16);
    sk_frame_unref(j);
    sk_frame_unref(raw);
    sk_jpeg_enc_free(enc);
    sk_image_free(&img);
    sk_jpeg_dec_free(dec);
}

int main(void)
{
    SK_RUN(test_yuyv_scaled);
    SK_RUN(test_same_colours_as_a_decode);
    SK_RUN(test_rgb_box_filter);
    SK_RUN(test_bad_raw_refused);
    SK_RUN(test_get_prefers_raw);
    return SK_CHECK_EXIT();
}

/*
 * bench_picture: what a raw source saves the renderer per frame.
 *
 * A 1920x1080 YUYV frame (what an HDMI dongle or bridge delivers raw) is
 * turned into the pixels an 80x24 and a 200x60 terminal need, two ways:
 * the baseline decodes the frame's JPEG with DCT scaling (what every
 * renderer did before raw pixels were attached), the new way box-filters
 * the raw pixels attached to the frame (sk_picture_get with frame->raw).
 * Prints the time per call of each and their ratio, measured in this run.
 * BENCH_SMOKE=1 in the environment: two calls each (make test's check that
 * the benchmark still runs); any failed call exits 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"
#include "video/jpeg.h"
#include "video/picture.h"
#include "term/render.h"
#include "base/util.h"

static double per_call_ms(int (*fn)(void *), void *ctx, int n)
{
    int64_t t0 = sk_now_us();
    for (int k = 0; k < n; k++) {
        if (fn(ctx) != 0) {
            fprintf(stderr, "bench_picture: call failed\n");
            exit(1);
        }
    }
    return (double)(sk_now_us() - t0) / 1000.0 / n;
}

struct job {
    struct sk_jpeg_dec *dec;
    struct sk_frame *jpeg; /* JPEG only */
    struct sk_frame *both; /* JPEG with the raw pixels attached */
    unsigned w, h;
    struct sk_image img;
};

static int decode(void *arg)
{
    struct job *j = arg;
    return sk_picture_get(j->dec, j->jpeg, j->w, j->h, &j->img);
}

static int from_raw(void *arg)
{
    struct job *j = arg;
    return sk_picture_get(j->dec, j->both, j->w, j->h, &j->img);
}

int main(void)
{
    const unsigned W = 1920, H = 1080, pitch = W * 2;
    struct sk_frame *raw = sk_frame_new((size_t)pitch * H);
    /* A busy picture (a gradient with texture), not a flat one that compresses to nothing. */
    for (unsigned y = 0; y < H; y++) {
        for (unsigned x = 0; x < W; x += 2) {
            uint8_t *p = raw->data + (size_t)y * pitch + x * 2;
            p[0] = (uint8_t)((x + y) ^ (x * 7));
            p[2] = (uint8_t)((x + y + 1) ^ (y * 3));
            p[1] = (uint8_t)(x / 8);
            p[3] = (uint8_t)(y / 5);
        }
    }
    raw->size = (size_t)pitch * H;
    raw->width = W;
    raw->height = H;
    raw->pitch = pitch;
    raw->format = SK_FRAME_YUYV;

    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(80);
    struct job j = {.dec = sk_jpeg_dec_new(), .jpeg = sk_frame_new(0)};
    if (sk_jpeg_encode_yuyv(enc, raw->data, W, H, pitch, j.jpeg) != 0) {
        fprintf(stderr, "bench_picture: JPEG encode failed\n");
        return 1;
    }
    j.both = sk_frame_new(0);
    sk_frame_set_data(j.both, j.jpeg->data, j.jpeg->size);
    j.both->width = W;
    j.both->height = H;
    j.both->format = SK_FRAME_JPEG;
    j.both->raw = raw;

    static const unsigned terms[][2] = {{80, 24}, {200, 60}};
    printf("bench_picture: a %ux%u YUYV frame (JPEG %zu bytes) to a terminal's pixels\n", W, H,
           j.jpeg->size);
    for (size_t t = 0; t < SK_ARRAY_LEN(terms); t++) {
        sk_render_wanted_size(terms[t][0], terms[t][1] - 1, W, H, &j.w, &j.h);
        int n = sk_bench_smoke() ? 2 : 40;
        decode(&j); /* warm up both */
        from_raw(&j);
        double base = per_call_ms(decode, &j, n);
        unsigned dw = j.img.width, dh = j.img.height;
        double fast = per_call_ms(from_raw, &j, n);
        printf("  %ux%u cells (wants %ux%u): JPEG decode %.2f ms (%ux%u), raw pixels %.2f ms "
               "(%ux%u): %.1fx faster\n",
               terms[t][0], terms[t][1], j.w, j.h, base, dw, dh, fast, j.img.width, j.img.height,
               base / fast);
    }
    sk_image_free(&j.img);
    sk_frame_unref(j.both); /* frees raw */
    sk_frame_unref(j.jpeg);
    sk_jpeg_dec_free(j.dec);
    sk_jpeg_enc_free(enc);
    return 0;
}

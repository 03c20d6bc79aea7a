/*
 * picture: raw pixels or a JPEG to an RGB image at a wanted size.
 *
 * Raw pixels are shrunk by a whole factor k, each output pixel the mean of
 * up to 4 x 4 samples of its k x k block; YUYV is averaged in YUV and
 * converted once per output pixel (BT.601 full range, as JPEG uses), so a
 * 1920x1080 frame shown in an 80-column terminal converts a few thousand
 * pixels, not two million.
 */
#include "video/picture.h"

#include "base/util.h"

#define SK_PICTURE_SAMPLES 4 /* samples per axis averaged into one output pixel */

static unsigned scale_factor(unsigned w, unsigned h, unsigned min_w, unsigned min_h)
{
    unsigned k = 1;
    while (w / (k + 1) >= SK_MAX(min_w, 1u) && h / (k + 1) >= SK_MAX(min_h, 1u) && k < 64) {
        k++;
    }
    return k;
}

static uint8_t clamp255(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int sk_picture_from_raw(const struct sk_frame *raw, unsigned min_width, unsigned min_height,
                        struct sk_image *out)
{
    int yuyv = raw->format == SK_FRAME_YUYV;
    unsigned bpp = yuyv ? 2 : 3;
    if ((!yuyv && raw->format != SK_FRAME_RGB24) || raw->width < 2 || raw->height < 1 ||
        (yuyv && raw->width % 2) || raw->pitch < raw->width * bpp ||
        (size_t)raw->pitch * raw->height > raw->size) {
        return -1;
    }
    unsigned k = scale_factor(raw->width, raw->height, min_width, min_height);
    unsigned ow = raw->width / k;
    unsigned oh = raw->height / k;
    sk_image_resize(out, ow, oh);
    /*
     * Each output pixel is the mean of at most 4 x 4 samples spread over
     * its k x k block: a terminal cell shows a few such pixels dithered,
     * so reading every source pixel would cost time and show nothing more.
     */
    unsigned step = SK_MAX(1u, k / SK_PICTURE_SAMPLES);
    unsigned per_axis = (k + step - 1) / step;
    unsigned n = per_axis * per_axis;
    for (unsigned oy = 0; oy < oh; oy++) {
        uint8_t *dst = out->pixels + (size_t)oy * out->pitch;
        for (unsigned ox = 0; ox < ow; ox++) {
            unsigned a = 0, b = 0, c = 0;
            for (unsigned y = oy * k; y < oy * k + k; y += step) {
                const uint8_t *row = raw->data + (size_t)y * raw->pitch;
                for (unsigned x = ox * k; x < ox * k + k; x += step) {
                    if (yuyv) {
                        const uint8_t *pair = row + (x & ~1u) * 2;
                        a += row[x * 2];
                        b += pair[1];
                        c += pair[3];
                    } else {
                        a += row[x * 3];
                        b += row[x * 3 + 1];
                        c += row[x * 3 + 2];
                    }
                }
            }
            if (yuyv) {
                int yv = (int)(a / n);
                int u = (int)(b / n) - 128;
                int v = (int)(c / n) - 128;
                dst[0] = clamp255(yv + ((359 * v) >> 8));
                dst[1] = clamp255(yv - ((88 * u + 183 * v) >> 8));
                dst[2] = clamp255(yv + ((454 * u) >> 8));
            } else {
                dst[0] = (uint8_t)(a / n);
                dst[1] = (uint8_t)(b / n);
                dst[2] = (uint8_t)(c / n);
            }
            dst += 3;
        }
    }
    return 0;
}

int sk_picture_get(struct sk_jpeg_dec *dec, const struct sk_frame *f, unsigned min_width,
                   unsigned min_height, struct sk_image *out)
{
    if (f->raw != NULL && sk_picture_from_raw(f->raw, min_width, min_height, out) == 0) {
        return 0;
    }
    return sk_jpeg_decode(dec, f->data, f->size, min_width, min_height, out);
}

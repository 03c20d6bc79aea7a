/*
 * softness: the share of a picture's edge pixels that lie between the
 * edge's two sides in luma.
 *
 * Each sampled row (for x) and column (for y) is turned into luma, once,
 * into a line buffer; a pixel is on an edge when the luma within
 * SK_SOFTNESS_REACH pixels of it along the line spans SK_SOFTNESS_EDGE or
 * more, and soft when its own luma is in the middle half of that span. A
 * one-pixel stroke drawn at the frame's own size is at one end of its
 * span; the same stroke scaled by 0.75 is smeared over two pixels, each
 * partly ink.
 */
#include "text/softness.h"

#include <stdlib.h>

#include "base/util.h"
#include "video/ycc.h"

/* Count the edge pixels of line v (n lumas) into *edges, the soft ones into *soft. */
static void line_count(const uint8_t *v, unsigned n, unsigned *edges, unsigned *soft)
{
    const unsigned r = SK_SOFTNESS_REACH;
    for (unsigned i = r; i + r < n; i++) {
        unsigned lo = v[i], hi = v[i];
        for (unsigned j = i - r; j <= i + r; j++) {
            lo = v[j] < lo ? v[j] : lo;
            hi = v[j] > hi ? v[j] : hi;
        }
        unsigned span = hi - lo;
        if (span < SK_SOFTNESS_EDGE) {
            continue;
        }
        (*edges)++;
        /* lo + span/4 < v < hi - span/4, in quarters to stay in integers. */
        unsigned q = 4u * v[i];
        *soft += q > 4u * lo + span && q < 4u * hi - span;
    }
}

int sk_softness_measure(const struct sk_image *img, unsigned step, struct sk_softness *out)
{
    out->x = out->y = -1;
    out->edges_x = out->edges_y = 0;
    if (step == 0 || img->width <= 2 * SK_SOFTNESS_REACH || img->height <= 2 * SK_SOFTNESS_REACH) {
        return -1;
    }
    unsigned n = img->width > img->height ? img->width : img->height;
    uint8_t *line = xmalloc(n);
    unsigned soft_x = 0, soft_y = 0;
    for (unsigned y = step / 2; y < img->height; y += step) {
        const uint8_t *row = img->pixels + (size_t)y * img->pitch;
        for (unsigned x = 0; x < img->width; x++) {
            line[x] = (uint8_t)sk_ycc_luma8(row + 3 * x);
        }
        line_count(line, img->width, &out->edges_x, &soft_x);
    }
    for (unsigned x = step / 2; x < img->width; x += step) {
        for (unsigned y = 0; y < img->height; y++) {
            line[y] = (uint8_t)sk_ycc_luma8(img->pixels + (size_t)y * img->pitch + 3 * x);
        }
        line_count(line, img->height, &out->edges_y, &soft_y);
    }
    free(line);
    if (out->edges_x >= SK_SOFTNESS_MIN_EDGES) {
        out->x = (double)soft_x / out->edges_x;
    }
    if (out->edges_y >= SK_SOFTNESS_MIN_EDGES) {
        out->y = (double)soft_y / out->edges_y;
    }
    return out->x < 0 && out->y < 0 ? -1 : 0;
}

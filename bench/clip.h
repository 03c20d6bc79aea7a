/*
 * clip: an MJPEG file's frames in memory, for the benchmarks that replay a
 * capture (termview, cost). Header-only, like stats.h.
 */
#ifndef SK_BENCH_CLIP_H
#define SK_BENCH_CLIP_H

#include <stdint.h>
#include <stdio.h>

#include "base/util.h"
#include "capture/mjpeg.h"
#include "video/jpeg.h"

struct sk_bench_clip {
    uint8_t *data; /* the whole file */
    size_t len;
    size_t *off; /* frame i is data[off[i]], size[i] bytes */
    size_t *size;
    size_t n;
    unsigned width, height; /* the first frame's */
};

/* Read path's frames into *c (zeroed first; the caller frees data, off and size). 0, or -1 said
 * on stderr with who's name. */
static inline int sk_bench_clip_load(const char *who, const char *path, struct sk_bench_clip *c)
{
    char err[256];
    char *text = NULL;
    size_t len = 0;
    if (sk_read_file(path, 1u << 30, &text, &len, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return -1;
    }
    *c = (struct sk_bench_clip){.data = (uint8_t *)text, .len = len};
    size_t pos = 0;
    while (pos < len) {
        size_t off = 0, flen = 0;
        long n = sk_mjpeg_next(c->data + pos, len - pos, 1, &off, &flen);
        if (n <= 0 || flen == 0) {
            break;
        }
        c->off = xrealloc(c->off, (c->n + 1) * sizeof(size_t));
        c->size = xrealloc(c->size, (c->n + 1) * sizeof(size_t));
        c->off[c->n] = pos + off;
        c->size[c->n] = flen;
        c->n++;
        pos += (size_t)n;
    }
    if (c->n == 0 || sk_jpeg_info(c->data + c->off[0], c->size[0], &c->width, &c->height) != 0) {
        fprintf(stderr, "%s: %s: no JPEG frames\n", who, path);
        return -1;
    }
    return 0;
}

#endif

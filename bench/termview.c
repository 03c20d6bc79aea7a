/*
 * termview: the in-process cost of the terminal view, per frame.
 *
 *   build/bench/termview [--cols N] [--rows N] FILE.mjpeg...
 *
 * For each MJPEG file (a dongle-like recording), over all its frames: the
 * floors (libjpeg-turbo decode at full size and at the smallest DCT scale
 * that covers the cells; libcaca's caca_dither_bitmap into the cells; its
 * "ansi" export) and sshkvm's whole path for one viewer (decode once,
 * render the grid, diff against the previous frame's grid) in art 16-colour,
 * art 24-bit and half-block 24-bit, then the cost of each further viewer
 * with the same size and settings (a shared grid: look-up, copy, diff).
 * Prints one table row per file and look, in milliseconds per frame.
 * A frame that does not decode or render exits 1. BENCH_SMOKE=1 in the
 * environment: two frames a file at most (make test's check that it runs).
 */
#include <caca.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clip.h"
#include "stats.h"
#include "video/frame.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "capture/mjpeg.h"
#include "term/grid.h"
#include "term/render.h"
#include "term/view.h"
#include "base/util.h"

static double now_ms(void)
{
    return (double)sk_now_us() / 1e3;
}

static struct sk_frame *frame_of(const struct sk_bench_clip *c, size_t i, uint64_t seq)
{
    struct sk_frame *f = sk_frame_new(c->size[i]);
    sk_frame_set_data(f, c->data + c->off[i], c->size[i]);
    f->width = c->width;
    f->height = c->height;
    f->format = SK_FRAME_JPEG;
    f->seq = seq;
    return f;
}

int main(int argc, char **argv)
{
    unsigned cols = 200, rows = 60;
    int first = 1;
    while (first + 1 < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--cols") == 0) {
            cols = (unsigned)atoi(argv[first + 1]);
        } else if (strcmp(argv[first], "--rows") == 0) {
            rows = (unsigned)atoi(argv[first + 1]);
        }
        first += 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: termview [--cols N] [--rows N] FILE.mjpeg...\n");
        return 2;
    }
    sk_log_set_level(SK_LOG_ERROR);
    printf("%-14s %5s %6s %8s | %6s %6s %6s %6s | %-7s %7s %7s %8s\n", "frames", "n", "KB/fr",
           "size", "dec1/1", "dec-sc", "dither", "export", "look", "1 view", "+1 view", "B/update");
    uint64_t seq = 0;
    for (int a = first; a < argc; a++) {
        struct sk_bench_clip c;
        if (sk_bench_clip_load("termview", argv[a], &c) != 0) {
            return 1;
        }
        if (sk_bench_smoke() && c.n > 2) {
            c.n = 2;
        }
        const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
        struct sk_image img = {0};
        unsigned w, h;
        sk_render_wanted_size(cols, rows, c.width, c.height, &w, &h);

        /* Floors. */
        double t_full = 0, t_scaled = 0, t_dither = 0, t_export = 0;
        caca_canvas_t *cv = caca_create_canvas((int)cols, (int)rows);
        for (size_t i = 0; i < c.n; i++) {
            double t0 = now_ms();
            int bad = sk_jpeg_decode(dec, c.data + c.off[i], c.size[i], c.width, c.height, &img);
            double t1 = now_ms();
            bad |= sk_jpeg_decode(dec, c.data + c.off[i], c.size[i], w, h, &img);
            double t2 = now_ms();
            if (bad != 0) {
                fprintf(stderr, "termview: %s: frame %zu does not decode\n", name, i);
                return 1;
            }
            caca_dither_t *d = caca_create_dither(24, (int)img.width, (int)img.height,
                                                  (int)img.pitch, 0x0000ff, 0x00ff00, 0xff0000, 0);
            caca_set_dither_algorithm(d, "none");
            caca_set_dither_charset(d, "ascii");
            caca_dither_bitmap(cv, 0, 0, (int)cols, (int)rows, d, img.pixels);
            double t3 = now_ms();
            size_t elen = 0;
            void *ex = caca_export_canvas_to_memory(cv, "ansi", &elen);
            double t4 = now_ms();
            free(ex);
            caca_free_dither(d);
            t_full += t1 - t0;
            t_scaled += t2 - t1;
            t_dither += t3 - t2;
            t_export += t4 - t3;
        }
        caca_free_canvas(cv);
        double kb = 0;
        for (size_t i = 0; i < c.n; i++) {
            kb += c.size[i] / 1024.0;
        }

        static const struct {
            const char *name, *mode, *colors;
        } looks[] = {
            {"art16", "art", "16"}, {"art24", "art", "24bit"}, {"half24", "half", "24bit"}};
        for (size_t l = 0; l < SK_ARRAY_LEN(looks); l++) {
            struct sk_render_opts o;
            char err[128];
            sk_render_opts_default(&o);
            sk_render_opts_set(&o, "mode", looks[l].mode, err, sizeof(err));
            sk_render_opts_set(&o, "colors", looks[l].colors, err, sizeof(err));
            struct sk_viewcache *vc = sk_viewcache_new();
            struct sk_render *r = sk_render_new();
            enum { VIEWERS = 5 };
            struct sk_grid shown[VIEWERS] = {{0}};
            struct sk_grid next = {0};
            struct sk_buf out = {0};
            double t_first = 0, t_more = 0;
            size_t bytes = 0;
            for (size_t i = 0; i < c.n; i++) {
                struct sk_frame *f = frame_of(&c, i, ++seq);
                for (int v = 0; v < VIEWERS; v++) {
                    double t0 = now_ms();
                    const struct sk_grid *g = sk_viewcache_get(vc, f, cols, rows, &o, dec, r);
                    if (g == NULL) {
                        fprintf(stderr, "termview: %s: frame %zu does not render (%s)\n", name, i,
                                looks[l].name);
                        return 1;
                    }
                    sk_grid_copy(&next, g);
                    sk_viewcache_release(vc, g);
                    sk_buf_reset(&out);
                    sk_grid_diff(i == 0 ? NULL : &shown[v], &next, 0, &out);
                    sk_grid_copy(&shown[v], &next);
                    double dt = now_ms() - t0;
                    if (v == 0) {
                        t_first += dt;
                        bytes += out.len;
                    } else {
                        t_more += dt;
                    }
                }
                sk_frame_unref(f);
            }
            printf(
                "%-14.14s %5zu %6.0f %4ux%-4u| %6.2f %6.2f %6.2f %6.2f | %-7s %7.2f %7.3f %8.0f\n",
                name, c.n, kb / c.n, c.width, c.height, t_full / c.n, t_scaled / c.n,
                t_dither / c.n, t_export / c.n, looks[l].name, t_first / c.n,
                t_more / c.n / (VIEWERS - 1), (double)bytes / c.n);
            for (int v = 0; v < VIEWERS; v++) {
                sk_grid_free(&shown[v]);
            }
            sk_grid_free(&next);
            sk_buf_free(&out);
            sk_render_free(r);
            sk_viewcache_free(vc);
        }
        sk_image_free(&img);
        sk_jpeg_dec_free(dec);
        free(c.data);
        free(c.off);
        free(c.size);
    }
    return 0;
}

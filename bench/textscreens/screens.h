/*
 * screens: the captured text screens and what the text recogniser's test
 * tests and benchmarks do with them (header-only, shared by the text tests
 * in tests/unit/ and by bench/textrec.c and bench/cost.c).
 *
 * A screen is tests/data/text/NAME.ppm.gz (QEMU's 720x400 screendump) and
 * NAME.txt (the VGA text buffer: 25 lines of 80 cells, four hex digits
 * each, CP437 code then attribute), made by bench/textscreens/capture.py.
 * The picture is stretched bilinearly as an HDMI dongle's scaler does, and
 * passed through JPEG at a given quality as the dongle's encoder does
 * (4:2:0 from RGB, or 4:2:2 from YUYV as most dongles capture). A
 * cell counts as right when the recognised character, foreground and
 * background draw exactly the pixels the true ones draw (so a blank's
 * foreground, or U+2580 versus U+2584 with the colours swapped, cannot be
 * told apart and is not counted wrong).
 */
#ifndef SK_BENCH_SCREENS_H
#define SK_BENCH_SCREENS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/font8x16.h"
#include "demo/textscreen.h"
#include "demo/vgatext.h"
#include "video/frame.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "text/textrec.h"
#include "video/ycc.h"
#include "base/util.h"

/* QEMU's VGA BIOS, whose fonts draw the captured screens. */
#define TS_VGA_ROM "/usr/share/seabios/vgabios-stdvga.bin"

/*
 * Teach tr the fonts of the VGA BIOS ROM at path (TS_VGA_ROM when NULL).
 * Returns how many of the heights 8, 14, 16 were found there.
 */
static inline int ts_add_rom_fonts(struct sk_textrec *tr, const char *path)
{
    FILE *f = fopen(path ? path : TS_VGA_ROM, "rb");
    if (!f) {
        return 0;
    }
    static uint8_t rom[256 * 1024];
    size_t len = fread(rom, 1, sizeof(rom), f);
    fclose(f);
    int found = 0;
    static const unsigned heights[] = {8, 14, 16};
    for (int i = 0; i < 3; i++) {
        uint8_t font[256 * 16];
        if (sk_textrec_find_rom_font(rom, len, heights[i], font) == 0 &&
            sk_textrec_add_font(tr, font, heights[i]) == 0) {
            found++;
        }
    }
    return found;
}

/* Read a gzipped binary PPM into img. Returns 0 or -1. */
static inline int ts_load_ppm_gz(const char *path, struct sk_image *img)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (!f) {
        return -1;
    }
    unsigned w = 0, h = 0, max = 0;
    int ok = fscanf(f, "P6 %u %u %u", &w, &h, &max) == 3 && max == 255 && w && h && w < 8192 &&
             h < 8192 && fgetc(f) != EOF;
    if (ok) {
        sk_image_resize(img, w, h);
        ok = fread(img->pixels, 3, (size_t)w * h, f) == (size_t)w * h;
    }
    return pclose(f) == 0 && ok ? 0 : -1;
}

/* Read a truth file into screen (cursor hidden). Returns 0 or -1. */
static inline int ts_load_truth(const char *path, struct sk_textscreen *screen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    memset(screen, 0, sizeof(*screen));
    int ok = 1;
    for (int r = 0; r < SK_TEXT_ROWS && ok; r++) {
        for (int c = 0; c < SK_TEXT_COLS && ok; c++) {
            unsigned ch, at;
            ok = fscanf(f, "%2x%2x", &ch, &at) == 2;
            screen->cells[r][c] = (struct sk_textcell){(uint8_t)ch, (uint8_t)at};
        }
    }
    fclose(f);
    return ok ? 0 : -1;
}

/* Where output pixel i of n falls on an axis of size source pixels: i0, i1 and i1's weight. */
static inline double ts_axis(unsigned i, unsigned n, unsigned size, unsigned *i0, unsigned *i1)
{
    double s = (i + 0.5) * size / n - 0.5;
    if (s < 0) {
        s = 0;
    }
    *i0 = (unsigned)s;
    *i1 = *i0 + 1 < size ? *i0 + 1 : *i0;
    return s - *i0;
}

/* Stretch src to w x h into dst, bilinear (as a dongle's scaler). */
static inline void ts_scale(const struct sk_image *src, unsigned w, unsigned h,
                            struct sk_image *dst)
{
    sk_image_resize(dst, w, h);
    for (unsigned y = 0; y < h; y++) {
        unsigned y0, y1, x0, x1;
        double fy = ts_axis(y, h, src->height, &y0, &y1);
        const uint8_t *r0 = src->pixels + (size_t)y0 * src->pitch;
        const uint8_t *r1 = src->pixels + (size_t)y1 * src->pitch;
        for (unsigned x = 0; x < w; x++) {
            double fx = ts_axis(x, w, src->width, &x0, &x1);
            for (int c = 0; c < 3; c++) {
                double v = (r0[x0 * 3 + c] * (1 - fx) + r0[x1 * 3 + c] * fx) * (1 - fy) +
                           (r1[x0 * 3 + c] * (1 - fx) + r1[x1 * 3 + c] * fx) * fy;
                dst->pixels[(size_t)y * dst->pitch + x * 3 + c] = (uint8_t)(v + 0.5);
            }
        }
    }
}

/*
 * Encode pixels of img's size at quality q, RGB24 (yuyv NULL: 4:2:0) or
 * YUYV (pitch apart: 4:2:2), and decode the JPEG into out. 0 or -1.
 */
static inline int ts_jpeg_through(const struct sk_image *img, const uint8_t *yuyv, unsigned pitch,
                                  int q, struct sk_image *out)
{
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(q);
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_frame *jpeg = sk_frame_new(0);
    int rc = yuyv ? sk_jpeg_encode_yuyv(enc, yuyv, img->width, img->height, pitch, jpeg)
                  : sk_jpeg_encode_rgb(enc, img->pixels, img->width, img->height, img->pitch, jpeg);
    if (rc == 0) {
        rc = sk_jpeg_decode(dec, jpeg->data, jpeg->size, img->width, img->height, out);
    }
    sk_frame_unref(jpeg);
    sk_jpeg_enc_free(enc);
    sk_jpeg_dec_free(dec);
    return rc;
}

/* Pass img through JPEG at quality q (as the dongle's encoder) into out. 0 or -1. */
static inline int ts_jpeg(const struct sk_image *img, int q, struct sk_image *out)
{
    return ts_jpeg_through(img, NULL, 0, q, out);
}

/* v rounded and clamped to a byte. */
static inline uint8_t ts_byte(double v)
{
    v += 0.5;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/*
 * Pass img through 4:2:2 JPEG at quality q into out, as a dongle that
 * captures YUYV encodes it (each pair of pixels shares its chroma, the
 * mean of theirs; JFIF full range). 0 or -1.
 */
static inline int ts_jpeg422(const struct sk_image *img, int q, struct sk_image *out)
{
    unsigned pairs = (img->width + 1) / 2, pitch = pairs * 4;
    uint8_t *yuyv = (uint8_t *)xmalloc((size_t)pitch * img->height);
    for (unsigned y = 0; y < img->height; y++) {
        const uint8_t *row = img->pixels + (size_t)y * img->pitch;
        for (unsigned x = 0; x < pairs; x++) {
            const uint8_t *a = row + 6 * x, *b = 2 * x + 1 < img->width ? a + 3 : a;
            double ya[3], yb[3];
            sk_ycc(a[0], a[1], a[2], ya);
            sk_ycc(b[0], b[1], b[2], yb);
            uint8_t *d = yuyv + (size_t)y * pitch + 4 * x;
            d[0] = ts_byte(ya[0]);
            d[1] = ts_byte((ya[1] + yb[1]) / 2 + 128);
            d[2] = ts_byte(yb[0]);
            d[3] = ts_byte((ya[2] + yb[2]) / 2 + 128);
        }
    }
    int rc = ts_jpeg_through(img, yuyv, pitch, q, out);
    free(yuyv);
    return rc;
}

/*
 * img as a dongle captures it, the way k says: 0 as is, 1 through JPEG q75
 * (into jpg), 2 stretched to 1920x1080 (into big) then JPEG q75. NULL when
 * the JPEG round trip fails.
 */
static inline const struct sk_image *ts_capture(const struct sk_image *img, int k,
                                                struct sk_image *jpg, struct sk_image *big)
{
    if (k == 0) {
        return img;
    }
    if (k == 2) {
        ts_scale(img, 1920, 1080, big);
        img = big;
    }
    return ts_jpeg(img, 75, jpg) == 0 ? jpg : NULL;
}

/* xterm's default 16 colours, in VGA order: a terminal's theme rather than the VGA's palette. */
static const uint8_t ts_xterm16[16][3] = {
    {0x00, 0x00, 0x00}, {0x00, 0x00, 0xEE}, {0x00, 0xCD, 0x00}, {0x00, 0xCD, 0xCD},
    {0xCD, 0x00, 0x00}, {0xCD, 0x00, 0xCD}, {0xCD, 0xCD, 0x00}, {0xE5, 0xE5, 0xE5},
    {0x7F, 0x7F, 0x7F}, {0x5C, 0x5C, 0xFF}, {0x00, 0xFF, 0x00}, {0x00, 0xFF, 0xFF},
    {0xFF, 0x00, 0x00}, {0xFF, 0x00, 0xFF}, {0xFF, 0xFF, 0x00}, {0xFF, 0xFF, 0xFF},
};

/* Each pixel of img in a VGA palette entry's colour in entry k of to instead. */
static inline void ts_recolour(struct sk_image *img, const uint8_t to[16][3])
{
    for (unsigned y = 0; y < img->height; y++) {
        for (unsigned x = 0; x < img->width; x++) {
            uint8_t *p = img->pixels + (size_t)y * img->pitch + x * 3;
            for (unsigned k = 0; k < 16; k++) {
                if (memcmp(p, sk_vga_palette[k], 3) == 0) {
                    memcpy(p, to[k], 3);
                    break;
                }
            }
        }
    }
}

/* The 9x16 pixels a VGA draws for (ch, fg, bg), as palette indices. */
static inline void ts_draw(uint8_t ch, uint8_t fg, uint8_t bg, uint8_t out[16][9])
{
    for (int y = 0; y < 16; y++) {
        unsigned bits = (unsigned)sk_font8x16[ch][y] << 1;
        if (sk_vga_line_graphics(ch)) {
            bits |= sk_font8x16[ch][y] & 1;
        }
        for (int x = 0; x < 9; x++) {
            out[y][x] = (bits & (0x100u >> x)) ? fg : bg;
        }
    }
}

/* Whether cell c of r draws what truth's cell draws. */
static inline int ts_cell_right(const struct sk_textrec_cell *c, struct sk_textcell t)
{
    uint8_t a[16][9], b[16][9];
    ts_draw(c->ch, c->fg, c->bg, a);
    ts_draw(t.ch, t.attr & 15, t.attr >> 4, b);
    return memcmp(a, b, sizeof(a)) == 0;
}

/* Print each cell r got wrong to f. */
static inline void ts_print_wrong(FILE *f, const struct sk_textrec_result *r,
                                  const struct sk_textscreen *truth)
{
    if (r->cols != SK_TEXT_COLS || r->rows != SK_TEXT_ROWS) {
        fprintf(f, "    mode %s, not 80x25\n", r->mode ? r->mode : "none");
        return;
    }
    for (int y = 0; y < SK_TEXT_ROWS; y++) {
        for (int x = 0; x < SK_TEXT_COLS; x++) {
            const struct sk_textrec_cell *c = &r->cells[y * SK_TEXT_COLS + x];
            struct sk_textcell t = truth->cells[y][x];
            if (!ts_cell_right(c, t)) {
                fprintf(f, "    row %2d col %2d: want %02x %x/%x got %02x %x/%x conf %u\n", y, x,
                        t.ch, t.attr & 15, t.attr >> 4, c->ch, c->fg, c->bg, c->conf);
            }
        }
    }
}

/* Cells of truth that r got right (character, foreground, background). */
static inline unsigned ts_right(const struct sk_textrec_result *r,
                                const struct sk_textscreen *truth)
{
    if (r->cols != SK_TEXT_COLS || r->rows != SK_TEXT_ROWS) {
        return 0;
    }
    unsigned right = 0;
    for (int y = 0; y < SK_TEXT_ROWS; y++) {
        for (int x = 0; x < SK_TEXT_COLS; x++) {
            right += (unsigned)ts_cell_right(&r->cells[y * SK_TEXT_COLS + x], truth->cells[y][x]);
        }
    }
    return right;
}

#endif

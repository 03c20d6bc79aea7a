/*
 * test_glyphfit: the model fit reads cells exactly, and reads glyphs whose
 * colours differ mostly in chroma after 4:2:0 JPEG, where a bitmap of the
 * cell has lost their strokes.
 */
#include <stdlib.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "demo/font8x16.h"
#include "demo/vga.h"
#include "text/glyphfit.h"
#include "util.h"

static struct sk_glyphfit *font16(void)
{
    struct sk_glyphfit *gf = sk_glyphfit_new(16);
    for (unsigned c = 0; c < 256; c++) {
        CHECK_EQ_INT(sk_glyphfit_add(gf, (uint8_t)c, sk_font8x16[c], SK_GLYPHFIT_NINTH_VGA),
                     (int)c);
    }
    return gf;
}

/* Fit cell (col, row) of a 720x400 picture of 9x16 cells. */
static void fit_at(const struct sk_glyphfit *gf, const struct sk_image *img, unsigned col, unsigned row,
                   struct sk_glyphfit_result *out)
{
    int glyph[16 * 8][3], ninth[16][3];
    for (unsigned y = 0; y < 16; y++) {
        const uint8_t *p = img->pixels + (size_t)(row * 16 + y) * img->pitch + col * 9 * 3;
        for (unsigned x = 0; x < 9; x++) {
            int *d = x < 8 ? glyph[y * 8 + x] : ninth[y];
            d[0] = p[3 * x];
            d[1] = p[3 * x + 1];
            d[2] = p[3 * x + 2];
        }
    }
    const struct sk_glyphfit_cell c = {glyph, ninth, (int)((col * 9) & 1)};
    sk_glyphfit_run(gf, &c, out);
}

static int drawn_alike(unsigned ch, unsigned fg, unsigned bg, struct sk_textcell t)
{
    const struct sk_textrec_cell c = {(uint8_t)ch, (uint8_t)fg, (uint8_t)bg, 0};
    return ts_cell_right(&c, t);
}

/* Every glyph in three pairs, lossless: exact, with no misfit. */
static void test_lossless_exact(void)
{
    struct sk_glyphfit *gf = font16();
    static const uint8_t pairs[3][2] = {{SK_VGA_LIGHTGREY, SK_VGA_BLACK},
                                        {SK_VGA_BLUE, SK_VGA_BLACK},
                                        {SK_VGA_BROWN, SK_VGA_GREEN}};
    struct sk_textscreen s;
    struct sk_image img = {0};
    unsigned right = 0, clean = 0;
    for (unsigned p = 0; p < 3; p++) {
        memset(&s, 0, sizeof(s));
        for (unsigned i = 0; i < 256; i++) {
            s.cells[i / 80][i % 80] = (struct sk_textcell){(uint8_t)i, SK_ATTR(pairs[p][0], pairs[p][1])};
        }
        sk_vga_render(&s, 0, &img);
        for (unsigned i = 0; i < 256; i++) {
            struct sk_glyphfit_result r;
            fit_at(gf, &img, i % 80, i / 80, &r);
            int ok = drawn_alike(r.glyph, r.fg, r.bg, s.cells[i / 80][i % 80]);
            if (!ok) {
                fprintf(stderr, "  pair %u glyph %02x: got %02x %x/%x\n", p, i, r.glyph, r.fg, r.bg);
            }
            right += (unsigned)ok;
            clean += r.rms < 0.5;
        }
    }
    CHECK_EQ_INT(right, 3 * 256);
    CHECK_EQ_INT(clean, 3 * 256);
    sk_image_free(&img);
    sk_glyphfit_free(gf);
}

/*
 * "gYw" (as colour tests print it) in every pair of the 16 colours, through
 * JPEG at quality 75 at the mode's own size.
 */
static void test_every_pair_through_jpeg(void)
{
    struct sk_glyphfit *gf = font16();
    struct sk_textscreen s;
    memset(&s, 0, sizeof(s));
    unsigned n = 0;
    for (unsigned bg = 0; bg < 16; bg++) {
        for (unsigned fg = 0; fg < 16; fg++) {
            if (fg == bg) {
                continue;
            }
            for (unsigned k = 0; k < 3; k++, n++) {
                s.cells[n / 80][n % 80] = (struct sk_textcell){(uint8_t)"gYw"[k], SK_ATTR(fg, bg)};
            }
        }
    }
    struct sk_image img = {0}, out = {0};
    sk_vga_render(&s, 0, &img);
    CHECK_EQ_INT(ts_jpeg(&img, 75, &out), 0);
    unsigned right = 0;
    for (unsigned i = 0; i < n; i++) {
        struct sk_textcell t = s.cells[i / 80][i % 80];
        struct sk_glyphfit_result r;
        fit_at(gf, &out, i % 80, i / 80, &r);
        right += (unsigned)drawn_alike(r.glyph, r.fg, r.bg, t);
    }
    fprintf(stderr, "  gYw in 240 pairs at q75: %u of %u cells right\n", right, n);
    CHECK(right >= n - n / 100);
    sk_image_free(&img);
    sk_image_free(&out);
    sk_glyphfit_free(gf);
}

/*
 * The shades drawn as QEMU's VGA draws them (the eighth column repeated
 * into the ninth for 0xB0..0xDF, IBM's only for 0xC0..0xDF), in every
 * foreground on black and on blue, through JPEG q75: a model given QEMU's
 * ninth columns for ░▒▓ too (as textrec gives it) reads more of them
 * right than one with IBM's alone. (▓ in one pair is ░ in the other, pixel
 * for pixel, in QEMU's drawing.)
 */
static unsigned shades_right(const struct sk_glyphfit *gf, const struct sk_image *img,
                             const struct sk_textscreen *s, unsigned n)
{
    unsigned right = 0;
    for (unsigned i = 0; i < n; i++) {
        struct sk_textcell t = s->cells[2 * i / 80][2 * i % 80];
        unsigned fg = t.attr & 15, bg = t.attr >> 4;
        struct sk_glyphfit_result r;
        fit_at(gf, img, 2 * i % 80, 2 * i / 80, &r);
        unsigned ch = r.glyph < 256 ? r.glyph : 0xB0 + (r.glyph - 256);
        int same = ch == t.ch && r.fg == fg && r.bg == bg;
        int inverse = ((ch == 0xB0 && t.ch == 0xB2) || (ch == 0xB2 && t.ch == 0xB0)) &&
                      r.fg == bg && r.bg == fg;
        right += (unsigned)(same || inverse);
    }
    return right;
}

static void test_shades_qemu_jpeg(void)
{
    struct sk_glyphfit *ibm = font16(), *qemu = font16();
    for (unsigned c = 0xB0; c <= 0xB2; c++) {
        CHECK(sk_glyphfit_add(qemu, (uint8_t)c, sk_font8x16[c], SK_GLYPHFIT_NINTH_B0) >= 256);
    }
    struct sk_textscreen s;
    memset(&s, 0, sizeof(s));
    unsigned n = 0;
    for (unsigned bg = 0; bg < 2; bg++) {
        for (unsigned fg = 1; fg < 16; fg++) {
            for (unsigned k = 0; k < 3 && fg != bg; k++, n++) {
                /* Every other column, so that each shade cell has a blank beside it. */
                s.cells[2 * n / 80][2 * n % 80] =
                    (struct sk_textcell){(uint8_t)(0xB0 + k), SK_ATTR(fg, bg)};
            }
        }
    }
    struct sk_image img = {0}, out = {0};
    sk_vga_render(&s, 0, &img);
    for (unsigned i = 0; i < n; i++) {
        unsigned col = 2 * i % 80, row = 2 * i / 80;
        for (unsigned y = 0; y < 16; y++) {
            uint8_t *p = img.pixels + (size_t)(row * 16 + y) * img.pitch + col * 9 * 3;
            memcpy(p + 8 * 3, p + 7 * 3, 3);
        }
    }
    CHECK_EQ_INT(ts_jpeg(&img, 75, &out), 0);
    unsigned with = shades_right(qemu, &out, &s, n), without = shades_right(ibm, &out, &s, n);
    fprintf(stderr,
            "  QEMU's shades at q75: %u of %u cells right (%u with IBM's ninth columns only)\n",
            with, n, without);
    CHECK(with > without);
    CHECK(with >= n * 4 / 5);
    sk_image_free(&img);
    sk_image_free(&out);
    sk_glyphfit_free(ibm);
    sk_glyphfit_free(qemu);
}

static void test_limits(void)
{
    CHECK(sk_glyphfit_new(15) == NULL);
    CHECK(sk_glyphfit_new(0) == NULL);
    struct sk_glyphfit *gf = sk_glyphfit_new(8);
    uint8_t rows[8] = {0};
    for (int i = 0; i < SK_GLYPHFIT_MAX; i++) {
        CHECK_EQ_INT(sk_glyphfit_add(gf, (uint8_t)i, rows, SK_GLYPHFIT_NINTH_VGA), i);
    }
    CHECK_EQ_INT(sk_glyphfit_add(gf, 1, rows, SK_GLYPHFIT_NINTH_VGA), -1);
    sk_glyphfit_free(gf);
    sk_glyphfit_free(NULL);
}

int main(void)
{
    SK_RUN(test_lossless_exact);
    SK_RUN(test_every_pair_through_jpeg);
    SK_RUN(test_shades_qemu_jpeg);
    SK_RUN(test_limits);
    return SK_CHECK_EXIT();
}

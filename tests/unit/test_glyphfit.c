/*
 * test_glyphfit: the model fit reads cells exactly, and reads glyphs whose
 * colours differ mostly in chroma after 4:2:0 JPEG, where a bitmap of the
 * cell has lost their strokes; its short cuts (glyph sums from another
 * glyph's, a bound that skips colour pairs) keep the least-cost reading
 * (against a pixel-by-pixel model cost) and the reading of a search
 * through every pair, exactly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "text/font8x16.h"
#include "demo/vgatext.h"
#include "text/glyphfit.h"
#include "base/util.h"

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
static void fit_at(const struct sk_glyphfit *gf, const struct sk_image *img, unsigned col,
                   unsigned row, struct sk_glyphfit_result *out)
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
    const struct sk_textrec_cell c = {.ch = (uint8_t)ch, .fg = (uint8_t)fg, .bg = (uint8_t)bg};
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
            s.cells[i / 80][i % 80] =
                (struct sk_textcell){(uint8_t)i, SK_ATTR(pairs[p][0], pairs[p][1])};
        }
        sk_vgatext_render(&s, 0, &img);
        for (unsigned i = 0; i < 256; i++) {
            struct sk_glyphfit_result r;
            fit_at(gf, &img, i % 80, i / 80, &r);
            int ok = drawn_alike(r.glyph, r.fg, r.bg, s.cells[i / 80][i % 80]);
            if (!ok) {
                fprintf(stderr, "  pair %u glyph %02x: got %02x %x/%x\n", p, i, r.glyph, r.fg,
                        r.bg);
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
                s.cells[n / 80][n % 80] = (struct sk_textcell){(uint8_t) "gYw"[k], SK_ATTR(fg, bg)};
            }
        }
    }
    struct sk_image img = {0}, out = {0};
    sk_vgatext_render(&s, 0, &img);
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
    sk_vgatext_render(&s, 0, &img);
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

/* A pixel as JFIF luma and chroma, in double. */
static void oracle_ycc(const int p[3], double out[3])
{
    out[0] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    out[1] = -0.168736 * p[0] - 0.331264 * p[1] + 0.5 * p[2];
    out[2] = 0.5 * p[0] - 0.418688 * p[1] - 0.081312 * p[2];
}

/*
 * What the model says a reading costs, worked out pixel by pixel, the slow
 * way: luma pixel by pixel, chroma as 2x2 block means weighted by their
 * four pixels, plus the price of a glyph that draws something (20 a
 * pixel). rows: the glyph; line: its ninth column repeats its eighth.
 * *misfit gets the cost without the price.
 */
static double oracle_cost(const int glyph[][3], const int ninth[][3], int odd, const uint8_t *rows,
                          int line, unsigned fg, unsigned bg, double *misfit)
{
    unsigned w = ninth ? 9 : 8, inked = 0;
    double cell[16][9][3], colour[2][3];
    int ink[16][9];
    const int f[3] = {sk_vga_palette[fg][0], sk_vga_palette[fg][1], sk_vga_palette[fg][2]};
    const int b[3] = {sk_vga_palette[bg][0], sk_vga_palette[bg][1], sk_vga_palette[bg][2]};
    oracle_ycc(b, colour[0]);
    oracle_ycc(f, colour[1]);
    double m = 0;
    for (unsigned y = 0; y < 16; y++) {
        for (unsigned x = 0; x < w; x++) {
            oracle_ycc(x < 8 ? glyph[y * 8 + x] : ninth[y], cell[y][x]);
            ink[y][x] = x < 8 ? (rows[y] >> (7 - x)) & 1 : line && (rows[y] & 1);
            inked += (unsigned)ink[y][x];
            double d = cell[y][x][0] - colour[ink[y][x]][0];
            m += d * d;
        }
    }
    unsigned x0 = ninth && odd ? 1 : 0;
    for (unsigned y = 0; y < 16; y += 2) {
        for (unsigned x = x0; x + 1 < x0 + 8; x += 2) {
            double share = (ink[y][x] + ink[y][x + 1] + ink[y + 1][x] + ink[y + 1][x + 1]) / 4.0;
            for (int c = 1; c < 3; c++) {
                double mean = (cell[y][x][c] + cell[y][x + 1][c] + cell[y + 1][x][c] +
                               cell[y + 1][x + 1][c]) /
                              4;
                double d = mean - (colour[0][c] + share * (colour[1][c] - colour[0][c]));
                m += 4 * d * d;
            }
        }
    }
    *misfit = m;
    return m + (inked > 0 && inked < 16 * w ? 20.0 * 16 * w : 0);
}

static unsigned next_rand(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7FFF;
}

/*
 * Cell of h rows: rows drawn in fg on bg with noise of +-amp (kind 0), or
 * noise alone (kind 1), or only 0 and 255 at random (kind 2).
 */
static void any_cell(const uint8_t *rows, unsigned h, int line, unsigned fg, unsigned bg, int amp,
                     unsigned kind, uint32_t *seed, int glyph[][3], int ninth[][3])
{
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < 9; x++) {
            int on = x < 8 ? (rows[y] >> (7 - x)) & 1 : line && (rows[y] & 1);
            int *p = x < 8 ? glyph[y * 8 + x] : ninth[y];
            for (int c = 0; c < 3; c++) {
                int r = (int)next_rand(seed);
                int v = kind == 1 ? r % 256
                        : kind == 2
                            ? (r & 1) * 255
                            : sk_vga_palette[on ? fg : bg][c] + (amp ? r % (2 * amp + 1) - amp : 0);
                p[c] = v < 0 ? 0 : v > 255 ? 255 : v;
            }
        }
    }
}

/*
 * The fit's short cuts keep its answer: glyph sums made from another
 * glyph's and a bound in luma that skips colour pairs.
 * - With 8 glyphs, all on its short list, it searches every glyph in every
 *   pair: a slow search finds no reading that costs less than its pick.
 * - With 512 (the VGA font, then each glyph again with two rows changed:
 *   sums made from the first's), no glyph costs less in the colours it
 *   picks, and the misfit it reports is the slow way's.
 * In every layout of a cell: 8 wide, 9 wide from an even or an odd column.
 */
static void test_least_cost(void)
{
    static uint8_t other[256][16];
    for (unsigned c = 0; c < 256; c++) {
        memcpy(other[c], sk_font8x16[c], 16);
        other[c][5] ^= 0x3C;
        other[c][11] ^= 0x81;
    }
    static const uint8_t eight[8] = {'A', 'g', 0xB1, 0xC4, 0xC5, 0xDB, 'w', 'Y'};
    struct sk_glyphfit *few = sk_glyphfit_new(16), *all = font16();
    for (unsigned k = 0; k < 8; k++) {
        const uint8_t *rows = k < 4 ? sk_font8x16[eight[k]] : other[eight[k]];
        CHECK_EQ_INT(sk_glyphfit_add(few, eight[k], rows, SK_GLYPHFIT_NINTH_VGA), (int)k);
    }
    for (unsigned c = 0; c < 256; c++) {
        CHECK_EQ_INT(sk_glyphfit_add(all, (uint8_t)c, other[c], SK_GLYPHFIT_NINTH_VGA),
                     (int)(256 + c));
    }
    uint32_t seed = 12345;
    unsigned worse = 0, cheaper = 0, off = 0, drawn = 0;
    double m;
    for (unsigned i = 0; i < 96; i++) {
        int glyph[16 * 8][3], ninth[16][3];
        unsigned layout = i % 3, k = i % 8, fg = (i * 7) % 16, bg = (fg + 1 + i % 15) % 16;
        const uint8_t *rows = k < 4 ? sk_font8x16[eight[k]] : other[eight[k]];
        any_cell(rows, 16, sk_vga_line_graphics(eight[k]), fg, bg, 48, i % 4 == 3, &seed, glyph,
                 ninth);
        const struct sk_glyphfit_cell cell = {glyph, layout ? (const int(*)[3])ninth : NULL,
                                              layout == 2};
        struct sk_glyphfit_result r;
        sk_glyphfit_run(few, &cell, &r);
        const uint8_t *got = r.glyph < 4 ? sk_font8x16[eight[r.glyph]] : other[eight[r.glyph]];
        double cost = oracle_cost(glyph, cell.ninth, cell.odd, got,
                                  sk_vga_line_graphics(eight[r.glyph]), r.fg, r.bg, &m);
        double least = cost;
        for (unsigned j = 0; j < 8; j++) {
            const uint8_t *g = j < 4 ? sk_font8x16[eight[j]] : other[eight[j]];
            for (unsigned b = 0; b < 16; b++) {
                for (unsigned f = 0; f < 16; f++) {
                    double c = f == b ? cost
                                      : oracle_cost(glyph, cell.ninth, cell.odd, g,
                                                    sk_vga_line_graphics(eight[j]), f, b, &m);
                    least = c < least ? c : least;
                }
            }
        }
        worse += cost > least + 1e-4 * least + 1;
    }
    for (unsigned i = 0; i < 48; i++) {
        int glyph[16 * 8][3], ninth[16][3];
        unsigned layout = i % 3, code = (i * 37 + 11) % 256, fg = (i * 5) % 16,
                 bg = (fg + 1 + i % 15) % 16;
        int line = sk_vga_line_graphics((uint8_t)code);
        any_cell(i % 2 ? other[code] : sk_font8x16[code], 16, line, fg, bg, 48, i % 4 == 3, &seed,
                 glyph, ninth);
        const struct sk_glyphfit_cell cell = {glyph, layout ? (const int(*)[3])ninth : NULL,
                                              layout == 2};
        struct sk_glyphfit_result r;
        sk_glyphfit_run(all, &cell, &r);
        const uint8_t *got = r.glyph < 256 ? sk_font8x16[r.glyph] : other[r.glyph - 256];
        double misfit;
        double cost =
            oracle_cost(glyph, cell.ninth, cell.odd, got,
                        sk_vga_line_graphics((uint8_t)(r.glyph % 256)), r.fg, r.bg, &misfit);
        unsigned n = layout ? 144 : 128;
        off += fabs(r.rms * r.rms * n - misfit) > 1e-3 * misfit + 2;
        if (r.contrast == 0) {
            continue; /* a blank's colours are not the pair it was read in */
        }
        drawn++;
        for (unsigned j = 0; j < 512; j++) {
            const uint8_t *g = j < 256 ? sk_font8x16[j] : other[j - 256];
            double c = oracle_cost(glyph, cell.ninth, cell.odd, g,
                                   sk_vga_line_graphics((uint8_t)(j % 256)), r.fg, r.bg, &m);
            cheaper += c < cost - 1e-4 * cost - 1;
        }
    }
    CHECK_EQ_INT((int)worse, 0);
    CHECK_EQ_INT((int)cheaper, 0);
    CHECK_EQ_INT((int)off, 0);
    CHECK(drawn >= 24);
    sk_glyphfit_free(few);
    sk_glyphfit_free(all);
}

/*
 * The bound that skips colour pairs never changes a reading:
 * sk_glyphfit_run gives exactly what sk_glyphfit_run_every (every pair
 * tried) gives, glyph, colours, misfit and contrast. Fonts of 16, 14 and 8
 * rows: the VGA font's first rows, and 1024 random glyphs (more words
 * than the fit keeps on its stack). Cells of pure noise, of only 0 and
 * 255, glyphs in colours with noise, and exact ties (in an 8-wide cell ▌
 * in one pair of colours is ▐ in the other; a random glyph and its
 * inverse likewise), in every layout.
 */
static void test_bound_exact(void)
{
    static uint8_t rows[SK_GLYPHFIT_MAX][16];
    static const unsigned heights[3] = {16, 14, 8};
    uint32_t seed = 4242;
    unsigned cells = 0, differ = 0, ties = 0;
    for (unsigned f = 0; f < 6; f++) {
        unsigned h = heights[f % 3], count = f < 3 ? 256 : SK_GLYPHFIT_MAX;
        struct sk_glyphfit *gf = sk_glyphfit_new(h);
        for (unsigned j = 0; j < count; j++) {
            for (unsigned y = 0; y < h; y++) {
                rows[j][y] = f < 3 ? sk_font8x16[j][y] : (uint8_t)next_rand(&seed);
            }
            if (f >= 3 && j % 2) {
                for (unsigned y = 0; y < h; y++) {
                    rows[j][y] =
                        (uint8_t)~rows[j - 1][y]; /* each odd glyph the inverse of the one before */
                }
            }
            CHECK_EQ_INT(sk_glyphfit_add(gf, (uint8_t)j, rows[j], SK_GLYPHFIT_NINTH_VGA), (int)j);
        }
        for (unsigned i = 0; i < 1200; i++) {
            int glyph[16 * 8][3], ninth[16][3];
            unsigned layout = i % 3, kind = (i / 3) % 4, fg = next_rand(&seed) % 16;
            unsigned bg = (fg + 1 + next_rand(&seed) % 15) % 16;
            unsigned j = next_rand(&seed) % count;
            if (kind == 3) {
                /* A tie: an 8-wide cell of ▌ (or a random glyph) exactly, no noise. */
                layout = 0;
                j = f < 3 ? 0xDD + i % 2 : j & ~1u;
                ties++;
            }
            any_cell(rows[j], h, sk_vga_line_graphics((uint8_t)j), fg, bg, kind == 0 ? 48 : 0,
                     kind == 3 ? 0 : kind, &seed, glyph, ninth);
            const struct sk_glyphfit_cell cell = {glyph, layout ? (const int(*)[3])ninth : NULL,
                                                  layout == 2};
            struct sk_glyphfit_result a, b;
            sk_glyphfit_run(gf, &cell, &a);
            sk_glyphfit_run_every(gf, &cell, &b);
            cells++;
            if (a.glyph != b.glyph || a.fg != b.fg || a.bg != b.bg || a.rms != b.rms ||
                a.contrast != b.contrast) {
                if (differ++ < 5) {
                    fprintf(
                        stderr,
                        "  height %u cell %u: %u %u/%u rms %.6f, every pair: %u %u/%u rms %.6f\n",
                        h, i, a.glyph, a.fg, a.bg, a.rms, b.glyph, b.fg, b.bg, b.rms);
                }
            }
        }
        sk_glyphfit_free(gf);
    }
    CHECK_EQ_INT((int)cells, 7200);
    CHECK(ties >= 1500);
    CHECK_EQ_INT((int)differ, 0);
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
    SK_RUN(test_least_cost);
    SK_RUN(test_bound_exact);
    SK_RUN(test_limits);
    return SK_CHECK_EXIT();
}

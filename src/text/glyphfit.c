/*
 * glyphfit: the least-squares cell reader.
 *
 * Owns one font's glyphs as 9-column rows (the ninth column is paper, or a
 * copy of the eighth for the line-drawing range 0xC0..0xDF, as a VGA draws
 * it) and, for each, the constants of the model: its ink, and per 2x2
 * chroma block the share of ink in it, for each way a cell can sit on the
 * frame's block grid (8 wide; 9 wide from an even or an odd column).
 *
 * A cell drawn as glyph g in colours F on B is modelled as luma
 * Y(p) = Yb + g(p) (Yf - Yb) at every pixel and chroma
 * C(blk) = Cb + share(blk) (Cf - Cb) per block, and the misfit of a reading
 * is the sum of squared differences from the cell's pixels (chroma as
 * block means, weighted by the block's four pixels). Expanded, that misfit
 * is linear in a handful of sums per glyph (its ink's luma and chroma, its
 * shares) with coefficients that depend only on the colours, so one pair of
 * colours is scored against every glyph in a few multiply-adds a glyph.
 *
 * The search: a short list of the glyphs that fit best with colours of
 * their own, each of those against all 240 pairs of palette colours, then
 * every glyph again against the best pair. A glyph that draws something
 * (neither blank nor solid) pays a small price, so that JPEG's ringing
 * next to a bright neighbour is not read as a dot. About 8 us a cell with
 * 256 glyphs on the machine the benchmarks ran on (bench/textrec prints it).
 */
#include "text/glyphfit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo/vga.h"
#include "util.h"

#define COLS 9
#define MAX_H 16
#define LAYOUTS 3 /* 8 wide; 9 wide from an even column; 9 wide from an odd one */
/* Glyphs kept from the first pass for the search over every colour pair. */
#define SHORTLIST 8
/* The price of a glyph that draws something, per pixel of the cell (squared luma). */
#define DRAW_PRICE 20.0f
/* Chroma blocks are compared as means of their four pixels. */
#define BLOCK_WEIGHT 4.0f

/*
 * The misfit of a glyph drawn in one pair of colours, as coefficients of
 * its sums: a + ky gy + kink ink + kcb gcb + kcr gcr + ks1 share + ks2
 * share2, plus its price. Only a depends on the cell, and of the colours
 * only on the background (bg_misfit), so it is not kept here.
 */
struct coef {
    float ky, kink, kcb, kcr, ks1, ks2;
};

struct sk_glyphfit {
    unsigned height;
    unsigned count;
    uint16_t rows[SK_GLYPHFIT_MAX][MAX_H]; /* bit x: column x, x = 8 the ninth */
    uint8_t top[SK_GLYPHFIT_MAX], end[SK_GLYPHFIT_MAX]; /* the rows that draw: top..end-1 */
    float ink[LAYOUTS][SK_GLYPHFIT_MAX];   /* pixels set */
    float share[LAYOUTS][SK_GLYPHFIT_MAX]; /* sum over blocks of the ink share */
    float share2[LAYOUTS][SK_GLYPHFIT_MAX]; /* sum over blocks of the share squared */
    float price[LAYOUTS][SK_GLYPHFIT_MAX]; /* what drawing something costs; 0 blank or solid */
    /* How far the glyph's pixels (its blocks' shares) spread, inverted; 0 for none. */
    float inv_vy[LAYOUTS][SK_GLYPHFIT_MAX], inv_vc[LAYOUTS][SK_GLYPHFIT_MAX];
    unsigned full[LAYOUTS];                /* pixels in a cell */
    int blank;                             /* the first glyph that draws nothing, or -1 */
    float pal_y[16], pal_cb[16], pal_cr[16]; /* the VGA palette as luma and chroma */
    struct coef pair[16][16];              /* [fg][bg] */
};

/* An RGB pixel as luma and chroma (JFIF's YCbCr, chroma centred on 0). */
static inline void ycc(float r, float g, float b, float *y, float *cb, float *cr)
{
    *y = 0.299f * r + 0.587f * g + 0.114f * b;
    *cb = -0.168736f * r - 0.331264f * g + 0.5f * b;
    *cr = 0.5f * r - 0.418688f * g - 0.081312f * b;
}

/* The VGA palette in luma and chroma. */
static void palette_init(struct sk_glyphfit *gf)
{
    for (unsigned k = 0; k < 16; k++) {
        const uint8_t *p = sk_vga_palette[k];
        ycc(p[0], p[1], p[2], &gf->pal_y[k], &gf->pal_cb[k], &gf->pal_cr[k]);
    }
}

/* The coefficients of fg on bg, all but a, which depends on the cell. */
static void pair_init(struct sk_glyphfit *gf, unsigned fg, unsigned bg)
{
    struct coef *k = &gf->pair[fg][bg];
    double yb = gf->pal_y[bg], dy = gf->pal_y[fg] - yb;
    double cbb = gf->pal_cb[bg], crb = gf->pal_cr[bg];
    double dcb = gf->pal_cb[fg] - cbb, dcr = gf->pal_cr[fg] - crb;
    k->ky = (float)(-2 * dy);
    k->kink = (float)(2 * dy * yb + dy * dy);
    k->kcb = (float)(-2 * BLOCK_WEIGHT * dcb);
    k->kcr = (float)(-2 * BLOCK_WEIGHT * dcr);
    k->ks1 = (float)(2 * BLOCK_WEIGHT * (dcb * cbb + dcr * crb));
    k->ks2 = (float)(BLOCK_WEIGHT * (dcb * dcb + dcr * dcr));
}

/* The first column of each 2x2 chroma block wholly inside a cell of the layout. */
static const unsigned block_x[LAYOUTS][4] = {{0, 2, 4, 6}, {0, 2, 4, 6}, {1, 3, 5, 7}};

struct sk_glyphfit *sk_glyphfit_new(unsigned height)
{
    if (height == 0 || height > MAX_H || height % 2) {
        return NULL;
    }
    struct sk_glyphfit *gf = xcalloc(1, sizeof(*gf));
    palette_init(gf);
    for (unsigned fg = 0; fg < 16; fg++) {
        for (unsigned bg = 0; bg < 16; bg++) {
            pair_init(gf, fg, bg);
        }
    }
    gf->height = height;
    gf->full[0] = 8 * height;
    gf->full[1] = gf->full[2] = COLS * height;
    gf->blank = -1;
    return gf;
}

void sk_glyphfit_free(struct sk_glyphfit *gf)
{
    free(gf);
}

int sk_glyphfit_add(struct sk_glyphfit *gf, uint8_t code, const uint8_t *rows, int ninth)
{
    if (gf->count >= SK_GLYPHFIT_MAX) {
        return -1;
    }
    unsigned j = gf->count++;
    int line =
        ninth == SK_GLYPHFIT_NINTH_B0 ? code >= 0xB0 && code <= 0xDF : sk_vga_line_graphics(code);
    for (unsigned y = 0; y < gf->height; y++) {
        uint16_t r = 0;
        for (unsigned x = 0; x < 8; x++) {
            if (rows[y] & (0x80u >> x)) {
                r |= (uint16_t)(1u << x);
            }
        }
        if (line && (r & 0x80)) {
            r |= 0x100;
        }
        gf->rows[j][y] = r;
        if (r && gf->end[j] == 0) {
            gf->top[j] = (uint8_t)y;
        }
        if (r) {
            gf->end[j] = (uint8_t)(y + 1);
        }
    }
    for (unsigned l = 0; l < LAYOUTS; l++) {
        unsigned mask = l == 0 ? 0xFFu : 0x1FFu;
        float ink = 0, s1 = 0, s2 = 0;
        for (unsigned y = 0; y < gf->height; y++) {
            ink += (float)__builtin_popcount(gf->rows[j][y] & mask);
        }
        for (unsigned by = 0; by < gf->height; by += 2) {
            for (unsigned b = 0; b < 4; b++) {
                unsigned two = 3u << block_x[l][b];
                float s = (float)(__builtin_popcount(gf->rows[j][by] & two) +
                                  __builtin_popcount(gf->rows[j][by + 1] & two)) / 4.0f;
                s1 += s;
                s2 += s * s;
            }
        }
        gf->ink[l][j] = ink;
        float n = (float)gf->full[l], nb = (float)(4 * (gf->height / 2));
        float vy = ink * (1 - ink / n), vc = s2 - s1 * s1 / nb;
        gf->inv_vy[l][j] = vy > 1e-3f ? 1 / vy : 0;
        gf->inv_vc[l][j] = vc > 1e-3f ? 1 / vc : 0;
        if (ink == 0 && gf->blank < 0) {
            gf->blank = (int)j;
        }
        gf->share[l][j] = s1;
        gf->share2[l][j] = s2;
        gf->price[l][j] = ink > 0 && ink < n ? DRAW_PRICE * n : 0;
    }
    return (int)j;
}

/* What a cell's pixels come to, once per cell. */
struct sums {
    unsigned layout, w, n, blocks;
    float y[MAX_H][COLS];           /* luma */
    float cb[MAX_H][COLS], cr[MAX_H][COLS]; /* a quarter of the pixel's block mean, 0 outside blocks */
    double sy, syy;                 /* luma, and its square, over the cell */
    double scb, scr, scc;           /* block means, and their squares, over the blocks */
    float gy[SK_GLYPHFIT_MAX];      /* per glyph: luma over its ink */
    float gcb[SK_GLYPHFIT_MAX], gcr[SK_GLYPHFIT_MAX]; /* per glyph: sum of share x block mean */
    const float *price;             /* per glyph: what drawing something costs (the model's) */
};

static void sums_fill(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c, struct sums *s)
{
    unsigned h = gf->height;
    s->layout = !c->ninth ? 0 : c->odd ? 2 : 1;
    s->w = c->ninth ? COLS : 8;
    s->n = gf->full[s->layout];
    s->sy = s->syy = 0;
    float pcb[MAX_H][COLS], pcr[MAX_H][COLS];
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < s->w; x++) {
            const int *p = x < 8 ? c->glyph[y * 8 + x] : c->ninth[y];
            float v;
            ycc((float)p[0], (float)p[1], (float)p[2], &v, &pcb[y][x], &pcr[y][x]);
            s->y[y][x] = v;
            s->cb[y][x] = s->cr[y][x] = 0;
            s->sy += v;
            s->syy += (double)v * v;
        }
    }
    s->scb = s->scr = s->scc = 0;
    s->blocks = 0;
    for (unsigned by = 0; by < h; by += 2) {
        for (unsigned b = 0; b < 4; b++) {
            unsigned x = block_x[s->layout][b];
            float mb = (pcb[by][x] + pcb[by][x + 1] + pcb[by + 1][x] + pcb[by + 1][x + 1]) / 4;
            float mr = (pcr[by][x] + pcr[by][x + 1] + pcr[by + 1][x] + pcr[by + 1][x + 1]) / 4;
            s->cb[by][x] = s->cb[by][x + 1] = s->cb[by + 1][x] = s->cb[by + 1][x + 1] = mb / 4;
            s->cr[by][x] = s->cr[by][x + 1] = s->cr[by + 1][x] = s->cr[by + 1][x + 1] = mr / 4;
            s->scb += mb;
            s->scr += mr;
            s->scc += (double)mb * mb + (double)mr * mr;
            s->blocks++;
        }
    }
    /*
     * Each glyph's sums through tables: for every 8-bit pattern of a row's
     * first eight columns, the luma under it (a table a row) and the
     * chroma (a table a pair of rows, whose blocks are the same). A table
     * doubles: the patterns with bit k set are those without it plus
     * column k.
     */
    float ty[MAX_H][256], tc[MAX_H / 2][256][2];
    for (unsigned y = 0; y < h; y++) {
        float *t = ty[y];
        const float *v = s->y[y];
        t[0] = 0;
        t[1] = v[0];
        t[2] = v[1];
        t[3] = v[0] + v[1];
        /* Four at a time from bit 2 on: the compiler can keep them in one register. */
        for (unsigned k = 2, half = 4; k < 8; k++, half <<= 1) {
            for (unsigned i = 0; i < half; i += 4) {
                t[half + i] = t[i] + v[k];
                t[half + i + 1] = t[i + 1] + v[k];
                t[half + i + 2] = t[i + 2] + v[k];
                t[half + i + 3] = t[i + 3] + v[k];
            }
        }
    }
    for (unsigned y = 0; y < h; y += 2) {
        float(*t)[2] = tc[y / 2];
        t[0][0] = t[0][1] = 0;
        for (unsigned k = 0, half = 1; k < 8; k++, half <<= 1) {
            float cb = s->cb[y][k], cr = s->cr[y][k];
            for (unsigned i = 0; i < half; i++) {
                t[half + i][0] = t[i][0] + cb;
                t[half + i][1] = t[i][1] + cr;
            }
        }
    }
    int ninth = s->w == COLS;
    s->price = gf->price[s->layout];
    for (unsigned j = 0; j < gf->count; j++) {
        float gy = 0, gcb = 0, gcr = 0;
        /* Rows that draw nothing add nothing (0 exactly). */
        for (unsigned y = gf->top[j]; y < gf->end[j]; y++) {
            unsigned r = gf->rows[j][y];
            gy += ty[y][r & 0xFF];
            gcb += tc[y / 2][r & 0xFF][0];
            gcr += tc[y / 2][r & 0xFF][1];
            if (ninth && (r & 0x100)) {
                gy += s->y[y][8];
                gcb += s->cb[y][8];
                gcr += s->cr[y][8];
            }
        }
        s->gy[j] = gy;
        s->gcb[j] = gcb;
        s->gcr[j] = gcr;
    }
}

/* The misfit of the cell as background bg alone, every pixel: a of every pair over bg. */
static float bg_misfit(const struct sk_glyphfit *gf, const struct sums *s, unsigned bg)
{
    double yb = gf->pal_y[bg], cbb = gf->pal_cb[bg], crb = gf->pal_cr[bg];
    return (float)(s->syy - 2 * yb * s->sy + s->n * yb * yb +
                   BLOCK_WEIGHT * (s->scc - 2 * (cbb * s->scb + crb * s->scr) +
                                   s->blocks * (cbb * cbb + crb * crb)));
}

/*
 * The misfit of every glyph drawn in one pair of colours, into cost[]; a is
 * bg_misfit of the pair's background.
 */
static void score_pair(const struct sk_glyphfit *gf, const struct sums *s, const struct coef *k,
                       float a, float *cost)
{
    const float *ink = gf->ink[s->layout], *s1 = gf->share[s->layout], *s2 = gf->share2[s->layout];
    for (unsigned j = 0; j < gf->count; j++) {
        cost[j] = a + k->ky * s->gy[j] + k->kink * ink[j] + k->kcb * s->gcb[j] + k->kcr * s->gcr[j] +
                  k->ks1 * s1[j] + k->ks2 * s2[j] + s->price[j];
    }
}

void sk_glyphfit_run(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c,
                     struct sk_glyphfit_result *out)
{
    struct sums sums;
    struct sums *s = &sums;
    sums_fill(gf, c, s);
    float cost[SK_GLYPHFIT_MAX], best_of[SK_GLYPHFIT_MAX];
    /*
     * The short list: each glyph with the two colours (any, not only the
     * palette's) that fit it best, by least squares in closed form, ranked
     * by what then remains of the misfit. The colours the cell really has
     * can only fit worse, so the glyph that explains the cell best with
     * palette colours is on the list unless JPEG's noise hides it.
     */
    const float n = (float)s->n, nb = (float)s->blocks;
    const float my = (float)(s->sy / n), mcb = (float)(s->scb / nb), mcr = (float)(s->scr / nb);
    const unsigned l = s->layout;
    for (unsigned j = 0; j < gf->count; j++) {
        float ink = gf->ink[l][j], s1 = gf->share[l][j];
        float cy = s->gy[j] - ink * my;
        float cb = s->gcb[j] - s1 * mcb, cr = s->gcr[j] - s1 * mcr;
        best_of[j] = s->price[j] - cy * cy * gf->inv_vy[l][j] -
                     BLOCK_WEIGHT * (cb * cb + cr * cr) * gf->inv_vc[l][j];
    }
    /* The short list, best first; among equals the earlier glyph. */
    unsigned list[SHORTLIST], nl = 0;
    for (unsigned j = 0; j < gf->count; j++) {
        if (nl == SHORTLIST && !(best_of[j] < best_of[list[nl - 1]])) {
            continue;
        }
        unsigned at = nl < SHORTLIST ? nl++ : nl - 1;
        while (at > 0 && best_of[j] < best_of[list[at - 1]]) {
            list[at] = list[at - 1];
            at--;
        }
        list[at] = j;
    }
    /* The short list's sums side by side, as the colour coefficients take them. */
    float gv[SHORTLIST][8];
    for (unsigned i = 0; i < nl; i++) {
        unsigned j = list[i];
        const float v[8] = {s->gy[j], gf->ink[l][j], s->gcb[j], s->gcr[j], gf->share[l][j], gf->share2[l][j],
                            s->price[j], 0};
        memcpy(gv[i], v, sizeof(v));
    }
    float best = INFINITY;
    unsigned bj = 0, bfg = 7, bbg = 0;
    for (unsigned bg = 0; bg < 16; bg++) {
        float a = bg_misfit(gf, s, bg);
        for (unsigned fg = 0; fg < 16; fg++) {
            if (fg == bg) {
                continue;
            }
            const struct coef *k = &gf->pair[fg][bg];
            for (unsigned i = 0; i < nl; i++) {
                const float *g = gv[i];
                float v = a + k->ky * g[0] + k->kink * g[1] + k->kcb * g[2] + k->kcr * g[3] + k->ks1 * g[4] +
                          k->ks2 * g[5] + g[6];
                if (v < best) {
                    best = v;
                    bj = list[i];
                    bfg = fg;
                    bbg = bg;
                }
            }
        }
    }
    score_pair(gf, s, &gf->pair[bfg][bbg], bg_misfit(gf, s, bbg), cost);
    for (unsigned j = 0; j < gf->count; j++) {
        if (cost[j] < best) {
            best = cost[j];
            bj = j;
        }
    }
    double misfit = best - s->price[bj];
    out->rms = sqrt(misfit > 0 ? misfit / s->n : 0);
    double dy = gf->pal_y[bfg] - gf->pal_y[bbg], dcb = gf->pal_cb[bfg] - gf->pal_cb[bbg],
           dcr = gf->pal_cr[bfg] - gf->pal_cr[bbg];
    out->contrast = sqrt(dy * dy + dcb * dcb + dcr * dcr);
    float ink = gf->ink[l][bj];
    if ((ink == 0 || ink >= n) && gf->blank >= 0) {
        /* One colour: a blank of it; its foreground shows nothing, light grey as a VGA blank's. */
        bbg = ink == 0 ? bbg : bfg;
        bj = (unsigned)gf->blank;
        bfg = 7;
        out->contrast = 0;
    }
    out->glyph = bj;
    out->fg = (uint8_t)bfg;
    out->bg = (uint8_t)bbg;
}

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
 * A glyph's sums come from its rows' "words" (a row pattern at a height,
 * shared by the glyphs that draw it, each word summed once a cell), and
 * from the sums of an earlier glyph it differs from in a few rows, in
 * fixed point so that they do not depend on the order they are taken in.
 *
 * The search: a short list of the glyphs that fit best with colours of
 * their own, each of those against the pairs of palette colours that can
 * still win (all 240 by right; a bound in luma rules out most, and
 * sk_glyphfit_run_every, which tries them all, is the reference it must
 * equal), then every glyph again against the best pair. A glyph that
 * draws something (neither blank nor solid) pays a small price, so that
 * JPEG's ringing next to a bright neighbour is not read as a dot. About
 * 4-5 us a cell with 256 glyphs on the machine the benchmarks ran on
 * (bench/textrec prints it).
 */
#include "text/glyphfit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/vga.h"
#include "video/ycc.h"
#include "base/util.h"

#define COLS 9
#define MAX_H 16
#define LAYOUTS 3 /* 8 wide; 9 wide from an even column; 9 wide from an odd one */
/* Glyphs kept from the first pass for the search over every colour pair. */
#define SHORTLIST 8
/* The price of a glyph that draws something, per pixel of the cell (squared luma). */
#define DRAW_PRICE 20.0f
/*
 * A word: one row pattern at one height, as glyphs share them (a font of
 * 256 has about 490; nine 8x16 fonts together about 950). MAX_WORDS
 * counts every 9-bit pattern; a ninth column that is paper or a copy of
 * the eighth leaves 384 a height.
 */
#define MAX_WORDS (MAX_H * ((1u << COLS) - 1) + 1)
/* Words a fit keeps on its stack; more, on the heap. */
#define STACK_WORDS 2048
/* A cell's sums in fixed point: luma, and chroma as a quarter of its block's mean, in 1/FIX. */
#define FIX 16384.0f
/* Luma, Cb, Cr and a spare lane, summed together (GCC's vector extension). */
#define V4I int32_t __attribute__((vector_size(16)))
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
    uint16_t word[SK_GLYPHFIT_MAX][MAX_H]; /* each row's word: its pattern at its height */
    unsigned words;                        /* word 0 is the empty row */
    uint8_t word_y[MAX_WORDS];
    uint16_t word_bits[MAX_WORDS];       /* bit x: column x, x = 8 the ninth */
    uint16_t word_at[MAX_H][1u << COLS]; /* a pattern's word at a height; 0 none yet */
    /*
     * Each glyph's sums from an earlier glyph's (base, -1 for none) by the
     * words of the rows where the two differ: its own added, the base's
     * taken away. The base is the earlier glyph that needs fewest (a font
     * repeats rows: é is e with other top rows; two fonts repeat glyphs).
     */
    int16_t base[SK_GLYPHFIT_MAX];
    uint16_t edit_at[SK_GLYPHFIT_MAX];                    /* its first word in edit[] */
    uint8_t adds[SK_GLYPHFIT_MAX], subs[SK_GLYPHFIT_MAX]; /* words added, then taken away */
    uint16_t edit[SK_GLYPHFIT_MAX * MAX_H]; /* at most a row each: fewer than none's */
    unsigned edits;
    float ink[LAYOUTS][SK_GLYPHFIT_MAX];    /* pixels set */
    float share[LAYOUTS][SK_GLYPHFIT_MAX];  /* sum over blocks of the ink share */
    float share2[LAYOUTS][SK_GLYPHFIT_MAX]; /* sum over blocks of the share squared */
    float price[LAYOUTS][SK_GLYPHFIT_MAX];  /* what drawing something costs; 0 blank or solid */
    /* How far the glyph's pixels (its blocks' shares) spread, inverted; 0 for none. */
    float inv_vy[LAYOUTS][SK_GLYPHFIT_MAX], inv_vc[LAYOUTS][SK_GLYPHFIT_MAX];
    unsigned full[LAYOUTS];                  /* pixels in a cell */
    int blank;                               /* the first glyph that draws nothing, or -1 */
    float pal_y[16], pal_cb[16], pal_cr[16]; /* the VGA palette as luma and chroma */
    uint8_t by_luma[16];                     /* the palette, darkest first */
    struct coef pair[16][16];                /* [fg][bg] */
};

/* The VGA palette in luma and chroma. */
static void palette_init(struct sk_glyphfit *gf)
{
    for (unsigned k = 0; k < 16; k++) {
        const uint8_t *p = sk_vga_palette[k];
        sk_ycc_f(p[0], p[1], p[2], &gf->pal_y[k], &gf->pal_cb[k], &gf->pal_cr[k]);
    }
}

/* The palette in order of luma, darkest first. */
static void palette_order(struct sk_glyphfit *gf)
{
    for (unsigned k = 0; k < 16; k++) {
        unsigned at = k;
        while (at > 0 && gf->pal_y[gf->by_luma[at - 1]] > gf->pal_y[k]) {
            gf->by_luma[at] = gf->by_luma[at - 1];
            at--;
        }
        gf->by_luma[at] = (uint8_t)k;
    }
}

/*
 * The palette in order of distance in luma from a value, nearest first,
 * made as far as it is asked for: a walk outward from the value both ways.
 */
struct walk {
    const struct sk_glyphfit *gf;
    double m;
    int lo, hi;    /* the next darker and lighter in by_luma */
    unsigned made; /* order[0..made-1] */
    uint8_t order[16];
};

static void walk_start(struct walk *w, const struct sk_glyphfit *gf, double m)
{
    w->gf = gf;
    w->m = m;
    w->hi = 0;
    while (w->hi < 16 && gf->pal_y[gf->by_luma[w->hi]] < m) {
        w->hi++;
    }
    w->lo = w->hi - 1;
    w->made = 0;
}

/* The k-th nearest palette colour (k < 16). */
static unsigned walk_at(struct walk *w, unsigned k)
{
    const float *y = w->gf->pal_y;
    const uint8_t *order = w->gf->by_luma;
    while (w->made <= k && w->made < 16) {
        if (w->hi < 16 && (w->lo < 0 || y[order[w->hi]] - w->m < w->m - y[order[w->lo]])) {
            w->order[w->made++] = order[w->hi++];
        } else {
            w->order[w->made++] = order[w->lo--];
        }
    }
    return w->order[k];
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
    palette_order(gf);
    for (unsigned fg = 0; fg < 16; fg++) {
        for (unsigned bg = 0; bg < 16; bg++) {
            pair_init(gf, fg, bg);
        }
    }
    gf->height = height;
    gf->full[0] = 8 * height;
    gf->full[1] = gf->full[2] = COLS * height;
    gf->blank = -1;
    gf->words = 1;
    return gf;
}

void sk_glyphfit_free(struct sk_glyphfit *gf)
{
    free(gf);
}

/* Words to add and take away to make glyph j's sums from glyph k's (k = -1: from nothing). */
static unsigned edit_cost(const struct sk_glyphfit *gf, unsigned j, int k, unsigned stop)
{
    unsigned cost = 0;
    for (unsigned y = 0; y < gf->height && cost < stop; y++) {
        unsigned a = gf->word[j][y], b = k < 0 ? 0 : gf->word[k][y];
        cost += a != b ? (a != 0) + (b != 0) : 0;
    }
    return cost;
}

/*
 * Onto edit[], the words of the rows where glyph j and its base differ:
 * j's own (base_side 0) or the base's (1). Returns how many.
 */
static unsigned edits_push(struct sk_glyphfit *gf, unsigned j, int base, int base_side)
{
    unsigned pushed = 0;
    for (unsigned y = 0; y < gf->height; y++) {
        unsigned a = gf->word[j][y], b = base < 0 ? 0 : gf->word[base][y];
        unsigned w = base_side ? b : a;
        if (a != b && w != 0) {
            gf->edit[gf->edits++] = (uint16_t)w;
            pushed++;
        }
    }
    return pushed;
}

/* Glyph j's base and edits: the earlier glyph, or none, it is fewest words from. */
static void edits_init(struct sk_glyphfit *gf, unsigned j)
{
    int base = -1;
    unsigned best = edit_cost(gf, j, -1, ~0u);
    for (unsigned k = 0; k < j && best > 0; k++) {
        unsigned c = edit_cost(gf, j, (int)k, best);
        if (c < best) {
            best = c;
            base = (int)k;
        }
    }
    gf->base[j] = (int16_t)base;
    gf->edit_at[j] = (uint16_t)gf->edits;
    gf->adds[j] = (uint8_t)edits_push(gf, j, base, 0);
    gf->subs[j] = (uint8_t)edits_push(gf, j, base, 1);
}

int sk_glyphfit_add(struct sk_glyphfit *gf, uint8_t code, const uint8_t *rows, int ninth)
{
    if (gf->count >= SK_GLYPHFIT_MAX) {
        return -1;
    }
    unsigned j = gf->count++;
    int line =
        ninth == SK_GLYPHFIT_NINTH_B0 ? code >= 0xB0 && code <= 0xDF : sk_vga_line_graphics(code);
    uint16_t row[MAX_H];
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
        row[y] = r;
        if (r && gf->word_at[y][r] == 0) {
            gf->word_at[y][r] = (uint16_t)gf->words;
            gf->word_y[gf->words] = (uint8_t)y;
            gf->word_bits[gf->words] = r;
            gf->words++;
        }
        gf->word[j][y] = gf->word_at[y][r];
    }
    edits_init(gf, j);
    for (unsigned l = 0; l < LAYOUTS; l++) {
        unsigned mask = l == 0 ? 0xFFu : 0x1FFu;
        float ink = 0, s1 = 0, s2 = 0;
        for (unsigned y = 0; y < gf->height; y++) {
            ink += (float)__builtin_popcount(row[y] & mask);
        }
        for (unsigned by = 0; by < gf->height; by += 2) {
            for (unsigned b = 0; b < 4; b++) {
                unsigned two = 3u << block_x[l][b];
                float s = (float)(__builtin_popcount(row[by] & two) +
                                  __builtin_popcount(row[by + 1] & two)) /
                          4.0f;
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
    float y[MAX_H][COLS]; /* luma */
    float cb[MAX_H][COLS],
        cr[MAX_H][COLS];       /* a quarter of the pixel's block mean, 0 outside blocks */
    double sy, syy;            /* luma, and its square, over the cell */
    double scb, scr, scc;      /* block means, and their squares, over the blocks */
    float gy[SK_GLYPHFIT_MAX]; /* per glyph: luma over its ink */
    float gcb[SK_GLYPHFIT_MAX], gcr[SK_GLYPHFIT_MAX]; /* per glyph: sum of share x block mean */
    const float *price; /* per glyph: what drawing something costs (the model's) */
};

/* v in fixed point (1/FIX), to nearest. */
static inline int32_t to_fixed(float v)
{
    return (int32_t)(v * FIX + (v < 0 ? -0.5f : 0.5f));
}

/*
 * Each glyph's sums (luma, Cb and Cr over its ink) from the cell's pixel
 * values in s, a row at a time through its words: a word's value is the
 * sum of its pixels' (luma, Cb, Cr), from two tables a row (its first four
 * columns' patterns, and its last five's). A table doubles: the patterns
 * with bit k set are those without it plus column k. Each pixel's values
 * are rounded to fixed point first, so that a glyph's sums do not depend
 * on the order they are taken in (from a base glyph's, or row by row).
 */
static void glyph_sums(const struct sk_glyphfit *gf, struct sums *s)
{
    unsigned h = gf->height;
    V4I px[MAX_H][COLS], lo[MAX_H][16], hi[MAX_H][32];
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < COLS; x++) {
            int in = x < s->w;
            px[y][x] = (V4I){in ? to_fixed(s->y[y][x]) : 0, in ? to_fixed(s->cb[y][x]) : 0,
                             in ? to_fixed(s->cr[y][x]) : 0, 0};
        }
        lo[y][0] = hi[y][0] = (V4I){0, 0, 0, 0};
        for (unsigned k = 0, half = 1; k < 5; k++, half <<= 1) {
            for (unsigned i = 0; i < half; i++) {
                if (k < 4) {
                    lo[y][half + i] = lo[y][i] + px[y][k];
                }
                hi[y][half + i] = hi[y][i] + px[y][4 + k];
            }
        }
    }
    V4I stack_val[STACK_WORDS];
    V4I *val = gf->words <= STACK_WORDS ? stack_val : xmalloc(gf->words * sizeof(*val));
    val[0] = (V4I){0, 0, 0, 0};
    for (unsigned w = 1; w < gf->words; w++) {
        unsigned y = gf->word_y[w], bits = gf->word_bits[w];
        val[w] = lo[y][bits & 15] + hi[y][bits >> 4];
    }
    V4I sums[SK_GLYPHFIT_MAX];
    for (unsigned j = 0; j < gf->count; j++) {
        V4I sum = gf->base[j] < 0 ? (V4I){0, 0, 0, 0} : sums[gf->base[j]];
        const uint16_t *e = gf->edit + gf->edit_at[j];
        for (unsigned k = 0; k < gf->adds[j]; k++) {
            sum += val[e[k]];
        }
        e += gf->adds[j];
        for (unsigned k = 0; k < gf->subs[j]; k++) {
            sum -= val[e[k]];
        }
        sums[j] = sum;
        s->gy[j] = (float)sum[0] / FIX;
        s->gcb[j] = (float)sum[1] / FIX;
        s->gcr[j] = (float)sum[2] / FIX;
    }
    if (val != stack_val) {
        free(val);
    }
}

static void sums_fill(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c,
                      struct sums *s)
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
            sk_ycc_f((float)p[0], (float)p[1], (float)p[2], &v, &pcb[y][x], &pcr[y][x]);
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
    s->price = gf->price[s->layout];
    glyph_sums(gf, s);
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
        cost[j] = a + k->ky * s->gy[j] + k->kink * ink[j] + k->kcb * s->gcb[j] +
                  k->kcr * s->gcr[j] + k->ks1 * s1[j] + k->ks2 * s2[j] + s->price[j];
    }
}

/* The glyphs that fit the cell best with colours of their own, best first. */
struct shortlist {
    unsigned n;
    unsigned glyph[SHORTLIST];
    float g[SHORTLIST][8]; /* gy, ink, gcb, gcr, share, share2, price, best_of */
};

/*
 * The short list: each glyph with the two colours (any, not only the
 * palette's) that fit it best, by least squares in closed form, ranked by
 * what then remains of the misfit (best_of). The colours the cell really
 * has can only fit worse, so the glyph that explains the cell best with
 * palette colours is on the list unless JPEG's noise hides it. Among
 * equals the earlier glyph.
 */
static void shortlist_fill(const struct sk_glyphfit *gf, const struct sums *s, struct shortlist *sl)
{
    const float n = (float)s->n, nb = (float)s->blocks;
    const float my = (float)(s->sy / n), mcb = (float)(s->scb / nb), mcr = (float)(s->scr / nb);
    const unsigned l = s->layout;
    float best_of[SK_GLYPHFIT_MAX];
    for (unsigned j = 0; j < gf->count; j++) {
        float ink = gf->ink[l][j], s1 = gf->share[l][j];
        float cy = s->gy[j] - ink * my;
        float cb = s->gcb[j] - s1 * mcb, cr = s->gcr[j] - s1 * mcr;
        best_of[j] = s->price[j] - cy * cy * gf->inv_vy[l][j] -
                     BLOCK_WEIGHT * (cb * cb + cr * cr) * gf->inv_vc[l][j];
    }
    unsigned nl = 0;
    float listed[SHORTLIST]; /* their best_of */
    float last = INFINITY;   /* the list's last, once it is full */
    for (unsigned j = 0; j < gf->count; j++) {
        float b = best_of[j];
        if (!(b < last)) {
            continue;
        }
        unsigned at = nl < SHORTLIST ? nl++ : nl - 1;
        while (at > 0 && b < listed[at - 1]) {
            sl->glyph[at] = sl->glyph[at - 1];
            listed[at] = listed[at - 1];
            at--;
        }
        sl->glyph[at] = j;
        listed[at] = b;
        if (nl == SHORTLIST) {
            last = listed[nl - 1];
        }
    }
    sl->n = nl;
    for (unsigned i = 0; i < nl; i++) {
        unsigned j = sl->glyph[i];
        const float v[8] = {s->gy[j],        gf->ink[l][j],    s->gcb[j],   s->gcr[j],
                            gf->share[l][j], gf->share2[l][j], s->price[j], listed[i]};
        memcpy(sl->g[i], v, sizeof(v));
    }
}

/* A reading: glyph (and its place on the short list), colours, and its misfit with its price. */
struct pick {
    float cost;
    unsigned glyph, item, fg, bg;
};

/* The misfit of short-list sums g in the colours of k; a is bg_misfit of their background. */
static inline float pair_cost(const struct coef *k, float a, const float *g)
{
    return a + k->ky * g[0] + k->kink * g[1] + k->kcb * g[2] + k->kcr * g[3] + k->ks1 * g[4] +
           k->ks2 * g[5] + g[6];
}

/*
 * Every pair of palette colours for each glyph on the list, skipping those
 * that cannot win. A glyph's misfit in colours F on B is its least
 * (best_of, with colours of its own, plus what no glyph explains) plus, in
 * luma, (paper pixels)(Yb - their mean)^2 + (ink pixels)(Yf - their
 * mean)^2, plus a chroma excess that is never negative. So each glyph
 * walks the palette outward from its paper's and its ink's mean luma, and
 * stops where the luma terms alone lose. slack covers float rounding: the
 * pair found is the one pairs_every finds, and of equals the first in the
 * order bg, fg, glyph, as pairs_every takes them.
 */
static void pairs_bounded(const struct sk_glyphfit *gf, const struct sums *s,
                          const struct shortlist *sl, const float abg[16], struct pick *p)
{
    const double n = s->n, nb = s->blocks;
    const double syy_c = s->syy - s->sy * s->sy / n;
    const double scc_c = s->scc - (s->scb * s->scb + s->scr * s->scr) / nb;
    const float slack =
        64.0f + 1e-5f * (float)(s->syy + n * 65025.0 + BLOCK_WEIGHT * (s->scc + nb * 32768.0));
    struct pick b = *p; /* in registers: the walks' byte stores could alias *p */
    for (unsigned i = 0; i < sl->n; i++) {
        const float *g = sl->g[i];
        double ink = g[1], gy = g[0];
        double wp = n - ink, mp = wp > 0 ? (s->sy - gy) / wp : 0, mi = ink > 0 ? gy / ink : 0;
        float base = (float)(syy_c + BLOCK_WEIGHT * scc_c + g[7]) - slack;
        struct walk wb, wf;
        float dev_b[16], dev_f[16];
        walk_start(&wb, gf, mp);
        walk_start(&wf, gf, mi);
        for (unsigned k = 0; k < 16; k++) {
            double yb = gf->pal_y[k] - mp, yf = gf->pal_y[k] - mi;
            dev_b[k] = (float)(wp * yb * yb);
            dev_f[k] = (float)(ink * yf * yf);
        }
        for (unsigned kb = 0; kb < 16; kb++) {
            unsigned bg = walk_at(&wb, kb);
            float lb = base + dev_b[bg];
            if (lb > b.cost) {
                break;
            }
            for (unsigned kf = 0; kf < 16; kf++) {
                unsigned fg = walk_at(&wf, kf);
                if (lb + dev_f[fg] > b.cost) {
                    break;
                }
                if (fg == bg) {
                    continue;
                }
                float v = pair_cost(&gf->pair[fg][bg], abg[bg], g);
                if (v < b.cost ||
                    (v == b.cost &&
                     (bg < b.bg || (bg == b.bg && (fg < b.fg || (fg == b.fg && i < b.item)))))) {
                    b = (struct pick){v, sl->glyph[i], i, fg, bg};
                }
            }
        }
    }
    *p = b;
}

/* Every pair of palette colours for each glyph on the list, in the order bg, fg, glyph. */
static void pairs_every(const struct sk_glyphfit *gf, const struct shortlist *sl,
                        const float abg[16], struct pick *p)
{
    for (unsigned bg = 0; bg < 16; bg++) {
        for (unsigned fg = 0; fg < 16; fg++) {
            for (unsigned i = 0; fg != bg && i < sl->n; i++) {
                float v = pair_cost(&gf->pair[fg][bg], abg[bg], sl->g[i]);
                if (v < p->cost) {
                    *p = (struct pick){v, sl->glyph[i], i, fg, bg};
                }
            }
        }
    }
}

/* A glyph off the list may be cheaper in the pick's colours: rarely, and a vector loop says so. */
static void off_list(const struct sk_glyphfit *gf, const struct sums *s, struct pick *p)
{
    float cost[SK_GLYPHFIT_MAX];
    score_pair(gf, s, &gf->pair[p->fg][p->bg], bg_misfit(gf, s, p->bg), cost);
    int cheaper = 0;
    for (unsigned j = 0; j < gf->count; j++) {
        cheaper |= cost[j] < p->cost;
    }
    for (unsigned j = 0; cheaper && j < gf->count; j++) {
        if (cost[j] < p->cost) {
            p->cost = cost[j];
            p->glyph = j;
        }
    }
}

static void fit(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c, int every,
                struct sk_glyphfit_result *out)
{
    struct sums sums;
    struct sums *s = &sums;
    sums_fill(gf, c, s);
    struct shortlist sl;
    shortlist_fill(gf, s, &sl);
    float abg[16];
    for (unsigned bg = 0; bg < 16; bg++) {
        abg[bg] = bg_misfit(gf, s, bg);
    }
    struct pick p = {INFINITY, 0, 0, 7, 0};
    if (every) {
        pairs_every(gf, &sl, abg, &p);
    } else {
        pairs_bounded(gf, s, &sl, abg, &p);
    }
    off_list(gf, s, &p);
    double misfit = p.cost - s->price[p.glyph];
    out->rms = sqrt(misfit > 0 ? misfit / s->n : 0);
    double dy = gf->pal_y[p.fg] - gf->pal_y[p.bg], dcb = gf->pal_cb[p.fg] - gf->pal_cb[p.bg],
           dcr = gf->pal_cr[p.fg] - gf->pal_cr[p.bg];
    out->contrast = sqrt(dy * dy + dcb * dcb + dcr * dcr);
    float ink = gf->ink[s->layout][p.glyph];
    if ((ink == 0 || ink >= (float)s->n) && gf->blank >= 0) {
        /* One colour: a blank of it; its foreground shows nothing, light grey as a VGA blank's. */
        p.bg = ink == 0 ? p.bg : p.fg;
        p.glyph = (unsigned)gf->blank;
        p.fg = 7;
        out->contrast = 0;
    }
    out->glyph = p.glyph;
    out->fg = (uint8_t)p.fg;
    out->bg = (uint8_t)p.bg;
}

void sk_glyphfit_run(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c,
                     struct sk_glyphfit_result *out)
{
    fit(gf, c, 0, out);
}

void sk_glyphfit_run_every(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c,
                           struct sk_glyphfit_result *out)
{
    fit(gf, c, 1, out);
}

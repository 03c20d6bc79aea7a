/*
 * gridfind: a text screen's grid from the periodicity of its pixels.
 *
 * Owns the profiles' buffers, reused from picture to picture. One pass over
 * the picture's luma gives two profiles: for each pixel column, how much
 * the luma changes going down it (a column of paper between two glyphs
 * changes nowhere), and for each pixel row, how much it changes going
 * across it. Each profile then goes through the same steps:
 *
 *  1. Spikes (a window's border line running the height of the screen) are
 *     clipped, and the slow changes (a margin beside the text) taken out
 *     with a moving average.
 *  2. The autocorrelation R(lag) of what is left. A profile that repeats
 *     every P pixels has R high at P, 2P, 3P...; the comb score of a
 *     candidate period p sums R at its multiples less R half-way between
 *     them, read between whole lags by linear interpolation, so that a
 *     period of 43.2 pixels is measured as well as one of 16. Half the
 *     period scores little (every other tooth falls between cells), and so
 *     does twice it (its half-way points are cells too); three times it
 *     has a third of the teeth. The best score is the pitch. On a sparse
 *     screen (a few lines at the top) the teeth are counted only within
 *     the text's extent, when at least three fall there, and the pitch is
 *     snapped to a whole pixel when the profile folds more unevenly there;
 *     the strength is also the weakest of the first four teeth (runs of
 *     rows spread over the frame, as GRUB's menu has, pair only near ones).
 *  3. The profile folded modulo the period: the emptiest place of a cell
 *     is the gap glyphs leave. Across a row, glyphs are drawn from the
 *     cell's left, so the cell starts where the gap ends; down a column
 *     they are centred, so the cell starts in the gap's middle.
 *  4. The cells that hold anything at all give the text's extent.
 */
#include "text/gridfind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "video/ycc.h"

/* Luma steps below this are JPEG's noise, not a stroke. */
#define EDGE_MIN 12
/* A step counts at most this much: a glyph's stroke, not the contrast of its colours. */
#define EDGE_MAX 96
/* Comb scores are sampled every 1/PITCH_STEPS pixel. */
#define PITCH_STEPS 16
/* An axis repeats clearly when its comb score reaches this share of R(0). */
#define MIN_STRENGTH 0.12
/* Lags the autocorrelation looks at: six of the longest periods, dozens of the commonest. */
#define MAX_LAG ((unsigned)(6 * SK_GRIDFIND_MAX_PITCH))
/* Bins a pixel of the folded profile is split into. */
#define FOLD_BINS_PER_PX 4
/* The teeth a comb confined to a sparse screen's text needs to count. */
#define SPARSE_MIN_TEETH 3
/*
 * An axis's strength is also its comb's weakest of the first this many
 * teeth: a screen whose text is a few runs of rows spread over the frame
 * (GRUB's menu: six entries under the title, three lines of help under the
 * box, whose sides run the whole height) has an extent as tall as the
 * frame, and most teeth find nothing to pair with, but its near ones all
 * do. Two lines alone give one tooth, not this many.
 */
#define NEAR_TEETH 4
/* A cell holds something when its activity reaches this share of the busiest cell's. */
#define EXTENT_SHARE 0.03

struct sk_gridfind {
    double *col, *row;   /* the two profiles */
    double *work, *corr; /* one axis's filtered profile and autocorrelation */
    double *fold;        /* the folded profile's bins */
    int *luma[2];        /* this row's luma and the one above */
    uint32_t *down;      /* the column profile while it is summed */
    uint8_t step[511];   /* what a luma step of d counts for, at d + 255 */
    size_t cap_w, cap_h, cap_n;
};

struct sk_gridfind *sk_gridfind_new(void)
{
    struct sk_gridfind *gf = xcalloc(1, sizeof(*gf));
    for (int d = -255; d <= 255; d++) {
        int a = abs(d);
        gf->step[d + 255] = (uint8_t)(a < EDGE_MIN ? 0 : a > EDGE_MAX ? EDGE_MAX : a);
    }
    return gf;
}

void sk_gridfind_free(struct sk_gridfind *gf)
{
    if (!gf) {
        return;
    }
    free(gf->col);
    free(gf->row);
    free(gf->work);
    free(gf->corr);
    free(gf->fold);
    free(gf->luma[0]);
    free(gf->luma[1]);
    free(gf->down);
    free(gf);
}

static void grow(struct sk_gridfind *gf, unsigned w, unsigned h)
{
    if (w > gf->cap_w) {
        free(gf->col);
        free(gf->luma[0]);
        free(gf->luma[1]);
        free(gf->down);
        gf->col = xcalloc(w, sizeof(double));
        gf->down = xcalloc(w, sizeof(uint32_t));
        gf->luma[0] = xcalloc(w, sizeof(int));
        gf->luma[1] = xcalloc(w, sizeof(int));
        gf->cap_w = w;
    }
    if (h > gf->cap_h) {
        free(gf->row);
        gf->row = xcalloc(h, sizeof(double));
        gf->cap_h = h;
    }
    size_t n = w > h ? w : h;
    if (n > gf->cap_n) {
        free(gf->work);
        free(gf->corr);
        free(gf->fold);
        gf->work = xcalloc(n, sizeof(double));
        gf->corr = xcalloc(n, sizeof(double));
        gf->fold = xcalloc((size_t)(SK_GRIDFIND_MAX_PITCH + 2) * FOLD_BINS_PER_PX, sizeof(double));
        gf->cap_n = n;
    }
}

/* The column profile (changes down each column) and the row profile (changes across each row). */
static void profiles(struct sk_gridfind *gf, const struct sk_image *img)
{
    unsigned w = img->width, h = img->height;
    uint32_t *down = gf->down;
    memset(down, 0, w * sizeof(*down));
    int *above = gf->luma[1], *here = gf->luma[0];
    const uint8_t *sw = gf->step + 255;
    for (unsigned y = 0; y < h; y++) {
        const uint8_t *p = img->pixels + (size_t)y * img->pitch;
        for (unsigned x = 0; x < w; x++, p += 3) {
            here[x] = (int)sk_ycc_luma8(p);
        }
        uint32_t across = 0;
        for (unsigned x = 1; x < w; x++) {
            across += sw[here[x] - here[x - 1]];
        }
        if (y > 0) {
            for (unsigned x = 0; x < w; x++) {
                down[x] += sw[here[x] - above[x]];
            }
        }
        gf->row[y] = (double)across;
        int *t = above;
        above = here;
        here = t;
    }
    for (unsigned x = 0; x < w; x++) {
        gf->col[x] = (double)down[x];
    }
}

/* Clip spikes at mean + 3 sd, then take out a moving average: into out. */
static void flatten(const double *p, unsigned n, double *out)
{
    double sum = 0, sum2 = 0;
    for (unsigned i = 0; i < n; i++) {
        sum += p[i];
        sum2 += p[i] * p[i];
    }
    double mean = sum / n, sd = sqrt(fmax(0, sum2 / n - mean * mean));
    double top = mean + 3 * sd;
    for (unsigned i = 0; i < n; i++) {
        out[i] = p[i] > top ? top : p[i];
    }
    /* A running sum over a window of about two of the longest periods. */
    unsigned half = (unsigned)SK_GRIDFIND_MAX_PITCH;
    double *pre = xcalloc(n + 1, sizeof(double));
    for (unsigned i = 0; i < n; i++) {
        pre[i + 1] = pre[i] + out[i];
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned a = i > half ? i - half : 0, b = i + half + 1 < n ? i + half + 1 : n;
        out[i] -= (pre[b] - pre[a]) / (b - a);
    }
    free(pre);
}

/* R at a fractional lag. */
static double corr_at(const double *r, unsigned lags, double lag)
{
    unsigned a = (unsigned)lag;
    if (a + 1 >= lags) {
        return r[lags - 1];
    }
    double f = lag - a;
    return r[a] * (1 - f) + r[a + 1] * f;
}

/*
 * The comb score of period p: the sum of R at its multiples below reach,
 * less R half-way between them. Twice the period finds peaks half-way
 * too, half of it troughs on every other tooth: both score little; three
 * times the period has a third of the teeth. *teeth gets their count.
 */
static double comb(const double *r, unsigned lags, unsigned reach, double p, unsigned *teeth)
{
    double s = 0;
    unsigned m = 0;
    for (double l = p; l < reach - 1; l += p) {
        s += corr_at(r, lags, l) - corr_at(r, lags, l - p / 2);
        m++;
    }
    *teeth = m;
    return s;
}

/*
 * The period whose comb scores best, searched every 1/PITCH_STEPS pixel
 * and then finer around the best; *score gets its score (0 when nothing
 * repeats) and *teeth its teeth.
 */
static double comb_search(const double *r, unsigned lags, unsigned reach, double *score,
                          unsigned *teeth)
{
    double maxp = fmin(SK_GRIDFIND_MAX_PITCH, (lags - 1) / 2.0);
    unsigned steps = (unsigned)((maxp - SK_GRIDFIND_MIN_PITCH) * PITCH_STEPS) + 1;
    double pitch = 0, best = 0;
    unsigned m;
    *teeth = 0;
    for (unsigned i = 0; i < steps; i++) {
        double q = SK_GRIDFIND_MIN_PITCH + (double)i / PITCH_STEPS;
        double s = comb(r, lags, reach, q, &m);
        if (s > best) {
            best = s;
            pitch = q;
            *teeth = m;
        }
    }
    if (best > 0) {
        double coarse = pitch;
        for (int k = -PITCH_STEPS / 2; k <= PITCH_STEPS / 2; k++) {
            double q = coarse + k / (8.0 * PITCH_STEPS);
            double s = comb(r, lags, reach, q, &m);
            if (s > best) {
                best = s;
                pitch = q;
                *teeth = m;
            }
        }
    }
    *score = best;
    return pitch;
}

/*
 * Fold profile p (before flattening: its zeros are the gaps) modulo pitch
 * into gf->fold; *lo gets the emptiest place's bin (smoothed over about a
 * pixel) and *hi the fullest bin's value. Returns how unevenly the fold is
 * filled (1 + the bins' squared coefficient of variation): greatest where
 * every row of cells lines up, at the true pitch.
 */
static double fold(struct sk_gridfind *gf, const double *p, unsigned n, double pitch, unsigned *lo,
                   double *hi)
{
    unsigned bins = (unsigned)ceil(pitch * FOLD_BINS_PER_PX);
    double *f = gf->fold, total = 0, sq = 0;
    memset(f, 0, bins * sizeof(double));
    for (unsigned i = 0; i < n; i++) {
        /* A pixel covers [i, i + 1): spread it over the bins it covers. */
        for (unsigned k = 0; k < FOLD_BINS_PER_PX; k++) {
            double ph = fmod(i + (k + 0.5) / FOLD_BINS_PER_PX, pitch) / pitch;
            unsigned b = (unsigned)(ph * bins);
            f[b < bins ? b : bins - 1] += p[i] / FOLD_BINS_PER_PX;
        }
        total += p[i];
    }
    unsigned lo_b = 0;
    double lo_v = INFINITY, hi_v = 0;
    for (unsigned b = 0; b < bins; b++) {
        double v = 0;
        for (int k = -FOLD_BINS_PER_PX / 2; k <= FOLD_BINS_PER_PX / 2; k++) {
            v += f[(b + bins + (unsigned)k) % bins];
        }
        if (v < lo_v) {
            lo_v = v;
            lo_b = b;
        }
        hi_v = f[b] > hi_v ? f[b] : hi_v;
        sq += f[b] * f[b];
    }
    *lo = lo_b;
    *hi = hi_v;
    return total > 0 ? sq * bins / (total * total) : 0;
}

/* Find the pitch, phase and extent of one axis of n pixels. */
static void axis_find(struct sk_gridfind *gf, const double *p, unsigned n, int centred,
                      struct sk_gridfind_axis *out)
{
    memset(out, 0, sizeof(*out));
    double *d = gf->work, *r = gf->corr;
    flatten(p, n, d);
    unsigned lags = n * 2 / 3 < MAX_LAG ? n * 2 / 3 : MAX_LAG;
    for (unsigned l = 0; l < lags; l++) {
        double s = 0;
        for (unsigned i = 0; i + l < n; i++) {
            s += d[i] * d[i + l];
        }
        r[l] = s / (n - l);
    }
    if (r[0] <= 0) {
        return;
    }
    /*
     * Teeth only where the text is: a screen whose few lines fill the top
     * sixth of the frame (the UEFI shell's banner, a login prompt) repeats
     * just as clearly there, and lags beyond its extent say nothing.
     */
    double peak = 0;
    for (unsigned i = 0; i < n; i++) {
        peak = p[i] > peak ? p[i] : peak;
    }
    unsigned first = n, last = 0;
    for (unsigned i = 0; i < n; i++) {
        if (p[i] > EXTENT_SHARE * peak) {
            first = i < first ? i : first;
            last = i;
        }
    }
    unsigned reach = first < last && last - first + 1 < lags ? last - first + 1 : lags;
    double score;
    unsigned teeth;
    double pitch = comb_search(r, lags, reach, &score, &teeth);
    /*
     * Fewer than three teeth within the text prove nothing (two lines two
     * rows apart repeat at twice the pitch as well): then every lag counts,
     * as on a full screen, and the blank below weakens the score.
     */
    if (reach < lags && teeth < SPARSE_MIN_TEETH) {
        reach = lags;
        pitch = comb_search(r, lags, reach, &score, &teeth);
    }
    if (score <= 0) {
        return;
    }
    double weakest = INFINITY;
    unsigned near_teeth = 0;
    for (double l = pitch; l < lags - 1 && near_teeth < NEAR_TEETH; l += pitch, near_teeth++) {
        weakest = fmin(weakest, corr_at(r, lags, l) - corr_at(r, lags, l - pitch / 2));
    }
    score /= teeth;
    if (near_teeth == NEAR_TEETH && weakest > score) {
        score = weakest;
    }
    out->strength = fmin(1, score / r[0]);
    out->pitch = pitch;

    /*
     * A few lines' comb is broad: its peak can sit a third of a pixel off,
     * which over six rows puts the first one's cells half a glyph out. An
     * unscaled picture's cells are whole pixels: the nearest whole pitch is
     * taken instead when the fold is more uneven there (a wrong pitch
     * smears the rows of cells over the fold; the true one lines them up).
     */
    unsigned lo;
    double hi_v, whole = floor(pitch + 0.5);
    if (reach < lags && whole != pitch && whole >= SK_GRIDFIND_MIN_PITCH &&
        fold(gf, p, n, whole, &lo, &hi_v) > fold(gf, p, n, pitch, &lo, &hi_v)) {
        pitch = whole;
        out->pitch = pitch;
    }

    unsigned bins = (unsigned)ceil(pitch * FOLD_BINS_PER_PX);
    double *fold_v = gf->fold;
    fold(gf, p, n, pitch, &lo, &hi_v);
    /* The gap: the bins around it within a tenth of the range of its floor. */
    double floor_v = fold_v[lo] + 0.1 * (hi_v - fold_v[lo]);
    unsigned a = 0, b = 0;
    while (a + 1 < bins && fold_v[(lo + bins - a - 1) % bins] <= floor_v) {
        a++;
    }
    while (b + 1 < bins && fold_v[(lo + b + 1) % bins] <= floor_v) {
        b++;
    }
    double start = (double)lo - a, end = (double)lo + b + 1; /* in bins */
    double cut = centred ? (start + end) / 2 : end;
    double origin = fmod(cut / bins * pitch + 4 * pitch, pitch);
    out->origin = origin;
    out->count = (unsigned)((n - origin) / pitch + 1e-6);

    /* The extent: cells holding anything. */
    double most = 0;
    for (unsigned c = 0; c < out->count; c++) {
        unsigned i0 = (unsigned)(origin + c * pitch), i1 = (unsigned)(origin + (c + 1) * pitch);
        double s = 0;
        for (unsigned i = i0; i < i1 && i < n; i++) {
            s += p[i];
        }
        most = s > most ? s : most;
    }
    out->first = out->count;
    out->last = 0;
    for (unsigned c = 0; c < out->count; c++) {
        unsigned i0 = (unsigned)(origin + c * pitch), i1 = (unsigned)(origin + (c + 1) * pitch);
        double s = 0;
        for (unsigned i = i0; i < i1 && i < n; i++) {
            s += p[i];
        }
        if (s > EXTENT_SHARE * most && most > 0) {
            out->first = c < out->first ? c : out->first;
            out->last = c;
        }
    }
    if (out->first > out->last) {
        out->first = out->last = 0;
    }
}

int sk_gridfind_run(struct sk_gridfind *gf, const struct sk_image *img, struct sk_grid *out)
{
    memset(out, 0, sizeof(*out));
    if (img->width < 4 * SK_GRIDFIND_MIN_PITCH || img->height < 4 * SK_GRIDFIND_MIN_PITCH) {
        return -1;
    }
    grow(gf, img->width, img->height);
    profiles(gf, img);
    axis_find(gf, gf->col, img->width, 0, &out->x);
    axis_find(gf, gf->row, img->height, 1, &out->y);
    out->found = out->x.pitch > 0 && out->y.pitch > 0 && out->x.strength >= MIN_STRENGTH &&
                 out->y.strength >= MIN_STRENGTH;
    return 0;
}

/*
 * glyphfit: read one text cell by least squares against a model of how a
 * capture device's JPEG draws it.
 *
 * Pure: a font's glyphs are added once; a cell's pixels in, the glyph and
 * the two palette colours that explain them best out. The model keeps luma
 * at full resolution and compares chroma only as 2x2 block means, as 4:2:0
 * JPEG keeps it, so a glyph whose colours differ mostly in chroma (blue on
 * black, brown on green) is still read from what survives of its strokes.
 * It costs a few microseconds a cell; the recogniser (textrec) calls it
 * for the cells its fast bitmap match is unsure of.
 */
#ifndef SK_TEXT_GLYPHFIT_H
#define SK_TEXT_GLYPHFIT_H

#include <stdint.h>

/* Glyphs one font model holds (a font's 256 and alternates). */
#define SK_GLYPHFIT_MAX 1024

struct sk_glyphfit;

/* A model for glyphs of height rows (8, 14 or 16), 8 pixels wide. */
struct sk_glyphfit *sk_glyphfit_new(unsigned height);
void sk_glyphfit_free(struct sk_glyphfit *gf);

/*
 * Add the glyph drawing CP437 code point code (height rows, bit 7
 * leftmost; the code and ninth say whether its eighth column is repeated
 * into a ninth) as the next glyph; its index is the count of glyphs added before
 * it. Returns that index, or -1 when the model is full.
 */
int sk_glyphfit_add(struct sk_glyphfit *gf, uint8_t code, const uint8_t *rows, int ninth);

/*
 * sk_glyphfit_add's ninth: the ninth column as IBM's VGA draws it (a copy
 * of the eighth for 0xC0..0xDF, else paper), or as QEMU's and VirtualBox's
 * VGA do, a copy for 0xB0..0xDF (the shades ░▒▓ differ in it: the VGA
 * font's draw in their eighth column).
 */
#define SK_GLYPHFIT_NINTH_VGA 0
#define SK_GLYPHFIT_NINTH_B0 1

/* One cell's pixels, RGB, in the recogniser's layout. */
struct sk_glyphfit_cell {
    const int (*glyph)[3]; /* height x 8 pixels, glyph column x of row y at [y * 8 + x] */
    const int (*ninth)[3]; /* the ninth column (height pixels), or NULL for 8-wide cells */
    int odd;               /* the cell's first column is odd in the frame (4:2:0 blocks) */
};

struct sk_glyphfit_result {
    unsigned glyph;  /* index as sk_glyphfit_add returned it; a blank's for one colour */
    uint8_t fg, bg;  /* VGA palette indices (a blank's fg is 7, light grey) */
    double rms;      /* the model's misfit, RMS per pixel in luma units (0..255) */
    double contrast; /* the distance between the two colours in the same units; 0 for a blank */
};

/*
 * Fit cell c; *out gets the glyph and colours with the least misfit. The
 * pixels are 0..255 (the model's fixed-point sums hold no more).
 */
void sk_glyphfit_run(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c,
                     struct sk_glyphfit_result *out);

/*
 * The same fit trying every pair of colours for each glyph it considers,
 * where sk_glyphfit_run skips the pairs a bound rules out: slower, and
 * what sk_glyphfit_run must equal exactly (the unit tests hold it to it).
 */
void sk_glyphfit_run_every(const struct sk_glyphfit *gf, const struct sk_glyphfit_cell *c,
                           struct sk_glyphfit_result *out);

#endif

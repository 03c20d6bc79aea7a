/*
 * gridfind: find a text screen's character grid from the picture itself.
 *
 * Pure: pixels in, the grid out, no I/O and no clock. A text screen is
 * periodic: every cell is as wide and as high as the next, glyphs leave
 * the same columns and rows of a cell blank, so the picture's edges,
 * summed down each column and along each row, repeat with the cell's
 * width and height. The finder measures that period on each axis from
 * the profiles' autocorrelation (to a fraction of a pixel: a picture a
 * dongle stretched from 720x400 to 1920x1080 has cells 24 x 43.2 pixels),
 * then the grid's phase from where the folded profile is emptiest (the
 * gap between glyphs), and the part of the frame the text covers. It
 * knows no list of modes: cells of any size at any origin, in frames of
 * any size, are found alike.
 */
#ifndef SK_TEXT_GRIDFIND_H
#define SK_TEXT_GRIDFIND_H

#include "video/image.h"

/* Periods searched, in frame pixels (a 6-pixel cell shrunk, a 32-pixel one stretched). */
#define SK_GRIDFIND_MIN_PITCH 4.0
#define SK_GRIDFIND_MAX_PITCH 80.0

struct sk_gridfind_axis {
    double pitch;    /* the cell's size on this axis, in frame pixels (0 when none found) */
    double origin;   /* where the first whole cell starts, in frame pixels (0 <= origin) */
    unsigned count;  /* whole cells from origin to the end of the frame */
    unsigned first;  /* the first and last cells (of count) that hold any edges: */
    unsigned last;   /* the text's extent, margins left out */
    double strength; /* 0..1: how strongly the profile repeats with this pitch */
};

struct sk_grid {
    int found;                 /* 1 when both axes repeat clearly */
    struct sk_gridfind_axis x; /* columns */
    struct sk_gridfind_axis y; /* rows */
};

struct sk_gridfind;

struct sk_gridfind *sk_gridfind_new(void);
void sk_gridfind_free(struct sk_gridfind *gf);

/*
 * Find the grid of img (RGB24, borrowed for the call) into *out. Returns
 * 0 (out->found says whether a grid was seen), or -1 when the picture is
 * too small to hold two cells of the smallest pitch.
 */
int sk_gridfind_run(struct sk_gridfind *gf, const struct sk_image *img, struct sk_grid *out);

#endif

/*
 * softness: how soft a picture's edges are, the mark a scaler leaves.
 *
 * Pure: pixels in, two shares out. A text screen drawn at the frame's own
 * size steps from paper to ink between one pixel and the next; a scaler
 * (a dongle's, squeezing 2560x1440 into 1920x1080 or stretching 1024x768
 * to it) blends the two, so a glyph's edges hold pixels between its
 * colours. JPEG blurs edges too, less: on the text corpus's seen sets the
 * share below, on the softer axis, was at most 0.033 in a frame at its own
 * size at q75 and 0.093 at q50; in a scaled one at least 0.086 at q90, and
 * above 0.117 in 99 frames of 100 (docs/benchmarks-text.md, session 25).
 * The recogniser asks it when a picture's cells could be either (6x12
 * cells at 1080p: Terminus12x6 at its own size, or Terminus16 from a
 * 2560x1440 picture).
 */
#ifndef SK_TEXT_SOFTNESS_H
#define SK_TEXT_SOFTNESS_H

#include "video/image.h"

/* An edge: a luma range (0..255) at least this wide within SK_SOFTNESS_REACH pixels either side. */
#define SK_SOFTNESS_EDGE 80
#define SK_SOFTNESS_REACH 2
/* Fewer edge pixels than this on an axis tell nothing: its share is -1. */
#define SK_SOFTNESS_MIN_EDGES 200

struct sk_softness {
    /*
     * Of the pixels on an edge along each axis (within a row for x, a
     * column for y), the share whose luma lies in the middle half of the
     * edge's range; -1 when the axis has too few edges.
     */
    double x, y;
    unsigned edges_x, edges_y; /* the edge pixels counted */
};

/*
 * Measure img (RGB24, borrowed for the call) on every step-th row and
 * column (step >= 1) into *out. Returns 0, or -1 when neither axis has
 * SK_SOFTNESS_MIN_EDGES edge pixels (a blank or flat picture).
 */
int sk_softness_measure(const struct sk_image *img, unsigned step, struct sk_softness *out);

#endif

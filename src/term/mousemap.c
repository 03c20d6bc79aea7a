/*
 * mousemap: a terminal cell under the mouse to a point of the target's
 * screen. The picture's place in cells comes from the renderer
 * (sk_render_fit: fitted keeping its aspect and centred, whatever the
 * look); the cell's centre maps linearly onto 0..32767 across the picture.
 */
#include "term/mousemap.h"

#include "term/render.h"

#define ABS_MAX 32767

int sk_mousemap_cell(unsigned cols, unsigned rows, unsigned frame_w, unsigned frame_h, unsigned cx,
                     unsigned cy, uint16_t *x, uint16_t *y)
{
    if (cols == 0 || rows == 0 || frame_w == 0 || frame_h == 0 || cx == 0 || cy == 0) {
        return -1;
    }
    unsigned pc, pr; /* the picture in cells */
    sk_render_fit(cols, rows, frame_w, frame_h, &pc, &pr);
    unsigned x0 = (cols - pc) / 2, y0 = (rows - pr) / 2;
    unsigned col = cx - 1, row = cy - 1;
    if (pc == 0 || pr == 0 || col < x0 || col >= x0 + pc || row < y0 || row >= y0 + pr) {
        return -1;
    }
    /* The centre of the cell, as a share of the picture. */
    double fx = ((double)(col - x0) + 0.5) / (double)pc;
    double fy = ((double)(row - y0) + 0.5) / (double)pr;
    *x = (uint16_t)(fx * ABS_MAX + 0.5);
    *y = (uint16_t)(fy * ABS_MAX + 0.5);
    return 0;
}

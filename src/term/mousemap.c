/*
 * mousemap: a terminal cell under the mouse to a point of the target's
 * screen. The place comes from whoever drew the grid (the renderer: a
 * picture fitted keeping its aspect and centred, or a text screen cell for
 * cell); the cell's centre, as a share of the screen, maps linearly onto
 * 0..32767.
 */
#include "term/mousemap.h"

#include "base/util.h"

#define ABS_MAX 32767

/* The centre of cell i of a place, cells of cell units in a screen of screen units, as 0..32767. */
static uint16_t centre(unsigned i, unsigned cell, unsigned screen)
{
    double f = ((double)i + 0.5) * cell / screen;
    return (uint16_t)(SK_MIN(f, 1.0) * ABS_MAX + 0.5);
}

int sk_mousemap_place(const struct sk_grid_place *p, unsigned cx, unsigned cy, uint16_t *x,
                      uint16_t *y)
{
    if (p->cols == 0 || p->rows == 0 || p->screen_w == 0 || p->screen_h == 0 || cx == 0 ||
        cy == 0) {
        return -1;
    }
    unsigned col = cx - 1, row = cy - 1;
    if (col < p->col || col - p->col >= p->cols || row < p->row || row - p->row >= p->rows) {
        return -1;
    }
    *x = centre(col - p->col, p->cell_w, p->screen_w);
    *y = centre(row - p->row, p->cell_h, p->screen_h);
    return 0;
}

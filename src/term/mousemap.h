/*
 * mousemap: a terminal cell under the mouse to a point of the target's
 * screen, for the absolute mouse.
 *
 * The console's grid says where it shows the target's screen (its place,
 * term/grid.h): a picture fitted and centred by the renderer, or a text
 * screen drawn character for character. A click on cell (cx, cy) of the
 * terminal is a click on the centre of what that cell shows, in the
 * absolute mouse's 0..32767 range across the whole screen.
 * Pure: no state, no I/O.
 */
#ifndef SK_MOUSEMAP_H
#define SK_MOUSEMAP_H

#include <stdint.h>

#include "term/grid.h"

/*
 * p: where the screen is shown; cx, cy: the cell, 1-based as terminals
 * report it. Sets *x, *y (0..32767, the centre of the screen's part the
 * cell shows) and returns 0, or returns -1 when the cell shows none of the
 * screen (a letterbox bar, a margin, the status line) or p shows nothing.
 */
int sk_mousemap_place(const struct sk_grid_place *p, unsigned cx, unsigned cy, uint16_t *x,
                      uint16_t *y);

#endif

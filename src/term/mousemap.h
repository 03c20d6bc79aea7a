/*
 * mousemap: a terminal cell under the mouse to a point of the target's
 * screen, for the absolute mouse.
 *
 * The console draws the picture letterboxed inside its cols x rows area
 * (sk_render_fit decides the picture's size in cells; it is centred). A click on cell (cx, cy) of that area is a click on the
 * corresponding point of the frame, in the absolute mouse's 0..32767 range.
 * Pure: no state, no I/O.
 */
#ifndef SK_MOUSEMAP_H
#define SK_MOUSEMAP_H

#include <stdint.h>

/*
 * cols x rows: the picture area in cells; frame_w x frame_h: the captured
 * frame; cx, cy: the cell, 1-based as terminals report it. Sets *x, *y
 * (0..32767, the cell's centre) and returns 0, or returns -1 when the cell
 * is outside the picture (in a letterbox bar, or below the area).
 */
int sk_mousemap_cell(unsigned cols, unsigned rows, unsigned frame_w, unsigned frame_h, unsigned cx,
                     unsigned cy, uint16_t *x, uint16_t *y);

#endif

/*
 * render: pictures to colour character art for a terminal (libcaca).
 *
 * libcaca dithers an RGB picture onto a canvas of cells; this module sizes
 * the picture to the terminal keeping its aspect ratio (a cell is about
 * twice as tall as wide, so it letterboxes, never stretches), and writes
 * the canvas as ANSI escape sequences with absolute cursor positioning, so
 * the caller can draw a status line around it. A renderer belongs to one
 * thread.
 */
#ifndef SK_RENDER_H
#define SK_RENDER_H

#include "image.h"
#include "util.h"

struct sk_render;

struct sk_render *sk_render_new(void);
void sk_render_free(struct sk_render *r);

/*
 * The pixel size worth decoding a src_w x src_h picture at, to fill a
 * cols x rows area (callers pass it to sk_jpeg_decode as the minimum).
 */
void sk_render_wanted_size(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h,
                           unsigned *w, unsigned *h);

/*
 * Draw img into the cols x rows cells whose top-left is row top (0-based)
 * of the terminal. Appends to out: for each row, a cursor move and the
 * row's cells with colours, the unused border in black. Returns 0 or -1.
 */
int sk_render_ansi(struct sk_render *r, const struct sk_image *img, unsigned cols, unsigned rows,
                   unsigned top, struct sk_buf *out);

#endif

/*
 * grid: a terminal's picture as cells, and the bytes that turn one picture
 * into another.
 *
 * A cell is a glyph (a Unicode code point of width 1) with a foreground and
 * a background colour. The console keeps the grid the client shows and
 * builds the next one; sk_grid_diff writes only what changed: cursor moves
 * and changed cells, with an SGR change only where a colour differs from
 * the one in force. A static picture therefore costs no bytes.
 */
#ifndef SK_GRID_H
#define SK_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/*
 * Colours: 0..255 are palette indices in the ANSI/xterm order (0 black,
 * 1 red, ..., 8..15 bright, 16..255 the 256-colour cube and greys);
 * SK_COLOR_RGB | 0xRRGGBB is 24-bit; SK_COLOR_ANY as a foreground means
 * "any" (a blank cell shows only its background).
 */
/*
 * The largest picture of cells a console or a script's `screen` draws. Each
 * cell costs about 40 bytes across the grids, the renderer and the update
 * (a 1000x1000 console took 41 MB), so the bound keeps one session near
 * 3 MB; a larger terminal shows the picture in its top-left corner.
 */
#define SK_GRID_MAX_COLS 400
#define SK_GRID_MAX_ROWS 200

#define SK_COLOR_RGB 0x01000000u
#define SK_COLOR_ANY 0xffffffffu

struct sk_cell {
    uint32_t ch;
    uint32_t fg;
    uint32_t bg;
};

/*
 * Where a grid shows the target's screen, so that a click can find its
 * point (term/mousemap.h): the cols x rows cells from (col, row), 0-based,
 * show the screen from its top-left corner, each cell covering cell_w x
 * cell_h of the screen's screen_w x screen_h units. A fitted picture
 * covers the whole screen (cells of 1 x 1 in fc x fr); a text screen its
 * mode's character cells (9 x 16 of 720 x 400 for 80x25 9x16). cols == 0:
 * nothing of the screen is shown.
 */
struct sk_grid_place {
    unsigned col, row;
    unsigned cols, rows;
    unsigned cell_w, cell_h;
    unsigned screen_w, screen_h;
};

struct sk_grid {
    unsigned cols;
    unsigned rows;
    struct sk_cell *cells; /* row-major, cols * rows */
    size_t capacity;       /* cells allocated */
    /* A text-mode view (render mode text or auto) says what it showed: */
    int text;       /* 1: the target's text screen, character for character */
    int cursor_col; /* the target's cursor in grid cells, -1 when none is seen */
    int cursor_row;
    const char *note;   /* why text was asked for but art shown (static), or NULL */
    unsigned text_cols; /* the text screen's size when one was read, else 0 */
    unsigned text_rows;
    struct sk_grid_place place; /* where the picture or the text screen was drawn */
};

/* Set the size; the cells become blanks on black (no text, no cursor, no note, no place). */
void sk_grid_resize(struct sk_grid *g, unsigned cols, unsigned rows);
/* Make dst an exact copy of src. */
void sk_grid_copy(struct sk_grid *dst, const struct sk_grid *src);
/* Release the cells; the struct may be reused (0 x 0). */
void sk_grid_free(struct sk_grid *g);

/*
 * Append to out the bytes that change a terminal showing `shown` into
 * `next`, the grid's row 0 being terminal row top + 1. With shown NULL or
 * of another size, every cell is written. Ends with an SGR reset when it
 * wrote anything; leaves the cursor wherever the last cell put it.
 * Returns the number of cells written.
 */
size_t sk_grid_diff(const struct sk_grid *shown, const struct sk_grid *next, unsigned top,
                    struct sk_buf *out);

#endif

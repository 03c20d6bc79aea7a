/*
 * vgatext: draws a text screen as a VGA card in 80x25 text mode does.
 *
 * 9x16-pixel cells make a 720x400 picture, the 8x16 font with a ninth
 * column that repeats the eighth for the line-drawing characters
 * 0xC0..0xDF (so horizontal lines join) and is background otherwise; the
 * standard 16-colour palette; the cursor an underline on rows 14 and 15 of
 * its cell, blinking at about 2 Hz.
 */
#ifndef SK_DEMO_VGATEXT_H
#define SK_DEMO_VGATEXT_H

#include <stdint.h>

#include "text/vga.h"
#include "video/image.h"
#include "demo/textscreen.h"

#define SK_VGA_WIDTH (SK_TEXT_COLS * SK_VGA_CELL_W)
#define SK_VGA_HEIGHT (SK_TEXT_ROWS * SK_VGA_CELL_H)
/* The cursor is shown for the first half of each period. */
#define SK_VGA_BLINK_MS 500

/*
 * Draw screen into out, resized to SK_VGA_WIDTH x SK_VGA_HEIGHT RGB24;
 * now_ms decides the cursor's blink phase.
 */
void sk_vgatext_render(const struct sk_textscreen *screen, int64_t now_ms, struct sk_image *out);

#endif

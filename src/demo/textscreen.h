/*
 * textscreen: the VGA text-mode screen the demo's programs draw into.
 *
 * Data only: 80x25 cells of a CP437 character and a VGA attribute byte
 * (low nibble foreground, high nibble background; bit 7 is a bright
 * background, not blink, as setup utilities program the VGA), and the
 * hardware cursor. The BIOS program writes it; the VGA renderer reads it.
 */
#ifndef SK_DEMO_TEXTSCREEN_H
#define SK_DEMO_TEXTSCREEN_H

#include <stdint.h>

#include "text/vga.h"

#define SK_TEXT_COLS 80
#define SK_TEXT_ROWS 25

/* An attribute byte from a foreground and a background colour. */
#define SK_ATTR(fg, bg) ((uint8_t)(((bg) << 4) | (fg)))

struct sk_textcell {
    uint8_t ch;   /* CP437 code point */
    uint8_t attr; /* SK_ATTR(fg, bg) */
};

struct sk_textscreen {
    struct sk_textcell cells[SK_TEXT_ROWS][SK_TEXT_COLS];
    int cursor_col;
    int cursor_row;
    int cursor_visible; /* the blinking underline is shown at cursor_col, cursor_row */
};

#endif

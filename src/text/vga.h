/*
 * vga: what a VGA card's text mode looks like, as the recogniser and the
 * terminal renderer need to know it.
 *
 * The 16 text colours and their RGB values, the 9x16 cell of 80x25 text
 * mode, and which characters the card stretches into the ninth column.
 * Data only; the demo target's card draws with the same values
 * (demo/vgatext.c).
 */
#ifndef SK_TEXT_VGA_H
#define SK_TEXT_VGA_H

#include <stdint.h>

#define SK_VGA_CELL_W 9
#define SK_VGA_CELL_H 16

/* The 16 VGA text colours, in palette order. */
enum sk_vga_color {
    SK_VGA_BLACK = 0,
    SK_VGA_BLUE,
    SK_VGA_GREEN,
    SK_VGA_CYAN,
    SK_VGA_RED,
    SK_VGA_MAGENTA,
    SK_VGA_BROWN,
    SK_VGA_LIGHTGREY,
    SK_VGA_DARKGREY,
    SK_VGA_LIGHTBLUE,
    SK_VGA_LIGHTGREEN,
    SK_VGA_LIGHTCYAN,
    SK_VGA_LIGHTRED,
    SK_VGA_LIGHTMAGENTA,
    SK_VGA_YELLOW,
    SK_VGA_WHITE,
};

/*
 * Whether a VGA repeats character ch's eighth column into the ninth of its
 * 9-wide cell: the line-drawing range 0xC0..0xDF, so horizontal lines join.
 */
static inline int sk_vga_line_graphics(uint8_t ch)
{
    return ch >= 0xC0 && ch <= 0xDF;
}

/* The 16 text colours as RGB, in SK_VGA_* order. */
extern const uint8_t sk_vga_palette[16][3];

/*
 * The same 16 colours as UEFI firmware draws them (EDK2's graphics console,
 * mGraphicsEfiColors): the same order and names, other values (light grey
 * 0x98, dark grey 0x30, the bright colours without the VGA's 0x55).
 */
extern const uint8_t sk_efi_palette[16][3];

#endif

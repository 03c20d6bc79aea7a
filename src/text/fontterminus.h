/*
 * fontterminus: Terminus Font's large sizes (10x18 to 16x32, normal and
 * bold), the fonts Linux consoles on 1080p panels and GRUB themes draw in,
 * as the recogniser reads their cells: 8 of a cell's columns and 16 of its
 * rows, picked so that the glyphs stay told apart (see
 * tools/gen-terminusfont.py).
 *
 * Data only, generated from Debian's console-setup-linux (see
 * fontterminus.c for its licence). Indexed by CP437 code point like the VGA
 * fonts; rows run top to bottom, bit 7 the leftmost column read. A code point
 * Terminus does not draw is all zero, as is 0x00.
 */
#ifndef SK_TEXT_FONTTERMINUS_H
#define SK_TEXT_FONTTERMINUS_H

#include <stdint.h>

#define SK_FONT_TERMINUS_SIZES 6
#define SK_FONT_TERMINUS_HEAVY 6 /* the heavy box lines, in fontgrub.h's order */

struct sk_font_terminus {
    unsigned w, h;    /* the cell in the font's own pixels: 10x18, 10x20, ... 16x32 */
    uint8_t cols[8];  /* the cell's columns read, left to right (bit 7 of a row is cols[0]) */
    uint8_t rows[16]; /* the cell's rows read, top to bottom */
    uint8_t glyph[2][256][16]; /* normal, then bold: those pixels of each glyph */
    uint8_t heavy[2][SK_FONT_TERMINUS_HEAVY][16]; /* the same of GRUB's menu's heavy box lines
                                                   * (sk_font_grub_heavy's code points) */
};

extern const struct sk_font_terminus sk_font_terminus[SK_FONT_TERMINUS_SIZES];

#endif

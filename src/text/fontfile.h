/*
 * fontfile: extra fonts for the text recogniser, read from files at start.
 *
 * A target's firmware may draw its text screens with a font that differs
 * from the built-in VGA fonts in some glyphs (QEMU's VGA BIOS does in 115
 * of 256). `--text-font FILE` names either a VGA BIOS ROM image, whose
 * 8x16, 8x14 and 8x8 tables are found by their letters, or a raw 8x16 font
 * (4096 bytes, CP437 order, as `setfont -O` or a ROM dump gives).
 */
#ifndef SK_TEXT_FONTFILE_H
#define SK_TEXT_FONTFILE_H

#include <stddef.h>
#include <stdint.h>

struct sk_text_font {
    unsigned height;       /* 8, 14 or 16 */
    uint8_t rows[256 * 16]; /* 256 glyphs of height rows, CP437 order, bit 7 leftmost */
};

/*
 * Read path into out (up to 3 fonts). Returns how many were found (1..3),
 * or -1 with err set ("FILE: why").
 */
int sk_text_font_load(const char *path, struct sk_text_font out[3], char *err, size_t errlen);

#endif

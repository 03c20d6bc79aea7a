/*
 * fontfile: extra fonts for the text recogniser, read from files at start.
 *
 * A target's firmware or console may draw its text screens with a font
 * that differs from the built-in VGA fonts in some glyphs (QEMU's VGA BIOS
 * does in 105 of 256; a Debian console drawing Lat15-Terminus16 in most).
 * `--text-font FILE` names one of:
 * - a Linux console font, PSF1 or PSF2, plain or gzip-compressed (Debian's
 *   /usr/share/consolefonts/\*.psf.gz), 8 pixels wide and 8, 14 or 16 high;
 *   its glyphs are put in CP437 order through its Unicode table;
 * - a VGA BIOS ROM image, whose 8x16, 8x14 and 8x8 tables are found by
 *   their letters;
 * - a raw 8x16 font (4096 bytes, CP437 order, as `setfont -O` or a ROM dump
 *   gives);
 * - a GRUB PF2 font (/usr/share/grub/unicode.pf2, GNU Unifont, the one
 *   GRUB's gfxterm draws its menu in on UEFI machines), whose cells are 8
 *   wide and 8, 14 or 16 high; each CP437 character is its Unicode value's
 *   glyph, placed in the cell as gfxterm places it.
 */
#ifndef SK_TEXT_FONTFILE_H
#define SK_TEXT_FONTFILE_H

#include <stddef.h>
#include <stdint.h>

/* --text-font files at most, each giving up to 3 fonts. */
#define SK_TEXT_FONT_FILES_MAX 8
/* Files are read up to this size (GRUB's unicode.pf2 is 2.4 MB)... */
#define SK_TEXT_FONT_FILE_MAX (4 * 1024 * 1024)
/* ... and gzip data inflated up to this one. */
#define SK_TEXT_FONT_INFLATE_MAX (1024 * 1024)

/*
 * The tallest console font sk_text_console_font_parse reads, the narrowest (Terminus12x6) and the
 * widest (VGA32x16).
 */
#define SK_TEXT_FONT_MAX_H 32
#define SK_TEXT_FONT_MIN_W 6
#define SK_TEXT_FONT_MAX_W 16
/* The bytes a row of a font of width w takes: 1 up to 8 pixels, 2 up to 16. */
#define SK_TEXT_FONT_ROW_BYTES(w) (((w) + 7) / 8)

struct sk_text_font {
    unsigned width;     /* 8 (a console font's: SK_TEXT_FONT_MIN_W to SK_TEXT_FONT_MAX_W) */
    unsigned height;    /* 8, 14 or 16 (a console font's: 6 to SK_TEXT_FONT_MAX_H) */
    unsigned mapped;    /* CP437 code points the file drew; the rest are the built-in font's */
    const char *format; /* static text: "PSF2", "PSF1 (gzip)", "VGA BIOS ROM", "raw 8x16", ... */
    /* 256 glyphs of height rows, CP437 order, SK_TEXT_FONT_ROW_BYTES(width) bytes a row, bit 7
     * of its first byte leftmost (the bits past the width 0) */
    uint8_t rows[256 * SK_TEXT_FONT_MAX_H * SK_TEXT_FONT_ROW_BYTES(SK_TEXT_FONT_MAX_W)];
};

/*
 * Parse a font file's bytes (pure: no I/O, no globals). data may be gzip
 * data, which is inflated first (to at most SK_TEXT_FONT_INFLATE_MAX bytes).
 * Fills out with up to 3 fonts and returns how many (1..3), or -1 with err
 * set to what is wrong ("PSF2 glyphs are 12x24: ..."), without a file name.
 */
int sk_text_font_parse(const uint8_t *data, size_t len, struct sk_text_font out[3], char *err,
                       size_t errlen);

/*
 * Read path (at most SK_TEXT_FONT_FILE_MAX bytes) and parse it into out
 * (up to 3 fonts). Returns how many were found (1..3), or -1 with err set
 * ("FILE: why").
 */
int sk_text_font_load(const char *path, struct sk_text_font out[3], char *err, size_t errlen);

/*
 * Parse a Linux console font (PSF1 or PSF2, plain or gzip) 6 to 16 pixels
 * wide and 6 to SK_TEXT_FONT_MAX_H high, as the system's are read
 * (consolefonts.h), into out, its glyphs in CP437 order through its
 * Unicode table; a code point it does not draw is all zero, and drawn[c]
 * says which it does. Pure. Returns 0, or -1 with err set.
 */
int sk_text_console_font_parse(const uint8_t *data, size_t len, struct sk_text_font *out,
                               uint8_t drawn[256], char *err, size_t errlen);

#endif

/*
 * textrec: recognise a text screen (BIOS, GRUB, a console) in a captured
 * picture and read it back as characters and colours.
 *
 * Pure: pixels in, a grid of CP437 characters with palette colours (the
 * VGA's or UEFI firmware's) and the colours measured in the picture out,
 * no I/O and no clock. The
 * recogniser tries the text modes firmware and consoles use (80x25 with
 * 9x16 or 8x16 cells, 80x50 and 80x43 with 8x8, 80x28 with 9x14, 80x30,
 * 100x37, 128x48, and 8x16 cells at the picture's own size), each as if
 * the capture device had stretched the mode's picture over the whole frame
 * (720x400 to 1920x1080, say), and keeps the one whose cells look most
 * like glyphs of the VGA fonts in two colours of the 16-colour palette
 * (when the picture's columns or rows repeat clearly, only the modes whose
 * cells are that wide and high: on a screen of two lines every mode fits
 * about as well).
 * When none of those modes reads as text, or the picture's own grid
 * (gridfind: cells of any size at any origin, as UEFI setup centres 80x25
 * of 8x19 in its GOP mode) says their cells are the wrong size, the grid
 * found is read in the cell shapes the fonts fit (8 or 9 wide; 8, 14, 16
 * high, or 16 in 19 as EDK2 draws; 8x16 in GRUB's unicode.pf2 as its
 * graphical terminal draws; Terminus Font's 10x18 to 16x32, read at 8 of
 * a cell's columns and 16 of its rows), at the phase that fits best; its
 * mode is then named "grid 8x19", "grid 16x32 terminus" and so on. It keeps the mode it found and
 * tries it first on the next picture.
 */
#ifndef SK_TEXT_TEXTREC_H
#define SK_TEXT_TEXTREC_H

#include <stddef.h>
#include <stdint.h>

#include "video/image.h"

/*
 * The largest grid read: 1920 pixels of 6-wide cells across (Terminus12x6;
 * 2560 of 8-wide); 1280 pixels of 8-high cells down (Linux's console in its
 * 8x8 font at 1280x1024 is 128 rows, at 1920x1080 135, at 1600x1200 150).
 */
#define SK_TEXTREC_MAX_COLS 320
#define SK_TEXTREC_MAX_ROWS 160

/*
 * The largest picture worth reading a frame at: a frame up to this size is
 * read whole, since a smaller decode of a 1920x1080 console shrinks its
 * 8x16 cells to 6x12, which no font reads.
 */
#define SK_TEXTREC_READ_W 1920u
#define SK_TEXTREC_READ_H 1200u

/* The least pixel size to decode a src_w x src_h frame at for reading: whole, up to the above. */
void sk_textrec_read_size(unsigned src_w, unsigned src_h, unsigned *w, unsigned *h);

/* The palettes a text screen's colours are given in (sk_textrec_result.palette). */
enum {
    SK_TEXTREC_RGB = 0, /* none: the colours as measured */
    SK_TEXTREC_VGA16,   /* the VGA's 16 (sk_vga_palette): a BIOS, Linux's console, GRUB */
    SK_TEXTREC_EFI16,   /* UEFI firmware's 16 (sk_efi_palette): its setup pages */
};

struct sk_textrec_cell {
    uint8_t ch; /* CP437 code point of the glyph (0x20 for a blank cell) */
    uint8_t fg; /* palette index 0..15 (SK_VGA_* order, EFI's too); 7 for a blank cell */
    uint8_t bg; /* palette index 0..15 */
    /*
     * 0..100: how well the glyph and colours fit the pixels; on a text
     * screen, below SK_TEXTREC_SURE also when another character's glyph
     * nearly fits too (the reading is then unsure, see textrec.c).
     */
    uint8_t conf;
    /*
     * The glyph's Unicode code point where CP437 has none for it (GRUB's
     * heavy box lines), ch then being the CP437 look-alike; 0 otherwise.
     * sk_textrec_cell_unicode gives the character either way.
     */
    uint16_t unicode;
    /*
     * The colours as measured in the picture (sRGB 0..255), for a text
     * screen only (zero otherwise): the paper is the mean of the cell's
     * pixels off the glyph and not next to it (all of a blank's), the ink
     * the mean of the half of the glyph's pixels furthest from the paper
     * (what JPEG's blur leaves of a stroke's colour), or on a scaled
     * picture, where that lies nearer the paper, what the cell's sum beyond
     * the paper says (a scaler spreads a thin stroke). A blank's ink is its
     * paper; a cell all ink takes the VGA palette's entry for bg as its
     * paper.
     */
    uint8_t fg_rgb[3];
    uint8_t bg_rgb[3];
};

/* A cell whose conf is below this is a reading the recogniser is unsure of. */
#define SK_TEXTREC_SURE 50

struct sk_textrec_result {
    int is_text;             /* 1: the picture is confidently a character grid */
    unsigned cols, rows;     /* the grid (0 x 0 when no mode fits at all) */
    unsigned cell_w, cell_h; /* a cell in the text mode's own pixels (the pixels read of a
                              * bigger or narrower cell: 8x16 of Terminus's 16x32, 8 of
                              * Terminus12x6's 6 columns, some twice; pitch_x, pitch_y say
                              * its size) */
    unsigned mode_w, mode_h; /* the text mode's picture, before any scaling (in the pixels
                              * read: cols x cell_w by rows x cell_h) */
    const char *mode;        /* "80x25 9x16", a static string */
    double confidence;       /* 0..1: share of cells whose glyph and colours fit well (counted
                              * before near look-alikes mark cells unsure) */
    double misfit;           /* 0..1: the cells' mean glyph misfit (mean |pixel - glyph|) */
    unsigned glyph_cells;    /* cells that are not blank */
    unsigned refined;        /* cells the bitmap match was unsure of, read again by the model fit */
    int cursor_col, cursor_row; /* the hardware cursor's cell, -1 when none is seen */
    /*
     * Where the grid lies in the picture read (image_w x image_h pixels):
     * the first cell's top left corner and a cell's size, in the picture's
     * pixels (fractions when the capture device stretched the screen).
     */
    double origin_x, origin_y, pitch_x, pitch_y;
    unsigned image_w, image_h;
    /*
     * The 16-colour palette the screen's colours sit on (nearly every cell's
     * measured colours lie near its entries), SK_TEXTREC_VGA16 or
     * SK_TEXTREC_EFI16: fg and bg name the colours in it; SK_TEXTREC_RGB
     * when they sit on neither (a theme's own colours): fg_rgb and bg_rgb
     * are the colours. sk_textrec_cell_rgb picks.
     */
    int palette;
    /*
     * 1 when this picture was searched (every mode tried, the picture's own
     * grid looked for): a first picture, or one the mode found last no
     * longer reads as text; 0 when it was read in the mode found last.
     */
    int searched;
    const struct sk_textrec_cell *cells; /* rows x cols, row-major; owned by the
                                          * recogniser, valid until its next run */
};

struct sk_textrec;

struct sk_textrec *sk_textrec_new(void);
void sk_textrec_free(struct sk_textrec *tr);

/*
 * Recognise img (RGB24, borrowed for the call) into *out. Returns 0 with
 * out->is_text saying whether the picture is text, or -1 when the picture
 * is too small to hold any mode (out is then zeroed).
 */
int sk_textrec_run(struct sk_textrec *tr, const struct sk_image *img,
                   struct sk_textrec_result *out);

/* Forget the mode found last: the next run searches every mode. */
void sk_textrec_forget(struct sk_textrec *tr);
/*
 * Where a recogniser found text last (its listed mode, or the grid it
 * found in the picture, and the picture's size), as plain data: another
 * recogniser resumed from it reads its next picture as this one would
 * (that geometry first, the search only when it does not read as text).
 * A server's readers share it (term/textshare.h), so that a command's
 * first frame is read as a viewer's next frame is, not searched for. The
 * fields are the recogniser's; kind 0 is none.
 */
struct sk_textrec_hint {
    int kind;
    unsigned index;
    unsigned frame_w, frame_h;
    unsigned cols, rows;
    double ox, oy, pitch_x, pitch_y, sx, sy, top;
};
/* tr's geometry into *h: 0, or -1 (h->kind 0) when it has found none. */
int sk_textrec_hint(const struct sk_textrec *tr, struct sk_textrec_hint *h);
/* Start tr from *h (one of kind 0, or out of range, leaves tr as it is). */
void sk_textrec_resume(struct sk_textrec *tr, const struct sk_textrec_hint *h);

/*
 * Teach the recogniser another font's glyphs (a firmware's, say): rows is
 * 256 glyphs of height (8, 14 or 16) rows, bit 7 leftmost, indexed by
 * CP437 code point; glyphs that differ from the built-in ones are added as
 * alternates (up to SK_TEXTREC_MAX_GLYPHS glyphs a height in all, the
 * built-in ones included: the VGA text modes' set of each height also
 * holds the VGA BIOS's font, 105 glyphs more at 16). Copied. Returns the glyphs
 * left out for lack of room in the fullest set (0 when all are in), or -1
 * for another height.
 */
int sk_textrec_add_font(struct sk_textrec *tr, const uint8_t *rows, unsigned height);

/* The tallest console font sk_textrec_add_console_font takes, the narrowest and the widest. */
#define SK_TEXTREC_CONSOLE_MAX_H 32
#define SK_TEXTREC_CONSOLE_MIN_W 6
#define SK_TEXTREC_CONSOLE_MAX_W 16
/*
 * Teach the recogniser a Linux console font of a family it has no table
 * for (the system's, src/text/consolefonts.h: Fixed18, Terminus14,
 * TerminusBold14, Terminus12x6 ...): rows is 256 glyphs of height (6 to
 * SK_TEXTREC_CONSOLE_MAX_H) rows of width (SK_TEXTREC_CONSOLE_MIN_W to
 * SK_TEXTREC_CONSOLE_MAX_W) pixels, a byte a row up to 8 wide and two
 * wider, bit 7 of the first leftmost, indexed by CP437 code point (all
 * zero where the font draws none). A font wider than 8 (VGA32x16) is read
 * at 8 of its columns and up to 16 of its rows (every other row of a cell
 * taller than 16), spread evenly over its cell, as the built-in Terminus
 * tables are; one whose glyphs are such a
 * table's there (console-setup's Terminus32x16) is left out. The fonts of
 * a family and cell size (its weights: Terminus14, TerminusBold14) are one
 * cell shape, tried on the grids a framebuffer console's picture would
 * make, as the built-in console fonts are. Copied. Returns 1 when added, 0 when left out (its
 * glyphs are a built-in font's, or there is no room for another shape),
 * -1 for a size it cannot take. Recognisers that share hints
 * (sk_textrec_hint) are given the same fonts in the same order.
 */
int sk_textrec_add_console_font(struct sk_textrec *tr, const char *family, const uint8_t *rows,
                                unsigned width, unsigned height);
#define SK_TEXTREC_MAX_GLYPHS 1024

/*
 * Find a VGA BIOS's font of the given height in its ROM image (for
 * instance QEMU's /usr/share/seabios/vgabios-stdvga.bin): the 256 x height
 * bytes where letters and digits look most like the built-in font's. Copies
 * them to out. Returns 0, or -1 when no such table is there.
 */
int sk_textrec_find_rom_font(const uint8_t *rom, size_t len, unsigned height, uint8_t *out);

/*
 * The recognised screen as UTF-8 text: one line per row, trailing blanks
 * dropped, each line ending in '\n'. Returns a string the caller frees.
 */
char *sk_textrec_utf8(const struct sk_textrec_result *r);

/* The cell's character as a Unicode code point (a blank is U+0020). */
uint32_t sk_textrec_cell_unicode(const struct sk_textrec_cell *c);

/*
 * Cell c's colours (sRGB) as r says they are: the entries fg and bg name
 * in r's palette, else the measured ones. A blank cell's fg is its bg's
 * colour when measured.
 */
void sk_textrec_cell_rgb(const struct sk_textrec_result *r, const struct sk_textrec_cell *c,
                         uint8_t fg[3], uint8_t bg[3]);

/*
 * A palette's 16 entries as RGB (static tables, never freed; NULL for
 * SK_TEXTREC_RGB), and its name: "vga16", "efi16" or NULL.
 */
const uint8_t (*sk_textrec_palette_rgb(int palette))[3];
const char *sk_textrec_palette_name(int palette);

#endif

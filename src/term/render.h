/*
 * render: pictures to colour character art for a terminal (libcaca).
 *
 * A renderer turns an RGB picture into a grid of cells (term/grid.h) that
 * fills cols x rows, keeping the picture's aspect ratio (a cell is about
 * twice as tall as wide: it letterboxes, never stretches) and centring it
 * on black. Two looks:
 * - art: libcaca dithers the picture into glyphs with a foreground and a
 *   background of its 16 colours; with 256 or 24-bit colour the renderer
 *   then gives each cell the true colours of the pixels under it.
 * - half: every cell is U+2580 (upper half block) with the top pixel as
 *   foreground and the bottom pixel as background: two pixels per cell.
 * - text: the picture read as a text screen (text/textrec.h), one terminal
 *   cell per character in its palette's colours (the VGA's or UEFI's, or
 *   as measured), centred, with the target's cursor; art when the picture
 *   is not text or the terminal is smaller than the screen (the grid's
 *   note says which).
 * - auto: text when the picture is confidently text, art otherwise.
 * A renderer belongs to one thread.
 */
#ifndef SK_RENDER_H
#define SK_RENDER_H

#include "video/image.h"
#include "term/grid.h"
#include "base/util.h"

enum sk_render_mode {
    SK_RENDER_ART = 0,
    SK_RENDER_HALF,
    SK_RENDER_TEXT,
    SK_RENDER_AUTO,
};

struct sk_render_opts {
    enum sk_render_mode mode;
    int colors;         /* 16, 256 or 24 (bits: true colour); 0: auto (the caller detects) */
    char charset[16];   /* libcaca: ascii, shades, blocks */
    char algorithm[16]; /* libcaca: none, ordered2, ordered4, ordered8, random, fstein */
    double brightness;  /* added, -1..1, default 0 */
    double contrast;    /* factor around mid-grey, 0..4, default 1 */
    double gamma;       /* 0.1..10, default 1 */
};

/* The defaults: art, 16 colours, ascii, no dithering, neutral levels. */
void sk_render_opts_default(struct sk_render_opts *o);
/*
 * Set one setting by name: mode (art|half|text|auto), colors (auto|16|256|24bit|truecolor),
 * charset, dither, brightness, contrast, gamma. Returns 0, or -1 with err
 * set ("colors: '17' is not 16, 256 or 24bit").
 */
int sk_render_opts_set(struct sk_render_opts *o, const char *name, const char *value, char *err,
                       size_t errlen);
/*
 * The colour depth a terminal can show, from TERM and COLORTERM (either
 * may be NULL or empty): 24 for COLORTERM truecolor/24bit or a "-direct"
 * TERM, 256 for a "256color" TERM, else 16.
 */
int sk_render_detect_colors(const char *term, const char *colorterm);

struct sk_render;

struct sk_render *sk_render_new(void);
void sk_render_free(struct sk_render *r);
struct sk_text_font;
struct sk_consolefonts;

/*
 * The fonts the text reading is taught (text/fontfile.h; the server's
 * --text-font, app->text_fonts), each as sk_textrec_add_font does, and
 * the system's console fonts (text/consolefonts.h, --text-font-dir; NULL:
 * none), when its recogniser is first made (an art view never makes one):
 * the one way the console and the commands give a recogniser the server's
 * fonts. Not copied: both must outlive r (the server keeps its own for its
 * life).
 */
void sk_render_set_text_fonts(struct sk_render *r, const struct sk_text_font *fonts, size_t n,
                              const struct sk_consolefonts *console);
struct sk_textshare;
/*
 * The server's shared text geometry (term/textshare.h; app->text_share):
 * the text reading starts from what another reader found (while fresh)
 * and tells it what this one finds and confirms; its recogniser is one a
 * reader gave back when there is one, and is given back when the renderer
 * is freed. Set before the first text is read, the fonts too. NULL (the
 * default): on its own. Not owned; it outlives the renderer.
 */
void sk_render_set_text_share(struct sk_render *r, struct sk_textshare *s);

/* Use these settings from the next picture on (copied). */
void sk_render_set_opts(struct sk_render *r, const struct sk_render_opts *o);

/*
 * The cells (*fc x *fr) that a src_w x src_h picture covers when fitted
 * into cols x rows keeping its aspect, a cell being 1 wide and 2 tall; the
 * renderer centres them: the picture starts at cell ((cols - *fc) / 2,
 * (rows - *fr) / 2). Both looks place it the same way.
 */
void sk_render_fit(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h, unsigned *fc,
                   unsigned *fr);

/*
 * Where sk_render_grid draws a src_w x src_h picture in cols x rows: the
 * cells sk_render_fit gives it, centred, each covering 1 x 1 of the
 * picture's fc x fr (term/grid.h). With cols or rows 0 it covers nothing.
 */
void sk_render_place_picture(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h,
                             struct sk_grid_place *p);

/*
 * The pixel size worth decoding a src_w x src_h picture at, to fill a
 * cols x rows area (callers pass it to sk_jpeg_decode as the minimum).
 */
void sk_render_wanted_size(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h,
                           unsigned *w, unsigned *h);

/*
 * The same for a look: half blocks use one pixel across and two down per
 * cell, so they are content with half the size each way (often one DCT
 * scale smaller: 1/8 of 1080p covers 200x60 cells of half blocks); text
 * reading wants the whole picture (up to SK_TEXTREC_READ_W x
 * SK_TEXTREC_READ_H).
 */
void sk_render_wanted_size_for(const struct sk_render_opts *o, unsigned cols, unsigned rows,
                               unsigned src_w, unsigned src_h, unsigned *w, unsigned *h);

/*
 * Render img (NULL: nothing, all black) into grid, resized to cols x rows.
 * Returns 0 or -1.
 */
int sk_render_grid(struct sk_render *r, const struct sk_image *img, unsigned cols, unsigned rows,
                   struct sk_grid *grid);

struct sk_textrec_result;

/*
 * Read img as a text screen with r's recogniser (what modes text and auto
 * do first) into *t, whose cells stay r's until its next read. Returns 0, or
 * -1 when img is too small for any text mode (*t zeroed: not text).
 */
int sk_render_read_text(struct sk_render *r, const struct sk_image *img,
                        struct sk_textrec_result *t);
/* Whether t is a text screen that fits in cols x rows cells (the text views show it as text). */
int sk_render_text_fits(const struct sk_textrec_result *t, unsigned cols, unsigned rows);

/*
 * sk_render_grid with img's text reading already done (t, from
 * sk_render_read_text of this img on a renderer with the same fonts; read
 * once, it serves every size and setting). t NULL: read here when needed.
 */
int sk_render_grid_read(struct sk_render *r, const struct sk_image *img,
                        const struct sk_textrec_result *t, unsigned cols, unsigned rows,
                        struct sk_grid *grid);

/*
 * Draw img into the cols x rows cells whose top-left is row top (0-based)
 * of the terminal: every cell, each row a cursor move, its colours, its
 * cells and an SGR reset. Appends to out. Returns 0 or -1.
 */
int sk_render_ansi(struct sk_render *r, const struct sk_image *img, unsigned cols, unsigned rows,
                   unsigned top, struct sk_buf *out);

#endif

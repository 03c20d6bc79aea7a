/*
 * render: RGB pictures to ANSI colour character art, through libcaca.
 *
 * A renderer owns one libcaca canvas (resized to the area each time) and
 * one dither (recreated when the picture's size or pitch changes). Each
 * call fits the picture into the area keeping its aspect ratio, counting a
 * cell as twice as tall as wide, centres it, dithers it into that part of a
 * blank black canvas, and writes the canvas out itself rather than with a
 * libcaca export: every row starts with an absolute cursor move, colours
 * are 16-colour SGR codes sent only when they change, and each row ends
 * with a reset, so output never spills past the area and the caller can
 * draw status lines around it. The picture is borrowed for the call.
 *
 * Look, chosen by rendering the demo target's BIOS screen (720x400, VGA
 * colours), a blue BIOS-like screen and the ffmpeg test pattern into 80x24
 * and 160x48 and comparing the pictures. libcaca gives each cell a
 * background (the nearest of its 16 colours), a foreground (the next
 * nearest) and a glyph for the mix:
 * - charset "ascii": at about one cell per character of the target's
 *   screen, a line of text becomes a line of letters (":tX8%"), which
 *   reads as text; "blocks" and "shades" turn it into a checkered smudge.
 *   Photos and test patterns look about as good either way.
 * - algorithm "none": flat areas (a BIOS's grey or blue, a highlight bar)
 *   stay flat and do not crawl from frame to frame; "ordered4" and "fstein"
 *   cover them in checker patterns. It also keeps no static state inside
 *   libcaca (the ordered dithers do), which matters with one renderer per
 *   SSH session thread.
 * - gamma 1 (libcaca's default): VGA grey (0xAA) is exactly libcaca's light
 *   grey, so grey screens come out clean; VGA's dark blue falls between
 *   libcaca's blue and light blue and gets a light texture, a fair trade
 *   (a gamma that fixes blue turns the grey into a mix instead).
 */
#include "term/render.h"

#include <caca.h>
#include <pthread.h>
#include <stdlib.h>

#include "util.h"

/* Overridable at build time to compare looks. */
#ifndef SK_RENDER_CHARSET
#define SK_RENDER_CHARSET "ascii"
#endif
#ifndef SK_RENDER_ALGORITHM
#define SK_RENDER_ALGORITHM "none"
#endif

struct sk_render {
    caca_canvas_t *cv;
    caca_dither_t *dither;
    unsigned dither_w; /* what the dither was made for */
    unsigned dither_h;
    unsigned dither_pitch;
};

/* libcaca reads a 24-bit pixel as one number in the machine's byte order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SK_RMASK 0xff0000u
#define SK_GMASK 0x00ff00u
#define SK_BMASK 0x0000ffu
#else
#define SK_RMASK 0x0000ffu
#define SK_GMASK 0x00ff00u
#define SK_BMASK 0xff0000u
#endif

/*
 * libcaca fills its colour lookup tables (static, shared) the first time
 * any dither is created, with no lock ("we do not wish to be thread-safe").
 * Two sessions starting at once would race on them; create the first
 * dither exactly once, before any renderer exists.
 */
static pthread_once_t caca_tables_once = PTHREAD_ONCE_INIT;

static void init_caca_tables(void)
{
    caca_dither_t *d = caca_create_dither(24, 1, 1, 3, SK_RMASK, SK_GMASK, SK_BMASK, 0);
    if (d != NULL) {
        caca_free_dither(d);
    }
}

struct sk_render *sk_render_new(void)
{
    pthread_once(&caca_tables_once, init_caca_tables);
    struct sk_render *r = xcalloc(1, sizeof(*r));
    r->cv = caca_create_canvas(1, 1);
    if (r->cv == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void sk_render_free(struct sk_render *r)
{
    if (r == NULL) {
        return;
    }
    if (r->dither != NULL) {
        caca_free_dither(r->dither);
    }
    caca_free_canvas(r->cv);
    free(r);
}

/*
 * The cells (*fc x *fr) that a src_w x src_h picture covers when fitted
 * into cols x rows keeping its aspect, a cell being 1 wide and 2 tall.
 */
static void fit_cells(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h, unsigned *fc,
                      unsigned *fr)
{
    if (cols == 0 || rows == 0 || src_w == 0 || src_h == 0) {
        *fc = cols;
        *fr = rows;
        return;
    }
    uint64_t w = src_w;
    uint64_t h = src_h;
    if (w * rows * 2 >= h * cols) {
        /* Wider than the area: full width, rows rounded to nearest. */
        *fc = cols;
        *fr = (unsigned)((cols * h + w) / (2 * w));
    } else {
        *fr = rows;
        *fc = (unsigned)((4 * rows * w + h) / (2 * h));
    }
    *fc = SK_MAX(1u, SK_MIN(*fc, cols));
    *fr = SK_MAX(1u, SK_MIN(*fr, rows));
}

/*
 * libcaca averages the pixels under each cell (its "prefilter") to choose
 * the cell's two colours and glyph, so a few pixels per cell are all it
 * uses: 2 across and 4 down (a cell is twice as tall as wide) average out
 * JPEG noise and thin strokes, while decoding more only costs time.
 */
void sk_render_wanted_size(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h,
                           unsigned *w, unsigned *h)
{
    unsigned fc = 0;
    unsigned fr = 0;
    fit_cells(cols, rows, src_w, src_h, &fc, &fr);
    *w = fc * 2;
    *h = fr * 4;
}

static int ensure_dither(struct sk_render *r, const struct sk_image *img)
{
    if (r->dither != NULL && r->dither_w == img->width && r->dither_h == img->height &&
        r->dither_pitch == img->pitch) {
        return 0;
    }
    if (r->dither != NULL) {
        caca_free_dither(r->dither);
        r->dither = NULL;
    }
    r->dither = caca_create_dither(24, (int)img->width, (int)img->height, (int)img->pitch, SK_RMASK,
                                   SK_GMASK, SK_BMASK, 0);
    if (r->dither == NULL) {
        return -1;
    }
    caca_set_dither_charset(r->dither, SK_RENDER_CHARSET);
    caca_set_dither_algorithm(r->dither, SK_RENDER_ALGORITHM);
    caca_set_dither_color(r->dither, "full16");
    r->dither_w = img->width;
    r->dither_h = img->height;
    r->dither_pitch = img->pitch;
    return 0;
}

/*
 * SGR parameters for one of libcaca's 16 colours: 30-37 / 90-97 (fg),
 * 40-47 / 100-107 (bg). libcaca numbers colours in the CGA order (blue 1,
 * red 4), SGR in the ANSI order (red 1, blue 4), hence the table.
 */
static unsigned sgr_colour(uint8_t caca, int bg)
{
    static const uint8_t cga_to_sgr[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    if (caca > 15) {
        return bg ? 49 : 39;
    }
    unsigned base = caca < 8 ? 30 : 90;
    return base + cga_to_sgr[caca & 7] + (bg ? 10 : 0);
}

static void write_row(struct sk_buf *out, const uint32_t *chars, const uint32_t *attrs,
                      unsigned cols, unsigned row)
{
    sk_buf_printf(out, "\033[%u;1H", row);
    unsigned cur_fg = 0;
    unsigned cur_bg = 0; /* 0: not set on this row yet */
    for (unsigned x = 0; x < cols; x++) {
        uint32_t ch = chars[x];
        if (ch == CACA_MAGIC_FULLWIDTH) {
            /* The right half of a wide character already written. */
            continue;
        }
        unsigned fg = sgr_colour(caca_attr_to_ansi_fg(attrs[x]), 0);
        unsigned bg = sgr_colour(caca_attr_to_ansi_bg(attrs[x]), 1);
        if (fg != cur_fg && bg != cur_bg) {
            sk_buf_printf(out, "\033[%u;%um", fg, bg);
        } else if (fg != cur_fg) {
            sk_buf_printf(out, "\033[%um", fg);
        } else if (bg != cur_bg) {
            sk_buf_printf(out, "\033[%um", bg);
        }
        cur_fg = fg;
        cur_bg = bg;
        if (ch < 0x20 || ch == 0x7F) {
            ch = ' ';
        }
        char utf8[8];
        size_t n = caca_utf32_to_utf8(utf8, ch);
        sk_buf_append(out, utf8, n);
    }
    sk_buf_puts(out, "\033[0m");
}

int sk_render_ansi(struct sk_render *r, const struct sk_image *img, unsigned cols, unsigned rows,
                   unsigned top, struct sk_buf *out)
{
    if (cols == 0 || rows == 0) {
        return 0;
    }
    if (caca_set_canvas_size(r->cv, (int)cols, (int)rows) != 0) {
        return -1;
    }
    caca_set_color_ansi(r->cv, CACA_LIGHTGRAY, CACA_BLACK);
    caca_clear_canvas(r->cv);

    if (img != NULL && img->pixels != NULL && img->width > 0 && img->height > 0) {
        if (ensure_dither(r, img) != 0) {
            return -1;
        }
        unsigned fc = 0;
        unsigned fr = 0;
        fit_cells(cols, rows, img->width, img->height, &fc, &fr);
        int x0 = (int)(cols - fc) / 2;
        int y0 = (int)(rows - fr) / 2;
        caca_dither_bitmap(r->cv, x0, y0, (int)fc, (int)fr, r->dither, img->pixels);
    }

    const uint32_t *chars = caca_get_canvas_chars(r->cv);
    const uint32_t *attrs = caca_get_canvas_attrs(r->cv);
    for (unsigned y = 0; y < rows; y++) {
        write_row(out, chars + (size_t)y * cols, attrs + (size_t)y * cols, cols, top + y + 1);
    }
    return 0;
}

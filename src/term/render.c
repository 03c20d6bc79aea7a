/*
 * render: RGB pictures to ANSI colour character art, through libcaca.
 *
 * A renderer owns one libcaca canvas (resized to the area each time), one
 * dither (recreated when the picture's size, pitch or settings change) and
 * a levels table. Each call fits the picture into the area keeping its
 * aspect ratio, counting a cell as twice as tall as wide, centres it, and
 * fills a cell grid (term/grid.h), which the caller diffs against what the
 * client shows; it never writes libcaca's own export, which knows only 16
 * colours. The picture is borrowed for the call.
 *
 * Colour. libcaca picks, for each cell, a glyph and two of its 16 colours.
 * In 16-colour mode those are the cell. With 256 or 24-bit colour the
 * renderer keeps libcaca's glyph but splits the pixels under the cell
 * between its two colours (each pixel goes to the nearer) and gives the
 * glyph and the background the mean of their pixels: a dark blue that
 * libcaca can only approximate with a blue/black texture becomes that blue.
 * 256-colour terminals get the nearest of the xterm cube and grey ramp.
 * Half-block mode does not use libcaca's glyphs: each cell is U+2580 with
 * the mean of its top and bottom half as foreground and background.
 * Brightness, contrast and gamma are applied by the renderer to a private
 * copy of the picture (only when they are not neutral), so both looks and
 * every colour depth see the same levels.
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
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/consolefonts.h"
#include "text/fontfile.h"
#include "term/textshare.h"
#include "text/textrec.h"
#include "base/util.h"

#define HALF_BLOCK 0x2580u

struct sk_render {
    caca_canvas_t *cv;
    caca_dither_t *dither;
    unsigned dither_w; /* what the dither was made for */
    unsigned dither_h;
    unsigned dither_pitch;
    struct sk_render_opts opts;
    int dither_stale;    /* opts changed since the dither was made */
    uint8_t levels[256]; /* brightness/contrast/gamma */
    int levels_neutral;
    struct sk_image adjusted; /* the picture through levels, when not neutral */
    struct sk_textrec *text;  /* the text reader (modes text and auto), made or taken from the
                               * share when first needed; given back to it when freed */
    const struct sk_text_font *fonts; /* what it is taught when made (sk_render_set_text_fonts) */
    size_t font_count;
    const struct sk_consolefonts *console_fonts; /* the same: the system's console fonts */
    struct sk_textshare *share; /* the server's geometry found last and its idle recognisers
                                 * (sk_render_set_text_share) */
    unsigned long share_seen;   /* the share's puts when last looked at or put to */
    int text_last;              /* the last picture read was text */
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

/* The 16 colours as terminals number them (ANSI order), VGA values. */
static const uint32_t ansi16_rgb[16] = {
    0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
    0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

/* ---- settings ---- */

void sk_render_opts_default(struct sk_render_opts *o)
{
    *o = (struct sk_render_opts){
        .mode = SK_RENDER_ART,
        .colors = 16,
        .brightness = 0,
        .contrast = 1,
        .gamma = 1,
    };
    /* Why ascii and no dithering: see the comment at the top. */
    snprintf(o->charset, sizeof(o->charset), "ascii");
    snprintf(o->algorithm, sizeof(o->algorithm), "none");
}

static int one_of(const char *value, const char *const *list)
{
    for (; *list != NULL; list++) {
        if (strcmp(value, *list) == 0) {
            return 1;
        }
    }
    return 0;
}

static int parse_double(const char *value, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(value, &end);
    if (*value == '\0' || *end != '\0' || !(v >= lo && v <= hi)) {
        return -1;
    }
    *out = v;
    return 0;
}

int sk_render_opts_set(struct sk_render_opts *o, const char *name, const char *value, char *err,
                       size_t errlen)
{
    static const char *const charsets[] = {"ascii", "shades", "blocks", NULL};
    static const char *const algorithms[] = {"none",   "ordered2", "ordered4", "ordered8",
                                             "random", "fstein",   NULL};
    if (value == NULL) {
        value = "";
    }
    if (strcmp(name, "mode") == 0) {
        if (strcmp(value, "art") == 0) {
            o->mode = SK_RENDER_ART;
        } else if (strcmp(value, "half") == 0) {
            o->mode = SK_RENDER_HALF;
        } else if (strcmp(value, "text") == 0) {
            o->mode = SK_RENDER_TEXT;
        } else if (strcmp(value, "auto") == 0) {
            o->mode = SK_RENDER_AUTO;
        } else {
            snprintf(err, errlen, "mode: '%s' is not art, half, text or auto", value);
            return -1;
        }
    } else if (strcmp(name, "colors") == 0) {
        if (strcmp(value, "auto") == 0) {
            o->colors = 0;
        } else if (strcmp(value, "16") == 0) {
            o->colors = 16;
        } else if (strcmp(value, "256") == 0) {
            o->colors = 256;
        } else if (strcmp(value, "24bit") == 0 || strcmp(value, "truecolor") == 0 ||
                   strcmp(value, "24") == 0) {
            o->colors = 24;
        } else {
            snprintf(err, errlen, "colors: '%s' is not auto, 16, 256 or 24bit", value);
            return -1;
        }
    } else if (strcmp(name, "charset") == 0) {
        if (!one_of(value, charsets)) {
            snprintf(err, errlen, "charset: '%s' is not ascii, shades or blocks", value);
            return -1;
        }
        snprintf(o->charset, sizeof(o->charset), "%s", value);
    } else if (strcmp(name, "dither") == 0) {
        if (!one_of(value, algorithms)) {
            snprintf(err, errlen,
                     "dither: '%s' is not none, ordered2, ordered4, ordered8, random or fstein",
                     value);
            return -1;
        }
        snprintf(o->algorithm, sizeof(o->algorithm), "%s", value);
    } else if (strcmp(name, "brightness") == 0) {
        if (parse_double(value, -1, 1, &o->brightness) != 0) {
            snprintf(err, errlen, "brightness: '%s' is not a number from -1 to 1", value);
            return -1;
        }
    } else if (strcmp(name, "contrast") == 0) {
        if (parse_double(value, 0, 4, &o->contrast) != 0) {
            snprintf(err, errlen, "contrast: '%s' is not a number from 0 to 4", value);
            return -1;
        }
    } else if (strcmp(name, "gamma") == 0) {
        if (parse_double(value, 0.1, 10, &o->gamma) != 0) {
            snprintf(err, errlen, "gamma: '%s' is not a number from 0.1 to 10", value);
            return -1;
        }
    } else {
        snprintf(err, errlen, "'%s' is not a view setting", name);
        return -1;
    }
    return 0;
}

int sk_render_detect_colors(const char *term, const char *colorterm)
{
    if (colorterm != NULL &&
        (strcmp(colorterm, "truecolor") == 0 || strcmp(colorterm, "24bit") == 0)) {
        return 24;
    }
    if (term != NULL && strstr(term, "-direct") != NULL) {
        return 24;
    }
    if (term != NULL && strstr(term, "256color") != NULL) {
        return 256;
    }
    return 16;
}

/* ---- the renderer ---- */

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
    struct sk_render_opts o;
    sk_render_opts_default(&o);
    sk_render_set_opts(r, &o);
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
    sk_image_free(&r->adjusted);
    if (r->share != NULL && r->text != NULL) {
        const struct sk_textshare_fonts f = {r->fonts, r->font_count, r->console_fonts};
        sk_textshare_give(r->share, r->text, &f); /* for the next reader */
    } else {
        sk_textrec_free(r->text);
    }
    free(r);
}

void sk_render_set_opts(struct sk_render *r, const struct sk_render_opts *o)
{
    r->opts = *o;
    r->dither_stale = 1;
    r->levels_neutral = o->brightness == 0 && o->contrast == 1 && o->gamma == 1;
    for (int i = 0; i < 256; i++) {
        double v = pow(i / 255.0, 1.0 / o->gamma);
        v = (v - 0.5) * o->contrast + 0.5 + o->brightness;
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        r->levels[i] = (uint8_t)lround(v * 255);
    }
}

void sk_render_fit(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h, unsigned *fc,
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

void sk_render_place_picture(unsigned cols, unsigned rows, unsigned src_w, unsigned src_h,
                             struct sk_grid_place *p)
{
    unsigned fc = 0;
    unsigned fr = 0;
    sk_render_fit(cols, rows, src_w, src_h, &fc, &fr);
    /* The whole picture in cells of 1 x 1: cell i of fc covers (i .. i + 1) / fc of its width. */
    *p = (struct sk_grid_place){
        .col = (cols - fc) / 2,
        .row = (rows - fr) / 2,
        .cols = fc,
        .rows = fr,
        .cell_w = 1,
        .cell_h = 1,
        .screen_w = fc,
        .screen_h = fr,
    };
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
    sk_render_fit(cols, rows, src_w, src_h, &fc, &fr);
    *w = fc * 2;
    *h = fr * 4;
}

void sk_render_wanted_size_for(const struct sk_render_opts *o, unsigned cols, unsigned rows,
                               unsigned src_w, unsigned src_h, unsigned *w, unsigned *h)
{
    sk_render_wanted_size(cols, rows, src_w, src_h, w, h);
    if (o->mode == SK_RENDER_HALF) {
        *w = SK_MAX(1u, *w / 2);
        *h = SK_MAX(1u, *h / 2);
    } else if (o->mode == SK_RENDER_TEXT || o->mode == SK_RENDER_AUTO) {
        sk_textrec_read_size(src_w, src_h, w, h);
    }
}

static int ensure_dither(struct sk_render *r, const struct sk_image *img)
{
    if (r->dither != NULL && !r->dither_stale && r->dither_w == img->width &&
        r->dither_h == img->height && r->dither_pitch == img->pitch) {
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
    caca_set_dither_charset(r->dither, r->opts.charset);
    caca_set_dither_algorithm(r->dither, r->opts.algorithm);
    caca_set_dither_color(r->dither, "full16");
    r->dither_w = img->width;
    r->dither_h = img->height;
    r->dither_pitch = img->pitch;
    r->dither_stale = 0;
    return 0;
}

/* The picture through the levels table, or the picture itself when they are neutral. */
static const struct sk_image *apply_levels(struct sk_render *r, const struct sk_image *img)
{
    if (r->levels_neutral) {
        return img;
    }
    sk_image_resize(&r->adjusted, img->width, img->height);
    for (unsigned y = 0; y < img->height; y++) {
        const uint8_t *src = img->pixels + (size_t)y * img->pitch;
        uint8_t *dst = r->adjusted.pixels + (size_t)y * r->adjusted.pitch;
        for (unsigned i = 0; i < img->width * 3; i++) {
            dst[i] = r->levels[src[i]];
        }
    }
    return &r->adjusted;
}

static unsigned dist2(uint32_t a, uint32_t b)
{
    int dr = (int)((a >> 16) & 0xff) - (int)((b >> 16) & 0xff);
    int dg = (int)((a >> 8) & 0xff) - (int)((b >> 8) & 0xff);
    int db = (int)(a & 0xff) - (int)(b & 0xff);
    return (unsigned)(dr * dr + dg * dg + db * db);
}

/* The nearest xterm 256-colour index (cube 16..231, greys 232..255). */
static uint32_t to_256(uint32_t rgb)
{
    static const unsigned level[6] = {0, 95, 135, 175, 215, 255};
    unsigned c[3] = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
    unsigned idx[3];
    for (int k = 0; k < 3; k++) {
        idx[k] = c[k] < 48 ? 0 : c[k] < 115 ? 1 : (c[k] - 35) / 40;
    }
    uint32_t cube = (level[idx[0]] << 16) | (level[idx[1]] << 8) | level[idx[2]];
    unsigned avg = (c[0] + c[1] + c[2]) / 3;
    unsigned g = avg < 8 ? 0 : SK_MIN(23u, (avg - 8 + 5) / 10);
    unsigned gl = 8 + 10 * g;
    uint32_t grey = (gl << 16) | (gl << 8) | gl;
    if (dist2(grey, rgb) < dist2(cube, rgb)) {
        return 232 + g;
    }
    return 16 + 36 * idx[0] + 6 * idx[1] + idx[2];
}

static uint32_t to_16(uint32_t rgb)
{
    uint32_t best = 0;
    unsigned bd = ~0u;
    for (uint32_t i = 0; i < 16; i++) {
        unsigned d = dist2(ansi16_rgb[i], rgb);
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    return best;
}

static uint32_t quantise(uint32_t rgb, int colors)
{
    if (colors == 24 || colors == 0) {
        return SK_COLOR_RGB | rgb;
    }
    return colors == 256 ? to_256(rgb) : to_16(rgb);
}

static uint32_t pixel(const struct sk_image *img, unsigned x, unsigned y)
{
    const uint8_t *p = img->pixels + (size_t)y * img->pitch + (size_t)x * 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

/* Sum of colours, to average. */
struct acc {
    unsigned r, g, b, n;
};

static void acc_add(struct acc *a, uint32_t rgb)
{
    a->r += (rgb >> 16) & 0xff;
    a->g += (rgb >> 8) & 0xff;
    a->b += rgb & 0xff;
    a->n++;
}

static uint32_t acc_mean(const struct acc *a)
{
    unsigned n = a->n;
    return (((a->r + n / 2) / n) << 16) | (((a->g + n / 2) / n) << 8) | ((a->b + n / 2) / n);
}

/* The pixel span [*a, *b) of part i of n equal parts of len pixels; never empty. */
static void span(unsigned len, unsigned i, unsigned n, unsigned *a, unsigned *b)
{
    *a = (unsigned)((uint64_t)i * len / n);
    *b = (unsigned)((uint64_t)(i + 1) * len / n);
    if (*a >= len) {
        *a = len - 1;
    }
    if (*b <= *a) {
        *b = *a + 1;
    }
}

static uint32_t rgb12_to_rgb(uint16_t c)
{
    return (((c >> 8) & 0xfu) * 0x11u << 16) | (((c >> 4) & 0xfu) * 0x11u << 8) |
           ((c & 0xfu) * 0x11u);
}

/* CGA order (libcaca) to ANSI order (SGR); anything else (default colours) as given. */
static uint32_t cga_to_ansi(uint8_t c, uint32_t dflt)
{
    static const uint8_t map[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    return c > 15 ? dflt : (uint32_t)((c & 8) | map[c & 7]);
}

/* libcaca's glyphs and colours, refined to true colours when the depth allows. */
static void art_cells(struct sk_render *r, const struct sk_image *img, unsigned x0, unsigned y0,
                      unsigned fc, unsigned fr, struct sk_grid *grid)
{
    const uint32_t *chars = caca_get_canvas_chars(r->cv);
    const uint32_t *attrs = caca_get_canvas_attrs(r->cv);
    for (unsigned y = 0; y < grid->rows; y++) {
        for (unsigned x = 0; x < grid->cols; x++) {
            size_t i = (size_t)y * grid->cols + x;
            struct sk_cell *c = &grid->cells[i];
            uint32_t ch = chars[i];
            if (ch == CACA_MAGIC_FULLWIDTH || ch < 0x20 || ch == 0x7f) {
                ch = ' ';
            }
            c->ch = ch;
            c->fg = cga_to_ansi(caca_attr_to_ansi_fg(attrs[i]), 7);
            c->bg = cga_to_ansi(caca_attr_to_ansi_bg(attrs[i]), 0);
            int inside = x >= x0 && x < x0 + fc && y >= y0 && y < y0 + fr;
            if (inside && r->opts.colors != 16 && img != NULL) {
                uint32_t pf = rgb12_to_rgb(caca_attr_to_rgb12_fg(attrs[i]));
                uint32_t pb = rgb12_to_rgb(caca_attr_to_rgb12_bg(attrs[i]));
                struct acc af = {0}, ab = {0};
                unsigned xa, xb, ya, yb;
                span(img->width, x - x0, fc, &xa, &xb);
                span(img->height, y - y0, fr, &ya, &yb);
                for (unsigned py = ya; py < yb; py++) {
                    for (unsigned px = xa; px < xb; px++) {
                        uint32_t p = pixel(img, px, py);
                        if (ch != ' ' && dist2(p, pf) < dist2(p, pb)) {
                            acc_add(&af, p);
                        } else {
                            acc_add(&ab, p);
                        }
                    }
                }
                uint32_t mf = af.n ? acc_mean(&af) : pf;
                uint32_t mb = ab.n ? acc_mean(&ab) : mf;
                c->fg = quantise(mf, r->opts.colors);
                c->bg = quantise(mb, r->opts.colors);
            }
            if (c->ch == ' ') {
                c->fg = SK_COLOR_ANY;
            }
        }
    }
}

/* Two pixels a cell: the upper half block in the top colour over the bottom colour. */
static void half_cells(struct sk_render *r, const struct sk_image *img, unsigned x0, unsigned y0,
                       unsigned fc, unsigned fr, struct sk_grid *grid)
{
    for (unsigned y = 0; y < fr; y++) {
        unsigned ta, tb, ba, bb;
        span(img->height, 2 * y, 2 * fr, &ta, &tb);
        span(img->height, 2 * y + 1, 2 * fr, &ba, &bb);
        for (unsigned x = 0; x < fc; x++) {
            unsigned xa, xb;
            span(img->width, x, fc, &xa, &xb);
            struct acc at = {0}, ab = {0};
            for (unsigned px = xa; px < xb; px++) {
                for (unsigned py = ta; py < tb; py++) {
                    acc_add(&at, pixel(img, px, py));
                }
                for (unsigned py = ba; py < bb; py++) {
                    acc_add(&ab, pixel(img, px, py));
                }
            }
            struct sk_cell *c = &grid->cells[(size_t)(y0 + y) * grid->cols + x0 + x];
            c->fg = quantise(acc_mean(&at), r->opts.colors);
            c->bg = quantise(acc_mean(&ab), r->opts.colors);
            if (c->fg == c->bg) {
                c->ch = ' ';
                c->fg = SK_COLOR_ANY;
            } else {
                c->ch = HALF_BLOCK;
            }
        }
    }
}

void sk_render_set_text_fonts(struct sk_render *r, const struct sk_text_font *fonts, size_t n,
                              const struct sk_consolefonts *console)
{
    r->fonts = fonts;
    r->font_count = n;
    r->console_fonts = console;
}

/*
 * An index of a 16-colour palette pal (the VGA's or EFI's, in the same
 * order) as a cell colour: the terminal's own 16 colours, the nearest of
 * xterm's 256 (which look the same whatever the terminal's theme: a BIOS
 * screen looks like itself), or the exact RGB.
 */
static uint32_t palette_color(const uint8_t (*pal)[3], unsigned i, int colors)
{
    /* VGA order (blue before red) to ANSI order (red before blue). */
    static const uint8_t ansi[16] = {0, 4, 2, 6, 1, 5, 3, 7, 8, 12, 10, 14, 9, 13, 11, 15};
    const uint8_t *p = pal[i & 15];
    uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    if (colors == 24) {
        return SK_COLOR_RGB | rgb;
    }
    return colors == 256 ? to_256(rgb) : ansi[i & 15];
}

/*
 * A recognised cell's colour: on a 16-colour palette (t->palette), its
 * entry (index i) as palette_color gives it; else the colour measured
 * (rgb), the nearest the terminal shows.
 */
static uint32_t text_color(const struct sk_textrec_result *t, unsigned i, const uint8_t rgb[3],
                           int colors)
{
    const uint8_t(*pal)[3] = sk_textrec_palette_rgb(t->palette);
    if (pal != NULL) {
        return palette_color(pal, i, colors);
    }
    return quantise((uint32_t)rgb[0] << 16 | (uint32_t)rgb[1] << 8 | rgb[2], colors);
}

int sk_render_read_text(struct sk_render *r, const struct sk_image *img,
                        struct sk_textrec_result *t)
{
    if (r->text == NULL && r->share != NULL) {
        /* A reader's that is done, taught these fonts: no fonts to build, nor indexes. */
        const struct sk_textshare_fonts f = {r->fonts, r->font_count, r->console_fonts};
        r->text = sk_textshare_take(r->share, &f);
    }
    if (r->text == NULL) {
        /* Made when first needed: an art view never reads text. */
        r->text = sk_textrec_new();
        for (size_t i = 0; i < r->font_count; i++) {
            sk_textrec_add_font(r->text, r->fonts[i].rows, r->fonts[i].height);
        }
        sk_consolefonts_teach(r->console_fonts, r->text);
    }
    struct sk_textrec_hint h;
    int64_t now = r->share != NULL ? sk_now_us() : 0;
    /*
     * A geometry another reader found since this one last looked (and that
     * is fresh), taken while this one reads no text (its first picture, or
     * a screen that changed): it is tried first, and the search runs if it
     * does not read.
     */
    if (r->share != NULL && !r->text_last) {
        unsigned long puts = sk_textshare_get(r->share, now, &h);
        if (puts != r->share_seen && h.kind != 0) {
            sk_textrec_resume(r->text, &h);
            r->share_seen = puts;
        }
    }
    int rc = sk_textrec_run(r->text, img, t);
    r->text_last = rc == 0 && t->is_text;
    if (r->share != NULL && rc == 0) {
        now = sk_now_us(); /* a search may have taken a while */
        if (t->searched) {
            sk_textshare_count_search(r->share, t->is_text);
        }
        if (r->text_last && sk_textrec_hint(r->text, &h) == 0) {
            if (t->searched) {
                r->share_seen = sk_textshare_put(r->share, &h, now);
            } else {
                sk_textshare_confirm(r->share, &h, now);
            }
        }
    }
    return rc;
}

void sk_render_set_text_share(struct sk_render *r, struct sk_textshare *s)
{
    r->share = s;
}

int sk_render_text_fits(const struct sk_textrec_result *t, unsigned cols, unsigned rows)
{
    return t->is_text && t->cols <= cols && t->rows <= rows;
}

/*
 * The picture read as text (t) into grid (cols x rows), centred. Returns
 * 0, or -1 with grid->note set when it is not text or does not fit.
 */
static int text_cells(struct sk_render *r, const struct sk_textrec_result *t, unsigned cols,
                      unsigned rows, struct sk_grid *grid)
{
    if (!t->is_text) {
        grid->note = "text: the screen is not text, showing art";
        return -1;
    }
    grid->text_cols = t->cols;
    grid->text_rows = t->rows;
    if (!sk_render_text_fits(t, cols, rows)) {
        grid->note = "text: the terminal is smaller than the text screen, showing art";
        return -1;
    }
    unsigned x0 = (cols - t->cols) / 2, y0 = (rows - t->rows) / 2;
    for (unsigned y = 0; y < t->rows; y++) {
        for (unsigned x = 0; x < t->cols; x++) {
            const struct sk_textrec_cell *c = &t->cells[y * t->cols + x];
            int blank = c->ch == ' ' || c->ch == 0;
            grid->cells[(size_t)(y0 + y) * cols + x0 + x] = (struct sk_cell){
                .ch = sk_textrec_cell_unicode(c),
                .fg = blank ? SK_COLOR_ANY : text_color(t, c->fg, c->fg_rgb, r->opts.colors),
                .bg = text_color(t, c->bg, c->bg_rgb, r->opts.colors),
            };
        }
    }
    grid->text = 1;
    /* A click on a character goes to that character's cell of the mode's picture. */
    grid->place = (struct sk_grid_place){
        .col = x0,
        .row = y0,
        .cols = t->cols,
        .rows = t->rows,
        .cell_w = t->cell_w,
        .cell_h = t->cell_h,
        .screen_w = t->mode_w,
        .screen_h = t->mode_h,
    };
    if (t->cursor_col >= 0) {
        grid->cursor_col = (int)x0 + t->cursor_col;
        grid->cursor_row = (int)y0 + t->cursor_row;
    }
    return 0;
}

int sk_render_grid(struct sk_render *r, const struct sk_image *img, unsigned cols, unsigned rows,
                   struct sk_grid *grid)
{
    return sk_render_grid_read(r, img, NULL, cols, rows, grid);
}

int sk_render_grid_read(struct sk_render *r, const struct sk_image *img,
                        const struct sk_textrec_result *t, unsigned cols, unsigned rows,
                        struct sk_grid *grid)
{
    sk_grid_resize(grid, cols, rows);
    if (cols == 0 || rows == 0) {
        return 0;
    }
    if (img != NULL && (img->pixels == NULL || img->width == 0 || img->height == 0)) {
        img = NULL;
    }
    if (img == NULL) {
        return 0;
    }
    if (r->opts.mode == SK_RENDER_TEXT || r->opts.mode == SK_RENDER_AUTO) {
        struct sk_textrec_result own;
        if (t == NULL) {
            sk_render_read_text(r, img, &own); /* -1 zeroes own: not text */
            t = &own;
        }
        if (text_cells(r, t, cols, rows, grid) == 0) {
            return 0;
        }
    }
    if (r->opts.mode == SK_RENDER_AUTO) {
        grid->note = NULL; /* auto showing art is auto doing its job */
    }
    img = apply_levels(r, img);
    sk_render_place_picture(cols, rows, img->width, img->height, &grid->place);
    unsigned fc = grid->place.cols;
    unsigned fr = grid->place.rows;
    unsigned x0 = grid->place.col;
    unsigned y0 = grid->place.row;
    if (r->opts.mode == SK_RENDER_HALF) {
        half_cells(r, img, x0, y0, fc, fr, grid);
        return 0;
    }
    if (caca_set_canvas_size(r->cv, (int)cols, (int)rows) != 0) {
        return -1;
    }
    caca_set_color_ansi(r->cv, CACA_LIGHTGRAY, CACA_BLACK);
    caca_clear_canvas(r->cv);
    if (ensure_dither(r, img) != 0) {
        return -1;
    }
    caca_dither_bitmap(r->cv, (int)x0, (int)y0, (int)fc, (int)fr, r->dither, img->pixels);
    art_cells(r, img, x0, y0, fc, fr, grid);
    return 0;
}

int sk_render_ansi(struct sk_render *r, const struct sk_image *img, unsigned cols, unsigned rows,
                   unsigned top, struct sk_buf *out)
{
    struct sk_grid g = {0};
    int rc = sk_render_grid(r, img, cols, rows, &g);
    /* Row by row, each complete in itself (move, colours, cells, reset), so that the rows
     * also stand as lines of a file: a terminal that scrolls never fills with a colour. */
    for (unsigned y = 0; rc == 0 && y < rows; y++) {
        struct sk_grid row = {.cols = cols, .rows = 1, .cells = g.cells + (size_t)y * cols};
        sk_grid_diff(NULL, &row, top + y, out);
    }
    sk_grid_free(&g);
    return rc;
}

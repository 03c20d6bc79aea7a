/*
 * test_render: sizing, letterboxing and the ANSI output of the renderer.
 *
 * The output is parsed back into a grid of cells (character, SGR
 * foreground and background) by a small ANSI reader here, which also
 * checks that every row starts with the right cursor move and that no row
 * holds more cells than the area is wide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "demo/demo.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "capture/mjpeg.h"
#include "term/render.h"
#include "term/textshare.h"
#include "text/textrec.h"
#include "base/util.h"

#define MAX_COLS 256
#define MAX_ROWS 80

struct cell {
    uint32_t ch;
    unsigned fg;
    unsigned bg;
};

struct screen {
    struct cell cells[MAX_ROWS][MAX_COLS];
    unsigned moves; /* cursor-positioning sequences */
    unsigned row_len[MAX_ROWS];
    unsigned sgr_in_row[MAX_ROWS];
    int bad; /* anything unexpected in the stream */
};

/* Read the renderer's output back. Rows are 0-based relative to top. */
static void parse(const struct sk_buf *out, unsigned top, unsigned rows, struct screen *s)
{
    memset(s, 0, sizeof(*s));
    const uint8_t *p = (const uint8_t *)out->data;
    const uint8_t *end = p + out->len;
    int row = -1;
    unsigned col = 0;
    unsigned fg = 39;
    unsigned bg = 49;
    while (p < end) {
        if (*p == 0x1B) {
            if (p + 1 >= end || p[1] != '[') {
                s->bad++;
                return;
            }
            p += 2;
            unsigned nums[8] = {0};
            unsigned n = 0;
            while (p < end && ((*p >= '0' && *p <= '9') || *p == ';')) {
                if (*p == ';') {
                    n = n < 7 ? n + 1 : n;
                } else {
                    nums[n] = nums[n] * 10 + (unsigned)(*p - '0');
                }
                p++;
            }
            if (p >= end) {
                s->bad++;
                return;
            }
            if (*p == 'H') {
                /* Rows must come in order, each once, in column 1. */
                int want = row + 1;
                if (nums[0] != top + (unsigned)want + 1 || nums[1] != 1) {
                    s->bad++;
                }
                row = want;
                col = 0;
                s->moves++;
            } else if (*p == 'm') {
                for (unsigned k = 0; k <= n; k++) {
                    unsigned v = nums[k];
                    if (v == 0) {
                        fg = 39;
                        bg = 49;
                    } else if ((v >= 30 && v <= 39) || (v >= 90 && v <= 97)) {
                        fg = v;
                    } else if ((v >= 40 && v <= 49) || (v >= 100 && v <= 107)) {
                        bg = v;
                    } else {
                        s->bad++;
                    }
                }
                if (row >= 0 && row < MAX_ROWS && !(n == 0 && nums[0] == 0)) {
                    s->sgr_in_row[row]++;
                }
            } else {
                s->bad++;
            }
            p++;
            continue;
        }
        uint32_t cp = 0;
        int n = sk_utf8_decode(p, (size_t)(end - p), &cp);
        if (n <= 0 || row < 0 || row >= (int)rows || row >= MAX_ROWS || cp < 0x20) {
            s->bad++;
            return;
        }
        if (col < MAX_COLS) {
            s->cells[row][col] = (struct cell){.ch = cp, .fg = fg, .bg = bg};
        }
        col++;
        s->row_len[row] = col;
        p += n;
    }
}

static int cell_blank(const struct cell *c)
{
    return c->ch == ' ' && c->bg == 40;
}

static void solid(struct sk_image *img, unsigned w, unsigned h, uint8_t r, uint8_t g, uint8_t b)
{
    sk_image_resize(img, w, h);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x++) {
            uint8_t *p = img->pixels + y * img->pitch + x * 3;
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    }
}

static struct screen scr; /* too big for the stack */

static void test_wanted_size(void)
{
    unsigned w = 0;
    unsigned h = 0;
    /* 720x400 is wider than 80x24 cells (80 x 48 square units): 80 x 22 cells. */
    sk_render_wanted_size(80, 24, 720, 400, &w, &h);
    CHECK_EQ_INT(w, 160);
    CHECK_EQ_INT(h, 88);
    /* Taller than the area: 200x40 cells hold 144 x 40. */
    sk_render_wanted_size(200, 40, 720, 400, &w, &h);
    CHECK_EQ_INT(w, 288);
    CHECK_EQ_INT(h, 160);
    /* 4:3 into 100x50 cells (100 x 100 units): 100 x 37.5 -> 38 rows. */
    sk_render_wanted_size(100, 50, 640, 480, &w, &h);
    CHECK_EQ_INT(w, 200);
    CHECK_EQ_INT(h, 152);
    sk_render_wanted_size(80, 24, 0, 0, &w, &h);
    CHECK_EQ_INT(w, 160);
    CHECK_EQ_INT(h, 96);
}

static void test_fixture_80x24(void)
{
    const char *dir = sk_test_data();
    char path[512];
    snprintf(path, sizeof(path), "%s/testsrc-320x240.mjpeg", dir);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    static uint8_t buf[200000];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    size_t off = 0;
    size_t flen = 0;
    CHECK(sk_mjpeg_next(buf, len, 1, &off, &flen) > 0 && flen > 0);

    unsigned w = 0;
    unsigned h = 0;
    sk_render_wanted_size(80, 24, 320, 240, &w, &h);
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    CHECK_EQ_INT(sk_jpeg_decode(dec, buf, flen, w, h, &img), 0);

    struct sk_render *r = sk_render_new();
    struct sk_buf out = {0};
    CHECK_EQ_INT(sk_render_ansi(r, &img, 80, 24, 0, &out), 0);
    parse(&out, 0, 24, &scr);
    CHECK_EQ_INT(scr.bad, 0);
    CHECK_EQ_INT(scr.moves, 24);
    int too_long = 0;
    for (unsigned y = 0; y < 24; y++) {
        too_long += scr.row_len[y] != 80;
    }
    CHECK_EQ_INT(too_long, 0);
    /* 4:3 into 80 x 48 units: 64 x 24 cells, columns 8..71; the rest is border. */
    int wrong = 0;
    for (unsigned y = 0; y < 24; y++) {
        for (unsigned x = 0; x < 8; x++) {
            wrong += !cell_blank(&scr.cells[y][x]) || !cell_blank(&scr.cells[y][79 - x]);
        }
    }
    CHECK_EQ_INT(wrong, 0);
    /* The test pattern is colourful: the picture area is not all one colour. */
    unsigned colours = 0;
    for (unsigned x = 8; x < 72; x++) {
        colours += scr.cells[5][x].bg != scr.cells[5][8].bg;
    }
    CHECK(colours > 10);

    /* The same renderer again at an offset, into a bigger area: still exact. */
    sk_buf_reset(&out);
    CHECK_EQ_INT(sk_render_ansi(r, &img, 120, 30, 2, &out), 0);
    parse(&out, 2, 30, &scr);
    CHECK_EQ_INT(scr.bad, 0);
    CHECK_EQ_INT(scr.moves, 30);
    CHECK(strncmp(out.data, "\033[3;1H", 6) == 0);

    sk_buf_free(&out);
    sk_render_free(r);
    sk_image_free(&img);
    sk_jpeg_dec_free(dec);
}

static void test_letterbox(void)
{
    struct sk_image img = {0};
    solid(&img, 720, 400, 255, 255, 255);
    struct sk_render *r = sk_render_new();
    struct sk_buf out = {0};

    /* 200x60 (200 x 120 units): full width, 200 / 1.8 / 2 = 55.6 -> 56 rows, 2 blank above and
     * below. */
    CHECK_EQ_INT(sk_render_ansi(r, &img, 200, 60, 0, &out), 0);
    parse(&out, 0, 60, &scr);
    CHECK_EQ_INT(scr.bad, 0);
    CHECK_EQ_INT(scr.moves, 60);
    int wrong = 0;
    for (unsigned y = 0; y < 60; y++) {
        wrong += scr.row_len[y] != 200;
        int border = y < 2 || y >= 58;
        for (unsigned x = 0; x < 200; x++) {
            wrong += border ? !cell_blank(&scr.cells[y][x]) : scr.cells[y][x].bg != 107;
        }
        /* A uniform picture needs one colour change per row at most (plus the border's). */
        wrong += scr.sgr_in_row[y] > 1;
    }
    CHECK_EQ_INT(wrong, 0);

    /* 200x40 (200 x 80 units): 80 * 1.8 = 144 columns, 28 blank on each side. */
    sk_buf_reset(&out);
    CHECK_EQ_INT(sk_render_ansi(r, &img, 200, 40, 0, &out), 0);
    parse(&out, 0, 40, &scr);
    CHECK_EQ_INT(scr.bad, 0);
    CHECK_EQ_INT(scr.moves, 40);
    wrong = 0;
    for (unsigned y = 0; y < 40; y++) {
        wrong += scr.row_len[y] != 200;
        for (unsigned x = 0; x < 200; x++) {
            int border = x < 28 || x >= 172;
            wrong += border ? !cell_blank(&scr.cells[y][x]) : scr.cells[y][x].bg != 107;
        }
        wrong += scr.sgr_in_row[y] != 3; /* border, picture, border */
    }
    CHECK_EQ_INT(wrong, 0);
    sk_buf_free(&out);
    sk_render_free(r);
    sk_image_free(&img);
}

/* Pure colours come out as the right SGR codes (channel order, colour numbering). */
static void test_colours(void)
{
    static const struct {
        uint8_t r, g, b;
        unsigned bg;
    } cases[] = {
        {255, 0, 0, 101},    /* light red */
        {0, 0, 170, 44},     /* VGA blue */
        {0, 170, 0, 42},     /* VGA green */
        {170, 0, 0, 41},     /* VGA red */
        {0, 170, 170, 46},   /* VGA cyan */
        {255, 255, 85, 103}, /* VGA yellow */
        {0, 0, 0, 40},
    };
    struct sk_render *r = sk_render_new();
    struct sk_image img = {0};
    struct sk_buf out = {0};
    for (size_t k = 0; k < SK_ARRAY_LEN(cases); k++) {
        /* Sizes change from case to case, so the dither is remade each time. */
        solid(&img, 64 + (unsigned)k * 8, 48 + (unsigned)k * 6, cases[k].r, cases[k].g, cases[k].b);
        sk_buf_reset(&out);
        CHECK_EQ_INT(sk_render_ansi(r, &img, 40, 15, 0, &out), 0);
        parse(&out, 0, 15, &scr);
        CHECK_EQ_INT(scr.bad, 0);
        if (scr.cells[7][20].bg != cases[k].bg) {
            fprintf(stderr, "  case %zu: bg %u, wanted %u\n", k, scr.cells[7][20].bg, cases[k].bg);
        }
        CHECK_EQ_INT(scr.cells[7][20].bg, cases[k].bg);
    }
    /* No picture at all: a blank area, still one cursor move per row. */
    sk_buf_reset(&out);
    CHECK_EQ_INT(sk_render_ansi(r, NULL, 10, 3, 5, &out), 0);
    parse(&out, 5, 3, &scr);
    CHECK_EQ_INT(scr.bad, 0);
    CHECK_EQ_INT(scr.moves, 3);
    CHECK(cell_blank(&scr.cells[1][9]) && scr.row_len[2] == 10);
    sk_buf_free(&out);
    sk_image_free(&img);
    sk_render_free(r);
}

/* A whole file into a buffer (NUL-terminated); NULL when it cannot be read. */
static uint8_t *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    char err[256];
    if (sk_read_file(path, 16 * 1024 * 1024, &data, len, err, sizeof(err)) != 0) {
        fprintf(stderr, "  %s\n", err);
        return NULL;
    }
    return (uint8_t *)data;
}

/* The first frame of a fixture (a JPEG or an MJPEG stream), decoded for a cols x rows area. */
static int load_fixture(const char *name, const struct sk_render_opts *o, unsigned cols,
                        unsigned rows, struct sk_image *img)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", sk_test_data(), name);
    size_t len = 0;
    uint8_t *data = slurp(path, &len);
    if (data == NULL) {
        fprintf(stderr, "  cannot read %s\n", path);
        return -1;
    }
    size_t off = 0, flen = 0;
    unsigned w = 0, h = 0, sw = 0, sh = 0;
    int rc = -1;
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    if (sk_mjpeg_next(data, len, 1, &off, &flen) > 0 && flen > 0 &&
        sk_jpeg_info(data + off, flen, &sw, &sh) == 0) {
        sk_render_wanted_size_for(o, cols, rows, sw, sh, &w, &h);
        rc = sk_jpeg_decode(dec, data + off, flen, w, h, img);
    }
    sk_jpeg_dec_free(dec);
    free(data);
    return rc;
}

/*
 * Golden output: each fixture in each look and colour depth, byte for byte,
 * against tests/data/golden/. After a deliberate change of the look,
 * regenerate them with
 *     make unit && SK_GOLDEN_UPDATE=1 build/asan/tests/test_render
 * and look at them (cat tests/data/golden/NAME.ans in a true-colour terminal).
 */
static void test_golden(void)
{
    static const char *const fixtures[] = {"bios-720x400.jpg", "testsrc-320x240.mjpeg"};
    static const struct {
        const char *name;
        const char *mode;
        const char *colors;
    } looks[] = {
        {"art16", "art", "16"},   {"art256", "art", "256"},   {"art24", "art", "24bit"},
        {"half16", "half", "16"}, {"half256", "half", "256"}, {"half24", "half", "24bit"},
    };
    int update = getenv("SK_GOLDEN_UPDATE") != NULL;
    struct sk_render *r = sk_render_new();
    struct sk_image img = {0};
    struct sk_buf out = {0};
    for (size_t f = 0; f < SK_ARRAY_LEN(fixtures); f++) {
        for (size_t l = 0; l < SK_ARRAY_LEN(looks); l++) {
            struct sk_render_opts o;
            char err[160];
            sk_render_opts_default(&o);
            CHECK_EQ_INT(sk_render_opts_set(&o, "mode", looks[l].mode, err, sizeof(err)), 0);
            CHECK_EQ_INT(sk_render_opts_set(&o, "colors", looks[l].colors, err, sizeof(err)), 0);
            sk_render_set_opts(r, &o);
            /* Decoded as the console would, at the size this look wants. */
            CHECK_EQ_INT(load_fixture(fixtures[f], &o, 80, 24, &img), 0);
            sk_buf_reset(&out);
            CHECK_EQ_INT(sk_render_ansi(r, &img, 80, 24, 0, &out), 0);
            char path[512];
            char base[64];
            snprintf(base, sizeof(base), "%.*s", (int)strcspn(fixtures[f], "-"), fixtures[f]);
            snprintf(path, sizeof(path), "%s/golden/%s-%s.ans", sk_test_data(), base,
                     looks[l].name);
            if (update) {
                FILE *w = fopen(path, "wb");
                CHECK(w != NULL);
                if (w != NULL) {
                    fwrite(out.data, 1, out.len, w);
                    fclose(w);
                }
                continue;
            }
            size_t len = 0;
            uint8_t *want = slurp(path, &len);
            CHECK(want != NULL);
            if (want != NULL && (len != out.len || memcmp(want, out.data, len) != 0)) {
                fprintf(stderr, "  %s differs (%zu bytes, golden %zu)\n", path, out.len, len);
                CHECK(0);
            }
            free(want);
        }
    }
    sk_buf_free(&out);
    sk_image_free(&img);
    sk_render_free(r);
}

static int place_is(const struct sk_grid_place *p, unsigned col, unsigned row, unsigned cols,
                    unsigned rows, unsigned cell_w, unsigned cell_h, unsigned screen_w,
                    unsigned screen_h)
{
    return p->col == col && p->row == row && p->cols == cols && p->rows == rows &&
           p->cell_w == cell_w && p->cell_h == cell_h && p->screen_w == screen_w &&
           p->screen_h == screen_h;
}

/*
 * Every grid says where it drew the screen, for the mouse: the text view
 * its character grid (the demo's 80x25 9x16), at the top-left when the
 * terminal fits it exactly and centred when bigger, whatever size the
 * frame was stretched to; the picture views, and the text view when it
 * shows art, the fitted picture.
 */
/* A renderer in the text view (*o its options), and the demo's screen drawn into img. */
static struct sk_render *demo_text_view(struct sk_demo *demo, struct sk_image *img,
                                        struct sk_render_opts *o)
{
    sk_demo_render(demo, 0, img);
    struct sk_render *r = sk_render_new();
    sk_render_opts_default(o);
    o->mode = SK_RENDER_TEXT;
    sk_render_set_opts(r, o);
    return r;
}

static void test_places(void)
{
    struct sk_demo *demo = sk_demo_new();
    struct sk_image img = {0};
    struct sk_render_opts o;
    struct sk_render *r = demo_text_view(demo, &img, &o);
    struct sk_grid g = {0};

    CHECK_EQ_INT(sk_render_grid(r, &img, 80, 25, &g), 0);
    CHECK(g.text);
    CHECK(place_is(&g.place, 0, 0, 80, 25, 9, 16, 720, 400));
    CHECK_EQ_INT(sk_render_grid(r, &img, 120, 40, &g), 0);
    CHECK(g.text);
    CHECK(place_is(&g.place, 20, 7, 80, 25, 9, 16, 720, 400));
    CHECK_EQ_INT(sk_render_grid(r, &img, 81, 26, &g), 0);
    CHECK(place_is(&g.place, 0, 0, 80, 25, 9, 16, 720, 400));

    /* Smaller than the text screen: art, fitted (720x400 in 80x24: 80x22 from row 1). */
    CHECK_EQ_INT(sk_render_grid(r, &img, 80, 24, &g), 0);
    CHECK(!g.text);
    CHECK(g.note != NULL);
    CHECK(place_is(&g.place, 0, 1, 80, 22, 1, 1, 80, 22));
    CHECK_EQ_INT(sk_render_grid(r, &img, 79, 30, &g), 0);
    CHECK(!g.text);
    CHECK(place_is(&g.place, 0, 4, 79, 22, 1, 1, 79, 22));

    /* The same mode stretched over a 1280x720 frame: the same character cells. */
    struct sk_image big = {0};
    sk_image_resize(&big, 1280, 720);
    for (unsigned y = 0; y < 720; y++) {
        for (unsigned x = 0; x < 1280; x++) {
            memcpy(big.pixels + y * big.pitch + x * 3,
                   img.pixels + (y * 400 / 720) * img.pitch + (x * 720 / 1280) * 3, 3);
        }
    }
    CHECK_EQ_INT(sk_render_grid(r, &big, 100, 30, &g), 0);
    CHECK(g.text);
    CHECK(place_is(&g.place, 10, 2, 80, 25, 9, 16, 720, 400));

    /* A picture that is not text: the text view shows it as art, fitted (120x33 from row 3). */
    struct sk_image grey = {0};
    solid(&grey, 720, 400, 128, 128, 128);
    CHECK_EQ_INT(sk_render_grid(r, &grey, 120, 40, &g), 0);
    CHECK(!g.text);
    CHECK(place_is(&g.place, 0, 3, 120, 33, 1, 1, 120, 33));

    /* auto shows the text screen as text; art and half blocks place the picture. */
    o.mode = SK_RENDER_AUTO;
    sk_render_set_opts(r, &o);
    CHECK_EQ_INT(sk_render_grid(r, &img, 120, 40, &g), 0);
    CHECK(g.text);
    CHECK(place_is(&g.place, 20, 7, 80, 25, 9, 16, 720, 400));
    for (int m = SK_RENDER_ART; m <= SK_RENDER_HALF; m++) {
        o.mode = (enum sk_render_mode)m;
        sk_render_set_opts(r, &o);
        CHECK_EQ_INT(sk_render_grid(r, &img, 120, 40, &g), 0);
        CHECK(place_is(&g.place, 0, 3, 120, 33, 1, 1, 120, 33));
    }
    /* No size, no place. */
    CHECK_EQ_INT(sk_render_grid(r, &img, 0, 0, &g), 0);
    CHECK_EQ_INT(g.place.cols, 0);

    sk_grid_free(&g);
    sk_image_free(&big);
    sk_image_free(&grey);
    sk_image_free(&img);
    sk_render_free(r);
    sk_demo_free(demo);
}

/*
 * The text view's colours: the demo's BIOS title bar (white on blue) as the
 * terminal's own 16, as xterm's nearest 256 (blue 0000aa is 19, 0000af;
 * white 231) and as the exact RGB; the same screen in xterm's own 16
 * colours (not the VGA's) shows the colours measured: the paper exactly
 * on a lossless picture.
 */
static void test_text_colours(void)
{
    struct sk_demo *demo = sk_demo_new();
    struct sk_image img = {0};
    struct sk_render_opts o;
    struct sk_render *r = demo_text_view(demo, &img, &o);
    struct sk_grid g = {0};
    static const struct {
        int colors;
        uint32_t fg, bg;
    } want[] = {
        {16, 15, 4},
        {256, 231, 19},
        {24, SK_COLOR_RGB | 0xFFFFFF, SK_COLOR_RGB | 0x0000AA},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        o.colors = want[i].colors;
        sk_render_set_opts(r, &o);
        CHECK_EQ_INT(sk_render_grid(r, &img, 80, 25, &g), 0);
        CHECK(g.text);
        const struct sk_cell *c = &g.cells[13]; /* the 's' of the title's "sshkvm" */
        CHECK_EQ_INT(c->ch, 's');
        CHECK_EQ_INT(c->fg, want[i].fg);
        CHECK_EQ_INT(c->bg, want[i].bg);
    }
    /* xterm's colours for the VGA's: blue 0000ee, white ffffff, light grey e5e5e5. */
    ts_recolour(&img, ts_xterm16);
    o.colors = 24;
    sk_render_set_opts(r, &o);
    CHECK_EQ_INT(sk_render_grid(r, &img, 80, 25, &g), 0);
    CHECK(g.text);
    CHECK_EQ_INT(g.cells[13].ch, 's');
    /* The ink's colour is measured from its share of the cell: within a few steps. */
    uint32_t fg = g.cells[13].fg;
    CHECK((fg & SK_COLOR_RGB) && (fg >> 16 & 0xFF) >= 0xF8 && (fg >> 8 & 0xFF) >= 0xF8 &&
          (fg & 0xFF) >= 0xF8);
    CHECK_EQ_INT(g.cells[13].bg, SK_COLOR_RGB | 0x0000EE);
    CHECK_EQ_INT(g.cells[10 * 80 + 2].bg, SK_COLOR_RGB | 0xE5E5E5); /* the body, inside the box */
    sk_grid_free(&g);
    sk_render_free(r);
    sk_image_free(&img);
    sk_demo_free(demo);
}

/* tests/data/text's file scaled to 1920x1080, through JPEG q75. */
static void load_1080(const char *file, struct sk_image *out)
{
    const char *dir = sk_test_data();
    char path[512];
    snprintf(path, sizeof(path), "%s/text/%s", dir, file);
    struct sk_image img = {0}, big = {0};
    CHECK_EQ_INT(ts_load_ppm_gz(path, &img), 0);
    ts_scale(&img, 1920, 1080, &big);
    CHECK_EQ_INT(ts_jpeg(&big, 75, out), 0);
    sk_image_free(&img);
    sk_image_free(&big);
}

/*
 * Renderers given the server's textshare (every view and command is one):
 * the first to read a text screen searches for it and puts what it found;
 * a new renderer's first read starts from that and is not searched, with
 * the same reading. A renderer whose last read was text keeps its own
 * geometry when another is put; a new one takes the newest. Without a
 * share, each searches on its own.
 */
static void test_text_share(void)
{
    struct sk_image grub = {0}, bios = {0};
    load_1080("grub-terminus20.ppm.gz", &grub);
    load_1080("seabios.ppm.gz", &bios);
    struct sk_textshare *share = sk_textshare_new();
    struct sk_render *a = sk_render_new(), *b = sk_render_new(), *c = sk_render_new();
    struct sk_render *alone = sk_render_new();
    sk_render_set_text_share(a, share);
    sk_render_set_text_share(b, share);
    sk_render_set_text_share(c, share);
    struct sk_textrec_hint h;
    struct sk_textrec_result ra, rb, rc;
    CHECK_EQ_INT(sk_textshare_get(share, sk_now_us(), &h), 0);
    CHECK_EQ_INT(sk_render_read_text(a, &grub, &ra), 0);
    CHECK(ra.is_text);
    CHECK_EQ_INT(ra.searched, 1);
    CHECK_EQ_INT(sk_textshare_get(share, sk_now_us(), &h), 1);
    CHECK_EQ_INT(sk_render_read_text(b, &grub, &rb), 0);
    CHECK(rb.is_text);
    CHECK_EQ_INT(rb.searched, 0);
    CHECK_STR(rb.mode, ra.mode);
    CHECK_EQ_INT(rb.cols, ra.cols);
    CHECK_EQ_INT(rb.rows, ra.rows);
    CHECK(memcmp(ra.cells, rb.cells, (size_t)ra.cols * ra.rows * sizeof(*ra.cells)) == 0);
    /* Read again unsearched: nothing new is put. */
    CHECK_EQ_INT(sk_render_read_text(a, &grub, &ra), 0);
    CHECK_EQ_INT(ra.searched, 0);
    CHECK_EQ_INT(sk_textshare_get(share, sk_now_us(), &h), 1);
    /* The screen changes to a VGA one: a searches again, and puts it. */
    CHECK_EQ_INT(sk_render_read_text(a, &bios, &ra), 0);
    CHECK(ra.is_text);
    CHECK_EQ_INT(ra.searched, 1);
    CHECK_EQ_INT(sk_textshare_get(share, sk_now_us(), &h), 2);
    /* b read text last: it keeps GRUB's grid, and still reads GRUB's screen unsearched. */
    CHECK_EQ_INT(sk_render_read_text(b, &grub, &rb), 0);
    CHECK_EQ_INT(rb.searched, 0);
    /* A new reader starts from the newest: the VGA mode. */
    CHECK_EQ_INT(sk_render_read_text(c, &bios, &rc), 0);
    CHECK(rc.is_text);
    CHECK_EQ_INT(rc.searched, 0);
    CHECK_STR(rc.mode, ra.mode);
    CHECK_EQ_INT(sk_render_read_text(alone, &bios, &rc), 0);
    CHECK_EQ_INT(rc.searched, 1);
    /* A picture that is not text, searched: nothing is handed out until text is found again. */
    struct sk_image noise = {0};
    sk_image_resize(&noise, 1920, 1080);
    for (size_t i = 0; i < (size_t)noise.pitch * noise.height; i++) {
        noise.pixels[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    struct sk_render *d = sk_render_new(), *e = sk_render_new();
    sk_render_set_text_share(d, share);
    sk_render_set_text_share(e, share);
    CHECK_EQ_INT(sk_render_read_text(d, &noise, &rc), 0);
    CHECK(!rc.is_text);
    CHECK_EQ_INT(rc.searched, 1);
    CHECK_EQ_INT(sk_textshare_get(share, sk_now_us(), &h), 2);
    CHECK_EQ_INT(h.kind, 0);
    CHECK_EQ_INT(sk_render_read_text(e, &bios, &rc), 0);
    CHECK(rc.is_text);
    CHECK_EQ_INT(rc.searched, 1);
    sk_render_free(d);
    sk_render_free(e);
    sk_image_free(&noise);
    sk_render_free(a);
    sk_render_free(b);
    sk_render_free(c);
    sk_render_free(alone);
    sk_textshare_free(share);
    sk_image_free(&grub);
    sk_image_free(&bios);
}

/*
 * A renderer freed gives its recogniser to the share, and the next
 * renderer taught the same fonts reads with it: its geometry forgotten, so
 * a picture that the share's geometry does not read is searched as by a
 * new one, with the same reading. Renderers taught other fonts make their
 * own. The share keeps SK_TEXTSHARE_IDLE, the newest, and frees them with
 * itself (ASan sees a leak or a double free).
 */
static void test_text_share_idle(void)
{
    struct sk_image grub = {0}, bios = {0};
    load_1080("grub-terminus20.ppm.gz", &grub);
    load_1080("seabios.ppm.gz", &bios);
    struct sk_textshare *share = sk_textshare_new();
    const struct sk_textshare_fonts none = {NULL, 0, NULL};
    CHECK(sk_textshare_take(share, &none) == NULL);
    struct sk_render *alone = sk_render_new(), *a = sk_render_new();
    struct sk_textrec_result ref, r;
    CHECK_EQ_INT(sk_render_read_text(alone, &bios, &ref), 0);
    CHECK(ref.is_text);
    sk_render_set_text_share(a, share);
    CHECK_EQ_INT(sk_render_read_text(a, &grub, &r), 0);
    CHECK(r.is_text);
    sk_render_free(a);
    /* The next renderer takes a's recogniser: grub's grid does not read the BIOS, so it searches.
     */
    struct sk_render *b = sk_render_new();
    sk_render_set_text_share(b, share);
    CHECK_EQ_INT(sk_render_read_text(b, &bios, &r), 0);
    CHECK(r.is_text);
    CHECK_EQ_INT(r.searched, 1);
    CHECK_STR(r.mode, ref.mode);
    CHECK(r.misfit == ref.misfit);
    CHECK(memcmp(r.cells, ref.cells, (size_t)r.cols * r.rows * sizeof(*r.cells)) == 0);
    CHECK(sk_textshare_take(share, &none) == NULL); /* b holds the only one */
    sk_render_free(b);
    /* Kept for renderers taught the same fonts only. */
    static const char rom[1]; /* a --text-font font's place: only its address counts */
    const struct sk_textshare_fonts other = {rom, 1, NULL};
    CHECK(sk_textshare_take(share, &other) == NULL);
    struct sk_textrec *tr = sk_textshare_take(share, &none);
    CHECK(tr != NULL);
    struct sk_textrec_hint h;
    CHECK_EQ_INT(sk_textrec_hint(tr, &h), -1); /* forgotten */
    /* Three given back: the two newest are kept. */
    struct sk_textrec *more[2] = {sk_textrec_new(), sk_textrec_new()};
    sk_textshare_give(share, tr, &none);
    sk_textshare_give(share, more[0], &none);
    sk_textshare_give(share, more[1], &none);
    CHECK(sk_textshare_take(share, &none) == more[1]);
    CHECK(sk_textshare_take(share, &none) == more[0]);
    CHECK(sk_textshare_take(share, &none) == NULL);
    sk_textshare_give(share, more[0], &none);
    sk_textshare_give(share, more[1], &other);
    sk_render_free(alone);
    sk_textshare_free(share); /* frees the two kept */
    sk_image_free(&grub);
    sk_image_free(&bios);
}

/*
 * The share hands a geometry out while a reader has read text in it within
 * SK_TEXTSHARE_FRESH_US (a put, or a confirmation of the same geometry;
 * another's confirmation does not count), and not after a search found no
 * text; it counts the searches and the geometries found.
 */
static void test_text_share_fresh(void)
{
    struct sk_textshare *s = sk_textshare_new();
    struct sk_textrec_hint a = {.kind = 1, .index = 0, .frame_w = 720, .frame_h = 400};
    struct sk_textrec_hint b = a, h;
    b.index = 1;
    const int64_t t0 = 1000000, fresh = SK_TEXTSHARE_FRESH_US;
    CHECK_EQ_INT(sk_textshare_get(s, t0, &h), 0);
    CHECK_EQ_INT(h.kind, 0);
    CHECK_EQ_INT(sk_textshare_put(s, &a, t0), 1);
    CHECK_EQ_INT(sk_textshare_get(s, t0 + fresh, &h), 1);
    CHECK_EQ_INT(h.kind, 1);
    CHECK_EQ_INT(h.index, 0);
    CHECK_EQ_INT(sk_textshare_get(s, t0 + fresh + 1, &h), 1);
    CHECK_EQ_INT(h.kind, 0);
    sk_textshare_confirm(s, &b, t0 + fresh); /* not the geometry shared */
    sk_textshare_get(s, t0 + fresh + 1, &h);
    CHECK_EQ_INT(h.kind, 0);
    sk_textshare_confirm(s, &a, t0 + fresh);
    sk_textshare_get(s, t0 + 2 * fresh, &h);
    CHECK_EQ_INT(h.kind, 1);
    sk_textshare_count_search(s, 1);
    sk_textshare_get(s, t0 + 2 * fresh, &h);
    CHECK_EQ_INT(h.kind, 1);
    sk_textshare_count_search(s, 0);
    sk_textshare_get(s, t0 + 2 * fresh, &h);
    CHECK_EQ_INT(h.kind, 0);
    sk_textshare_confirm(s, &a, t0 + 2 * fresh); /* gone: not brought back */
    sk_textshare_get(s, t0 + 2 * fresh, &h);
    CHECK_EQ_INT(h.kind, 0);
    unsigned long searches, found;
    sk_textshare_stats(s, &searches, &found);
    CHECK_EQ_INT(searches, 2);
    CHECK_EQ_INT(found, 1);
    sk_textshare_free(s);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_wanted_size);
    SK_RUN(test_fixture_80x24);
    SK_RUN(test_letterbox);
    SK_RUN(test_colours);
    SK_RUN(test_places);
    SK_RUN(test_text_colours);
    SK_RUN(test_text_share);
    SK_RUN(test_text_share_idle);
    SK_RUN(test_text_share_fresh);
    SK_RUN(test_golden);
    return SK_CHECK_EXIT();
}

/*
 * test_gridfind: the grid finder finds cells of any size at any origin.
 *
 * Synthetic text screens: lines of words (some lines empty, some short)
 * drawn with the built-in 8x8, 8x14 and 8x16 fonts, either padded into a
 * bigger cell (9x16 as VGA draws, 8x19 as EDK2 draws) or stretched to it
 * (10x18, 12x24, 16x32 as Terminus and GRUB fonts come), placed at an
 * origin inside a bigger frame (UEFI setup centring 80x25 in the GOP mode,
 * fbcon's leftover margin), then stretched by a non-integer factor to
 * 1280x720 or 1920x1080 as a dongle does, and passed through JPEG at
 * quality 75. The finder must give the cell's size in frame pixels to 1%,
 * the origin to within a native pixel across and two down (glyphs of
 * another font leave other rows blank: the recogniser settles the phase by
 * fitting glyphs), and the text's extent; on a screen of two lines, the
 * cell's width, and no false height; on a screen of six lines at the top
 * (a shell's banner), the height to a twelfth of a pixel; and refuse pictures with no grid (a
 * gradient, noise).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "text/font8x16.h"
#include "text/fonts.h"
#include "text/gridfind.h"

struct layout {
    unsigned cw, ch;     /* the cell, native pixels */
    unsigned gh;         /* the font's height: 8, 14 or 16 */
    int padded;          /* glyph drawn at its own size in the cell's top left, else stretched */
    unsigned nw, nh;     /* the native frame */
    unsigned ox, oy;     /* the grid's origin in it */
    unsigned cols, rows; /* the grid */
    unsigned tw, th;     /* stretched to this (0: not) */
    int sparse;          /* 1: two lines of text (a login prompt), 2: the first six (a shell's
                          * banner), the rest blank; 0: lines all down the screen */
};

static const uint8_t *glyph(unsigned gh, uint8_t c)
{
    return gh == 8 ? sk_font8x8[c] : gh == 14 ? sk_font8x14[c] : sk_font8x16[c];
}

static const char *const words[] = {
    "Boot",   "Manager", "Device",   "Setup",  "login:",  "Select", "Language", "English",
    "Secure", "Reset",   "Continue", "[ OK ]", "Started", "kernel", "0x7F3A",   "Press",
    "ESC",    "F10",     "Save",     "Exit",   "debian",  "GRUB",   "version",  "2.06",
};

static void set_px(struct sk_image *img, unsigned x, unsigned y, const uint8_t rgb[3])
{
    memcpy(img->pixels + (size_t)y * img->pitch + 3 * x, rgb, 3);
}

/* Draw l's screen: words on a backdrop; seed picks the text. */
static void draw(const struct layout *l, unsigned seed, struct sk_image *img)
{
    /* Ink on paper in the grid, black around it; a shell's banner is grey on black. */
    static const uint8_t margin[3] = {0, 0, 0}, paper[3] = {0, 0, 170};
    const uint8_t v = l->sparse == 2 ? 170 : 255, ink[3] = {v, v, v};
    sk_image_resize(img, l->nw, l->nh);
    for (unsigned y = 0; y < l->nh; y++) {
        for (unsigned x = 0; x < l->nw; x++) {
            int in = x >= l->ox && x < l->ox + l->cols * l->cw && y >= l->oy &&
                     y < l->oy + l->rows * l->ch;
            set_px(img, x, y, in && l->sparse != 2 ? paper : margin);
        }
    }
    srand(seed);
    for (unsigned r = 0; r < l->rows; r++) {
        if (l->sparse == 1 ? r != 0 && r != 2 : l->sparse == 2 ? r >= 6 : rand() % 4 == 0) {
            continue; /* an empty line */
        }
        unsigned c = (unsigned)(rand() % 6), end = l->cols - (unsigned)(rand() % (l->cols / 2));
        while (c < end) {
            const char *w = words[rand() % (sizeof(words) / sizeof(words[0]))];
            for (; *w && c < end; w++, c++) {
                const uint8_t *g = glyph(l->gh, (uint8_t)*w);
                unsigned gw = l->padded ? 8 : l->cw, gh = l->padded ? l->gh : l->ch;
                unsigned top = l->padded && l->ch > l->gh ? (l->ch - l->gh) / 2 : 0;
                for (unsigned y = 0; y < gh && top + y < l->ch; y++) {
                    for (unsigned x = 0; x < gw && x < l->cw; x++) {
                        unsigned fy = y * l->gh / gh, fx = x * 8 / gw;
                        /* a narrow cell still leaves its last column blank */
                        if ((gw >= 8 || x + 1 < gw) && (g[fy] & (0x80 >> fx))) {
                            set_px(img, l->ox + c * l->cw + x, l->oy + r * l->ch + top + y, ink);
                        }
                    }
                }
            }
            c++;
        }
    }
}

/* Whether a found origin (frame pixels) is within tol of the true one, modulo the pitch. */
static int near_phase(double found, double truth, double pitch, double tol)
{
    double d = fmod(fabs(found - truth), pitch);
    return d <= tol || pitch - d <= tol;
}

static void check_layout(struct sk_gridfind *gf, const struct layout *l)
{
    struct sk_image native = {0}, big = {0}, jpg = {0};
    draw(l, l->cw * 131 + l->ch, &native);
    const struct sk_image *src = &native;
    double sx = 1, sy = 1;
    if (l->tw) {
        ts_scale(&native, l->tw, l->th, &big);
        src = &big;
        sx = (double)l->tw / l->nw;
        sy = (double)l->th / l->nh;
    }
    CHECK_EQ_INT(ts_jpeg(src, 75, &jpg), 0);
    struct sk_grid g;
    CHECK_EQ_INT(sk_gridfind_run(gf, &jpg, &g), 0);
    double pw = l->cw * sx, ph = l->ch * sy;
    if (l->sparse == 1) {
        /*
         * Two lines repeat nothing down the screen: the rows' pitch is not
         * to be had from them, and the finder must say so (or be right).
         * Across, each line is dozens of cells.
         */
        CHECK(fabs(g.x.pitch - pw) <= 0.01 * pw);
        CHECK(!g.found || fabs(g.y.pitch - ph) <= 0.01 * ph);
        goto done;
    }
    /*
     * Six lines at the top must give the rows' pitch finely enough that
     * the sixth is still within half a native pixel of its place (a third
     * of a pixel off put the UEFI shell's first line half a glyph out).
     */
    double tol_y = l->sparse == 2 ? 0.5 * sy / 6 : 0.01 * ph;
    int ok = g.found && fabs(g.x.pitch - pw) <= 0.01 * pw && fabs(g.y.pitch - ph) <= tol_y &&
             near_phase(g.x.origin, l->ox * sx, pw, sx + 0.5) &&
             near_phase(g.y.origin, l->oy * sy, ph, 2 * sy + 0.5);
    if (!ok) {
        fprintf(
            stderr,
            "  %ux%u cells at (%u,%u) in %ux%u -> %ux%u: want pitch %.2f x %.2f origin %.2f,%.2f;"
            " found %d pitch %.2f x %.2f origin %.2f,%.2f strength %.2f,%.2f\n",
            l->cw, l->ch, l->ox, l->oy, l->nw, l->nh, l->tw, l->th, pw, ph, l->ox * sx, l->oy * sy,
            g.found, g.x.pitch, g.y.pitch, g.x.origin, g.y.origin, g.x.strength, g.y.strength);
    }
    CHECK(ok);
    if (ok) {
        /* The text's extent: within the grid, and starting at or after its origin. */
        double x0 = g.x.origin + g.x.first * g.x.pitch, y0 = g.y.origin + g.y.first * g.y.pitch;
        CHECK(x0 >= l->ox * sx - pw && y0 >= l->oy * sy - ph);
        CHECK(g.x.last < g.x.count && g.y.last < g.y.count);
        CHECK(g.x.origin + (g.x.last + 1) * g.x.pitch <= (l->ox + l->cols * l->cw) * sx + pw);
    }
done:
    sk_image_free(&native);
    sk_image_free(&big);
    sk_image_free(&jpg);
}

static const struct layout layouts[] = {
    /* VGA text modes, as captured and as a dongle stretches them */
    {9, 16, 16, 1, 720, 400, 0, 0, 80, 25, 0, 0, 0},
    {9, 16, 16, 1, 720, 400, 0, 0, 80, 25, 1280, 720, 0},
    {9, 16, 16, 1, 720, 400, 0, 0, 80, 25, 1920, 1080, 0},
    {8, 16, 16, 1, 640, 480, 0, 0, 80, 30, 0, 0, 0},
    {9, 8, 8, 1, 720, 400, 0, 0, 80, 50, 0, 0, 0},
    {9, 8, 8, 1, 720, 400, 0, 0, 80, 50, 1920, 1080, 0},
    {8, 14, 14, 1, 640, 350, 0, 0, 80, 25, 0, 0, 0},
    {8, 8, 8, 1, 640, 350, 0, 0, 80, 43, 1280, 720, 0},
    /* EDK2's 8x19 cells, 80x25 centred in the GOP mode */
    {8, 19, 16, 1, 800, 600, 80, 62, 80, 25, 0, 0, 0},
    {8, 19, 16, 1, 1024, 768, 192, 146, 80, 25, 0, 0, 0},
    {8, 19, 16, 1, 1024, 768, 192, 146, 80, 25, 1920, 1080, 0},
    {8, 19, 16, 1, 640, 480, 0, 2, 80, 25, 1280, 720, 0},
    /* fbcon and GRUB: the panel's own size, a margin left over */
    {8, 16, 16, 1, 1920, 1080, 0, 0, 240, 67, 0, 0, 0},
    {8, 16, 16, 1, 1024, 768, 0, 0, 128, 48, 1280, 720, 0},
    {8, 16, 16, 1, 800, 600, 0, 0, 100, 37, 1280, 720, 0},
    {10, 18, 14, 0, 1280, 800, 0, 4, 128, 44, 1920, 1080, 0},
    {10, 20, 16, 0, 1280, 800, 0, 0, 128, 40, 0, 0, 0},
    {12, 24, 16, 0, 1920, 1080, 0, 12, 160, 44, 0, 0, 0},
    {16, 32, 16, 0, 1920, 1080, 0, 12, 120, 33, 0, 0, 0},
    {6, 12, 8, 0, 640, 480, 20, 0, 100, 40, 0, 0, 0},
    {7, 14, 14, 0, 800, 600, 43, 27, 100, 40, 1280, 720, 0},
    /* sparse: a login prompt */
    {9, 16, 16, 1, 720, 400, 0, 0, 80, 25, 0, 0, 1},
    {8, 16, 16, 1, 1024, 768, 0, 0, 128, 48, 1920, 1080, 1},
    {8, 19, 16, 1, 1024, 768, 192, 146, 80, 25, 0, 0, 1},
    /* sparse: the UEFI shell's banner, fbcon's first lines after a clear */
    {8, 19, 16, 1, 800, 600, 0, 5, 100, 31, 0, 0, 2},
    {8, 19, 16, 1, 1024, 768, 112, 89, 100, 31, 0, 0, 2},
    {8, 19, 16, 1, 800, 600, 0, 5, 100, 31, 1920, 1080, 2},
    {8, 16, 16, 1, 1920, 1080, 0, 0, 240, 67, 0, 0, 2},
    {8, 16, 16, 1, 1024, 768, 0, 0, 128, 48, 1280, 720, 2},
};

static void test_geometries(void)
{
    struct sk_gridfind *gf = sk_gridfind_new();
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        check_layout(gf, &layouts[i]);
    }
    sk_gridfind_free(gf);
}

/* A gradient with soft blobs (photo-like) and noise have no grid. */
static void test_no_grid(void)
{
    struct sk_gridfind *gf = sk_gridfind_new();
    struct sk_image img = {0}, jpg = {0};
    sk_image_resize(&img, 1280, 720);
    srand(7);
    for (unsigned y = 0; y < img.height; y++) {
        for (unsigned x = 0; x < img.width; x++) {
            uint8_t *p = img.pixels + (size_t)y * img.pitch + 3 * x;
            double v = 128 + 90 * sin(x / 97.0) * cos(y / 53.0);
            p[0] = (uint8_t)v;
            p[1] = (uint8_t)(255 - v);
            p[2] = (uint8_t)((x + y) / 8);
        }
    }
    CHECK_EQ_INT(ts_jpeg(&img, 75, &jpg), 0);
    struct sk_grid g;
    CHECK_EQ_INT(sk_gridfind_run(gf, &jpg, &g), 0);
    CHECK_EQ_INT(g.found, 0);
    for (unsigned y = 0; y < img.height; y++) {
        for (unsigned x = 0; x < img.width * 3; x++) {
            img.pixels[(size_t)y * img.pitch + x] = (uint8_t)rand();
        }
    }
    CHECK_EQ_INT(sk_gridfind_run(gf, &img, &g), 0);
    CHECK_EQ_INT(g.found, 0);
    sk_image_resize(&img, 8, 8);
    CHECK_EQ_INT(sk_gridfind_run(gf, &img, &g), -1);
    sk_image_free(&img);
    sk_image_free(&jpg);
    sk_gridfind_free(gf);
}

int main(void)
{
    SK_RUN(test_geometries);
    SK_RUN(test_no_grid);
    return SK_CHECK_EXIT();
}

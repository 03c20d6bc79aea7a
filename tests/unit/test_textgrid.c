/*
 * test_textgrid: the recogniser reads grids no known mode describes.
 *
 * Screens of the kind UEFI firmware and consoles draw in a graphics mode:
 * EDK2's setup page, 80x25 cells of 8x19 centred in a 1024x768 or 800x600
 * GOP mode; a console of 9x14 cells with a margin; a GRUB-like menu of
 * 8x16 cells centred in 1024x768; each drawn with the built-in fonts in
 * VGA colours, as captured (lossless), through JPEG q75, and stretched to
 * 1920x1080 by a dongle. The recogniser is given no geometry and no font
 * option: it finds the grid in the picture (gridfind), tries the cell
 * shapes on it, and must read the characters and colours back, keep the
 * geometry for the next picture, and still refuse a picture with no text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "text/font8x16.h"
#include "text/fonts.h"
#include "text/textrec.h"
#include "text/vga.h"

struct screen {
    unsigned w, h;       /* the frame */
    unsigned ox, oy;     /* the grid's corner */
    unsigned cw, ch, fh; /* the cell, and the font's height drawn at its top + pad */
    unsigned pad;        /* rows above the glyph */
    unsigned cols, rows;
    uint8_t ch_at[50][100], fg[50][100], bg[50][100];
};

static const char *const lines[] = {
    "Device Manager",
    "Boot Manager",
    "Boot Maintenance Manager",
    "",
    "Continue",
    "Reset",
    "Select Language            <Standard English>",
    "This selection will take you to the Device Manager",
    "^v=Move Highlight       <Enter>=Select Entry      Esc=Exit",
    "UEFI QEMU DVD-ROM QM00003",
    "EFI Internal Shell",
    "Version 2.70  Copyright (c) 2019, Intel Corporation",
    "F9=Reset to Defaults      F10=Save",
};

static const uint8_t *glyph(unsigned fh, uint8_t c)
{
    return fh == 8 ? sk_font8x8[c] : fh == 14 ? sk_font8x14[c] : sk_font8x16[c];
}

/* Fill s's cells: a setup page, white and grey on blue, a highlighted entry, a title bar. */
static void compose(struct screen *s)
{
    for (unsigned r = 0; r < s->rows; r++) {
        for (unsigned c = 0; c < s->cols; c++) {
            s->ch_at[r][c] = ' ';
            s->fg[r][c] = SK_VGA_LIGHTGREY;
            s->bg[r][c] = r == 0 ? SK_VGA_LIGHTGREY : SK_VGA_BLUE;
        }
    }
    size_t nl = sizeof(lines) / sizeof(lines[0]);
    for (unsigned r = 0; r < s->rows; r++) {
        const char *t = r == 0 ? "Front Page" : lines[(r * 7) % nl];
        unsigned c0 = r == 0 ? s->cols / 2 - 5 : 2 + r % 3;
        for (unsigned i = 0; t[i] && c0 + i < s->cols; i++) {
            s->ch_at[r][c0 + i] = (uint8_t)t[i];
            s->fg[r][c0 + i] = r == 0 ? SK_VGA_BLACK : r % 5 == 0 ? SK_VGA_WHITE : SK_VGA_LIGHTGREY;
            if (r == 4) {
                s->fg[r][c0 + i] = SK_VGA_BLACK;
                s->bg[r][c0 + i] = SK_VGA_LIGHTGREY;
            }
        }
    }
}

static void draw(const struct screen *s, struct sk_image *img)
{
    sk_image_resize(img, s->w, s->h);
    memset(img->pixels, 0, (size_t)img->pitch * img->height);
    for (unsigned r = 0; r < s->rows; r++) {
        for (unsigned c = 0; c < s->cols; c++) {
            const uint8_t *g = glyph(s->fh, s->ch_at[r][c]);
            for (unsigned y = 0; y < s->ch; y++) {
                for (unsigned x = 0; x < s->cw; x++) {
                    int gy = (int)y - (int)s->pad;
                    int on = gy >= 0 && gy < (int)s->fh && x < 8 && (g[gy] & (0x80 >> x));
                    const uint8_t *rgb = sk_vga_palette[on ? s->fg[r][c] : s->bg[r][c]];
                    memcpy(img->pixels + (size_t)(s->oy + r * s->ch + y) * img->pitch +
                               3 * (s->ox + c * s->cw + x),
                           rgb, 3);
                }
            }
        }
    }
}

/* Share of s's cells the result reads right (character; and colours where there is ink). */
static double share_right(const struct screen *s, const struct sk_textrec_result *r,
                          unsigned *colour_wrong)
{
    /* The grid found may hold the screen's with a margin around it: find the offset. */
    unsigned best = 0;
    *colour_wrong = 0;
    for (unsigned oy = 0; oy + s->rows <= r->rows; oy++) {
        for (unsigned ox = 0; ox + s->cols <= r->cols; ox++) {
            unsigned right = 0, cw = 0;
            for (unsigned y = 0; y < s->rows; y++) {
                for (unsigned x = 0; x < s->cols; x++) {
                    const struct sk_textrec_cell *c = &r->cells[(oy + y) * r->cols + ox + x];
                    int blank = s->ch_at[y][x] == ' ';
                    int ok = blank ? c->ch == ' ' || c->ch == 0 || c->ch == 0xFF
                                   : c->ch == s->ch_at[y][x];
                    right += (unsigned)ok;
                    cw += (unsigned)(ok &&
                                     (c->bg != s->bg[y][x] || (!blank && c->fg != s->fg[y][x])));
                }
            }
            if (right > best) {
                best = right;
                *colour_wrong = cw;
            }
        }
    }
    return (double)best / (s->rows * s->cols);
}

static void check_screen(struct screen *s, double want_native, double want_big)
{
    compose(s);
    struct sk_image img = {0}, jpg = {0}, big = {0};
    draw(s, &img);
    struct sk_textrec *tr = sk_textrec_new();
    struct sk_textrec_result r;
    const char *what[3] = {"lossless", "q75", "1920x1080 q75"};
    for (int k = 0; k < 3; k++) {
        const struct sk_image *in = ts_capture(&img, k, &jpg, &big);
        CHECK(in != NULL);
        sk_textrec_forget(tr);
        CHECK_EQ_INT(sk_textrec_run(tr, in, &r), 0);
        unsigned cw = 0;
        double got = share_right(s, &r, &cw);
        double want = k == 2 ? want_big : want_native;
        fprintf(stderr,
                "  %ux%u cells of %ux%u at %u,%u in %ux%u, %s: %s, %s, %.2f%% right, %u colours "
                "wrong\n",
                s->cols, s->rows, s->cw, s->ch, s->ox, s->oy, s->w, s->h, what[k],
                r.is_text ? "text" : "NOT text", r.mode ? r.mode : "-", 100 * got, cw);
        CHECK(r.is_text);
        CHECK(got >= want);
        CHECK(cw <= (unsigned)(0.01 * s->rows * s->cols));
        if (k == 1) {
            /* The same picture again: the grid is kept, and read the same. */
            struct sk_textrec_result again;
            CHECK_EQ_INT(sk_textrec_run(tr, in, &again), 0);
            CHECK(again.is_text && again.mode && r.mode && !strcmp(again.mode, r.mode));
        }
    }
    /* A picture with no text after it: refused. */
    for (unsigned y = 0; y < img.height; y++) {
        for (unsigned x = 0; x < img.width; x++) {
            uint8_t *p = img.pixels + (size_t)y * img.pitch + 3 * x;
            p[0] = (uint8_t)(x * 255 / img.width);
            p[1] = (uint8_t)(y * 255 / img.height);
            p[2] = (uint8_t)((x ^ y) & 0x40 ? 200 : 40);
        }
    }
    sk_textrec_forget(tr);
    CHECK_EQ_INT(sk_textrec_run(tr, &img, &r), 0);
    CHECK(!r.is_text);
    sk_textrec_free(tr);
    sk_image_free(&img);
    sk_image_free(&jpg);
    sk_image_free(&big);
}

static void test_edk2_setup(void)
{
    static struct screen s;
    s = (struct screen){1024, 768, 192, 146, 8, 19, 16, 1, 80, 25, {{0}}, {{0}}, {{0}}};
    check_screen(&s, 0.999, 0.99);
    s = (struct screen){800, 600, 80, 62, 8, 19, 16, 2, 80, 25, {{0}}, {{0}}, {{0}}};
    check_screen(&s, 0.999, 0.99);
}

static void test_grub_centred(void)
{
    static struct screen s;
    s = (struct screen){1024, 768, 192, 184, 8, 16, 16, 0, 80, 25, {{0}}, {{0}}, {{0}}};
    check_screen(&s, 0.999, 0.99);
}

static void test_console_margin(void)
{
    static struct screen s;
    s = (struct screen){800, 600, 13, 20, 9, 14, 14, 0, 86, 40, {{0}}, {{0}}, {{0}}};
    /* Stretched 2.4 x 1.8: the 8x14 font's thin rows blur the most (97.6% today). */
    check_screen(&s, 0.999, 0.97);
}

int main(void)
{
    SK_RUN(test_edk2_setup);
    SK_RUN(test_grub_centred);
    SK_RUN(test_console_margin);
    return SK_CHECK_EXIT();
}

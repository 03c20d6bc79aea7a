/*
 * test_demo: the demo target's font, VGA renderer and public API.
 */
#include <stdlib.h>

#include "check.h"
#include "demo/demo.h"
#include "text/font8x16.h"
#include "demo/vgatext.h"
#include "video/image.h"

static void test_font_glyphs(void)
{
    /* 'A' as the IBM VGA ROM draws it. */
    static const uint8_t a[16] = {0x00, 0x00, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE,
                                  0xC6, 0xC6, 0xC6, 0xC6, 0x00, 0x00, 0x00, 0x00};
    CHECK_MEM(sk_font8x16[0x41], a, 16);
    /* 0xC4 is a horizontal line through row 7, 0xDB a full block, the space empty. */
    for (int y = 0; y < 16; y++) {
        CHECK_EQ_INT(sk_font8x16[0xC4][y], y == 7 ? 0xFF : 0x00);
        CHECK_EQ_INT(sk_font8x16[0xDB][y], 0xFF);
        CHECK_EQ_INT(sk_font8x16[0x20][y], 0x00);
    }
    /* 0xB3 is a vertical line in column 3 on every row. */
    for (int y = 0; y < 16; y++) {
        CHECK_EQ_INT(sk_font8x16[0xB3][y], 0x18);
    }
}

static void test_cp437_table(void)
{
    CHECK_EQ_INT(sk_cp437_unicode[0x00], 0x0020);
    CHECK_EQ_INT(sk_cp437_unicode[0x01], 0x263A);
    CHECK_EQ_INT(sk_cp437_unicode[0x41], 0x0041);
    CHECK_EQ_INT(sk_cp437_unicode[0x7F], 0x2302);
    CHECK_EQ_INT(sk_cp437_unicode[0x82], 0x00E9);
    CHECK_EQ_INT(sk_cp437_unicode[0xC4], 0x2500);
    CHECK_EQ_INT(sk_cp437_unicode[0xDB], 0x2588);
    CHECK_EQ_INT(sk_cp437_unicode[0xE1], 0x00DF);
    CHECK_EQ_INT(sk_cp437_unicode[0xFF], 0x00A0);
}

static const uint8_t *pixel(const struct sk_image *img, int x, int y)
{
    return img->pixels + (size_t)y * img->pitch + (size_t)x * 3;
}

static int is_color(const struct sk_image *img, int x, int y, int color)
{
    return memcmp(pixel(img, x, y), sk_vga_palette[color], 3) == 0;
}

static void blank(struct sk_textscreen *s)
{
    memset(s, 0, sizeof(*s));
    for (int r = 0; r < SK_TEXT_ROWS; r++) {
        for (int c = 0; c < SK_TEXT_COLS; c++) {
            s->cells[r][c] =
                (struct sk_textcell){.ch = ' ', .attr = SK_ATTR(SK_VGA_LIGHTGREY, SK_VGA_BLACK)};
        }
    }
}

static void test_vga_glyph(void)
{
    struct sk_textscreen *s = calloc(1, sizeof(*s));
    struct sk_image img = {0};
    blank(s);
    s->cells[2][3] = (struct sk_textcell){.ch = 'A', .attr = SK_ATTR(SK_VGA_YELLOW, SK_VGA_BLUE)};
    s->cells[5][10] = (struct sk_textcell){.ch = 0xC4, .attr = SK_ATTR(SK_VGA_WHITE, SK_VGA_RED)};
    sk_vgatext_render(s, 0, &img);
    CHECK_EQ_INT(img.width, 720);
    CHECK_EQ_INT(img.height, 400);
    CHECK_EQ_INT(img.pitch, 720 * 3);
    /* 'A' at column 3, row 2: pixels (27..35, 32..47), yellow where the glyph's bit is set, blue
     * elsewhere. */
    int bad = 0;
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 9; x++) {
            int on = x < 8 && (sk_font8x16['A'][y] & (0x80 >> x));
            bad += !is_color(&img, 27 + x, 32 + y, on ? SK_VGA_YELLOW : SK_VGA_BLUE);
        }
    }
    CHECK_EQ_INT(bad, 0);
    /* Row 7 of 'A' is 0xFE: seven yellow pixels, then blue in the eighth and ninth columns. */
    CHECK(is_color(&img, 27, 39, SK_VGA_YELLOW));
    CHECK(is_color(&img, 33, 39, SK_VGA_YELLOW));
    CHECK(is_color(&img, 34, 39, SK_VGA_BLUE));
    CHECK(is_color(&img, 35, 39, SK_VGA_BLUE));
    /* The line-drawing 0xC4 repeats its eighth column into the ninth, so lines join. */
    for (int x = 0; x < 9; x++) {
        CHECK(is_color(&img, 90 + x, 80 + 7, SK_VGA_WHITE));
        CHECK(is_color(&img, 90 + x, 80 + 6, SK_VGA_RED));
    }
    /* Neighbours untouched: black background. */
    CHECK(is_color(&img, 26, 32, SK_VGA_BLACK));
    CHECK(is_color(&img, 36, 47, SK_VGA_BLACK));
    sk_image_free(&img);
    free(s);
}

static void test_vga_cursor(void)
{
    struct sk_textscreen *s = calloc(1, sizeof(*s));
    struct sk_image img = {0};
    blank(s);
    s->cursor_visible = 1;
    s->cursor_col = 79;
    s->cursor_row = 24;
    int x0 = 79 * 9, y0 = 24 * 16;
    sk_vgatext_render(s, 1000, &img);
    for (int x = 0; x < 9; x++) {
        CHECK(is_color(&img, x0 + x, y0 + 14, SK_VGA_LIGHTGREY));
        CHECK(is_color(&img, x0 + x, y0 + 15, SK_VGA_LIGHTGREY));
        CHECK(is_color(&img, x0 + x, y0 + 13, SK_VGA_BLACK));
    }
    /* Half a period later the cursor is off. */
    sk_vgatext_render(s, 1000 + SK_VGA_BLINK_MS / 2, &img);
    CHECK(is_color(&img, x0, y0 + 14, SK_VGA_BLACK));
    CHECK(is_color(&img, x0 + 8, y0 + 15, SK_VGA_BLACK));
    s->cursor_visible = 0;
    sk_vgatext_render(s, 1000, &img);
    CHECK(is_color(&img, x0, y0 + 14, SK_VGA_BLACK));
    sk_image_free(&img);
    free(s);
}

static void test_demo_text_and_render(void)
{
    struct sk_demo *demo = sk_demo_new();
    char text[8192];
    size_t len = sk_demo_text(demo, text, sizeof(text));
    CHECK_EQ_INT(len, strlen(text));
    /* 25 lines, each 80 characters then a newline. */
    int lines = 0;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
    }
    CHECK_EQ_INT(lines, 25);
    CHECK(strstr(text, "Main") != NULL);
    CHECK(strstr(text, "System Name") != NULL);
    CHECK(strstr(text, "F10 Save & Exit") != NULL);
    /* The frame is CP437 line drawing, out as UTF-8: U+250C then U+2500. */
    CHECK(strstr(text, "\xE2\x94\x8C\xE2\x94\x80") != NULL);

    /* Truncation keeps whole characters and the NUL. */
    char small[100];
    size_t n = sk_demo_text(demo, small, sizeof(small));
    CHECK(n <= 99);
    CHECK_EQ_INT(n, strlen(small));
    CHECK_MEM(small, text, n);
    CHECK_EQ_INT(sk_demo_text(demo, small, 0), 0);

    struct sk_image img = {0};
    sk_demo_render(demo, 0, &img);
    CHECK_EQ_INT(img.width, SK_DEMO_WIDTH);
    CHECK_EQ_INT(img.height, SK_DEMO_HEIGHT);
    /* The title bar's top-left pixel is blue, the body's grey. */
    CHECK(is_color(&img, 0, 0, SK_VGA_BLUE));
    CHECK(is_color(&img, 20, 16 * 10 + 2, SK_VGA_LIGHTGREY));
    sk_image_free(&img);
    sk_demo_free(demo);
}

static void test_demo_leds_and_pointer(void)
{
    struct sk_demo *demo = sk_demo_new();
    CHECK_EQ_INT(sk_demo_leds(demo), 0);
    const uint8_t caps[8] = {0, 0, 0x39, 0, 0, 0, 0, 0};
    const uint8_t none[8] = {0};
    CHECK_EQ_INT(sk_demo_keyboard_report(demo, caps, 8), 0);
    CHECK_EQ_INT(sk_demo_keyboard_report(demo, none, 8), 0);
    CHECK_EQ_INT(sk_demo_leds(demo), SK_LED_CAPS);
    const uint8_t scroll[8] = {0, 0, 0x47, 0x53, 0, 0, 0, 0};
    CHECK_EQ_INT(sk_demo_keyboard_report(demo, scroll, 8), 0);
    CHECK_EQ_INT(sk_demo_leds(demo), SK_LED_CAPS | SK_LED_SCROLL | SK_LED_NUM);
    CHECK_EQ_INT(sk_demo_keyboard_report(demo, scroll, 7), -1);

    /* The pointer in the middle of the screen inverts cell (40, 12): grey background becomes blue.
     */
    struct sk_image img = {0};
    sk_demo_render(demo, 0, &img);
    CHECK(is_color(&img, 40 * 9, 12 * 16, SK_VGA_LIGHTGREY));
    const uint8_t mouse[6] = {0, 0x00, 0x40, 0x00, 0x40, 0};
    CHECK_EQ_INT(sk_demo_mouse_report(demo, mouse, 6), 0);
    CHECK_EQ_INT(sk_demo_mouse_report(demo, mouse, 4), -1);
    sk_demo_render(demo, 0, &img);
    CHECK(is_color(&img, 40 * 9, 12 * 16, SK_VGA_BLUE));
    CHECK(is_color(&img, 41 * 9, 12 * 16, SK_VGA_LIGHTGREY));
    sk_image_free(&img);
    sk_demo_free(demo);
}

int main(void)
{
    SK_RUN(test_font_glyphs);
    SK_RUN(test_cp437_table);
    SK_RUN(test_vga_glyph);
    SK_RUN(test_vga_cursor);
    SK_RUN(test_demo_text_and_render);
    SK_RUN(test_demo_leds_and_pointer);
    return SK_CHECK_EXIT();
}

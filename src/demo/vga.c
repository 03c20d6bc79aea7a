/*
 * vga: the text-mode renderer of the demo target's graphics card.
 *
 * Owns nothing: it reads a text screen and the font, and writes pixels
 * into the caller's image. Each cell is expanded glyph row by glyph row,
 * the way the VGA's attribute controller shifts the font out.
 */
#include "vga.h"

#include <string.h>

#include "font8x16.h"

const uint8_t sk_vga_palette[16][3] = {
    [SK_VGA_BLACK] = {0x00, 0x00, 0x00},      [SK_VGA_BLUE] = {0x00, 0x00, 0xAA},
    [SK_VGA_GREEN] = {0x00, 0xAA, 0x00},      [SK_VGA_CYAN] = {0x00, 0xAA, 0xAA},
    [SK_VGA_RED] = {0xAA, 0x00, 0x00},        [SK_VGA_MAGENTA] = {0xAA, 0x00, 0xAA},
    [SK_VGA_BROWN] = {0xAA, 0x55, 0x00},      [SK_VGA_LIGHTGREY] = {0xAA, 0xAA, 0xAA},
    [SK_VGA_DARKGREY] = {0x55, 0x55, 0x55},   [SK_VGA_LIGHTBLUE] = {0x55, 0x55, 0xFF},
    [SK_VGA_LIGHTGREEN] = {0x55, 0xFF, 0x55}, [SK_VGA_LIGHTCYAN] = {0x55, 0xFF, 0xFF},
    [SK_VGA_LIGHTRED] = {0xFF, 0x55, 0x55},   [SK_VGA_LIGHTMAGENTA] = {0xFF, 0x55, 0xFF},
    [SK_VGA_YELLOW] = {0xFF, 0xFF, 0x55},     [SK_VGA_WHITE] = {0xFF, 0xFF, 0xFF},
};

#define CURSOR_FIRST_ROW 14
#define CURSOR_LAST_ROW 15

static void draw_cell(struct sk_image *out, int row, int col, struct sk_textcell cell, int cursor)
{
    const uint8_t *fg = sk_vga_palette[cell.attr & 0x0F];
    const uint8_t *bg = sk_vga_palette[cell.attr >> 4];
    const uint8_t *glyph = sk_font8x16[cell.ch];
    int wide = sk_vga_line_graphics(cell.ch);
    for (int y = 0; y < SK_VGA_CELL_H; y++) {
        /* Bits 8..1 are the glyph, bit 0 the ninth column. */
        unsigned bits = (unsigned)glyph[y] << 1;
        if (wide) {
            bits |= glyph[y] & 1;
        }
        if (cursor && y >= CURSOR_FIRST_ROW && y <= CURSOR_LAST_ROW) {
            bits = 0x1FF;
        }
        uint8_t *p = out->pixels + (size_t)(row * SK_VGA_CELL_H + y) * out->pitch +
                     (size_t)col * SK_VGA_CELL_W * 3;
        for (int x = 0; x < SK_VGA_CELL_W; x++) {
            const uint8_t *c = (bits & (0x100u >> x)) ? fg : bg;
            memcpy(p + x * 3, c, 3);
        }
    }
}

void sk_vga_render(const struct sk_textscreen *screen, int64_t now_ms, struct sk_image *out)
{
    sk_image_resize(out, SK_VGA_WIDTH, SK_VGA_HEIGHT);
    int64_t phase = ((now_ms % SK_VGA_BLINK_MS) + SK_VGA_BLINK_MS) % SK_VGA_BLINK_MS;
    int cursor_on = screen->cursor_visible && phase < SK_VGA_BLINK_MS / 2;
    for (int r = 0; r < SK_TEXT_ROWS; r++) {
        for (int c = 0; c < SK_TEXT_COLS; c++) {
            int cursor = cursor_on && r == screen->cursor_row && c == screen->cursor_col;
            draw_cell(out, r, c, screen->cells[r][c], cursor);
        }
    }
}

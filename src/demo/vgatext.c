/*
 * vgatext: the text-mode renderer of the demo target's graphics card.
 *
 * Owns nothing: it reads a text screen and the font, and writes pixels
 * into the caller's image. Each cell is expanded glyph row by glyph row,
 * the way the VGA's attribute controller shifts the font out.
 */
#include "demo/vgatext.h"

#include <string.h>

#include "text/font8x16.h"
#include "text/vga.h"

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

void sk_vgatext_render(const struct sk_textscreen *screen, int64_t now_ms, struct sk_image *out)
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

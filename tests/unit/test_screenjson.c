/*
 * test_screenjson: screen --text --json's document, read back with jansson.
 *
 * A VGA text screen (box drawing, text in white on blue) stretched to
 * 1280x720, recognised, and given as read from a 1920x1080 frame: the
 * geometry is in the frame's pixels (80x25 cells of 24 x 43.2), the
 * palette vga16, each row's text a character a cell (UTF-8 box drawing),
 * the colours #rrggbb, the confidence 0..1 and the unsure columns below
 * 0.5. A result that is not text: is_text false, no grid, no rows. A
 * made-up result off the palette: the measured colours, no palette, the
 * unsure columns exactly those under SK_TEXTREC_SURE, a cursor, a NUL
 * cell as a blank.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "cmd/screenjson.h"
#include "demo/vgatext.h"
#include "text/textrec.h"

static json_t *parse(char *doc)
{
    size_t n = strlen(doc);
    CHECK(n > 0 && doc[n - 1] == '\n' && strchr(doc, '\n') == doc + n - 1);
    json_error_t err;
    json_t *v = json_loads(doc, 0, &err);
    if (v == NULL) {
        fprintf(stderr, "  not JSON: %s\n", err.text);
    }
    free(doc);
    return v;
}

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void test_text_screen(void)
{
    struct sk_textscreen s;
    memset(&s, 0, sizeof(s));
    for (int r = 0; r < SK_TEXT_ROWS; r++) {
        for (int c = 0; c < SK_TEXT_COLS; c++) {
            s.cells[r][c] = (struct sk_textcell){' ', SK_ATTR(SK_VGA_LIGHTGREY, SK_VGA_BLACK)};
        }
    }
    const char *title = "Boot Menu: Select boot device";
    for (int c = 0; title[c]; c++) {
        s.cells[0][c] = (struct sk_textcell){(uint8_t)title[c], SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE)};
    }
    const char *items[] = {"1. Hard disk", "2. CD-ROM", "3. Network (PXE)", "4. Setup"};
    for (int i = 0; i < 4; i++) {
        for (int c = 0; items[i][c]; c++) {
            s.cells[3 + i][4 + c].ch = (uint8_t)items[i][c];
        }
    }
    s.cells[2][2].ch = 0xDA; /* ┌ */
    for (int c = 3; c < 30; c++) {
        s.cells[2][c].ch = 0xC4; /* ─ */
    }
    struct sk_image img = {0}, big = {0}, jpg = {0};
    sk_vgatext_render(&s, 0, &img);
    ts_scale(&img, 1280, 720, &big);
    CHECK_EQ_INT(ts_jpeg(&big, 75, &jpg), 0);
    struct sk_textrec *tr = sk_textrec_new();
    struct sk_textrec_result r;
    CHECK_EQ_INT(sk_textrec_run(tr, &jpg, &r), 0);
    CHECK(r.is_text);
    json_t *d = parse(sk_screenjson(&r, 1920, 1080));
    CHECK(d != NULL);
    CHECK(json_is_true(json_object_get(d, "is_text")));
    json_t *frame = json_object_get(d, "frame"), *grid = json_object_get(d, "grid");
    CHECK(num(frame, "width") == 1920 && num(frame, "height") == 1080);
    CHECK(num(grid, "cols") == 80 && num(grid, "rows") == 25);
    CHECK(json_is_integer(json_object_get(grid, "cell_width")) && num(grid, "cell_width") == 24);
    CHECK(num(grid, "cell_height") > 43.19 && num(grid, "cell_height") < 43.21);
    CHECK(num(grid, "origin_x") == 0 && num(grid, "origin_y") == 0);
    CHECK_STR(json_string_value(json_object_get(d, "palette")), "vga16");
    CHECK_STR(json_string_value(json_object_get(d, "mode")), "80x25 9x16");
    CHECK(json_is_null(json_object_get(d, "cursor")));
    json_t *rows = json_object_get(d, "rows");
    CHECK_EQ_INT(json_array_size(rows), 25);
    json_t *row0 = json_array_get(rows, 0), *row2 = json_array_get(rows, 2);
    const char *t0 = json_string_value(json_object_get(row0, "text"));
    CHECK(t0 != NULL && strncmp(t0, title, strlen(title)) == 0 && strlen(t0) == 80);
    const char *t2 = json_string_value(json_object_get(row2, "text"));
    CHECK(t2 != NULL && strncmp(t2, "  ┌───", strlen("  ┌───")) == 0);
    CHECK_STR(json_string_value(json_array_get(json_object_get(row0, "fg"), 0)), "#ffffff");
    CHECK_STR(json_string_value(json_array_get(json_object_get(row0, "bg"), 0)), "#0000aa");
    CHECK_STR(json_string_value(json_array_get(json_object_get(row0, "bg"), 79)), "#000000");
    /* Every row: a cell an entry; confidences 0..1; the unsure columns are those under 0.5. */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        json_t *conf = json_object_get(row, "conf"), *unsure = json_object_get(row, "unsure");
        CHECK_EQ_INT(json_array_size(json_object_get(row, "fg")), 80);
        CHECK_EQ_INT(json_array_size(json_object_get(row, "bg")), 80);
        CHECK_EQ_INT(json_array_size(conf), 80);
        size_t below = 0;
        for (size_t x = 0; x < 80; x++) {
            double c = json_number_value(json_array_get(conf, x));
            CHECK(c >= 0 && c <= 1);
            below += c < 0.5;
            CHECK(c == r.cells[i * 80 + x].conf / 100.0 ||
                  (c > r.cells[i * 80 + x].conf / 100.0 - 0.001 &&
                   c < r.cells[i * 80 + x].conf / 100.0 + 0.001));
        }
        CHECK_EQ_INT(json_array_size(unsure), below);
    }
    json_decref(d);

    /* Not text: is_text false, no grid, no rows, the frame's size. */
    struct sk_textrec_result none = {.image_w = 640, .image_h = 480};
    d = parse(sk_screenjson(&none, 640, 480));
    CHECK(d != NULL);
    CHECK(json_is_false(json_object_get(d, "is_text")));
    CHECK(json_is_null(json_object_get(d, "grid")));
    CHECK(json_is_null(json_object_get(d, "palette")));
    CHECK(json_is_null(json_object_get(d, "mode")));
    CHECK_EQ_INT(json_array_size(json_object_get(d, "rows")), 0);
    CHECK(num(json_object_get(d, "frame"), "width") == 640);
    json_decref(d);
    sk_textrec_free(tr);
    sk_image_free(&img);
    sk_image_free(&big);
    sk_image_free(&jpg);
}

static void test_made_up(void)
{
    struct sk_textrec_cell cells[6] = {
        {.ch = 'A', .conf = 100, .fg_rgb = {0x12, 0x34, 0x56}, .bg_rgb = {0xfe, 0xdc, 0xba}},
        {.ch = 0, .conf = SK_TEXTREC_SURE - 1},
        {.ch = 0xB0, .conf = SK_TEXTREC_SURE}, /* ░ */
        {.ch = 'x', .conf = 0},
        {.ch = ' ', .conf = 100},
        {.ch = 'y', .conf = 7},
    };
    struct sk_textrec_result r = {.is_text = 1,
                                  .cols = 3,
                                  .rows = 2,
                                  .mode = "grid 8x19",
                                  .confidence = 0.5,
                                  .cursor_col = 2,
                                  .cursor_row = 1,
                                  .pitch_x = 8,
                                  .pitch_y = 19,
                                  .origin_x = 4,
                                  .origin_y = 2,
                                  .image_w = 40,
                                  .image_h = 50,
                                  .cells = cells};
    json_t *d = parse(sk_screenjson(&r, 80, 100));
    CHECK(d != NULL);
    CHECK(json_is_null(json_object_get(d, "palette")));
    json_t *grid = json_object_get(d, "grid"), *cursor = json_object_get(d, "cursor");
    CHECK(num(grid, "cell_width") == 16 && num(grid, "cell_height") == 38);
    CHECK(num(grid, "origin_x") == 8 && num(grid, "origin_y") == 4);
    CHECK(num(cursor, "col") == 2 && num(cursor, "row") == 1);
    json_t *rows = json_object_get(d, "rows");
    json_t *row0 = json_array_get(rows, 0), *row1 = json_array_get(rows, 1);
    CHECK_STR(json_string_value(json_object_get(row0, "text")), "A ░");
    CHECK_STR(json_string_value(json_object_get(row1, "text")), "x y");
    CHECK_STR(json_string_value(json_array_get(json_object_get(row0, "fg"), 0)), "#123456");
    CHECK_STR(json_string_value(json_array_get(json_object_get(row0, "bg"), 0)), "#fedcba");
    char *u0 = json_dumps(json_object_get(row0, "unsure"), JSON_COMPACT);
    char *u1 = json_dumps(json_object_get(row1, "unsure"), JSON_COMPACT);
    char *c0 = json_dumps(json_object_get(row0, "conf"), JSON_COMPACT | JSON_REAL_PRECISION(6));
    CHECK_STR(u0, "[1]");
    CHECK_STR(u1, "[0,2]");
    CHECK_STR(c0, "[1,0.49,0.5]");
    free(u0);
    free(u1);
    free(c0);
    json_decref(d);
}

int main(void)
{
    SK_RUN(test_text_screen);
    SK_RUN(test_made_up);
    return SK_CHECK_EXIT();
}

/*
 * test_grid: the exact bytes sk_grid_diff writes to turn one picture into
 * another: nothing for the same picture, a cursor move and the cell for one
 * change, the cheapest way over gaps, SGR only where colours change, every
 * colour depth's SGR form, and a full repaint when the size changes; a
 * grid's place is copied with it and forgotten by a resize.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "term/grid.h"
#include "base/util.h"

static void set(struct sk_grid *g, unsigned x, unsigned y, uint32_t ch, uint32_t fg, uint32_t bg)
{
    g->cells[(size_t)y * g->cols + x] = (struct sk_cell){.ch = ch, .fg = fg, .bg = bg};
}

static void diff_is(const struct sk_grid *a, const struct sk_grid *b, unsigned top,
                    const char *want)
{
    struct sk_buf out = {0};
    sk_grid_diff(a, b, top, &out);
    CHECK_STR(out.data ? out.data : "", want);
    sk_buf_free(&out);
}

static void test_same_picture_costs_nothing(void)
{
    struct sk_grid a = {0}, b = {0};
    sk_grid_resize(&a, 10, 3);
    set(&a, 4, 1, 'x', 2, 4);
    sk_grid_copy(&b, &a);
    struct sk_buf out = {0};
    CHECK_EQ_INT(sk_grid_diff(&a, &b, 0, &out), 0);
    CHECK_EQ_INT(out.len, 0);
    /* A blank's foreground is not shown: changing it is no change. */
    set(&b, 0, 0, ' ', 5, 0);
    CHECK_EQ_INT(sk_grid_diff(&a, &b, 0, &out), 0);
    CHECK_EQ_INT(out.len, 0);
    sk_buf_free(&out);
    sk_grid_free(&a);
    sk_grid_free(&b);
}

static void test_one_cell(void)
{
    struct sk_grid a = {0}, b = {0};
    sk_grid_resize(&a, 10, 3);
    sk_grid_copy(&b, &a);
    set(&b, 4, 1, 'x', 1, 12);
    /* Row 2 of the terminal is grid row 1 with top 0; row 4 with top 2. */
    diff_is(&a, &b, 0, "\033[2;5H\033[31;104mx\033[0m");
    diff_is(&a, &b, 2, "\033[4;5H\033[31;104mx\033[0m");
    sk_grid_free(&a);
    sk_grid_free(&b);
}

static void test_gaps(void)
{
    struct sk_grid a = {0}, b = {0};
    sk_grid_resize(&a, 20, 2);
    sk_grid_copy(&b, &a);
    /* Two changes 3 blanks apart in the colour in force: the blanks are rewritten (3 bytes). */
    set(&b, 2, 0, 'a', 7, 0);
    set(&b, 6, 0, 'b', 7, 0);
    diff_is(&a, &b, 0, "\033[1;3H\033[37;40ma   b\033[0m");
    /* Farther apart: a forward move within the row. */
    set(&b, 6, 0, ' ', SK_COLOR_ANY, 0);
    set(&b, 15, 0, 'c', 7, 0);
    diff_is(&a, &b, 0, "\033[1;3H\033[37;40ma\033[12Cc\033[0m");
    /* Blanks in another colour are not rewritten: they would need an SGR change. */
    sk_grid_copy(&a, &b);
    set(&a, 3, 0, ' ', SK_COLOR_ANY, 4);
    set(&b, 3, 0, ' ', SK_COLOR_ANY, 4);
    set(&b, 2, 0, 'A', 7, 0);
    set(&b, 5, 0, 'B', 7, 0);
    diff_is(&a, &b, 0, "\033[1;3H\033[37;40mA\033[2CB\033[0m");
    /* The next row: an absolute move. Only the foreground changes. */
    sk_grid_copy(&a, &b);
    set(&b, 19, 0, 'z', 7, 0);
    set(&b, 0, 1, 'y', 3, 0);
    diff_is(&a, &b, 0, "\033[1;20H\033[37;40mz\033[2;1H\033[33my\033[0m");
    sk_grid_free(&a);
    sk_grid_free(&b);
}

static void test_colour_forms(void)
{
    struct sk_grid a = {0}, b = {0};
    sk_grid_resize(&a, 8, 1);
    sk_grid_copy(&b, &a);
    set(&b, 0, 0, 'a', 9, 15);   /* bright: 90s / 100s */
    set(&b, 1, 0, 'b', 196, 21); /* 256: 38;5 / 48;5 */
    set(&b, 2, 0, 0x2580, SK_COLOR_RGB | 0x102030, SK_COLOR_RGB | 0xff8000); /* 24-bit, UTF-8 */
    set(&b, 3, 0, ' ', SK_COLOR_ANY, SK_COLOR_RGB | 0xff8000); /* a blank keeps the foreground */
    set(&b, 4, 0, 0x07, 1, 0); /* a control character never reaches the terminal */
    diff_is(&a, &b, 0,
            "\033[1;1H\033[91;107ma\033[38;5;196;48;5;21mb"
            "\033[38;2;16;32;48;48;2;255;128;0m\xe2\x96\x80 "
            "\033[31;40m \033[0m");
    sk_grid_free(&a);
    sk_grid_free(&b);
}

static void test_resize_repaints_all(void)
{
    struct sk_grid a = {0}, b = {0};
    sk_grid_resize(&a, 3, 2);
    sk_grid_resize(&b, 2, 2);
    set(&b, 1, 1, 'q', 2, 0);
    /* The last column leaves the cursor at the margin: each row starts with a move. */
    diff_is(&a, &b, 0, "\033[1;1H\033[40m  \033[2;1H \033[32mq\033[0m");
    diff_is(NULL, &b, 0, "\033[1;1H\033[40m  \033[2;1H \033[32mq\033[0m");
    sk_grid_free(&a);
    sk_grid_free(&b);
}

/* The place (where the screen was drawn, for the mouse) goes with a copy; a resize drops it. */
static void test_place_copied_and_reset(void)
{
    struct sk_grid a = {0}, b = {0};
    sk_grid_resize(&a, 100, 30);
    a.place.col = 10;
    a.place.cols = 80;
    a.place.screen_w = 720;
    sk_grid_copy(&b, &a);
    CHECK(memcmp(&b.place, &a.place, sizeof(a.place)) == 0);
    sk_grid_resize(&b, 100, 30);
    CHECK_EQ_INT(b.place.cols, 0);
    CHECK_EQ_INT(b.place.screen_w, 0);
    sk_grid_free(&a);
    sk_grid_free(&b);
}

int main(void)
{
    SK_RUN(test_same_picture_costs_nothing);
    SK_RUN(test_one_cell);
    SK_RUN(test_gaps);
    SK_RUN(test_colour_forms);
    SK_RUN(test_resize_repaints_all);
    SK_RUN(test_place_copied_and_reset);
    return SK_CHECK_EXIT();
}

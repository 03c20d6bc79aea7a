/*
 * test_mousemap: terminal cells to absolute mouse positions, letterboxing included.
 */
#include "check.h"
#include "term/mousemap.h"

static void test_full_width(void)
{
    uint16_t x, y;
    /* 720x400 in 80x24: 80 cells wide, 400/720*80/2 = 22 rows, centred: rows 2..23 (1-based). */
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 720, 400, 1, 1, &x, &y), -1); /* top bar */
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 720, 400, 1, 2, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(0.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(y, (int)(0.5 / 22 * 32767 + 0.5));
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 720, 400, 80, 23, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(79.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(y, (int)(21.5 / 22 * 32767 + 0.5));
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 720, 400, 80, 24, &x, &y), -1); /* bottom bar */
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 720, 400, 81, 10, &x, &y), -1);
}

static void test_pillarbox(void)
{
    uint16_t x, y;
    /* 640x480 in 200x30: 30 rows, 4*30*640/480/2 = 80 cells wide, centred at columns 61..140. */
    CHECK_EQ_INT(sk_mousemap_cell(200, 30, 640, 480, 60, 15, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_cell(200, 30, 640, 480, 61, 1, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(0.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(sk_mousemap_cell(200, 30, 640, 480, 101, 16, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(40.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(y, (int)(15.5 / 30 * 32767 + 0.5));
    CHECK_EQ_INT(sk_mousemap_cell(200, 30, 640, 480, 141, 15, &x, &y), -1);
}

static void test_degenerate(void)
{
    uint16_t x, y;
    CHECK_EQ_INT(sk_mousemap_cell(0, 24, 720, 400, 1, 1, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 0, 0, 1, 1, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_cell(80, 24, 720, 400, 0, 0, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_cell(1, 1, 720, 400, 1, 1, &x, &y), 0);
    CHECK_EQ_INT(x, 16384);
}

int main(void)
{
    SK_RUN(test_full_width);
    SK_RUN(test_pillarbox);
    SK_RUN(test_degenerate);
    return SK_CHECK_EXIT();
}

/*
 * test_mousemap: terminal cells to absolute mouse positions, letterboxing
 * included, and through a text screen's place: every character cell of a
 * text mode goes to the centre of its own pixels, the margins and the
 * status line around it go nowhere.
 */
#include "check.h"
#include "term/mousemap.h"
#include "term/render.h"

/*
 * A click on cell (cx, cy) of a frame_w x frame_h picture as the renderer
 * places it in a cols x rows area (what the console does in the picture
 * views): -1 also when any size is 0.
 */
static int cell(unsigned cols, unsigned rows, unsigned frame_w, unsigned frame_h, unsigned cx,
                unsigned cy, uint16_t *x, uint16_t *y)
{
    if (cols == 0 || rows == 0 || frame_w == 0 || frame_h == 0) {
        return -1;
    }
    struct sk_grid_place p;
    sk_render_place_picture(cols, rows, frame_w, frame_h, &p);
    return sk_mousemap_place(&p, cx, cy, x, y);
}

static void test_full_width(void)
{
    uint16_t x, y;
    /* 720x400 in 80x24: 80 cells wide, 400/720*80/2 = 22 rows, centred: rows 2..23 (1-based). */
    CHECK_EQ_INT(cell(80, 24, 720, 400, 1, 1, &x, &y), -1); /* top bar */
    CHECK_EQ_INT(cell(80, 24, 720, 400, 1, 2, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(0.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(y, (int)(0.5 / 22 * 32767 + 0.5));
    CHECK_EQ_INT(cell(80, 24, 720, 400, 80, 23, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(79.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(y, (int)(21.5 / 22 * 32767 + 0.5));
    CHECK_EQ_INT(cell(80, 24, 720, 400, 80, 24, &x, &y), -1); /* bottom bar */
    CHECK_EQ_INT(cell(80, 24, 720, 400, 81, 10, &x, &y), -1);
}

static void test_pillarbox(void)
{
    uint16_t x, y;
    /* 640x480 in 200x30: 30 rows, 4*30*640/480/2 = 80 cells wide, centred at columns 61..140. */
    CHECK_EQ_INT(cell(200, 30, 640, 480, 60, 15, &x, &y), -1);
    CHECK_EQ_INT(cell(200, 30, 640, 480, 61, 1, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(0.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(cell(200, 30, 640, 480, 101, 16, &x, &y), 0);
    CHECK_EQ_INT(x, (int)(40.5 / 80 * 32767 + 0.5));
    CHECK_EQ_INT(y, (int)(15.5 / 30 * 32767 + 0.5));
    CHECK_EQ_INT(cell(200, 30, 640, 480, 141, 15, &x, &y), -1);
}

static void test_degenerate(void)
{
    uint16_t x, y;
    CHECK_EQ_INT(cell(0, 24, 720, 400, 1, 1, &x, &y), -1);
    CHECK_EQ_INT(cell(80, 24, 0, 0, 1, 1, &x, &y), -1);
    CHECK_EQ_INT(cell(80, 24, 720, 400, 0, 0, &x, &y), -1);
    CHECK_EQ_INT(cell(1, 1, 720, 400, 1, 1, &x, &y), 0);
    CHECK_EQ_INT(x, 16384);
}

/* cols x rows cells from (col, row), each cell_w x cell_h of a screen_w x screen_h mode. */
static struct sk_grid_place place(unsigned col, unsigned row, unsigned cols, unsigned rows,
                                  unsigned cell_w, unsigned cell_h, unsigned screen_w,
                                  unsigned screen_h)
{
    return (struct sk_grid_place){col, row, cols, rows, cell_w, cell_h, screen_w, screen_h};
}

/* 80x25 9x16 (a 720x400 mode), drawn at (col, row) of the terminal. */
static struct sk_grid_place vga_text(unsigned col, unsigned row)
{
    return place(col, row, 80, 25, 9, 16, 720, 400);
}

/*
 * Every cell of place p (shown from terminal cell (col + 1, row + 1)) maps to
 * a point inside its own character cell of the mode's picture, within half
 * a mode pixel of its centre; returns the number of cells that do not.
 */
static int every_cell_to_its_centre(const struct sk_grid_place *p)
{
    int wrong = 0;
    for (unsigned r = 0; r < p->rows; r++) {
        for (unsigned c = 0; c < p->cols; c++) {
            uint16_t x = 0, y = 0;
            if (sk_mousemap_place(p, p->col + c + 1, p->row + r + 1, &x, &y) != 0) {
                wrong++;
                continue;
            }
            /* The point in the mode's own pixels. */
            double px = x / 32767.0 * p->screen_w, py = y / 32767.0 * p->screen_h;
            double cx = (c + 0.5) * p->cell_w, cy = (r + 0.5) * p->cell_h;
            wrong += px < cx - 0.5 || px > cx + 0.5 || py < cy - 0.5 || py > cy + 0.5;
            /* What a target that splits 0..32767 into the mode's columns and rows reads. */
            wrong += (unsigned)x * p->cols / 32768 != c || (unsigned)y * p->rows / 32768 != r;
        }
    }
    return wrong;
}

/* An 80x26 terminal shows 80x25 from its top-left cell; row 26 is the status line. */
static void test_text_exact_fit(void)
{
    struct sk_grid_place p = vga_text(0, 0);
    uint16_t x, y;
    CHECK_EQ_INT(sk_mousemap_place(&p, 1, 1, &x, &y), 0);   /* top-left character: pixel (4.5, 8) */
    CHECK_EQ_INT(x, 205);                                   /* 4.5 / 720 * 32767 = 204.8 */
    CHECK_EQ_INT(y, 655);                                   /* 8 / 400 * 32767 = 655.3 */
    CHECK_EQ_INT(sk_mousemap_place(&p, 41, 13, &x, &y), 0); /* column 40, row 12: (364.5, 200) */
    CHECK_EQ_INT(x, 16588);                                 /* 16588.3 */
    CHECK_EQ_INT(y, 16384);
    CHECK_EQ_INT(sk_mousemap_place(&p, 80, 25, &x, &y), 0); /* bottom-right: (715.5, 392) */
    CHECK_EQ_INT(x, 32562);
    CHECK_EQ_INT(y, 32112);
    CHECK_EQ_INT(sk_mousemap_place(&p, 1, 26, &x, &y), -1); /* the status line */
    CHECK_EQ_INT(sk_mousemap_place(&p, 40, 26, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_place(&p, 81, 1, &x, &y), -1); /* right of the screen */
    CHECK_EQ_INT(sk_mousemap_place(&p, 0, 1, &x, &y), -1);  /* not a cell */
    CHECK_EQ_INT(every_cell_to_its_centre(&p), 0);
}

/* A 120x41 terminal (40 text rows) centres 80x25: columns 21..100, rows 8..32 (1-based). */
static void test_text_centred(void)
{
    struct sk_grid_place p = vga_text(20, 7);
    uint16_t x, y;
    CHECK_EQ_INT(sk_mousemap_place(&p, 21, 8, &x, &y), 0);
    CHECK_EQ_INT(x, 205);
    CHECK_EQ_INT(y, 655);
    CHECK_EQ_INT(sk_mousemap_place(&p, 61, 20, &x, &y), 0);
    CHECK_EQ_INT(x, 16588);
    CHECK_EQ_INT(y, 16384);
    CHECK_EQ_INT(sk_mousemap_place(&p, 100, 32, &x, &y), 0);
    CHECK_EQ_INT(x, 32562);
    CHECK_EQ_INT(y, 32112);
    /* The margins on every side. */
    CHECK_EQ_INT(sk_mousemap_place(&p, 20, 8, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_place(&p, 101, 8, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_place(&p, 21, 7, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_place(&p, 100, 33, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_place(&p, 1, 1, &x, &y), -1);
    CHECK_EQ_INT(sk_mousemap_place(&p, 120, 41, &x, &y), -1);
    CHECK_EQ_INT(every_cell_to_its_centre(&p), 0);
    /* The same screen's picture in the same terminal maps the same cell elsewhere. */
    uint16_t ax, ay;
    CHECK_EQ_INT(cell(120, 40, 720, 400, 61, 20, &ax, &ay), 0);
    CHECK(ax != x || ay != y);
}

/* Modes whose cells do not fill the picture: 100x37 8x16 uses 592 of 600 rows. */
static void test_text_other_modes(void)
{
    struct sk_grid_place p = place(0, 0, 100, 37, 8, 16, 800, 600);
    uint16_t x, y;
    CHECK_EQ_INT(sk_mousemap_place(&p, 100, 37, &x, &y), 0); /* (796, 584) of 800x600 */
    CHECK_EQ_INT(x, 32603);                                  /* 796 / 800 * 32767 = 32603.2 */
    CHECK_EQ_INT(y, 31893);                                  /* 584 / 600 * 32767 = 31893.2 */
    CHECK_EQ_INT(every_cell_to_its_centre(&p), 0);
    struct sk_grid_place q = place(3, 1, 80, 50, 9, 8, 720, 400); /* 80x50 9x8 */
    CHECK_EQ_INT(every_cell_to_its_centre(&q), 0);
    struct sk_grid_place none = {0};
    CHECK_EQ_INT(sk_mousemap_place(&none, 1, 1, &x, &y), -1);
}

/*
 * A picture's place maps as the picture views always have, wherever the
 * renderer put it: the fitted picture (sk_render_fit) centred, a cell's
 * centre as a share of the picture's cells, outside it nothing.
 */
static void test_picture_place(void)
{
    struct sk_grid_place p;
    sk_render_place_picture(80, 24, 720, 400, &p);
    CHECK_EQ_INT(p.col, 0);
    CHECK_EQ_INT(p.row, 1);
    CHECK_EQ_INT(p.cols, 80);
    CHECK_EQ_INT(p.rows, 22);
    unsigned pc, pr;
    sk_render_fit(80, 24, 720, 400, &pc, &pr);
    unsigned x0 = (80 - pc) / 2, y0 = (24 - pr) / 2;
    int wrong = 0;
    for (unsigned cy = 0; cy <= 25; cy++) {
        for (unsigned cx = 0; cx <= 81; cx++) {
            uint16_t x1 = 1, y1 = 1;
            int a = sk_mousemap_place(&p, cx, cy, &x1, &y1);
            unsigned col = cx - 1, row = cy - 1;
            int in = cx > 0 && cy > 0 && col >= x0 && col < x0 + pc && row >= y0 && row < y0 + pr;
            if (!in) {
                wrong += a != -1;
                continue;
            }
            uint16_t x2 = (uint16_t)(((double)(col - x0) + 0.5) / pc * 32767 + 0.5);
            uint16_t y2 = (uint16_t)(((double)(row - y0) + 0.5) / pr * 32767 + 0.5);
            wrong += a != 0 || x1 != x2 || y1 != y2;
        }
    }
    CHECK_EQ_INT(wrong, 0);
}

int main(void)
{
    SK_RUN(test_full_width);
    SK_RUN(test_pillarbox);
    SK_RUN(test_degenerate);
    SK_RUN(test_text_exact_fit);
    SK_RUN(test_text_centred);
    SK_RUN(test_text_other_modes);
    SK_RUN(test_picture_place);
    return SK_CHECK_EXIT();
}

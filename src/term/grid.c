/*
 * grid: cell grids and the minimal update between two of them.
 *
 * sk_grid_diff walks the next grid in order, skipping cells equal to what
 * the terminal shows. It tracks where the cursor is and which colours are
 * in force, so for each changed cell it writes the cheapest move that gets
 * there (none when it follows the last cell written; rewriting a few
 * unchanged cells when that is shorter than a move; CUF within a row; CUP
 * otherwise) and only the SGR parameters that change. Blank cells never
 * change the foreground. Writing the last column leaves the cursor in the
 * pending-wrap state, so the next cell always gets an absolute move.
 */
#include "term/grid.h"

#include <stdlib.h>
#include <string.h>

#define UNSET 0xfffffffeu /* no colour known to be in force */
#define MAX_REWRITE 4     /* unchanged cells rewritten rather than jumped over */

void sk_grid_resize(struct sk_grid *g, unsigned cols, unsigned rows)
{
    size_t n = (size_t)cols * rows;
    if (n > g->capacity) {
        g->cells = xrealloc(g->cells, n * sizeof(*g->cells));
        g->capacity = n;
    }
    g->cols = cols;
    g->rows = rows;
    g->text = 0;
    g->cursor_col = g->cursor_row = -1;
    g->note = NULL;
    g->text_cols = g->text_rows = 0;
    g->place = (struct sk_grid_place){0};
    for (size_t i = 0; i < n; i++) {
        g->cells[i] = (struct sk_cell){.ch = ' ', .fg = SK_COLOR_ANY, .bg = 0};
    }
}

void sk_grid_copy(struct sk_grid *dst, const struct sk_grid *src)
{
    size_t n = (size_t)src->cols * src->rows;
    if (n > dst->capacity) {
        dst->cells = xrealloc(dst->cells, n * sizeof(*dst->cells));
        dst->capacity = n;
    }
    /* Everything but the cell storage, which stays dst's own. */
    struct sk_cell *cells = dst->cells;
    size_t capacity = dst->capacity;
    *dst = *src;
    dst->cells = cells;
    dst->capacity = capacity;
    if (n > 0) {
        memcpy(dst->cells, src->cells, n * sizeof(*dst->cells));
    }
}

void sk_grid_free(struct sk_grid *g)
{
    free(g->cells);
    *g = (struct sk_grid){0};
}

static int cell_eq(const struct sk_cell *a, const struct sk_cell *b)
{
    return a->ch == b->ch && a->bg == b->bg && (a->fg == b->fg || a->ch == ' ');
}

/*
 * The escape sequences are built in a small local buffer with hand-written
 * number formatting: a full repaint of 200x60 cells in 24-bit colour is
 * some 250 KB of them, and printf-style formatting was most of its cost.
 */
struct seq {
    char b[96];
    size_t n;
};

static void seq_str(struct seq *q, const char *s)
{
    while (*s != '\0') {
        q->b[q->n++] = *s++;
    }
}

static void seq_num(struct seq *q, unsigned v)
{
    char tmp[12];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (k > 0) {
        q->b[q->n++] = tmp[--k];
    }
}

/* One SGR colour parameter (foreground, or background when bg). */
static void sgr_param(struct seq *q, uint32_t c, int bg)
{
    if (c & SK_COLOR_RGB) {
        seq_str(q, bg ? "48;2;" : "38;2;");
        seq_num(q, (c >> 16) & 0xff);
        q->b[q->n++] = ';';
        seq_num(q, (c >> 8) & 0xff);
        q->b[q->n++] = ';';
        seq_num(q, c & 0xff);
    } else if (c < 8) {
        seq_num(q, (bg ? 40 : 30) + c);
    } else if (c < 16) {
        seq_num(q, (bg ? 100 : 90) + c - 8);
    } else {
        seq_str(q, bg ? "48;5;" : "38;5;");
        seq_num(q, c & 0xff);
    }
}

struct pen {
    unsigned row, col; /* where the cursor is, in grid cells */
    int placed;        /* row/col are known */
    uint32_t fg, bg;   /* colours in force */
};

/* A cell can be written as it is where the pen stands: no SGR change, one byte. */
static int cheap(const struct pen *p, const struct sk_cell *c)
{
    return c->ch >= 0x20 && c->ch < 0x7f && c->bg == p->bg && (c->ch == ' ' || c->fg == p->fg);
}

static void put_cell(struct pen *p, const struct sk_cell *c, struct sk_buf *out)
{
    struct seq q = {.n = 0};
    int need_fg = c->fg != SK_COLOR_ANY && c->ch != ' ' && c->fg != p->fg;
    int need_bg = c->bg != p->bg;
    if (need_fg || need_bg) {
        seq_str(&q, "\033[");
        if (need_fg) {
            sgr_param(&q, c->fg, 0);
            p->fg = c->fg;
        }
        if (need_bg) {
            if (need_fg) {
                q.b[q.n++] = ';';
            }
            sgr_param(&q, c->bg, 1);
            p->bg = c->bg;
        }
        q.b[q.n++] = 'm';
    }
    uint32_t ch = c->ch;
    if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) || ch > 0x10ffff) {
        ch = ' ';
    }
    q.n += sk_utf8_encode(ch, q.b + q.n);
    sk_buf_append(out, q.b, q.n);
    p->col++;
}

/* A cursor move: CUP to (row, col), 1-based. */
static void move_to(unsigned row, unsigned col, struct sk_buf *out)
{
    struct seq q = {.n = 0};
    seq_str(&q, "\033[");
    seq_num(&q, row);
    q.b[q.n++] = ';';
    seq_num(&q, col);
    q.b[q.n++] = 'H';
    sk_buf_append(out, q.b, q.n);
}

size_t sk_grid_diff(const struct sk_grid *shown, const struct sk_grid *next, unsigned top,
                    struct sk_buf *out)
{
    if (shown != NULL && (shown->cols != next->cols || shown->rows != next->rows)) {
        shown = NULL;
    }
    struct pen p = {.fg = UNSET, .bg = UNSET};
    size_t written = 0;
    for (unsigned y = 0; y < next->rows; y++) {
        const struct sk_cell *row = next->cells + (size_t)y * next->cols;
        const struct sk_cell *old = shown ? shown->cells + (size_t)y * shown->cols : NULL;
        for (unsigned x = 0; x < next->cols; x++) {
            if (old != NULL && cell_eq(&old[x], &row[x])) {
                continue;
            }
            if (!p.placed || p.row != y || p.col > x) {
                move_to(top + y + 1, x + 1, out);
            } else if (p.col < x) {
                /* Rewriting a short run of unchanged cells beats a move when they need no SGR. */
                unsigned gap = x - p.col;
                int rewrite = gap <= MAX_REWRITE;
                for (unsigned k = p.col; rewrite && k < x; k++) {
                    rewrite = cheap(&p, &row[k]);
                }
                if (rewrite) {
                    while (p.col < x) {
                        put_cell(&p, &row[p.col], out);
                    }
                } else {
                    sk_buf_printf(out, "\033[%uC", gap);
                }
            }
            p.placed = 1;
            p.row = y;
            p.col = x;
            put_cell(&p, &row[x], out);
            written++;
            if (p.col >= next->cols) {
                p.placed = 0; /* pending wrap: where the cursor is depends on the terminal */
            }
        }
    }
    if (written > 0) {
        sk_buf_puts(out, "\033[0m");
    }
    return written;
}

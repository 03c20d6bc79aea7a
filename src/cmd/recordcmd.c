/*
 * recordcmd: `record`, the target's screen written to standard output as an
 * asciicast v2 recording (term/cast.h) until interrupted or for --seconds:
 * a boot, an install, for a bug report or a runbook, played back with
 * `asciinema play`.
 *
 *   record [--seconds N] [--mode text|art|auto] [--cols N] [--rows N] [--fps N]
 *
 * Frames come from the hub at most --fps times a second (the newest when
 * it is time; a static screen costs nothing) and are drawn as the console
 * draws them (through the app's view cache), each update one output event.
 * In text mode (and auto, on a text screen) a changed row is written whole,
 * so that `grep` finds a word in a recorded boot; the terminal's cursor
 * follows the target's. The size is --cols x --rows, else the client's
 * terminal, else the first text screen's (80x25 when it is not text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "term/cast.h"
#include "term/grid.h"
#include "term/render.h"
#include "term/view.h"
#include "video/frame.h"
#include "video/hub.h"
#include "video/jpeg.h"

#define FIRST_FRAME_MS 3000 /* how long the size waits for a first frame */
#define POLL_MS 200         /* how often a wait looks at the client */
#define DEFAULT_FPS 10
#define MAX_SECONDS (7 * 24 * 3600)

struct recorder {
    const struct sk_cmd_io *io;
    struct sk_cast *cast;
    int64_t start_us;
    struct sk_viewcache *cache;
    int cache_owned;
    struct sk_jpeg_dec *dec;
    struct sk_render *render;
    struct sk_render_opts view;
    unsigned cols, rows;
    struct sk_grid shown, next, was; /* was: shown with the rows to rewrite whole spoiled */
    int drawn;                       /* something has been drawn (shown is on the terminal) */
    int cursor_shown;
    int cursor_col, cursor_row;
    struct sk_buf out;
};

static int write_out(void *ctx, const void *data, size_t len)
{
    const struct sk_cmd_io *io = ctx;
    return io->out(io->ctx, data, len);
}

static double elapsed(const struct recorder *r)
{
    return (double)(sk_now_us() - r->start_us) / 1e6;
}

/* Frame f as this recording's grid, into r->next; 0, or -1 when it cannot be drawn. */
static int render(struct recorder *r, struct sk_frame *f, unsigned cols, unsigned rows)
{
    const struct sk_grid *g =
        sk_viewcache_get(r->cache, f, cols, rows, &r->view, r->dec, r->render);
    if (g == NULL) {
        return -1;
    }
    sk_grid_copy(&r->next, g);
    sk_viewcache_release(r->cache, g);
    return 0;
}

/*
 * In a text view, a row that changed is written whole (words stay whole in
 * the file): the copy of what is shown gets those rows spoiled, so the diff
 * rewrites every cell of them.
 */
static const struct sk_grid *diff_base(struct recorder *r)
{
    if (!r->drawn) {
        return NULL;
    }
    if (!r->next.text || r->shown.cols != r->next.cols || r->shown.rows != r->next.rows) {
        return &r->shown;
    }
    sk_grid_copy(&r->was, &r->shown);
    for (unsigned y = 0; y < r->next.rows; y++) {
        struct sk_cell *a = r->was.cells + (size_t)y * r->was.cols;
        const struct sk_cell *b = r->next.cells + (size_t)y * r->next.cols;
        if (memcmp(a, b, r->next.cols * sizeof(*a)) != 0) {
            for (unsigned x = 0; x < r->next.cols; x++) {
                a[x].ch = 0xffffffffu; /* no cell is this: all of the row is written */
            }
        }
    }
    return &r->was;
}

/* Draw r->next: the bytes from what is shown, and the cursor; one output event. */
static int draw(struct recorder *r)
{
    sk_buf_reset(&r->out);
    if (!r->drawn) {
        sk_buf_puts(&r->out, "\033[0m\033[2J\033[?25l");
    }
    sk_grid_diff(diff_base(r), &r->next, 0, &r->out);
    int show = r->next.text && r->next.cursor_col >= 0;
    int moved =
        show && (r->cursor_col != r->next.cursor_col || r->cursor_row != r->next.cursor_row);
    if (show && (moved || !r->cursor_shown || r->out.len > 0)) {
        sk_buf_printf(&r->out, "\033[%d;%dH\033[?25h", r->next.cursor_row + 1,
                      r->next.cursor_col + 1);
        r->cursor_col = r->next.cursor_col;
        r->cursor_row = r->next.cursor_row;
    } else if (!show && r->cursor_shown) {
        sk_buf_puts(&r->out, "\033[?25l");
    }
    r->cursor_shown = show;
    struct sk_grid t = r->shown;
    r->shown = r->next;
    r->next = t;
    r->drawn = 1;
    if (r->out.len == 0) {
        return 0;
    }
    return sk_cast_output(r->cast, elapsed(r), r->out.data, r->out.len);
}

static int parse_count(const char *s, long max, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || v < 1 || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* The options into r (view, size) and *seconds, *fps; 0, or a usage error's status. */
static int parse_options(struct recorder *r, char **argv, int argc, long *seconds, long *fps)
{
    const struct sk_cmd_io *io = r->io;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            return sk_cmd_usage_error(io, "record: %s needs a value",
                                      opt[0] == '-' ? opt : "an option");
        }
        const char *v = argv[++i];
        long n = 0;
        if (strcmp(opt, "--mode") == 0) {
            char why[160];
            if (sk_render_opts_set(&r->view, "mode", v, why, sizeof(why)) != 0) {
                return sk_cmd_usage_error(io, "record: --mode needs text, art, half or auto");
            }
        } else if (strcmp(opt, "--seconds") == 0) {
            if (parse_count(v, MAX_SECONDS, seconds) != 0) {
                return sk_cmd_usage_error(io, "record: --seconds needs a number from 1 to %d",
                                          MAX_SECONDS);
            }
        } else if (strcmp(opt, "--fps") == 0) {
            if (parse_count(v, 60, fps) != 0) {
                return sk_cmd_usage_error(io, "record: --fps needs a number from 1 to 60");
            }
        } else if (strcmp(opt, "--cols") == 0 || strcmp(opt, "--rows") == 0) {
            int is_cols = opt[2] == 'c';
            long max = is_cols ? SK_GRID_MAX_COLS : SK_GRID_MAX_ROWS;
            if (parse_count(v, max, &n) != 0) {
                return sk_cmd_usage_error(io, "record: %s needs a number from 1 to %ld", opt, max);
            }
            *(is_cols ? &r->cols : &r->rows) = (unsigned)n;
        } else {
            return sk_cmd_usage_error(io, "record: unexpected argument '%s'", opt);
        }
    }
    return SK_CMD_OK;
}

/*
 * The recording's size when none was asked for: the client's terminal, or
 * the first frame's text screen (80x25 when it is not text, or no frame came).
 */
static void choose_size(struct recorder *r, struct sk_frame *first)
{
    if (r->cols == 0 && r->io->cols > 0) {
        r->cols = SK_MIN(r->io->cols, SK_GRID_MAX_COLS);
    }
    if (r->rows == 0 && r->io->rows > 0) {
        r->rows = SK_MIN(r->io->rows, SK_GRID_MAX_ROWS);
    }
    unsigned tc = 0, tr = 0;
    if ((r->cols == 0 || r->rows == 0) && first != NULL && r->view.mode != SK_RENDER_ART &&
        r->view.mode != SK_RENDER_HALF &&
        render(r, first, SK_GRID_MAX_COLS, SK_GRID_MAX_ROWS) == 0 && r->next.text) {
        tc = r->next.text_cols;
        tr = r->next.text_rows;
    }
    r->cols = r->cols ? r->cols : tc ? tc : 80;
    r->rows = r->rows ? r->rows : tr ? tr : 25;
}

int sk_record_run(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    struct recorder r = {.io = io};
    sk_render_opts_default(&r.view);
    r.view.mode = SK_RENDER_AUTO;
    r.view.colors = 256;
    long seconds = 0, fps = app->view_fps > 0 ? SK_MIN(app->view_fps, DEFAULT_FPS) : DEFAULT_FPS;
    int rc = parse_options(&r, argv, argc, &seconds, &fps);
    if (rc != SK_CMD_OK) {
        return rc;
    }
    r.dec = sk_jpeg_dec_new();
    r.render = sk_render_new();
    sk_render_set_text_fonts(r.render, app->text_fonts, app->text_font_count, app->console_fonts);
    sk_render_set_text_share(r.render, app->text_share);
    r.cache = app->viewcache;
    if (r.cache == NULL) {
        r.cache = sk_viewcache_new();
        r.cache_owned = 1;
    }
    int64_t start_ms = sk_now_ms();
    int64_t deadline = seconds > 0 ? start_ms + seconds * 1000 : INT64_MAX;
    sk_hub_watch(app->hub, 1);

    /* The first frame decides the size, when nothing else does. */
    struct sk_frame *held = NULL;
    uint64_t seq = 0;
    while (held == NULL && !sk_cmd_cancelled(io) && sk_now_ms() - start_ms < FIRST_FRAME_MS) {
        held = sk_hub_wait(app->hub, 0, POLL_MS);
    }
    choose_size(&r, held);
    char title[160];
    snprintf(title, sizeof(title), "sshkvm: %s", app->video_name ? app->video_name : "the target");
    r.start_us = sk_now_us();
    r.cast = sk_cast_new(&(struct sk_cast_opts){.write = write_out,
                                                .ctx = (void *)io,
                                                .cols = r.cols,
                                                .rows = r.rows,
                                                .timestamp = (int64_t)time(NULL),
                                                .title = title,
                                                .term = "xterm-256color"});
    int64_t interval = 1000 / fps, next_draw = 0;
    while (!sk_cast_ended(r.cast) && !sk_cmd_cancelled(io)) {
        int64_t now = sk_now_ms();
        if (now >= deadline) {
            break;
        }
        if (held != NULL && now >= next_draw) {
            seq = held->seq;
            if (render(&r, held, r.cols, r.rows) == 0) {
                draw(&r);
            }
            sk_frame_unref(held);
            held = NULL;
            next_draw = now + interval;
            continue;
        }
        int64_t wait = held != NULL ? next_draw - now : SK_MIN(deadline - now, (int64_t)POLL_MS);
        struct sk_frame *f = sk_hub_wait(app->hub, held ? held->seq : seq, (int)SK_MAX(wait, 0));
        if (f != NULL) {
            sk_frame_unref(held);
            held = f; /* the newest waits for its turn */
        }
    }
    sk_frame_unref(held);
    sk_hub_watch(app->hub, -1);
    sk_cast_free(r.cast);
    sk_buf_free(&r.out);
    sk_grid_free(&r.shown);
    sk_grid_free(&r.next);
    sk_grid_free(&r.was);
    if (r.cache_owned) {
        sk_viewcache_free(r.cache);
    }
    sk_render_free(r.render);
    sk_jpeg_dec_free(r.dec);
    return SK_CMD_OK;
}

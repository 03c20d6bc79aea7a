/*
 * screen: the script commands that read the screen: snapshot, screen
 * (colour character art, or --text for a text screen's characters, with
 * --json its colours and geometry too) and
 * wait (until some text shows on a text screen).
 *
 * Each asks the hub for a frame captured after the request (registering as
 * a watcher wakes an idle capture). snapshot writes the frame's bytes as
 * they are; the others decode it with one screen reader (a JPEG decoder, a
 * renderer with the server's text fonts, and the picture they share), which
 * either draws the frame as character art or reads it as text. Reading
 * text is done in one place, read_text, for every command that needs it.
 */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/screenjson.h"
#include "term/grid.h"
#include "term/render.h"
#include "text/textrec.h"
#include "video/frame.h"
#include "video/hub.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "video/picture.h"

#define FRAME_WAIT_MS 3000 /* for snapshot/screen before giving up */
#define WAIT_POLL_MS 200   /* how long wait sleeps on the hub between checks */

/* What decoding and reading a frame needs, kept across the frames of one command. */
struct reader {
    struct sk_jpeg_dec *dec;
    struct sk_render *render;
    struct sk_image img;
};

static void reader_init(struct reader *rd, struct sk_app *app)
{
    rd->dec = sk_jpeg_dec_new();
    rd->render = sk_render_new();
    sk_render_set_text_fonts(rd->render, app->text_fonts, app->text_font_count, app->console_fonts);
    sk_render_set_text_share(rd->render, app->text_share);
    rd->img = (struct sk_image){0};
}

static void reader_free(struct reader *rd)
{
    sk_image_free(&rd->img);
    sk_render_free(rd->render);
    sk_jpeg_dec_free(rd->dec);
}

/*
 * Read frame f as a text screen: decoded whole (up to SK_TEXTREC_READ_W x
 * SK_TEXTREC_READ_H), then recognised into *r. Returns its
 * characters as UTF-8, one line a row (the caller frees), or NULL when the
 * frame cannot be decoded or is not text (*r then says what it was read as).
 */
static char *read_text(struct reader *rd, const struct sk_frame *f, struct sk_textrec_result *r)
{
    memset(r, 0, sizeof(*r));
    unsigned w, h;
    sk_textrec_read_size(f->width, f->height, &w, &h);
    if (sk_picture_get(rd->dec, f, w, h, &rd->img) != 0 ||
        sk_render_read_text(rd->render, &rd->img, r) != 0 || !r->is_text) {
        return NULL;
    }
    return sk_textrec_utf8(r);
}

/*
 * The newest frame, captured after the request: the hub's current frame may
 * be old when capture idles without watchers, and a script asking for the
 * screen wants it as it is now.
 */
static struct sk_frame *wait_frame(struct sk_app *app, const struct sk_cmd_io *io)
{
    struct sk_frame *old = sk_hub_latest(app->hub);
    uint64_t seq = old ? old->seq : 0;
    sk_frame_unref(old);
    /* Registering as a watcher makes an idle capture produce frames. */
    sk_hub_watch(app->hub, 1);
    struct sk_frame *f = sk_hub_wait(app->hub, seq, FRAME_WAIT_MS);
    sk_hub_watch(app->hub, -1);
    if (f == NULL) {
        sk_cmd_say(io, 1, "sshkvm: no frame from the capture source within %d ms\n", FRAME_WAIT_MS);
    }
    return f;
}

int sk_screen_snapshot(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    if (argc > 1) {
        return sk_cmd_usage_error(io, "snapshot: unexpected argument '%s'", argv[1]);
    }
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return SK_CMD_FAIL;
    }
    int rc = io->out(io->ctx, f->data, f->size) == 0 ? SK_CMD_OK : SK_CMD_FAIL;
    sk_frame_unref(f);
    return rc;
}

static int parse_dim(const char *s, unsigned max, unsigned *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > (long)max) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/*
 * The renderer positions rows with cursor moves; for a stream on stdout
 * plain lines are what a file or a pipe wants, so turn each move into a
 * line break.
 */
static void rows_to_lines(const struct sk_buf *in, struct sk_buf *out, const char *eol)
{
    const char *p = in->data, *end = in->data + in->len;
    int first = 1;
    while (p < end) {
        if (p[0] == '\033' && p + 1 < end && p[1] == '[') {
            const char *q = p + 2;
            while (q < end && (isdigit((unsigned char)*q) || *q == ';')) {
                q++;
            }
            if (q < end && *q == 'H') {
                if (!first) {
                    sk_buf_puts(out, eol);
                }
                first = 0;
                p = q + 1;
                continue;
            }
        }
        sk_buf_append(out, p, 1);
        p++;
    }
    sk_buf_puts(out, eol);
}

static void say_not_text(const struct sk_cmd_io *io, const struct sk_textrec_result *r)
{
    if (r->mode) {
        sk_cmd_say(io, 1,
                   "sshkvm: the screen is not text (read as %s: %.0f%% of the cells fit, %u "
                   "letters)\n",
                   r->mode, r->confidence * 100, r->glyph_cells);
    } else {
        sk_cmd_say(io, 1, "sshkvm: the screen is not text (too small for any text mode)\n");
    }
}

/* screen --text: frame f's characters, one line a row. */
static int print_text(struct reader *rd, const struct sk_frame *f, const struct sk_cmd_io *io)
{
    struct sk_textrec_result r;
    char *text = read_text(rd, f, &r);
    if (text == NULL) {
        say_not_text(io, &r);
        return SK_CMD_FAIL;
    }
    struct sk_buf out = {0};
    /* With a pty, the client's terminal wants CR LF. */
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && io->cols) {
            sk_buf_puts(&out, "\r");
        }
        sk_buf_append(&out, p, 1);
    }
    int rc = io->out(io->ctx, out.data ? out.data : "", out.len) == 0 ? SK_CMD_OK : SK_CMD_FAIL;
    sk_buf_free(&out);
    free(text);
    return rc;
}

/* screen: frame f as colour character art of cols x rows cells drawn as view says. */
static int print_art(struct reader *rd, const struct sk_frame *f, const struct sk_render_opts *view,
                     unsigned cols, unsigned rows, const struct sk_cmd_io *io)
{
    int rc = SK_CMD_FAIL;
    sk_render_set_opts(rd->render, view);
    struct sk_buf art = {0}, out = {0};
    unsigned w, h;
    sk_render_wanted_size_for(view, cols, rows, f->width, f->height, &w, &h);
    if (sk_picture_get(rd->dec, f, w, h, &rd->img) != 0) {
        sk_cmd_say(io, 1, "sshkvm: the newest frame is not a decodable JPEG\n");
    } else if (sk_render_ansi(rd->render, &rd->img, cols, rows, 0, &art) == 0) {
        rows_to_lines(&art, &out, io->cols ? "\r\n" : "\n");
        rc = io->out(io->ctx, out.data, out.len) == 0 ? SK_CMD_OK : SK_CMD_FAIL;
    }
    sk_buf_free(&art);
    sk_buf_free(&out);
    return rc;
}

/*
 * screen --text --json: frame f read as text, as one JSON document
 * (screenjson), printed whether or not it is text; 1 when it is not.
 */
static int print_json(struct reader *rd, const struct sk_frame *f, const struct sk_cmd_io *io)
{
    struct sk_textrec_result r;
    char *text = read_text(rd, f, &r);
    char *doc = sk_screenjson(&r, f->width, f->height);
    int rc = io->out(io->ctx, doc, strlen(doc)) == 0 ? SK_CMD_OK : SK_CMD_FAIL;
    if (text == NULL) {
        say_not_text(io, &r);
        rc = SK_CMD_FAIL;
    }
    free(doc);
    free(text);
    return rc;
}

/* screen [--cols N] [--rows N] [--mode M] [--colors C] | screen --text [--json] */
int sk_screen_print(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    int text = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        text |= strcmp(argv[i], "--text") == 0;
        json |= strcmp(argv[i], "--json") == 0;
    }
    if (json && !text) {
        return sk_cmd_usage_error(io, "screen: --json needs --text");
    }
    if (text && argc > 2 + json) {
        return sk_cmd_usage_error(io, "screen: --text takes no other option than --json");
    }
    unsigned cols = io->cols ? io->cols : 80;
    unsigned rows = io->rows ? io->rows : 24;
    struct sk_render_opts view;
    sk_render_opts_default(&view);
    for (int i = 1; i < argc && !text; i++) {
        unsigned *dst = NULL;
        unsigned max = 0;
        if (strcmp(argv[i], "--mode") == 0 || strcmp(argv[i], "--colors") == 0) {
            char why[160];
            if (i + 1 >= argc ||
                sk_render_opts_set(&view, argv[i] + 2, argv[i + 1], why, sizeof(why)) != 0 ||
                view.colors == 0) {
                return sk_cmd_usage_error(io, "screen: %s needs %s", argv[i],
                                          argv[i][2] == 'm' ? "art, half, text or auto"
                                                            : "16, 256 or 24bit");
            }
            i++;
            continue;
        }
        if (strcmp(argv[i], "--cols") == 0) {
            dst = &cols;
            max = SK_GRID_MAX_COLS;
        } else if (strcmp(argv[i], "--rows") == 0) {
            dst = &rows;
            max = SK_GRID_MAX_ROWS;
        } else {
            return sk_cmd_usage_error(io, "screen: unexpected argument '%s'", argv[i]);
        }
        if (i + 1 >= argc || parse_dim(argv[i + 1], max, dst) != 0) {
            return sk_cmd_usage_error(io, "screen: %s needs a number from 1 to %u", argv[i], max);
        }
        i++;
    }
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return SK_CMD_FAIL;
    }
    struct reader rd;
    reader_init(&rd, app);
    int rc = json   ? print_json(&rd, f, io)
             : text ? print_text(&rd, f, io)
                    : print_art(&rd, f, &view, cols, rows, io);
    reader_free(&rd);
    sk_frame_unref(f);
    return rc;
}

/*
 * wait [--regex] [--timeout SECONDS] TEXT: read every new frame as text
 * until TEXT shows (0, the line printed), the time is up (1) or the client
 * goes (1). A frame that is not text simply does not match.
 */
int sk_screen_wait(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    struct sk_match m;
    if (sk_match_parse(&m, "wait", argv + 1, argc - 1, io) != SK_CMD_OK) {
        return SK_CMD_USAGE;
    }
    int rc = SK_CMD_FAIL;
    struct reader rd;
    reader_init(&rd, app);
    int64_t deadline = sk_now_ms() + m.timeout_ms;
    uint64_t seq = 0;
    int seen_text = 0;
    sk_hub_watch(app->hub, 1);
    for (;;) {
        int64_t left = deadline - sk_now_ms();
        if (left <= 0 || sk_cmd_cancelled(io)) {
            break;
        }
        struct sk_frame *f =
            sk_hub_wait(app->hub, seq, left < WAIT_POLL_MS ? (int)left : WAIT_POLL_MS);
        if (f == NULL) {
            continue;
        }
        seq = f->seq;
        struct sk_textrec_result r;
        char *text = read_text(&rd, f, &r);
        if (text != NULL) {
            seen_text = 1;
            size_t len = 0;
            const char *line = sk_match_find(&m, text, &len);
            if (line) {
                sk_cmd_say(io, 0, "%.*s%s", (int)len, line, io->cols ? "\r\n" : "\n");
                rc = SK_CMD_OK;
            }
            free(text);
        }
        sk_frame_unref(f);
        if (rc == SK_CMD_OK) {
            break;
        }
    }
    sk_hub_watch(app->hub, -1);
    if (rc != SK_CMD_OK) {
        sk_cmd_say(io, 1, "sshkvm: '%s' did not appear within %g s%s\n", m.needle.data, m.timeout_s,
                   seen_text ? "" : " (no frame was a text screen)");
    }
    reader_free(&rd);
    sk_match_free(&m);
    return rc;
}

int sk_screen_read_text(struct sk_app *app, const struct sk_cmd_io *io, int with_cells,
                        struct sk_screen_text *t)
{
    memset(t, 0, sizeof(*t));
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return SK_CMD_FAIL;
    }
    struct reader rd;
    reader_init(&rd, app);
    struct sk_textrec_result r;
    char *text = read_text(&rd, f, &r);
    int rc = SK_CMD_FAIL;
    if (text == NULL) {
        say_not_text(io, &r);
    } else {
        t->cols = r.cols;
        t->rows = r.rows;
        snprintf(t->mode, sizeof(t->mode), "%s", r.mode ? r.mode : "");
        t->confidence = r.confidence;
        t->cursor_col = r.cursor_col;
        t->cursor_row = r.cursor_row;
        t->text = text;
        t->frame_w = f->width;
        t->frame_h = f->height;
        struct sk_screenjson_grid g;
        sk_screenjson_grid(&r, f->width, f->height, &g);
        t->cell_w = g.cell_w;
        t->cell_h = g.cell_h;
        t->origin_x = g.origin_x;
        t->origin_y = g.origin_y;
        t->palette = sk_textrec_palette_name(r.palette);
        if (with_cells) {
            json_t *doc = sk_screenjson_doc(&r, f->width, f->height);
            t->cells = json_incref(json_object_get(doc, "rows"));
            json_decref(doc);
        }
        t->line_conf = xcalloc(r.rows ? r.rows : 1, sizeof(*t->line_conf));
        for (unsigned y = 0; y < r.rows; y++) {
            unsigned sum = 0;
            for (unsigned x = 0; x < r.cols; x++) {
                sum += r.cells[y * r.cols + x].conf;
            }
            t->line_conf[y] = r.cols ? sum / (100.0 * r.cols) : 0;
        }
        rc = SK_CMD_OK;
    }
    reader_free(&rd);
    sk_frame_unref(f);
    return rc;
}

void sk_screen_text_free(struct sk_screen_text *t)
{
    free(t->text);
    free(t->line_conf);
    json_decref(t->cells);
    memset(t, 0, sizeof(*t));
}

/* The mean difference of two pictures' pixel values, 0..255 (255 when their sizes differ). */
static double picture_diff(const struct sk_image *a, const struct sk_image *b)
{
    if (a->width != b->width || a->height != b->height || a->width == 0 || a->height == 0) {
        return 255;
    }
    uint64_t sum = 0;
    for (unsigned y = 0; y < a->height; y++) {
        const uint8_t *p = a->pixels + (size_t)y * a->pitch;
        const uint8_t *q = b->pixels + (size_t)y * b->pitch;
        for (unsigned x = 0; x < a->width * 3; x++) {
            sum += (unsigned)abs(p[x] - q[x]);
        }
    }
    return (double)sum / ((double)a->width * a->height * 3);
}

#define SETTLE_THUMB_W 160 /* the size a picture is compared at: noise averages out */
#define SETTLE_THUMB_H 90
#define SETTLE_TOLERANCE 2.0 /* mean difference (0..255) still called the same picture */

int sk_screen_wait_settle(struct sk_app *app, const struct sk_cmd_io *io, int64_t quiet_ms,
                          int64_t timeout_ms)
{
    struct reader rd;
    reader_init(&rd, app);
    struct sk_image last = {0};
    char *last_text = NULL;
    int have = 0, rc = SK_CMD_FAIL;
    int64_t now = sk_now_ms(), deadline = now + timeout_ms, since = now;
    uint64_t seq = 0;
    sk_hub_watch(app->hub, 1);
    while (!sk_cmd_cancelled(io)) {
        now = sk_now_ms();
        if (have && now - since >= quiet_ms) {
            rc = SK_CMD_OK;
            break;
        }
        if (now >= deadline) {
            break;
        }
        int64_t left = deadline - now;
        struct sk_frame *f =
            sk_hub_wait(app->hub, seq, left < WAIT_POLL_MS ? (int)left : WAIT_POLL_MS);
        if (f == NULL) {
            continue; /* no new frame: nothing changed */
        }
        seq = f->seq;
        struct sk_textrec_result r;
        char *text = read_text(&rd, f, &r);
        int same;
        if (text != NULL) {
            same = have && last_text != NULL && strcmp(text, last_text) == 0;
            free(last_text);
            last_text = text;
        } else {
            struct sk_image img = {0};
            same = 0;
            if (sk_picture_get(rd.dec, f, SETTLE_THUMB_W, SETTLE_THUMB_H, &img) == 0) {
                same = have && last_text == NULL && picture_diff(&img, &last) <= SETTLE_TOLERANCE;
                sk_image_free(&last);
                last = img;
            }
            free(last_text);
            last_text = NULL;
        }
        sk_frame_unref(f);
        if (!same) {
            since = sk_now_ms();
        }
        have = 1;
    }
    sk_hub_watch(app->hub, -1);
    if (rc != SK_CMD_OK) {
        sk_cmd_say(io, 1, "sshkvm: the screen did not stay still for %lld ms within %lld ms\n",
                   (long long)quiet_ms, (long long)timeout_ms);
    }
    free(last_text);
    sk_image_free(&last);
    reader_free(&rd);
    return rc;
}

int sk_screen_snapshot_jpeg(struct sk_app *app, const struct sk_cmd_io *io, unsigned max_width,
                            struct sk_buf *out, unsigned *w, unsigned *h)
{
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return SK_CMD_FAIL;
    }
    int rc = SK_CMD_OK;
    if (max_width == 0 || f->width <= max_width) {
        sk_buf_append(out, f->data, f->size);
        *w = f->width;
        *h = f->height;
    } else {
        /* Decode at least half the size asked (the decoder's cheap 1/2, 1/4, 1/8), then shrink. */
        struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
        struct sk_jpeg_enc *enc = sk_jpeg_enc_new(80);
        struct sk_image big = {0}, small = {0};
        struct sk_frame *jf = sk_frame_new(0);
        unsigned sh = (unsigned)((uint64_t)f->height * max_width / f->width);
        sh = sh ? sh : 1;
        if (sk_picture_get(dec, f, max_width, sh, &big) != 0) {
            sk_cmd_say(io, 1, "sshkvm: the newest frame is not a decodable JPEG\n");
            rc = SK_CMD_FAIL;
        } else {
            sk_image_resize(&small, max_width, sh);
            for (unsigned y = 0; y < sh; y++) {
                const uint8_t *src = big.pixels + (size_t)(y * big.height / sh) * big.pitch;
                uint8_t *dst = small.pixels + (size_t)y * small.pitch;
                for (unsigned x = 0; x < max_width; x++) {
                    memcpy(dst + 3 * x, src + 3 * (x * big.width / max_width), 3);
                }
            }
            if (sk_jpeg_encode_rgb(enc, small.pixels, small.width, small.height, small.pitch, jf) !=
                0) {
                sk_cmd_say(io, 1, "sshkvm: could not encode the scaled picture\n");
                rc = SK_CMD_FAIL;
            } else {
                sk_buf_append(out, jf->data, jf->size);
                *w = small.width;
                *h = small.height;
            }
        }
        sk_frame_unref(jf);
        sk_image_free(&big);
        sk_image_free(&small);
        sk_jpeg_enc_free(enc);
        sk_jpeg_dec_free(dec);
    }
    sk_frame_unref(f);
    return rc;
}

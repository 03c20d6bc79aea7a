/*
 * consview: what the console shows, the picture and the status line.
 *
 * It takes the newest frame from the hub when the fps cap allows and the
 * client has drained the last update, has it rendered (through the app's
 * view cache, shared by every viewer) into a grid for this window and these
 * view settings, and writes the least bytes that turn the grid the client
 * shows into the new one. The last row is the status line (source,
 * resolution, fps, keyboard state, LEDs, who has control, or a message for
 * a few seconds). In a text view the terminal's cursor follows the
 * target's. The view settings come from the defaults and the session's
 * SSHKVM_* env requests; the menu changes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "console/consint.h"
#include "hid/hid.h"
#include "video/frame.h"
#include "video/hub.h"
#include "power/power.h"
#include "policy/roster.h"
#include "term/view.h"

#define DEFAULT_FPS 15               /* picture updates a second, unless set */
#define MAX_WINDOW_WAIT (256 * 1024) /* an update this big may wait on the window */
#define CURSOR_HOLD_MS 1500          /* a text cursor stays shown this long after last seen */

static size_t unsent(struct sk_console *c)
{
    return c->io.unsent != NULL ? c->io.unsent(c->io.ctx) : 0;
}

static size_t window_size(struct sk_console *c)
{
    return c->io.window != NULL ? c->io.window(c->io.ctx) : SIZE_MAX;
}

static const char *getenv_of(struct sk_console *c, const char *name)
{
    return c->io.getenv != NULL ? c->io.getenv(c->io.ctx, name) : NULL;
}

/* ---- the status line ---- */

/* The rows the picture gets: all but the last, which is the status line. */
static unsigned picture_rows(const struct sk_console *c)
{
    return c->rows > 1 ? c->rows - 1 : 1;
}

/* Who holds control, as the status line says it. */
static void control_text(struct sk_console *c, char *out, size_t len)
{
    char holder[SK_ROSTER_NAME_LEN];
    if (c->role == SK_ROLE_VIEW) {
        snprintf(out, len, "view only");
    } else if (c->app->roster == NULL || sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED) {
        snprintf(out, len, "shared control");
    } else {
        int h = sk_roster_holder(c->app->roster, c->member, holder, sizeof(holder));
        if (h == 1) {
            snprintf(out, len, "you have control");
        } else if (h == 0) {
            snprintf(out, len, "%s has control", holder);
        } else {
            snprintf(out, len, "control free");
        }
    }
}

/*
 * Where the terminal's cursor goes: on the target's cursor while a text
 * view shows one (held CURSOR_HOLD_MS, so that its blinking does not make
 * ours blink), hidden otherwise. Appends the moves to b when that changed,
 * or always with force (after something else moved the cursor).
 */
void sk_consview_place_cursor(struct sk_console *c, struct sk_buf *b, int force)
{
    int64_t now = sk_now_ms();
    if (c->shown.text && c->shown.cursor_col >= 0) {
        c->cursor_col = c->shown.cursor_col;
        c->cursor_row = c->shown.cursor_row;
        c->cursor_until_ms = now + CURSOR_HOLD_MS;
    }
    int show = c->shown.text && c->menu == SK_MENU_CLOSED && now < c->cursor_until_ms;
    int moved =
        show && (c->cursor_drawn_col != c->cursor_col || c->cursor_drawn_row != c->cursor_row);
    if (show && (force || moved || !c->cursor_shown)) {
        sk_buf_printf(b, "\033[%d;%dH\033[?25h", c->cursor_row + 1, c->cursor_col + 1);
        c->cursor_drawn_col = c->cursor_col;
        c->cursor_drawn_row = c->cursor_row;
    } else if (!show && c->cursor_shown) {
        sk_buf_puts(b, "\033[?25l");
    }
    c->cursor_shown = show;
}

/* The target's power as the status line says it (" | power on"), or "" without --power-gpio. */
static void power_text(struct sk_console *c, char *out, size_t len)
{
    if (c->app->power == NULL) {
        return;
    }
    struct sk_power_stats ps;
    sk_power_stats(c->app->power, &ps);
    if (ps.pressing[0] != '\0') {
        snprintf(out, len, " | pressing %s", ps.pressing);
    } else if (ps.wired) {
        snprintf(out, len, " | power %s%s", ps.state, ps.disk == 1 ? " disk" : "");
    }
}

static void status_line(struct sk_console *c, struct sk_buf *b)
{
    struct sk_hub_stats hs;
    struct sk_hid_status hid;
    sk_hub_stats(c->app->hub, &hs);
    sk_hid_status(c->app->hid, &hid);
    struct sk_buf text = {0};
    if (c->message[0] != '\0' && sk_now_ms() < c->message_until_ms) {
        sk_buf_printf(&text, " %s", c->message);
    } else {
        c->message[0] = '\0';
        /* The view's state goes first: a narrow terminal cuts the line's end. */
        if (c->shown.text) {
            sk_buf_printf(&text, " text %ux%u |", c->shown.text_cols, c->shown.text_rows);
        } else if (c->shown.note != NULL) {
            sk_buf_printf(&text, " %s", c->shown.note);
            if (c->shown.text_cols > 0) {
                sk_buf_printf(&text, " (%ux%u needs %ux%u)", c->shown.text_cols, c->shown.text_rows,
                              c->shown.text_cols, c->shown.text_rows + 1);
            }
            sk_buf_puts(&text, " |");
        }
        char control[SK_ROSTER_NAME_LEN + 32];
        control_text(c, control, sizeof(control));
        int here =
            c->app->roster ? sk_roster_count(c->app->roster) : atomic_load(&c->app->ssh_clients);
        char power[48] = "";
        power_text(c, power, sizeof(power));
        sk_buf_printf(
            &text, " sshkvm | %s %ux%u %.0ffps | keyboard %s%s%s%s%s | %s | %d here | Ctrl+] menu",
            c->app->video_name, hs.width, hs.height, hs.fps, hid.state,
            hid.leds & SK_LED_CAPS ? " CAPS" : "", hid.leds & SK_LED_NUM ? " NUM" : "",
            hid.leds & SK_LED_SCROLL ? " SCRL" : "", power, control, here);
        if (hs.no_signal) {
            sk_buf_puts(&text, " | NO SIGNAL");
        }
    }
    /* Pad or cut to the width, counting characters (the text is ASCII). */
    size_t cols = c->cols;
    size_t len = SK_MIN(text.len, cols);
    sk_buf_printf(b, "\033[%u;1H\033[0;7m", c->rows);
    sk_buf_append(b, text.data, len);
    for (size_t i = len; i < cols; i++) {
        sk_buf_puts(b, " ");
    }
    sk_buf_puts(b, "\033[0m");
    sk_buf_free(&text);
}

void sk_consview_status(struct sk_console *c, int force)
{
    int64_t now = sk_now_ms();
    if (!force && now - c->last_status_ms < SK_CONSOLE_STATUS_MS) {
        return;
    }
    if (!force && unsent(c) > 0) {
        return; /* a link that is not taking bytes gets the status line later, not a queue */
    }
    c->last_status_ms = now;
    struct sk_buf b = {0};
    status_line(c, &b);
    sk_consview_place_cursor(c, &b, 1);
    if (force || b.len != c->status.len || memcmp(b.data, c->status.data, b.len) != 0) {
        sk_console_out(c, b.data, b.len);
        sk_buf_reset(&c->status);
        sk_buf_append(&c->status, b.data, b.len);
    }
    sk_buf_free(&b);
}

/* ---- view settings: defaults, then the session's env (the menu changes them) ---- */

/* SSHKVM_<NAME> env requests and the render setting each one sets. */
static const struct {
    const char *env;
    const char *setting;
} view_env[] = {
    {"SSHKVM_MODE", "mode"},
    {"SSHKVM_COLORS", "colors"},
    {"SSHKVM_CHARSET", "charset"},
    {"SSHKVM_DITHER", "dither"},
    {"SSHKVM_BRIGHTNESS", "brightness"},
    {"SSHKVM_CONTRAST", "contrast"},
    {"SSHKVM_GAMMA", "gamma"},
};

void sk_consview_setup(struct sk_console *c, const char *term, const char *colorterm)
{
    if (c->app->view_opts != NULL) {
        c->view = *c->app->view_opts;
    } else {
        sk_render_opts_default(&c->view);
        c->view.mode = SK_RENDER_AUTO;
        c->view.colors = 0;
    }
    c->fps = c->app->view_fps > 0 ? c->app->view_fps : DEFAULT_FPS;
    c->sync = 1;
    char err[160];
    for (size_t i = 0; i < SK_ARRAY_LEN(view_env); i++) {
        const char *v = getenv_of(c, view_env[i].env);
        if (v != NULL &&
            sk_render_opts_set(&c->view, view_env[i].setting, v, err, sizeof(err)) != 0) {
            sk_console_flash(c, "%s: %s", view_env[i].env, err);
        }
    }
    if (c->view.colors == 0) {
        c->view.colors = sk_render_detect_colors(term, colorterm);
    }
    const char *fps = getenv_of(c, "SSHKVM_FPS");
    if (fps != NULL) {
        int n = atoi(fps);
        if (n >= 1 && n <= 120) {
            c->fps = n;
        } else {
            sk_console_flash(c, "SSHKVM_FPS: '%s' is not a number from 1 to 120", fps);
        }
    }
    const char *sync = getenv_of(c, "SSHKVM_SYNC");
    if (sync != NULL) {
        c->sync = strcmp(sync, "0") != 0 && strcmp(sync, "off") != 0;
    }
    sk_render_set_opts(c->render, &c->view);
}

/* ---- the picture ---- */

/*
 * Whether the client has taken everything sent so far: nothing unacknowledged
 * in the socket. One update in flight at most, so a slow link gets the newest
 * frame when it is ready for one, never a queue of old ones.
 */
static int drained(struct sk_console *c)
{
    return unsent(c) == 0;
}

/* Room in the channel's window for len bytes, so that writing them cannot block. */
static int window_room(struct sk_console *c, size_t len)
{
    size_t w = window_size(c);
    /* An update bigger than any window the client offers goes once the window is large. */
    return w >= len || w >= MAX_WINDOW_WAIT;
}

/*
 * Frame f as a grid for this session's size and settings (shared with every
 * viewer that wants the same: decoded and rendered once) into c->next, and
 * the bytes that take the client there into c->pending.
 */
static void render_frame(struct sk_console *c, struct sk_frame *f)
{
    unsigned rows = picture_rows(c);
    const struct sk_grid *g =
        sk_viewcache_get(c->cache, f, c->cols, rows, &c->view, c->dec, c->render);
    if (g == NULL) {
        return; /* a broken frame is skipped; the decoder logs it */
    }
    sk_grid_copy(&c->next, g);
    sk_viewcache_release(c->cache, g);
    atomic_fetch_add(&c->app->view.renders, 1);
    if (c->view.mode == SK_RENDER_TEXT || c->view.mode == SK_RENDER_AUTO) {
        atomic_fetch_add(c->next.text ? &c->app->view.text_frames : &c->app->view.text_art, 1);
    }
    sk_buf_reset(&c->pending);
    c->pending_captured_us = f->captured_us;
    c->pending_full = c->full_redraw;
    if (c->full_redraw) {
        sk_buf_puts(&c->pending, "\033[0m\033[2J");
    }
    /* The diff against what the client shows; after a clear, it shows nothing. */
    sk_grid_diff(c->full_redraw ? NULL : &c->shown, &c->next, 0, &c->pending);
    c->have_pending = 1;
}

/* Place the terminal's cursor (see sk_consview_place_cursor), writing only when there is something
 * to write. */
static void send_cursor(struct sk_console *c, int force)
{
    struct sk_buf b = {0};
    sk_consview_place_cursor(c, &b, force);
    if (b.len > 0) {
        sk_console_out(c, b.data, b.len);
    }
    sk_buf_free(&b);
}

/* Write the pending update, wrapped so the terminal shows it at once (DEC 2026). */
static void send_pending(struct sk_console *c)
{
    struct sk_buf b = {0};
    if (c->sync) {
        sk_buf_puts(&b, "\033[?2026h");
    }
    sk_buf_puts(&b, "\0337"); /* nothing visible should move the cursor the user sees */
    sk_buf_append(&b, c->pending.data, c->pending.len);
    sk_buf_puts(&b, "\0338");
    if (c->sync) {
        sk_buf_puts(&b, "\033[?2026l");
    }
    sk_console_out(c, b.data, b.len);
    struct sk_view_stats *st = &c->app->view;
    atomic_fetch_add(&st->updates, 1);
    atomic_fetch_add(&st->bytes, b.len);
    unsigned long long max = atomic_load(&st->max_update);
    while (b.len > max && !atomic_compare_exchange_weak(&st->max_update, &max, b.len)) {
    }
    int64_t lat = sk_now_us() - c->pending_captured_us;
    int bucket = lat < 0 ? 0 : (int)SK_MIN(lat / SK_VIEW_LAT_US, (int64_t)SK_VIEW_LAT_BUCKETS - 1);
    atomic_fetch_add(&st->latency[bucket], 1);
    sk_buf_free(&b);
    /* The client shows next now; the old grid's cells are reused for the next render. */
    struct sk_grid was = c->shown;
    c->shown = c->next;
    c->next = was;
    c->have_pending = 0;
    send_cursor(c, 0);
    if (c->full_redraw) {
        c->full_redraw = 0;
        sk_consview_status(c, 1);
    }
}

void sk_consview_draw(struct sk_console *c)
{
    if (c->menu != SK_MENU_CLOSED) {
        return;
    }
    int64_t now = sk_now_ms();
    int64_t interval = 1000 / c->fps;
    if (!c->full_redraw && now - c->last_draw_ms < interval) {
        return;
    }
    /* Back-pressure: nothing new is rendered while the last update is still on its way. */
    if (!drained(c)) {
        if (!c->deferring) {
            c->deferring = 1;
            atomic_fetch_add(&c->app->view.deferred, 1);
        }
        return;
    }
    c->deferring = 0;
    /* An update made before a resize or a menu is not what the terminal needs now. */
    unsigned rows = picture_rows(c);
    if (c->have_pending &&
        ((c->full_redraw && !c->pending_full) || c->next.cols != c->cols || c->next.rows != rows)) {
        c->have_pending = 0;
    }
    /* A full redraw takes the newest frame even if it was drawn; once rendered, only newer ones. */
    uint64_t after = c->full_redraw && !c->have_pending ? 0 : c->seq;
    struct sk_frame *f = sk_hub_wait(c->app->hub, after, 0);
    if (f != NULL) {
        c->seq = f->seq;
        /* Keep to the cap on average: the loop wakes up to PUMP_MS late. */
        c->last_draw_ms = now - c->last_draw_ms < 2 * interval ? c->last_draw_ms + interval : now;
        render_frame(c, f);
        sk_frame_unref(f);
    } else if (c->full_redraw && !c->have_pending) {
        /* No picture yet: a clear screen and the status line. */
        sk_console_outs(c, "\033[0m\033[2J");
        sk_grid_resize(&c->shown, 0, 0);
        c->full_redraw = 0;
        sk_consview_status(c, 1);
        return;
    }
    if (!c->have_pending) {
        return;
    }
    if (c->pending.len == 0) {
        c->have_pending = 0; /* the same cells: a static screen costs nothing */
        /*
         * But what they show may differ: a text view's cursor, or the place
         * of a picture that changed shape (clicks go through it).
         */
        struct sk_grid was = c->shown;
        c->shown = c->next;
        c->next = was;
        send_cursor(c, 0);
        return;
    }
    if (!window_room(c, c->pending.len + 32)) {
        return; /* kept; a newer frame replaces it, or it goes when the window opens */
    }
    send_pending(c);
}

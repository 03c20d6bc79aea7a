/*
 * console: the object and its loop.
 *
 * It owns the console's state (consint.h) and the bytes typed but not yet
 * parsed. sk_console_feed appends typed bytes and turns them into keys with
 * termkeys, handing each to the menu when it is open, to the mouse, or to
 * conskeys (which sends it to the HID); sk_console_tick runs the timers and
 * lets consview draw. sk_console_run is the session thread's loop on top of
 * them: wait on the io, take the new size and bytes, tick. When the console
 * is freed, every key it may have held is released.
 *
 * Input has two modes. A legacy terminal sends characters and sequences:
 * each becomes a tap (press and release). At start the console asks for
 * the kitty keyboard protocol (CSI ? u, then DA1 so a terminal that does
 * not answer the first is known at once); a terminal that answers gets
 * flags pushed (disambiguate, event types, alternate keys, all keys as
 * escapes) and from then on sends presses, repeats and releases of key
 * positions, which are held on the target as long as they are held here.
 * A watchdog releases a held key whose release never comes; the flags are
 * popped while the menu is open and when the session ends.
 */
#include "console/console.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "console/consint.h"
#include "hid/keymap.h"
#include "video/hub.h"
#include "base/log.h"
#include "policy/roster.h"
#include "video/jpeg.h"
#include "term/view.h"

#define PUMP_MS 15        /* input latency bound while idle */
#define ESCAPE_TIME_MS 80 /* a lone ESC waits this long for the rest of a sequence */
#define MESSAGE_MS 4000   /* how long a message stays in the status line */
#define REFUSE_QUIET_MS                                                                            \
    1000 /* after a refusal, input is dropped this long without asking again                       \
          */

void sk_console_out(struct sk_console *c, const void *data, size_t len)
{
    if (c->gone) {
        return;
    }
    if (c->io.out(c->io.ctx, data, len) != 0) {
        c->gone = 1;
        return;
    }
    sk_consrec_output(c, data, len);
}

void sk_console_outs(struct sk_console *c, const char *s)
{
    sk_console_out(c, s, strlen(s));
}

void sk_console_flash(struct sk_console *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
    c->message_until_ms = sk_now_ms() + MESSAGE_MS;
    c->last_status_ms = 0;
}

int sk_console_input(struct sk_console *c, const char *what, int take, char *msg, size_t msglen)
{
    const struct sk_identity who = {c->member, c->role, c->name[0] ? c->name : NULL,
                                    c->addr[0] ? c->addr : NULL};
    return sk_app_input(c->app, &who, what, take, msg, msglen);
}

/*
 * A view-only key never may send; in exclusive mode another session may
 * hold control. A refusal is audited at most once a second: a viewer
 * typing away is one event, not a thousand.
 */
int sk_console_may_send(struct sk_console *c)
{
    int64_t now = sk_now_ms();
    if (now - c->refused_ms < REFUSE_QUIET_MS) {
        return 0;
    }
    char msg[SK_ROSTER_NAME_LEN + 64];
    int rc = sk_console_input(c, "console", 0, msg, sizeof(msg));
    if (rc != 0) {
        c->refused_ms = now;
        sk_console_flash(c, "%s%s", msg, rc == SK_ROSTER_HELD ? ": Ctrl+] 8 takes control" : "");
        return 0;
    }
    c->had_control = 1;
    return 1;
}

/*
 * Exclusive mode: notice when control went elsewhere (taken, or lost to
 * the idle timer). The taker released every key; forget ours so that no
 * later release of ours lands on the new holder's keys. The timers look
 * every SK_CONSOLE_STATUS_MS; sk_console_keys_ours looks at once.
 */
static void control_watch(struct sk_console *c, int now_please)
{
    int64_t now = sk_now_ms();
    if (!c->had_control || c->app->roster == NULL ||
        sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED ||
        (!now_please && now - c->control_checked_ms < SK_CONSOLE_STATUS_MS)) {
        return;
    }
    c->control_checked_ms = now;
    char holder[SK_ROSTER_NAME_LEN];
    int h = sk_roster_holder(c->app->roster, c->member, holder, sizeof(holder));
    if (h == 1) {
        return;
    }
    c->had_control = 0;
    c->nheld = 0;
    c->hold_until_ms = 0;
    c->buttons = 0;
    /* Ask why: the taker may have come and gone already (a script). */
    int lost = sk_roster_lost(c->app->roster, c->member, holder, sizeof(holder));
    if (lost == 1) {
        sk_console_flash(c, "%s took control; your keys were released", holder);
    } else if (lost == 2) {
        sk_console_flash(c, "control lost: no input for a while (type to take it again)");
    }
}

int sk_console_keys_ours(struct sk_console *c)
{
    control_watch(c, 1);
    return c->had_control || c->app->roster == NULL ||
           sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED;
}

/* Drop n parsed bytes from the front of c->in. */
static void consume(struct sk_console *c, size_t n)
{
    n = SK_MIN(n, c->in.len);
    memmove(c->in.data, c->in.data + n, c->in.len - n);
    c->in.len -= n;
}

static void handle_input(struct sk_console *c)
{
    while (c->in.len > 0) {
        int64_t now = sk_now_ms();
        int timed_out = c->partial_since_ms != 0 && now - c->partial_since_ms >= ESCAPE_TIME_MS;
        struct sk_termkey k;
        long n = sk_termkeys_parse((const uint8_t *)c->in.data, c->in.len, timed_out, &k);
        if (n == SK_PARSE_PARTIAL) {
            if (c->partial_since_ms == 0) {
                c->partial_since_ms = now;
            }
            return;
        }
        if (timed_out && c->kitty) {
            /* A sequence cut short may have been a release: let nothing stay down. */
            sk_conskeys_release_held(c);
        }
        c->partial_since_ms = 0;
        if (n <= 0) {
            consume(c, 1); /* never stall on a byte the parser refuses */
            continue;
        }
        consume(c, (size_t)n);
        if (k.type == SK_TERMKEY_KITTY_FLAGS || k.type == SK_TERMKEY_DA1) {
            sk_conskeys_probe_answer(c, &k);
        } else if (c->menu != SK_MENU_CLOSED) {
            sk_consmenu_key(c, &k);
        } else if (k.type == SK_TERMKEY_MENU) {
            sk_consmenu_open(c);
        } else if (k.type == SK_TERMKEY_MOUSE) {
            if (c->mouse_on) {
                sk_conskeys_mouse(c, &k);
            }
        } else {
            sk_conskeys_termkey(c, &k);
        }
        if (c->quit) {
            return;
        }
    }
}

struct sk_console *sk_console_new(const struct sk_console_opts *opts)
{
    struct sk_console *c = xcalloc(1, sizeof(*c));
    c->io = opts->io;
    c->app = opts->app;
    c->cols = SK_MIN(opts->cols, SK_GRID_MAX_COLS);
    c->rows = SK_MIN(opts->rows, SK_GRID_MAX_ROWS);
    c->member = opts->member;
    c->role = opts->role;
    snprintf(c->name, sizeof(c->name), "%s", opts->name ? opts->name : "");
    snprintf(c->addr, sizeof(c->addr), "%s", opts->addr ? opts->addr : "");
    c->keymap = c->app->keymap;
    if (opts->keymap != NULL && opts->keymap[0] != '\0' &&
        strcmp(opts->keymap, sk_keymap_name(c->keymap)) != 0) {
        char err[256];
        struct sk_keymap *km = sk_keymap_load(c->app->keymap_dir, opts->keymap, err, sizeof(err));
        if (km != NULL) {
            c->keymap = km;
            c->keymap_owned = 1;
        } else {
            sk_console_flash(c, "%s; using %s", err, sk_keymap_name(c->keymap));
        }
    }
    c->render = sk_render_new();
    sk_render_set_text_fonts(c->render, c->app->text_fonts, c->app->text_font_count,
                             c->app->console_fonts);
    sk_render_set_text_share(c->render, c->app->text_share);
    sk_consview_setup(c, opts->term, opts->colorterm);
    c->dec = sk_jpeg_dec_new();
    c->cache = c->app->viewcache;
    if (c->cache == NULL) {
        c->cache = sk_viewcache_new();
        c->cache_owned = 1;
    }
    c->full_redraw = 1;
    sk_consrec_start(c, opts->term);
    /* Alternate screen, cursor hidden: the user's terminal is restored at the end. */
    sk_console_outs(c, "\033[?1049h\033[?25l\033[0m\033[2J");
    sk_conskeys_start(c);
    sk_hub_watch(c->app->hub, 1);
    return c;
}

void sk_console_free(struct sk_console *c)
{
    if (c == NULL) {
        return;
    }
    sk_hub_watch(c->app->hub, -1);
    sk_conskeys_end(c);
    sk_console_outs(c, "\033[0m\033[2J\033[?25h\033[?1049l");
    sk_consrec_end(c);
    if (c->keymap_owned) {
        sk_keymap_free(c->keymap);
    }
    sk_render_free(c->render);
    sk_jpeg_dec_free(c->dec);
    if (c->cache_owned) {
        sk_viewcache_free(c->cache);
    }
    sk_grid_free(&c->shown);
    sk_grid_free(&c->next);
    sk_buf_free(&c->pending);
    sk_buf_free(&c->status);
    sk_buf_free(&c->in);
    free(c);
#ifdef __GLIBC__
    /*
     * The session's recogniser and pictures (a few MB in a text or auto
     * view) were freed into its thread's arena, which glibc keeps: give the
     * free pages back, so that the server's memory returns when viewers go.
     */
    malloc_trim(0);
#endif
}

void sk_console_feed(struct sk_console *c, const void *data, size_t len)
{
    sk_buf_append(&c->in, data, len);
    handle_input(c);
}

void sk_console_resize(struct sk_console *c, unsigned cols, unsigned rows)
{
    /* The memory a session holds grows with its cells: a huge window gets the largest picture. */
    c->cols = SK_MIN(cols, SK_GRID_MAX_COLS);
    c->rows = SK_MIN(rows, SK_GRID_MAX_ROWS);
    c->full_redraw = 1;
    sk_consrec_resize(c);
    if (c->menu != SK_MENU_CLOSED) {
        sk_consmenu_close(c);
    }
}

void sk_console_tick(struct sk_console *c)
{
    if (!c->quit) {
        handle_input(c); /* an incomplete sequence whose escape time has run out */
    }
    control_watch(c, 0);
    sk_conskeys_watchdog(c);
    sk_conskeys_end_hold(c, 0);
    sk_consrec_tick(c);
    sk_consview_draw(c);
    if (c->menu == SK_MENU_CLOSED || c->message[0] != '\0') {
        sk_consview_status(c, 0);
    }
}

int sk_console_done(const struct sk_console *c)
{
    return c->quit;
}

void sk_console_run(struct sk_console *c)
{
    char buf[4096];
    while (!c->quit && c->io.wait(c->io.ctx, PUMP_MS) == 0) {
        unsigned cols, rows;
        if (c->io.resized(c->io.ctx, &cols, &rows)) {
            sk_console_resize(c, cols, rows);
        }
        long n;
        while (!c->quit && (n = c->io.in(c->io.ctx, buf, sizeof(buf))) > 0) {
            sk_console_feed(c, buf, (size_t)n);
        }
        sk_console_tick(c);
    }
}

/*
 * console: the interactive view of `ssh -t kvm@host`.
 *
 * One loop on the session's thread: pump libssh (which appends typed bytes
 * to s->in), turn bytes into keys with termkeys and the session's keymap
 * and send them to the HID, and redraw when the hub has a newer frame and
 * the client's window has room. The picture fills all rows but the last,
 * which is a status line (source, resolution, fps, keyboard state, LEDs).
 * Ctrl+] opens a small menu for what a local terminal cannot send. When the
 * session ends, every key it may have held is released.
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/access.h"
#include "cmd/app.h"
#include "policy/audit.h"
#include "video/frame.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "hid/keys.h"
#include "video/hub.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "video/picture.h"
#include "policy/roster.h"
#include "ssh/session.h"
#include "term/mousemap.h"
#include "term/grid.h"
#include "term/render.h"
#include "term/view.h"
#include "text/fontfile.h"
#include "term/termkeys.h"
#include "base/util.h"

#define PUMP_MS 15          /* input latency bound while idle */
#define ESCAPE_TIME_MS 80   /* a lone ESC waits this long for the rest of a sequence */
#define DEFAULT_FPS 15      /* picture updates a second, unless set */
#define MAX_WINDOW_WAIT (256 * 1024) /* an update this big may wait on the window */
#define STATUS_MS 500       /* status line refresh */
#define MESSAGE_MS 4000     /* how long a message stays in the status line */
#define CURSOR_HOLD_MS 1500 /* a text cursor stays shown this long after last seen */
#define HELD_MAX 8          /* keys a kitty-mode session tracks as held */
#define WATCHDOG_KEY_MS 1500 /* a held key without press/repeat this long lost its release */
#define WATCHDOG_MOD_MS 30000 /* modifiers do not auto-repeat: allow a long hold */
#define REFUSE_QUIET_MS 1000 /* after a refusal, input is dropped this long without asking again */

enum menu_state {
    MENU_CLOSED = 0,
    MENU_OPEN,
    MENU_KEY_PROMPT,    /* typing a key combo to send */
    MENU_HOLD_PROMPT,   /* typing a combo (and seconds) to hold */
    MENU_KEYMAP_PROMPT, /* typing a keymap name for this session */
    MENU_WHO,           /* the list of who is connected; any key goes back */
};

#define HOLD_DEFAULT_S 3
#define HOLD_MAX_S 60
/* xterm mouse reporting: clicks (1000), drags (1002), SGR coordinates (1006). */
#define MOUSE_ON "\033[?1000h\033[?1002h\033[?1006h"
#define MOUSE_OFF "\033[?1006l\033[?1002l\033[?1000l"

struct console {
    struct sk_session *s;
    struct sk_app *app;
    struct sk_keymap *keymap; /* the session's layout */
    int keymap_owned;
    struct sk_render *render;
    struct sk_render_opts view; /* this session's view settings */
    int fps;                /* picture update cap */
    int sync;               /* wrap updates in DEC 2026 synchronized output */
    struct sk_jpeg_dec *dec;
    struct sk_viewcache *cache; /* the app's, shared by all viewers */
    int cache_owned;
    struct sk_grid shown;   /* what the client shows */
    struct sk_grid next;    /* the picture being built */
    struct sk_buf pending;  /* the bytes from shown to next, not sent yet */
    int have_pending;
    int pending_full;       /* it repaints everything (made for a full redraw) */
    int64_t pending_captured_us;
    int deferring;          /* counted a deferral for the current wait */
    struct sk_buf status;   /* the last status line sent */
    uint64_t seq;           /* the hub frame last rendered */
    int64_t last_draw_ms;
    int64_t last_status_ms;
    int64_t partial_since_ms; /* when s->in started holding an incomplete sequence */
    int sent_keys;          /* this session pressed something: release all at the end */
    int kitty;              /* the terminal speaks the kitty keyboard protocol (flags pushed) */
    int probed;             /* the probe's answers (flags or DA1) have come */
    struct held {
        uint8_t usage;
        int64_t last_ms;    /* the last press or repeat */
    } held[HELD_MAX];
    size_t nheld;
    int mouse_on;           /* clicks on the picture go to the target's absolute mouse */
    uint8_t buttons;        /* mouse buttons this session holds down */
    uint16_t mx, my;        /* the pointer's last position, 0..32767 */
    struct sk_key hold;     /* a key held from the menu ... */
    int64_t hold_until_ms;  /* ... until then (0: none) */
    int full_redraw;
    enum menu_state menu;
    char prompt[64];
    char message[160];
    int64_t message_until_ms;
    int cursor_col, cursor_row; /* the target's cursor last seen in a text view */
    int64_t cursor_until_ms;    /* shown until then */
    int cursor_shown;           /* the terminal's cursor is visible */
    int cursor_drawn_col, cursor_drawn_row; /* where it was put */
    int quit;
    int had_control;        /* held control when last looked (exclusive mode) */
    int64_t refused_ms;     /* the last refused input */
    int64_t control_checked_ms;
};

static void out(struct console *c, const char *s, size_t len)
{
    sk_session_write(c->s, s, len, 0);
}

static void outs(struct console *c, const char *s)
{
    out(c, s, strlen(s));
}

/* The rows the picture gets: all but the last, which is the status line. */
static unsigned picture_rows(const struct console *c)
{
    return c->s->rows > 1 ? c->s->rows - 1 : 1;
}

static void flash(struct console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void flash(struct console *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof(c->message), fmt, ap);
    va_end(ap);
    c->message_until_ms = sk_now_ms() + MESSAGE_MS;
    c->last_status_ms = 0;
}

/*
 * May this session send input now? A view-only key never may; in exclusive
 * mode another session may hold control. A refusal is shown in the status
 * line (and audited, at most once a second: a viewer typing away is one
 * event, not a thousand).
 */
static int may_send(struct console *c)
{
    int64_t now = sk_now_ms();
    if (now - c->refused_ms < REFUSE_QUIET_MS) {
        return 0;
    }
    char msg[SK_ROSTER_NAME_LEN + 64];
    const struct sk_identity who = {c->s->member, c->s->role, c->s->name, c->s->peer};
    int rc = sk_app_input(c->app, &who, "console", 0, msg, sizeof(msg));
    if (rc != 0) {
        c->refused_ms = now;
        flash(c, "%s%s", msg, rc == SK_ROSTER_HELD ? ": Ctrl+] 8 takes control" : "");
        return 0;
    }
    c->had_control = 1;
    return 1;
}

/* Send keystrokes if this session may; 1 sent (or queued), 0 refused. */
static int send_keys(struct console *c, const struct sk_key *keys, size_t n)
{
    if (!may_send(c)) {
        return 0;
    }
    c->sent_keys = 1;
    /* Do not wait for the target: queued reports go out in order, and a
     * stalled target shows up in the status line rather than freezing typing. */
    int rc = sk_hid_strokes(c->app->hid, keys, n, 0);
    if (rc == SK_E_BUSY) {
        flash(c, "keyboard queue full: key dropped");
    }
    return 1;
}

/* ---- the kitty keyboard protocol: keys held as long as they are held here ---- */

static void kitty_push(struct console *c)
{
    char seq[16];
    snprintf(seq, sizeof(seq), "\033[>%du", SK_TERMKEYS_KITTY_FLAGS);
    outs(c, seq);
}

static void kitty_pop(struct console *c)
{
    outs(c, "\033[<u");
}

static void release_held(struct console *c)
{
    if (c->nheld > 0) {
        sk_hid_release_all(c->app->hid);
        c->nheld = 0;
    }
}

static int is_modifier(uint8_t usage)
{
    return usage >= 0xe0 && usage <= 0xe7;
}

/* A press, repeat or release of a key position (kitty mode). */
static void kitty_event(struct console *c, uint8_t usage, uint8_t event)
{
    size_t i = 0;
    while (i < c->nheld && c->held[i].usage != usage) {
        i++;
    }
    if (event == SK_TERMKEY_RELEASE) {
        if (i < c->nheld) {
            sk_hid_key_up(c->app->hid, usage, 0);
            c->held[i] = c->held[--c->nheld];
        }
        return;
    }
    if (i < c->nheld) {
        c->held[i].last_ms = sk_now_ms(); /* a repeat: the target repeats on its own */
        return;
    }
    if (event == SK_TERMKEY_REPEAT || c->nheld == HELD_MAX) {
        return; /* a repeat of a key we never saw go down, or too many keys */
    }
    if (!may_send(c)) {
        return;
    }
    c->sent_keys = 1;
    int rc = sk_hid_key_down(c->app->hid, usage, 0);
    if (rc != 0) {
        flash(c, "%s: key %s not pressed", rc == SK_E_BUSY ? "six keys already down" : "keyboard",
              sk_keys_name(usage) ? sk_keys_name(usage) : "?");
        return;
    }
    c->held[c->nheld++] = (struct held){.usage = usage, .last_ms = sk_now_ms()};
}

/* Release held keys whose release never came (the terminal lost it, or the link did). */
static void kitty_watchdog(struct console *c)
{
    int64_t now = sk_now_ms();
    for (size_t i = 0; i < c->nheld;) {
        int64_t limit = is_modifier(c->held[i].usage) ? WATCHDOG_MOD_MS : WATCHDOG_KEY_MS;
        if (now - c->held[i].last_ms > limit) {
            sk_log(SK_LOG_DEBUG, "console", "watchdog: releasing usage 0x%02x", c->held[i].usage);
            sk_hid_key_up(c->app->hid, c->held[i].usage, 0);
            c->held[i] = c->held[--c->nheld];
        } else {
            i++;
        }
    }
}

static void send_termkey(struct console *c, const struct sk_termkey *k)
{
    if (c->kitty && k->event != SK_TERMKEY_TAP &&
        (k->type == SK_TERMKEY_KEY || (k->type == SK_TERMKEY_CHAR && k->usage != 0))) {
        kitty_event(c, k->usage, k->event);
        return;
    }
    if (k->event == SK_TERMKEY_RELEASE) {
        return; /* a tap was typed on the press */
    }
    if (k->type == SK_TERMKEY_KEY) {
        struct sk_key key = {.usage = k->usage, .mods = k->mods};
        send_keys(c, &key, 1);
    } else if (k->type == SK_TERMKEY_CHAR) {
        struct sk_key keys[SK_KEYMAP_MAX_STROKES];
        int n = sk_keymap_lookup(c->keymap, k->cp, keys, SK_KEYMAP_MAX_STROKES);
        if (n <= 0) {
            char utf8[5] = {0};
            sk_utf8_encode(k->cp, utf8);
            flash(c, "keymap %s cannot type '%s' (U+%04X)", sk_keymap_name(c->keymap), utf8,
                  (unsigned)k->cp);
            return;
        }
        struct sk_hid_status st;
        sk_hid_status(c->app->hid, &st);
        if (st.leds & SK_LED_CAPS) {
            /* The terminal already typed the case the user wants: undo the target's Caps Lock. */
            sk_keymap_caps_lock(c->keymap, keys, (size_t)n);
        }
        /* Ctrl/Alt from the terminal apply to the key that finally types the character. */
        keys[n - 1].mods |= k->mods;
        send_keys(c, keys, (size_t)n);
    }
}

/* ---- the mouse: SGR reports on the screen shown (picture or text) become absolute ones ---- */

static void set_mouse(struct console *c, int on)
{
    c->mouse_on = on;
    outs(c, on ? MOUSE_ON : MOUSE_OFF);
    if (!on && c->buttons != 0) {
        c->buttons = 0;
        sk_hid_mouse(c->app->hid, c->mx, c->my, 0, 0);
    }
}

static void mouse_event(struct console *c, const struct sk_termkey *k)
{
    /* Where the client shows the screen: the picture, or the text screen cell for cell. */
    uint16_t x, y;
    int inside = sk_mousemap_place(&c->shown.place, k->x, k->y, &x, &y) == 0;
    unsigned b = k->cp & SK_MOUSE_BUTTON_MASK;
    uint8_t bit = b == 0 ? 0x01 : b == 1 ? 0x04 : b == 2 ? 0x02 : 0;
    int8_t wheel = 0;
    if (inside) {
        c->mx = x;
        c->my = y;
    }
    if (k->event == SK_TERMKEY_RELEASE) {
        /* A release counts wherever it happens: no button stays down. */
        if (!(c->buttons & bit)) {
            return;
        }
        c->buttons &= (uint8_t)~bit;
    } else if (!inside) {
        return; /* a click, a drag or the wheel over the letterbox bars, margins or status line */
    } else if (!may_send(c)) {
        return;
    } else if (k->cp & SK_MOUSE_WHEEL) {
        wheel = (k->cp & 1) ? -1 : 1;
    } else if (!(k->cp & SK_MOUSE_MOTION)) {
        c->buttons |= bit;
    }
    sk_hid_mouse(c->app->hid, c->mx, c->my, c->buttons, wheel);
}

/* ---- drawing ---- */

/* Who holds control, as the status line says it. */
static void control_text(struct console *c, char *out, size_t len)
{
    char holder[SK_ROSTER_NAME_LEN];
    if (c->s->role == SK_ROLE_VIEW) {
        snprintf(out, len, "view only");
    } else if (c->app->roster == NULL || sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED) {
        snprintf(out, len, "shared control");
    } else {
        int h = sk_roster_holder(c->app->roster, c->s->member, holder, sizeof(holder));
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
 * Exclusive mode: notice when control went elsewhere (taken, or lost to
 * the idle timer). The taker released every key; forget ours so that no
 * later release of ours lands on the new holder's keys.
 */
static void control_watch(struct console *c)
{
    int64_t now = sk_now_ms();
    if (!c->had_control || c->app->roster == NULL ||
        sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED ||
        now - c->control_checked_ms < STATUS_MS) {
        return;
    }
    c->control_checked_ms = now;
    char holder[SK_ROSTER_NAME_LEN];
    int h = sk_roster_holder(c->app->roster, c->s->member, holder, sizeof(holder));
    if (h == 1) {
        return;
    }
    c->had_control = 0;
    c->nheld = 0;
    c->hold_until_ms = 0;
    c->buttons = 0;
    /* Ask why: the taker may have come and gone already (a script). */
    int lost = sk_roster_lost(c->app->roster, c->s->member, holder, sizeof(holder));
    if (lost == 1) {
        flash(c, "%s took control; your keys were released", holder);
    } else if (lost == 2) {
        flash(c, "control lost: no input for a while (type to take it again)");
    }
}

static const char *view_mode_name(enum sk_render_mode m)
{
    return m == SK_RENDER_HALF ? "half blocks" : m == SK_RENDER_TEXT ? "text" : m == SK_RENDER_AUTO ? "auto" : "art";
}

/*
 * Where the terminal's cursor goes: on the target's cursor while a text
 * view shows one (held CURSOR_HOLD_MS, so that its blinking does not make
 * ours blink), hidden otherwise. Appends the moves to b when that changed,
 * or always with force (after something else moved the cursor).
 */
static void place_cursor(struct console *c, struct sk_buf *b, int force)
{
    int64_t now = sk_now_ms();
    if (c->shown.text && c->shown.cursor_col >= 0) {
        c->cursor_col = c->shown.cursor_col;
        c->cursor_row = c->shown.cursor_row;
        c->cursor_until_ms = now + CURSOR_HOLD_MS;
    }
    int show = c->shown.text && c->menu == MENU_CLOSED && now < c->cursor_until_ms;
    int moved = show && (c->cursor_drawn_col != c->cursor_col || c->cursor_drawn_row != c->cursor_row);
    if (show && (force || moved || !c->cursor_shown)) {
        sk_buf_printf(b, "\033[%d;%dH\033[?25h", c->cursor_row + 1, c->cursor_col + 1);
        c->cursor_drawn_col = c->cursor_col;
        c->cursor_drawn_row = c->cursor_row;
    } else if (!show && c->cursor_shown) {
        sk_buf_puts(b, "\033[?25l");
    }
    c->cursor_shown = show;
}

static void status_line(struct console *c, struct sk_buf *b)
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
                sk_buf_printf(&text, " (%ux%u needs %ux%u)", c->shown.text_cols,
                              c->shown.text_rows, c->shown.text_cols, c->shown.text_rows + 1);
            }
            sk_buf_puts(&text, " |");
        }
        char control[SK_ROSTER_NAME_LEN + 32];
        control_text(c, control, sizeof(control));
        int here = c->app->roster ? sk_roster_count(c->app->roster)
                                  : atomic_load(&c->app->ssh_clients);
        sk_buf_printf(&text, " sshkvm | %s %ux%u %.0ffps | keyboard %s%s%s%s | %s | %d here | Ctrl+] menu",
                      c->app->video_name, hs.width, hs.height, hs.fps, hid.state,
                      hid.leds & SK_LED_CAPS ? " CAPS" : "", hid.leds & SK_LED_NUM ? " NUM" : "",
                      hid.leds & SK_LED_SCROLL ? " SCRL" : "", control, here);
        if (hs.no_signal) {
            sk_buf_puts(&text, " | NO SIGNAL");
        }
    }
    /* Pad or cut to the width, counting characters (the text is ASCII). */
    size_t cols = c->s->cols;
    size_t len = SK_MIN(text.len, cols);
    sk_buf_printf(b, "\033[%u;1H\033[0;7m", c->s->rows);
    sk_buf_append(b, text.data, len);
    for (size_t i = len; i < cols; i++) {
        sk_buf_puts(b, " ");
    }
    sk_buf_puts(b, "\033[0m");
    sk_buf_free(&text);
}

static void draw_status(struct console *c, int force)
{
    int64_t now = sk_now_ms();
    if (!force && now - c->last_status_ms < STATUS_MS) {
        return;
    }
    if (!force && sk_session_unsent(c->s) > 0) {
        return; /* a link that is not taking bytes gets the status line later, not a queue */
    }
    c->last_status_ms = now;
    struct sk_buf b = {0};
    status_line(c, &b);
    place_cursor(c, &b, 1);
    if (force || b.len != c->status.len || memcmp(b.data, c->status.data, b.len) != 0) {
        out(c, b.data, b.len);
        sk_buf_reset(&c->status);
        sk_buf_append(&c->status, b.data, b.len);
    }
    sk_buf_free(&b);
}

static const char *view_colors_name(int colors)
{
    return colors == 24 ? "24-bit" : colors == 256 ? "256" : "16";
}

static void draw_menu(struct console *c)
{
    static const char *fixed[] = {
        "+------------- sshkvm -------------+",
        "|  1  send Ctrl+Alt+Del            |",
        "|  2  send a key by name...        |",
        "|  3  send Ctrl+]                  |",
        "|  4  release all keys             |",
        "|  5  hold a key for N s...        |",
        "|  6  change the keymap...         |",
        "|  7  mouse on/off                 |",
        "|  8  take control   9  who is on  |",
        "|  q  quit this session            |",
        "|- view ---------------------------|",
    };
    const struct sk_render_opts *v = &c->view;
    char view[7][64];
    snprintf(view[0], sizeof(view[0]), "|  m  mode      %-18s|", view_mode_name(v->mode));
    snprintf(view[1], sizeof(view[1]), "|  c  colours   %-18s|", view_colors_name(v->colors));
    snprintf(view[2], sizeof(view[2]), "|  s  charset   %-18s|", v->charset);
    snprintf(view[3], sizeof(view[3]), "|  d  dither    %-18s|", v->algorithm);
    snprintf(view[4], sizeof(view[4]), "|  b/B g/G k/K  %-18s|", "");
    snprintf(view[5], sizeof(view[5]), "|   bri %+.1f gam %.1f con %.1f   |", v->brightness,
             v->gamma, v->contrast);
    snprintf(view[6], sizeof(view[6]), "|  f  fps cap   %-18d|", c->fps);
    const char *lines[SK_ARRAY_LEN(fixed) + 7 + 2];
    unsigned h = 0;
    for (size_t i = 0; i < SK_ARRAY_LEN(fixed); i++) {
        lines[h++] = fixed[i];
    }
    for (size_t i = 0; i < 7; i++) {
        lines[h++] = view[i];
    }
    lines[h++] = "|  Esc  back to the screen         |";
    lines[h++] = "+----------------------------------+";
    unsigned w = 36;
    unsigned top = c->s->rows > h + 1 ? (c->s->rows - 1 - h) / 2 : 0;
    unsigned left = c->s->cols > w ? (c->s->cols - w) / 2 : 0;
    struct sk_buf b = {0};
    for (unsigned i = 0; i < h; i++) {
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m%s", top + i + 1, left + 1, lines[i]);
    }
    static const struct {
        enum menu_state state;
        const char *label, *example;
    } prompts[] = {
        {MENU_KEY_PROMPT, "key", "e.g. ctrl+alt+f1, f12, print    "},
        {MENU_HOLD_PROMPT, "hold", "e.g. f12 3, shift 10 (seconds)  "},
        {MENU_KEYMAP_PROMPT, "keymap", "e.g. us, de, fr, us-intl        "},
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(prompts); i++) {
        if (c->menu != prompts[i].state) {
            continue;
        }
        int width = 32 - (int)strlen(prompts[i].label) - 2;
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m| %s: %-*.*s|", top + h + 1, left + 1,
                      prompts[i].label, width, width, c->prompt);
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m| %s|", top + h + 2, left + 1,
                      prompts[i].example);
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m%s", top + h + 3, left + 1, lines[h - 1]);
    }
    sk_buf_puts(&b, "\033[0m");
    place_cursor(c, &b, 0);
    out(c, b.data, b.len);
    sk_buf_free(&b);
}

/* ---- view settings: defaults, then the session's env, then the menu ---- */

/* SSHKVM_<NAME> env requests and the render setting each one sets. */
static const struct {
    const char *env;
    const char *setting;
} view_env[] = {
    {"SSHKVM_MODE", "mode"},       {"SSHKVM_COLORS", "colors"},
    {"SSHKVM_CHARSET", "charset"}, {"SSHKVM_DITHER", "dither"},
    {"SSHKVM_BRIGHTNESS", "brightness"}, {"SSHKVM_CONTRAST", "contrast"},
    {"SSHKVM_GAMMA", "gamma"},
};

static void view_setup(struct console *c)
{
    if (c->app->view_opts != NULL) {
        c->view = *c->app->view_opts;
    } else {
        sk_render_opts_default(&c->view);
        c->view.colors = 0;
    }
    c->fps = c->app->view_fps > 0 ? c->app->view_fps : DEFAULT_FPS;
    c->sync = 1;
    char err[160];
    for (size_t i = 0; i < SK_ARRAY_LEN(view_env); i++) {
        const char *v = sk_session_getenv(c->s, view_env[i].env);
        if (v != NULL && sk_render_opts_set(&c->view, view_env[i].setting, v, err, sizeof(err)) != 0) {
            flash(c, "%s: %s", view_env[i].env, err);
        }
    }
    if (c->view.colors == 0) {
        c->view.colors = sk_render_detect_colors(c->s->term, c->s->colorterm);
    }
    const char *fps = sk_session_getenv(c->s, "SSHKVM_FPS");
    if (fps != NULL) {
        int n = atoi(fps);
        if (n >= 1 && n <= 120) {
            c->fps = n;
        } else {
            flash(c, "SSHKVM_FPS: '%s' is not a number from 1 to 120", fps);
        }
    }
    const char *sync = sk_session_getenv(c->s, "SSHKVM_SYNC");
    if (sync != NULL) {
        c->sync = strcmp(sync, "0") != 0 && strcmp(sync, "off") != 0;
    }
    sk_render_set_opts(c->render, &c->view);
}

/* The next of a list of names after current (the first when current is last or absent). */
static const char *cycle(const char *const *names, size_t n, const char *current)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], current) == 0) {
            return names[(i + 1) % n];
        }
    }
    return names[0];
}

static double step(double v, double by, double lo, double hi)
{
    v = round((v + by) * 10) / 10;
    return v < lo ? lo : v > hi ? hi : v;
}

/* A view key in the menu: change the setting and stay in the menu. Returns 1 when handled. */
static int view_menu_key(struct console *c, uint32_t cp)
{
    static const char *const charsets[] = {"ascii", "shades", "blocks"};
    static const char *const dithers[] = {"none", "ordered2", "ordered4", "ordered8", "random",
                                          "fstein"};
    static const int fps[] = {5, 10, 15, 30, 60};
    struct sk_render_opts *v = &c->view;
    switch (cp) {
    case 'm':
        v->mode = v->mode == SK_RENDER_ART    ? SK_RENDER_HALF
                  : v->mode == SK_RENDER_HALF ? SK_RENDER_TEXT
                  : v->mode == SK_RENDER_TEXT ? SK_RENDER_AUTO
                                              : SK_RENDER_ART;
        break;
    case 'c':
        v->colors = v->colors == 16 ? 256 : v->colors == 256 ? 24 : 16;
        break;
    case 's':
        snprintf(v->charset, sizeof(v->charset), "%s",
                 cycle(charsets, SK_ARRAY_LEN(charsets), v->charset));
        break;
    case 'd':
        snprintf(v->algorithm, sizeof(v->algorithm), "%s",
                 cycle(dithers, SK_ARRAY_LEN(dithers), v->algorithm));
        break;
    case 'b':
    case 'B':
        v->brightness = step(v->brightness, cp == 'b' ? -0.1 : 0.1, -1, 1);
        break;
    case 'k':
    case 'K':
        v->contrast = step(v->contrast, cp == 'k' ? -0.1 : 0.1, 0, 4);
        break;
    case 'g':
    case 'G':
        v->gamma = step(v->gamma, cp == 'g' ? -0.1 : 0.1, 0.1, 10);
        break;
    case 'f': {
        size_t i = 0;
        while (i < SK_ARRAY_LEN(fps) && fps[i] <= c->fps) {
            i++;
        }
        c->fps = i < SK_ARRAY_LEN(fps) ? fps[i] : fps[0];
        break;
    }
    default:
        return 0;
    }
    sk_render_set_opts(c->render, v);
    draw_menu(c);
    return 1;
}

/*
 * Whether the client has taken everything sent so far: nothing unacknowledged
 * in the socket. One update in flight at most, so a slow link gets the newest
 * frame when it is ready for one, never a queue of old ones.
 */
static int drained(struct console *c)
{
    return sk_session_unsent(c->s) == 0;
}

/* Room in the channel's window for len bytes, so that writing them cannot block. */
static int window_room(struct console *c, size_t len)
{
    size_t w = sk_session_window(c->s);
    /* An update bigger than any window the client offers goes once the window is large. */
    return w >= len || w >= MAX_WINDOW_WAIT;
}

/*
 * Frame f as a grid for this session's size and settings (shared with every
 * viewer that wants the same: decoded and rendered once) into c->next, and
 * the bytes that take the client there into c->pending.
 */
static void render_frame(struct console *c, struct sk_frame *f)
{
    unsigned rows = picture_rows(c);
    const struct sk_grid *g =
        sk_viewcache_get(c->cache, f, c->s->cols, rows, &c->view, c->dec, c->render);
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

/* Place the terminal's cursor (see place_cursor), writing only when there is something to write. */
static void send_cursor(struct console *c, int force)
{
    struct sk_buf b = {0};
    place_cursor(c, &b, force);
    if (b.len > 0) {
        out(c, b.data, b.len);
    }
    sk_buf_free(&b);
}

/* Write the pending update, wrapped so the terminal shows it at once (DEC 2026). */
static void send_pending(struct console *c)
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
    out(c, b.data, b.len);
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
        draw_status(c, 1);
    }
}

static void maybe_draw(struct console *c)
{
    if (c->menu != MENU_CLOSED) {
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
    if (c->have_pending && ((c->full_redraw && !c->pending_full) || c->next.cols != c->s->cols ||
                            c->next.rows != rows)) {
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
        outs(c, "\033[0m\033[2J");
        sk_grid_resize(&c->shown, 0, 0);
        c->full_redraw = 0;
        draw_status(c, 1);
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

/* ---- the menu ---- */

static void close_menu(struct console *c)
{
    c->menu = MENU_CLOSED;
    c->full_redraw = 1;
    if (c->kitty) {
        kitty_push(c);
    }
}

static void open_menu(struct console *c)
{
    /* The menu reads characters: legacy input while it is open, nothing held. */
    if (c->kitty) {
        kitty_pop(c);
        release_held(c);
    }
    c->menu = MENU_OPEN;
    draw_menu(c);
}

static void take_control(struct console *c)
{
    char msg[SK_ROSTER_NAME_LEN + 64];
    const struct sk_identity who = {c->s->member, c->s->role, c->s->name, c->s->peer};
    int rc = sk_app_input(c->app, &who, "take", 1, msg, sizeof(msg));
    if (rc != 0) {
        flash(c, "%s", msg);
        return;
    }
    c->had_control = 1;
    c->refused_ms = 0;
    flash(c, c->app->roster && sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED
                 ? "control is shared: everyone with the control role types"
                 : "you have control");
}

/* Who is connected: one line each, in a box over the picture; any key goes back. */
static void draw_who(struct console *c)
{
    struct sk_buf list = {0}, b = {0};
    if (c->app->roster != NULL) {
        sk_roster_text(c->app->roster, &list, "\n");
    }
    unsigned w = c->s->cols > 4 ? c->s->cols - 4 : c->s->cols;
    unsigned row = 2, last = c->s->rows > 3 ? c->s->rows - 2 : 1;
    sk_buf_printf(&b, "\033[%u;3H\033[0;30;47m %-*.*s", row++, (int)w - 1, (int)w - 1,
                  "who is connected (any key: back)");
    for (const char *p = list.data; p != NULL && *p != '\0' && row <= last;) {
        size_t n = strcspn(p, "\n");
        sk_buf_printf(&b, "\033[%u;3H\033[0;30;47m %-*.*s", row++, (int)w - 1,
                      (int)SK_MIN(n, (size_t)w - 1), p);
        p += n + (p[n] == '\n');
    }
    sk_buf_puts(&b, "\033[0m");
    out(c, b.data, b.len);
    c->menu = MENU_WHO;
    sk_buf_free(&b);
    sk_buf_free(&list);
}

/* "COMBO [SECONDS]": hold the combo down from now; the loop releases it. */
static int start_hold(struct console *c, char *err, size_t errlen)
{
    char combo[64];
    long secs = HOLD_DEFAULT_S;
    char *sp = strchr(c->prompt, ' ');
    snprintf(combo, sizeof(combo), "%.*s", sp ? (int)(sp - c->prompt) : (int)strlen(c->prompt),
             c->prompt);
    if (sp != NULL) {
        char *end;
        secs = strtol(sp + 1, &end, 10);
        if (*end != '\0' || secs < 1 || secs > HOLD_MAX_S) {
            snprintf(err, errlen, "hold: '%s' is not 1 to %d seconds", sp + 1, HOLD_MAX_S);
            return -1;
        }
    }
    struct sk_key key;
    if (sk_keys_parse_combo(combo, &key, err, errlen) != 0) {
        return -1;
    }
    c->refused_ms = 0; /* a menu choice is deliberate: always ask */
    if (!may_send(c)) {
        snprintf(err, errlen, "%s", c->message);
        return -1;
    }
    if (c->hold_until_ms != 0) {
        sk_hid_key_up(c->app->hid, c->hold.usage, c->hold.mods);
    }
    c->sent_keys = 1;
    if (sk_hid_key_down(c->app->hid, key.usage, key.mods) != 0) {
        snprintf(err, errlen, "hold: the keyboard did not take %s", combo);
        return -1;
    }
    c->hold = key;
    c->hold_until_ms = sk_now_ms() + secs * 1000;
    flash(c, "holding %s for %ld s", combo, secs);
    return 0;
}

static void end_hold(struct console *c, int now)
{
    if (c->hold_until_ms != 0 && (now || sk_now_ms() >= c->hold_until_ms)) {
        sk_hid_key_up(c->app->hid, c->hold.usage, c->hold.mods);
        c->hold_until_ms = 0;
    }
}

static int switch_keymap(struct console *c, char *err, size_t errlen)
{
    struct sk_keymap *km = sk_keymap_load(c->app->keymap_dir, c->prompt, err, errlen);
    if (km == NULL) {
        return -1;
    }
    if (c->keymap_owned) {
        sk_keymap_free(c->keymap);
    }
    c->keymap = km;
    c->keymap_owned = 1;
    flash(c, "keymap %s", sk_keymap_name(km));
    return 0;
}

/* Enter in a prompt: do what it asks; 0, or -1 with err set. */
static int prompt_done(struct console *c, char *err, size_t errlen)
{
    if (c->menu == MENU_HOLD_PROMPT) {
        return start_hold(c, err, errlen);
    }
    if (c->menu == MENU_KEYMAP_PROMPT) {
        return switch_keymap(c, err, errlen);
    }
    struct sk_key key;
    if (sk_keys_parse_combo(c->prompt, &key, err, errlen) != 0) {
        return -1;
    }
    if (send_keys(c, &key, 1)) {
        flash(c, "sent %s", c->prompt);
    }
    return 0;
}

static void open_prompt(struct console *c, enum menu_state state)
{
    c->menu = state;
    c->prompt[0] = '\0';
    draw_menu(c);
}

static void menu_key(struct console *c, const struct sk_termkey *k)
{
    if (c->menu == MENU_KEY_PROMPT || c->menu == MENU_HOLD_PROMPT || c->menu == MENU_KEYMAP_PROMPT) {
        size_t len = strlen(c->prompt);
        if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ENTER) {
            char err[160];
            if (prompt_done(c, err, sizeof(err)) == 0) {
                close_menu(c);
            } else {
                flash(c, "%s", err);
                c->prompt[0] = '\0';
                draw_status(c, 1);
            }
        } else if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_BACKSPACE && len > 0) {
            c->prompt[len - 1] = '\0';
        } else if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ESCAPE) {
            close_menu(c);
            return;
        } else if (k->type == SK_TERMKEY_CHAR && k->mods == 0 && k->cp >= 0x20 && k->cp < 0x7f &&
                   len + 1 < sizeof(c->prompt) && len < 26) {
            c->prompt[len] = (char)k->cp;
            c->prompt[len + 1] = '\0';
        }
        if (c->menu != MENU_CLOSED) {
            draw_menu(c);
        }
        return;
    }
    if (c->menu == MENU_WHO || (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ESCAPE)) {
        close_menu(c);
        return;
    }
    if (k->type == SK_TERMKEY_MENU) {
        close_menu(c); /* Ctrl+] twice goes back, as telnet's escape does */
        return;
    }
    if (k->type != SK_TERMKEY_CHAR) {
        return;
    }
    if (k->mods == 0 && view_menu_key(c, k->cp)) {
        return;
    }
    c->refused_ms = 0; /* a menu choice is deliberate: always ask, never drop it quietly */
    switch (k->cp) {
    case '1': {
        struct sk_key cad = {.usage = SK_USAGE_DELETE, .mods = SK_MOD_LCTRL | SK_MOD_LALT};
        if (send_keys(c, &cad, 1)) {
            flash(c, "sent ctrl+alt+delete");
        }
        close_menu(c);
        break;
    }
    case '2':
        open_prompt(c, MENU_KEY_PROMPT);
        break;
    case '5':
        open_prompt(c, MENU_HOLD_PROMPT);
        break;
    case '6':
        open_prompt(c, MENU_KEYMAP_PROMPT);
        break;
    case '7':
        set_mouse(c, !c->mouse_on);
        flash(c, "mouse %s", c->mouse_on ? "on: clicks go to the target" : "off: the terminal selects text");
        close_menu(c);
        break;
    case '3': {
        struct sk_key key = {.usage = (uint8_t)sk_keys_usage("bracketright"), .mods = SK_MOD_LCTRL};
        if (send_keys(c, &key, 1)) {
            flash(c, "sent ctrl+]");
        }
        close_menu(c);
        break;
    }
    case '4':
        if (may_send(c)) {
            sk_hid_release_all(c->app->hid);
            flash(c, "released all keys");
        }
        close_menu(c);
        break;
    case '8':
        take_control(c);
        close_menu(c);
        break;
    case '9':
        draw_who(c);
        break;
    case 'q':
    case 'Q':
        c->quit = 1;
        break;
    default:
        break;
    }
}

/* ---- input ---- */

static void handle_input(struct console *c)
{
    while (c->s->in.len > 0) {
        int64_t now = sk_now_ms();
        int timed_out = c->partial_since_ms != 0 && now - c->partial_since_ms >= ESCAPE_TIME_MS;
        struct sk_termkey k;
        long n = sk_termkeys_parse((const uint8_t *)c->s->in.data, c->s->in.len, timed_out, &k);
        if (n == SK_PARSE_PARTIAL) {
            if (c->partial_since_ms == 0) {
                c->partial_since_ms = now;
            }
            return;
        }
        if (timed_out && c->kitty) {
            /* A sequence cut short may have been a release: let nothing stay down. */
            release_held(c);
        }
        c->partial_since_ms = 0;
        if (n <= 0) {
            sk_session_consume(c->s, 1); /* never stall on a byte the parser refuses */
            continue;
        }
        sk_session_consume(c->s, (size_t)n);
        if (k.type == SK_TERMKEY_KITTY_FLAGS || k.type == SK_TERMKEY_DA1) {
            /* The probe's answers: flags first means the protocol is there. */
            if (!c->probed && k.type == SK_TERMKEY_KITTY_FLAGS) {
                c->kitty = 1;
                if (c->menu == MENU_CLOSED) {
                    kitty_push(c);
                }
                sk_log(SK_LOG_INFO, "console", "kitty keyboard protocol on");
            }
            c->probed = 1;
        } else if (c->menu != MENU_CLOSED) {
            menu_key(c, &k);
        } else if (k.type == SK_TERMKEY_MENU) {
            open_menu(c);
        } else if (k.type == SK_TERMKEY_MOUSE) {
            if (c->mouse_on) {
                mouse_event(c, &k);
            }
        } else {
            send_termkey(c, &k);
        }
        if (c->quit) {
            return;
        }
    }
}

static void console_setup(struct console *c)
{
    c->app = c->s->app;
    c->keymap = c->app->keymap;
    if (c->s->keymap[0] != '\0' && strcmp(c->s->keymap, sk_keymap_name(c->keymap)) != 0) {
        char err[256];
        struct sk_keymap *km = sk_keymap_load(c->app->keymap_dir, c->s->keymap, err, sizeof(err));
        if (km != NULL) {
            c->keymap = km;
            c->keymap_owned = 1;
        } else {
            flash(c, "%s; using %s", err, sk_keymap_name(c->keymap));
        }
    }
    c->render = sk_render_new();
    sk_render_set_text_fonts(c->render, c->app->text_fonts, c->app->text_font_count);
    view_setup(c);
    c->dec = sk_jpeg_dec_new();
    c->cache = c->app->viewcache;
    if (c->cache == NULL) {
        c->cache = sk_viewcache_new();
        c->cache_owned = 1;
    }
    c->full_redraw = 1;
    /* Alternate screen, cursor hidden: the user's terminal is restored at the end. */
    outs(c, "\033[?1049h\033[?25l\033[0m\033[2J");
    /* Ask for the kitty keyboard protocol; DA1 after it, which every terminal answers. */
    outs(c, "\033[?u\033[c");
    struct sk_hid_status hs;
    sk_hid_status(c->app->hid, &hs);
    /* A view-only session cannot click: leave the mouse to the terminal (text selection). */
    if (strcmp(hs.mouse, "none") != 0 && c->s->role != SK_ROLE_VIEW) {
        set_mouse(c, 1);
    }
}

static void console_teardown(struct console *c)
{
    /* Another session that took control released our keys and types now: leave its alone. */
    int other_holds = c->app->roster != NULL &&
                      sk_roster_holder(c->app->roster, c->s->member, NULL, 0) == 0;
    if (other_holds) {
        c->sent_keys = 0;
        c->hold_until_ms = 0;
        c->buttons = 0;
    }
    if (c->sent_keys) {
        /* Whatever this session held (or a stroke still queued) ends released. */
        sk_hid_release_all(c->app->hid);
    }
    end_hold(c, 1);
    if (c->buttons != 0) {
        sk_hid_mouse(c->app->hid, c->mx, c->my, 0, 0);
    }
    if (!c->s->closed) {
        if (c->mouse_on) {
            outs(c, MOUSE_OFF);
        }
        if (c->kitty && c->menu == MENU_CLOSED) {
            kitty_pop(c);
        }
        outs(c, "\033[0m\033[2J\033[?25h\033[?1049l");
    }
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
}

void sk_console_run(struct sk_session *s)
{
    struct console c = {.s = s};
    console_setup(&c);
    sk_hub_watch(c.app->hub, 1);
    while (!c.quit && !s->closed && !s->eof && !atomic_load(s->stopping)) {
        if (sk_session_pump(s, PUMP_MS) != 0) {
            break;
        }
        if (s->resized) {
            s->resized = 0;
            c.full_redraw = 1;
            if (c.menu != MENU_CLOSED) {
                close_menu(&c);
            }
        }
        handle_input(&c);
        control_watch(&c);
        kitty_watchdog(&c);
        end_hold(&c, 0);
        maybe_draw(&c);
        if (c.menu == MENU_CLOSED || c.message[0] != '\0') {
            draw_status(&c, 0);
        }
    }
    sk_hub_watch(c.app->hub, -1);
    console_teardown(&c);
}

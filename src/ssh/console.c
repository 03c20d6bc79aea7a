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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "demo/demo.h"
#include "frame.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "hid/keys.h"
#include "hub.h"
#include "image.h"
#include "jpeg.h"
#include "log.h"
#include "picture.h"
#include "ssh/session.h"
#include "term/mousemap.h"
#include "term/render.h"
#include "term/termkeys.h"
#include "util.h"

#define PUMP_MS 15          /* input latency bound while idle */
#define ESCAPE_TIME_MS 80   /* a lone ESC waits this long for the rest of a sequence */
#define MIN_FRAME_MS 66     /* at most ~15 redraws a second */
#define STATUS_MS 500       /* status line refresh */
#define MESSAGE_MS 4000     /* how long a message stays in the status line */
#define HELD_MAX 8          /* keys a kitty-mode session tracks as held */
#define WATCHDOG_KEY_MS 1500 /* a held key without press/repeat this long lost its release */
#define WATCHDOG_MOD_MS 30000 /* modifiers do not auto-repeat: allow a long hold */

enum menu_state {
    MENU_CLOSED = 0,
    MENU_OPEN,
    MENU_KEY_PROMPT,    /* typing a key combo to send */
    MENU_HOLD_PROMPT,   /* typing a combo (and seconds) to hold */
    MENU_KEYMAP_PROMPT, /* typing a keymap name for this session */
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
    struct sk_jpeg_dec *dec;
    struct sk_image img;
    struct sk_buf art;      /* the last picture sent */
    struct sk_buf next;     /* the picture being built */
    struct sk_buf status;   /* the last status line sent */
    uint64_t seq;           /* the hub frame last drawn */
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
    int quit;
};

static void out(struct console *c, const char *s, size_t len)
{
    sk_session_write(c->s, s, len, 0);
}

static void outs(struct console *c, const char *s)
{
    out(c, s, strlen(s));
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

static void send_keys(struct console *c, const struct sk_key *keys, size_t n)
{
    c->sent_keys = 1;
    /* Do not wait for the target: queued reports go out in order, and a
     * stalled target shows up in the status line rather than freezing typing. */
    int rc = sk_hid_strokes(c->app->hid, keys, n, 0);
    if (rc == SK_E_BUSY) {
        flash(c, "keyboard queue full: key dropped");
    }
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

/* ---- the mouse: SGR reports on the picture become absolute mouse events ---- */

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
    struct sk_hub_stats hs;
    sk_hub_stats(c->app->hub, &hs);
    unsigned rows = c->s->rows > 1 ? c->s->rows - 1 : 1; /* the last row is the status line */
    uint16_t x, y;
    int inside = sk_mousemap_cell(c->s->cols, rows, hs.width, hs.height, k->x, k->y, &x, &y) == 0;
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
        return; /* a click, a drag or the wheel over the letterbox bars or the status line */
    } else if (k->cp & SK_MOUSE_WHEEL) {
        wheel = (k->cp & 1) ? -1 : 1;
    } else if (!(k->cp & SK_MOUSE_MOTION)) {
        c->buttons |= bit;
    }
    sk_hid_mouse(c->app->hid, c->mx, c->my, c->buttons, wheel);
}

/* ---- drawing ---- */

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
        sk_buf_printf(&text, " sshkvm | %s %ux%u %.0ffps | keyboard %s%s%s%s | %d ssh | Ctrl+] menu",
                      c->app->video_name, hs.width, hs.height, hs.fps, hid.state,
                      hid.leds & SK_LED_CAPS ? " CAPS" : "", hid.leds & SK_LED_NUM ? " NUM" : "",
                      hid.leds & SK_LED_SCROLL ? " SCRL" : "", atomic_load(&c->app->ssh_clients));
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
    c->last_status_ms = now;
    struct sk_buf b = {0};
    status_line(c, &b);
    if (force || b.len != c->status.len || memcmp(b.data, c->status.data, b.len) != 0) {
        out(c, b.data, b.len);
        sk_buf_reset(&c->status);
        sk_buf_append(&c->status, b.data, b.len);
    }
    sk_buf_free(&b);
}

static void draw_menu(struct console *c)
{
    static const char *lines[] = {
        "+------------- sshkvm -------------+",
        "|  1  send Ctrl+Alt+Del            |",
        "|  2  send a key by name...        |",
        "|  3  send Ctrl+]                  |",
        "|  4  release all keys             |",
        "|  5  hold a key for N s...        |",
        "|  6  change the keymap...         |",
        "|  7  mouse on/off                 |",
        "|  q  quit this session            |",
        "|  Esc  back to the screen         |",
        "+----------------------------------+",
    };
    unsigned h = (unsigned)SK_ARRAY_LEN(lines), w = 36;
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
    out(c, b.data, b.len);
    sk_buf_free(&b);
}

static void draw_frame(struct console *c, struct sk_frame *f)
{
    unsigned rows = c->s->rows > 1 ? c->s->rows - 1 : 1;
    unsigned w, h;
    sk_render_wanted_size(c->s->cols, rows, f->width, f->height, &w, &h);
    if (sk_picture_get(c->dec, f, w, h, &c->img) != 0) {
        return; /* a broken frame is skipped; the decoder logs it */
    }
    sk_buf_reset(&c->next);
    if (sk_render_ansi(c->render, &c->img, c->s->cols, rows, 0, &c->next) != 0) {
        return;
    }
    /* A static screen costs nothing after its first frame. */
    if (!c->full_redraw && c->next.len == c->art.len &&
        memcmp(c->next.data, c->art.data, c->art.len) == 0) {
        return;
    }
    struct sk_buf b = {0};
    if (c->full_redraw) {
        sk_buf_puts(&b, "\033[0m\033[2J");
    }
    sk_buf_puts(&b, "\0337"); /* nothing visible should move the cursor the user sees */
    sk_buf_append(&b, c->next.data, c->next.len);
    sk_buf_puts(&b, "\0338");
    out(c, b.data, b.len);
    sk_buf_free(&b);
    struct sk_buf t = c->art;
    c->art = c->next;
    c->next = t;
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
    if (!c->full_redraw && now - c->last_draw_ms < MIN_FRAME_MS) {
        return;
    }
    /* Back-pressure: render the newest frame only once the client has room for it. */
    size_t need = c->art.len > 0 ? c->art.len : 4096;
    if (sk_session_window(c->s) < need) {
        return;
    }
    struct sk_frame *f = sk_hub_wait(c->app->hub, c->full_redraw ? 0 : c->seq, 0);
    if (f == NULL) {
        if (c->full_redraw) {
            outs(c, "\033[0m\033[2J");
            c->full_redraw = 0;
            draw_status(c, 1);
        }
        return;
    }
    c->seq = f->seq;
    c->last_draw_ms = now;
    draw_frame(c, f);
    sk_frame_unref(f);
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
    send_keys(c, &key, 1);
    flash(c, "sent %s", c->prompt);
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
    if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ESCAPE) {
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
    switch (k->cp) {
    case '1': {
        struct sk_key cad = {.usage = SK_USAGE_DELETE, .mods = SK_MOD_LCTRL | SK_MOD_LALT};
        send_keys(c, &cad, 1);
        flash(c, "sent ctrl+alt+delete");
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
        send_keys(c, &key, 1);
        flash(c, "sent ctrl+]");
        close_menu(c);
        break;
    }
    case '4':
        sk_hid_release_all(c->app->hid);
        flash(c, "released all keys");
        close_menu(c);
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
    c->dec = sk_jpeg_dec_new();
    c->full_redraw = 1;
    /* Alternate screen, cursor hidden: the user's terminal is restored at the end. */
    outs(c, "\033[?1049h\033[?25l\033[0m\033[2J");
    /* Ask for the kitty keyboard protocol; DA1 after it, which every terminal answers. */
    outs(c, "\033[?u\033[c");
    struct sk_hid_status hs;
    sk_hid_status(c->app->hid, &hs);
    if (strcmp(hs.mouse, "none") != 0) {
        set_mouse(c, 1);
    }
}

static void console_teardown(struct console *c)
{
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
    sk_image_free(&c->img);
    sk_buf_free(&c->art);
    sk_buf_free(&c->next);
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

/*
 * conskeys: the console's keys and clicks, on their way to the HID.
 *
 * console.c hands it each key the terminal sent (already parsed by
 * termkeys). A legacy key or character becomes a tap, through the
 * session's keymap; in kitty mode a key position is pressed, held and
 * released as it is on the client, with a watchdog for releases that never
 * come. SGR mouse reports over the screen shown become absolute pointer
 * reports. It also holds a key for a time (the menu's "hold") and, at the
 * end, releases whatever the session held. Everything it sends passes
 * sk_console_may_send first.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/app.h"
#include "console/consint.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "base/log.h"
#include "policy/roster.h"
#include "term/mousemap.h"

#define WATCHDOG_KEY_MS 1500  /* a held key without press/repeat this long lost its release */
#define WATCHDOG_MOD_MS 30000 /* modifiers do not auto-repeat: allow a long hold */

int sk_conskeys_send(struct sk_console *c, const struct sk_key *keys, size_t n)
{
    if (!sk_console_may_send(c)) {
        return 0;
    }
    c->sent_keys = 1;
    /* Do not wait for the target: queued reports go out in order, and a
     * stalled target shows up in the status line rather than freezing typing. */
    int rc = sk_hid_strokes(c->app->hid, keys, n, 0);
    if (rc == SK_E_BUSY) {
        sk_console_flash(c, "keyboard queue full: key dropped");
    }
    return 1;
}

/* A key or combination sent, by name, in the session's recording. */
static void mark_key(struct sk_console *c, const struct sk_key *key)
{
    char name[64];
    sk_consrec_mark(c, "key %s", sk_keys_format(key, name, sizeof(name)));
}

/* ---- the kitty keyboard protocol: keys held as long as they are held here ---- */

void sk_conskeys_kitty_push(struct sk_console *c)
{
    char seq[16];
    snprintf(seq, sizeof(seq), "\033[>%du", SK_TERMKEYS_KITTY_FLAGS);
    sk_console_outs(c, seq);
}

void sk_conskeys_kitty_pop(struct sk_console *c)
{
    sk_console_outs(c, "\033[<u");
}

void sk_conskeys_release_held(struct sk_console *c)
{
    if (c->nheld > 0) {
        sk_hid_release_all(c->app->hid);
        c->nheld = 0;
    }
}

void sk_conskeys_start(struct sk_console *c)
{
    /* Ask for the kitty keyboard protocol; DA1 after it, which every terminal answers. */
    sk_console_outs(c, "\033[?u\033[c");
    struct sk_hid_status hs;
    sk_hid_status(c->app->hid, &hs);
    /* A view-only session cannot click: leave the mouse to the terminal (text selection). */
    if (strcmp(hs.mouse, "none") != 0 && c->role != SK_ROLE_VIEW) {
        sk_conskeys_set_mouse(c, 1);
    }
}

void sk_conskeys_probe_answer(struct sk_console *c, const struct sk_termkey *k)
{
    if (!c->probed && k->type == SK_TERMKEY_KITTY_FLAGS) {
        c->kitty = 1;
        if (c->menu == SK_MENU_CLOSED) {
            sk_conskeys_kitty_push(c);
        }
        sk_log(SK_LOG_INFO, "console", "kitty keyboard protocol on");
    }
    c->probed = 1;
}

static int is_modifier(uint8_t usage)
{
    return usage >= 0xe0 && usage <= 0xe7;
}

/*
 * A key going down in kitty mode, for the recording: a character key
 * (letters, digits, space, punctuation) is counted unless Ctrl, Alt or the
 * GUI key is down with it; other keys are named, with the modifiers held.
 */
static void mark_press(struct sk_console *c, uint8_t usage)
{
    if (c->rec == NULL || is_modifier(usage)) {
        return;
    }
    struct sk_key key = {.usage = usage};
    for (size_t i = 0; i < c->nheld; i++) {
        if (is_modifier(c->held[i].usage)) {
            key.mods |= (uint8_t)(1u << (c->held[i].usage - 0xe0));
        }
    }
    int character = (usage >= 0x04 && usage <= 0x27) || (usage >= 0x2c && usage <= 0x38);
    if (character && !(key.mods & (uint8_t) ~(SK_MOD_LSHIFT | SK_MOD_RSHIFT))) {
        sk_consrec_typed(c, 1);
    } else {
        mark_key(c, &key);
    }
}

/* A press, repeat or release of a key position (kitty mode). */
static void kitty_event(struct sk_console *c, uint8_t usage, uint8_t event)
{
    size_t i = 0;
    while (i < c->nheld && c->held[i].usage != usage) {
        i++;
    }
    if (event == SK_TERMKEY_RELEASE) {
        if (i < c->nheld && sk_console_keys_ours(c)) {
            sk_hid_key_up(c->app->hid, usage, 0);
            c->held[i] = c->held[--c->nheld];
        }
        return;
    }
    if (i < c->nheld) {
        c->held[i].last_ms = sk_now_ms(); /* a repeat: the target repeats on its own */
        return;
    }
    if (event == SK_TERMKEY_REPEAT || c->nheld == SK_CONSOLE_HELD_MAX) {
        return; /* a repeat of a key we never saw go down, or too many keys */
    }
    if (!sk_console_may_send(c)) {
        return;
    }
    c->sent_keys = 1;
    int rc = sk_hid_key_down(c->app->hid, usage, 0);
    if (rc != 0) {
        sk_console_flash(c, "%s: key %s not pressed",
                         rc == SK_E_BUSY ? "six keys already down" : "keyboard",
                         sk_keys_name(usage) ? sk_keys_name(usage) : "?");
        return;
    }
    c->held[c->nheld++] = (struct sk_console_held){.usage = usage, .last_ms = sk_now_ms()};
    mark_press(c, usage);
}

/* The terminal lost a release, or the link did. */
void sk_conskeys_watchdog(struct sk_console *c)
{
    int64_t now = sk_now_ms();
    for (size_t i = 0; i < c->nheld;) {
        int64_t limit = is_modifier(c->held[i].usage) ? WATCHDOG_MOD_MS : WATCHDOG_KEY_MS;
        if (now - c->held[i].last_ms > limit) {
            if (!sk_console_keys_ours(c)) {
                return; /* forgotten: the taker released them */
            }
            sk_log(SK_LOG_DEBUG, "console", "watchdog: releasing usage 0x%02x", c->held[i].usage);
            sk_hid_key_up(c->app->hid, c->held[i].usage, 0);
            c->held[i] = c->held[--c->nheld];
        } else {
            i++;
        }
    }
}

void sk_conskeys_termkey(struct sk_console *c, const struct sk_termkey *k)
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
        if (sk_conskeys_send(c, &key, 1)) {
            mark_key(c, &key);
        }
    } else if (k->type == SK_TERMKEY_CHAR) {
        struct sk_key keys[SK_KEYMAP_MAX_STROKES];
        int n = sk_keymap_lookup(c->keymap, k->cp, keys, SK_KEYMAP_MAX_STROKES);
        if (n <= 0) {
            char utf8[5] = {0};
            sk_utf8_encode(k->cp, utf8);
            sk_console_flash(c, "keymap %s cannot type '%s' (U+%04X)", sk_keymap_name(c->keymap),
                             utf8, (unsigned)k->cp);
            return;
        }
        /* The terminal already typed the case the user wants: undo the target's Caps Lock. */
        sk_hid_undo_caps_lock(c->app->hid, c->keymap, keys, (size_t)n);
        /* Ctrl/Alt from the terminal apply to the key that finally types the character. */
        keys[n - 1].mods |= k->mods;
        if (sk_conskeys_send(c, keys, (size_t)n)) {
            /* A character is counted, not named; with Ctrl or Alt it is a combination. */
            if (k->mods & (uint8_t) ~(SK_MOD_LSHIFT | SK_MOD_RSHIFT)) {
                mark_key(c, &keys[n - 1]);
            } else {
                sk_consrec_typed(c, 1);
            }
        }
    }
}

/* ---- the mouse: SGR reports on the screen shown (picture or text) become absolute ones ---- */

void sk_conskeys_set_mouse(struct sk_console *c, int on)
{
    c->mouse_on = on;
    sk_console_outs(c, on ? SK_CONSOLE_MOUSE_ON : SK_CONSOLE_MOUSE_OFF);
    if (!on && c->buttons != 0) {
        c->buttons = 0;
        sk_hid_mouse(c->app->hid, c->mx, c->my, 0, 0);
    }
}

void sk_conskeys_mouse(struct sk_console *c, const struct sk_termkey *k)
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
    } else if (!sk_console_may_send(c)) {
        return;
    } else if (k->cp & SK_MOUSE_WHEEL) {
        wheel = (k->cp & 1) ? -1 : 1;
    } else if (!(k->cp & SK_MOUSE_MOTION)) {
        c->buttons |= bit;
        sk_consrec_mark(c, "mouse %s button", b == 0 ? "left" : b == 1 ? "middle" : "right");
    }
    sk_hid_mouse(c->app->hid, c->mx, c->my, c->buttons, wheel);
}

/* ---- a key held from the menu ---- */

int sk_conskeys_hold(struct sk_console *c, const struct sk_key *key, const char *combo, long secs,
                     char *err, size_t errlen)
{
    c->refused_ms = 0; /* a menu choice is deliberate: always ask */
    if (!sk_console_may_send(c)) {
        snprintf(err, errlen, "%s", c->message);
        return -1;
    }
    if (c->hold_until_ms != 0) {
        sk_hid_key_up(c->app->hid, c->hold.usage, c->hold.mods);
    }
    c->sent_keys = 1;
    if (sk_hid_key_down(c->app->hid, key->usage, key->mods) != 0) {
        snprintf(err, errlen, "hold: the keyboard did not take %s", combo);
        return -1;
    }
    c->hold = *key;
    c->hold_until_ms = sk_now_ms() + secs * 1000;
    sk_console_flash(c, "holding %s for %ld s", combo, secs);
    char name[64];
    sk_consrec_mark(c, "hold %s for %ld s", sk_keys_format(key, name, sizeof(name)), secs);
    return 0;
}

void sk_conskeys_end_hold(struct sk_console *c, int now)
{
    if (c->hold_until_ms != 0 && (now || sk_now_ms() >= c->hold_until_ms) &&
        sk_console_keys_ours(c)) {
        sk_hid_key_up(c->app->hid, c->hold.usage, c->hold.mods);
        c->hold_until_ms = 0;
    }
}

void sk_conskeys_end(struct sk_console *c)
{
    /* Another session that took control released our keys and types now: leave its alone. */
    int other_holds =
        c->app->roster != NULL && sk_roster_holder(c->app->roster, c->member, NULL, 0) == 0;
    if (other_holds) {
        c->sent_keys = 0;
        c->hold_until_ms = 0;
        c->buttons = 0;
    }
    if (c->sent_keys) {
        /* Whatever this session held (or a stroke still queued) ends released. */
        sk_hid_release_all(c->app->hid);
    }
    sk_conskeys_end_hold(c, 1);
    if (c->buttons != 0) {
        sk_hid_mouse(c->app->hid, c->mx, c->my, 0, 0);
    }
    if (c->mouse_on) {
        sk_console_outs(c, SK_CONSOLE_MOUSE_OFF);
    }
    if (c->kitty && c->menu == SK_MENU_CLOSED) {
        sk_conskeys_kitty_pop(c);
    }
}

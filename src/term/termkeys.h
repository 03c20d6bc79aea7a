/*
 * termkeys: the bytes a terminal sends, turned into key events.
 *
 * A pure incremental parser (tmux's tty-keys.c is the model): printable
 * characters (UTF-8) come out as characters for the keymap to place;
 * control bytes, ESC-prefixed Alt, and the escape sequences of xterm
 * (normal and application cursor mode, modifier forms), VT220 and the Linux
 * console come out as HID usages with modifiers. The kitty keyboard
 * protocol's reports (CSI code;mods:event u and its functional-key forms)
 * come out as keys by position with a press, repeat or release event. The
 * caller owns the clock:
 * it passes timed_out once the escape-time has passed with no more bytes,
 * so a lone ESC becomes the Escape key.
 */
#ifndef SK_TERMKEYS_H
#define SK_TERMKEYS_H

#include <stddef.h>
#include <stdint.h>

enum sk_termkey_type {
    SK_TERMKEY_NONE = 0, /* bytes consumed that mean nothing (unknown sequence): drop them */
    SK_TERMKEY_KEY,      /* usage + mods: a key by position (arrows, F-keys, Enter...) */
    SK_TERMKEY_CHAR, /* cp + mods: a character to look up in the keymap, mods added (Ctrl+C, Alt+x)
                      */
    SK_TERMKEY_MENU, /* the escape key (Ctrl+]) that opens sshkvm's menu */
    SK_TERMKEY_KITTY_FLAGS, /* the terminal's answer to CSI ? u: cp = its current flags */
    SK_TERMKEY_DA1,         /* a primary device attributes answer (CSI ? ... c) */
    SK_TERMKEY_MOUSE,       /* an SGR mouse report: cp = button code, x/y = cell (1-based),
                               event PRESS (also motion and wheel) or RELEASE */
};

/* For keys from the kitty protocol: what happened to the key. Legacy input is a tap. */
enum sk_termkey_event {
    SK_TERMKEY_TAP = 0, /* pressed and released (all a legacy terminal can say) */
    SK_TERMKEY_PRESS,   /* also a kitty report without an event (the protocol's default) */
    SK_TERMKEY_REPEAT,
    SK_TERMKEY_RELEASE,
};

struct sk_termkey {
    enum sk_termkey_type type;
    uint8_t usage;
    uint8_t mods;  /* SK_MOD_* bits */
    uint8_t event; /* enum sk_termkey_event */
    uint32_t cp;
    uint16_t x, y; /* SK_TERMKEY_MOUSE: the cell, 1-based */
};

/* SGR mouse button codes (cp of SK_TERMKEY_MOUSE): low bits and flags. */
#define SK_MOUSE_BUTTON_MASK 0x03 /* 0 left, 1 middle, 2 right, 3 none */
#define SK_MOUSE_MOTION 0x20
#define SK_MOUSE_WHEEL 0x40 /* with low bit 0: up, 1: down */

/* The kitty flags sshkvm pushes: disambiguate, event types, alternate keys, all keys as escapes. */
#define SK_TERMKEYS_KITTY_FLAGS 15

/*
 * Parse one key from the start of buf. Returns the bytes consumed (> 0) with
 * *out filled, or SK_PARSE_PARTIAL when buf holds the start of a sequence
 * (only when !timed_out: once timed out, whatever is there is resolved).
 */
long sk_termkeys_parse(const uint8_t *buf, size_t len, int timed_out, struct sk_termkey *out);

#endif

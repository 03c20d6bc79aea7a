/*
 * keys: the names of keys and modifiers, as data.
 *
 * A table maps names ("f2", "enter", "pgup", "a", "minus") to USB HID
 * usages of the keyboard page (0x07), and modifier names ("ctrl", "shift",
 * "alt", "altgr", "super", "rctrl", ...) to the bits of byte 0 of a boot
 * keyboard report. Combos like "ctrl+alt+delete" are parsed here. Key names
 * are positions on a US keyboard: the keymap decides which character a
 * position types on the target's layout.
 */
#ifndef SK_KEYS_H
#define SK_KEYS_H

#include <stddef.h>
#include <stdint.h>

/* Modifier bits of report byte 0 (usages 0xE0..0xE7). */
#define SK_MOD_LCTRL 0x01
#define SK_MOD_LSHIFT 0x02
#define SK_MOD_LALT 0x04
#define SK_MOD_LGUI 0x08
#define SK_MOD_RCTRL 0x10
#define SK_MOD_RSHIFT 0x20
#define SK_MOD_RALT 0x40 /* AltGr */
#define SK_MOD_RGUI 0x80

/* LED bits of the keyboard output report (host to device). */
#define SK_LED_NUM 0x01
#define SK_LED_CAPS 0x02
#define SK_LED_SCROLL 0x04

/* A few usages other modules need by name. */
#define SK_USAGE_A 0x04
#define SK_USAGE_ENTER 0x28
#define SK_USAGE_ESCAPE 0x29
#define SK_USAGE_BACKSPACE 0x2a
#define SK_USAGE_TAB 0x2b
#define SK_USAGE_SPACE 0x2c
#define SK_USAGE_CAPSLOCK 0x39
#define SK_USAGE_DELETE 0x4c
#define SK_USAGE_NUMLOCK 0x53

/* One keystroke: a key (usage, 0 for modifiers only) pressed with modifiers held. */
struct sk_key {
    uint8_t usage;
    uint8_t mods;
};

/* The usage for a key name (case-insensitive, aliases allowed), or -1. */
int sk_keys_usage(const char *name);
/* The modifier bit(s) for a modifier name, or 0 when name is not a modifier. */
uint8_t sk_keys_modifier(const char *name);
/* The canonical name of a usage, or NULL. */
const char *sk_keys_name(uint8_t usage);
/*
 * Parse "ctrl+alt+delete", "f2", "shift+tab", "ctrl+alt" (modifiers only)
 * into one keystroke. Returns 0, or -1 with err naming the bad part.
 */
int sk_keys_parse_combo(const char *s, struct sk_key *out, char *err, size_t errlen);
/* Write a keystroke's name ("ctrl+alt+delete") into buf; returns buf. */
char *sk_keys_format(const struct sk_key *key, char *buf, size_t len);

#endif

/*
 * keys: the names of keys and modifiers, as data.
 *
 * Two tables own everything this module knows. key_table maps names to
 * usages of the USB HID keyboard page (0x07); the first row for a usage is
 * its canonical name (what sk_keys_name and sk_keys_format print) and later
 * rows are aliases users type ("esc", "pgdn", "return", "-"). mod_table
 * maps modifier names to the bits of byte 0 of a boot keyboard report.
 * Nothing is stored at run time: every call reads the const tables, so the
 * module is safe from any thread.
 *
 * A combo ("ctrl+alt+delete", "ctrl-alt-del", "shift+tab", "ctrl+alt") is
 * a set of modifiers and at most one key, joined by '+' or '-'. No key or
 * modifier name contains either character, so both separators are
 * unambiguous; the minus key is spelled "minus" (or "-" as the first
 * character of a part: "ctrl+-" and "ctrl--" are both Ctrl+minus).
 */
#include "hid/keys.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

struct key_name {
    const char *name;
    uint8_t usage;
};

struct mod_name {
    const char *name;
    uint8_t bits;
};

/*
 * Every key of a PC keyboard (104/105 keys, plus F13-F24, the Japanese and
 * Korean extras and the media keys of the keyboard page). Canonical rows
 * come first, in usage order; aliases follow at the end.
 */
/* clang-format off */
static const struct key_name key_table[] = {
    {"a", 0x04}, {"b", 0x05}, {"c", 0x06}, {"d", 0x07}, {"e", 0x08}, {"f", 0x09},
    {"g", 0x0a}, {"h", 0x0b}, {"i", 0x0c}, {"j", 0x0d}, {"k", 0x0e}, {"l", 0x0f},
    {"m", 0x10}, {"n", 0x11}, {"o", 0x12}, {"p", 0x13}, {"q", 0x14}, {"r", 0x15},
    {"s", 0x16}, {"t", 0x17}, {"u", 0x18}, {"v", 0x19}, {"w", 0x1a}, {"x", 0x1b},
    {"y", 0x1c}, {"z", 0x1d},
    {"1", 0x1e}, {"2", 0x1f}, {"3", 0x20}, {"4", 0x21}, {"5", 0x22}, {"6", 0x23},
    {"7", 0x24}, {"8", 0x25}, {"9", 0x26}, {"0", 0x27},
    {"enter", 0x28},
    {"escape", 0x29},
    {"backspace", 0x2a},
    {"tab", 0x2b},
    {"space", 0x2c},
    {"minus", 0x2d},
    {"equal", 0x2e},
    {"bracketleft", 0x2f},
    {"bracketright", 0x30},
    {"backslash", 0x31},
    {"nonushash", 0x32},
    {"semicolon", 0x33},
    {"apostrophe", 0x34},
    {"grave", 0x35},
    {"comma", 0x36},
    {"period", 0x37},
    {"slash", 0x38},
    {"capslock", 0x39},
    {"f1", 0x3a}, {"f2", 0x3b}, {"f3", 0x3c}, {"f4", 0x3d}, {"f5", 0x3e}, {"f6", 0x3f},
    {"f7", 0x40}, {"f8", 0x41}, {"f9", 0x42}, {"f10", 0x43}, {"f11", 0x44}, {"f12", 0x45},
    {"printscreen", 0x46},
    {"scrolllock", 0x47},
    {"pause", 0x48},
    {"insert", 0x49},
    {"home", 0x4a},
    {"pageup", 0x4b},
    {"delete", 0x4c},
    {"end", 0x4d},
    {"pagedown", 0x4e},
    {"right", 0x4f},
    {"left", 0x50},
    {"down", 0x51},
    {"up", 0x52},
    {"numlock", 0x53},
    {"kpslash", 0x54},
    {"kpasterisk", 0x55},
    {"kpminus", 0x56},
    {"kpplus", 0x57},
    {"kpenter", 0x58},
    {"kp1", 0x59}, {"kp2", 0x5a}, {"kp3", 0x5b}, {"kp4", 0x5c}, {"kp5", 0x5d},
    {"kp6", 0x5e}, {"kp7", 0x5f}, {"kp8", 0x60}, {"kp9", 0x61}, {"kp0", 0x62},
    {"kpperiod", 0x63},
    {"nonusbackslash", 0x64},
    {"menu", 0x65},
    {"power", 0x66},
    {"kpequal", 0x67},
    {"f13", 0x68}, {"f14", 0x69}, {"f15", 0x6a}, {"f16", 0x6b}, {"f17", 0x6c}, {"f18", 0x6d},
    {"f19", 0x6e}, {"f20", 0x6f}, {"f21", 0x70}, {"f22", 0x71}, {"f23", 0x72}, {"f24", 0x73},
    {"mute", 0x7f},
    {"volumeup", 0x80},
    {"volumedown", 0x81},
    {"kpcomma", 0x85},
    {"ro", 0x87},               /* International1: JIS \ and _ */
    {"katakanahiragana", 0x88}, /* International2 */
    {"yen", 0x89},              /* International3 */
    {"henkan", 0x8a},           /* International4 */
    {"muhenkan", 0x8b},         /* International5 */
    {"kpjpcomma", 0x8c},        /* International6 */
    {"hangul", 0x90},           /* LANG1 */
    {"hanja", 0x91},            /* LANG2 */
    /* The modifier keys as keys; in a combo these names are modifiers. */
    {"lctrl", 0xe0},
    {"lshift", 0xe1},
    {"lalt", 0xe2},
    {"lsuper", 0xe3},
    {"rctrl", 0xe4},
    {"rshift", 0xe5},
    {"ralt", 0xe6},
    {"rsuper", 0xe7},

    /* Aliases. */
    {"return", 0x28},
    {"esc", 0x29},
    {"bksp", 0x2a},
    {"spc", 0x2c},
    {"prtsc", 0x46},
    {"sysrq", 0x46},
    {"break", 0x48},
    {"ins", 0x49},
    {"pgup", 0x4b},
    {"del", 0x4c},
    {"pgdn", 0x4e},
    {"application", 0x65},
    {"compose", 0x65},
    {"kpmultiply", 0x55},
    {"kpdivide", 0x54},
    {"kpdecimal", 0x63},
    {"lang1", 0x90},
    {"lang2", 0x91},
    /* US punctuation written as itself (but never '+', which would look like a separator). */
    {"-", 0x2d},
    {"=", 0x2e},
    {"[", 0x2f},
    {"]", 0x30},
    {"\\", 0x31},
    {";", 0x33},
    {"'", 0x34},
    {"`", 0x35},
    {",", 0x36},
    {".", 0x37},
    {"/", 0x38},
};
/* clang-format on */

/*
 * Modifier names. The first row for a set of bits is the name
 * sk_keys_format prints; mod_order lists the bits in the order it prints
 * them.
 */
/* clang-format off */
static const struct mod_name mod_table[] = {
    {"ctrl", SK_MOD_LCTRL},    {"shift", SK_MOD_LSHIFT},   {"alt", SK_MOD_LALT},
    {"super", SK_MOD_LGUI},    {"rctrl", SK_MOD_RCTRL},    {"rshift", SK_MOD_RSHIFT},
    {"altgr", SK_MOD_RALT},    {"rsuper", SK_MOD_RGUI},

    {"control", SK_MOD_LCTRL}, {"lctrl", SK_MOD_LCTRL},    {"lcontrol", SK_MOD_LCTRL},
    {"rcontrol", SK_MOD_RCTRL}, {"lshift", SK_MOD_LSHIFT}, {"lalt", SK_MOD_LALT},
    {"option", SK_MOD_LALT},   {"ralt", SK_MOD_RALT},      {"win", SK_MOD_LGUI},
    {"meta", SK_MOD_LGUI},     {"gui", SK_MOD_LGUI},       {"cmd", SK_MOD_LGUI},
    {"command", SK_MOD_LGUI},  {"lsuper", SK_MOD_LGUI},    {"lwin", SK_MOD_LGUI},
    {"lgui", SK_MOD_LGUI},     {"rwin", SK_MOD_RGUI},      {"rgui", SK_MOD_RGUI},
    {"rmeta", SK_MOD_RGUI},    {"rcmd", SK_MOD_RGUI},
};
/* clang-format on */

static const uint8_t mod_order[] = {
    SK_MOD_LCTRL, SK_MOD_LSHIFT, SK_MOD_LALT, SK_MOD_LGUI,
    SK_MOD_RCTRL, SK_MOD_RSHIFT, SK_MOD_RALT, SK_MOD_RGUI,
};

/* Case-insensitive compare of the n bytes at s with the NUL-terminated name. */
static int name_eq(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

static int usage_n(const char *s, size_t n)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(key_table); i++) {
        if (name_eq(s, n, key_table[i].name)) {
            return key_table[i].usage;
        }
    }
    /*
     * "0x87" names any usage by number, so a key without a name can still
     * be sent, and sk_keys_format's output always parses back.
     */
    if (n >= 3 && n <= 4 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        int v = 0;
        for (size_t i = 2; i < n; i++) {
            int h = sk_hexval(s[i]);
            if (h < 0) {
                return -1;
            }
            v = v * 16 + h;
        }
        return v > 0 ? v : -1;
    }
    return -1;
}

static uint8_t modifier_n(const char *s, size_t n)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(mod_table); i++) {
        if (name_eq(s, n, mod_table[i].name)) {
            return mod_table[i].bits;
        }
    }
    return 0;
}

int sk_keys_usage(const char *name)
{
    return usage_n(name, strlen(name));
}

uint8_t sk_keys_modifier(const char *name)
{
    return modifier_n(name, strlen(name));
}

const char *sk_keys_name(uint8_t usage)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(key_table); i++) {
        if (key_table[i].usage == usage) {
            return key_table[i].name;
        }
    }
    return NULL;
}

int sk_keys_parse_combo(const char *s, struct sk_key *out, char *err, size_t errlen)
{
    struct sk_key k = {.usage = 0, .mods = 0};
    const char *p = s;
    char part[64];
    char key_part[64] = "";

    if (*s == '\0') {
        sk_set_err(err, errlen, "empty key combo");
        return -1;
    }
    for (;;) {
        /*
         * A part runs to the next '+' or '-'. Its first character is taken
         * as it is even when it is '-', so "ctrl+-" and "ctrl--" name the
         * minus key rather than an empty part.
         */
        const char *start = p;
        if (*p == '\0') {
            sk_set_err(err, errlen, "missing key after the last separator in '%s'", s);
            return -1;
        }
        p++;
        while (*p != '\0' && *p != '+' && *p != '-') {
            p++;
        }
        size_t n = (size_t)(p - start);
        snprintf(part, sizeof(part), "%.*s", (int)SK_MIN(n, sizeof(part) - 1), start);

        uint8_t bits = modifier_n(start, n);
        int usage = bits != 0 ? 0 : usage_n(start, n);
        if (usage >= 0xe0 && usage <= 0xe7) {
            /*
             * A modifier named by number ("0xe0") is that modifier, as its
             * name would be: report byte 0, never the key array (found by
             * fuzz_combo: "0xe0" came back from sk_keys_format as "lctrl").
             */
            bits = (uint8_t)(1u << (usage - 0xe0));
        }
        if (bits != 0) {
            k.mods |= bits;
        } else {
            if (usage < 0) {
                sk_set_err(err, errlen, "unknown key '%s' in '%s'", part, s);
                return -1;
            }
            if (key_part[0] != '\0') {
                sk_set_err(err, errlen, "two keys '%s' and '%s' in '%s' (one key per stroke)",
                           key_part, part, s);
                return -1;
            }
            k.usage = (uint8_t)usage;
            memcpy(key_part, part, sizeof(part));
        }
        if (*p == '\0') {
            break;
        }
        p++; /* the separator */
    }
    *out = k;
    return 0;
}

char *sk_keys_format(const struct sk_key *key, char *buf, size_t len)
{
    struct sk_buf b = {0};
    const char *sep = "";

    if (len == 0) {
        return buf;
    }
    for (size_t i = 0; i < SK_ARRAY_LEN(mod_order); i++) {
        if (key->mods & mod_order[i]) {
            /* mod_table's first row for each bit is its canonical name. */
            for (size_t j = 0; j < SK_ARRAY_LEN(mod_table); j++) {
                if (mod_table[j].bits == mod_order[i]) {
                    sk_buf_printf(&b, "%s%s", sep, mod_table[j].name);
                    break;
                }
            }
            sep = "+";
        }
    }
    if (key->usage != 0) {
        const char *name = sk_keys_name(key->usage);
        if (name != NULL) {
            sk_buf_printf(&b, "%s%s", sep, name);
        } else {
            sk_buf_printf(&b, "%s0x%02x", sep, key->usage);
        }
    }
    snprintf(buf, len, "%s", b.data != NULL ? b.data : "");
    sk_buf_free(&b);
    return buf;
}

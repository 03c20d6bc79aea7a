/*
 * termkeys: the bytes a terminal sends, turned into key events.
 *
 * A pure incremental parser modelled on tmux's tty-keys.c. Each call looks
 * at the start of the caller's buffer and either returns one event and the
 * bytes it used, or SK_PARSE_PARTIAL when the bytes so far are the start
 * of a longer sequence. The parser keeps no state and owns nothing: the
 * session owns the buffer and the escape-time clock, and passes timed_out
 * once the terminal has been quiet long enough that a pending ESC (or a
 * half sequence) must be what the user typed.
 *
 * What comes out:
 *   printable ASCII and UTF-8        CHAR cp (the keymap places it)
 *   C0 control bytes                 KEY Enter/Tab/Backspace, or CHAR letter + Ctrl
 *   0x1d (Ctrl+])                    MENU
 *   ESC + a key                      that key with Alt
 *   CSI and SS3 sequences            KEY usage + mods from the tables below
 *   unknown complete sequences       NONE (consumed whole, so nothing leaks as typing)
 *   kitty protocol reports           KEY (functional keys) or CHAR (text keys, with
 *                                    the US position in usage) + press/repeat/release
 *   answers to CSI ? u and CSI c     KITTY_FLAGS, DA1 (the console's protocol probe)
 * The sequences are data: csi_letter_table, ss3_table, tilde_table,
 * kitty_table and us_position_table.
 */
#include "term/termkeys.h"

#include <string.h>

#include "hid/keys.h"
#include "base/util.h"

#define ESC 0x1b
#define MENU_BYTE 0x1d
/* A CSI or SS3 longer than this without a final byte is garbage, not a key still arriving. */
#define MAX_SEQ 32
#define MAX_PARAMS 4

/* A sequence ended by a letter (or other final byte): ESC [ A, ESC O P, ESC [ 1 ; 5 A. */
struct final_key {
    uint8_t final;
    uint8_t usage;
    uint8_t mods; /* implied by the sequence itself (rxvt's shifted arrows, ESC [ Z) */
};

/* A sequence ending in '~' (or rxvt's '^', '@', '$'): ESC [ code ~, ESC [ code ; m ~. */
struct tilde_key {
    uint8_t code;
    uint8_t usage;
};

/* Final bytes after ESC [ (xterm normal cursor mode, rxvt). */
/* clang-format off */
static const struct final_key csi_letter_table[] = {
    {'A', 0x52, 0},           /* up */
    {'B', 0x51, 0},           /* down */
    {'C', 0x4f, 0},           /* right */
    {'D', 0x50, 0},           /* left */
    {'E', 0x5d, 0},           /* keypad 5 with NumLock off ("begin") */
    {'F', 0x4d, 0},           /* end */
    {'G', 0x5d, 0},           /* keypad 5 on the Linux console */
    {'H', 0x4a, 0},           /* home */
    {'P', 0x3a, 0},           /* F1..F4 in xterm's modified form, ESC [ 1 ; m P */
    {'Q', 0x3b, 0},
    {'R', 0x3c, 0},
    {'S', 0x3d, 0},
    {'Z', 0x2b, SK_MOD_LSHIFT}, /* back-tab */
    {'a', 0x52, SK_MOD_LSHIFT}, /* rxvt shifted arrows */
    {'b', 0x51, SK_MOD_LSHIFT},
    {'c', 0x4f, SK_MOD_LSHIFT},
    {'d', 0x50, SK_MOD_LSHIFT},
};
/* clang-format on */

/* Final bytes after ESC O (application cursor and keypad modes, VT100 F1..F4). */
/* clang-format off */
static const struct final_key ss3_table[] = {
    {'A', 0x52, 0},
    {'B', 0x51, 0},
    {'C', 0x4f, 0},
    {'D', 0x50, 0},
    {'E', 0x5d, 0},
    {'F', 0x4d, 0},
    {'H', 0x4a, 0},
    {'P', 0x3a, 0},
    {'Q', 0x3b, 0},
    {'R', 0x3c, 0},
    {'S', 0x3d, 0},
    {'M', 0x58, 0}, /* keypad enter */
    {'X', 0x67, 0}, /* keypad = */
    {'j', 0x55, 0}, /* keypad * */
    {'k', 0x57, 0}, /* keypad + */
    {'l', 0x57, 0}, /* VT220 keypad ',' where a PC keypad has + */
    {'m', 0x56, 0}, /* keypad - */
    {'n', 0x63, 0}, /* keypad . */
    {'o', 0x54, 0}, /* keypad / */
    {'p', 0x62, 0}, /* keypad 0..9 */
    {'q', 0x59, 0},
    {'r', 0x5a, 0},
    {'s', 0x5b, 0},
    {'t', 0x5c, 0},
    {'u', 0x5d, 0},
    {'v', 0x5e, 0},
    {'w', 0x5f, 0},
    {'x', 0x60, 0},
    {'y', 0x61, 0},
    {'a', 0x52, SK_MOD_LCTRL}, /* rxvt control arrows */
    {'b', 0x51, SK_MOD_LCTRL},
    {'c', 0x4f, SK_MOD_LCTRL},
    {'d', 0x50, SK_MOD_LCTRL},
};
/* clang-format on */

/* The Linux console's F1..F5: ESC [ [ A..E. */
/* clang-format off */
static const struct final_key linux_table[] = {
    {'A', 0x3a, 0}, {'B', 0x3b, 0}, {'C', 0x3c, 0}, {'D', 0x3d, 0}, {'E', 0x3e, 0},
};
/* clang-format on */

/* VT220-style ESC [ code ~ (xterm, rxvt, the Linux console). */
/* clang-format off */
static const struct tilde_key tilde_table[] = {
    {1, 0x4a},  /* home */
    {2, 0x49},  /* insert */
    {3, 0x4c},  /* delete */
    {4, 0x4d},  /* end */
    {5, 0x4b},  /* page up */
    {6, 0x4e},  /* page down */
    {7, 0x4a},  /* rxvt home */
    {8, 0x4d},  /* rxvt end */
    {11, 0x3a}, /* F1..F5 */
    {12, 0x3b},
    {13, 0x3c},
    {14, 0x3d},
    {15, 0x3e},
    {17, 0x3f}, /* F6..F10 */
    {18, 0x40},
    {19, 0x41},
    {20, 0x42},
    {21, 0x43},
    {23, 0x44}, /* F11, F12 */
    {24, 0x45},
    {25, 0x68}, /* F13..F20 (VT220 numbering) */
    {26, 0x69},
    {28, 0x6a},
    {29, 0x6b},
    {31, 0x6c},
    {32, 0x6d},
    {33, 0x6e},
    {34, 0x6f},
};
/* clang-format on */

/* The kitty protocol's key codes for keys that type no text (its Private Use Area and C0). */
struct kitty_key {
    uint32_t code;
    uint8_t usage;
};

/* clang-format off */
static const struct kitty_key kitty_table[] = {
    {27, 0x29}, {13, 0x28}, {9, 0x2b}, {127, 0x2a}, {8, 0x2a},
    {57358, 0x39}, {57359, 0x47}, {57360, 0x53}, {57361, 0x46}, {57362, 0x48}, {57363, 0x65},
    /* F13..F24 (F25..F35 have no usage) */
    {57376, 0x68}, {57377, 0x69}, {57378, 0x6a}, {57379, 0x6b}, {57380, 0x6c}, {57381, 0x6d},
    {57382, 0x6e}, {57383, 0x6f}, {57384, 0x70}, {57385, 0x71}, {57386, 0x72}, {57387, 0x73},
    /* the keypad: 0..9 . / * - + Enter = , then its navigation keys (Num Lock off) */
    {57399, 0x62}, {57400, 0x59}, {57401, 0x5a}, {57402, 0x5b}, {57403, 0x5c}, {57404, 0x5d},
    {57405, 0x5e}, {57406, 0x5f}, {57407, 0x60}, {57408, 0x61}, {57409, 0x63}, {57410, 0x54},
    {57411, 0x55}, {57412, 0x56}, {57413, 0x57}, {57414, 0x58}, {57415, 0x67}, {57416, 0x85},
    {57417, 0x5c}, {57418, 0x5e}, {57419, 0x60}, {57420, 0x5a}, {57421, 0x61}, {57422, 0x5b},
    {57423, 0x5f}, {57424, 0x59}, {57425, 0x62}, {57426, 0x63}, {57427, 0x5d},
    /* volume down, up, mute */
    {57438, 0x81}, {57439, 0x80}, {57440, 0x7f},
    /* the modifier keys themselves: left shift ctrl alt super, right shift ctrl alt super, AltGr */
    {57441, 0xe1}, {57442, 0xe0}, {57443, 0xe2}, {57444, 0xe3},
    {57447, 0xe5}, {57448, 0xe4}, {57449, 0xe6}, {57450, 0xe7}, {57453, 0xe6},
};
/* clang-format on */

/* The US (PC-101) position of a text key, which is what the kitty protocol's base layout key names.
 */
struct us_position {
    char c;
    uint8_t usage;
};

/* clang-format off */
static const struct us_position us_position_table[] = {
    {'1', 0x1e}, {'2', 0x1f}, {'3', 0x20}, {'4', 0x21}, {'5', 0x22}, {'6', 0x23}, {'7', 0x24},
    {'8', 0x25}, {'9', 0x26}, {'0', 0x27}, {' ', 0x2c}, {'-', 0x2d}, {'=', 0x2e}, {'[', 0x2f},
    {']', 0x30}, {'\\', 0x31}, {';', 0x33}, {'\'', 0x34}, {'`', 0x35}, {',', 0x36}, {'.', 0x37},
    {'/', 0x38},
};
/* clang-format on */

/* xterm's modifier parameter: 1 + a bitmask of shift 1, alt 2, ctrl 4, meta 8. */
static uint8_t xterm_mods(unsigned m)
{
    uint8_t mods = 0;
    if (m < 2) {
        return 0;
    }
    m -= 1;
    if (m & 1) {
        mods |= SK_MOD_LSHIFT;
    }
    if (m & 2) {
        mods |= SK_MOD_LALT;
    }
    if (m & 4) {
        mods |= SK_MOD_LCTRL;
    }
    if (m & 8) {
        mods |= SK_MOD_LGUI;
    }
    return mods;
}

static const struct final_key *find_final(const struct final_key *t, size_t n, uint8_t final)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].final == final) {
            return &t[i];
        }
    }
    return NULL;
}

static void set_key(struct sk_termkey *out, uint8_t usage, uint8_t mods)
{
    *out = (struct sk_termkey){.type = SK_TERMKEY_KEY, .usage = usage, .mods = mods};
}

static void set_char(struct sk_termkey *out, uint32_t cp, uint8_t mods)
{
    *out = (struct sk_termkey){.type = SK_TERMKEY_CHAR, .cp = cp, .mods = mods};
}

static void set_none(struct sk_termkey *out)
{
    *out = (struct sk_termkey){.type = SK_TERMKEY_NONE};
}

/*
 * One byte below 0x20, or DEL. Enter, Tab and Backspace are keys by
 * position; the other control bytes are what Ctrl plus a character sends,
 * so they come back as that character with Ctrl, and the keymap finds it on
 * the target's layout. ESC and 0x1d are handled by the caller.
 */
static void control_byte(uint8_t c, struct sk_termkey *out)
{
    switch (c) {
    case 0x0d:
    case 0x0a:
        set_key(out, SK_USAGE_ENTER, 0);
        return;
    case 0x09:
        set_key(out, SK_USAGE_TAB, 0);
        return;
    case 0x08:
    case 0x7f:
        set_key(out, SK_USAGE_BACKSPACE, 0);
        return;
    case 0x00:
        /* Terminals send NUL for Ctrl+Space (and Ctrl+@); Ctrl+Space is what people press. */
        set_char(out, ' ', SK_MOD_LCTRL);
        return;
    default:
        break;
    }
    if (c <= 0x1a) {
        set_char(out, (uint32_t)('a' + c - 1), SK_MOD_LCTRL);
    } else {
        /* 0x1c..0x1f are Ctrl with \ ] ^ _ (the byte with bit 6 set). */
        set_char(out, (uint32_t)(c | 0x40), SK_MOD_LCTRL);
    }
}

/*
 * The parameters of a CSI or SS3 sequence: digits separated by ';', then
 * intermediates, then the final byte. *nokey is set for sequences with a
 * private marker (ESC [ < ... M mouse reports, ESC [ ? ... answers) or an
 * intermediate byte, which are never keys. Returns the length through the final byte,
 * SK_PARSE_PARTIAL, or SK_PARSE_INVALID when a byte that cannot be in a sequence appears
 * (*bad is then the offset of that byte).
 */
static long scan_seq(const uint8_t *buf, size_t len, size_t start, unsigned *params, int *nparams,
                     int *nokey, uint8_t *final, size_t *bad)
{
    size_t i = start;
    int np = 0;
    unsigned cur = 0;
    int have_cur = 0;

    *nokey = 0;
    *nparams = 0;
    for (; i < len; i++) {
        uint8_t c = buf[i];
        if (i - start >= MAX_SEQ) {
            *bad = i;
            return SK_PARSE_INVALID;
        }
        if (c >= '0' && c <= '9') {
            /* No key has a parameter past U+10FFFF; stop there rather than overflow. */
            if (cur > 0x10ffff) {
                *nokey = 1;
            } else {
                cur = cur * 10 + (unsigned)(c - '0');
            }
            have_cur = 1;
        } else if (c == ';' || c == ':') {
            if (np < MAX_PARAMS) {
                params[np++] = cur;
            }
            cur = 0;
            have_cur = 0;
        } else if (c >= 0x3c && c <= 0x3f) {
            *nokey = 1;
        } else if (c == '$' && !*nokey && i > start) {
            /* rxvt's Shift form, ESC [ 2 $, ends with an intermediate byte. */
            break;
        } else if (c >= 0x20 && c <= 0x2f) {
            /* An intermediate byte: not part of any key we know; keep scanning to the final. */
            *nokey = 1;
        } else if (c >= 0x40 && c <= 0x7e) {
            break;
        } else {
            *bad = i;
            return SK_PARSE_INVALID;
        }
    }
    if (i == len) {
        return SK_PARSE_PARTIAL;
    }
    if ((have_cur || np > 0) && np < MAX_PARAMS) {
        params[np++] = cur;
    }
    *nparams = np;
    *final = buf[i];
    return (long)(i + 1);
}

/*
 * The key of a modifyOtherKeys (ESC [ 27 ; m ; c ~) or CSI u (ESC [ c ; m u)
 * report: character c with xterm modifiers m.
 */
static void other_key(unsigned c, unsigned m, struct sk_termkey *out)
{
    uint8_t mods = xterm_mods(m);
    if ((c == ']' || c == MENU_BYTE) && mods == SK_MOD_LCTRL) {
        /* Ctrl+] reported this way is still the menu key. */
        *out = (struct sk_termkey){.type = SK_TERMKEY_MENU};
    } else if (c == 0x1b) {
        set_key(out, SK_USAGE_ESCAPE, mods);
    } else if (c < 0x20 || c == 0x7f) {
        control_byte((uint8_t)c, out);
        out->mods |= mods;
    } else if (c <= 0x10ffff && !(c >= 0xd800 && c <= 0xdfff) && !(c >= 0x80 && c < 0xa0)) {
        set_char(out, c, mods);
    } else {
        set_none(out);
    }
}

static uint8_t us_position(uint32_t c)
{
    if (c >= 'a' && c <= 'z') {
        return (uint8_t)(SK_USAGE_A + (c - 'a'));
    }
    for (size_t i = 0; i < SK_ARRAY_LEN(us_position_table); i++) {
        if ((uint32_t)(unsigned char)us_position_table[i].c == c) {
            return us_position_table[i].usage;
        }
    }
    return 0;
}

#define KITTY_FIELDS 3
#define KITTY_SUBS 3

/*
 * The kitty protocol's forms, and the answers to the console's probe:
 *   CSI code[:shifted[:base]] [; mods[:event] [; text]] u
 *   CSI 1 ; mods:event A..S  and  CSI number ; mods:event ~   (functional keys)
 *   CSI ? flags u   (answer to CSI ? u)      CSI ? ... c   (DA1)
 * Returns the length, SK_PARSE_PARTIAL, or 0 when the sequence is none of
 * these (the legacy parser then reads it). Text keys come out as CHAR with
 * cp the key's own (unshifted) character and usage its US position, so the
 * caller can either type the character or press the position.
 */
static long parse_kitty(const uint8_t *buf, size_t len, struct sk_termkey *out)
{
    uint32_t f[KITTY_FIELDS][KITTY_SUBS] = {{0}};
    int have[KITTY_FIELDS][KITTY_SUBS] = {{0}};
    int field = 0, sub = 0, query = 0, colon = 0;
    size_t i = 2;
    if (i < len && buf[i] == '?') {
        query = 1;
        i++;
    }
    for (;; i++) {
        if (i >= len) {
            return i - 2 >= MAX_SEQ ? 0 : SK_PARSE_PARTIAL;
        }
        uint8_t c = buf[i];
        if (c >= '0' && c <= '9') {
            if (field < KITTY_FIELDS && sub < KITTY_SUBS && f[field][sub] <= 0x10ffff) {
                f[field][sub] = f[field][sub] * 10 + (uint32_t)(c - '0');
                have[field][sub] = 1;
            }
        } else if (c == ';') {
            field++;
            sub = 0;
        } else if (c == ':') {
            sub++;
            colon = 1;
        } else if (c >= 0x40 && c <= 0x7e) {
            break;
        } else {
            return 0;
        }
    }
    long r = (long)(i + 1);
    uint8_t final = buf[i];
    if (query) {
        if (final == 'u') {
            *out = (struct sk_termkey){.type = SK_TERMKEY_KITTY_FLAGS, .cp = f[0][0]};
            return r;
        }
        if (final == 'c') {
            *out = (struct sk_termkey){.type = SK_TERMKEY_DA1};
            return r;
        }
        return 0;
    }
    if (final != 'u' && !colon) {
        return 0;
    }
    uint8_t mods = xterm_mods(have[1][0] ? f[1][0] : 1);
    uint8_t event =
        have[1][1] && f[1][1] >= 1 && f[1][1] <= 3 ? (uint8_t)f[1][1] : SK_TERMKEY_PRESS;
    set_none(out);
    if (final == 'u') {
        uint32_t code = f[0][0];
        if (code == ']' && (mods & (uint8_t)~SK_MOD_LSHIFT) == SK_MOD_LCTRL) {
            /* Ctrl+] is the menu key; its repeat and release mean nothing more. */
            if (event == SK_TERMKEY_PRESS) {
                *out = (struct sk_termkey){.type = SK_TERMKEY_MENU};
            }
            return r;
        }
        for (size_t k = 0; k < SK_ARRAY_LEN(kitty_table); k++) {
            if (kitty_table[k].code == code) {
                set_key(out, kitty_table[k].usage, mods);
                out->event = event;
                return r;
            }
        }
        if (code < 0x20 || code == 0x7f || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff ||
            (code >= 0x80 && code < 0xa0) || (code >= 57344 && code <= 63743)) {
            return r; /* a key with no usage (F25, Hyper, media keys): nothing to send */
        }
        /* The character the key types: the shifted key when Shift is held and it is known. */
        uint32_t cp = (mods & SK_MOD_LSHIFT) && have[0][1] && f[0][1] >= 0x20 ? f[0][1] : code;
        set_char(out, cp, mods);
        if (cp != code) {
            /* Shift is spent on the shifted character, as with a legacy terminal. */
            out->mods &= (uint8_t)~SK_MOD_LSHIFT;
        }
        out->usage =
            us_position(have[0][2] ? f[0][2] : (code >= 'A' && code <= 'Z' ? code + 32 : code));
        out->event = event;
        return r;
    }
    /* A functional key in its legacy form with an event: CSI 1;mods:event A, CSI 3;mods:event ~. */
    if (final == '~') {
        for (size_t k = 0; k < SK_ARRAY_LEN(tilde_table); k++) {
            if (tilde_table[k].code == f[0][0]) {
                set_key(out, tilde_table[k].usage, mods);
                out->event = event;
                return r;
            }
        }
        return r;
    }
    const struct final_key *k = find_final(csi_letter_table, SK_ARRAY_LEN(csi_letter_table), final);
    if (k != NULL && final >= 'A' && final <= 'S') {
        set_key(out, k->usage, (uint8_t)(k->mods | mods));
        out->event = event;
    }
    return r;
}

/*
 * An SGR mouse report, CSI < b ; x ; y M (press, motion, wheel) or m
 * (release). Returns the length, SK_PARSE_PARTIAL, or 0 when it is not one.
 */
static long parse_sgr_mouse(const uint8_t *buf, size_t len, struct sk_termkey *out)
{
    if (len < 3) {
        return SK_PARSE_PARTIAL;
    }
    if (buf[2] != '<') {
        return 0;
    }
    unsigned v[3] = {0};
    int field = 0;
    for (size_t i = 3;; i++) {
        if (i >= len) {
            return i - 2 >= MAX_SEQ ? 0 : SK_PARSE_PARTIAL;
        }
        uint8_t c = buf[i];
        if (c >= '0' && c <= '9') {
            if (v[field] < 100000) {
                v[field] = v[field] * 10 + (unsigned)(c - '0');
            }
        } else if (c == ';' && field < 2) {
            field++;
        } else if ((c == 'M' || c == 'm') && field == 2) {
            *out = (struct sk_termkey){
                .type = SK_TERMKEY_MOUSE,
                .cp = v[0],
                .x = (uint16_t)SK_MIN(v[1], 65535u),
                .y = (uint16_t)SK_MIN(v[2], 65535u),
                .event = c == 'M' ? SK_TERMKEY_PRESS : SK_TERMKEY_RELEASE,
            };
            return (long)(i + 1);
        } else {
            return 0;
        }
    }
}

/* ESC [ ... : buf[0] is ESC, buf[1] is '['. */
static long parse_csi(const uint8_t *buf, size_t len, struct sk_termkey *out)
{
    unsigned p[MAX_PARAMS] = {0};
    int np, nokey;
    uint8_t final;
    size_t bad = 0;

    if (len < 3) {
        return SK_PARSE_PARTIAL;
    }
    if (buf[2] == '[') {
        /* The Linux console's F1..F5 carry a second '[' and one letter. */
        if (len < 4) {
            return SK_PARSE_PARTIAL;
        }
        const struct final_key *k = find_final(linux_table, SK_ARRAY_LEN(linux_table), buf[3]);
        if (k != NULL) {
            set_key(out, k->usage, k->mods);
            return 4;
        }
        set_none(out);
        return buf[3] >= 0x20 && buf[3] <= 0x7e ? 4 : 3;
    }
    if (buf[2] == 'M') {
        /* An X10 mouse report, ESC [ M b x y: three raw bytes follow that must not be typed. */
        if (len < 6) {
            return SK_PARSE_PARTIAL;
        }
        set_none(out);
        return 6;
    }

    long mr = parse_sgr_mouse(buf, len, out);
    if (mr != 0) {
        return mr;
    }
    long kr = parse_kitty(buf, len, out);
    if (kr != 0) {
        return kr;
    }
    long r = scan_seq(buf, len, 2, p, &np, &nokey, &final, &bad);
    if (r == SK_PARSE_PARTIAL) {
        return r;
    }
    set_none(out);
    if (r == SK_PARSE_INVALID) {
        /*
         * Drop what looked like a sequence; the stray byte is parsed on its
         * own next time. With nothing between ESC [ and it, there was no
         * sequence at all (0).
         */
        return bad > 2 ? (long)bad : 0;
    }
    if (nokey) {
        return r;
    }

    if (final == '~' || final == '^' || final == '@' || final == '$') {
        if (np == 0) {
            return r;
        }
        if (p[0] == 27 && final == '~' && np >= 3) {
            other_key(p[2], p[1], out);
            return r;
        }
        for (size_t i = 0; i < SK_ARRAY_LEN(tilde_table); i++) {
            if (tilde_table[i].code == p[0]) {
                uint8_t mods = np >= 2 ? xterm_mods(p[1]) : 0;
                /* rxvt marks modifiers with the final byte instead of a parameter. */
                if (final == '^') {
                    mods |= SK_MOD_LCTRL;
                } else if (final == '@') {
                    mods |= SK_MOD_LCTRL | SK_MOD_LSHIFT;
                } else if (final == '$') {
                    mods |= SK_MOD_LSHIFT;
                }
                set_key(out, tilde_table[i].usage, mods);
                return r;
            }
        }
        return r;
    }
    if (final == 'u') {
        if (np >= 1) {
            other_key(p[0], np >= 2 ? p[1] : 1, out);
        }
        return r;
    }
    const struct final_key *k = find_final(csi_letter_table, SK_ARRAY_LEN(csi_letter_table), final);
    /*
     * A letter key has no parameters, or "1;m". Anything else (ESC [ 12 ; 40 R,
     * a cursor position report) is not a key.
     */
    if (k == NULL || np > 2 || (np >= 1 && p[0] != 1)) {
        return r;
    }
    set_key(out, k->usage, (uint8_t)(k->mods | (np == 2 ? xterm_mods(p[1]) : 0)));
    return r;
}

/* ESC O ... : buf[0] is ESC, buf[1] is 'O'. Old xterms put a modifier digit in: ESC O 5 A. */
static long parse_ss3(const uint8_t *buf, size_t len, struct sk_termkey *out)
{
    unsigned p[MAX_PARAMS] = {0};
    int np, nokey;
    uint8_t final;
    size_t bad = 0;

    long r = scan_seq(buf, len, 2, p, &np, &nokey, &final, &bad);
    if (r == SK_PARSE_PARTIAL) {
        return r;
    }
    set_none(out);
    if (r == SK_PARSE_INVALID) {
        return bad > 2 ? (long)bad : 0;
    }
    const struct final_key *k = find_final(ss3_table, SK_ARRAY_LEN(ss3_table), final);
    if (nokey || k == NULL || np > 2) {
        return r;
    }
    set_key(out, k->usage, (uint8_t)(k->mods | (np >= 1 ? xterm_mods(p[np - 1]) : 0)));
    return r;
}

/* One key that does not start with ESC: a character (UTF-8) or a control byte. */
static long parse_plain(const uint8_t *buf, size_t len, struct sk_termkey *out)
{
    uint8_t c = buf[0];

    if (c == MENU_BYTE) {
        *out = (struct sk_termkey){.type = SK_TERMKEY_MENU};
        return 1;
    }
    if (c < 0x20 || c == 0x7f) {
        control_byte(c, out);
        return 1;
    }
    if (c < 0x80) {
        set_char(out, c, 0);
        return 1;
    }
    uint32_t cp;
    int r = sk_utf8_decode(buf, len, &cp);
    if (r == SK_PARSE_PARTIAL) {
        return SK_PARSE_PARTIAL;
    }
    if (r < 0) {
        set_none(out);
        return 1;
    }
    if (cp < 0xa0) {
        /* C1 controls encoded as UTF-8 are not characters anyone types. */
        set_none(out);
    } else {
        set_char(out, cp, 0);
    }
    return r;
}

/*
 * What follows an ESC (buf[0]). depth is 1 inside ESC ESC, where only a
 * CSI or SS3 sequence may follow. Returns the bytes consumed, ESC
 * included, SK_PARSE_PARTIAL, or 0 for "no sequence": the caller then
 * makes the ESC the Escape key on its own.
 */
static long parse_after_esc(const uint8_t *buf, size_t len, struct sk_termkey *out, int depth)
{
    if (len < 2) {
        return SK_PARSE_PARTIAL;
    }
    uint8_t c = buf[1];
    if (c == '[' || c == 'O') {
        long r = c == '[' ? parse_csi(buf, len, out) : parse_ss3(buf, len, out);
        /*
         * 0 means the byte after ESC [ or ESC O cannot start a sequence, so
         * the user typed Alt+[ or Alt+O (then something else); handle it
         * like any other ESC + character below.
         */
        if (r != 0 || depth > 0) {
            return r;
        }
    }
    if (depth > 0) {
        /* Inside ESC ESC only a sequence makes Alt+key; anything else is two Escapes. */
        return 0;
    }
    if (c == MENU_BYTE) {
        /* Keep the menu key the menu key: the ESC stands alone. */
        return 0;
    }
    long r;
    if (c == ESC) {
        /* Terminals with "meta sends escape" prefix a whole sequence: ESC ESC [ A is Alt+Up. */
        r = parse_after_esc(buf + 1, len - 1, out, depth + 1);
    } else {
        r = parse_plain(buf + 1, len - 1, out);
    }
    if (r <= 0) {
        return r;
    }
    if (out->type != SK_TERMKEY_KEY && out->type != SK_TERMKEY_CHAR) {
        return 0;
    }
    out->mods |= SK_MOD_LALT;
    return r + 1;
}

long sk_termkeys_parse(const uint8_t *buf, size_t len, int timed_out, struct sk_termkey *out)
{
    if (len == 0) {
        return SK_PARSE_PARTIAL;
    }
    if (buf[0] != ESC) {
        long r = parse_plain(buf, len, out);
        if (r == SK_PARSE_PARTIAL && timed_out) {
            /* A UTF-8 character that never finished: drop its first byte. */
            set_none(out);
            return 1;
        }
        return r;
    }
    long r = parse_after_esc(buf, len, out, 0);
    if (r > 0) {
        return r;
    }
    if (r == SK_PARSE_PARTIAL && !timed_out) {
        return r;
    }
    /*
     * A lone ESC, an ESC whose sequence never finished in time, or an ESC
     * before something that is no sequence: it is the Escape key, and the
     * bytes after it are parsed again on their own.
     */
    set_key(out, SK_USAGE_ESCAPE, 0);
    return 1;
}

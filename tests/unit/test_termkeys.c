/*
 * test_termkeys: terminal bytes to key events.
 *
 * Every sequence in the table is checked whole, at every split point (a
 * strict prefix is PARTIAL, or resolved on time-out), followed by more
 * bytes, concatenated with all the others, and fed one byte at a time.
 * Random bytes then check the parser's contract under ASan: it never
 * returns 0, never more than it was given, and never reads past len.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hid/keys.h"
#include "term/termkeys.h"
#include "base/util.h"

#define ESC "\x1b"
#define KEY SK_TERMKEY_KEY
#define CHR SK_TERMKEY_CHAR
#define NON SK_TERMKEY_NONE
#define MNU SK_TERMKEY_MENU
#define SH SK_MOD_LSHIFT
#define AL SK_MOD_LALT
#define CT SK_MOD_LCTRL
#define GU SK_MOD_LGUI

struct tcase {
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
    enum sk_termkey_type type;
    uint8_t usage;
    uint8_t mods;
    uint32_t cp;
};

/* Complete on their own: no time-out needed, nothing after them read. */
static const struct tcase cases[] = {
    /* Printable ASCII and UTF-8. */
    {"a", 0, CHR, 0, 0, 'a'},
    {"Z", 0, CHR, 0, 0, 'Z'},
    {" ", 0, CHR, 0, 0, ' '},
    {"~", 0, CHR, 0, 0, '~'},
    {"[", 0, CHR, 0, 0, '['},
    {"O", 0, CHR, 0, 0, 'O'},
    {"\xc3\xa9", 0, CHR, 0, 0, 0xe9},
    {"\xe2\x82\xac", 0, CHR, 0, 0, 0x20ac},
    {"\xf0\x9f\x98\x80", 0, CHR, 0, 0, 0x1f600},
    {"\xc2\xa0", 0, CHR, 0, 0, 0xa0},
    /* Control bytes. */
    {"\r", 0, KEY, 0x28, 0, 0},
    {"\n", 0, KEY, 0x28, 0, 0},
    {"\t", 0, KEY, 0x2b, 0, 0},
    {"\x7f", 0, KEY, 0x2a, 0, 0},
    {"\x08", 0, KEY, 0x2a, 0, 0},
    {"\x1d", 0, MNU, 0, 0, 0},
    {"\x01", 0, CHR, 0, CT, 'a'},
    {"\x03", 0, CHR, 0, CT, 'c'},
    {"\x1a", 0, CHR, 0, CT, 'z'},
    {"", 1, CHR, 0, CT, ' '},
    {"\x1c", 0, CHR, 0, CT, '\\'},
    {"\x1e", 0, CHR, 0, CT, '^'},
    {"\x1f", 0, CHR, 0, CT, '_'},
    /* ESC + a key is Alt. */
    {ESC "a", 0, CHR, 0, AL, 'a'},
    {ESC "A", 0, CHR, 0, AL, 'A'},
    {ESC "1", 0, CHR, 0, AL, '1'},
    {ESC "\xc3\xa9", 0, CHR, 0, AL, 0xe9},
    {ESC "\x7f", 0, KEY, 0x2a, AL, 0},
    {ESC "\r", 0, KEY, 0x28, AL, 0},
    {ESC "\t", 0, KEY, 0x2b, AL, 0},
    {ESC "\x01", 0, CHR, 0, CT | AL, 'a'},
    {ESC "", 2, CHR, 0, CT | AL, ' '},
    /* Cursor keys, normal and application mode. */
    {ESC "[A", 0, KEY, 0x52, 0, 0},
    {ESC "[B", 0, KEY, 0x51, 0, 0},
    {ESC "[C", 0, KEY, 0x4f, 0, 0},
    {ESC "[D", 0, KEY, 0x50, 0, 0},
    {ESC "[H", 0, KEY, 0x4a, 0, 0},
    {ESC "[F", 0, KEY, 0x4d, 0, 0},
    {ESC "OA", 0, KEY, 0x52, 0, 0},
    {ESC "OB", 0, KEY, 0x51, 0, 0},
    {ESC "OC", 0, KEY, 0x4f, 0, 0},
    {ESC "OD", 0, KEY, 0x50, 0, 0},
    {ESC "OH", 0, KEY, 0x4a, 0, 0},
    {ESC "OF", 0, KEY, 0x4d, 0, 0},
    /* VT220 editing keys, rxvt Home/End. */
    {ESC "[1~", 0, KEY, 0x4a, 0, 0},
    {ESC "[2~", 0, KEY, 0x49, 0, 0},
    {ESC "[3~", 0, KEY, 0x4c, 0, 0},
    {ESC "[4~", 0, KEY, 0x4d, 0, 0},
    {ESC "[5~", 0, KEY, 0x4b, 0, 0},
    {ESC "[6~", 0, KEY, 0x4e, 0, 0},
    {ESC "[7~", 0, KEY, 0x4a, 0, 0},
    {ESC "[8~", 0, KEY, 0x4d, 0, 0},
    /* Function keys. */
    {ESC "OP", 0, KEY, 0x3a, 0, 0},
    {ESC "OQ", 0, KEY, 0x3b, 0, 0},
    {ESC "OR", 0, KEY, 0x3c, 0, 0},
    {ESC "OS", 0, KEY, 0x3d, 0, 0},
    {ESC "[11~", 0, KEY, 0x3a, 0, 0},
    {ESC "[12~", 0, KEY, 0x3b, 0, 0},
    {ESC "[13~", 0, KEY, 0x3c, 0, 0},
    {ESC "[14~", 0, KEY, 0x3d, 0, 0},
    {ESC "[15~", 0, KEY, 0x3e, 0, 0},
    {ESC "[17~", 0, KEY, 0x3f, 0, 0},
    {ESC "[18~", 0, KEY, 0x40, 0, 0},
    {ESC "[19~", 0, KEY, 0x41, 0, 0},
    {ESC "[20~", 0, KEY, 0x42, 0, 0},
    {ESC "[21~", 0, KEY, 0x43, 0, 0},
    {ESC "[23~", 0, KEY, 0x44, 0, 0},
    {ESC "[24~", 0, KEY, 0x45, 0, 0},
    {ESC "[25~", 0, KEY, 0x68, 0, 0},
    {ESC "[34~", 0, KEY, 0x6f, 0, 0},
    /* The Linux console's F1..F5. */
    {ESC "[[A", 0, KEY, 0x3a, 0, 0},
    {ESC "[[B", 0, KEY, 0x3b, 0, 0},
    {ESC "[[C", 0, KEY, 0x3c, 0, 0},
    {ESC "[[D", 0, KEY, 0x3d, 0, 0},
    {ESC "[[E", 0, KEY, 0x3e, 0, 0},
    /* xterm modifier forms: parameter m - 1 = shift 1 | alt 2 | ctrl 4 | meta 8. */
    {ESC "[1;5A", 0, KEY, 0x52, CT, 0},
    {ESC "[1;2B", 0, KEY, 0x51, SH, 0},
    {ESC "[1;3C", 0, KEY, 0x4f, AL, 0},
    {ESC "[1;4D", 0, KEY, 0x50, SH | AL, 0},
    {ESC "[1;6H", 0, KEY, 0x4a, CT | SH, 0},
    {ESC "[1;9F", 0, KEY, 0x4d, GU, 0},
    {ESC "[1;16A", 0, KEY, 0x52, SH | AL | CT | GU, 0},
    {ESC "[1;1A", 0, KEY, 0x52, 0, 0},
    {ESC "[1;2P", 0, KEY, 0x3a, SH, 0},
    {ESC "[1;5S", 0, KEY, 0x3d, CT, 0},
    {ESC "[15;2~", 0, KEY, 0x3e, SH, 0},
    {ESC "[3;5~", 0, KEY, 0x4c, CT, 0},
    {ESC "[24;7~", 0, KEY, 0x45, CT | AL, 0},
    {ESC "[6;3~", 0, KEY, 0x4e, AL, 0},
    {ESC "O5A", 0, KEY, 0x52, CT, 0},
    {ESC "O2P", 0, KEY, 0x3a, SH, 0},
    {ESC "O1;3Q", 0, KEY, 0x3b, AL, 0},
    /* Back-tab. */
    {ESC "[Z", 0, KEY, 0x2b, SH, 0},
    /* The keypad in application mode. */
    {ESC "Op", 0, KEY, 0x62, 0, 0},
    {ESC "Oq", 0, KEY, 0x59, 0, 0},
    {ESC "Or", 0, KEY, 0x5a, 0, 0},
    {ESC "Os", 0, KEY, 0x5b, 0, 0},
    {ESC "Ot", 0, KEY, 0x5c, 0, 0},
    {ESC "Ou", 0, KEY, 0x5d, 0, 0},
    {ESC "Ov", 0, KEY, 0x5e, 0, 0},
    {ESC "Ow", 0, KEY, 0x5f, 0, 0},
    {ESC "Ox", 0, KEY, 0x60, 0, 0},
    {ESC "Oy", 0, KEY, 0x61, 0, 0},
    {ESC "OM", 0, KEY, 0x58, 0, 0},
    {ESC "Oj", 0, KEY, 0x55, 0, 0},
    {ESC "Ok", 0, KEY, 0x57, 0, 0},
    {ESC "Om", 0, KEY, 0x56, 0, 0},
    {ESC "Oo", 0, KEY, 0x54, 0, 0},
    {ESC "On", 0, KEY, 0x63, 0, 0},
    {ESC "OX", 0, KEY, 0x67, 0, 0},
    /* modifyOtherKeys and CSI u. */
    {ESC "[27;5;13~", 0, KEY, 0x28, CT, 0},
    {ESC "[27;2;9~", 0, KEY, 0x2b, SH, 0},
    {ESC "[27;3;27~", 0, KEY, 0x29, AL, 0},
    {ESC "[27;5;127~", 0, KEY, 0x2a, CT, 0},
    {ESC "[27;5;105~", 0, CHR, 0, CT, 'i'},
    {ESC "[27;6;65~", 0, CHR, 0, CT | SH, 'A'},
    {ESC "[27;7;233~", 0, CHR, 0, CT | AL, 0xe9},
    {ESC "[27;5;93~", 0, MNU, 0, 0, 0},
    /* CSI u gives the character and its US position (for the kitty protocol's press/release). */
    {ESC "[105;5u", 0, CHR, 0x0c, CT, 'i'},
    {ESC "[13;2u", 0, KEY, 0x28, SH, 0},
    {ESC "[97u", 0, CHR, 0x04, 0, 'a'},
    /* rxvt's modifier forms. */
    {ESC "[a", 0, KEY, 0x52, SH, 0},
    {ESC "[d", 0, KEY, 0x50, SH, 0},
    {ESC "Oa", 0, KEY, 0x52, CT, 0},
    {ESC "Oc", 0, KEY, 0x4f, CT, 0},
    {ESC "[2^", 0, KEY, 0x49, CT, 0},
    {ESC "[3$", 0, KEY, 0x4c, SH, 0},
    {ESC "[5@", 0, KEY, 0x4b, CT | SH, 0},
    /* Meta-sends-escape before a whole sequence. */
    {ESC ESC "[A", 0, KEY, 0x52, AL, 0},
    {ESC ESC "OP", 0, KEY, 0x3a, AL, 0},
    {ESC ESC "[1;5C", 0, KEY, 0x4f, CT | AL, 0},
    /* Unknown but complete: consumed whole, nothing typed. */
    {ESC "[99~", 0, NON, 0, 0, 0},
    {ESC "[~", 0, NON, 0, 0, 0},
    {ESC "[1;5X", 0, NON, 0, 0, 0},
    {ESC "[?1;2c", 0, SK_TERMKEY_DA1, 0, 0, 0},
    {ESC "[?62;22c", 0, SK_TERMKEY_DA1, 0, 0, 0},
    {ESC "[<0;10;20M", 0, SK_TERMKEY_MOUSE, 0, 0, 0},
    {ESC "[<0;10;20m", 0, SK_TERMKEY_MOUSE, 0, 0, 0},
    {ESC "[<65;1;1M", 0, SK_TERMKEY_MOUSE, 0, 0, 65},
    {ESC "[I", 0, NON, 0, 0, 0},
    {ESC "[O", 0, NON, 0, 0, 0},
    {ESC "[200~", 0, NON, 0, 0, 0},
    {ESC "[12;40R", 0, NON, 0, 0, 0},
    {ESC "[2;1;1;1;1A", 0, NON, 0, 0, 0},
    {ESC "[1 q", 0, NON, 0, 0, 0},
    {ESC "[M !!", 0, NON, 0, 0, 0}, /* X10 mouse: three raw bytes */
    {ESC "[M\x20\xff\x80", 0, NON, 0, 0, 0},
    {ESC "[[Z", 0, NON, 0, 0, 0},
    {ESC "Oz", 0, NON, 0, 0, 0},
    {ESC "O1;2;3;4A", 0, NON, 0, 0, 0},
    {ESC "[27;5;55296~", 0, NON, 0, 0, 0}, /* a surrogate is no character */
    {"\xc2\x9b", 0, NON, 0, 0, 0},         /* C1 CSI as UTF-8 */
};

static size_t case_len(const struct tcase *c)
{
    return c->len ? c->len : strlen(c->bytes);
}

static void describe(const struct tcase *c)
{
    size_t n = case_len(c);
    fprintf(stderr, "  case:");
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)c->bytes[i];
        if (b > 0x20 && b < 0x7f) {
            fprintf(stderr, " %c", b);
        } else {
            fprintf(stderr, " %02x", b);
        }
    }
    fprintf(stderr, "\n");
}

/* Parse from an exact-size heap copy, so ASan catches any read past len. */
static long parse_copy(const char *bytes, size_t len, int timed_out, struct sk_termkey *k)
{
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, bytes, len);
    memset(k, 0xa5, sizeof(*k));
    long r = sk_termkeys_parse(p, len, timed_out, k);
    free(p);
    return r;
}

static int matches(const struct tcase *c, const struct sk_termkey *k)
{
    return k->type == c->type && k->usage == c->usage && k->mods == c->mods && k->cp == c->cp;
}

/*
 * The kitty keyboard protocol (flags 15: disambiguate, event types,
 * alternate keys, all keys as escapes): sequences as kitty sends them, with
 * the event each must give.
 */
static const struct {
    const char *bytes;
    enum sk_termkey_type type;
    uint8_t usage, mods, event;
    uint32_t cp;
} kitty_cases[] = {
    /* a pressed, repeated, released */
    {ESC "[97u", CHR, 0x04, 0, SK_TERMKEY_PRESS, 'a'},
    {ESC "[97;1:1u", CHR, 0x04, 0, SK_TERMKEY_PRESS, 'a'},
    {ESC "[97;1:2u", CHR, 0x04, 0, SK_TERMKEY_REPEAT, 'a'},
    {ESC "[97;1:3u", CHR, 0x04, 0, SK_TERMKEY_RELEASE, 'a'},
    /* Shift+2 on a US keyboard: key '2', shifted '@'; Shift is spent on the character */
    {ESC "[50:64;2u", CHR, 0x1f, 0, SK_TERMKEY_PRESS, '@'},
    /* a German keyboard's z key: key 'z', base layout (US position) 'y' */
    {ESC "[122::121;1:1u", CHR, 0x1c, 0, SK_TERMKEY_PRESS, 'z'},
    /* a German keyboard's ü key: base layout '[' */
    {ESC "[252::91u", CHR, 0x2f, 0, SK_TERMKEY_PRESS, 0xfc},
    /* Ctrl+I is not Tab: i with Ctrl */
    {ESC "[105;5u", CHR, 0x0c, CT, SK_TERMKEY_PRESS, 'i'},
    {ESC "[9u", KEY, 0x2b, 0, SK_TERMKEY_PRESS, 0},
    {ESC "[9;1:3u", KEY, 0x2b, 0, SK_TERMKEY_RELEASE, 0},
    /* modifier keys themselves, Super included */
    {ESC "[57441;2u", KEY, 0xe1, SH, SK_TERMKEY_PRESS, 0},
    {ESC "[57441;1:3u", KEY, 0xe1, 0, SK_TERMKEY_RELEASE, 0},
    {ESC "[57444;9:1u", KEY, 0xe3, SK_MOD_LGUI, SK_TERMKEY_PRESS, 0},
    {ESC "[57449;1:3u", KEY, 0xe6, 0, SK_TERMKEY_RELEASE, 0},
    {ESC "[57442;5:2u", KEY, 0xe0, CT, SK_TERMKEY_REPEAT, 0},
    /* Escape, Enter, Backspace, keypad, F13, Caps Lock, Print Screen */
    {ESC "[27u", KEY, 0x29, 0, SK_TERMKEY_PRESS, 0},
    {ESC "[13;1:3u", KEY, 0x28, 0, SK_TERMKEY_RELEASE, 0},
    {ESC "[127;5u", KEY, 0x2a, CT, SK_TERMKEY_PRESS, 0},
    {ESC "[57400;1:1u", KEY, 0x59, 0, SK_TERMKEY_PRESS, 0},
    {ESC "[57414u", KEY, 0x58, 0, SK_TERMKEY_PRESS, 0},
    {ESC "[57376;1:1u", KEY, 0x68, 0, SK_TERMKEY_PRESS, 0},
    {ESC "[57358;1:3u", KEY, 0x39, 0, SK_TERMKEY_RELEASE, 0},
    {ESC "[57361u", KEY, 0x46, 0, SK_TERMKEY_PRESS, 0},
    /* functional keys in their legacy forms with events */
    {ESC "[1;1:3A", KEY, 0x52, 0, SK_TERMKEY_RELEASE, 0},
    {ESC "[1;5:1C", KEY, 0x4f, CT, SK_TERMKEY_PRESS, 0},
    {ESC "[1;2:2P", KEY, 0x3a, SH, SK_TERMKEY_REPEAT, 0},
    {ESC "[19;1:1~", KEY, 0x41, 0, SK_TERMKEY_PRESS, 0},
    {ESC "[19;1:3~", KEY, 0x41, 0, SK_TERMKEY_RELEASE, 0},
    {ESC "[3;3:3~", KEY, 0x4c, AL, SK_TERMKEY_RELEASE, 0},
    /* Ctrl+] is the menu on press, nothing on repeat or release */
    {ESC "[93;5u", MNU, 0, 0, SK_TERMKEY_TAP, 0},
    {ESC "[93;5:1u", MNU, 0, 0, SK_TERMKEY_TAP, 0},
    {ESC "[93;5:3u", NON, 0, 0, SK_TERMKEY_TAP, 0},
    /* keys with no usage: F25, a media key */
    {ESC "[57388u", NON, 0, 0, SK_TERMKEY_TAP, 0},
    {ESC "[57428;1:1u", NON, 0, 0, SK_TERMKEY_TAP, 0},
    /* the answers to the probe */
    {ESC "[?15u", SK_TERMKEY_KITTY_FLAGS, 0, 0, SK_TERMKEY_TAP, 15},
    {ESC "[?0u", SK_TERMKEY_KITTY_FLAGS, 0, 0, SK_TERMKEY_TAP, 0},
};

static void test_kitty(void)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(kitty_cases); i++) {
        size_t n = strlen(kitty_cases[i].bytes);
        struct sk_termkey k;
        long r = parse_copy(kitty_cases[i].bytes, n, 0, &k);
        int ok = r == (long)n && k.type == kitty_cases[i].type && k.usage == kitty_cases[i].usage &&
                 k.mods == kitty_cases[i].mods && k.event == kitty_cases[i].event &&
                 k.cp == kitty_cases[i].cp;
        if (!ok) {
            fprintf(stderr,
                    "  kitty case %zu: r=%ld type=%d usage=0x%02x mods=0x%02x event=%d cp=%u\n", i,
                    r, (int)k.type, k.usage, k.mods, k.event, (unsigned)k.cp);
        }
        CHECK(ok);
        /* Every prefix is incomplete, never a wrong key. */
        for (size_t cut = 1; cut < n; cut++) {
            CHECK_EQ_INT(parse_copy(kitty_cases[i].bytes, cut, 0, &k), SK_PARSE_PARTIAL);
        }
    }
}

static void test_sgr_mouse(void)
{
    struct sk_termkey k;
    CHECK_EQ_INT(parse_copy(ESC "[<2;130;45M", 12, 0, &k), 12);
    CHECK(k.type == SK_TERMKEY_MOUSE && k.cp == 2 && k.x == 130 && k.y == 45 &&
          k.event == SK_TERMKEY_PRESS);
    CHECK_EQ_INT(parse_copy(ESC "[<32;7;8M", 10, 0, &k), 10);
    CHECK(k.type == SK_TERMKEY_MOUSE && k.cp == 32 && k.x == 7 && k.y == 8);
    CHECK_EQ_INT(parse_copy(ESC "[<0;7;8m", 9, 0, &k), 9);
    CHECK(k.type == SK_TERMKEY_MOUSE && k.event == SK_TERMKEY_RELEASE);
    CHECK_EQ_INT(parse_copy(ESC "[<0;7", 6, 0, &k), SK_PARSE_PARTIAL);
    /* Not a mouse report: a private '<' sequence with another final is dropped whole. */
    CHECK_EQ_INT(parse_copy(ESC "[<1;2;3;4M", 11, 0, &k), 11);
    CHECK(k.type == SK_TERMKEY_NONE);
}

static void test_table_whole(void)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(cases); i++) {
        const struct tcase *c = &cases[i];
        size_t n = case_len(c);
        for (int to = 0; to <= 1; to++) {
            struct sk_termkey k;
            long r = parse_copy(c->bytes, n, to, &k);
            if (r != (long)n || !matches(c, &k)) {
                describe(c);
                fprintf(stderr, "  timed_out=%d got r=%ld type=%d usage=0x%02x mods=0x%02x cp=%u\n",
                        to, r, (int)k.type, k.usage, k.mods, (unsigned)k.cp);
            }
            CHECK_EQ_INT(r, (long)n);
            CHECK(matches(c, &k));
        }
        /* Bytes after the sequence are left for the next call. */
        char more[64];
        memcpy(more, c->bytes, n);
        memcpy(more + n, "xy", 2);
        struct sk_termkey k;
        long r = parse_copy(more, n + 2, 0, &k);
        if (r != (long)n) {
            describe(c);
        }
        CHECK_EQ_INT(r, (long)n);
        CHECK(matches(c, &k));
    }
}

static void test_table_split_points(void)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(cases); i++) {
        const struct tcase *c = &cases[i];
        size_t n = case_len(c);
        for (size_t cut = 1; cut < n; cut++) {
            struct sk_termkey k;
            long r = parse_copy(c->bytes, cut, 0, &k);
            if (r != SK_PARSE_PARTIAL) {
                describe(c);
                fprintf(stderr, "  cut at %zu: r=%ld\n", cut, r);
            }
            CHECK_EQ_INT(r, SK_PARSE_PARTIAL);
            /*
             * Timed out, the prefix resolves one byte: an ESC becomes the
             * Escape key, a UTF-8 lead byte is dropped.
             */
            r = parse_copy(c->bytes, cut, 1, &k);
            CHECK_EQ_INT(r, 1);
            if (c->bytes[0] == 0x1b) {
                CHECK_EQ_INT(k.type, SK_TERMKEY_KEY);
                CHECK_EQ_INT(k.usage, SK_USAGE_ESCAPE);
                CHECK_EQ_INT(k.mods, 0);
            } else {
                CHECK_EQ_INT(k.type, SK_TERMKEY_NONE);
            }
        }
    }
}

/* Parse a whole buffer into events the way a session would, feeding it all at once or byte by byte.
 */
static size_t run_stream(const uint8_t *buf, size_t len, int bytewise, struct sk_termkey *ev,
                         size_t max)
{
    size_t nev = 0, start = 0, avail = bytewise ? 0 : len;
    while (start < len && nev < max) {
        if (avail < len && (avail == start || bytewise)) {
            avail++;
        }
        long r = sk_termkeys_parse(buf + start, avail - start, 0, &ev[nev]);
        if (r == SK_PARSE_PARTIAL) {
            if (avail == len) {
                break;
            }
            continue;
        }
        if (r <= 0) {
            break;
        }
        start += (size_t)r;
        nev++;
    }
    return nev;
}

static void test_table_concatenated(void)
{
    uint8_t buf[4096];
    size_t len = 0;
    for (size_t i = 0; i < SK_ARRAY_LEN(cases); i++) {
        size_t n = case_len(&cases[i]);
        memcpy(buf + len, cases[i].bytes, n);
        len += n;
    }
    CHECK(len < sizeof(buf));
    static struct sk_termkey ev[SK_ARRAY_LEN(cases) + 8];
    for (int bytewise = 0; bytewise <= 1; bytewise++) {
        size_t nev = run_stream(buf, len, bytewise, ev, SK_ARRAY_LEN(ev));
        CHECK_EQ_INT(nev, SK_ARRAY_LEN(cases));
        for (size_t i = 0; i < nev && i < SK_ARRAY_LEN(cases); i++) {
            if (!matches(&cases[i], &ev[i])) {
                fprintf(stderr, "  bytewise=%d event %zu\n", bytewise, i);
                describe(&cases[i]);
                CHECK(0);
                break;
            }
        }
    }
}

static void check_seq(const char *bytes, size_t len, int timed_out, long want_r,
                      enum sk_termkey_type type, uint8_t usage, uint8_t mods, uint32_t cp)
{
    struct sk_termkey k;
    long r = parse_copy(bytes, len, timed_out, &k);
    CHECK_EQ_INT(r, want_r);
    if (r > 0) {
        CHECK_EQ_INT(k.type, type);
        CHECK_EQ_INT(k.usage, usage);
        CHECK_EQ_INT(k.mods, mods);
        CHECK_EQ_INT(k.cp, cp);
    }
}

static void test_escape_and_timeouts(void)
{
    const long P = SK_PARSE_PARTIAL;
    check_seq("", 0, 0, P, NON, 0, 0, 0);
    check_seq("", 0, 1, P, NON, 0, 0, 0);
    /* A lone ESC waits for the time-out, then is Escape. */
    check_seq(ESC, 1, 0, P, NON, 0, 0, 0);
    check_seq(ESC, 1, 1, 1, KEY, 0x29, 0, 0);
    /* Two ESCs: waiting, then two Escapes (not Alt+Escape). */
    check_seq(ESC ESC, 2, 0, P, NON, 0, 0, 0);
    check_seq(ESC ESC, 2, 1, 1, KEY, 0x29, 0, 0);
    /* A half sequence at the time-out: Escape, and the rest is parsed again. */
    check_seq(ESC "[", 2, 1, 1, KEY, 0x29, 0, 0);
    check_seq(ESC "[1;", 4, 1, 1, KEY, 0x29, 0, 0);
    check_seq(ESC "O", 2, 1, 1, KEY, 0x29, 0, 0);
    check_seq(ESC "[[", 3, 1, 1, KEY, 0x29, 0, 0);
    check_seq(ESC "[M!", 4, 0, P, NON, 0, 0, 0);
    check_seq(ESC "[M!", 4, 1, 1, KEY, 0x29, 0, 0);
    /* ESC before Ctrl+] leaves the menu key alone. */
    check_seq(ESC "\x1d", 2, 0, 1, KEY, 0x29, 0, 0);
    /* ESC ESC before a plain character: Escape, then Alt+a. */
    check_seq(ESC ESC "a", 3, 0, 1, KEY, 0x29, 0, 0);
    check_seq(ESC "a", 2, 0, 2, CHR, 0, AL, 'a');
    /* ESC ESC before an unknown sequence: Escape, then the sequence is dropped. */
    check_seq(ESC ESC "[99~", 6, 0, 1, KEY, 0x29, 0, 0);
    /* ESC ESC ESC: the first is Escape. */
    check_seq(ESC ESC ESC "[A", 5, 0, 1, KEY, 0x29, 0, 0);
    /* ESC before a half UTF-8 character. */
    check_seq(ESC "\xc3", 2, 0, P, NON, 0, 0, 0);
    check_seq(ESC "\xc3", 2, 1, 1, KEY, 0x29, 0, 0);
    /* ESC before an invalid byte. */
    check_seq(ESC "\xff", 2, 0, 1, KEY, 0x29, 0, 0);
    /* ESC [ or ESC O before a byte no sequence contains: Alt+[ / Alt+O. */
    check_seq(ESC "[\r", 3, 0, 2, CHR, 0, AL, '[');
    check_seq(ESC "O\x7f", 3, 0, 2, CHR, 0, AL, 'O');
    /* ... but a started sequence cut by such a byte is dropped up to it. */
    check_seq(ESC "[1\r", 4, 0, 3, NON, 0, 0, 0);
    check_seq(ESC "[1;" ESC "[A", 7, 0, 4, NON, 0, 0, 0);
    /* Linux console prefix before a control byte. */
    check_seq(ESC "[[\r", 4, 0, 3, NON, 0, 0, 0);
}

static void test_utf8_edges(void)
{
    const long P = SK_PARSE_PARTIAL;
    check_seq("\xc3", 1, 0, P, NON, 0, 0, 0);
    check_seq("\xc3", 1, 1, 1, NON, 0, 0, 0);
    check_seq("\xe2\x82", 2, 0, P, NON, 0, 0, 0);
    check_seq("\xe2\x82", 2, 1, 1, NON, 0, 0, 0);
    check_seq("\xff", 1, 0, 1, NON, 0, 0, 0);
    check_seq("\x80", 1, 0, 1, NON, 0, 0, 0);
    check_seq("\xc3"
              "A",
              2, 0, 1, NON, 0, 0, 0);
    check_seq("\xc0\xaf", 2, 0, 1, NON, 0, 0, 0);         /* overlong */
    check_seq("\xed\xa0\x80", 3, 0, 1, NON, 0, 0, 0);     /* a surrogate */
    check_seq("\xf4\x90\x80\x80", 4, 0, 1, NON, 0, 0, 0); /* past U+10FFFF */
}

static void test_long_garbage_sequence(void)
{
    /* A CSI that never ends is cut off rather than waited for forever. */
    char buf[80];
    memcpy(buf, ESC "[", 2);
    memset(buf + 2, '1', sizeof(buf) - 2);
    struct sk_termkey k;
    long r = parse_copy(buf, sizeof(buf), 0, &k);
    CHECK(r > 2 && r <= (long)sizeof(buf));
    CHECK_EQ_INT(k.type, SK_TERMKEY_NONE);
    /* Huge parameters do not overflow into a key. */
    check_seq(ESC "[99999999999999999999~", 23, 0, 23, NON, 0, 0, 0);
    check_seq(ESC "[1;99999999999999999A", 22, 0, 22, NON, 0, 0, 0);
    check_seq(ESC "[27;5;1114112~", 15, 0, 15, NON, 0, 0, 0);
}

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_fuzz(void)
{
    /* Bytes biased toward the ones sequences are made of, so deep paths are reached. */
    static const uint8_t alphabet[] = {0x1b, '[', 'O', '1',  '2',  '5',  ';',  '~',  'A',  'P',
                                       'M',  '<', '?', 0xc3, 0xa9, 0xe2, 0x1d, 0x00, 0x7f, '$'};
    int bad = 0;
    for (int iter = 0; iter < 20000 && bad < 5; iter++) {
        size_t len = 1 + rnd() % 48;
        uint8_t *buf = malloc(len);
        for (size_t i = 0; i < len; i++) {
            buf[i] = (rnd() & 1) ? alphabet[rnd() % sizeof(alphabet)] : (uint8_t)rnd();
        }
        size_t off = 0;
        while (off < len) {
            struct sk_termkey k;
            long r = sk_termkeys_parse(buf + off, len - off, 0, &k);
            if (r == SK_PARSE_PARTIAL) {
                r = sk_termkeys_parse(buf + off, len - off, 1, &k);
            }
            if (r < 1 || (size_t)r > len - off) {
                fprintf(stderr, "  iter %d off %zu: r=%ld\n", iter, off, r);
                bad++;
                break;
            }
            int ok = 1;
            switch (k.type) {
            case SK_TERMKEY_KEY:
                ok = k.usage != 0 && k.cp == 0;
                break;
            case SK_TERMKEY_CHAR:
                ok = k.cp <= 0x10ffff && !(k.cp >= 0xd800 && k.cp <= 0xdfff) && k.usage == 0;
                break;
            case SK_TERMKEY_NONE:
            case SK_TERMKEY_MENU:
                ok = k.usage == 0 && k.mods == 0 && k.cp == 0;
                break;
            default:
                ok = 0;
            }
            if (!ok) {
                fprintf(stderr, "  iter %d off %zu: bad event type %d\n", iter, off, (int)k.type);
                bad++;
            }
            off += (size_t)r;
        }
        free(buf);
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    SK_RUN(test_sgr_mouse);
    SK_RUN(test_kitty);
    SK_RUN(test_table_whole);
    SK_RUN(test_table_split_points);
    SK_RUN(test_table_concatenated);
    SK_RUN(test_escape_and_timeouts);
    SK_RUN(test_utf8_edges);
    SK_RUN(test_long_garbage_sequence);
    SK_RUN(test_fuzz);
    return SK_CHECK_EXIT();
}

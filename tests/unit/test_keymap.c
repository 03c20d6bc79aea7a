/*
 * test_keymap: the keymap format, keymaps/us, lookups and text to keystrokes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hid/keymap.h"

/* The tests run from the top of the tree, but allow running from tests/unit too. */
static const char *keymap_dir(void)
{
    static const char *dirs[] = {"keymaps", "../keymaps", "../../keymaps"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s/us", dirs[i]);
        if (access(path, R_OK) == 0) {
            return dirs[i];
        }
    }
    return "keymaps";
}

static struct sk_keymap *load_us(void)
{
    char err[256] = "";
    struct sk_keymap *km = sk_keymap_load(keymap_dir(), "us", err, sizeof(err));
    if (km == NULL) {
        fprintf(stderr, "  cannot load us: %s\n", err);
    }
    return km;
}

static struct sk_keymap *parse_str(const char *text, char *err, size_t errlen)
{
    return sk_keymap_parse(text, strlen(text), "t", err, errlen);
}

static void check_one(const struct sk_keymap *km, uint32_t cp, uint8_t usage, uint8_t mods)
{
    struct sk_key k[SK_KEYMAP_MAX_STROKES];
    int n = sk_keymap_lookup(km, cp, k, SK_KEYMAP_MAX_STROKES);
    if (n != 1 || k[0].usage != usage || k[0].mods != mods) {
        fprintf(stderr, "  U+%04X: n=%d usage=0x%02x mods=0x%02x\n", (unsigned)cp, n,
                n > 0 ? k[0].usage : 0, n > 0 ? k[0].mods : 0);
    }
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(k[0].usage, usage);
    CHECK_EQ_INT(k[0].mods, mods);
}

static void test_us_exact(void)
{
    struct sk_keymap *km = load_us();
    CHECK(km != NULL);
    if (km == NULL) {
        return;
    }
    CHECK_STR(sk_keymap_name(km), "us");
    check_one(km, 'a', 0x04, 0);
    check_one(km, 'A', 0x04, SK_MOD_LSHIFT);
    check_one(km, 'z', 0x1d, 0);
    check_one(km, 'Z', 0x1d, SK_MOD_LSHIFT);
    check_one(km, '1', 0x1e, 0);
    check_one(km, '!', 0x1e, SK_MOD_LSHIFT);
    check_one(km, '@', 0x1f, SK_MOD_LSHIFT);
    check_one(km, '#', 0x20, SK_MOD_LSHIFT);
    check_one(km, '0', 0x27, 0);
    check_one(km, ')', 0x27, SK_MOD_LSHIFT);
    check_one(km, '{', 0x2f, SK_MOD_LSHIFT);
    check_one(km, '[', 0x2f, 0);
    check_one(km, '}', 0x30, SK_MOD_LSHIFT);
    check_one(km, '\\', 0x31, 0);
    check_one(km, '|', 0x31, SK_MOD_LSHIFT);
    check_one(km, '"', 0x34, SK_MOD_LSHIFT);
    check_one(km, '~', 0x35, SK_MOD_LSHIFT);
    check_one(km, '`', 0x35, 0);
    check_one(km, '?', 0x38, SK_MOD_LSHIFT);
    check_one(km, ' ', 0x2c, 0);
    check_one(km, '\n', 0x28, 0);
    check_one(km, '\t', 0x2b, 0);
    struct sk_key k[4];
    CHECK_EQ_INT(sk_keymap_lookup(km, 0xe9, k, 4), 0);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0x20ac, k, 4), 0);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0x7f, k, 4), 0);
    CHECK_EQ_INT(sk_keymap_lookup(km, '\r', k, 4), 0);
    sk_keymap_free(km);
}

static void test_us_all_printable(void)
{
    /*
     * An independent description of the US layout: for each usage from
     * 0x04, the unshifted and the shifted character.
     */
    static const char *rows[][2] = {
        {"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, /* 0x04.. */
        {"1234567890", "!@#$%^&*()"},                                 /* 0x1e.. */
        {"-=[]\\", "_+{}|"},                                          /* 0x2d.. */
        {";'`,./", ":\"~<>?"},                                        /* 0x33.. */
    };
    static const uint8_t first[] = {0x04, 0x1e, 0x2d, 0x33};
    struct sk_keymap *km = load_us();
    CHECK(km != NULL);
    if (km == NULL) {
        return;
    }
    int seen[128] = {0};
    for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
        for (size_t i = 0; rows[r][0][i] != '\0'; i++) {
            check_one(km, (uint8_t)rows[r][0][i], (uint8_t)(first[r] + i), 0);
            check_one(km, (uint8_t)rows[r][1][i], (uint8_t)(first[r] + i), SK_MOD_LSHIFT);
            seen[(uint8_t)rows[r][0][i]] = 1;
            seen[(uint8_t)rows[r][1][i]] = 1;
        }
    }
    check_one(km, ' ', 0x2c, 0);
    seen[' '] = 1;
    int count = 0;
    for (int c = 0x20; c < 0x7f; c++) {
        count += seen[c];
    }
    CHECK_EQ_INT(count, 95);

    /* And the whole of printable ASCII as text, in one go. */
    char text[96];
    for (int c = 0x20; c < 0x7f; c++) {
        text[c - 0x20] = (char)c;
    }
    struct sk_key *keys = NULL;
    size_t n = 0;
    char err[256] = "";
    CHECK_EQ_INT(sk_keymap_text(km, text, 95, &keys, &n, err, sizeof(err)), 0);
    CHECK_EQ_INT(n, 95);
    if (n == 95) {
        CHECK_EQ_INT(keys['!' - 0x20].usage, 0x1e);
        CHECK_EQ_INT(keys['!' - 0x20].mods, SK_MOD_LSHIFT);
        CHECK_EQ_INT(keys['{' - 0x20].usage, 0x2f);
        CHECK_EQ_INT(keys['{' - 0x20].mods, SK_MOD_LSHIFT);
        CHECK_EQ_INT(keys['q' - 0x20].usage, 0x14);
        CHECK_EQ_INT(keys['q' - 0x20].mods, 0);
    }
    free(keys);
    sk_keymap_free(km);
}

static void test_text_newlines(void)
{
    struct sk_keymap *km = load_us();
    CHECK(km != NULL);
    if (km == NULL) {
        return;
    }
    struct sk_key *keys = NULL;
    size_t n = 0;
    char err[256] = "";
    /* "\r\n", "\n", a lone "\r" and "\n\r" (two newlines) all become Enter. */
    const char *text = "Hi\r\nx\ny\rz\n\r";
    const uint8_t want_usage[] = {0x0b, 0x0c, 0x28, 0x1b, 0x28, 0x1c, 0x28, 0x1d, 0x28, 0x28};
    const uint8_t want_mods[] = {SK_MOD_LSHIFT, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    CHECK_EQ_INT(sk_keymap_text(km, text, strlen(text), &keys, &n, err, sizeof(err)), 0);
    CHECK_EQ_INT(n, sizeof(want_usage));
    for (size_t i = 0; i < n && i < sizeof(want_usage); i++) {
        CHECK_EQ_INT(keys[i].usage, want_usage[i]);
        CHECK_EQ_INT(keys[i].mods, want_mods[i]);
    }
    free(keys);

    /* Empty text is fine, and gives something freeable. */
    keys = NULL;
    n = 99;
    CHECK_EQ_INT(sk_keymap_text(km, "", 0, &keys, &n, err, sizeof(err)), 0);
    CHECK_EQ_INT(n, 0);
    CHECK(keys != NULL);
    free(keys);
    sk_keymap_free(km);
}

static void test_text_errors(void)
{
    struct sk_keymap *km = load_us();
    CHECK(km != NULL);
    if (km == NULL) {
        return;
    }
    struct sk_key *keys = (struct sk_key *)&keys;
    size_t n = 99;
    char err[256] = "";
    const char *text = "caf\xc3\xa9 \xe2\x82\xac 5 \xc3\xa9t\xc3\xa9";
    CHECK_EQ_INT(sk_keymap_text(km, text, strlen(text), &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "keymap us cannot type '\xc3\xa9' (U+00E9), '\xe2\x82\xac' (U+20AC)");
    CHECK(keys == NULL);
    CHECK_EQ_INT(n, 0);

    CHECK_EQ_INT(sk_keymap_text(km, "a\007b\033", 4, &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "keymap us cannot type U+0007, U+001B");

    CHECK_EQ_INT(sk_keymap_text(km, "ab\377c", 4, &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "text is not UTF-8: bad byte 0xff at offset 2");
    CHECK_EQ_INT(sk_keymap_text(km, "a\xc3", 2, &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "text is not UTF-8: bad byte 0xc3 at offset 1");
    /* An overlong encoding of '/' is not UTF-8 either. */
    CHECK_EQ_INT(sk_keymap_text(km, "\xc0\xaf", 2, &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "text is not UTF-8: bad byte 0xc0 at offset 0");
    /* A NUL inside the text is a character like any other (and not typable). */
    CHECK_EQ_INT(sk_keymap_text(km, "a\0b", 3, &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "keymap us cannot type U+0000");
    sk_keymap_free(km);
}

static void test_parse_layout_features(void)
{
    /* AltGr, a dead-key sequence, characters above 0xff, comments, CRLF lines. */
    const char *text = "# a test layout\r\n"
                       "name test-1\r\n"
                       "\r\n"
                       "a a   # trailing comment\r\n"
                       "\xe2\x82\xac altgr+e\r\n"               /* € */
                       "\xc3\xb1 shift+grave n\r\n"             /* ñ: dead tilde, then n */
                       "U+00E9 apostrophe e\r\n"                /* é */
                       "\xe1\xba\xbd altgr+u shift+grave e\r\n" /* ẽ, three strokes */
                       "U+1F600 ctrl+shift+u 1 f 6\r\n"         /* four strokes */
                       "U+0023 shift+3\r\n"                     /* '#' */
                       "U+00a0 altgr+space\r\n"                 /* lowercase hex works too */
                       "\tb\tb\r\n";
    char err[256] = "";
    struct sk_keymap *km = parse_str(text, err, sizeof(err));
    CHECK(km != NULL);
    if (km == NULL) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK_STR(sk_keymap_name(km), "test-1");
    struct sk_key k[SK_KEYMAP_MAX_STROKES];
    CHECK_EQ_INT(sk_keymap_lookup(km, 0x20ac, k, 4), 1);
    CHECK_EQ_INT(k[0].usage, 0x08);
    CHECK_EQ_INT(k[0].mods, SK_MOD_RALT);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0xf1, k, 4), 2);
    CHECK_EQ_INT(k[0].usage, 0x35);
    CHECK_EQ_INT(k[0].mods, SK_MOD_LSHIFT);
    CHECK_EQ_INT(k[1].usage, 0x11);
    CHECK_EQ_INT(k[1].mods, 0);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0xe9, k, 4), 2);
    CHECK_EQ_INT(k[0].usage, 0x34);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0x1ebd, k, 4), 3);
    CHECK_EQ_INT(k[2].usage, 0x08);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0x1f600, k, 4), 4);
    CHECK_EQ_INT(k[0].mods, SK_MOD_LCTRL | SK_MOD_LSHIFT);
    CHECK_EQ_INT(k[3].usage, 0x23);
    CHECK_EQ_INT(sk_keymap_lookup(km, '#', k, 4), 1);
    CHECK_EQ_INT(k[0].usage, 0x20);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0xa0, k, 4), 1);
    CHECK_EQ_INT(k[0].usage, 0x2c);
    CHECK_EQ_INT(sk_keymap_lookup(km, 'b', k, 4), 1);
    /* Too little room for a sequence: not typable rather than half typed. */
    CHECK_EQ_INT(sk_keymap_lookup(km, 0xf1, k, 1), 0);
    CHECK_EQ_INT(sk_keymap_lookup(km, 'c', k, 4), 0);
    CHECK_EQ_INT(sk_keymap_lookup(km, 0x20ad, k, 4), 0);

    /* Sequences expand in text, in order. */
    struct sk_key *keys = NULL;
    size_t n = 0;
    CHECK_EQ_INT(sk_keymap_text(km, "\xc3\xb1\x61\xe2\x82\xac", 6, &keys, &n, err, sizeof(err)), 0);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK_EQ_INT(keys[0].usage, 0x35);
        CHECK_EQ_INT(keys[1].usage, 0x11);
        CHECK_EQ_INT(keys[2].usage, 0x04);
        CHECK_EQ_INT(keys[3].usage, 0x08);
        CHECK_EQ_INT(keys[3].mods, SK_MOD_RALT);
    }
    free(keys);
    /* This layout has no newline, so newline is untypable in every spelling. */
    CHECK_EQ_INT(sk_keymap_text(km, "a\r\n", 3, &keys, &n, err, sizeof(err)), -1);
    CHECK_STR(err, "keymap test-1 cannot type U+000A");
    sk_keymap_free(km);
}

static void test_parse_many_high(void)
{
    /* Hundreds of code points above 0xff, written in scrambled order, all found by bsearch. */
    struct sk_buf_like {
        char *p;
        size_t len, cap;
    } b = {.p = malloc(65536), .len = 0, .cap = 65536};
    b.len += (size_t)snprintf(b.p, b.cap, "name big\n");
    for (unsigned i = 0; i < 600; i++) {
        unsigned cp = 0x400 + (i * 379u) % 600u * 3u; /* distinct: 379 is prime to 600 */
        b.len += (size_t)snprintf(b.p + b.len, b.cap - b.len, "U+%04X f%u\n", cp, 1 + i % 12);
    }
    char err[256] = "";
    struct sk_keymap *km = sk_keymap_parse(b.p, b.len, "big", err, sizeof(err));
    CHECK(km != NULL);
    if (km == NULL) {
        fprintf(stderr, "  %s\n", err);
        free(b.p);
        return;
    }
    int found = 0, wrong = 0;
    for (unsigned i = 0; i < 600; i++) {
        unsigned cp = 0x400 + (i * 379u) % 600u * 3u;
        struct sk_key k[4];
        if (sk_keymap_lookup(km, cp, k, 4) == 1) {
            found++;
            wrong += k[0].usage != 0x3a + i % 12;
        }
        /* The gaps between them are not in the map. */
        wrong += sk_keymap_lookup(km, cp + 1, k, 4) != 0;
    }
    CHECK_EQ_INT(found, 600);
    CHECK_EQ_INT(wrong, 0);
    sk_keymap_free(km);
    free(b.p);
}

static void check_parse_err(const char *text, const char *want)
{
    char err[256] = "";
    struct sk_keymap *km = parse_str(text, err, sizeof(err));
    CHECK(km == NULL);
    CHECK_STR(err, want);
    sk_keymap_free(km);
}

static void test_parse_errors(void)
{
    check_parse_err("name x\nfoo a\n", "t:2: 'foo' is neither one character nor U+XXXX");
    check_parse_err("name x\n\na\n", "t:3: no keystrokes for 'a' (U+0061)");
    check_parse_err("name x\na ctrl+foo\n", "t:2: unknown key 'foo' in 'ctrl+foo'");
    check_parse_err("name x\na a\n# c\na b\n",
                    "t:4: duplicate character 'a' (U+0061), first on line 2");
    check_parse_err("name x\nU+0061 b\na a\n",
                    "t:3: duplicate character 'a' (U+0061), first on line 2");
    check_parse_err("name x\n\xe2\x82\xac altgr+e\nb b\nU+20AC altgr+5\n",
                    "t:4: duplicate character '\xe2\x82\xac' (U+20AC), first on line 2");
    check_parse_err("name x\nU+000A enter\nU+000a kpenter\n",
                    "t:3: duplicate character U+000A, first on line 2");
    check_parse_err("# only\na a\n", "t: no 'name LAYOUT' line");
    check_parse_err("", "t: no 'name LAYOUT' line");
    check_parse_err("name x\nname y\n", "t:2: a second 'name' line");
    check_parse_err("name\n", "t:1: expected 'name LAYOUT'");
    check_parse_err("name x y\n", "t:1: expected 'name LAYOUT'");
    check_parse_err("name ../etc\n",
                    "t:1: bad layout name '../etc' (letters, digits, '_', '-', '.', '+')");
    check_parse_err("name x\na a b c d e\n", "t:2: more than 4 keystrokes for 'a' (U+0061)");
    check_parse_err("name x\na a b c d e f g h i\n",
                    "t:2: more than 4 keystrokes for 'a' (U+0061)");
    check_parse_err("name x\nU+D800 a\n", "t:2: 'U+D800' is not a Unicode character");
    check_parse_err("name x\nU+110000 a\n", "t:2: 'U+110000' is not a Unicode character");
    check_parse_err("name x\nU+12 a\n", "t:2: 'U+12' is neither one character nor U+XXXX");
    check_parse_err("name x\nU+00G1 a\n",
                    "t:2: bad code point 'U+00G1' (U+ and 4 to 6 hex digits)");
    check_parse_err("name x\n\xff a\n", "t:2: invalid UTF-8 at column 1");
    check_parse_err("name x\na \xe2\x82\n", "t:2: invalid UTF-8 at column 3");
    check_parse_err("name x\na shift\n", "t:2: keystroke 'shift' has modifiers but no key");
    check_parse_err("name x\n\x01 a\n", "t:2: write the control character as U+0001");
    check_parse_err("name x\n\x7f a\n", "t:2: write the control character as U+007F");
    check_parse_err("name x\na a\rb b\n", "t:2: stray control byte 0x0d at column 4");
    check_parse_err("name x\na a+b\n", "t:2: two keys 'a' and 'b' in 'a+b' (one key per stroke)");
    /* The line count is right after CRLF lines and without a final newline. */
    check_parse_err("name x\r\n\r\na a\r\nb", "t:4: no keystrokes for 'b' (U+0062)");
    /* A NUL byte inside the text. */
    char err[128];
    CHECK(sk_keymap_parse("name x\na\0a\n", 11, "t", err, sizeof(err)) == NULL);
    CHECK_STR(err, "t:2: stray control byte 0x00 at column 2");
    /* err may be NULL. */
    CHECK(sk_keymap_parse("x", 1, "t", NULL, 0) == NULL);
}

static void test_load_errors(void)
{
    char err[256] = "";
    char dir[] = "/tmp/sk_test_keymap_XXXXXX";
    char path[128], want[256];
    CHECK(mkdtemp(dir) != NULL);

    CHECK(sk_keymap_load(keymap_dir(), "../keymaps/us", err, sizeof(err)) == NULL);
    CHECK_STR(err, "bad keymap name '../keymaps/us' (letters, digits, '_', '-', '.', '+')");
    CHECK(sk_keymap_load(keymap_dir(), ".hidden", err, sizeof(err)) == NULL);
    CHECK(sk_keymap_load(keymap_dir(), "", err, sizeof(err)) == NULL);
    CHECK(sk_keymap_load(dir, "nosuch", err, sizeof(err)) == NULL);
    snprintf(want, sizeof(want),
             "no keymap 'nosuch' (cannot read %s/nosuch: No such file or directory)", dir);
    CHECK_STR(err, want);

    snprintf(path, sizeof(path), "%s/bad", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("# bad\nname bad\nx y z w v u\n", f);
        fclose(f);
    }
    CHECK(sk_keymap_load(dir, "bad", err, sizeof(err)) == NULL);
    snprintf(want, sizeof(want), "%s/bad:3: more than 4 keystrokes for 'x' (U+0078)", dir);
    CHECK_STR(err, want);

    snprintf(path, sizeof(path), "%s/other", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("name de\na a\n", f);
        fclose(f);
    }
    CHECK(sk_keymap_load(dir, "other", err, sizeof(err)) == NULL);
    snprintf(want, sizeof(want), "%s/other: the file's name line says 'de', not 'other'", dir);
    CHECK_STR(err, want);
    unlink(path);
    snprintf(path, sizeof(path), "%s/bad", dir);
    unlink(path);
    rmdir(dir);
}

/* Caps Lock on: letters get Shift toggled, everything else is left as it is. */
static void caps_case(const char *layout, const char *text, const char *want_hex)
{
    char err[256] = "";
    struct sk_keymap *km = sk_keymap_load(keymap_dir(), layout, err, sizeof(err));
    CHECK(km != NULL);
    if (km == NULL) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    struct sk_key *keys = NULL;
    size_t n = 0;
    CHECK_EQ_INT(sk_keymap_text(km, text, strlen(text), &keys, &n, err, sizeof(err)), 0);
    sk_keymap_caps_lock(km, keys, n);
    char got[256] = "";
    for (size_t i = 0; i < n && strlen(got) + 8 < sizeof(got); i++) {
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%02x/%02x", i ? " " : "",
                 keys[i].mods, keys[i].usage);
    }
    if (strcmp(got, want_hex) != 0) {
        fprintf(stderr, "  %s '%s'\n", layout, text);
    }
    CHECK_STR(got, want_hex);
    free(keys);
    sk_keymap_free(km);
}

static void test_caps_lock(void)
{
    /* a A 1 ! [ : only the letters flip. */
    caps_case("us", "aA1![", "02/04 00/04 00/1e 02/1e 00/2f");
    /* de: ü is a letter key (ü/Ü), ß is not (ß/?), € is AltGr. */
    caps_case("de", "üÜß€z", "02/2f 00/2f 00/2d 40/08 02/1c");
    /* fr: é/2 is not shifted by Caps Lock; a (on the q key) is; ê's dead key is not, its e is. */
    caps_case("fr", "éaê", "00/1f 02/14 00/2f 02/08");
    /* es: ñ/Ñ is a letter key. */
    caps_case("es", "ñÑ", "02/33 00/33");
}

int main(void)
{
    SK_RUN(test_us_exact);
    SK_RUN(test_us_all_printable);
    SK_RUN(test_text_newlines);
    SK_RUN(test_text_errors);
    SK_RUN(test_parse_layout_features);
    SK_RUN(test_parse_many_high);
    SK_RUN(test_parse_errors);
    SK_RUN(test_load_errors);
    SK_RUN(test_caps_lock);
    return SK_CHECK_EXIT();
}

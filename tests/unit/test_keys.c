/*
 * test_keys: the key name table, modifier names, combos and their formatting.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hid/keys.h"

static void test_canonical_names_round_trip(void)
{
    int named = 0;
    for (int u = 1; u < 256; u++) {
        const char *name = sk_keys_name((uint8_t)u);
        if (name == NULL) {
            continue;
        }
        named++;
        CHECK_EQ_INT(sk_keys_usage(name), u);
    }
    /*
     * 26 letters, 10 digits, 4 + 1 + 12 + 1 (enter/esc/bksp/tab, space, punctuation, capslock),
     * F1-F24, 13 navigation keys, 18 keypad keys (with kpequal and kpcomma),
     * nonusbackslash, menu, power, 3 media, 8 international/lang, 8 modifiers.
     */
    CHECK_EQ_INT(named, 26 + 10 + 4 + 1 + 12 + 1 + 24 + 13 + 17 + 2 + 1 + 1 + 1 + 3 + 8 + 8);
    CHECK(sk_keys_name(0) == NULL);
    CHECK(sk_keys_name(0x01) == NULL);
    CHECK(sk_keys_name(0xa5) == NULL);
}

static void test_every_usage_covered(void)
{
    /* The contiguous ranges a PC keyboard uses must all have names. */
    for (int u = 0x04; u <= 0x73; u++) {
        CHECK(sk_keys_name((uint8_t)u) != NULL);
    }
    for (int u = 0xe0; u <= 0xe7; u++) {
        CHECK(sk_keys_name((uint8_t)u) != NULL);
    }
}

static void test_specific_usages(void)
{
    /* clang-format off */
    static const struct {
        const char *name;
        int usage;
    } cases[] = {
        {"a", 0x04},           {"Z", 0x1d},           {"1", 0x1e},
        {"0", 0x27},           {"enter", 0x28},       {"return", 0x28},
        {"esc", 0x29},         {"Escape", 0x29},      {"backspace", 0x2a},
        {"bksp", 0x2a},        {"tab", 0x2b},         {"space", 0x2c},
        {"spc", 0x2c},         {"minus", 0x2d},       {"equal", 0x2e},
        {"bracketleft", 0x2f}, {"bracketright", 0x30}, {"backslash", 0x31},
        {"nonushash", 0x32},   {"semicolon", 0x33},   {"apostrophe", 0x34},
        {"grave", 0x35},       {"comma", 0x36},       {"period", 0x37},
        {"slash", 0x38},       {"capslock", 0x39},    {"f1", 0x3a},
        {"F2", 0x3b},          {"f12", 0x45},         {"f13", 0x68},
        {"f24", 0x73},         {"printscreen", 0x46}, {"prtsc", 0x46},
        {"sysrq", 0x46},       {"scrolllock", 0x47},  {"pause", 0x48},
        {"insert", 0x49},      {"ins", 0x49},         {"home", 0x4a},
        {"pageup", 0x4b},      {"pgup", 0x4b},        {"delete", 0x4c},
        {"del", 0x4c},         {"end", 0x4d},         {"pagedown", 0x4e},
        {"pgdn", 0x4e},        {"right", 0x4f},       {"left", 0x50},
        {"down", 0x51},        {"up", 0x52},          {"numlock", 0x53},
        {"kpslash", 0x54},     {"kpasterisk", 0x55},  {"kpminus", 0x56},
        {"kpplus", 0x57},      {"kpenter", 0x58},     {"kp1", 0x59},
        {"kp9", 0x61},         {"kp0", 0x62},         {"kpperiod", 0x63},
        {"nonusbackslash", 0x64}, {"menu", 0x65},     {"application", 0x65},
        {"power", 0x66},       {"lctrl", 0xe0},       {"lshift", 0xe1},
        {"lalt", 0xe2},        {"lsuper", 0xe3},      {"rctrl", 0xe4},
        {"rshift", 0xe5},      {"ralt", 0xe6},        {"rsuper", 0xe7},
        {"-", 0x2d},           {"/", 0x38},           {"0x87", 0x87},
        {"0X2c", 0x2c},        {"PgDn", 0x4e},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int u = sk_keys_usage(cases[i].name);
        if (u != cases[i].usage) {
            fprintf(stderr, "  name '%s'\n", cases[i].name);
        }
        CHECK_EQ_INT(u, cases[i].usage);
    }
    CHECK_EQ_INT(sk_keys_usage("foo"), -1);
    CHECK_EQ_INT(sk_keys_usage(""), -1);
    CHECK_EQ_INT(sk_keys_usage("ctrl"), -1);
    CHECK_EQ_INT(sk_keys_usage("+"), -1);
    CHECK_EQ_INT(sk_keys_usage("0x"), -1);
    CHECK_EQ_INT(sk_keys_usage("0x00"), -1);
    CHECK_EQ_INT(sk_keys_usage("0x1g"), -1);
    CHECK_EQ_INT(sk_keys_usage("0x100"), -1);
    CHECK_STR(sk_keys_name(0x29), "escape");
    CHECK_STR(sk_keys_name(0x4e), "pagedown");
    CHECK_STR(sk_keys_name(0x46), "printscreen");
    CHECK_STR(sk_keys_name(0xe6), "ralt");
}

static void test_modifiers(void)
{
    /* clang-format off */
    static const struct {
        const char *name;
        uint8_t bits;
    } cases[] = {
        {"ctrl", SK_MOD_LCTRL},    {"control", SK_MOD_LCTRL}, {"lctrl", SK_MOD_LCTRL},
        {"CTRL", SK_MOD_LCTRL},    {"rctrl", SK_MOD_RCTRL},   {"shift", SK_MOD_LSHIFT},
        {"lshift", SK_MOD_LSHIFT}, {"rshift", SK_MOD_RSHIFT}, {"alt", SK_MOD_LALT},
        {"lalt", SK_MOD_LALT},     {"option", SK_MOD_LALT},   {"ralt", SK_MOD_RALT},
        {"altgr", SK_MOD_RALT},    {"AltGr", SK_MOD_RALT},    {"super", SK_MOD_LGUI},
        {"win", SK_MOD_LGUI},      {"meta", SK_MOD_LGUI},     {"gui", SK_MOD_LGUI},
        {"cmd", SK_MOD_LGUI},      {"lsuper", SK_MOD_LGUI},   {"rsuper", SK_MOD_RGUI},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_EQ_INT(sk_keys_modifier(cases[i].name), cases[i].bits);
    }
    CHECK_EQ_INT(sk_keys_modifier("a"), 0);
    CHECK_EQ_INT(sk_keys_modifier("delete"), 0);
    CHECK_EQ_INT(sk_keys_modifier(""), 0);
}

static void check_combo(const char *s, uint8_t usage, uint8_t mods)
{
    struct sk_key k = {.usage = 0xff, .mods = 0xff};
    char err[128] = "";
    int r = sk_keys_parse_combo(s, &k, err, sizeof(err));
    if (r != 0 || k.usage != usage || k.mods != mods) {
        fprintf(stderr, "  combo '%s': r=%d usage=0x%02x mods=0x%02x err='%s'\n", s, r, k.usage,
                k.mods, err);
    }
    CHECK_EQ_INT(r, 0);
    CHECK_EQ_INT(k.usage, usage);
    CHECK_EQ_INT(k.mods, mods);
}

static void check_combo_err(const char *s, const char *want)
{
    struct sk_key k = {.usage = 0x11, .mods = 0x22};
    char err[128] = "";
    CHECK_EQ_INT(sk_keys_parse_combo(s, &k, err, sizeof(err)), -1);
    CHECK_STR(err, want);
    /* A failed parse leaves the output alone. */
    CHECK_EQ_INT(k.usage, 0x11);
    CHECK_EQ_INT(k.mods, 0x22);
}

static void test_combos(void)
{
    check_combo("ctrl+alt+delete", 0x4c, SK_MOD_LCTRL | SK_MOD_LALT);
    check_combo("ctrl-alt-del", 0x4c, SK_MOD_LCTRL | SK_MOD_LALT);
    check_combo("CTRL+Alt+Del", 0x4c, SK_MOD_LCTRL | SK_MOD_LALT);
    check_combo("shift+tab", 0x2b, SK_MOD_LSHIFT);
    check_combo("f2", 0x3b, 0);
    check_combo("ctrl+alt", 0, SK_MOD_LCTRL | SK_MOD_LALT);
    check_combo("altgr+e", 0x08, SK_MOD_RALT);
    check_combo("super", 0, SK_MOD_LGUI);
    check_combo("a+shift", 0x04, SK_MOD_LSHIFT);
    check_combo("shift+shift+a", 0x04, SK_MOD_LSHIFT);
    check_combo("rctrl+rshift+ralt+rsuper+end", 0x4d, 0xf0);
    check_combo("minus", 0x2d, 0);
    check_combo("ctrl+minus", 0x2d, SK_MOD_LCTRL);
    check_combo("ctrl+-", 0x2d, SK_MOD_LCTRL);
    check_combo("ctrl--", 0x2d, SK_MOD_LCTRL);
    check_combo("-", 0x2d, 0);
    check_combo("ctrl+0x87", 0x87, SK_MOD_LCTRL);
    check_combo("lctrl", 0, SK_MOD_LCTRL); /* a modifier name in a combo is a modifier */

    check_combo_err("ctrl+foo", "unknown key 'foo' in 'ctrl+foo'");
    check_combo_err("bar", "unknown key 'bar' in 'bar'");
    check_combo_err("ctrl+alt+dle", "unknown key 'dle' in 'ctrl+alt+dle'");
    check_combo_err("a+b", "two keys 'a' and 'b' in 'a+b' (one key per stroke)");
    check_combo_err("", "empty key combo");
    check_combo_err("ctrl+", "missing key after the last separator in 'ctrl+'");
    check_combo_err("ctrl-", "missing key after the last separator in 'ctrl-'");
    check_combo_err("ctrl++", "unknown key '+' in 'ctrl++'");
    check_combo_err("+", "unknown key '+' in '+'");
    check_combo_err("ctrl+ a", "unknown key ' a' in 'ctrl+ a'");

    /* err may be NULL or tiny. */
    struct sk_key k;
    CHECK_EQ_INT(sk_keys_parse_combo("nope", &k, NULL, 0), -1);
    char tiny[8];
    CHECK_EQ_INT(sk_keys_parse_combo("nope", &k, tiny, sizeof(tiny)), -1);
    CHECK_STR(tiny, "unknown");
}

static void test_format(void)
{
    char buf[128];
    struct sk_key k = {.usage = 0x4c, .mods = SK_MOD_LCTRL | SK_MOD_LALT};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "ctrl+alt+delete");
    k = (struct sk_key){.usage = 0, .mods = SK_MOD_LCTRL | SK_MOD_LALT};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "ctrl+alt");
    k = (struct sk_key){.usage = 0x3b, .mods = 0};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "f2");
    k = (struct sk_key){.usage = 0x08, .mods = SK_MOD_RALT};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "altgr+e");
    k = (struct sk_key){.usage = 0x2f, .mods = SK_MOD_LSHIFT};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "shift+bracketleft");
    k = (struct sk_key){.usage = 0x01, .mods = 0};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "0x01");
    k = (struct sk_key){.usage = 0x29, .mods = 0xff};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)),
              "ctrl+shift+alt+super+rctrl+rshift+altgr+rsuper+escape");
    k = (struct sk_key){.usage = 0, .mods = 0};
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "");
    /* A short buffer gets a truncated, terminated string. */
    char small[6];
    k = (struct sk_key){.usage = 0x4c, .mods = SK_MOD_LCTRL | SK_MOD_LALT};
    CHECK_STR(sk_keys_format(&k, small, sizeof(small)), "ctrl+");
    CHECK(sk_keys_format(&k, small, 0) == small);
}

static void test_format_parse_inverse(void)
{
    /* Every non-modifier usage with every modifier set parses back from its formatted name. */
    char buf[128], err[128];
    for (int u = 0; u < 0xe0; u++) {
        for (int m = 0; m < 256; m += (u % 7) + 1) {
            struct sk_key k = {.usage = (uint8_t)u, .mods = (uint8_t)m}, back;
            if (u == 0 && m == 0) {
                continue;
            }
            sk_keys_format(&k, buf, sizeof(buf));
            int r = sk_keys_parse_combo(buf, &back, err, sizeof(err));
            if (r != 0 || back.usage != k.usage || back.mods != k.mods) {
                fprintf(stderr, "  '%s' does not parse back (%s)\n", buf, err);
                CHECK(0);
                return;
            }
        }
    }
}

/* Regression (fuzz_combo): a modifier usage given by number is that modifier. */
static void test_modifier_by_number(void)
{
    struct sk_key k, back;
    char err[128], buf[64];
    CHECK_EQ_INT(sk_keys_parse_combo("0xe0", &k, err, sizeof(err)), 0);
    CHECK_EQ_INT(k.usage, 0);
    CHECK_EQ_INT(k.mods, SK_MOD_LCTRL);
    CHECK_EQ_INT(sk_keys_parse_combo("0xE6+0x04", &k, err, sizeof(err)), 0);
    CHECK_EQ_INT(k.usage, SK_USAGE_A);
    CHECK_EQ_INT(k.mods, SK_MOD_RALT);
    CHECK_STR(sk_keys_format(&k, buf, sizeof(buf)), "altgr+a");
    CHECK_EQ_INT(sk_keys_parse_combo("shift+0xe7", &k, err, sizeof(err)), 0);
    CHECK_EQ_INT(k.usage, 0);
    CHECK_EQ_INT(k.mods, SK_MOD_LSHIFT | SK_MOD_RGUI);
    CHECK_EQ_INT(sk_keys_parse_combo(sk_keys_format(&k, buf, sizeof(buf)), &back, err, sizeof(err)),
                 0);
    CHECK_EQ_INT(back.mods, k.mods);
    CHECK_EQ_INT(back.usage, 0);
}

int main(void)
{
    SK_RUN(test_canonical_names_round_trip);
    SK_RUN(test_every_usage_covered);
    SK_RUN(test_specific_usages);
    SK_RUN(test_modifiers);
    SK_RUN(test_combos);
    SK_RUN(test_format);
    SK_RUN(test_format_parse_inverse);
    SK_RUN(test_modifier_by_number);
    return SK_CHECK_EXIT();
}

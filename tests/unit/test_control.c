/*
 * test_control: the page's key and mouse bodies, and KeyboardEvent.code names.
 */
#include <string.h>

#include "check.h"
#include "hid/webcodes.h"
#include "http/control.h"
#include "base/util.h"

static void test_webcodes(void)
{
    CHECK_EQ_INT(sk_webcodes_usage("KeyA"), 0x04);
    CHECK_EQ_INT(sk_webcodes_usage("KeyZ"), 0x1d);
    CHECK_EQ_INT(sk_webcodes_usage("Digit1"), 0x1e);
    CHECK_EQ_INT(sk_webcodes_usage("Digit0"), 0x27);
    CHECK_EQ_INT(sk_webcodes_usage("Enter"), 0x28);
    CHECK_EQ_INT(sk_webcodes_usage("F1"), 0x3a);
    CHECK_EQ_INT(sk_webcodes_usage("F12"), 0x45);
    CHECK_EQ_INT(sk_webcodes_usage("F13"), 0x68);
    CHECK_EQ_INT(sk_webcodes_usage("Delete"), 0x4c);
    CHECK_EQ_INT(sk_webcodes_usage("ArrowUp"), 0x52);
    CHECK_EQ_INT(sk_webcodes_usage("Numpad0"), 0x62);
    CHECK_EQ_INT(sk_webcodes_usage("IntlBackslash"), 0x64);
    CHECK_EQ_INT(sk_webcodes_usage("ControlLeft"), 0xe0);
    CHECK_EQ_INT(sk_webcodes_usage("MetaRight"), 0xe7);
    CHECK_EQ_INT(sk_webcodes_usage("OSLeft"), 0xe3);
    CHECK_EQ_INT(sk_webcodes_usage("keya"), -1);
    CHECK_EQ_INT(sk_webcodes_usage(""), -1);
    CHECK_EQ_INT(sk_webcodes_usage("Unidentified"), -1);
}

static void test_parse_keys(void)
{
    struct sk_control_key k[SK_CONTROL_MAX_KEYS];
    char err[128];
    const char body[] = "d ShiftLeft\nd KeyA\r\nu KeyA\n\nu ShiftLeft";
    CHECK_EQ_INT(sk_control_parse_keys(body, strlen(body), k, err, sizeof(err)), 4);
    CHECK_EQ_INT(k[0].usage, 0xe1);
    CHECK_EQ_INT(k[0].down, 1);
    CHECK_EQ_INT(k[1].usage, 0x04);
    CHECK_EQ_INT(k[2].down, 0);
    CHECK_EQ_INT(k[3].usage, 0xe1);
    CHECK_EQ_INT(k[3].down, 0);
    CHECK_EQ_INT(sk_control_parse_keys("", 0, k, err, sizeof(err)), 0);
    CHECK_EQ_INT(sk_control_parse_keys("d KeyA\nx KeyB\n", 14, k, err, sizeof(err)), -1);
    CHECK_STR(err, "line 2: expected 'd CODE' or 'u CODE'");
    CHECK_EQ_INT(sk_control_parse_keys("d Nope", 6, k, err, sizeof(err)), -1);
    CHECK_STR(err, "line 1: unknown key code 'Nope'");
    CHECK_EQ_INT(sk_control_parse_keys("dKeyA", 5, k, err, sizeof(err)), -1);
    /* A NUL inside the body is not a way to smuggle anything past the parser. */
    CHECK_EQ_INT(sk_control_parse_keys("d Key\0A", 7, k, err, sizeof(err)), -1);
    struct sk_buf big = {0};
    for (int i = 0; i <= SK_CONTROL_MAX_KEYS; i++) {
        sk_buf_puts(&big, "d KeyA\n");
    }
    CHECK_EQ_INT(sk_control_parse_keys(big.data, big.len, k, err, sizeof(err)), -1);
    sk_buf_free(&big);
}

static void test_parse_mouse(void)
{
    uint16_t x, y;
    uint8_t b;
    int8_t w;
    char err[128];
    CHECK_EQ_INT(sk_control_parse_mouse("16384 32767 1 -3\n", 17, &x, &y, &b, &w, err, sizeof(err)),
                 0);
    CHECK_EQ_INT(x, 16384);
    CHECK_EQ_INT(y, 32767);
    CHECK_EQ_INT(b, 1);
    CHECK_EQ_INT(w, -3);
    CHECK_EQ_INT(sk_control_parse_mouse("0 0 0 0", 7, &x, &y, &b, &w, err, sizeof(err)), 0);
    static const char *const bad[] = {"32768 0 0 0", "0 -1 0 0",  "0 0 8 0", "0 0 0 128",
                                      "1 2 3",       "1 2 3 4 5", "a b c d", ""};
    for (size_t i = 0; i < SK_ARRAY_LEN(bad); i++) {
        CHECK_EQ_INT(
            sk_control_parse_mouse(bad[i], strlen(bad[i]), &x, &y, &b, &w, err, sizeof(err)), -1);
    }
    CHECK_STR(err, "mouse: expected 'X Y BUTTONS WHEEL' (X, Y 0..32767)");
}

int main(void)
{
    SK_RUN(test_webcodes);
    SK_RUN(test_parse_keys);
    SK_RUN(test_parse_mouse);
    return SK_CHECK_EXIT();
}

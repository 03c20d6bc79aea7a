/*
 * control: strict parsers for the page's key and mouse bodies.
 *
 * Pure: no I/O, no globals, no clock. The parsed events go to the HID from
 * the control API's endpoints (http/api.c).
 */
#include "http/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hid/webcodes.h"
#include "base/util.h"

int sk_control_parse_keys(const char *body, size_t len, struct sk_control_key *out, char *err,
                          size_t errlen)
{
    int n = 0, lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = body + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;
        pos += llen + (nl != NULL);
        lineno++;
        if (llen > 0 && line[llen - 1] == '\r') {
            llen--;
        }
        if (llen == 0) {
            continue;
        }
        char code[40];
        if (llen < 3 || llen - 2 >= sizeof(code) || (line[0] != 'd' && line[0] != 'u') ||
            line[1] != ' ') {
            sk_set_err(err, errlen, "line %d: expected 'd CODE' or 'u CODE'", lineno);
            return -1;
        }
        memcpy(code, line + 2, llen - 2);
        code[llen - 2] = '\0';
        int usage = sk_webcodes_usage(code);
        if (usage < 0) {
            sk_set_err(err, errlen, "line %d: unknown key code '%s'", lineno, code);
            return -1;
        }
        if (n == SK_CONTROL_MAX_KEYS) {
            sk_set_err(err, errlen, "more than %d key events in one request", SK_CONTROL_MAX_KEYS);
            return -1;
        }
        out[n].usage = (uint8_t)usage;
        out[n].down = line[0] == 'd';
        n++;
    }
    return n;
}

int sk_control_parse_mouse(const char *body, size_t len, uint16_t *x, uint16_t *y, uint8_t *buttons,
                           int8_t *wheel, char *err, size_t errlen)
{
    char text[96];
    long v[4];
    if (len >= sizeof(text)) {
        sk_set_err(err, errlen, "mouse: body too long");
        return -1;
    }
    memcpy(text, body, len);
    text[len] = '\0';
    static const long lo[4] = {0, 0, 0, -127}, hi[4] = {32767, 32767, 7, 127};
    char *p = text;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        v[i] = strtol(p, &end, 10);
        if (end == p || errno != 0 || v[i] < lo[i] || v[i] > hi[i] ||
            (*end != ' ' && *end != '\n' && *end != '\r' && *end != '\0')) {
            sk_set_err(err, errlen, "mouse: expected 'X Y BUTTONS WHEEL' (X, Y 0..32767)");
            return -1;
        }
        p = end;
    }
    while (*p == ' ' || *p == '\r' || *p == '\n') {
        p++;
    }
    if (*p != '\0') {
        sk_set_err(err, errlen, "mouse: expected 'X Y BUTTONS WHEEL' (X, Y 0..32767)");
        return -1;
    }
    *x = (uint16_t)v[0];
    *y = (uint16_t)v[1];
    *buttons = (uint8_t)v[2];
    *wheel = (int8_t)v[3];
    return 0;
}

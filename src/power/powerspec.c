/*
 * powerspec: the parsers of --power-gpio and --wol, and the Wake-on-LAN
 * magic packet's bytes. Pure: text in, a struct or an error message out,
 * so that the config file and the command line are checked alike and the
 * unit test covers every form.
 */
#include "power/powerspec.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const line_names[SK_POWER_NLINES] = {"power", "reset", "led", "hdd"};

const char *sk_powerspec_line_name(enum sk_power_line line)
{
    return line >= 0 && line < SK_POWER_NLINES ? line_names[line] : "?";
}

/* A line offset 0..1023 (more than any chip has), all digits. */
static int parse_offset(const char *s, size_t len, unsigned *out)
{
    if (len == 0 || len > 4) {
        return -1;
    }
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 1023) {
        return -1;
    }
    *out = v;
    return 0;
}

/* One NAME=VALUE item of --power-gpio (len bytes at s). */
static int parse_item(const char *s, size_t len, struct sk_powerspec *out, char *why, size_t whylen)
{
    const char *eq = memchr(s, '=', len);
    if (eq == NULL) {
        sk_set_err(why, whylen, "'%.*s' is not NAME=LINE (power, reset, led or hdd)", (int)len, s);
        return -1;
    }
    size_t nlen = (size_t)(eq - s);
    int which = -1;
    for (int i = 0; i < SK_POWER_NLINES; i++) {
        if (strlen(line_names[i]) == nlen && strncmp(s, line_names[i], nlen) == 0) {
            which = i;
        }
    }
    if (which < 0) {
        sk_set_err(why, whylen, "unknown line '%.*s' (power, reset, led or hdd)", (int)nlen, s);
        return -1;
    }
    const char *v = eq + 1;
    size_t vlen = len - nlen - 1;
    struct sk_power_linespec ls = {.used = 1};
    if (vlen == 4 && strncmp(v, "none", 4) == 0) {
        if (which == SK_POWER_BUTTON) {
            sk_set_err(why, whylen, "the power button's line cannot be none");
            return -1;
        }
        out->line[which] = (struct sk_power_linespec){0};
        return 0;
    }
    const char *colon = memchr(v, ':', vlen);
    size_t olen = colon ? (size_t)(colon - v) : vlen;
    if (colon != NULL) {
        size_t flen = vlen - olen - 1;
        if (flen == 3 && strncmp(colon + 1, "low", 3) == 0) {
            ls.active_low = 1;
        } else if (!(flen == 4 && strncmp(colon + 1, "high", 4) == 0)) {
            sk_set_err(why, whylen, "%s: '%.*s' is not low or high", line_names[which], (int)flen,
                       colon + 1);
            return -1;
        }
    }
    if (parse_offset(v, olen, &ls.offset) != 0) {
        sk_set_err(why, whylen, "%s: '%.*s' is not a line number (0-1023) or none",
                   line_names[which], (int)olen, v);
        return -1;
    }
    out->line[which] = ls;
    return 0;
}

int sk_powerspec_parse(const char *text, struct sk_powerspec *out, char *why, size_t whylen)
{
    static const unsigned defaults[SK_POWER_NLINES] = {SK_POWER_DEFAULT_BUTTON,
                                                       SK_POWER_DEFAULT_RESET, SK_POWER_DEFAULT_LED,
                                                       SK_POWER_DEFAULT_HDD};
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < SK_POWER_NLINES; i++) {
        out->line[i] = (struct sk_power_linespec){.used = 1, .offset = defaults[i]};
    }
    size_t clen = strcspn(text, ",");
    if (clen == 0) {
        sk_set_err(why, whylen, "no GPIO chip named (gpiochip0, /dev/gpiochip0 or 0)");
        return -1;
    }
    if (clen >= sizeof(out->chip) || memchr(text, '=', clen) != NULL) {
        sk_set_err(why, whylen, "'%.*s' is not a GPIO chip (gpiochip0, /dev/gpiochip0 or 0)",
                   (int)SK_MIN(clen, 64u), text);
        return -1;
    }
    for (size_t i = 0; i < clen; i++) {
        if ((unsigned char)text[i] <= ' ' || text[i] == 0x7f) {
            sk_set_err(why, whylen, "the GPIO chip's name holds a space or control character");
            return -1;
        }
    }
    memcpy(out->chip, text, clen);
    out->chip[clen] = '\0';
    const char *p = text + clen;
    while (*p == ',') {
        p++;
        size_t len = strcspn(p, ",");
        if (len == 0) {
            sk_set_err(why, whylen, "an empty item in the comma-separated list");
            return -1;
        }
        if (parse_item(p, len, out, why, whylen) != 0) {
            return -1;
        }
        p += len;
    }
    /* Two functions on one line would press a button when a LED is read, or worse. */
    for (int i = 0; i < SK_POWER_NLINES; i++) {
        for (int j = i + 1; j < SK_POWER_NLINES; j++) {
            if (out->line[i].used && out->line[j].used &&
                out->line[i].offset == out->line[j].offset) {
                sk_set_err(why, whylen, "%s and %s are both line %u", line_names[i], line_names[j],
                           out->line[i].offset);
                return -1;
            }
        }
    }
    return 0;
}

int sk_wolspec_parse(const char *text, struct sk_wolspec *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->addr, sizeof(out->addr), "255.255.255.255");
    out->port = SK_WOL_PORT;
    /* aa:bb:cc:dd:ee:ff, one separator kind throughout (':' or '-'). */
    size_t mlen = strcspn(text, ",");
    int ok = mlen == 17;
    for (int i = 0; ok && i < 6; i++) {
        int hi = sk_hexval(text[i * 3]), lo = sk_hexval(text[i * 3 + 1]);
        ok = hi >= 0 && lo >= 0 && (i == 5 || text[i * 3 + 2] == text[2]) &&
             (text[2] == ':' || text[2] == '-');
        out->mac[i] = (uint8_t)(hi * 16 + lo);
    }
    if (!ok) {
        sk_set_err(why, whylen, "'%.*s' is not a MAC address like 00:11:22:33:44:55",
                   (int)SK_MIN(mlen, 40u), text);
        return -1;
    }
    if (text[mlen] == '\0') {
        return 0;
    }
    const char *a = text + mlen + 1;
    const char *colon = strchr(a, ':');
    size_t alen = colon ? (size_t)(colon - a) : strlen(a);
    if (alen == 0 || alen >= sizeof(out->addr)) {
        sk_set_err(why, whylen, "no broadcast address after the MAC");
        return -1;
    }
    memcpy(out->addr, a, alen);
    out->addr[alen] = '\0';
    struct in_addr in;
    if (inet_pton(AF_INET, out->addr, &in) != 1) {
        sk_set_err(why, whylen,
                   "'%s' is not an IPv4 address (the broadcast address, e.g. "
                   "192.168.1.255)",
                   out->addr);
        return -1;
    }
    if (colon != NULL) {
        char *end = NULL;
        long port = strtol(colon + 1, &end, 10);
        if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port < 1 || port > 65535) {
            sk_set_err(why, whylen, "'%s' is not a UDP port (1-65535)", colon + 1);
            return -1;
        }
        out->port = (uint16_t)port;
    }
    return 0;
}

void sk_wol_packet(const uint8_t mac[6], uint8_t out[SK_WOL_PACKET_LEN])
{
    memset(out, 0xff, 6);
    for (int i = 0; i < 16; i++) {
        memcpy(out + 6 + i * 6, mac, 6);
    }
}

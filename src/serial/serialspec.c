/*
 * serialspec: the --serial option's value taken apart, with nothing opened.
 *
 * The value is split at the first '=' (the name before it, checked against
 * a-z, 0-9 and '-') and then at commas: the first piece is the device, each
 * later piece one setting, recognised by its form: all digits is a speed,
 * digit-letter-digit is the framing, a word is the flow control. Each
 * setting may be given once. Every error names the piece at fault. A
 * device that starts with "telnet:" is split once more at its last colon
 * into a host (a name, an IPv4 address or a bracketed IPv6 address, checked
 * by its form with nothing looked up) and a TCP port.
 */
#include "serial/serialspec.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The speeds Linux's termios knows (B50 ... B4000000). */
static const unsigned speeds[] = {
    50,     75,     110,     134,     150,     200,     300,     600,     1200,    1800,
    2400,   4800,   9600,    19200,   38400,   57600,   115200,  230400,  460800,  500000,
    576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
};

static const struct {
    const char *word;
    enum sk_serial_flow flow;
} flows[] = {
    {"none", SK_SERIAL_FLOW_NONE},
    {"rtscts", SK_SERIAL_FLOW_RTSCTS},
    {"xonxoff", SK_SERIAL_FLOW_XONXOFF},
};

int sk_serialspec_speed_ok(unsigned speed)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(speeds); i++) {
        if (speeds[i] == speed) {
            return 1;
        }
    }
    return 0;
}

static int all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return len > 0;
}

/* One setting (len bytes at s, no comma): 0, or -1 with err set. seen: bit 0 speed, 1 framing, 2
 * flow. */
static int parse_setting(const char *s, size_t len, struct sk_serialspec *out, unsigned *seen,
                         char *err, size_t errlen)
{
    if (len == 0) {
        snprintf(err, errlen, "an empty setting (two commas, or one at the end)");
        return -1;
    }
    unsigned bit;
    if (all_digits(s, len)) {
        unsigned long v = len <= 8 ? strtoul(s, NULL, 10) : 0;
        if (len > 8 || !sk_serialspec_speed_ok((unsigned)v)) {
            snprintf(err, errlen, "'%.*s' is not a serial speed (50 to 4000000, e.g. 9600, 115200)",
                     (int)len, s);
            return -1;
        }
        out->speed = (unsigned)v;
        bit = 1;
    } else if (len == 3 && s[0] >= '0' && s[0] <= '9') {
        if (s[0] < '5' || s[0] > '8' || strchr("neo", s[1]) == NULL || s[1] == '\0' ||
            (s[2] != '1' && s[2] != '2')) {
            snprintf(err, errlen,
                     "'%.*s' is not a framing: data bits 5-8, parity n, e or o, stop bits 1 or 2 "
                     "(e.g. 8n1, 7e1)",
                     (int)len, s);
            return -1;
        }
        out->data_bits = (unsigned)(s[0] - '0');
        out->parity = s[1];
        out->stop_bits = (unsigned)(s[2] - '0');
        bit = 2;
    } else {
        size_t i = 0;
        while (i < SK_ARRAY_LEN(flows) &&
               (strlen(flows[i].word) != len || strncmp(flows[i].word, s, len) != 0)) {
            i++;
        }
        if (i == SK_ARRAY_LEN(flows)) {
            snprintf(err, errlen,
                     "'%.*s' is not a setting: a speed (115200), a framing (8n1, 7e1) or flow "
                     "control (rtscts, xonxoff, none)",
                     (int)len, s);
            return -1;
        }
        out->flow = flows[i].flow;
        bit = 4;
    }
    if (*seen & bit) {
        snprintf(err, errlen, "'%.*s': the %s is given twice", (int)len, s,
                 bit == 1   ? "speed"
                 : bit == 2 ? "framing"
                            : "flow control");
        return -1;
    }
    *seen |= bit;
    return 0;
}

#define TELNET_PREFIX "telnet:"

/* Is host (len bytes) a DNS name or an IPv4 address: labels of a-z, A-Z, 0-9 and '-', joined by
 * dots, none empty, none starting or ending with '-'? 1 or 0. */
static int host_name_ok(const char *host, size_t len)
{
    size_t label = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? host[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63 || host[i - 1] == '-') {
                return 0;
            }
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c == '-' && label > 0)) {
            label++;
        } else {
            return 0;
        }
    }
    return 1;
}

/* The telnet device "telnet:HOST:PORT" (len bytes at dev) into out's host and tcp_port: 0, or
 * -1 with err set. */
static int parse_telnet(const char *dev, size_t len, struct sk_serialspec *out, char *err,
                        size_t errlen)
{
    const char *addr = dev + strlen(TELNET_PREFIX);
    size_t alen = len - strlen(TELNET_PREFIX);
    const char *colon = memrchr(addr, ':', alen);
    if (colon == NULL || colon == addr ||
        !all_digits(colon + 1, alen - (size_t)(colon + 1 - addr))) {
        snprintf(err, errlen, "'%.*s' is not telnet:HOST:PORT (e.g. telnet:127.0.0.1:4555)",
                 (int)len, dev);
        return -1;
    }
    size_t plen = alen - (size_t)(colon + 1 - addr);
    unsigned long port = plen <= 5 ? strtoul(colon + 1, NULL, 10) : 0;
    if (port < 1 || port > 65535) {
        snprintf(err, errlen, "'%.*s': the TCP port is not 1 to 65535", (int)len, dev);
        return -1;
    }
    size_t hlen = (size_t)(colon - addr);
    const char *host = addr;
    int ok;
    if (host[0] == '[') {
        /* An IPv6 address, in brackets because it holds colons itself. */
        struct in6_addr a6;
        char v6[INET6_ADDRSTRLEN + 1];
        ok = hlen >= 3 && host[hlen - 1] == ']' && hlen - 2 < sizeof(v6);
        if (ok) {
            memcpy(v6, host + 1, hlen - 2);
            v6[hlen - 2] = '\0';
            ok = inet_pton(AF_INET6, v6, &a6) == 1;
            host++;
            hlen -= 2;
        }
    } else {
        ok = hlen < sizeof(out->host) && host_name_ok(host, hlen);
    }
    if (!ok) {
        snprintf(err, errlen,
                 "'%.*s': the host is not a host name, an IPv4 address or an IPv6 address in "
                 "brackets ([::1])",
                 (int)len, dev);
        return -1;
    }
    out->telnet = 1;
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    out->tcp_port = (unsigned)port;
    return 0;
}

int sk_serialspec_parse(const char *text, struct sk_serialspec *out, char *err, size_t errlen)
{
    *out = (struct sk_serialspec){.speed = 115200, .data_bits = 8, .parity = 'n', .stop_bits = 1};
    const char *eq = strchr(text, '=');
    if (eq == NULL || eq == text) {
        snprintf(err, errlen, "'%s' is not NAME=DEVICE[,SETTINGS], e.g. com1=/dev/ttyUSB0,115200",
                 text);
        return -1;
    }
    size_t nlen = (size_t)(eq - text);
    if (nlen >= sizeof(out->name)) {
        snprintf(err, errlen, "the name '%.*s' is longer than %zu characters", (int)nlen, text,
                 sizeof(out->name) - 1);
        return -1;
    }
    for (size_t i = 0; i < nlen; i++) {
        char c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            snprintf(err, errlen, "the name '%.*s' may hold only a-z, 0-9 and '-'", (int)nlen,
                     text);
            return -1;
        }
    }
    memcpy(out->name, text, nlen);
    out->name[nlen] = '\0';
    const char *dev = eq + 1;
    size_t dlen = strcspn(dev, ",");
    int telnet = strncmp(dev, TELNET_PREFIX, strlen(TELNET_PREFIX)) == 0;
    if (dlen == 0 || (dev[0] != '/' && !telnet)) {
        snprintf(err, errlen,
                 "'%s': the device is not a path (e.g. /dev/ttyUSB0) or telnet:HOST:PORT", text);
        return -1;
    }
    if (dlen >= sizeof(out->device)) {
        snprintf(err, errlen, "'%s': the device's path is longer than %zu characters", text,
                 sizeof(out->device) - 1);
        return -1;
    }
    if (telnet && parse_telnet(dev, dlen, out, err, errlen) != 0) {
        return -1;
    }
    memcpy(out->device, dev, dlen);
    out->device[dlen] = '\0';
    unsigned seen = 0;
    for (const char *p = dev + dlen; *p == ',';) {
        p++;
        size_t len = strcspn(p, ",");
        char why[192];
        if (parse_setting(p, len, out, &seen, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "%s: %s", out->name, why);
            return -1;
        }
        p += len;
    }
    return 0;
}

void sk_serialspec_settings(const struct sk_serialspec *spec, char *buf, size_t len)
{
    snprintf(buf, len, "%u %u%c%u%s", spec->speed, spec->data_bits, spec->parity, spec->stop_bits,
             spec->flow == SK_SERIAL_FLOW_RTSCTS    ? " rtscts"
             : spec->flow == SK_SERIAL_FLOW_XONXOFF ? " xonxoff"
                                                    : "");
}

/*
 * termkeys_dump: what the terminal-key parser makes of byte sequences.
 *   termkeys_dump < LINES
 * Each input line is one sequence in hex ("1b5b41"); each output line lists
 * the events it parses into, space-separated: "k52/00" (a key: usage/mods),
 * "c0061/01" (a character with mods), "menu", "none", "e:partial" when the
 * bytes stay incomplete even after the escape time, or "e:bad" on a bad line.
 * Used by tests/helpers/terminfo_keys.py for the table-driven terminfo test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term/termkeys.h"
#include "base/util.h"

static int unhex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    *n = 0;
    while (s[0] != '\0' && s[0] != '\n') {
        unsigned v;
        if (s[1] == '\0' || *n >= cap || sscanf(s, "%2x", &v) != 1) {
            return -1;
        }
        out[(*n)++] = (uint8_t)v;
        s += 2;
    }
    return 0;
}

int main(void)
{
    char line[1024];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        uint8_t buf[512];
        size_t len;
        if (unhex(line, buf, sizeof(buf), &len) != 0) {
            puts("e:bad");
            continue;
        }
        size_t off = 0;
        const char *sep = "";
        while (off < len) {
            struct sk_termkey k;
            long r = sk_termkeys_parse(buf + off, len - off, 0, &k);
            if (r == SK_PARSE_PARTIAL) {
                /* The terminal went quiet: the escape time has passed. */
                r = sk_termkeys_parse(buf + off, len - off, 1, &k);
            }
            if (r <= 0) {
                printf("%se:partial", sep);
                break;
            }
            off += (size_t)r;
            switch (k.type) {
            case SK_TERMKEY_KEY:
                printf("%sk%02x/%02x", sep, k.usage, k.mods);
                break;
            case SK_TERMKEY_CHAR:
                printf("%sc%04x/%02x", sep, (unsigned)k.cp, k.mods);
                break;
            case SK_TERMKEY_MENU:
                printf("%smenu", sep);
                break;
            default:
                printf("%snone", sep);
                break;
            }
            sep = " ";
        }
        putchar('\n');
    }
    return 0;
}

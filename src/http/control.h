/*
 * control: the page's keyboard and mouse requests, parsed (http/api.c applies them).
 *
 * The page POSTs small text bodies:
 *   /api/keys   lines "d CODE" (press) or "u CODE" (release), CODE a
 *               KeyboardEvent.code ("KeyA", "ControlLeft"); a batch is
 *               applied in order
 *   /api/mouse  one line "X Y BUTTONS WHEEL": X, Y in 0..32767 of the
 *               displayed picture, BUTTONS bit0 left, bit1 right, bit2
 *               middle, WHEEL -127..127 notches (positive: up)
 * Parsing is strict: a malformed body changes nothing.
 */
#ifndef SK_CONTROL_H
#define SK_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#define SK_CONTROL_MAX_KEYS 64 /* key events in one batch */

struct sk_control_key {
    uint8_t usage;
    uint8_t down; /* 1 press, 0 release */
};

/*
 * Parse a /api/keys body into at most SK_CONTROL_MAX_KEYS events. Returns
 * the count (>= 0), or -1 with err naming the bad line.
 */
int sk_control_parse_keys(const char *body, size_t len, struct sk_control_key *out, char *err,
                          size_t errlen);

/* Parse a /api/mouse body. 0, or -1 with err set. */
int sk_control_parse_mouse(const char *body, size_t len, uint16_t *x, uint16_t *y, uint8_t *buttons,
                           int8_t *wheel, char *err, size_t errlen);

#endif

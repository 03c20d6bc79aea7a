/*
 * keymap: which keystrokes type which character on the target's layout.
 *
 * Keymaps are data files in keymaps/ (format in docs/keymaps.md): one line
 * per character, naming the character and the keystroke(s) that type it,
 * e.g. `A shift+a`, `€ altgr+e`, `ñ altgr+bracketleft n` (a dead key, then
 * a letter). Parsing is pure; loading reads the file. Errors name the file
 * and line.
 */
#ifndef SK_KEYMAP_H
#define SK_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#include "hid/keys.h"

#define SK_KEYMAP_MAX_STROKES 4 /* keystrokes one character may take */

struct sk_keymap;

/* Parse a keymap from text; name is used in errors ("name:LINE: ..."). NULL on error. */
struct sk_keymap *sk_keymap_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen);
/* Load dir/name (e.g. "keymaps", "us"). NULL on error with err set. */
struct sk_keymap *sk_keymap_load(const char *dir, const char *name, char *err, size_t errlen);
void sk_keymap_free(struct sk_keymap *km);
const char *sk_keymap_name(const struct sk_keymap *km);

/* The keystrokes that type code point cp: returns their count (> 0), or 0 when it cannot be typed.
 */
int sk_keymap_lookup(const struct sk_keymap *km, uint32_t cp, struct sk_key *out, int max);

/*
 * For a target whose Caps Lock is on: toggle Shift on the strokes of keys
 * this layout capitalises with Caps Lock (letters), so that the text comes
 * out in the case it was asked for. Strokes with Ctrl, Alt, AltGr or Super
 * are left alone. Changes keys in place.
 */
void sk_keymap_caps_lock(const struct sk_keymap *km, struct sk_key *keys, size_t n);

/*
 * Turn UTF-8 text into keystrokes (a newline is Enter, "\r\n" is one Enter).
 * On success returns 0 with *out (caller frees) and *n set. When a character
 * cannot be typed, or the text is not UTF-8, returns -1 and err names every
 * such character (e.g. "keymap us cannot type 'é' (U+00E9)"); nothing is typed.
 */
int sk_keymap_text(const struct sk_keymap *km, const char *text, size_t len, struct sk_key **out,
                   size_t *n, char *err, size_t errlen);

#endif

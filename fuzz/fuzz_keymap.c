/*
 * fuzz_keymap: keymap file text through sk_keymap_parse. A keymap that
 * loads is then asked to type text (the input again, as UTF-8 or not) and
 * to look up code points; every stroke it returns names a key or a
 * modifier, never more than SK_KEYMAP_MAX_STROKES per character.
 */
#include "fuzz.h"
#include "hid/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    struct sk_keymap *km = sk_keymap_parse((const char *)data, size, "fuzz", err, sizeof(err));
    if (km == NULL) {
        SK_FUZZ_CHECK(err[0] != '\0');
        return 0;
    }
    struct sk_key keys[SK_KEYMAP_MAX_STROKES];
    for (uint32_t cp = 0; cp < 0x180; cp++) {
        int n = sk_keymap_lookup(km, cp, keys, SK_KEYMAP_MAX_STROKES);
        SK_FUZZ_CHECK(n >= 0 && n <= SK_KEYMAP_MAX_STROKES);
    }
    struct sk_key *out = NULL;
    size_t n = 0;
    if (sk_keymap_text(km, (const char *)data, size, &out, &n, err, sizeof(err)) == 0) {
        sk_keymap_caps_lock(km, out, n);
        free(out);
    }
    sk_keymap_free(km);
    return 0;
}

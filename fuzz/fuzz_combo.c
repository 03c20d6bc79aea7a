/*
 * fuzz_combo: key combos ("ctrl+alt+delete") through sk_keys_parse_combo.
 * What parses formats back to a name that parses to the same keystroke.
 */
#include "fuzz.h"
#include "hid/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = sk_fuzz_cstr(data, size);
    struct sk_key key, again;
    char err[256], name[128];
    if (sk_keys_parse_combo(s, &key, err, sizeof(err)) == 0) {
        sk_keys_format(&key, name, sizeof(name));
        SK_FUZZ_CHECK(sk_keys_parse_combo(name, &again, err, sizeof(err)) == 0);
        SK_FUZZ_CHECK(again.usage == key.usage && again.mods == key.mods);
    }
    (void)sk_keys_usage(s);
    (void)sk_keys_modifier(s);
    free(s);
    return 0;
}

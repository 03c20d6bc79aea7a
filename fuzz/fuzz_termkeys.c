/*
 * fuzz_termkeys: terminal bytes (legacy escapes, kitty reports, SGR mouse)
 * through sk_termkeys_parse, the way a session feeds it: parse while
 * bytes remain, and once the escape-time has passed resolve whatever is
 * left. Every call must consume within the buffer and make progress.
 */
#include "fuzz.h"
#include "term/termkeys.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    int timed_out = 0;
    while (off < size) {
        struct sk_termkey key;
        memset(&key, 0xAA, sizeof(key));
        long n = sk_termkeys_parse(data + off, size - off, timed_out, &key);
        if (n == SK_PARSE_PARTIAL) {
            SK_FUZZ_CHECK(!timed_out);
            timed_out = 1;
            continue;
        }
        SK_FUZZ_CHECK(n > 0 && (size_t)n <= size - off);
        SK_FUZZ_CHECK(key.type <= SK_TERMKEY_MOUSE);
        SK_FUZZ_CHECK(key.event <= SK_TERMKEY_RELEASE);
        off += (size_t)n;
        timed_out = 0;
    }
    return 0;
}

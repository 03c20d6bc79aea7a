/*
 * fuzz_authkeys: authorized_keys lines through sk_authkeys_parse_line, their
 * options through sk_authkeys_role and sk_authkeys_allow, and the input's
 * halves through sk_authkeys_from_match (an address, a from= pattern list).
 * Parsed fields must lie inside the line; a from= verdict is one of its four.
 */
#include "fuzz.h"
#include "ssh/authkeys.h"

static int inside(const char *p, size_t n, const char *line, size_t len)
{
    return p == NULL || (p >= line && p + n <= line + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = sk_fuzz_cstr(data, size);
    size_t len = strlen(s);
    struct sk_authkey_line al;
    char err[256];
    int rc = sk_authkeys_parse_line(s, len, &al);
    SK_FUZZ_CHECK(rc == 0 || rc == 1 || rc == SK_PARSE_INVALID);
    if (rc == 1) {
        SK_FUZZ_CHECK(inside(al.options, al.options_len, s, len));
        SK_FUZZ_CHECK(al.type != NULL && inside(al.type, al.type_len, s, len));
        SK_FUZZ_CHECK(al.blob != NULL && al.blob_len > 0 && inside(al.blob, al.blob_len, s, len));
        SK_FUZZ_CHECK(inside(al.comment, al.comment_len, s, len));
        char *opts = xstrndup(al.options ? al.options : "", al.options_len);
        enum sk_role role;
        (void)sk_authkeys_role(opts, &role, err, sizeof(err));
        (void)sk_authkeys_allow(opts, "127.0.0.1", 1800000000, err, sizeof(err));
        free(opts);
    }
    (void)sk_authkeys_allow(s, "2001:db8::1", 1800000000, err, sizeof(err));
    /* The first line is an address, the rest a pattern list. */
    char *nl = strchr(s, '\n');
    const char *list = s;
    if (nl != NULL) {
        *nl = '\0';
        list = nl + 1;
    }
    int m = sk_authkeys_from_match(s, list);
    SK_FUZZ_CHECK(m >= -2 && m <= 1);
    m = sk_authkeys_from_match("10.1.2.3", list);
    SK_FUZZ_CHECK(m >= -2 && m <= 1);
    free(s);
    return 0;
}

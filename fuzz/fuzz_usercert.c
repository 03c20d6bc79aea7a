/*
 * fuzz_usercert: SSH user certificates as a client offers them at login,
 * through sk_usercert_parse. What parses points only inside the blob, the
 * signed part is a prefix of it ending where the signature's length
 * starts, and the principal lookup and the signature check never crash.
 */
#include "fuzz.h"
#include "ssh/usercert.h"

static int inside(const uint8_t *blob, size_t len, const uint8_t *p, size_t n)
{
    return n == 0 || (p >= blob && n <= len && (size_t)(p - blob) <= len - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *blob = sk_fuzz_copy(data, size);
    struct sk_usercert c;
    if (sk_usercert_parse(blob, size, &c) == 0) {
        SK_FUZZ_CHECK(inside(blob, size, c.type, c.type_len));
        SK_FUZZ_CHECK(inside(blob, size, c.key_id, c.key_id_len));
        SK_FUZZ_CHECK(inside(blob, size, c.principals, c.principals_len));
        SK_FUZZ_CHECK(inside(blob, size, c.ca_key, c.ca_key_len));
        SK_FUZZ_CHECK(inside(blob, size, c.signature, c.signature_len));
        SK_FUZZ_CHECK(c.signed_data == blob && c.signed_len < size);
        SK_FUZZ_CHECK(c.signature + c.signature_len == blob + size);
        (void)sk_usercert_has_principal(&c, "kvm");
        char err[256];
        (void)sk_usercert_verify(&c, err, sizeof(err));
    }
    free(blob);
    return 0;
}

/*
 * fuzz_config: config-file text through sk_config_parse_text, then the
 * whole-picture check. A refusal names the file and line; whatever was
 * set is freed (LeakSanitizer checks).
 */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = sk_fuzz_cstr(data, size);
    struct sk_config cfg;
    char err[512];
    sk_config_defaults(&cfg, "/nonexistent");
    err[0] = '\0';
    if (sk_config_parse_text(&cfg, text, "fuzz.conf", err, sizeof(err)) == 0) {
        (void)sk_config_check(&cfg, err, sizeof(err));
    } else {
        SK_FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
    }
    sk_config_free(&cfg);
    free(text);
    return 0;
}

/*
 * fuzz_argv: command lines through sk_argv_split, the splitter every
 * script command but type uses. Words hold no more bytes than the line;
 * each word quoted again for sh ('...', a ' as '\'') and the words joined
 * by spaces split back to the same words; a refusal names the unclosed quote.
 */
#include "cmd/argv.h"
#include "fuzz.h"

/* Append word in single quotes, as sh would read it back. */
static void quote(struct sk_buf *b, const char *word)
{
    sk_buf_puts(b, "'");
    for (const char *p = word; *p; p++) {
        if (*p == '\'') {
            sk_buf_puts(b, "'\\''");
        } else {
            sk_buf_append(b, p, 1);
        }
    }
    sk_buf_puts(b, "'");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = sk_fuzz_cstr(data, size);
    char **argv = NULL, **again = NULL, err[128];
    int n = sk_argv_split(s, &argv, err, sizeof(err));
    if (n < 0) {
        SK_FUZZ_CHECK(n == -1 && argv == NULL);
        SK_FUZZ_CHECK(strncmp(err, "unclosed ", 9) == 0);
        free(s);
        return 0;
    }
    size_t bytes = 0;
    struct sk_buf line = {0};
    sk_buf_puts(&line, "");
    for (int i = 0; i < n; i++) {
        SK_FUZZ_CHECK(argv[i] != NULL);
        bytes += strlen(argv[i]);
        if (i > 0) {
            sk_buf_puts(&line, " ");
        }
        quote(&line, argv[i]);
    }
    SK_FUZZ_CHECK(argv[n] == NULL);
    SK_FUZZ_CHECK(bytes <= strlen(s));
    SK_FUZZ_CHECK(sk_argv_split(line.data, &again, err, sizeof(err)) == n);
    for (int i = 0; i < n; i++) {
        SK_FUZZ_CHECK(strcmp(again[i], argv[i]) == 0);
    }
    sk_argv_free(again);
    sk_argv_free(argv);
    sk_buf_free(&line);
    free(s);
    return 0;
}

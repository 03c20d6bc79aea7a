/*
 * fuzz: what every libFuzzer target in fuzz/ shares.
 *
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput for one pure parser and
 * checks the parser's own contract (consumed counts within the input,
 * round trips), so a wrong answer aborts like a crash does. SK_FUZZ_CHECK
 * aborts with the failed expression; the logger is quieted once.
 */
#ifndef SK_FUZZ_H
#define SK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"

#define SK_FUZZ_CHECK(expr)                                                                        \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #expr);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/*
 * The input in a heap block of exactly its size (the caller frees), so
 * that ASan sees any read past its end.
 */
static inline uint8_t *sk_fuzz_copy(const uint8_t *data, size_t size)
{
    uint8_t *p = xmalloc(size);
    memcpy(p, data, size);
    return p;
}

/* The input as a NUL-terminated string (the caller frees). */
static inline char *sk_fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sk_log_set_level(SK_LOG_ERROR);
    return 0;
}

#endif

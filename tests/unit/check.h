/*
 * check: the tiny unit-test harness every tests/unit/test_*.c uses.
 *
 * A test program defines test functions and lists them in main with
 * SK_RUN(fn). Each failed CHECK prints file:line and the expression; each
 * test prints "PASS name" or "FAIL name", which tests/run.sh counts. The
 * program exits 1 if anything failed (never 0 on failure: parson's trap).
 */
#ifndef SK_CHECK_H
#define SK_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sk_check_failed_total;
static int sk_check_failed_now;

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);             \
            sk_check_failed_now++;                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long sk_a_ = (long long)(a), sk_b_ = (long long)(b);                                  \
        if (sk_a_ != sk_b_) {                                                                      \
            fprintf(stderr, "  %s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__,          \
                    __LINE__, #a, #b, sk_a_, sk_b_);                                               \
            sk_check_failed_now++;                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *sk_a_ = (a), *sk_b_ = (b);                                                     \
        if (sk_a_ == NULL || sk_b_ == NULL || strcmp(sk_a_, sk_b_) != 0) {                         \
            fprintf(stderr, "  %s:%d: CHECK failed: %s == %s (\"%s\" != \"%s\")\n", __FILE__,      \
                    __LINE__, #a, #b, sk_a_ ? sk_a_ : "(null)", sk_b_ ? sk_b_ : "(null)");         \
            sk_check_failed_now++;                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

#define SK_RUN(fn)                                                                                 \
    do {                                                                                           \
        sk_check_failed_now = 0;                                                                   \
        fn();                                                                                      \
        printf("%s %s\n", sk_check_failed_now ? "FAIL" : "PASS", #fn);                             \
        fflush(stdout);                                                                            \
        sk_check_failed_total += sk_check_failed_now;                                              \
    } while (0)

#define SK_CHECK_EXIT() (sk_check_failed_total ? 1 : 0)

/* The tests' data files: SK_TEST_DATA, or tests/data when run from the repository root. */
static inline const char *sk_test_data(void)
{
    const char *dir = getenv("SK_TEST_DATA");
    return dir ? dir : "tests/data";
}

#endif

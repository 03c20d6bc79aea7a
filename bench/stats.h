/*
 * stats: what the benchmarks make of their samples (sorted times, medians),
 * and whether they run in smoke mode. Header-only, for the standalone load
 * generators as well as the rest.
 */
#ifndef SK_BENCH_STATS_H
#define SK_BENCH_STATS_H

#include <stdlib.h>
#include <string.h>

/* qsort's comparison for doubles, ascending. */
static inline int sk_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/*
 * The median of n samples (sorted in place), 0 for none: on a shared
 * machine a neighbour's burst moves a mean but not a median.
 */
static inline double sk_bench_median(double *t, int n)
{
    if (n <= 0) {
        return 0;
    }
    qsort(t, (size_t)n, sizeof(*t), sk_bench_cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/*
 * 1 when BENCH_SMOKE=1 is in the environment: make test's check that a
 * benchmark still runs, with tiny counts, in a few seconds; its figures mean
 * nothing, but whatever fails to be measured makes the program exit non-zero.
 */
static inline int sk_bench_smoke(void)
{
    const char *s = getenv("BENCH_SMOKE");
    return s != NULL && strcmp(s, "1") == 0;
}

#endif

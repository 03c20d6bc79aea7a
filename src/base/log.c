/*
 * log: formatted, thread-tagged log lines on stderr.
 *
 * Each line is written with one write() so that lines from different
 * threads never interleave. Callers that retry an operation keep their own
 * "already logged" flag so a repeating error is logged once per change of
 * state (uStreamer's US_ONCE).
 */
#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static atomic_int log_level = SK_LOG_INFO;
static _Thread_local char thread_name[16] = "main";

void sk_log_set_level(enum sk_log_level level)
{
    atomic_store(&log_level, (int)level);
}

enum sk_log_level sk_log_get_level(void)
{
    return (enum sk_log_level)atomic_load(&log_level);
}

void sk_log_thread_name(const char *name)
{
    snprintf(thread_name, sizeof(thread_name), "%s", name);
}

void sk_log(enum sk_log_level level, const char *tag, const char *fmt, ...)
{
    static const char *names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
    if ((int)level > atomic_load(&log_level)) {
        return;
    }
    char line[1024];
    int64_t us = sk_now_us();
    int n = snprintf(line, sizeof(line), "%lld.%03lld %s [%-8s] %-6s ", (long long)(us / 1000000),
                     (long long)(us / 1000 % 1000), names[level], thread_name, tag);
    if (n < 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : SK_MIN((size_t)m, sizeof(line) - (size_t)n - 2));
    line[len++] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, len);
    (void)unused;
}

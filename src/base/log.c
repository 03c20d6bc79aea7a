/*
 * log: formatted, thread-tagged log lines on stderr.
 *
 * Each line is written with one write() so that lines from different
 * threads never interleave, and control characters in the message are
 * escaped, so that text from a client can neither start a forged line nor
 * send escape sequences to whoever reads the log. Callers that retry an operation keep their own
 * "already logged" flag so a repeating error is logged once per change of
 * state (uStreamer's US_ONCE).
 */
#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
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

void sk_log_thread_name(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(thread_name, sizeof(thread_name), fmt, ap);
    va_end(ap);
    /* The same name for ps, top and gdb (the kernel keeps 15 characters too). */
    pthread_setname_np(pthread_self(), thread_name);
}

/*
 * Copy the message into out (cap bytes, at least 5) with every byte that
 * could end or rewrite a line escaped as \xNN: C0 and C1 controls, DEL, and
 * bytes that are not UTF-8. Messages carry text from the network (user
 * names, command words); escaped, one event stays one line and a terminal
 * reading the log obeys no escape sequence in it. Returns the length.
 */
static size_t escape_line(const char *msg, size_t len, char *out, size_t cap)
{
    const uint8_t *p = (const uint8_t *)msg;
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        int used = sk_utf8_decode(p + i, len - i, &cp);
        int plain = used > 0 && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f);
        if (plain) {
            if (n + (size_t)used >= cap) {
                break;
            }
            memcpy(out + n, p + i, (size_t)used);
            n += (size_t)used;
            i += (size_t)used;
        } else {
            if (n + 4 >= cap) {
                break;
            }
            snprintf(out + n, 5, "\\x%02x", p[i]);
            n += 4;
            i++;
        }
    }
    return n;
}

void sk_log(enum sk_log_level level, const char *tag, const char *fmt, ...)
{
    static const char *names[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
    if ((int)level > atomic_load(&log_level)) {
        return;
    }
    char msg[1024];
    char line[1024];
    int64_t us = sk_now_us();
    int n = snprintf(line, sizeof(line), "%lld.%03lld %s [%-8s] %-6s ", (long long)(us / 1000000),
                     (long long)(us / 1000 % 1000), names[level], thread_name, tag);
    if (n < 0 || (size_t)n >= sizeof(line) - 8) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t mlen = m < 0 ? 0 : SK_MIN((size_t)m, sizeof(msg) - 1);
    size_t len = (size_t)n + escape_line(msg, mlen, line + n, sizeof(line) - (size_t)n - 1);
    line[len++] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, len);
    (void)unused;
}

/*
 * log: the one logger. Each line carries the level, the monotonic time, the
 * thread's name and the module's tag, and goes to stderr.
 *
 * Never log passwords, keys or typed text above SK_LOG_DEBUG.
 */
#ifndef SK_LOG_H
#define SK_LOG_H

enum sk_log_level {
    SK_LOG_ERROR = 0,
    SK_LOG_WARN,
    SK_LOG_INFO,
    SK_LOG_DEBUG,
};

void sk_log_set_level(enum sk_log_level level);
enum sk_log_level sk_log_get_level(void);
/*
 * Name the calling thread, printf-style (15 characters at most, the rest cut
 * off): in log lines, and for the kernel (ps -L, top -H, gdb) too.
 */
void sk_log_thread_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_log(enum sk_log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

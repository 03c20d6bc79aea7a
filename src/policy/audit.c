/*
 * audit: format audit lines and hand them to the chosen sink.
 *
 * A line is built whole in memory, then written with one write(2) to a file
 * opened O_APPEND (so lines from several threads or processes never
 * interleave), or passed to syslog(3) or the logger. Values that could
 * carry spaces or quotes (names) are quoted with backslash escapes, and
 * control characters are escaped, so one event is always one line.
 */
#include "policy/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

enum sink { SINK_OFF, SINK_FILE, SINK_SYSLOG, SINK_LOG };

struct sk_audit {
    enum sink sink;
    int fd;
};

struct sk_audit *sk_audit_new(const char *spec, char *err, size_t errlen)
{
    struct sk_audit *a = xcalloc(1, sizeof(*a));
    a->fd = -1;
    if (spec == NULL || strcmp(spec, "stderr") == 0) {
        a->sink = SINK_LOG;
    } else if (strcmp(spec, "off") == 0) {
        a->sink = SINK_OFF;
    } else if (strcmp(spec, "syslog") == 0) {
        a->sink = SINK_SYSLOG;
        openlog("sshkvm", LOG_PID, LOG_AUTHPRIV);
    } else {
        a->sink = SINK_FILE;
        a->fd = open(spec, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (a->fd < 0) {
            sk_set_err(err, errlen, "--audit-log %s: %s", spec, strerror(errno));
            free(a);
            return NULL;
        }
    }
    return a;
}

void sk_audit_free(struct sk_audit *a)
{
    if (a == NULL) {
        return;
    }
    if (a->fd >= 0) {
        close(a->fd);
    }
    if (a->sink == SINK_SYSLOG) {
        closelog();
    }
    free(a);
}

/* One byte of a quoted value, escaped when it is \ " or a control character: its length. */
static int escape_byte(unsigned char c, char piece[5])
{
    if (c == '"' || c == '\\') {
        piece[0] = '\\';
        piece[1] = (char)c;
        return 2;
    }
    if (c < 0x20 || c == 0x7f) {
        snprintf(piece, 5, "\\x%02x", c);
        return 4;
    }
    piece[0] = (char)c;
    return 1;
}

/* "value", with \ " and control characters escaped: one event stays one line. */
static void quoted(struct sk_buf *b, const char *s)
{
    sk_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char piece[5];
        sk_buf_append(b, piece, (size_t)escape_byte(*p, piece));
    }
    sk_buf_puts(b, "\"");
}

const char *sk_audit_quote(const char *s, char *buf, size_t len)
{
    size_t n = 0;
    buf[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
        char piece[5];
        size_t k = (size_t)escape_byte(*p, piece);
        if (n + k + 2 > len) {
            break; /* cut at a whole escape, room kept for the closing quote */
        }
        memcpy(buf + n, piece, k);
        n += k;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

void sk_audit(struct sk_audit *a, const char *event, const char *who, const char *addr,
              const char *fmt, ...)
{
    if (a == NULL || a->sink == SINK_OFF) {
        return;
    }
    struct sk_buf b = {0};
    sk_buf_printf(&b, "event=%s who=", event);
    quoted(&b, who != NULL ? who : "-");
    sk_buf_puts(&b, " addr=");
    quoted(&b, addr != NULL ? addr : "-");
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        sk_buf_puts(&b, " ");
        size_t from = b.len;
        sk_buf_vprintf(&b, fmt, ap);
        va_end(ap);
        /* Details are names and numbers; still, never let one break the line. */
        for (size_t i = from; i < b.len; i++) {
            if ((unsigned char)b.data[i] < 0x20) {
                b.data[i] = '?';
            }
        }
    }
    if (a->sink == SINK_SYSLOG) {
        syslog(LOG_AUTHPRIV | LOG_INFO, "%s", b.data);
    } else if (a->sink == SINK_LOG) {
        sk_log(SK_LOG_INFO, "audit", "%s", b.data);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
        struct sk_buf line = {0};
        sk_buf_printf(&line, "%s sshkvm-audit %s\n", stamp, b.data);
        ssize_t n = write(a->fd, line.data, line.len);
        if (n != (ssize_t)line.len) {
            sk_log(SK_LOG_ERROR, "audit", "cannot write the audit log: %s",
                   n < 0 ? strerror(errno) : "short write");
        }
        sk_buf_free(&line);
    }
    sk_buf_free(&b);
}

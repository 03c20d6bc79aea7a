/*
 * consrec: an interactive console session recorded as an asciicast v2 file
 * (--record-dir DIR), for `asciinema play` and asciinema's web player.
 *
 * One file a session, DIR/YYYYMMDD-HHMMSS-USER.cast (a number added when the
 * name is taken), created 0600 (never through a symlink, never over another
 * file) so that only sshkvm's user reads it. It holds what the client's
 * terminal was sent, the window's resizes, and markers naming the input:
 * the keys and combinations by name, clicks and menu choices, and typed
 * text only as a count of characters. A recording stops, with a marker
 * saying so, at --record-max bytes; the session goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "cmd/app.h"
#include "console/consint.h"
#include "term/cast.h"

#define TYPED_QUIET_MS 1000 /* typing is counted until this long without a character */

struct sk_consrec {
    int fd;
    struct sk_cast *cast;
    int64_t start_us;
    unsigned typed; /* characters typed since the last marker */
    int64_t typed_ms;
    int warned; /* a write failure has been logged */
    char path[512];
};

static int write_fd(void *ctx, const void *data, size_t len)
{
    struct sk_consrec *r = ctx;
    if (sk_write_all(r->fd, data, len, NULL) != 0) {
        if (!r->warned) {
            sk_log(SK_LOG_WARN, "record", "%s: %s; recording stopped", r->path, strerror(errno));
            r->warned = 1;
        }
        return -1;
    }
    return 0;
}

static double elapsed(const struct sk_consrec *r)
{
    return (double)(sk_now_us() - r->start_us) / 1e6;
}

/* The user's name as a file name's part: letters, digits, '.', '-' and '_' only, 40 at most. */
static void file_part(const char *name, char *out, size_t len)
{
    size_t j = 0;
    for (const char *p = name; *p != '\0' && j + 1 < len && j < 40; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '.' || ch == '-' || ch == '_';
        if (ok || (j > 0 && out[j - 1] != '_')) {
            out[j++] = ok ? ch : '_';
        }
    }
    while (j > 0 && (out[j - 1] == '_' || out[j - 1] == '.')) {
        j--;
    }
    out[j] = '\0';
    if (j == 0) {
        snprintf(out, len, "unknown");
    }
}

void sk_consrec_start(struct sk_console *c, const char *term)
{
    const char *dir = c->app->record_dir;
    if (dir == NULL || dir[0] == '\0') {
        return;
    }
    struct sk_consrec *r = xcalloc(1, sizeof(*r));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32], who[48];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    file_part(c->name[0] ? c->name : "unknown", who, sizeof(who));
    r->fd = -1;
    for (int n = 1; n < 1000 && r->fd < 0; n++) {
        if (n == 1) {
            snprintf(r->path, sizeof(r->path), "%s/%s-%s.cast", dir, stamp, who);
        } else {
            snprintf(r->path, sizeof(r->path), "%s/%s-%s-%d.cast", dir, stamp, who, n);
        }
        r->fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (r->fd < 0 && errno != EEXIST) {
            break;
        }
    }
    if (r->fd < 0) {
        sk_log(SK_LOG_WARN, "record", "cannot record the session of %s: %s: %s", c->name, r->path,
               strerror(errno));
        free(r);
        return;
    }
    char title[256];
    snprintf(title, sizeof(title), "sshkvm console: %s from %s", c->name[0] ? c->name : "unknown",
             c->addr[0] ? c->addr : "unknown");
    r->start_us = sk_now_us();
    const struct sk_cast_opts o = {
        .write = write_fd,
        .ctx = r,
        .cols = c->cols,
        .rows = c->rows,
        .timestamp = (int64_t)now,
        .title = title,
        .term = term,
        .max_bytes = c->app->record_max,
    };
    r->cast = sk_cast_new(&o);
    c->rec = r;
    sk_log(SK_LOG_INFO, "record", "recording the session of %s to %s", c->name, r->path);
}

void sk_consrec_output(struct sk_console *c, const void *data, size_t len)
{
    if (c->rec != NULL) {
        sk_cast_output(c->rec->cast, elapsed(c->rec), data, len);
    }
}

void sk_consrec_resize(struct sk_console *c)
{
    if (c->rec != NULL) {
        sk_cast_resize(c->rec->cast, elapsed(c->rec), c->cols, c->rows);
    }
}

/* Say how many characters were typed, if any, before another marker or after a pause. */
static void flush_typed(struct sk_consrec *r)
{
    if (r->typed > 0) {
        char label[64];
        snprintf(label, sizeof(label), "typed %u character%s", r->typed, r->typed == 1 ? "" : "s");
        r->typed = 0;
        sk_cast_marker(r->cast, elapsed(r), label);
    }
}

void sk_consrec_mark(struct sk_console *c, const char *fmt, ...)
{
    if (c->rec == NULL) {
        return;
    }
    flush_typed(c->rec);
    char label[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof(label), fmt, ap);
    va_end(ap);
    sk_cast_marker(c->rec->cast, elapsed(c->rec), label);
}

void sk_consrec_typed(struct sk_console *c, unsigned n)
{
    if (c->rec != NULL) {
        c->rec->typed += n;
        c->rec->typed_ms = sk_now_ms();
    }
}

void sk_consrec_tick(struct sk_console *c)
{
    if (c->rec != NULL && c->rec->typed > 0 && sk_now_ms() - c->rec->typed_ms >= TYPED_QUIET_MS) {
        flush_typed(c->rec);
    }
}

void sk_consrec_end(struct sk_console *c)
{
    struct sk_consrec *r = c->rec;
    if (r == NULL) {
        return;
    }
    flush_typed(r);
    sk_cast_marker(r->cast, elapsed(r),
                   c->gone ? "session ended: the client left" : "session ended");
    sk_log(SK_LOG_INFO, "record", "%s: %llu bytes%s", r->path,
           (unsigned long long)sk_cast_bytes(r->cast),
           sk_cast_ended(r->cast) && !r->warned ? " (stopped at the size bound)" : "");
    sk_cast_free(r->cast);
    fsync(r->fd);
    close(r->fd);
    free(r);
    c->rec = NULL;
}

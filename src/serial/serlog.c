/*
 * serlog: a serial port's output on disk, stamped by line, rotated by size.
 *
 * The log owns its file's descriptor and a buffer of pending bytes. The
 * port's thread appends what it reads (sk_serlog_write), putting the time in
 * front of each line as its first byte comes; sk_serlog_tick, called on
 * every poll of the port, writes the pending bytes and syncs them once they
 * have waited sync_ms, so a power cut loses at most that. After a write
 * that takes the file past max_bytes, NAME.log becomes NAME.log.1 (each
 * older one moving up a number, the oldest beyond keep removed) and a new
 * NAME.log begins: the disk holds at most (keep + 1) files. Readers
 * (sk_serlog_history) take the same lock only to write what is pending, then
 * read the files oldest first without it (a rotation meanwhile may show a
 * file twice or skip one); only regular files are read, never through a
 * link. The directory is checked at start (sk_private_dir). A failed
 * write is counted and logged once, and the bytes are dropped rather than
 * held without bound.
 */
#include "serial/serlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

#define MAX_DEFAULT (1024 * 1024)
#define KEEP_DEFAULT 4
#define SYNC_DEFAULT_MS 1000
#define PENDING_MAX (64 * 1024) /* pending bytes that are written at once, whatever their age */

struct sk_serlog {
    char *dir, *name;
    size_t max_bytes;
    int keep, sync_ms;
    pthread_mutex_t lock; /* everything below */
    int fd;
    size_t size; /* bytes in the current file */
    struct sk_buf pending;
    int64_t pending_since; /* monotonic ms when the oldest pending byte came; 0: none */
    int line_start;        /* the next byte begins a line: stamp it */
    int failing;           /* the last write failed: logged once until one succeeds */
    struct sk_serlog_stats stats;
};

struct sk_serlog *sk_serlog_new(const struct sk_serlog_opts *opts)
{
    struct sk_serlog *log = xcalloc(1, sizeof(*log));
    log->dir = xstrdup(opts->dir);
    log->name = xstrdup(opts->name);
    log->max_bytes = opts->max_bytes ? opts->max_bytes : MAX_DEFAULT;
    log->keep = opts->keep > 0 ? opts->keep : KEEP_DEFAULT;
    log->sync_ms = opts->sync_ms > 0 ? opts->sync_ms : SYNC_DEFAULT_MS;
    log->fd = -1;
    log->line_start = 1;
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

void sk_serlog_free(struct sk_serlog *log)
{
    if (log == NULL) {
        return;
    }
    sk_serlog_close(log);
    pthread_mutex_destroy(&log->lock);
    sk_buf_free(&log->pending);
    free(log->dir);
    free(log->name);
    free(log);
}

/* DIR/NAME.log, or DIR/NAME.log.N for n > 0. The caller frees it. */
static char *file_path(const struct sk_serlog *log, int n)
{
    return n == 0 ? xasprintf("%s/%s.log", log->dir, log->name)
                  : xasprintf("%s/%s.log.%d", log->dir, log->name, n);
}

static int open_current(struct sk_serlog *log, char *err, size_t errlen)
{
    char *path = file_path(log, 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        sk_set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        free(path);
        return -1;
    }
    free(path);
    log->fd = fd;
    log->size = (size_t)st.st_size;
    return 0;
}

int sk_serlog_open(struct sk_serlog *log, char *err, size_t errlen)
{
    pthread_mutex_lock(&log->lock);
    int rc = 0;
    if (log->fd < 0) {
        /* main checked it at start (sk_private_dir); it may have gone since. */
        rc = sk_private_dir(log->dir, err, errlen) != 0 ? -1 : open_current(log, err, errlen);
    }
    pthread_mutex_unlock(&log->lock);
    return rc;
}

/* Shift NAME.log.N up by one (the oldest removed) and start a new NAME.log. Lock held. */
static void rotate(struct sk_serlog *log)
{
    close(log->fd);
    log->fd = -1;
    char *oldest = file_path(log, log->keep);
    unlink(oldest);
    free(oldest);
    for (int n = log->keep - 1; n >= 0; n--) {
        char *from = file_path(log, n), *to = file_path(log, n + 1);
        rename(from, to);
        free(from);
        free(to);
    }
    char err[256];
    if (open_current(log, err, sizeof(err)) != 0) {
        log->stats.errors++;
        sk_log(SK_LOG_ERROR, "serial", "%s: log: %s", log->name, err);
        return;
    }
    log->stats.rotations++;
}

/* Write out and sync what is pending. Lock held. */
static void flush_pending(struct sk_serlog *log)
{
    if (log->pending.len == 0) {
        return;
    }
    size_t done = 0;
    int failed =
        log->fd < 0 || sk_write_all(log->fd, log->pending.data, log->pending.len, &done) != 0;
    if (!failed && fdatasync(log->fd) != 0 && errno != EINVAL) {
        failed = 1;
    }
    log->stats.bytes += done;
    log->size += done;
    if (failed) {
        log->stats.errors++;
        if (!log->failing) {
            sk_log(SK_LOG_ERROR, "serial", "%s: cannot write its log in %s: %s", log->name,
                   log->dir, log->fd < 0 ? "not open" : strerror(errno));
        }
    }
    log->failing = failed;
    sk_buf_reset(&log->pending);
    log->pending_since = 0;
    if (log->fd >= 0 && log->size >= log->max_bytes) {
        rotate(log);
    }
}

void sk_serlog_close(struct sk_serlog *log)
{
    if (log == NULL) {
        return;
    }
    pthread_mutex_lock(&log->lock);
    flush_pending(log);
    if (log->fd >= 0) {
        close(log->fd);
        log->fd = -1;
    }
    pthread_mutex_unlock(&log->lock);
}

void sk_serlog_stamp(int64_t ms, char out[SK_SERLOG_STAMP_LEN])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* A year past 9999 does not fit: whatever is cut off is the end of a far-off date. */
    char full[64];
    snprintf(full, sizeof(full), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    memcpy(out, full, SK_SERLOG_STAMP_LEN - 1);
    out[SK_SERLOG_STAMP_LEN - 1] = '\0';
}

void sk_serlog_write(struct sk_serlog *log, const void *data, size_t len, int64_t now_ms)
{
    const uint8_t *p = data;
    char stamp[SK_SERLOG_STAMP_LEN];
    pthread_mutex_lock(&log->lock);
    if (log->fd < 0 || len == 0) {
        pthread_mutex_unlock(&log->lock);
        return;
    }
    int stamped = 0; /* the stamp is made once, and only when a line starts in this chunk */
    while (len > 0) {
        if (log->line_start) {
            if (!stamped++) {
                sk_serlog_stamp(now_ms, stamp);
            }
            sk_buf_puts(&log->pending, stamp);
            sk_buf_puts(&log->pending, " ");
        }
        const uint8_t *nl = memchr(p, '\n', len);
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : len;
        sk_buf_append(&log->pending, p, n);
        log->line_start = nl != NULL;
        p += n;
        len -= n;
    }
    if (log->pending_since == 0) {
        log->pending_since = sk_now_ms();
    }
    if (log->pending.len >= PENDING_MAX) {
        flush_pending(log);
    }
    pthread_mutex_unlock(&log->lock);
}

void sk_serlog_tick(struct sk_serlog *log)
{
    pthread_mutex_lock(&log->lock);
    if (log->pending_since != 0 && sk_now_ms() - log->pending_since >= log->sync_ms) {
        flush_pending(log);
    }
    pthread_mutex_unlock(&log->lock);
}

/* Is the line (stamp first) at or after since? since may be a prefix of a stamp. */
static int line_since(const char *line, size_t len, const char *since)
{
    size_t n = strlen(since);
    if (len < n) {
        return memcmp(line, since, len) > 0;
    }
    return memcmp(line, since, n) >= 0;
}

/*
 * Append the regular file at path to out, at most max bytes of it. The file is
 * opened without following a link and without waiting on a FIFO or a device:
 * anything but a regular file (a link planted in the directory, a FIFO) is
 * skipped, said once in the log. 0, or -1 with err when it cannot be read.
 */
static int read_regular(const char *path, size_t max, struct sk_buf *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        return 0; /* not rotated that far yet, or rotated away while we read */
    }
    struct stat st;
    if (fd < 0 && errno == ELOOP) {
        sk_log(SK_LOG_WARN, "serial", "%s: a symbolic link, not read", path);
        return 0;
    }
    if (fd < 0 || fstat(fd, &st) != 0) {
        sk_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        sk_log(SK_LOG_WARN, "serial", "%s: not a regular file, not read", path);
        close(fd);
        return 0;
    }
    if ((size_t)st.st_size > max) {
        sk_set_err(err, errlen, "%s: larger than %zu bytes", path, max);
        close(fd);
        return -1;
    }
    char chunk[16384];
    size_t total = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            sk_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
        if (n == 0) {
            break;
        }
        /* A file still growing is read up to max: the rest is the next read's. */
        size_t take = SK_MIN((size_t)n, max - total);
        sk_buf_append(out, chunk, take);
        total += take;
        if (total >= max) {
            break;
        }
    }
    close(fd);
    return rc;
}

int sk_serlog_history(struct sk_serlog *log, const char *since, size_t lines, struct sk_buf *out,
                      char *err, size_t errlen)
{
    struct sk_buf all = {0};
    /* The lock only to write what is pending: the port's thread never waits on our reads. */
    pthread_mutex_lock(&log->lock);
    flush_pending(log);
    pthread_mutex_unlock(&log->lock);
    int rc = 0;
    for (int n = log->keep; n >= 0 && rc == 0; n--) {
        char *path = file_path(log, n);
        /* A file may pass max_bytes by one write of pending bytes before it is rotated. */
        rc = read_regular(path, 2 * log->max_bytes + 1024 * 1024, &all, err, errlen);
        free(path);
    }
    if (rc != 0) {
        sk_buf_free(&all);
        return -1;
    }
    /* The lines at or after since, then the last `lines` of them. */
    size_t start = 0, count = 0, first = all.len;
    size_t *starts = NULL;
    for (size_t at = 0; at < all.len;) {
        const char *nl = memchr(all.data + at, '\n', all.len - at);
        size_t end = nl != NULL ? (size_t)(nl - all.data) + 1 : all.len;
        if (since == NULL || *since == '\0' || line_since(all.data + at, end - at, since)) {
            starts = xrealloc(starts, (count + 1) * sizeof(*starts));
            starts[count++] = at;
        }
        at = end;
    }
    if (count > 0) {
        start = lines > 0 && count > lines ? count - lines : 0;
        first = starts[start];
    }
    /* Lines after since are contiguous: the stamps only grow. */
    sk_buf_append(out, all.data + first, all.len - first);
    free(starts);
    sk_buf_free(&all);
    return 0;
}

void sk_serlog_stats(struct sk_serlog *log, struct sk_serlog_stats *out)
{
    pthread_mutex_lock(&log->lock);
    *out = log->stats;
    pthread_mutex_unlock(&log->lock);
}

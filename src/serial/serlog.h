/*
 * serlog: one serial port's log on disk, written as the port speaks.
 *
 * The port's thread hands it every byte it reads (sk_serlog_write); each
 * line is stored with the UTC time its first byte arrived in front
 * ("2026-12-05T04:32:20.123Z "), the bytes themselves as they came. Files
 * are DIR/NAME.log, rotated by size to NAME.log.1 .. NAME.log.KEEP, so the
 * disk holds at most (KEEP + 1) * max_bytes for a port. What is written is
 * kept in memory at most sync_ms and then written and synced to disk
 * (fdatasync), so that a power cut loses at most the last second.
 * sk_serlog_history reads the files back, oldest first, regular files only
 * (a link or a FIFO planted in the directory is skipped). Every call takes
 * the log's lock, a reader only while it writes what is pending: the port's
 * thread writes, command threads read.
 */
#ifndef SK_SERLOG_H
#define SK_SERLOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define SK_SERLOG_STAMP_LEN 25 /* "2026-12-05T04:32:20.123Z " */

struct sk_serlog;

struct sk_serlog_opts {
    const char *dir;  /* copied: the directory, made if missing (one level) */
    const char *name; /* copied: the port's name, the files' stem */
    size_t max_bytes; /* one file's size before it is rotated; 0: 1 MiB */
    int keep;         /* rotated files kept besides the current one; 0: 4 */
    int sync_ms;      /* the longest bytes wait in memory; 0: 1000 */
};

struct sk_serlog *sk_serlog_new(const struct sk_serlog_opts *opts);
/* Closes the log (what is pending is written), then frees it. NULL is a no-op. */
void sk_serlog_free(struct sk_serlog *log);

/* Make the directory if missing and open NAME.log for appending. 0, or -1 with err set. */
int sk_serlog_open(struct sk_serlog *log, char *err, size_t errlen);
/* Write and sync what is pending, close the file. Idempotent. */
void sk_serlog_close(struct sk_serlog *log);

/*
 * Log len bytes that arrived at now_ms (milliseconds since the epoch, UTC).
 * They are kept in memory until sk_serlog_tick finds sync_ms passed (or
 * 64 KiB pending). A closed log ignores them.
 */
void sk_serlog_write(struct sk_serlog *log, const void *data, size_t len, int64_t now_ms);
/* Called often (each poll of the port): writes and syncs pending bytes older than sync_ms. */
void sk_serlog_tick(struct sk_serlog *log);

/*
 * Append to out the logged lines (each with its time in front, as stored)
 * whose time is at or after since (a time in the stored form, or a prefix
 * of one: "2026-12-05T04:30"; NULL or "": all), the last `lines` of them
 * (0: all). Pending bytes are written first. 0, or -1 with err set.
 */
int sk_serlog_history(struct sk_serlog *log, const char *since, size_t lines, struct sk_buf *out,
                      char *err, size_t errlen);

/* The stored form of a time (ms since the epoch), without the trailing space: 24 chars. */
void sk_serlog_stamp(int64_t ms, char out[SK_SERLOG_STAMP_LEN]);

/* Bytes written to disk, files rotated, write or sync failures. */
struct sk_serlog_stats {
    unsigned long long bytes, rotations, errors;
};
void sk_serlog_stats(struct sk_serlog *log, struct sk_serlog_stats *out);

#endif

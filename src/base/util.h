/*
 * util: the leaf helpers every module uses.
 *
 * Allocation that never returns NULL (out of memory aborts, as in tmux's
 * xmalloc.c), a growable byte buffer for building output, the monotonic
 * clock, secure wiping, and the return-code conventions shared by the
 * whole program (SK_E_* errors, SK_PARSE_* parser results).
 */
#ifndef SK_UTIL_H
#define SK_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes for callers that must react differently; plain failure is -1. */
#define SK_E_FAIL (-1)
#define SK_E_TIMEOUT (-2) /* the peer or device did not answer in time */
#define SK_E_BUSY (-3)    /* a bounded queue is full */
#define SK_E_NODEV (-4)   /* the device is missing */
#define SK_E_AGAIN (-5)   /* nothing yet, try again */
#define SK_E_CLOSED (-6)  /* the object was closed while waiting */

/*
 * Incremental parsers return the bytes they consumed (> 0), or one of these.
 * (picohttpparser's contract: "partial" means feed more bytes.)
 */
#define SK_PARSE_PARTIAL (-1)
#define SK_PARSE_INVALID (-2)

#define SK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SK_MAX(a, b) ((a) > (b) ? (a) : (b))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Overwrite memory so secrets do not linger (not optimised away). */
void sk_wipe(void *p, size_t n);

/* Monotonic clock, in microseconds and milliseconds. */
int64_t sk_now_us(void);
int64_t sk_now_ms(void);
/* The wall clock (CLOCK_REALTIME) in milliseconds since 1970: for stamps people read. */
int64_t sk_wall_ms(void);
/* Sleep for a number of milliseconds (restarts after signals). */
void sk_sleep_ms(int64_t ms);
/*
 * Timed waits on one clock: a condition variable made by
 * sk_cond_init_monotonic times out on the monotonic clock (the one sk_now_*
 * read, which jumps of the wall clock do not move), at a deadline made by
 * sk_deadline_after_ms (timeout_ms from now; negative counts as 0).
 */
void sk_cond_init_monotonic(pthread_cond_t *cond);
struct timespec sk_deadline_after_ms(int64_t timeout_ms);

/*
 * A growable byte buffer. Zero-initialise it ({0}) to start; sk_buf_free
 * releases the memory. data is always NUL-terminated after an append, so a
 * text buffer can be used as a C string.
 */
struct sk_buf {
    char *data;
    size_t len;
    size_t cap;
};

void sk_buf_reserve(struct sk_buf *b, size_t extra);
void sk_buf_append(struct sk_buf *b, const void *data, size_t len);
void sk_buf_puts(struct sk_buf *b, const char *s);
void sk_buf_printf(struct sk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sk_buf_vprintf(struct sk_buf *b, const char *fmt, va_list ap);
void sk_buf_reset(struct sk_buf *b);
void sk_buf_free(struct sk_buf *b);
/* Append s as a JSON string literal, quotes included. */
void sk_buf_json_string(struct sk_buf *b, const char *s);

/*
 * Write all len bytes to fd, again after EINTR and short writes: 0, or -1 with errno set
 * (ENOSPC when a write took nothing). *done (when not NULL) is what was written either way.
 */
int sk_write_all(int fd, const void *data, size_t len, size_t *done);

/* A hex digit's value (0-9, a-f, A-F), or -1. */
int sk_hexval(char c);

/* Encode one Unicode code point as UTF-8 into out (4 bytes at most); returns the length. */
size_t sk_utf8_encode(uint32_t cp, char out[4]);
/*
 * Decode one UTF-8 sequence from s. Returns the bytes consumed (> 0) and sets *cp,
 * SK_PARSE_PARTIAL when s ends inside a sequence, SK_PARSE_INVALID for a bad byte.
 */
int sk_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/* Format an error message into err (err may be NULL or errlen 0: then nothing is written). */
void sk_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Read a whole file, at most max bytes, into a new NUL-terminated buffer
 * (*out, the caller frees; *len its length without the NUL). Returns 0, or
 * -1 with err set ("cannot read PATH: reason", "PATH is larger than N bytes").
 */
int sk_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errlen);
/*
 * sk_read_file for a file that grants access (authorized keys, CAs,
 * passwords), refused as OpenSSH's StrictModes refuses it when it is not
 * owned by this user or root, or is writable by group or others: anyone who
 * could write it could let themselves in.
 */
int sk_read_trusted_file(const char *path, size_t max, char **out, size_t *len, char *err,
                         size_t errlen);
/* The same check on an open file: 0, or -1 with err set ("PATH is writable by ..."). */
int sk_check_trusted_fd(int fd, const char *path, char *err, size_t errlen);
/*
 * A directory only sshkvm writes to (recordings, serial logs, boot media): made 0700 when
 * missing; refused (-1, err "DIR: ...") when it is not a directory this user may write, when it
 * is another user's than this one's or root's, or when anyone else may write it (sticky or
 * not: whoever could would plant links or take names). 0 when it is fit.
 */
int sk_private_dir(const char *dir, char *err, size_t errlen);

/* Parse "ADDR:PORT" (IPv4, name or [IPv6]); 0 on success, -1 with err filled. */
int sk_parse_hostport(const char *s, char *addr, size_t addrlen, int *port, char *err,
                      size_t errlen);
/*
 * True when addr is a literal loopback address (127.0.0.0/8 in dotted quad,
 * ::1, ::ffff:127.x.y.z, as inet_pton reads them) or the name localhost (any
 * case). A name that merely starts like one ("127.evil.example") is not:
 * after a DNS rebind such a name reaches 127.0.0.1 but is someone else's.
 */
int sk_addr_is_loopback(const char *addr);
struct sockaddr;
/*
 * An IPv4 or IPv6 socket address as text: "ADDR", or "ADDR:PORT" when
 * with_port (the address unbracketed, as logs and the audit write it).
 * "?" for NULL or another family. Returns out.
 */
char *sk_sockaddr_text(const struct sockaddr *sa, int with_port, char *out, size_t len);
/* Parse a duration like "500ms", "3s", "2" (seconds); -1 when malformed. */
int64_t sk_parse_duration_ms(const char *s);

#endif

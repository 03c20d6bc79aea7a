/*
 * cast: a terminal's output written as an asciicast v2 recording, the
 * format asciinema plays (https://docs.asciinema.org/manual/asciicast/v2/).
 *
 * The first line is a JSON header (version 2, width, height, timestamp,
 * title, TERM); each further line is one event, [seconds, "o", text] for
 * output, [seconds, "r", "COLSxROWS"] for a resize and [seconds, "m",
 * label] for a marker. Output bytes are any bytes: a UTF-8 sequence split
 * across two writes is joined, an invalid byte becomes U+FFFD, control
 * characters are escaped. A recording may have a size bound: the event that
 * would pass it is replaced by a last marker saying so, and nothing more is
 * written. The writer does no I/O of its own: lines go to a callback, each
 * in one call, so a file, a pipe and a test's buffer are all the same.
 */
#ifndef SK_CAST_H
#define SK_CAST_H

#include <stddef.h>
#include <stdint.h>

struct sk_cast;

struct sk_cast_opts {
    /* Where each line goes (one call per line, newline included): 0, or -1 to end the recording. */
    int (*write)(void *ctx, const void *data, size_t len);
    void *ctx;
    unsigned cols, rows; /* the terminal's size at the start */
    int64_t timestamp;   /* the start, Unix seconds */
    const char *title;   /* NULL: none */
    const char *term;    /* the terminal's TERM, NULL: none */
    uint64_t max_bytes;  /* the bound on the whole recording, 0: none (at least 1024 otherwise) */
};

/* A recording; its header is written at once. */
struct sk_cast *sk_cast_new(const struct sk_cast_opts *o);
/* Write what is left of a split UTF-8 sequence (as U+FFFD) and free. NULL is a no-op. */
void sk_cast_free(struct sk_cast *c);

/*
 * Events at t seconds from the start (never earlier than the last one's).
 * Each returns 0, or -1 once the recording has ended (a write failed, or
 * the size bound was reached); then nothing more is written.
 */
int sk_cast_output(struct sk_cast *c, double t, const void *data, size_t len);
int sk_cast_resize(struct sk_cast *c, double t, unsigned cols, unsigned rows);
int sk_cast_marker(struct sk_cast *c, double t, const char *label);

/* Bytes written so far (header included); whether the recording has ended. */
uint64_t sk_cast_bytes(const struct sk_cast *c);
int sk_cast_ended(const struct sk_cast *c);

#endif

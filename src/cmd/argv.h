/*
 * argv: a command line split into arguments (words) the way sh splits them.
 *
 * Quotes and backslashes work as in sh: '...' keeps everything inside,
 * "..." keeps everything but a backslash before " \ $ or `, and a backslash
 * outside quotes keeps the next character. Nothing is expanded ($, *, ~ are
 * plain characters). Pure: no I/O, no globals.
 */
#ifndef SK_ARGV_H
#define SK_ARGV_H

#include <stddef.h>

/*
 * Split line into words. Returns the word count (0 for a blank line) and
 * sets *argv to a NULL-terminated array the caller frees with
 * sk_argv_free; or -1 with err set (an unclosed quote) and *argv untouched.
 */
int sk_argv_split(const char *line, char ***argv, char *err, size_t errlen);

/* Free what sk_argv_split returned; NULL is a no-op. */
void sk_argv_free(char **argv);

#endif

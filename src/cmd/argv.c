/*
 * argv: split a command line into arguments (words) as sh does, for the script commands.
 *
 * The line comes in as one string (OpenSSH joins the client's arguments
 * with spaces); the words go out as a NULL-terminated array of copies, which
 * the caller owns. A word is gathered in a byte buffer, one quoted or plain
 * piece at a time, then copied into the array. Pure: no I/O, no globals.
 */
#include "cmd/argv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

int sk_argv_split(const char *line, char ***argv_out, char *err, size_t errlen)
{
    size_t cap = 8, argc = 0;
    char **argv = xcalloc(cap, sizeof(*argv));
    const char *p = line;
    struct sk_buf word = {0};
    for (;;) {
        while (is_blank(*p)) {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        sk_buf_reset(&word);
        sk_buf_reserve(&word, 1);
        while (*p != '\0' && !is_blank(*p)) {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (end == NULL) {
                    snprintf(err, errlen, "unclosed ' in command line");
                    goto fail;
                }
                sk_buf_append(&word, p + 1, (size_t)(end - p - 1));
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (*p == '\0') {
                        snprintf(err, errlen, "unclosed \" in command line");
                        goto fail;
                    }
                    /* Inside double quotes a backslash escapes only these, as in sh. */
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
                        p++;
                    }
                    sk_buf_append(&word, p, 1);
                    p++;
                }
                p++;
            } else if (*p == '\\' && p[1] != '\0') {
                sk_buf_append(&word, p + 1, 1);
                p += 2;
            } else {
                sk_buf_append(&word, p, 1);
                p++;
            }
        }
        if (argc + 2 > cap) {
            cap *= 2;
            argv = xrealloc(argv, cap * sizeof(*argv));
        }
        argv[argc++] = xstrndup(word.data, word.len);
        argv[argc] = NULL;
    }
    sk_buf_free(&word);
    *argv_out = argv;
    return (int)argc;
fail:
    sk_buf_free(&word);
    argv[argc] = NULL;
    sk_argv_free(argv);
    return -1;
}

void sk_argv_free(char **argv)
{
    if (argv == NULL) {
        return;
    }
    for (char **a = argv; *a != NULL; a++) {
        free(*a);
    }
    free(argv);
}

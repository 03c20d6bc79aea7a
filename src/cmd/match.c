/*
 * match: what `wait` (the screen) and `serial --wait` (a serial port's
 * output) look for, taken from their command line, and finding it in text.
 *
 * Both take [--regex] [--timeout SECONDS] TEXT, TEXT being the remaining
 * words joined by one space; with --regex it is a POSIX extended regex
 * matched within a line, checked first so that no pattern can take
 * exponential time or huge memory. The match owns the text and the
 * compiled regex until sk_match_free.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/commands.h"

#define WAIT_DEFAULT_S 30 /* the timeout unless --timeout */
#define WAIT_MAX_S 86400  /* the longest --timeout */
/* What --regex compiles: its length, and what its counted repetitions ({m,n}) may multiply
 * to; glibc expands each count into copies, so ((.{100}){100}){100} alone is 200 MB. */
#define REGEX_MAX_LEN 512
#define REGEX_MAX_COPIES 1000

/*
 * May this --regex be compiled? Back-references (\1..\9) make glibc's
 * matcher backtrack, exponentially in the worst case (a view-only key held
 * a core for 14 s a frame with three of them); large or nested counts make
 * its compiled pattern huge. Both are refused before compiling: 0, or -1
 * with why set.
 */
static int regex_bounded(const char *p, char *why, size_t whylen)
{
    if (strlen(p) > REGEX_MAX_LEN) {
        snprintf(why, whylen, "longer than %d characters", REGEX_MAX_LEN);
        return -1;
    }
    double copies = 1;
    for (; *p != '\0'; p++) {
        if (p[0] == '\\' && p[1] >= '1' && p[1] <= '9') {
            snprintf(why, whylen,
                     "back-references (\\%c) are not supported: they can take "
                     "exponential time",
                     p[1]);
            return -1;
        }
        if (p[0] == '\\' && p[1] != '\0') {
            p++;
        } else if (p[0] == '{' && isdigit((unsigned char)p[1])) {
            /* {m}, {m,} or {m,n}: the larger number is how many copies glibc makes. */
            char *end;
            double m = strtod(p + 1, &end);
            double n = m;
            if (*end == ',' && isdigit((unsigned char)end[1])) {
                n = strtod(end + 1, &end);
            }
            copies *= (n > m ? n : m) + 1;
            if (copies > REGEX_MAX_COPIES) {
                snprintf(why, whylen, "its counted repetitions ({m,n}) multiply to more than %d",
                         REGEX_MAX_COPIES);
                return -1;
            }
        }
    }
    return 0;
}

int sk_match_parse(struct sk_match *m, const char *cmd, char **argv, int argc,
                   const struct sk_cmd_io *io)
{
    *m = (struct sk_match){.timeout_ms = WAIT_DEFAULT_S * 1000};
    double timeout_s = WAIT_DEFAULT_S;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--regex") == 0) {
            m->use_regex = 1;
        } else if (strcmp(argv[i], "--timeout") == 0) {
            char *end = NULL;
            timeout_s = i + 1 < argc ? strtod(argv[i + 1], &end) : -1;
            if (i + 1 >= argc || *argv[i + 1] == '\0' || *end != '\0' || !(timeout_s > 0) ||
                timeout_s > WAIT_MAX_S) {
                sk_buf_free(&m->needle);
                return sk_cmd_usage_error(
                    io, "%s: --timeout needs seconds, more than 0 and at most %d", cmd, WAIT_MAX_S);
            }
            i++;
        } else if (strcmp(argv[i], "--") == 0) {
            for (i++; i < argc; i++) {
                sk_buf_printf(&m->needle, "%s%s", m->needle.len ? " " : "", argv[i]);
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-' && m->needle.len == 0) {
            sk_buf_free(&m->needle);
            return sk_cmd_usage_error(io, "%s: unknown option '%s'", cmd, argv[i]);
        } else {
            sk_buf_printf(&m->needle, "%s%s", m->needle.len ? " " : "", argv[i]);
        }
    }
    m->timeout_s = timeout_s;
    m->timeout_ms = (int64_t)llround(timeout_s * 1000);
    if (m->needle.len == 0) {
        sk_buf_free(&m->needle);
        return sk_cmd_usage_error(io, "%s: nothing to wait for", cmd);
    }
    if (m->use_regex) {
        char why[128];
        if (regex_bounded(m->needle.data, why, sizeof(why)) != 0) {
            sk_buf_free(&m->needle);
            return sk_cmd_usage_error(io, "%s: bad --regex: %s", cmd, why);
        }
        int err = regcomp(&m->re, m->needle.data, REG_EXTENDED | REG_NEWLINE);
        if (err != 0) {
            regerror(err, &m->re, why, sizeof(why));
            sk_buf_free(&m->needle);
            return sk_cmd_usage_error(io, "%s: bad --regex: %s", cmd, why);
        }
    }
    return SK_CMD_OK;
}

const char *sk_match_find(const struct sk_match *m, const char *text, size_t *line_len)
{
    const char *at = NULL;
    regmatch_t rm;
    if (m->use_regex) {
        if (regexec(&m->re, text, 1, &rm, 0) == 0) {
            at = text + rm.rm_so;
        }
    } else {
        at = strstr(text, m->needle.data);
    }
    if (at == NULL) {
        return NULL;
    }
    const char *start = at;
    while (start > text && start[-1] != '\n') {
        start--;
    }
    *line_len = strcspn(start, "\n");
    return start;
}

void sk_match_free(struct sk_match *m)
{
    if (m->use_regex) {
        regfree(&m->re);
    }
    sk_buf_free(&m->needle);
    m->use_regex = 0;
}

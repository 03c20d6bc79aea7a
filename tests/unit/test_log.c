/*
 * test_log: the logger writes one line per call, whatever the message holds:
 * newlines, escape sequences, C1 controls and bytes that are not UTF-8 from a
 * client are escaped, UTF-8 text passes, long messages are cut, not split.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "base/log.h"

/* Run sk_log with message msg (as a %s argument) and return what reached stderr. */
static char *logged(const char *msg)
{
    static char out[4096];
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *tmp = tmpfile();
    CHECK(tmp != NULL);
    dup2(fileno(tmp), STDERR_FILENO);
    sk_log(SK_LOG_INFO, "test", "user=%s end", msg);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof(out) - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return out;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s != '\0'; s++) {
        n += *s == '\n';
    }
    return n;
}

static void test_forged_line(void)
{
    char *out = logged("x\n1.000 INFO  [main    ] audit  event=login who=\"root\" role=control");
    CHECK_EQ_INT(lines(out), 1);
    CHECK(strstr(out, "user=x\\x0a1.000 INFO") != NULL);
    CHECK(strstr(out, " end\n") != NULL);
}

static void test_controls_escaped(void)
{
    char *out = logged("\x1b]0;owned\x07\r\t\x7f");
    CHECK_EQ_INT(lines(out), 1);
    CHECK(strstr(out, "user=\\x1b]0;owned\\x07\\x0d\\x09\\x7f end") != NULL);
    CHECK(strchr(out, '\x1b') == NULL);
    /* U+009B (CSI as a C1 control) in UTF-8, and a lone 0x9b byte. */
    out = logged("a\xc2\x9b"
                 "b\x9b"
                 "c");
    CHECK(strstr(out, "user=a\\xc2\\x9bb\\x9bc end") != NULL);
}

static void test_utf8_kept(void)
{
    char *out = logged("Jürgen 日本");
    CHECK(strstr(out, "user=Jürgen 日本 end\n") != NULL);
}

static void test_long_message_one_line(void)
{
    char big[3000];
    memset(big, '\n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char *out = logged(big);
    CHECK_EQ_INT(lines(out), 1);
    CHECK(strlen(out) <= 1024);
    CHECK(out[strlen(out) - 1] == '\n');
}

int main(void)
{
    SK_RUN(test_forged_line);
    SK_RUN(test_controls_escaped);
    SK_RUN(test_utf8_kept);
    SK_RUN(test_long_message_one_line);
    return SK_CHECK_EXIT();
}

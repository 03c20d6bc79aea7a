/*
 * test_audit: the audit log's file sink: one line per event with the UTC
 * time, the event, quoted identity and address, details; quotes and
 * control characters escaped so one event is always one line; "off" writes
 * nothing; an unwritable path is refused at start.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/audit.h"
#include "check.h"
#include "base/util.h"

static char *slurp(const char *path)
{
    char *text = NULL, err[128];
    if (sk_read_file(path, 1 << 20, &text, NULL, err, sizeof(err)) != 0) {
        return xstrdup("");
    }
    return text;
}

static void test_file_lines(void)
{
    char path[] = "/tmp/sk-audit-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path); /* sk_audit_new creates it, 0600 */
    char err[256];
    struct sk_audit *a = sk_audit_new(path, err, sizeof(err));
    CHECK(a != NULL);
    if (a == NULL) {
        return;
    }
    sk_audit(a, "login", "me@laptop", "10.0.0.5:4000", "kind=ssh role=%s", "view");
    sk_audit(a, "logout", "evil\"name\nevent=forged", NULL, NULL);
    sk_audit(NULL, "login", "nobody", "x", NULL); /* a NULL audit is a no-op */
    sk_audit_free(a);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    char *text = slurp(path);
    regex_t re;
    CHECK(
        regcomp(&re,
                "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z sshkvm-audit "
                "event=login who=\"me@laptop\" addr=\"10.0.0.5:4000\" kind=ssh role=view\n"
                "[0-9TZ:-]{20} sshkvm-audit event=logout who=\"evil\\\\\"name\\\\x0aevent=forged\" "
                "addr=\"-\"\n$",
                REG_EXTENDED) == 0);
    int ok = regexec(&re, text, 0, NULL, 0) == 0;
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "  got: %s\n", text);
    }
    regfree(&re);
    free(text);
    /* Appended, never truncated. */
    a = sk_audit_new(path, err, sizeof(err));
    sk_audit(a, "control", "b", "c", "action=taken");
    sk_audit_free(a);
    text = slurp(path);
    int lines = 0;
    for (char *p = text; *p; p++) {
        lines += *p == '\n';
    }
    CHECK_EQ_INT(lines, 3);
    free(text);
    unlink(path);
}

static void test_off_and_errors(void)
{
    char err[256] = "";
    struct sk_audit *a = sk_audit_new("off", err, sizeof(err));
    CHECK(a != NULL);
    sk_audit(a, "login", "x", "y", NULL);
    sk_audit_free(a);
    CHECK(sk_audit_new("/nonexistent/dir/audit.log", err, sizeof(err)) == NULL);
    CHECK_STR(err, "--audit-log /nonexistent/dir/audit.log: No such file or directory");
    sk_audit_free(NULL);
}

/* Client-made values in details go in quoted: they can add no key and end no line. */
static void test_quote(void)
{
    char q[64];
    CHECK_STR(sk_audit_quote("us", q, sizeof(q)), "\"us\"");
    CHECK_STR(sk_audit_quote("x\" role=control", q, sizeof(q)), "\"x\\\" role=control\"");
    CHECK_STR(sk_audit_quote("a\\b\nc\x1b", q, sizeof(q)), "\"a\\\\b\\x0ac\\x1b\"");
    CHECK_STR(sk_audit_quote(NULL, q, sizeof(q)), "\"\"");
    /* Cut to fit, never inside an escape, the quote closed. */
    char small[8];
    CHECK_STR(sk_audit_quote("abcdefghij", small, sizeof(small)), "\"abcde\"");
    CHECK_STR(sk_audit_quote("abcd\n", small, sizeof(small)), "\"abcd\"");
    CHECK_STR(sk_audit_quote("a\"\"\"", small, sizeof(small)), "\"a\\\"\\\"\"");
}

int main(void)
{
    SK_RUN(test_file_lines);
    SK_RUN(test_off_and_errors);
    SK_RUN(test_quote);
    return SK_CHECK_EXIT();
}

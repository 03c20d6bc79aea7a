/*
 * test_cast: the asciicast v2 writer's exact lines: the header, output
 * events with JSON's escapes, UTF-8 split across writes joined, invalid
 * bytes as U+FFFD, resizes and markers, time never going back, the size
 * bound's last marker, and a failed write ending the recording.
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "check.h"
#include "term/cast.h"

static struct sk_buf got;
static int writes, fail_after = -1;

static int sink(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    if (fail_after >= 0 && writes >= fail_after) {
        return -1;
    }
    writes++;
    sk_buf_append(&got, data, len);
    return 0;
}

static struct sk_cast *fresh(uint64_t max)
{
    sk_buf_reset(&got);
    writes = 0;
    fail_after = -1;
    return sk_cast_new(&(struct sk_cast_opts){.write = sink,
                                              .cols = 80,
                                              .rows = 25,
                                              .timestamp = 1700000000,
                                              .title = "t\"1\x01\xff",
                                              .term = "xterm",
                                              .max_bytes = max});
}

static const char header[] = "{\"version\": 2, \"width\": 80, \"height\": 25, \"timestamp\": "
                             "1700000000, \"title\": \"t\\\"1\\u0001\xef\xbf\xbd\", \"env\": "
                             "{\"TERM\": \"xterm\"}}\n";

static void test_header_and_events(void)
{
    struct sk_cast *c = fresh(0);
    sk_buf_append(&got, "", 1);
    CHECK_STR(got.data, header);
    got.len--;
    size_t h = got.len;
    CHECK_EQ_INT(sk_cast_output(c, 0.5, "a\"b\\c\r\n\033[1m\x7f", 12), 0);
    CHECK_EQ_INT(sk_cast_resize(c, 1.25, 100, 30), 0);
    CHECK_EQ_INT(sk_cast_marker(c, 0.75, "key ctrl+c"),
                 0); /* earlier than the last: kept at 1.25 */
    sk_cast_free(c);
    sk_buf_append(&got, "", 1);
    CHECK_STR(got.data + h, "[0.500000, \"o\", \"a\\\"b\\\\c\\r\\n\\u001b[1m\\u007f\"]\n"
                            "[1.250000, \"r\", \"100x30\"]\n"
                            "[1.250000, \"m\", \"key ctrl+c\"]\n");
    CHECK_EQ_INT((int)sk_cast_bytes(c = fresh(0)), (int)h);
    sk_cast_free(c);
}

static void test_utf8(void)
{
    struct sk_cast *c = fresh(0);
    size_t h = got.len;
    /* "é─" split inside both characters, then a lone continuation byte and a bad lead byte. */
    const char *s = "\xc3\xa9\xe2\x94\x80";
    CHECK_EQ_INT(sk_cast_output(c, 1, s, 1), 0); /* nothing whole yet: no event */
    CHECK_EQ_INT((int)got.len, (int)h);
    CHECK_EQ_INT(sk_cast_output(c, 1, s + 1, 2), 0);
    CHECK_EQ_INT(sk_cast_output(c, 1, s + 3, 2), 0);
    CHECK_EQ_INT(sk_cast_output(c, 2, "\x80x\xc3y", 4), 0);
    CHECK_EQ_INT(sk_cast_output(c, 3, "\xe2\x94", 2), 0); /* cut at the end: said at free */
    sk_cast_free(c);
    sk_buf_append(&got, "", 1);
    CHECK_STR(got.data + h, "[1.000000, \"o\", \"\xc3\xa9\"]\n"
                            "[1.000000, \"o\", \"\xe2\x94\x80\"]\n"
                            "[2.000000, \"o\", \"\xef\xbf\xbdx\xef\xbf\xbdy\"]\n"
                            "[3.000000, \"o\", \"\xef\xbf\xbd\xef\xbf\xbd\"]\n");
}

static void test_bound(void)
{
    struct sk_cast *c = fresh(2000);
    char chunk[100];
    memset(chunk, 'x', sizeof(chunk));
    int n = 0;
    while (sk_cast_output(c, 0.001 * n, chunk, sizeof(chunk)) == 0) {
        n++;
        CHECK(n < 100);
        if (n >= 100) {
            break;
        }
    }
    CHECK(sk_cast_ended(c));
    CHECK(sk_cast_bytes(c) <= 2000);
    CHECK(got.len == sk_cast_bytes(c));
    sk_buf_append(&got, "", 1);
    CHECK(strstr(got.data, "\"m\", \"recording stopped: size bound of 2000 bytes reached\"]\n") !=
          NULL);
    CHECK(got.data[got.len - 2] == '\n');
    CHECK_EQ_INT(sk_cast_marker(c, 9, "after"), -1);
    CHECK_EQ_INT(sk_cast_resize(c, 9, 1, 1), -1);
    CHECK(strstr(got.data, "after") == NULL);
    /* Whole events only: every line is an event of at most one chunk. */
    int lines = 0;
    for (const char *p = got.data; *p; p++) {
        lines += *p == '\n';
    }
    CHECK_EQ_INT(lines, 1 + (n) + 1);
    sk_cast_free(c);
}

static void test_write_failure(void)
{
    struct sk_cast *c = fresh(0);
    fail_after = 1; /* the header went; the next write fails */
    CHECK_EQ_INT(sk_cast_output(c, 1, "hello", 5), -1);
    CHECK(sk_cast_ended(c));
    CHECK_EQ_INT(sk_cast_output(c, 2, "again", 5), -1);
    CHECK_EQ_INT(writes, 1);
    sk_cast_free(c);
    sk_cast_free(NULL);
}

int main(void)
{
    SK_RUN(test_header_and_events);
    SK_RUN(test_utf8);
    SK_RUN(test_bound);
    SK_RUN(test_write_failure);
    sk_buf_free(&got);
    return SK_CHECK_EXIT();
}

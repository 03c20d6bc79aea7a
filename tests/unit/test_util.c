/*
 * test_util: buffers, UTF-8, address and duration parsing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/util.h"

static void test_buf(void)
{
    struct sk_buf b = {0};
    sk_buf_puts(&b, "abc");
    sk_buf_printf(&b, "%d-%s", 42, "x");
    CHECK_STR(b.data, "abc42-x");
    CHECK_EQ_INT(b.len, 7);
    for (int i = 0; i < 1000; i++) {
        sk_buf_append(&b, "0123456789", 10);
    }
    CHECK_EQ_INT(b.len, 10007);
    sk_buf_reset(&b);
    sk_buf_json_string(&b, "a\"b\\c\n");
    CHECK_STR(b.data, "\"a\\\"b\\\\c\\u000a\"");
    sk_buf_free(&b);
    CHECK(b.data == NULL);
}

static void test_utf8(void)
{
    uint32_t cp;
    char out[4];
    CHECK_EQ_INT(sk_utf8_decode((const uint8_t *)"\xc3\xa9", 2, &cp), 2);
    CHECK_EQ_INT(cp, 0xe9);
    CHECK_EQ_INT(sk_utf8_decode((const uint8_t *)"\xe2\x82\xac", 3, &cp), 3);
    CHECK_EQ_INT(cp, 0x20ac);
    CHECK_EQ_INT(sk_utf8_decode((const uint8_t *)"\xe2\x82", 2, &cp), SK_PARSE_PARTIAL);
    CHECK_EQ_INT(sk_utf8_decode((const uint8_t *)"\xc0\x80", 2, &cp), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_utf8_decode((const uint8_t *)"\xed\xa0\x80", 3, &cp), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_utf8_decode((const uint8_t *)"\xff", 1, &cp), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_utf8_encode(0x1f600, out), 4);
    CHECK_MEM(out, "\xf0\x9f\x98\x80", 4);
    CHECK_EQ_INT(sk_utf8_encode('A', out), 1);
}

static void test_hostport(void)
{
    char addr[64], err[128];
    int port;
    CHECK_EQ_INT(sk_parse_hostport("127.0.0.1:2222", addr, sizeof(addr), &port, err, sizeof(err)),
                 0);
    CHECK_STR(addr, "127.0.0.1");
    CHECK_EQ_INT(port, 2222);
    CHECK_EQ_INT(sk_parse_hostport("[::1]:80", addr, sizeof(addr), &port, err, sizeof(err)), 0);
    CHECK_STR(addr, "::1");
    CHECK_EQ_INT(sk_parse_hostport("host", addr, sizeof(addr), &port, err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_parse_hostport(":22", addr, sizeof(addr), &port, err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_parse_hostport("a:0", addr, sizeof(addr), &port, err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_parse_hostport("a:65536", addr, sizeof(addr), &port, err, sizeof(err)), -1);
    CHECK_EQ_INT(sk_parse_hostport("a:22x", addr, sizeof(addr), &port, err, sizeof(err)), -1);
    CHECK(sk_addr_is_loopback("127.0.0.1"));
    CHECK(sk_addr_is_loopback("::1"));
    CHECK(!sk_addr_is_loopback("0.0.0.0"));
    CHECK(!sk_addr_is_loopback("192.168.1.2"));
    CHECK(sk_addr_is_loopback("127.255.0.9"));
    CHECK(sk_addr_is_loopback("::ffff:127.0.0.1"));
    CHECK(sk_addr_is_loopback("0:0:0:0:0:0:0:1"));
    CHECK(sk_addr_is_loopback("LOCALHOST"));
    /* Names, not addresses: a rebinding page's own name. */
    CHECK(!sk_addr_is_loopback("127.evil.example"));
    CHECK(!sk_addr_is_loopback("127.0.0.1.nip.io"));
    CHECK(!sk_addr_is_loopback("127.0.0.1x"));
    CHECK(!sk_addr_is_loopback("127.1"));
    CHECK(!sk_addr_is_loopback("localhost.evil.example"));
    CHECK(!sk_addr_is_loopback("::1x"));
    CHECK(!sk_addr_is_loopback("::ffff:10.0.0.1"));
    CHECK(!sk_addr_is_loopback(""));
}

static void test_duration(void)
{
    CHECK_EQ_INT(sk_parse_duration_ms("3s"), 3000);
    CHECK_EQ_INT(sk_parse_duration_ms("250ms"), 250);
    CHECK_EQ_INT(sk_parse_duration_ms("1.5"), 1500);
    CHECK_EQ_INT(sk_parse_duration_ms("2m"), 120000);
    CHECK_EQ_INT(sk_parse_duration_ms("x"), -1);
    CHECK_EQ_INT(sk_parse_duration_ms("3h"), -1);
    CHECK_EQ_INT(sk_parse_duration_ms("-1"), -1);
}

static void test_read_file(void)
{
    char *text = NULL, err[256];
    size_t len = 0;
    FILE *fp = fopen("/tmp/sk-test-read", "w");
    fputs("line one\nline two\n", fp);
    fclose(fp);
    CHECK_EQ_INT(sk_read_file("/tmp/sk-test-read", 100, &text, &len, err, sizeof(err)), 0);
    CHECK_EQ_INT(len, 18);
    CHECK_STR(text, "line one\nline two\n");
    free(text);
    CHECK_EQ_INT(sk_read_file("/tmp/sk-test-read", 10, &text, &len, err, sizeof(err)), -1);
    CHECK_STR(err, "/tmp/sk-test-read is larger than 10 bytes");
    remove("/tmp/sk-test-read");
    CHECK_EQ_INT(sk_read_file("/tmp/sk-test-read", 10, &text, &len, err, sizeof(err)), -1);
    CHECK_STR(err, "cannot read /tmp/sk-test-read: No such file or directory");
    fp = fopen("/tmp/sk-test-empty", "w");
    fclose(fp);
    CHECK_EQ_INT(sk_read_file("/tmp/sk-test-empty", 10, &text, &len, NULL, 0), 0);
    CHECK_EQ_INT(len, 0);
    CHECK_STR(text, "");
    free(text);
    remove("/tmp/sk-test-empty");
}

/* Deadlines are on the monotonic clock, timeout_ms ahead (never behind), and a wait on a
 * monotonic condition variable ends at them. */
static void test_deadline(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct timespec d = sk_deadline_after_ms(1500);
    int64_t ahead_ms =
        (int64_t)(d.tv_sec - now.tv_sec) * 1000 + (d.tv_nsec - now.tv_nsec) / 1000000;
    CHECK(ahead_ms >= 1500 && ahead_ms < 1600);
    CHECK(d.tv_nsec >= 0 && d.tv_nsec < 1000000000);
    struct timespec z = sk_deadline_after_ms(-5);
    int64_t past_ms = (int64_t)(z.tv_sec - now.tv_sec) * 1000 + (z.tv_nsec - now.tv_nsec) / 1000000;
    CHECK(past_ms >= 0 && past_ms < 100);

    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond;
    sk_cond_init_monotonic(&cond);
    int64_t t0 = sk_now_ms();
    struct timespec w = sk_deadline_after_ms(50);
    pthread_mutex_lock(&lock);
    int rc = 0;
    while (rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&cond, &lock, &w);
    }
    pthread_mutex_unlock(&lock);
    int64_t waited = sk_now_ms() - t0;
    CHECK(waited >= 49 && waited < 1000);
    pthread_cond_destroy(&cond);
}

/* Files that grant access are refused when others could write them (OpenSSH's StrictModes). */
static void test_trusted_file(void)
{
    char path[] = "/tmp/sk-trusted-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "x\n", 2) == 2);
    char *text = NULL;
    char err[256];
    static const struct {
        mode_t mode;
        int ok;
    } cases[] = {{0600, 1}, {0644, 1}, {0444, 1}, {0664, 0}, {0646, 0}, {0620, 0}, {0602, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK(fchmod(fd, cases[i].mode) == 0);
        int rc = sk_read_trusted_file(path, 100, &text, NULL, err, sizeof(err));
        CHECK_EQ_INT(rc, cases[i].ok ? 0 : -1);
        if (rc == 0) {
            CHECK_STR(text, "x\n");
            free(text);
        } else {
            CHECK(strstr(err, "writable by") != NULL);
        }
        CHECK_EQ_INT(sk_check_trusted_fd(fd, path, err, sizeof(err)), cases[i].ok ? 0 : -1);
        /* The plain reader does not judge. */
        CHECK_EQ_INT(sk_read_file(path, 100, &text, NULL, err, sizeof(err)), 0);
        free(text);
    }
    close(fd);
    unlink(path);
}

static void test_sockaddr_text(void)
{
    char out[64];
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(2222)};
    inet_pton(AF_INET, "10.1.2.3", &a4.sin_addr);
    CHECK_STR(sk_sockaddr_text((struct sockaddr *)&a4, 1, out, sizeof(out)), "10.1.2.3:2222");
    CHECK_STR(sk_sockaddr_text((struct sockaddr *)&a4, 0, out, sizeof(out)), "10.1.2.3");
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
    inet_pton(AF_INET6, "::1", &a6.sin6_addr);
    CHECK_STR(sk_sockaddr_text((struct sockaddr *)&a6, 1, out, sizeof(out)), "::1:80");
    CHECK_STR(sk_sockaddr_text((struct sockaddr *)&a6, 0, out, sizeof(out)), "::1");
    CHECK_STR(sk_sockaddr_text(NULL, 1, out, sizeof(out)), "?");
}

int main(void)
{
    SK_RUN(test_buf);
    SK_RUN(test_utf8);
    SK_RUN(test_hostport);
    SK_RUN(test_duration);
    SK_RUN(test_read_file);
    SK_RUN(test_deadline);
    SK_RUN(test_trusted_file);
    SK_RUN(test_sockaddr_text);
    return SK_CHECK_EXIT();
}

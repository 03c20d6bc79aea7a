/*
 * test_multipart: the exact bytes of an MJPEG part header.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "http/multipart.h"

static void test_header_bytes(void)
{
    char buf[256];
    size_t n = sk_multipart_header(buf, sizeof(buf), 12345, INT64_C(9207544280));
    const char *want = "--sshkvmframe\r\n"
                       "Content-Type: image/jpeg\r\n"
                       "Content-Length: 12345\r\n"
                       "X-Timestamp: 9207.544280\r\n"
                       "\r\n";
    CHECK_EQ_INT(n, strlen(want));
    CHECK_MEM(buf, want, strlen(want));
    CHECK_EQ_INT(buf[n], '\0');
}

static void test_micros_padded(void)
{
    char buf[256];
    size_t n = sk_multipart_header(buf, sizeof(buf), 0, 5);
    const char *want = "--sshkvmframe\r\nContent-Type: image/jpeg\r\nContent-Length: 0\r\n"
                       "X-Timestamp: 0.000005\r\n\r\n";
    CHECK_EQ_INT(n, strlen(want));
    CHECK_STR(buf, want);

    n = sk_multipart_header(buf, sizeof(buf), 1, INT64_C(3000000));
    CHECK(strstr(buf, "X-Timestamp: 3.000000\r\n") != NULL);
    CHECK(strstr(buf, "Content-Length: 1\r\n") != NULL);
    CHECK_EQ_INT(n, strlen(buf));

    n = sk_multipart_header(buf, sizeof(buf), 7, -1500000);
    CHECK(strstr(buf, "X-Timestamp: -1.500000\r\n") != NULL);
}

static void test_large_length(void)
{
    char buf[256];
    size_t n = sk_multipart_header(buf, sizeof(buf), (size_t)4000000000u, INT64_C(1));
    CHECK(n > 0);
    CHECK(strstr(buf, "\r\nContent-Length: 4000000000\r\n") != NULL);
}

static void test_capacity(void)
{
    char buf[256];
    size_t full = sk_multipart_header(buf, sizeof(buf), 99, 42);
    CHECK(full > 0);
    /* The result must be strictly shorter than cap (room for the NUL). */
    char small[256];
    CHECK_EQ_INT(sk_multipart_header(small, full, 99, 42), 0);
    CHECK_EQ_INT(sk_multipart_header(small, full + 1, 99, 42), full);
    CHECK_MEM(small, buf, full);
    CHECK_EQ_INT(sk_multipart_header(small, 1, 99, 42), 0);
    CHECK_EQ_INT(sk_multipart_header(NULL, 0, 99, 42), 0);
}

static void test_content_type(void)
{
    CHECK_STR(SK_MULTIPART_CONTENT_TYPE, "multipart/x-mixed-replace;boundary=sshkvmframe");
    CHECK_STR(SK_MULTIPART_TRAILER, "\r\n");
}

int main(void)
{
    SK_RUN(test_header_bytes);
    SK_RUN(test_micros_padded);
    SK_RUN(test_large_length);
    SK_RUN(test_capacity);
    SK_RUN(test_content_type);
    return SK_CHECK_EXIT();
}

/*
 * test_streamer: the MJPEG writer on its own, over socket pairs.
 *
 * A real sk_streamer runs against a hub the test publishes known frames
 * into; each viewer is one end of a socket pair, the test reads the other.
 * Checks the bytes (the head first, alone while there is no frame, then
 * each part exactly), the bound on viewers, and that the streamer closes
 * every socket and calls every done callback when it stops.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "check.h"
#include "http/multipart.h"
#include "http/streamer.h"
#include "video/frame.h"
#include "video/hub.h"

static atomic_int done_calls;

static void on_done(void *ctx)
{
    atomic_fetch_add(&done_calls, 1);
    atomic_store((atomic_int *)ctx, 1);
}

/* A socket pair: [0] for the streamer, [1] for the test, which times out reads after 3 s. */
static int pair_open(int pair[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return -1;
    }
    struct timeval tv = {.tv_sec = 3};
    setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return 0;
}

/* Read exactly n bytes into buf; 0, or -1 at EOF or time-out. */
static int read_all(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0) {
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

static struct sk_frame *make_frame(unsigned id, size_t size)
{
    struct sk_frame *f = sk_frame_new(size);
    uint8_t *p = xmalloc(size);
    for (size_t i = 0; i < size; i++) {
        p[i] = (uint8_t)(id * 31 + i * 7);
    }
    sk_frame_set_data(f, p, size);
    free(p);
    f->format = SK_FRAME_JPEG;
    f->captured_us = INT64_C(5000000) + id;
    return f;
}

/* Read one part and compare it with f's header, bytes and trailer. */
static int part_is(int fd, const struct sk_frame *f)
{
    char want[SK_MULTIPART_HEADER_MAX];
    size_t hlen = sk_multipart_header(want, sizeof(want), f->size, f->captured_us);
    size_t total = hlen + f->size + 2;
    uint8_t *got = xmalloc(total);
    int ok = read_all(fd, got, total) == 0 && memcmp(got, want, hlen) == 0 &&
             memcmp(got + hlen, f->data, f->size) == 0 &&
             memcmp(got + hlen + f->size, "\r\n", 2) == 0;
    free(got);
    return ok;
}

static int watchers(struct sk_hub *hub)
{
    struct sk_hub_stats st;
    sk_hub_stats(hub, &st);
    return st.watchers;
}

static void test_head_then_parts(void)
{
    struct sk_hub *hub = sk_hub_new();
    struct sk_streamer *st = sk_streamer_new(hub, 15, 4);
    char err[128] = "";
    CHECK(sk_streamer_open(st, err, sizeof(err)) == 0);
    int pair[2];
    CHECK(pair_open(pair) == 0);
    atomic_int ended = 0;
    static const char head[] = "HTTP/1.1 200 OK\r\nX: y\r\n\r\n";
    CHECK_EQ_INT(sk_streamer_add(st, pair[0], head, strlen(head), on_done, &ended), 0);
    CHECK_EQ_INT(watchers(hub), 1);

    /* No frame yet: the head comes alone, at once. */
    char got[sizeof(head)] = "";
    CHECK(read_all(pair[1], got, strlen(head)) == 0);
    CHECK_STR(got, head);

    struct sk_frame *a = make_frame(1, 5000), *b = make_frame(2, 300000);
    sk_hub_publish(hub, a);
    CHECK(part_is(pair[1], a));
    /* Bigger than the socket's buffer: written in pieces as the reader drains it. */
    sk_hub_publish(hub, b);
    CHECK(part_is(pair[1], b));
    /* The writer counts a piece after its write returns, so the reader can have it all first
     * (seen under qemu-user on armhf, test_arm): the counts are waited for, a while. */
    struct sk_streamer_stats ss;
    size_t want = strlen(head) + a->size + b->size;
    for (int ms = 0; ms < 5000; ms++) {
        sk_streamer_stats(st, &ss);
        if (ss.parts >= 2 && ss.bytes >= want) {
            break;
        }
        sk_sleep_ms(1);
    }
    CHECK_EQ_INT(ss.parts, 2);
    CHECK_EQ_INT(ss.viewers, 1);
    CHECK(ss.bytes >= want);

    /* Closing ends the stream: the socket closes, done is called, the hub is not watched. */
    sk_streamer_close(st);
    CHECK_EQ_INT(atomic_load(&ended), 1);
    CHECK_EQ_INT(watchers(hub), 0);
    char c;
    CHECK_EQ_INT(read(pair[1], &c, 1), 0);
    close(pair[1]);
    int again[2];
    CHECK(pair_open(again) == 0);
    CHECK_EQ_INT(sk_streamer_add(st, again[0], NULL, 0, NULL, NULL), SK_E_CLOSED);
    close(again[0]);
    close(again[1]);
    sk_frame_unref(a);
    sk_frame_unref(b);
    sk_streamer_free(st);
    sk_hub_free(hub);
}

static void test_max_viewers(void)
{
    struct sk_hub *hub = sk_hub_new();
    struct sk_streamer *st = sk_streamer_new(hub, 15, 2);
    char err[128] = "";
    CHECK(sk_streamer_open(st, err, sizeof(err)) == 0);
    int p[3][2];
    atomic_int ended[3] = {0, 0, 0};
    atomic_store(&done_calls, 0);
    for (int i = 0; i < 3; i++) {
        CHECK(pair_open(p[i]) == 0);
    }
    CHECK_EQ_INT(sk_streamer_add(st, p[0][0], NULL, 0, on_done, &ended[0]), 0);
    CHECK_EQ_INT(sk_streamer_add(st, p[1][0], NULL, 0, on_done, &ended[1]), 0);
    CHECK_EQ_INT(sk_streamer_has_room(st), 0);
    CHECK_EQ_INT(sk_streamer_add(st, p[2][0], NULL, 0, on_done, &ended[2]), SK_E_BUSY);
    CHECK_EQ_INT(watchers(hub), 2);

    /* A viewer that goes away frees its place (noticed at its next part). */
    close(p[0][1]);
    struct sk_frame *f = make_frame(3, 1000);
    sk_hub_publish(hub, f);
    CHECK(part_is(p[1][1], f));
    int64_t deadline = sk_now_ms() + 3000;
    while (!sk_streamer_has_room(st) && sk_now_ms() < deadline) {
        sk_sleep_ms(10);
    }
    CHECK_EQ_INT(atomic_load(&ended[0]), 1);
    CHECK_EQ_INT(sk_streamer_add(st, p[2][0], NULL, 0, on_done, &ended[2]), 0);
    CHECK(part_is(p[2][1], f));

    sk_streamer_free(st);
    CHECK_EQ_INT(atomic_load(&done_calls), 3);
    CHECK_EQ_INT(watchers(hub), 0);
    close(p[1][1]);
    close(p[2][1]);
    sk_frame_unref(f);
    sk_hub_free(hub);
}

int main(void)
{
    sk_log_set_level(SK_LOG_WARN);
    SK_RUN(test_head_then_parts);
    SK_RUN(test_max_viewers);
    return SK_CHECK_EXIT();
}

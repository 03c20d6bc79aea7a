/*
 * test_pending: the bounded set of unproven connections drops the oldest
 * silent one, by shutting its socket down, and forgets removed ones; a
 * connection with something unread, or too young, is kept (the set grows up
 * to twice its limit), and past that the oldest goes regardless. Real
 * sockets (socketpair): the peer of a dropped connection reads end-of-stream;
 * a test clock.
 */
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "policy/pending.h"

/* Read by the set's sweeper thread too. */
static _Atomic int64_t clock_ms = 100000;
static int64_t test_now(void)
{
    return clock_ms;
}

static struct sk_pending *new_set(int limit)
{
    struct sk_pending *p = sk_pending_new(limit, 2 * limit, "test");
    sk_pending_set_clock(p, test_now);
    return p;
}

struct conn {
    int fd[2]; /* [0] the server's end, [1] the client's */
};

static void open_conn(struct conn *c)
{
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, c->fd) == 0);
}

static void close_conn(struct conn *c)
{
    close(c->fd[0]);
    close(c->fd[1]);
}

/* 1 when the client's end sees end-of-stream (its server end was shut down). */
static int was_dropped(struct conn *c)
{
    char b;
    return recv(c->fd[1], &b, 1, MSG_DONTWAIT) == 0;
}

static void test_oldest_dropped(void)
{
    struct conn c[4];
    struct sk_pending *p = new_set(3);
    for (int i = 0; i < 4; i++) {
        open_conn(&c[i]);
        if (i == 3) {
            clock_ms += SK_PENDING_SILENT_MS; /* the first three have been silent long enough */
        }
        sk_pending_add(p, &c[i], c[i].fd[0]);
    }
    CHECK_EQ_INT(sk_pending_count(p), 3);
    CHECK_EQ_INT(sk_pending_evicted(p), 1);
    CHECK(was_dropped(&c[0]));
    CHECK(!was_dropped(&c[1]));
    CHECK(!was_dropped(&c[3]));
    for (int i = 0; i < 4; i++) {
        close_conn(&c[i]);
    }
    sk_pending_free(p);
}

static void test_removed_never_dropped(void)
{
    struct conn c[4];
    struct sk_pending *p = new_set(2);
    open_conn(&c[0]);
    open_conn(&c[1]);
    sk_pending_add(p, &c[0], c[0].fd[0]);
    sk_pending_add(p, &c[1], c[1].fd[0]);
    sk_pending_remove(p, &c[0]); /* it logged in */
    sk_pending_remove(p, &c[0]); /* twice is harmless */
    CHECK_EQ_INT(sk_pending_count(p), 1);
    open_conn(&c[2]);
    sk_pending_add(p, &c[2], c[2].fd[0]);
    CHECK_EQ_INT(sk_pending_evicted(p), 0);
    /* Re-adding c[1] makes it the newest, so c[2] is now the oldest. */
    sk_pending_add(p, &c[1], c[1].fd[0]);
    open_conn(&c[3]);
    clock_ms += SK_PENDING_SILENT_MS;
    sk_pending_add(p, &c[3], c[3].fd[0]);
    CHECK(!was_dropped(&c[0]));
    CHECK(!was_dropped(&c[1]));
    CHECK(was_dropped(&c[2]));
    CHECK_EQ_INT(sk_pending_evicted(p), 1);
    CHECK_EQ_INT(sk_pending_count(p), 2);
    for (int i = 0; i < 4; i++) {
        close_conn(&c[i]);
    }
    sk_pending_free(p);
    sk_pending_free(NULL);
}

/* A burst: requests that arrived but were not read yet, and connections too young to call
 * silent, are kept (over the limit); at twice the limit the oldest goes anyway. */
static void test_burst_kept(void)
{
    enum { LIMIT = 2, N = 2 * LIMIT + 1 };
    struct conn c[N];
    struct sk_pending *p = new_set(LIMIT);
    for (int i = 0; i < N; i++) {
        open_conn(&c[i]);
    }
    /* Every client has sent its request; nobody has read it yet. */
    for (int i = 0; i < N; i++) {
        CHECK(write(c[i].fd[1], "GET / HTTP/1.1\r\n\r\n", 18) == 18);
    }
    clock_ms += 10 * SK_PENDING_SILENT_MS;
    for (int i = 0; i < 2 * LIMIT; i++) {
        sk_pending_add(p, &c[i], c[i].fd[0]);
    }
    CHECK_EQ_INT(sk_pending_count(p), 2 * LIMIT);
    CHECK_EQ_INT(sk_pending_evicted(p), 0);
    sk_pending_add(p, &c[N - 1], c[N - 1].fd[0]);
    CHECK_EQ_INT(sk_pending_evicted(p), 1);
    CHECK(was_dropped(&c[0]));
    for (int i = 1; i < N; i++) {
        CHECK(!was_dropped(&c[i]));
    }
    sk_pending_free(p);
    /* Young and silent: kept too (three, over a limit of two), until they have been silent
     * for a while; then the oldest go at the next arrival, down to the limit. */
    p = new_set(2);
    struct conn y[3];
    for (int i = 0; i < 3; i++) {
        open_conn(&y[i]);
        sk_pending_add(p, &y[i], y[i].fd[0]);
    }
    CHECK_EQ_INT(sk_pending_evicted(p), 0);
    CHECK_EQ_INT(sk_pending_count(p), 3);
    clock_ms += SK_PENDING_SILENT_MS;
    struct conn z;
    open_conn(&z);
    sk_pending_add(p, &z, z.fd[0]);
    CHECK_EQ_INT(sk_pending_evicted(p), 2);
    CHECK(was_dropped(&y[0]) && was_dropped(&y[1]));
    CHECK(!was_dropped(&y[2]) && !was_dropped(&z));
    CHECK_EQ_INT(sk_pending_count(p), 2);
    for (int i = 0; i < 3; i++) {
        close_conn(&y[i]);
    }
    close_conn(&z);
    for (int i = 0; i < N; i++) {
        close_conn(&c[i]);
    }
    sk_pending_free(p);
}

int main(void)
{
    SK_RUN(test_oldest_dropped);
    SK_RUN(test_removed_never_dropped);
    SK_RUN(test_burst_kept);
    return SK_CHECK_EXIT();
}

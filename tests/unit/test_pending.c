/*
 * test_pending: the bounded set of unproven connections drops the oldest,
 * by shutting its socket down, and forgets removed ones. Real sockets
 * (socketpair): the peer of a dropped connection reads end-of-stream.
 */
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "policy/pending.h"

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
    struct sk_pending *p = sk_pending_new(3, "test");
    for (int i = 0; i < 4; i++) {
        open_conn(&c[i]);
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
    struct sk_pending *p = sk_pending_new(2, "test");
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

int main(void)
{
    SK_RUN(test_oldest_dropped);
    SK_RUN(test_removed_never_dropped);
    return SK_CHECK_EXIT();
}

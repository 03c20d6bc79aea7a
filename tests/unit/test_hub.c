/*
 * test_hub: latest-wins publishing, waiting, refcounts, and that a slow
 * consumer never holds back the publisher.
 */
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "video/frame.h"
#include "video/hub.h"
#include "base/util.h"

static struct sk_frame *make(const char *text)
{
    struct sk_frame *f = sk_frame_new(0);
    sk_frame_set_data(f, text, strlen(text));
    f->format = SK_FRAME_JPEG;
    f->width = 4;
    f->height = 2;
    return f;
}

static void test_publish_and_latest(void)
{
    struct sk_hub *hub = sk_hub_new();
    CHECK(sk_hub_latest(hub) == NULL);
    CHECK(sk_hub_wait(hub, 0, 10) == NULL); /* times out before the first frame */
    struct sk_frame *a = make("a"), *b = make("bb");
    sk_hub_publish(hub, a);
    sk_hub_publish(hub, b);
    CHECK_EQ_INT(a->seq, 1);
    CHECK_EQ_INT(b->seq, 2);
    struct sk_frame *l = sk_hub_latest(hub);
    CHECK(l == b);
    /* A consumer that last saw 0 gets the newest, not the oldest: frames are dropped, not queued.
     */
    struct sk_frame *w = sk_hub_wait(hub, 0, 0);
    CHECK(w == b);
    CHECK(sk_hub_wait(hub, 2, 10) == NULL);
    CHECK_EQ_INT(atomic_load(&b->refs), 4); /* ours, the hub's, l, w */
    sk_frame_unref(l);
    sk_frame_unref(w);
    sk_frame_unref(a); /* the hub dropped its ref to a when b came: this frees a */
    sk_frame_unref(b);
    sk_hub_free(hub); /* frees b */
}

struct waiter {
    struct sk_hub *hub;
    struct sk_frame *got;
};

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    w->got = sk_hub_wait(w->hub, 0, 5000);
    return NULL;
}

static void test_wait_wakes_on_publish(void)
{
    struct sk_hub *hub = sk_hub_new();
    struct waiter w = {.hub = hub};
    pthread_t t;
    pthread_create(&t, NULL, wait_thread, &w);
    sk_sleep_ms(50);
    struct sk_frame *f = make("x");
    int64_t t0 = sk_now_ms();
    sk_hub_publish(hub, f);
    pthread_join(t, NULL);
    CHECK(w.got == f);
    CHECK(sk_now_ms() - t0 < 1000);
    sk_frame_unref(w.got);
    sk_frame_unref(f);
    sk_hub_free(hub);
}

static void test_close_wakes_waiters(void)
{
    struct sk_hub *hub = sk_hub_new();
    struct waiter w = {.hub = hub};
    pthread_t t;
    pthread_create(&t, NULL, wait_thread, &w);
    sk_sleep_ms(50);
    int64_t t0 = sk_now_ms();
    sk_hub_close(hub);
    pthread_join(t, NULL);
    CHECK(w.got == NULL);
    CHECK(sk_now_ms() - t0 < 1000);
    sk_hub_free(hub);
}

static void test_slow_consumer_never_blocks_publisher(void)
{
    struct sk_hub *hub = sk_hub_new();
    /* A consumer holds a frame "forever" while 1000 more are published. */
    struct sk_frame *first = make("first");
    sk_hub_publish(hub, first);
    struct sk_frame *held = sk_hub_wait(hub, 0, 0);
    int64_t t0 = sk_now_us();
    for (int i = 0; i < 1000; i++) {
        struct sk_frame *f = make("frame");
        sk_hub_publish(hub, f);
        sk_frame_unref(f);
    }
    CHECK(sk_now_us() - t0 < 500000);
    CHECK(held == first);
    CHECK(held->size == 5 && memcmp(held->data, "first", 5) == 0); /* intact while held */
    struct sk_frame *now = sk_hub_latest(hub);
    CHECK_EQ_INT(now->seq, 1001);
    sk_frame_unref(now);
    sk_frame_unref(held);
    sk_frame_unref(first);
    sk_hub_free(hub);
}

static void test_stats(void)
{
    struct sk_hub *hub = sk_hub_new();
    struct sk_hub_stats st;
    sk_hub_watch(hub, 1);
    sk_hub_watch(hub, 1);
    sk_hub_watch(hub, -1);
    struct sk_frame *f = make("s");
    sk_hub_publish(hub, f);
    sk_hub_stats(hub, &st);
    CHECK_EQ_INT(st.published, 1);
    CHECK_EQ_INT(st.width, 4);
    CHECK_EQ_INT(st.height, 2);
    CHECK_EQ_INT(st.watchers, 1);
    CHECK_EQ_INT(st.no_signal, 0);
    sk_frame_unref(f);
    sk_hub_free(hub);
}

int main(void)
{
    SK_RUN(test_publish_and_latest);
    SK_RUN(test_wait_wakes_on_publish);
    SK_RUN(test_close_wakes_waiters);
    SK_RUN(test_slow_consumer_never_blocks_publisher);
    SK_RUN(test_stats);
    return SK_CHECK_EXIT();
}

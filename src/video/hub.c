/*
 * hub: latest-wins frame exchange (mutex + condition variable + generation).
 *
 * Capture publishes; HTTP clients and SSH sessions wait for a newer
 * generation and take a reference to the newest frame. Nothing is queued:
 * publishing replaces the frame and unrefs the previous one, which stays
 * alive only as long as some consumer still holds it.
 */
#include "video/hub.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"

struct sk_hub {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct sk_frame *latest;
    uint64_t seq;
    int closed;
    int watchers;
    /* Rate measurement: frames counted since window_start_us. */
    int64_t window_start_us;
    unsigned window_frames;
    double fps;
};

struct sk_hub *sk_hub_new(void)
{
    struct sk_hub *hub = xcalloc(1, sizeof(*hub));
    pthread_mutex_init(&hub->lock, NULL);
    sk_cond_init_monotonic(&hub->cond);
    hub->window_start_us = sk_now_us();
    return hub;
}

void sk_hub_free(struct sk_hub *hub)
{
    if (hub == NULL) {
        return;
    }
    sk_frame_unref(hub->latest);
    pthread_cond_destroy(&hub->cond);
    pthread_mutex_destroy(&hub->lock);
    free(hub);
}

void sk_hub_publish(struct sk_hub *hub, struct sk_frame *frame)
{
    sk_frame_ref(frame);
    pthread_mutex_lock(&hub->lock);
    struct sk_frame *old = hub->latest;
    frame->seq = ++hub->seq;
    hub->latest = frame;

    int64_t now = sk_now_us();
    hub->window_frames++;
    int64_t span = now - hub->window_start_us;
    if (span >= 1000000) {
        hub->fps = hub->window_frames * 1e6 / (double)span;
        hub->window_frames = 0;
        hub->window_start_us = now;
    }
    pthread_cond_broadcast(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
    /* The old frame may be the last reference: free it outside the lock. */
    sk_frame_unref(old);
}

struct sk_frame *sk_hub_wait(struct sk_hub *hub, uint64_t after_seq, int timeout_ms)
{
    const struct timespec deadline = sk_deadline_after_ms(timeout_ms);
    struct sk_frame *f = NULL;
    pthread_mutex_lock(&hub->lock);
    while (!hub->closed && (hub->latest == NULL || hub->latest->seq <= after_seq)) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&hub->cond, &hub->lock)
                                : pthread_cond_timedwait(&hub->cond, &hub->lock, &deadline);
        if (rc == ETIMEDOUT) {
            break;
        }
    }
    if (!hub->closed && hub->latest != NULL && hub->latest->seq > after_seq) {
        f = sk_frame_ref(hub->latest);
    }
    pthread_mutex_unlock(&hub->lock);
    return f;
}

struct sk_frame *sk_hub_latest(struct sk_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    struct sk_frame *f = hub->latest ? sk_frame_ref(hub->latest) : NULL;
    pthread_mutex_unlock(&hub->lock);
    return f;
}

void sk_hub_watch(struct sk_hub *hub, int delta)
{
    pthread_mutex_lock(&hub->lock);
    hub->watchers += delta;
    if (hub->watchers < 0) {
        hub->watchers = 0;
    }
    pthread_cond_broadcast(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
}

void sk_hub_stats(struct sk_hub *hub, struct sk_hub_stats *out)
{
    pthread_mutex_lock(&hub->lock);
    out->published = hub->seq;
    /* A source that stopped publishing shows 0 fps, not its last rate. */
    int64_t idle = sk_now_us() - hub->window_start_us;
    out->fps = idle > 2000000 ? 0.0 : hub->fps;
    out->width = hub->latest ? hub->latest->width : 0;
    out->height = hub->latest ? hub->latest->height : 0;
    out->no_signal = hub->latest ? hub->latest->no_signal : 0;
    out->watchers = hub->watchers;
    pthread_mutex_unlock(&hub->lock);
}

void sk_hub_close(struct sk_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    hub->closed = 1;
    pthread_cond_broadcast(&hub->cond);
    pthread_mutex_unlock(&hub->lock);
}

/*
 * pending: a bounded set of unproven connections; the oldest silent one is
 * shut down to make room (see pending.h). The set is small (tens), so a
 * flat array scanned under one mutex is all it needs; age is an insertion
 * counter, and whether anything waits unread is asked of the socket
 * (FIONREAD) only when room is needed.
 */
#include "policy/pending.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "base/log.h"
#include "base/util.h"

struct entry {
    const void *key;
    int fd;
    uint64_t seq;
    int64_t added_ms;
};

struct sk_pending {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* the sweeper's sleep; signalled to stop it */
    pthread_t sweeper;
    int stopping;
    struct entry *entries;
    int limit;
    int cap; /* past it the oldest goes, silent or not */
    int n;
    int64_t (*now_ms)(void);
    uint64_t seq;
    uint64_t evicted;
    char tag[16];
};

/* The index of key, or -1. Called with the lock held. */
static int find(const struct sk_pending *p, const void *key)
{
    for (int i = 0; i < p->n; i++) {
        if (p->entries[i].key == key) {
            return i;
        }
    }
    return -1;
}

static void drop(struct sk_pending *p, int i)
{
    p->entries[i] = p->entries[--p->n];
}

/* Whether e has nothing unread and has been here min_age_ms at least. */
static int silent(const struct entry *e, int64_t now, int64_t min_age_ms)
{
    int unread = 0;
    return now - e->added_ms >= min_age_ms && ioctl(e->fd, FIONREAD, &unread) == 0 && unread == 0;
}

/* The index of the oldest silent entry (see silent), or -1. Called locked. */
static int oldest_silent(const struct sk_pending *p, int64_t now, int64_t min_age_ms)
{
    int found = -1;
    for (int j = 0; j < p->n; j++) {
        if ((found < 0 || p->entries[j].seq < p->entries[found].seq) &&
            silent(&p->entries[j], now, min_age_ms)) {
            found = j;
        }
    }
    return found;
}

static int oldest(const struct sk_pending *p)
{
    int found = 0;
    for (int j = 1; j < p->n; j++) {
        if (p->entries[j].seq < p->entries[found].seq) {
            found = j;
        }
    }
    return found;
}

/* Shut entry i's socket down (its thread sees end-of-stream and closes it) and forget it. */
static void evict(struct sk_pending *p, int i)
{
    shutdown(p->entries[i].fd, SHUT_RDWR);
    drop(p, i);
    if (p->evicted++ == 0) {
        sk_log(SK_LOG_WARN, p->tag,
               "%d connections waiting to log in or send a request: dropping the oldest"
               " silent one (logged once)",
               p->limit);
    }
}

/* Drop the silent connections that have waited long enough, oldest first, down to the limit. */
static void sweep(struct sk_pending *p, int64_t now)
{
    int victim;
    while (p->n >= p->limit && (victim = oldest_silent(p, now, SK_PENDING_SILENT_MS)) >= 0) {
        evict(p, victim);
    }
}

/*
 * The sweeper ("pending-TAG"): a flood that stops arriving is still dropped
 * once it has been silent long enough, not only when the next connection
 * comes. Wakes four times a second.
 */
static void *sweeper_main(void *arg)
{
    struct sk_pending *p = arg;
    sk_log_thread_name("pending-%s", p->tag);
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        const struct timespec at = sk_deadline_after_ms(SK_PENDING_SILENT_MS / 2);
        pthread_cond_timedwait(&p->wake, &p->lock, &at);
        if (p->n > p->limit) {
            sweep(p, p->now_ms());
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct sk_pending *sk_pending_new(int limit, int cap, const char *tag)
{
    struct sk_pending *p = xcalloc(1, sizeof(*p));
    p->limit = limit > 0 ? limit : 1;
    p->cap = cap > p->limit ? cap : p->limit;
    p->entries = xcalloc((size_t)p->cap, sizeof(*p->entries));
    p->now_ms = sk_now_ms;
    snprintf(p->tag, sizeof(p->tag), "%s", tag);
    pthread_mutex_init(&p->lock, NULL);
    sk_cond_init_monotonic(&p->wake);
    if (pthread_create(&p->sweeper, NULL, sweeper_main, p) != 0) {
        sk_log(SK_LOG_ERROR, p->tag, "cannot start the sweeper of silent connections");
        abort();
    }
    return p;
}

void sk_pending_set_clock(struct sk_pending *p, int64_t (*now_ms)(void))
{
    pthread_mutex_lock(&p->lock);
    p->now_ms = now_ms;
    pthread_mutex_unlock(&p->lock);
}

void sk_pending_free(struct sk_pending *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->sweeper, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->entries);
    free(p);
}

void sk_pending_add(struct sk_pending *p, const void *key, int fd)
{
    pthread_mutex_lock(&p->lock);
    int i = find(p, key);
    if (i >= 0) {
        drop(p, i);
    }
    int64_t now = p->now_ms();
    /* Over the limit: the silent ones that have waited long enough go, oldest first. */
    sweep(p, now);
    /* At the hard cap someone must go: the oldest silent one however young, else the oldest. */
    if (p->n >= p->cap) {
        int victim = oldest_silent(p, now, 0);
        evict(p, victim >= 0 ? victim : oldest(p));
    }
    p->entries[p->n++] = (struct entry){.key = key, .fd = fd, .seq = ++p->seq, .added_ms = now};
    pthread_mutex_unlock(&p->lock);
}

void sk_pending_remove(struct sk_pending *p, const void *key)
{
    pthread_mutex_lock(&p->lock);
    int i = find(p, key);
    if (i >= 0) {
        drop(p, i);
    }
    pthread_mutex_unlock(&p->lock);
}

int sk_pending_count(struct sk_pending *p)
{
    pthread_mutex_lock(&p->lock);
    int n = p->n;
    pthread_mutex_unlock(&p->lock);
    return n;
}

uint64_t sk_pending_evicted(struct sk_pending *p)
{
    pthread_mutex_lock(&p->lock);
    uint64_t n = p->evicted;
    pthread_mutex_unlock(&p->lock);
    return n;
}

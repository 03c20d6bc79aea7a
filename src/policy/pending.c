/*
 * pending: a bounded set of unproven connections; the oldest is shut down
 * to make room (see pending.h). The set is small (tens), so a flat array
 * scanned under one mutex is all it needs; age is an insertion counter.
 */
#include "policy/pending.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/log.h"
#include "base/util.h"

struct entry {
    const void *key;
    int fd;
    uint64_t seq;
};

struct sk_pending {
    pthread_mutex_t lock;
    struct entry *entries;
    int limit;
    int n;
    uint64_t seq;
    uint64_t evicted;
    char tag[16];
};

struct sk_pending *sk_pending_new(int limit, const char *tag)
{
    struct sk_pending *p = xcalloc(1, sizeof(*p));
    p->limit = limit > 0 ? limit : 1;
    p->entries = xcalloc((size_t)p->limit, sizeof(*p->entries));
    snprintf(p->tag, sizeof(p->tag), "%s", tag);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void sk_pending_free(struct sk_pending *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_destroy(&p->lock);
    free(p->entries);
    free(p);
}

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

void sk_pending_add(struct sk_pending *p, const void *key, int fd)
{
    pthread_mutex_lock(&p->lock);
    int i = find(p, key);
    if (i >= 0) {
        drop(p, i);
    }
    if (p->n == p->limit) {
        int oldest = 0;
        for (int j = 1; j < p->n; j++) {
            if (p->entries[j].seq < p->entries[oldest].seq) {
                oldest = j;
            }
        }
        /* Its thread sees end-of-stream and closes it; we only forget it. */
        shutdown(p->entries[oldest].fd, SHUT_RDWR);
        drop(p, oldest);
        if (p->evicted++ == 0) {
            sk_log(SK_LOG_WARN, p->tag,
                   "%d connections waiting to log in or send a request: dropping the oldest"
                   " (logged once)", p->limit);
        }
    }
    p->entries[p->n++] = (struct entry){.key = key, .fd = fd, .seq = ++p->seq};
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

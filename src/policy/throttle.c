/*
 * throttle: leaky buckets of failed logins, one per source and one for all.
 *
 * A bucket holds a level and the time it was last brought up to date;
 * reading it first drains what the elapsed time forgives. Sources live in a
 * small array searched linearly (a few hundred at most, and only failed
 * logins touch it); when it is full, the source whose bucket has drained the
 * most is forgotten, so an attacker spraying addresses forgets itself
 * before it forgets a source still at its bound.
 */
#include "policy/throttle.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define SOURCE_LEN 64

struct bucket {
    double level;
    int64_t at_ms;
};

struct source {
    char name[SOURCE_LEN];
    struct bucket b;
};

struct sk_throttle {
    struct sk_throttle_opts o;
    pthread_mutex_t lock;
    struct bucket total;
    struct source *sources;
    size_t count;
};

struct sk_throttle *sk_throttle_new(const struct sk_throttle_opts *opts)
{
    struct sk_throttle *t = xcalloc(1, sizeof(*t));
    t->o = *opts;
    t->o.source_burst = opts->source_burst > 0 ? opts->source_burst : 5;
    t->o.source_rate = opts->source_rate > 0 ? opts->source_rate : 1;
    t->o.total_burst = opts->total_burst > 0 ? opts->total_burst : 50;
    t->o.total_rate = opts->total_rate > 0 ? opts->total_rate : 20;
    t->o.max_sources = opts->max_sources > 0 ? opts->max_sources : 1024;
    t->o.now_ms = opts->now_ms != NULL ? opts->now_ms : sk_now_ms;
    t->sources = xcalloc(t->o.max_sources, sizeof(*t->sources));
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void sk_throttle_free(struct sk_throttle *t)
{
    if (t == NULL) {
        return;
    }
    pthread_mutex_destroy(&t->lock);
    free(t->sources);
    free(t);
}

/* Drain what the time since the bucket's last update forgives. */
static void drain(struct bucket *b, double rate, int64_t now)
{
    if (now > b->at_ms) {
        b->level = fmax(0, b->level - (double)(now - b->at_ms) * rate / 1000.0);
    }
    b->at_ms = now;
}

/* How long until one more failure fits under burst: 0 when it does now. */
static int64_t wait_of(const struct bucket *b, double burst, double rate)
{
    double over = b->level + 1 - burst;
    /* Less a hair, so that float drift does not add a millisecond to an exact wait. */
    return over <= 0 ? 0 : (int64_t)ceil(over * 1000.0 / rate - 1e-6);
}

static struct source *find(struct sk_throttle *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++) {
        if (strncmp(t->sources[i].name, name, SOURCE_LEN - 1) == 0) {
            return &t->sources[i];
        }
    }
    return NULL;
}

int64_t sk_throttle_wait_ms(struct sk_throttle *t, const char *source)
{
    pthread_mutex_lock(&t->lock);
    int64_t now = t->o.now_ms();
    drain(&t->total, t->o.total_rate, now);
    int64_t wait = wait_of(&t->total, t->o.total_burst, t->o.total_rate);
    struct source *s = find(t, source);
    if (s != NULL) {
        drain(&s->b, t->o.source_rate, now);
        int64_t mine = wait_of(&s->b, t->o.source_burst, t->o.source_rate);
        wait = wait > mine ? wait : mine;
    }
    pthread_mutex_unlock(&t->lock);
    return wait;
}

void sk_throttle_fail(struct sk_throttle *t, const char *source)
{
    pthread_mutex_lock(&t->lock);
    int64_t now = t->o.now_ms();
    drain(&t->total, t->o.total_rate, now);
    t->total.level += 1;
    struct source *s = find(t, source);
    if (s == NULL) {
        if (t->count < t->o.max_sources) {
            s = &t->sources[t->count++];
        } else {
            /* Forget the source that has drained the most. */
            s = &t->sources[0];
            for (size_t i = 0; i < t->count; i++) {
                drain(&t->sources[i].b, t->o.source_rate, now);
                if (t->sources[i].b.level < s->b.level) {
                    s = &t->sources[i];
                }
            }
        }
        memset(s, 0, sizeof(*s));
        snprintf(s->name, sizeof(s->name), "%s", source);
        s->b.at_ms = now;
    }
    drain(&s->b, t->o.source_rate, now);
    s->b.level += 1;
    pthread_mutex_unlock(&t->lock);
}

/*
 * textshare: the geometry the server's text readers found last, behind a
 * mutex (see textshare.h).
 */
#include "term/textshare.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct sk_textshare {
    pthread_mutex_t lock;
    struct sk_textrec_hint hint; /* kind 0 until the first put */
    unsigned long puts;
    unsigned long searches;
};

struct sk_textshare *sk_textshare_new(void)
{
    struct sk_textshare *s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void sk_textshare_free(struct sk_textshare *s)
{
    if (s == NULL) {
        return;
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

unsigned long sk_textshare_get(struct sk_textshare *s, struct sk_textrec_hint *h)
{
    pthread_mutex_lock(&s->lock);
    *h = s->hint;
    unsigned long n = s->puts;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void sk_textshare_searched(struct sk_textshare *s)
{
    pthread_mutex_lock(&s->lock);
    s->searches++;
    pthread_mutex_unlock(&s->lock);
}

void sk_textshare_stats(struct sk_textshare *s, unsigned long *searches, unsigned long *found)
{
    pthread_mutex_lock(&s->lock);
    *searches = s->searches;
    *found = s->puts;
    pthread_mutex_unlock(&s->lock);
}

unsigned long sk_textshare_put(struct sk_textshare *s, const struct sk_textrec_hint *h)
{
    pthread_mutex_lock(&s->lock);
    s->hint = *h;
    unsigned long n = ++s->puts;
    pthread_mutex_unlock(&s->lock);
    return n;
}

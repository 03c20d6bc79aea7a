/*
 * textshare: the geometry the server's text readers found last
 * (sk_textrec_hint, plain data), when a reader last read text in it, the
 * counts status gives, and the recognisers readers gave back, behind one
 * mutex. Readers copy hints in and out; a recogniser kept here is owned
 * here until a reader takes it.
 */
#include "term/textshare.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct sk_textshare {
    pthread_mutex_t lock;
    struct sk_textrec_hint hint; /* kind 0: none to hand out */
    int64_t confirmed_us;        /* when a reader last read text in it */
    unsigned long puts;
    unsigned long searches;
    struct sk_textrec *idle[SK_TEXTSHARE_IDLE]; /* given back, newest last */
    struct sk_textshare_fonts idle_fonts[SK_TEXTSHARE_IDLE];
    unsigned nidle;
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
    for (unsigned i = 0; i < s->nidle; i++) {
        sk_textrec_free(s->idle[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Field by field: the doubles are copies, so equal when the geometry is the same one. */
static int same_hint(const struct sk_textrec_hint *a, const struct sk_textrec_hint *b)
{
    return a->kind == b->kind && a->index == b->index && a->frame_w == b->frame_w &&
           a->frame_h == b->frame_h && a->cols == b->cols && a->rows == b->rows && a->ox == b->ox &&
           a->oy == b->oy && a->pitch_x == b->pitch_x && a->pitch_y == b->pitch_y &&
           a->sx == b->sx && a->sy == b->sy && a->top == b->top;
}

unsigned long sk_textshare_get(struct sk_textshare *s, int64_t now_us, struct sk_textrec_hint *h)
{
    pthread_mutex_lock(&s->lock);
    memset(h, 0, sizeof(*h));
    if (s->hint.kind != 0 && now_us - s->confirmed_us <= SK_TEXTSHARE_FRESH_US) {
        *h = s->hint;
    }
    unsigned long n = s->puts;
    pthread_mutex_unlock(&s->lock);
    return n;
}

unsigned long sk_textshare_put(struct sk_textshare *s, const struct sk_textrec_hint *h,
                               int64_t now_us)
{
    pthread_mutex_lock(&s->lock);
    s->hint = *h;
    s->confirmed_us = now_us;
    unsigned long n = ++s->puts;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void sk_textshare_confirm(struct sk_textshare *s, const struct sk_textrec_hint *h, int64_t now_us)
{
    pthread_mutex_lock(&s->lock);
    if (s->hint.kind != 0 && same_hint(&s->hint, h) && now_us > s->confirmed_us) {
        s->confirmed_us = now_us;
    }
    pthread_mutex_unlock(&s->lock);
}

void sk_textshare_count_search(struct sk_textshare *s, int found_text)
{
    pthread_mutex_lock(&s->lock);
    s->searches++;
    if (!found_text) {
        s->hint.kind = 0;
    }
    pthread_mutex_unlock(&s->lock);
}

static int same_fonts(const struct sk_textshare_fonts *a, const struct sk_textshare_fonts *b)
{
    return a->rom == b->rom && a->rom_count == b->rom_count && a->console == b->console;
}

struct sk_textrec *sk_textshare_take(struct sk_textshare *s, const struct sk_textshare_fonts *f)
{
    struct sk_textrec *tr = NULL;
    pthread_mutex_lock(&s->lock);
    for (unsigned i = s->nidle; i-- > 0;) {
        if (same_fonts(&s->idle_fonts[i], f)) {
            tr = s->idle[i];
            s->nidle--;
            memmove(&s->idle[i], &s->idle[i + 1], (s->nidle - i) * sizeof(s->idle[0]));
            memmove(&s->idle_fonts[i], &s->idle_fonts[i + 1],
                    (s->nidle - i) * sizeof(s->idle_fonts[0]));
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (tr != NULL) {
        sk_textrec_forget(tr);
    }
    return tr;
}

void sk_textshare_give(struct sk_textshare *s, struct sk_textrec *tr,
                       const struct sk_textshare_fonts *f)
{
    struct sk_textrec *drop = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->nidle == SK_TEXTSHARE_IDLE) {
        /* The oldest goes: the newest was taught and used most recently. */
        drop = s->idle[0];
        s->nidle--;
        memmove(&s->idle[0], &s->idle[1], s->nidle * sizeof(s->idle[0]));
        memmove(&s->idle_fonts[0], &s->idle_fonts[1], s->nidle * sizeof(s->idle_fonts[0]));
    }
    s->idle[s->nidle] = tr;
    s->idle_fonts[s->nidle++] = *f;
    pthread_mutex_unlock(&s->lock);
    sk_textrec_free(drop); /* outside the lock: freeing takes a while */
}

void sk_textshare_stats(struct sk_textshare *s, unsigned long *searches, unsigned long *found)
{
    pthread_mutex_lock(&s->lock);
    *searches = s->searches;
    *found = s->puts;
    pthread_mutex_unlock(&s->lock);
}

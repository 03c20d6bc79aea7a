/*
 * view: the shared decode and render cache for the terminal views.
 *
 * Two lists under one mutex: decoded pictures keyed by (frame seq, wanted
 * pixel size) and rendered grids keyed by (frame seq, cells, settings). An
 * entry is BUILDING while its first asker fills it outside the lock, then
 * READY or FAILED; others asking for it wait on the condition variable, so a
 * frame is decoded and rendered once however many viewers want it at once.
 * Entries hold a count of users; an entry of an older frame than the newest
 * seen is freed as soon as nobody uses it, so the cache holds about one
 * picture and one grid per distinct view size and settings.
 */
#include "term/view.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum state { BUILDING, READY, FAILED };

struct pic {
    struct pic *next;
    uint64_t seq;
    unsigned want_w, want_h;
    struct sk_image img;
    enum state state;
    int users;
};

struct art {
    struct art *next;
    uint64_t seq;
    unsigned cols, rows;
    struct sk_render_opts opts;
    struct sk_grid grid;
    enum state state;
    int users;
};

struct sk_viewcache {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct pic *pics;
    struct art *arts;
    uint64_t newest;
    struct sk_viewcache_stats stats;
};

struct sk_viewcache *sk_viewcache_new(void)
{
    struct sk_viewcache *vc = xcalloc(1, sizeof(*vc));
    pthread_mutex_init(&vc->lock, NULL);
    pthread_cond_init(&vc->changed, NULL);
    return vc;
}

static void free_pic(struct pic *p)
{
    sk_image_free(&p->img);
    free(p);
}

static void free_art(struct art *a)
{
    sk_grid_free(&a->grid);
    free(a);
}

void sk_viewcache_free(struct sk_viewcache *vc)
{
    if (vc == NULL) {
        return;
    }
    while (vc->pics != NULL) {
        struct pic *p = vc->pics;
        vc->pics = p->next;
        free_pic(p);
    }
    while (vc->arts != NULL) {
        struct art *a = vc->arts;
        vc->arts = a->next;
        free_art(a);
    }
    pthread_cond_destroy(&vc->changed);
    pthread_mutex_destroy(&vc->lock);
    free(vc);
}

static int opts_eq(const struct sk_render_opts *a, const struct sk_render_opts *b)
{
    return a->mode == b->mode && a->colors == b->colors && strcmp(a->charset, b->charset) == 0 &&
           strcmp(a->algorithm, b->algorithm) == 0 && a->brightness == b->brightness &&
           a->contrast == b->contrast && a->gamma == b->gamma;
}

/* Free what nobody uses and belongs to an older frame. Called locked. */
static void sweep(struct sk_viewcache *vc)
{
    for (struct pic **pp = &vc->pics; *pp != NULL;) {
        struct pic *p = *pp;
        if (p->users == 0 && (p->seq < vc->newest || p->state == FAILED)) {
            *pp = p->next;
            free_pic(p);
        } else {
            pp = &p->next;
        }
    }
    for (struct art **ap = &vc->arts; *ap != NULL;) {
        struct art *a = *ap;
        if (a->users == 0 && (a->seq < vc->newest || a->state == FAILED)) {
            *ap = a->next;
            free_art(a);
        } else {
            ap = &a->next;
        }
    }
}

/* The decoded picture for f at the wanted size, built here if nobody has it. Called locked. */
static struct pic *get_pic(struct sk_viewcache *vc, struct sk_frame *f, unsigned w, unsigned h,
                           struct sk_jpeg_dec *dec)
{
    for (;;) {
        struct pic *p = vc->pics;
        while (p != NULL && !(p->seq == f->seq && p->want_w == w && p->want_h == h)) {
            p = p->next;
        }
        if (p == NULL) {
            break;
        }
        if (p->state == BUILDING) {
            pthread_cond_wait(&vc->changed, &vc->lock);
            continue;
        }
        if (p->state == FAILED) {
            return NULL;
        }
        p->users++;
        return p;
    }
    struct pic *p = xcalloc(1, sizeof(*p));
    *p = (struct pic){.next = vc->pics, .seq = f->seq, .want_w = w, .want_h = h, .users = 1};
    vc->pics = p;
    pthread_mutex_unlock(&vc->lock);
    /* The one place a frame becomes pixels for the terminal views. */
    int rc = sk_jpeg_decode(dec, f->data, f->size, w, h, &p->img);
    pthread_mutex_lock(&vc->lock);
    vc->stats.decodes++;
    p->state = rc == 0 ? READY : FAILED;
    pthread_cond_broadcast(&vc->changed);
    if (rc != 0) {
        p->users--;
        return NULL;
    }
    return p;
}

const struct sk_grid *sk_viewcache_get(struct sk_viewcache *vc, struct sk_frame *f, unsigned cols,
                                       unsigned rows, const struct sk_render_opts *o,
                                       struct sk_jpeg_dec *dec, struct sk_render *r)
{
    pthread_mutex_lock(&vc->lock);
    if (f->seq > vc->newest) {
        vc->newest = f->seq;
        sweep(vc);
    }
    for (;;) {
        struct art *a = vc->arts;
        while (a != NULL && !(a->seq == f->seq && a->cols == cols && a->rows == rows &&
                              opts_eq(&a->opts, o))) {
            a = a->next;
        }
        if (a == NULL) {
            break;
        }
        if (a->state == BUILDING) {
            pthread_cond_wait(&vc->changed, &vc->lock);
            continue;
        }
        if (a->state == FAILED) {
            pthread_mutex_unlock(&vc->lock);
            return NULL;
        }
        a->users++;
        vc->stats.shared++;
        pthread_mutex_unlock(&vc->lock);
        return &a->grid;
    }
    struct art *a = xcalloc(1, sizeof(*a));
    *a = (struct art){.next = vc->arts, .seq = f->seq, .cols = cols, .rows = rows, .opts = *o,
                      .users = 1};
    vc->arts = a;
    unsigned w, h;
    sk_render_wanted_size_for(o, cols, rows, f->width, f->height, &w, &h);
    struct pic *p = get_pic(vc, f, w, h, dec);
    pthread_mutex_unlock(&vc->lock);
    int rc = -1;
    if (p != NULL) {
        sk_render_set_opts(r, o);
        rc = sk_render_grid(r, &p->img, cols, rows, &a->grid);
    }
    pthread_mutex_lock(&vc->lock);
    if (p != NULL) {
        p->users--;
    }
    vc->stats.renders += rc == 0;
    a->state = rc == 0 ? READY : FAILED;
    pthread_cond_broadcast(&vc->changed);
    if (rc != 0) {
        a->users--;
        sweep(vc);
    }
    pthread_mutex_unlock(&vc->lock);
    return rc == 0 ? &a->grid : NULL;
}

void sk_viewcache_release(struct sk_viewcache *vc, const struct sk_grid *g)
{
    if (g == NULL) {
        return;
    }
    pthread_mutex_lock(&vc->lock);
    for (struct art *a = vc->arts; a != NULL; a = a->next) {
        if (&a->grid == g) {
            a->users--;
            break;
        }
    }
    sweep(vc);
    pthread_mutex_unlock(&vc->lock);
}

void sk_viewcache_stats(struct sk_viewcache *vc, struct sk_viewcache_stats *out)
{
    pthread_mutex_lock(&vc->lock);
    *out = vc->stats;
    pthread_mutex_unlock(&vc->lock);
}

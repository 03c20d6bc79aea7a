/*
 * view: the shared decode and render cache for the terminal views.
 *
 * One list under one mutex of decoded pictures, keyed by (frame seq, wanted
 * pixel size), their readings as text (the same key: the text and auto
 * views read a picture once, whatever their cells and colours), and
 * rendered grids, keyed by (frame seq, cells, settings). An
 * entry is BUILDING while its first asker fills it outside the lock, then
 * READY or FAILED; others asking for it wait on the condition variable, so a
 * frame is decoded and rendered once however many viewers want it at once.
 * Entries hold a count of users; an entry of an older frame than the newest
 * seen is freed as soon as nobody uses it, so the cache holds about one
 * picture per pixel size wanted (the text views' whole one besides), and
 * one grid per distinct view size and settings.
 *
 * Text is read from the whole picture, art drawn from one the size of the
 * cells (also when a text screen does not fit the view's cells). While the
 * screen is not text, or is a text screen bigger than a view's cells (a
 * 1080p console's 240x67 in an 80x24 terminal), that view reads it again
 * only once TEXT_RETRY_US of capture have passed (by the frames' capture
 * times) and draws the frames between as art straight away: a desktop, or
 * a console too big to show as text, costs it about what it costs the art
 * view. A screen that turns to text in another mode
 * than the one last read may take the recogniser up to 8 such reads to
 * find (its full search, textrec's SEARCH_EVERY): about 2 s.
 */
#include "term/view.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "video/picture.h"
#include "text/textrec.h"
#include "base/util.h"

/*
 * While the screen is not text, or is a text screen too big for a view's
 * cells, that view reads it as text again after this much capture time.
 */
#define TEXT_RETRY_US 250000

enum state { BUILDING, READY, FAILED };
enum kind { PICTURE, TEXT, GRID };

struct entry {
    struct entry *next;
    enum kind kind;
    uint64_t seq;
    unsigned w, h;                 /* PICTURE, TEXT: the wanted pixel size; GRID: the cells */
    struct sk_render_opts opts;    /* GRID only */
    struct sk_image img;           /* PICTURE */
    struct sk_textrec_result text; /* TEXT, its cells owned here */
    struct sk_grid grid;           /* GRID */
    enum state state;
    int users;
};

struct sk_viewcache {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct entry *entries;
    uint64_t newest;
    int graphics;                  /* the last picture read as text was not text */
    unsigned text_cols, text_rows; /* else its grid */
    int64_t read_us;               /* when its frame was captured (sk_frame.captured_us) */
    struct sk_viewcache_stats stats;
};

struct sk_viewcache *sk_viewcache_new(void)
{
    struct sk_viewcache *vc = xcalloc(1, sizeof(*vc));
    pthread_mutex_init(&vc->lock, NULL);
    pthread_cond_init(&vc->changed, NULL);
    return vc;
}

static void free_entry(struct entry *e)
{
    sk_image_free(&e->img);
    free((void *)e->text.cells);
    sk_grid_free(&e->grid);
    free(e);
}

void sk_viewcache_free(struct sk_viewcache *vc)
{
    if (vc == NULL) {
        return;
    }
    while (vc->entries != NULL) {
        struct entry *e = vc->entries;
        vc->entries = e->next;
        free_entry(e);
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

/* Free what nobody uses and belongs to an older frame or failed. Called locked. */
static void sweep(struct sk_viewcache *vc)
{
    for (struct entry **ep = &vc->entries; *ep != NULL;) {
        struct entry *e = *ep;
        if (e->users == 0 && (e->seq < vc->newest || e->state == FAILED)) {
            *ep = e->next;
            free_entry(e);
        } else {
            ep = &e->next;
        }
    }
}

/*
 * The entry for a key, called locked: a READY one (now also used by the
 * caller), NULL when it FAILED, or a new BUILDING one (*build set) that the
 * caller fills outside the lock and then hands to finish(). Waits while
 * another thread builds it.
 */
static struct entry *claim(struct sk_viewcache *vc, enum kind kind, uint64_t seq, unsigned w,
                           unsigned h, const struct sk_render_opts *o, int *build)
{
    *build = 0;
    for (;;) {
        struct entry *e = vc->entries;
        while (e != NULL && !(e->kind == kind && e->seq == seq && e->w == w && e->h == h &&
                              (kind != GRID || (o != NULL && opts_eq(&e->opts, o))))) {
            e = e->next;
        }
        if (e == NULL) {
            break;
        }
        if (e->state == BUILDING) {
            pthread_cond_wait(&vc->changed, &vc->lock);
            continue;
        }
        if (e->state == FAILED) {
            return NULL;
        }
        e->users++;
        return e;
    }
    struct entry *e = xcalloc(1, sizeof(*e));
    *e = (struct entry){.next = vc->entries, .kind = kind, .seq = seq, .w = w, .h = h, .users = 1};
    if (o != NULL) {
        e->opts = *o;
    }
    vc->entries = e;
    *build = 1;
    return e;
}

/* A built entry is ready (ok) or failed; waiters wake. Called locked. Returns e, or NULL. */
static struct entry *finish(struct sk_viewcache *vc, struct entry *e, int ok)
{
    e->state = ok ? READY : FAILED;
    pthread_cond_broadcast(&vc->changed);
    if (!ok) {
        e->users--;
        sweep(vc);
        return NULL;
    }
    return e;
}

/* The decoded picture for f at the wanted size, decoded here if nobody has it. Called locked. */
static struct entry *get_picture(struct sk_viewcache *vc, struct sk_frame *f, unsigned w,
                                 unsigned h, struct sk_jpeg_dec *dec)
{
    int build;
    struct entry *p = claim(vc, PICTURE, f->seq, w, h, NULL, &build);
    if (!build) {
        return p;
    }
    pthread_mutex_unlock(&vc->lock);
    /* The one place a frame becomes pixels for the terminal views. */
    int rc = sk_picture_get(dec, f, w, h, &p->img);
    pthread_mutex_lock(&vc->lock);
    vc->stats.decodes++;
    return finish(vc, p, rc == 0);
}

/*
 * Picture p (in use by the caller) of a frame captured at captured_us read
 * as text, read here with r if nobody has read it. Called locked; returns
 * the entry, now also in use.
 */
static struct entry *get_text(struct sk_viewcache *vc, struct entry *p, int64_t captured_us,
                              struct sk_render *r)
{
    int build;
    struct entry *t = claim(vc, TEXT, p->seq, p->w, p->h, NULL, &build);
    if (!build) {
        return t;
    }
    pthread_mutex_unlock(&vc->lock);
    struct sk_textrec_result res;
    sk_render_read_text(r, &p->img, &res); /* -1 leaves res zeroed: not text */
    /* A copy that outlives r's next read; the mode's name may be r's own, so it is not kept. */
    size_t n = (size_t)res.cols * res.rows;
    struct sk_textrec_cell *cells = NULL;
    if (n > 0) {
        cells = xmalloc(n * sizeof(*cells));
        memcpy(cells, res.cells, n * sizeof(*cells));
    }
    t->text = res;
    t->text.cells = cells;
    t->text.mode = NULL;
    pthread_mutex_lock(&vc->lock);
    vc->stats.reads++;
    /* A slower view's read of an older frame does not undo a newer one's. */
    if (captured_us <= 0 || captured_us >= vc->read_us) {
        vc->graphics = !res.is_text;
        vc->text_cols = res.is_text ? res.cols : 0;
        vc->text_rows = res.is_text ? res.rows : 0;
        vc->read_us = captured_us > 0 ? captured_us : vc->read_us;
    }
    return finish(vc, t, 1);
}

/*
 * Whether frame f is to be read as text for a view of cols x rows: always
 * while the screen is text that fits them. Called locked.
 */
static int text_due(struct sk_viewcache *vc, const struct sk_frame *f, unsigned w, unsigned h,
                    unsigned cols, unsigned rows)
{
    /* What the view showed of the last reading: art, for graphics or a screen bigger than it. */
    int art = vc->graphics || vc->text_cols > cols || vc->text_rows > rows;
    /* A frame without a capture time is read. */
    if (!art || f->captured_us <= 0 || f->captured_us - vc->read_us >= TEXT_RETRY_US) {
        return 1;
    }
    /* Another view has read this very picture already: sharing its reading costs nothing. */
    for (const struct entry *e = vc->entries; e != NULL; e = e->next) {
        if (e->kind == TEXT && e->seq == f->seq && e->w == w && e->h == h) {
            return 1;
        }
    }
    return 0;
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
    int build;
    struct entry *a = claim(vc, GRID, f->seq, cols, rows, o, &build);
    if (!build) {
        vc->stats.shared += a != NULL;
        pthread_mutex_unlock(&vc->lock);
        return a != NULL ? &a->grid : NULL;
    }
    unsigned w, h;
    sk_render_wanted_size_for(o, cols, rows, f->width, f->height, &w, &h);
    struct entry *p = NULL;
    struct entry *t = NULL;
    /*
     * Not read: art, as the art view draws it, for a screen that was not
     * text, or that was a text screen too big for the cells (its size, for
     * the view's note; no cells, which a screen that does not fit never
     * shows).
     */
    struct sk_textrec_result last = {0};
    int texty = o->mode == SK_RENDER_TEXT || o->mode == SK_RENDER_AUTO;
    if (texty && text_due(vc, f, w, h, cols, rows)) {
        p = get_picture(vc, f, w, h, dec);
        t = p != NULL ? get_text(vc, p, f->captured_us, r) : NULL;
    } else if (texty && !vc->graphics) {
        last.is_text = 1;
        last.cols = vc->text_cols;
        last.rows = vc->text_rows;
    }
    /* Not text, or a text screen bigger than the cells (which show art of it). */
    if (texty && (t == NULL || !sk_render_text_fits(&t->text, cols, rows))) {
        if (p != NULL) {
            p->users--;
        }
        sk_render_wanted_size(cols, rows, f->width, f->height, &w, &h); /* art's */
        p = NULL;
    }
    if (p == NULL) {
        p = get_picture(vc, f, w, h, dec);
    }
    pthread_mutex_unlock(&vc->lock);
    const struct sk_textrec_result *read = t != NULL ? &t->text : NULL;
    if (texty && read == NULL) {
        read = &last;
    }
    int rc = -1;
    if (p != NULL) {
        sk_render_set_opts(r, o);
        rc = sk_render_grid_read(r, &p->img, read, cols, rows, &a->grid);
    }
    pthread_mutex_lock(&vc->lock);
    if (p != NULL) {
        p->users--;
    }
    if (t != NULL) {
        t->users--;
    }
    vc->stats.renders += rc == 0;
    a = finish(vc, a, rc == 0);
    pthread_mutex_unlock(&vc->lock);
    return a != NULL ? &a->grid : NULL;
}

void sk_viewcache_release(struct sk_viewcache *vc, const struct sk_grid *g)
{
    if (g == NULL) {
        return;
    }
    pthread_mutex_lock(&vc->lock);
    for (struct entry *e = vc->entries; e != NULL; e = e->next) {
        if (e->kind == GRID && &e->grid == g) {
            e->users--;
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

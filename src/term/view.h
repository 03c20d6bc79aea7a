/*
 * view: frames decoded and rendered once for every ssh viewer.
 *
 * The terminal views of all sessions ask the cache for "frame f as a grid of
 * cols x rows with these settings". The first to ask decodes the frame (at
 * the smallest DCT scale that covers the cells; whole, besides, for the
 * text views to read) and renders it, with its own
 * decoder and renderer; everyone else asking for the same thing waits for
 * that and shares the result, read-only. Decoded pictures are shared too,
 * between settings that need the same pixel size, and so is the text
 * reading of a picture, between every size and setting of the text views. Only the newest frame's
 * entries are kept once nobody holds the older ones. Thread-safe.
 */
#ifndef SK_VIEW_H
#define SK_VIEW_H

#include "video/frame.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "term/grid.h"
#include "term/render.h"

struct sk_viewcache;

struct sk_viewcache_stats {
    unsigned long long decodes; /* frames decoded */
    unsigned long long reads;   /* pictures read as text (views text and auto) */
    unsigned long long renders; /* grids rendered */
    unsigned long long shared;  /* requests answered with another viewer's grid */
};

struct sk_viewcache *sk_viewcache_new(void);
/* Frees the cache; every grid it handed out must have been released. NULL is a no-op. */
void sk_viewcache_free(struct sk_viewcache *vc);

/*
 * Frame f (borrowed) as a cols x rows grid rendered with o. When nobody has
 * built it, dec and r (the caller's, one thread's) build it; r's settings
 * become o. Returns a grid to read until sk_viewcache_release, or NULL
 * when the frame cannot be decoded or rendered.
 */
const struct sk_grid *sk_viewcache_get(struct sk_viewcache *vc, struct sk_frame *f, unsigned cols,
                                       unsigned rows, const struct sk_render_opts *o,
                                       struct sk_jpeg_dec *dec, struct sk_render *r);
void sk_viewcache_release(struct sk_viewcache *vc, const struct sk_grid *g);

void sk_viewcache_stats(struct sk_viewcache *vc, struct sk_viewcache_stats *out);

#endif

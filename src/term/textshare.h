/*
 * textshare: where the server's text reading last found a text screen,
 * shared by every reader of it (each console view and command has its own
 * recogniser, term/render.h).
 *
 * A recogniser that has read nothing yet searches every mode and the
 * picture's own grid: tens to hundreds of ms for one frame, where reading
 * in a known geometry takes a few (docs/benchmarks-text.md, bench/cost's
 * textcold unit). Each `screen --text`, `wait` and MCP call makes a new
 * one. A renderer given the server's textshare starts from the geometry
 * found last (sk_textrec_resume: tried first, the search run only when it
 * does not read as text) and tells it each geometry it finds by searching.
 * Thread-safe.
 */
#ifndef SK_TEXTSHARE_H
#define SK_TEXTSHARE_H

#include "text/textrec.h"

struct sk_textshare;

struct sk_textshare *sk_textshare_new(void);
/* NULL is a no-op. */
void sk_textshare_free(struct sk_textshare *s);
/* The geometry put last into *h; returns how many have been put (0: none, *h then kind 0). */
unsigned long sk_textshare_get(struct sk_textshare *s, struct sk_textrec_hint *h);
/* A geometry a reader found (copied); returns how many have been put, this one included. */
unsigned long sk_textshare_put(struct sk_textshare *s, const struct sk_textrec_hint *h);
/* A reader searched a picture (sk_textrec_result.searched), text or not: counted for status. */
void sk_textshare_searched(struct sk_textshare *s);
/* How many pictures readers searched, and how many geometries they found (status). */
void sk_textshare_stats(struct sk_textshare *s, unsigned long *searches, unsigned long *found);

#endif

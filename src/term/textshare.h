/*
 * textshare: where the server's text reading last found a text screen,
 * shared by every reader of it (each console view and command has its own
 * recogniser, term/render.h).
 *
 * A recogniser that has read nothing yet searches every mode and the
 * picture's own grid: tens to hundreds of ms for one frame, where reading
 * in a known geometry takes a few (docs/benchmarks-text.md, bench/cost's
 * first and resumed units). Each `screen --text`, `wait` and MCP call
 * makes a new one. A renderer given the server's textshare starts from
 * the geometry found last (sk_textrec_resume: tried first, the search run
 * only when it does not read as text), puts each geometry it finds by
 * searching, and confirms the shared one each time it reads text in it. A
 * geometry nobody has confirmed for SK_TEXTSHARE_FRESH_US, or that a
 * search found no text in since, is not handed out: the screen may have
 * changed to one a stale geometry misreads. Thread-safe; the callers give
 * the time (monotonic, µs).
 */
#ifndef SK_TEXTSHARE_H
#define SK_TEXTSHARE_H

#include <stdint.h>

#include "text/textrec.h"

/* A geometry is handed out for this long after a reader last read text in it. */
#define SK_TEXTSHARE_FRESH_US 10000000

struct sk_textshare;

/* An empty share. */
struct sk_textshare *sk_textshare_new(void);
/* NULL is a no-op. */
void sk_textshare_free(struct sk_textshare *s);
/*
 * The geometry put last into *h, when it is fresh at now_us (else kind 0);
 * returns how many have been put (0: none).
 */
unsigned long sk_textshare_get(struct sk_textshare *s, int64_t now_us, struct sk_textrec_hint *h);
/* A geometry a reader found by searching (copied); returns how many have been put, this one too. */
unsigned long sk_textshare_put(struct sk_textshare *s, const struct sk_textrec_hint *h,
                               int64_t now_us);
/* A reader read text in geometry h without searching: fresh again if it is the one shared. */
void sk_textshare_confirm(struct sk_textshare *s, const struct sk_textrec_hint *h, int64_t now_us);
/*
 * A reader searched a picture (sk_textrec_result.searched). When it found
 * no text, nothing is handed out until a search finds text again (a reader
 * still reading text in the old geometry does not bring it back: the next
 * command searches once).
 */
void sk_textshare_count_search(struct sk_textshare *s, int found_text);
/* How many pictures readers searched, and how many geometries they found (status). */
void sk_textshare_stats(struct sk_textshare *s, unsigned long *searches, unsigned long *found);

#endif

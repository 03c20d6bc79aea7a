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
 *
 * It also keeps the recognisers of readers that are done (up to
 * SK_TEXTSHARE_IDLE), for the next reader to take instead of making one:
 * a new recogniser builds its fonts, and on its first picture their
 * indexes and model fits, which cost a command about as much as reading
 * the picture (bench/cost's resumed units). One taken has forgotten its
 * geometry and reads as a new one (test_textrec's test_reused_reads_as_new).
 * So a recogniser may pass from one thread to another (a console session's
 * to a command's) and be freed by the share: only ever through its lock,
 * and used by one reader at a time.
 */
#ifndef SK_TEXTSHARE_H
#define SK_TEXTSHARE_H

#include <stddef.h>
#include <stdint.h>

#include "text/textrec.h"

/* A geometry is handed out for this long after a reader last read text in it. */
#define SK_TEXTSHARE_FRESH_US 10000000
/* Recognisers kept for the next readers (each some MB: its fonts, their indexes and fits). */
#define SK_TEXTSHARE_IDLE 2

/*
 * The fonts a recogniser was taught, as the renderer was given them
 * (sk_render_set_text_fonts): one kept is handed only to a reader that
 * would teach it the same.
 */
struct sk_textshare_fonts {
    const void *rom; /* the --text-font fonts */
    size_t rom_count;
    const void *console; /* the console fonts */
};

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
/*
 * A recogniser a reader gave back that was taught fonts f, its geometry
 * forgotten; NULL when none is kept (the caller makes one). The caller
 * owns it.
 */
struct sk_textrec *sk_textshare_take(struct sk_textshare *s, const struct sk_textshare_fonts *f);
/* A reader is done with tr, taught fonts f: kept for the next, or freed when enough are. */
void sk_textshare_give(struct sk_textshare *s, struct sk_textrec *tr,
                       const struct sk_textshare_fonts *f);
/* How many pictures readers searched, and how many geometries they found (status). */
void sk_textshare_stats(struct sk_textshare *s, unsigned long *searches, unsigned long *found);

#endif

/*
 * test_view: the shared decode/render cache. Viewers asking at once for the
 * same frame, size and settings get one decode and one render between them;
 * another size or setting renders again (and another size decodes again);
 * a newer frame lets the older entries go; a broken frame is NULL for all.
 * The text views read a picture once, and a screen that is not text only
 * now and then.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "demo/demo.h"
#include "video/frame.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "term/view.h"
#include "base/util.h"

static struct sk_frame *make_frame(uint64_t seq, uint8_t shade)
{
    enum { W = 320, H = 240 };
    uint8_t *rgb = xmalloc(W * H * 3);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) {
        rgb[i] = (uint8_t)(shade + (i % 97));
    }
    struct sk_frame *f = sk_frame_new(0);
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(80);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, rgb, W, H, W * 3, f), 0);
    sk_jpeg_enc_free(enc);
    free(rgb);
    f->seq = seq;
    return f;
}

/* The demo target's BIOS screen (720x400 text) as frame seq. */
static struct sk_frame *demo_frame(uint64_t seq)
{
    struct sk_demo *demo = sk_demo_new();
    struct sk_image img = {0};
    sk_demo_render(demo, 0, &img);
    struct sk_frame *f = sk_frame_new(0);
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(90);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, img.pixels, img.width, img.height, img.pitch, f), 0);
    sk_jpeg_enc_free(enc);
    sk_image_free(&img);
    sk_demo_free(demo);
    f->seq = seq;
    return f;
}

struct viewer {
    struct sk_viewcache *vc;
    struct sk_frame *f;
    struct sk_render_opts opts;
    unsigned cols, rows;
    struct sk_grid copy;
    int ok;
};

static void *viewer_main(void *arg)
{
    struct viewer *v = arg;
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_render *r = sk_render_new();
    const struct sk_grid *g = sk_viewcache_get(v->vc, v->f, v->cols, v->rows, &v->opts, dec, r);
    v->ok = g != NULL && g->cols == v->cols && g->rows == v->rows;
    if (g != NULL) {
        sk_grid_copy(&v->copy, g);
    }
    sk_viewcache_release(v->vc, g);
    sk_render_free(r);
    sk_jpeg_dec_free(dec);
    return NULL;
}

static void test_shared(void)
{
    enum { N = 6 };
    struct sk_viewcache *vc = sk_viewcache_new();
    struct sk_frame *f = make_frame(1, 10);
    struct viewer v[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        v[i] = (struct viewer){.vc = vc, .f = f, .cols = 80, .rows = 23};
        sk_render_opts_default(&v[i].opts);
        pthread_create(&t[i], NULL, viewer_main, &v[i]);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        CHECK(v[i].ok);
    }
    struct sk_viewcache_stats st;
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.decodes, 1);
    CHECK_EQ_INT(st.renders, 1);
    CHECK_EQ_INT(st.shared, N - 1);
    /* Everyone saw the same picture. */
    for (int i = 1; i < N; i++) {
        CHECK(memcmp(v[i].copy.cells, v[0].copy.cells, 80 * 23 * sizeof(struct sk_cell)) == 0);
    }

    /* Other colours at the same size: the decoded picture is reused, the grid is not. */
    struct viewer w = {.vc = vc, .f = f, .cols = 80, .rows = 23};
    sk_render_opts_default(&w.opts);
    w.opts.colors = 24;
    viewer_main(&w);
    CHECK(w.ok);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.decodes, 1);
    CHECK_EQ_INT(st.renders, 2);
    /* Half blocks want half the pixels: their own decode. */
    struct viewer x = w;
    x.copy = (struct sk_grid){0};
    x.opts.mode = SK_RENDER_HALF;
    viewer_main(&x);
    CHECK(x.ok);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.decodes, 2);
    CHECK_EQ_INT(st.renders, 3);

    /* A newer frame: rendered afresh; the old entries are freed (ASan would see a leak otherwise).
     */
    struct sk_frame *f2 = make_frame(2, 90);
    struct viewer y = {.vc = vc, .f = f2, .cols = 80, .rows = 23};
    sk_render_opts_default(&y.opts);
    viewer_main(&y);
    CHECK(y.ok);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.decodes, 3);
    CHECK(memcmp(y.copy.cells, v[0].copy.cells, 80 * 23 * sizeof(struct sk_cell)) != 0);

    /* A broken frame: NULL, and nothing kept. */
    struct sk_frame *bad = sk_frame_new(16);
    sk_frame_set_data(bad, "\xff\xd8\xff\xd9garbage", 12);
    bad->width = 320;
    bad->height = 240;
    bad->seq = 3;
    struct viewer z = {.vc = vc, .f = bad, .cols = 80, .rows = 23};
    sk_render_opts_default(&z.opts);
    viewer_main(&z);
    CHECK(!z.ok);

    for (int i = 0; i < N; i++) {
        sk_grid_free(&v[i].copy);
    }
    sk_grid_free(&w.copy);
    sk_grid_free(&x.copy);
    sk_grid_free(&y.copy);
    sk_frame_unref(f);
    sk_frame_unref(f2);
    sk_frame_unref(bad);
    sk_viewcache_free(vc);
}

/* The text views read a picture once, whatever their cells and colours; art never reads. */
static void test_text_read_once(void)
{
    struct sk_viewcache *vc = sk_viewcache_new();
    struct sk_frame *f = make_frame(1, 10);
    struct viewer a = {.vc = vc, .f = f, .cols = 80, .rows = 23};
    sk_render_opts_default(&a.opts);
    viewer_main(&a);
    CHECK(a.ok);
    struct sk_viewcache_stats st;
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 0);
    struct viewer t[3] = {
        {.vc = vc, .f = f, .cols = 80, .rows = 23},
        {.vc = vc, .f = f, .cols = 132, .rows = 43},
        {.vc = vc, .f = f, .cols = 132, .rows = 43},
    };
    for (int i = 0; i < 3; i++) {
        sk_render_opts_default(&t[i].opts);
        t[i].opts.mode = i == 0 ? SK_RENDER_TEXT : SK_RENDER_AUTO;
        t[i].opts.colors = i == 2 ? 24 : 16;
        viewer_main(&t[i]);
        CHECK(t[i].ok);
        /* The noise is not text: the text view says so, auto shows art without a word. */
        CHECK(!t[i].copy.text);
        CHECK((t[i].copy.note != NULL) == (i == 0));
        sk_grid_free(&t[i].copy);
    }
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 1);
    CHECK_EQ_INT(st.renders, 4);
    sk_grid_free(&a.copy);
    sk_frame_unref(f);
    sk_viewcache_free(vc);
}

/*
 * A grid from the cache, built or shared, says where it drew the screen:
 * the demo's text screen centred cell for cell in the text view, the
 * fitted picture in the art view (what the console maps clicks through).
 */
static void test_place_shared(void)
{
    struct sk_frame *f = demo_frame(1);
    struct sk_viewcache *vc = sk_viewcache_new();
    struct viewer v[3];
    for (int i = 0; i < 3; i++) {
        v[i] = (struct viewer){.vc = vc, .f = f, .cols = 120, .rows = 40};
        sk_render_opts_default(&v[i].opts);
        v[i].opts.mode = i < 2 ? SK_RENDER_TEXT : SK_RENDER_ART;
        viewer_main(&v[i]);
        CHECK(v[i].ok);
    }
    struct sk_viewcache_stats st;
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.shared, 1);
    for (int i = 0; i < 2; i++) {
        const struct sk_grid_place *p = &v[i].copy.place;
        CHECK(v[i].copy.text);
        CHECK(p->col == 20 && p->row == 7 && p->cols == 80 && p->rows == 25);
        CHECK(p->cell_w == 9 && p->cell_h == 16 && p->screen_w == 720 && p->screen_h == 400);
    }
    /* 720x400 in 120x40: 120x33 from row 3. */
    const struct sk_grid_place *a = &v[2].copy.place;
    CHECK(a->col == 0 && a->row == 3 && a->cols == 120 && a->rows == 33);
    CHECK(a->cell_w == 1 && a->cell_h == 1 && a->screen_w == 120 && a->screen_h == 33);
    for (int i = 0; i < 3; i++) {
        sk_grid_free(&v[i].copy);
    }
    sk_viewcache_free(vc);
    sk_frame_unref(f);
}

/* view renders frame f in mode m into 80x30 cells; returns whether the grid is text. */
static int view_text(struct sk_viewcache *vc, struct sk_frame *f, enum sk_render_mode m)
{
    struct viewer v = {.vc = vc, .f = f, .cols = 80, .rows = 30};
    sk_render_opts_default(&v.opts);
    v.opts.mode = m;
    viewer_main(&v);
    CHECK(v.ok);
    int text = v.copy.text;
    sk_grid_free(&v.copy);
    return text;
}

/* Frame f as captured at 30 frames a second, seq 1 at 1 s. */
static struct sk_frame *at_30fps(struct sk_frame *f)
{
    f->captured_us = 1000000 + (int64_t)(f->seq - 1) * 1000000 / 30;
    return f;
}

/*
 * While the screen is not text, the text and auto views read it again only
 * after 250 ms of capture (TEXT_RETRY_US) and draw the frames between as
 * art; a text screen is read on every frame.
 */
static void test_graphics_read_seldom(void)
{
    struct sk_viewcache *vc = sk_viewcache_new();
    struct sk_viewcache_stats st;
    uint64_t seq = 1;
    for (int i = 0; i < 4; i++) {
        struct sk_frame *f = at_30fps(make_frame(seq++, (uint8_t)(10 * i)));
        CHECK(!view_text(vc, f, i % 2 ? SK_RENDER_TEXT : SK_RENDER_AUTO));
        sk_frame_unref(f);
    }
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 1);
    CHECK_EQ_INT(st.renders, 4);
    /* A text screen within the while: art still, then read once the while is over. */
    struct sk_frame *f = at_30fps(demo_frame(seq++));
    CHECK(!view_text(vc, f, SK_RENDER_AUTO));
    sk_frame_unref(f);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 1);
    /* Frame 9, 267 ms after the first, is read; then every frame while it is text. */
    seq = 9;
    for (int i = 0; i < 3; i++) {
        f = at_30fps(demo_frame(seq++));
        CHECK(view_text(vc, f, SK_RENDER_AUTO));
        sk_frame_unref(f);
    }
    f = at_30fps(make_frame(seq++, 30));
    CHECK(!view_text(vc, f, SK_RENDER_AUTO));
    sk_frame_unref(f);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 5);
    sk_viewcache_free(vc);
}

/*
 * A text screen bigger than the view's cells is shown as art drawn from a
 * picture the cells' size (the whole one is decoded for reading only); a
 * slower view's read of an older frame does not undo a newer one's.
 */
static void test_text_too_big_and_late_reads(void)
{
    struct sk_viewcache *vc = sk_viewcache_new();
    struct sk_viewcache_stats st;
    struct sk_frame *f = at_30fps(demo_frame(30));
    struct viewer v = {.vc = vc, .f = f, .cols = 40, .rows = 12};
    sk_render_opts_default(&v.opts);
    v.opts.mode = SK_RENDER_AUTO;
    viewer_main(&v);
    CHECK(v.ok);
    CHECK(!v.copy.text);
    CHECK_EQ_INT(v.copy.text_cols, 80);
    sk_grid_free(&v.copy);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 1);
    CHECK_EQ_INT(st.decodes, 2);
    sk_frame_unref(f);
    /* Frame 29, older, read late as not text: frame 31 (33 ms after 30) is still read. */
    f = at_30fps(make_frame(29, 50));
    CHECK(!view_text(vc, f, SK_RENDER_AUTO));
    sk_frame_unref(f);
    f = at_30fps(make_frame(31, 60));
    CHECK(!view_text(vc, f, SK_RENDER_AUTO));
    sk_frame_unref(f);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 3);
    sk_viewcache_free(vc);
}

/* Frame f through a cols x rows view in the text view; whether it showed text. */
static int view_sized(struct sk_viewcache *vc, struct sk_frame *f, unsigned cols, unsigned rows,
                      unsigned *text_cols)
{
    struct viewer v = {.vc = vc, .f = f, .cols = cols, .rows = rows};
    sk_render_opts_default(&v.opts);
    v.opts.mode = SK_RENDER_TEXT;
    viewer_main(&v);
    CHECK(v.ok);
    int text = v.copy.text;
    *text_cols = v.copy.text_cols;
    sk_grid_free(&v.copy);
    return text;
}

/*
 * A text screen bigger than a view's cells (a 1080p console in a small
 * terminal) is read for that view, which shows it as art, only every
 * TEXT_RETRY_US of capture, and the frames between still say how big the
 * screen is; it was read on every frame. A view it fits reads every frame,
 * and the small view shares those readings.
 */
static void test_too_big_read_seldom(void)
{
    struct sk_viewcache *vc = sk_viewcache_new();
    struct sk_viewcache_stats st;
    unsigned text_cols = 0;
    uint64_t seq = 1;
    for (; seq <= 8; seq++) { /* 233 ms at 30 fps */
        struct sk_frame *f = at_30fps(demo_frame(seq));
        CHECK(!view_sized(vc, f, 40, 12, &text_cols));
        CHECK_EQ_INT(text_cols, 80);
        sk_frame_unref(f);
    }
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 1);
    struct sk_frame *f = at_30fps(demo_frame(seq++)); /* 267 ms */
    CHECK(!view_sized(vc, f, 40, 12, &text_cols));
    sk_frame_unref(f);
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 2);
    for (int i = 0; i < 2; i++, seq++) {
        f = at_30fps(demo_frame(seq));
        CHECK(view_sized(vc, f, 80, 30, &text_cols));
        CHECK(!view_sized(vc, f, 40, 12, &text_cols));
        CHECK_EQ_INT(text_cols, 80);
        sk_frame_unref(f);
    }
    sk_viewcache_stats(vc, &st);
    CHECK_EQ_INT(st.reads, 4);
    sk_viewcache_free(vc);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_shared);
    SK_RUN(test_text_read_once);
    SK_RUN(test_place_shared);
    SK_RUN(test_graphics_read_seldom);
    SK_RUN(test_text_too_big_and_late_reads);
    SK_RUN(test_too_big_read_seldom);
    return SK_CHECK_EXIT();
}

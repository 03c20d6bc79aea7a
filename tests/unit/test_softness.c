/*
 * test_softness: a text screen at its own size has crisp edges, lossless
 * and through JPEG; the same screen scaled as a dongle scales it (bilinear,
 * up or down, on one axis or both) has soft ones on the axes scaled; a
 * flat picture has no edges to tell by.
 */
#include <stdio.h>
#include <string.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "text/softness.h"
#include "base/util.h"

static int load(const char *name, struct sk_image *img)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/text/%s.ppm.gz", sk_test_data(), name);
    return ts_load_ppm_gz(path, img);
}

static void measure(const char *what, const struct sk_image *img, struct sk_softness *s)
{
    CHECK_EQ_INT(sk_softness_measure(img, 3, s), 0);
    fprintf(stderr, "  %-44s x %.3f (%u edges), y %.3f (%u)\n", what, s->x, s->edges_x, s->y,
            s->edges_y);
}

/* SeaBIOS's VGA text screen and Terminus12x6's dialog at 1920x1080, at their own size. */
static void test_own_size_crisp(void)
{
    static const char *const names[] = {"seabios", "fbcon-dialog-terminus12x6-1920x1080"};
    for (size_t i = 0; i < SK_ARRAY_LEN(names); i++) {
        struct sk_image img = {0}, jpg = {0};
        CHECK_EQ_INT(load(names[i], &img), 0);
        struct sk_softness s;
        char what[128];
        snprintf(what, sizeof(what), "%s lossless", names[i]);
        measure(what, &img, &s);
        /* The dialog's box and shadow put a third colour beside some edges. */
        CHECK(s.x >= 0 && s.x <= 0.03);
        CHECK(s.y >= 0 && s.y <= 0.03);
        static const int q[] = {90, 75, 50};
        static const double most[] = {0.04, 0.05, 0.10};
        for (size_t k = 0; k < SK_ARRAY_LEN(q); k++) {
            CHECK_EQ_INT(ts_jpeg(&img, q[k], &jpg), 0);
            snprintf(what, sizeof(what), "%s q%d", names[i], q[k]);
            measure(what, &jpg, &s);
            CHECK(s.x >= 0 && s.x <= most[k]);
            CHECK(s.y >= 0 && s.y <= most[k]);
        }
        sk_image_free(&img);
        sk_image_free(&jpg);
    }
}

/*
 * The same screens scaled: SeaBIOS's 720x400 stretched to 1920x1080 and
 * to 1280x400 (across only), the dialog squeezed to 1280x720, through
 * JPEG q90: the softer axis is well above any the screens at their own
 * size measured; an axis left alone is the crisper by far.
 */
static void test_scaled_soft(void)
{
    static const struct {
        const char *name;
        unsigned w, h;
        int across; /* scaled across only */
    } cases[] = {{"seabios", 1920, 1080, 0},
                 {"seabios", 1280, 400, 1},
                 {"fbcon-dialog-terminus12x6-1920x1080", 1280, 720, 0}};
    for (size_t i = 0; i < SK_ARRAY_LEN(cases); i++) {
        struct sk_image img = {0}, big = {0}, jpg = {0};
        CHECK_EQ_INT(load(cases[i].name, &img), 0);
        ts_scale(&img, cases[i].w, cases[i].h, &big);
        CHECK_EQ_INT(ts_jpeg(&big, 90, &jpg), 0);
        struct sk_softness s;
        char what[128];
        snprintf(what, sizeof(what), "%s to %ux%u q90", cases[i].name, cases[i].w, cases[i].h);
        measure(what, &jpg, &s);
        CHECK((s.x > s.y ? s.x : s.y) > 0.15);
        if (cases[i].across) {
            CHECK(s.y >= 0 && s.y < s.x / 2);
        }
        sk_image_free(&img);
        sk_image_free(&big);
        sk_image_free(&jpg);
    }
}

/* A flat picture, one too small and a bad step: nothing to tell by. */
static void test_no_edges(void)
{
    struct sk_image img = {0};
    sk_image_resize(&img, 640, 480);
    memset(img.pixels, 0x55, (size_t)img.pitch * img.height);
    struct sk_softness s;
    CHECK_EQ_INT(sk_softness_measure(&img, 1, &s), -1);
    CHECK(s.x < 0 && s.y < 0);
    CHECK_EQ_INT(s.edges_x, 0);
    CHECK_EQ_INT(s.edges_y, 0);
    /* One white column: edges across, none down. */
    for (unsigned y = 0; y < img.height; y++) {
        memset(img.pixels + (size_t)y * img.pitch + 3 * 320, 0xFF, 3);
    }
    CHECK_EQ_INT(sk_softness_measure(&img, 1, &s), 0);
    CHECK(s.x == 0);
    CHECK(s.y < 0);
    CHECK_EQ_INT(s.edges_x, 5 * 480);
    CHECK_EQ_INT(sk_softness_measure(&img, 0, &s), -1);
    sk_image_resize(&img, 4, 4);
    CHECK_EQ_INT(sk_softness_measure(&img, 1, &s), -1);
    /* Five wide, one window a row: a white pixel in the middle is an edge, not soft. */
    sk_image_resize(&img, 5, 400);
    memset(img.pixels, 0, (size_t)img.pitch * img.height);
    for (unsigned y = 0; y < img.height; y++) {
        memset(img.pixels + (size_t)y * img.pitch + 3 * 2, 0xFF, 3);
    }
    CHECK_EQ_INT(sk_softness_measure(&img, 1, &s), 0);
    CHECK_EQ_INT(s.edges_x, 400);
    CHECK(s.x == 0);
    /* Black, black, grey, white, white: the grey is in the middle of its span, soft. */
    for (unsigned y = 0; y < img.height; y++) {
        memset(img.pixels + (size_t)y * img.pitch + 3 * 2, 0x80, 3);
        memset(img.pixels + (size_t)y * img.pitch + 3 * 3, 0xFF, 6);
    }
    CHECK_EQ_INT(sk_softness_measure(&img, 1, &s), 0);
    CHECK_EQ_INT(s.edges_x, 400);
    CHECK(s.x == 1);
    sk_image_free(&img);
}

int main(void)
{
    SK_RUN(test_own_size_crisp);
    SK_RUN(test_scaled_soft);
    SK_RUN(test_no_edges);
    return SK_CHECK_EXIT();
}

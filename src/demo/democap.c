/*
 * democap: the "demo" capture source, the built-in demo target's screen.
 *
 * At opts->fps (30 when 0) it renders the demo target's screen into an
 * image it owns and encodes it as a JPEG at opts->jpeg_quality (80 when 0).
 * Like an HDMI dongle, it sends a steady stream even when the picture does
 * not change, so consumers see the same rate either way.
 */
#include <stdio.h>
#include <stdlib.h>

#include "capture/source.h"
#include "demo/democap.h"
#include "demo/demo.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/util.h"

struct demo_source {
    struct sk_demo *demo; /* borrowed */
    struct sk_jpeg_enc *enc;
    struct sk_image img;
    struct sk_frame *scratch; /* encoder output at worst-case size, reused */
    double fps;
    int64_t due_us;
};

static void demo_close(void *arg)
{
    struct demo_source *ds = arg;
    if (ds == NULL) {
        return;
    }
    sk_jpeg_enc_free(ds->enc);
    sk_frame_unref(ds->scratch);
    sk_image_free(&ds->img);
    free(ds);
}

static void *demo_open(const char *arg, const struct sk_capture_opts *opts,
                       struct sk_source_status *status, char *err, size_t errlen)
{
    struct demo_source *ds = xcalloc(1, sizeof(*ds));
    ds->demo = opts->demo_ctx;
    ds->fps = opts->fps > 0 ? opts->fps : 30.0;
    ds->scratch = sk_frame_new(0);
    ds->enc = sk_jpeg_enc_new(opts->jpeg_quality > 0 ? opts->jpeg_quality : 80);
    if (ds->enc == NULL) {
        snprintf(err, errlen, "demo: cannot create a JPEG encoder");
        demo_close(ds);
        return NULL;
    }
    return ds;
}

static int demo_next(void *arg, const atomic_int *stop, struct sk_frame **out)
{
    struct demo_source *ds = arg;
    int rc = sk_capture_pace(stop, &ds->due_us, ds->fps);
    if (rc != 0) {
        return rc;
    }
    sk_demo_render(ds->demo, sk_now_ms(), &ds->img);
    /*
     * Encode into the reused worst-case buffer, then copy the JPEG into a
     * frame of its real size: published frames may live on in slow
     * consumers, and should not each hold a worst-case buffer.
     */
    if (sk_jpeg_encode_rgb(ds->enc, ds->img.pixels, ds->img.width, ds->img.height, ds->img.pitch,
                           ds->scratch) != 0) {
        return -1;
    }
    *out = sk_capture_jpeg_frame(ds->scratch->data, ds->scratch->size, ds->scratch->width,
                                 ds->scratch->height);
    return 0;
}

const struct sk_source_ops sk_democap_ops = {
    .kind = "demo",
    .open = demo_open,
    .next = demo_next,
    .close = demo_close,
};

/*
 * capture: the capture thread and the choice of video source.
 *
 * sk_capture_open picks a source from the --video spec (see source.h for
 * the interface), opens it on the caller's thread so that a bad file or
 * device is reported at start, then runs one thread named "capture" that
 * asks the source for frames and publishes each into the hub. The capture
 * owns its source and thread; the hub and demo target are borrowed. A stop
 * flag, which every wait in the sources checks at least every 100 ms, lets
 * sk_capture_close join promptly.
 *
 * Also here, shared by the sources: deadline pacing and the generated
 * "NO SIGNAL" picture, drawn with a tiny built-in 5x7 font.
 */
#include "capture/capture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/negotiate.h"
#include "capture/source.h"
#include "video/hub.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "base/util.h"

struct sk_capture {
    struct sk_capture_opts opts; /* opts.spec points at spec below */
    char *spec;
    const struct sk_source_ops *ops;
    void *src;
    pthread_t thread;
    int running;
    atomic_int stop;
    struct sk_source_status status; /* written by the source, read by sk_capture_stats */
};

int sk_capture_check_spec(const char *spec, char *err, size_t errlen)
{
    if (spec != NULL) {
        if (strcmp(spec, "demo") == 0) {
            return 0;
        }
        if (strncmp(spec, "file:", 5) == 0 && spec[5] != '\0') {
            return 0;
        }
        if (strncmp(spec, "/dev/", 5) == 0 && spec[5] != '\0') {
            return 0;
        }
    }
    snprintf(err, errlen, "'%s' is not demo, /dev/videoN or file:PATH", spec ? spec : "");
    return -1;
}

struct sk_capture *sk_capture_new(const struct sk_capture_opts *opts)
{
    struct sk_capture *cap = xcalloc(1, sizeof(*cap));
    cap->opts = *opts;
    cap->spec = xstrdup(opts->spec ? opts->spec : "");
    cap->opts.spec = cap->spec;
    atomic_init(&cap->stop, 0);
    return cap;
}

void sk_capture_free(struct sk_capture *cap)
{
    if (cap == NULL) {
        return;
    }
    sk_capture_close(cap);
    free(cap->spec);
    free(cap);
}

static void *capture_main(void *arg)
{
    struct sk_capture *cap = arg;
    int failing = 0;
    sk_log_thread_name("capture");
    while (!atomic_load(&cap->stop)) {
        struct sk_frame *frame = NULL;
        int rc = cap->ops->next(cap->src, &cap->stop, &frame);
        if (rc == 0) {
            if (!frame->no_signal) {
                atomic_fetch_add(&cap->status.frames, 1);
            }
            sk_hub_publish(cap->opts.hub, frame);
            sk_frame_unref(frame);
            failing = 0;
        } else if (rc == SK_E_CLOSED) {
            break;
        } else if (rc != SK_E_AGAIN) {
            /* Sources handle their own recoverable trouble; this is a backstop. */
            if (!failing) {
                sk_log(SK_LOG_ERROR, "capture", "%s: %s source failed, retrying", cap->spec,
                       cap->ops->kind);
                failing = 1;
            }
            sk_capture_sleep_until(&cap->stop, sk_now_us() + 1000000);
        }
    }
    return NULL;
}

int sk_capture_open(struct sk_capture *cap, char *err, size_t errlen)
{
    if (cap->running) {
        return 0;
    }
    if (sk_capture_check_spec(cap->spec, err, errlen) != 0) {
        return -1;
    }
    const char *arg = cap->spec;
    if (strcmp(cap->spec, "demo") == 0) {
        if (cap->opts.demo_ops == NULL) {
            snprintf(err, errlen, "demo: no demo target to show");
            return -1;
        }
        cap->ops = cap->opts.demo_ops;
    } else if (strncmp(cap->spec, "file:", 5) == 0) {
        cap->ops = &sk_capture_file_ops;
        arg = cap->spec + 5;
    } else {
        cap->ops = &sk_capture_v4l2_ops;
    }

    cap->src = cap->ops->open(arg, &cap->opts, &cap->status, err, errlen);
    if (cap->src == NULL) {
        return -1;
    }
    if (cap->ops != &sk_capture_v4l2_ops) {
        /* demo and file: keep producing whether or not anyone watches (they are cheap). */
        atomic_store(&cap->status.state, SK_SOURCE_STREAMING);
        atomic_store(&cap->status.fourcc, SK_FMT_JPEG);
    }
    atomic_store(&cap->stop, 0);
    int rc = pthread_create(&cap->thread, NULL, capture_main, cap);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the capture thread: %s", strerror(rc));
        goto fail;
    }
    cap->running = 1;
    sk_log(SK_LOG_INFO, "capture", "capturing from %s", cap->spec);
    return 0;

fail:
    cap->ops->close(cap->src);
    cap->src = NULL;
    return -1;
}

void sk_capture_close(struct sk_capture *cap)
{
    if (cap == NULL || !cap->running) {
        return;
    }
    atomic_store(&cap->stop, 1);
    pthread_join(cap->thread, NULL);
    cap->running = 0;
    cap->ops->close(cap->src);
    cap->src = NULL;
}

const char *sk_capture_name(const struct sk_capture *cap)
{
    return cap->spec;
}

void sk_capture_stats(struct sk_capture *cap, struct sk_capture_stats *out)
{
    static const char *const names[] = {
        [SK_SOURCE_STARTING] = "starting",   [SK_SOURCE_STREAMING] = "streaming",
        [SK_SOURCE_IDLE] = "idle",           [SK_SOURCE_NO_SIGNAL] = "no-signal",
        [SK_SOURCE_NO_DEVICE] = "no-device",
    };
    struct sk_source_status *st = &cap->status;
    int state = atomic_load(&st->state);
    out->state = state >= 0 && (size_t)state < SK_ARRAY_LEN(names) ? names[state] : "starting";
    const char *fmt = sk_format_name(atomic_load(&st->fourcc));
    snprintf(out->format, sizeof(out->format), "%s", fmt ? fmt : "");
    out->width = atomic_load(&st->width);
    out->height = atomic_load(&st->height);
    out->frames = atomic_load(&st->frames);
    out->dropped = atomic_load(&st->dropped);
    out->restarts = atomic_load(&st->restarts);
    out->reconnects = atomic_load(&st->reconnects);
}

int sk_capture_sleep_until(const atomic_int *stop, int64_t deadline_us)
{
    for (;;) {
        if (atomic_load(stop)) {
            return SK_E_CLOSED;
        }
        int64_t left = deadline_us - sk_now_us();
        if (left <= 0) {
            return 0;
        }
        int64_t slice = SK_MIN(left, (int64_t)100000);
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(slice * 1000)};
        nanosleep(&ts, NULL);
    }
}

int sk_capture_pace(const atomic_int *stop, int64_t *due_us, double fps)
{
    int64_t now = sk_now_us();
    if (*due_us == 0) {
        /* The first frame is due at once. */
        *due_us = now;
        return atomic_load(stop) ? SK_E_CLOSED : 0;
    }
    *due_us += (int64_t)(1e6 / fps);
    if (now - *due_us > 1000000) {
        *due_us = now;
    }
    return sk_capture_sleep_until(stop, *due_us);
}

struct sk_frame *sk_capture_jpeg_frame(const uint8_t *data, size_t len, unsigned width,
                                       unsigned height)
{
    struct sk_frame *frame = sk_frame_new(len);
    sk_frame_set_data(frame, data, len);
    frame->width = width;
    frame->height = height;
    frame->format = SK_FRAME_JPEG;
    frame->captured_us = sk_now_us();
    return frame;
}

/* The letters of "NO SIGNAL", 5 pixels wide (bit 4 is the left column), 7 high. */
static const struct {
    char c;
    uint8_t rows[7];
} no_signal_font[] = {
    {'N', {0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
};

static const uint8_t *glyph(char c)
{
    for (size_t k = 0; k < SK_ARRAY_LEN(no_signal_font); k++) {
        if (no_signal_font[k].c == c) {
            return no_signal_font[k].rows;
        }
    }
    return NULL;
}

static void fill_rect(struct sk_image *img, unsigned x0, unsigned y0, unsigned w, unsigned h,
                      const uint8_t rgb[3])
{
    for (unsigned y = y0; y < y0 + h && y < img->height; y++) {
        uint8_t *p = img->pixels + (size_t)y * img->pitch;
        for (unsigned x = x0; x < x0 + w && x < img->width; x++) {
            memcpy(p + x * 3, rgb, 3);
        }
    }
}

struct sk_frame *sk_capture_no_signal_frame(struct sk_jpeg_enc *enc, unsigned width,
                                            unsigned height)
{
    static const char text[] = "NO SIGNAL";
    static const uint8_t background[3] = {12, 12, 20};
    static const uint8_t ink[3] = {200, 200, 200};
    if (width < 16 || height < 16) {
        width = 640;
        height = 480;
    }
    struct sk_image img = {0};
    sk_image_resize(&img, width, height);
    fill_rect(&img, 0, 0, width, height, background);

    /* Each letter is 5 units plus 1 of spacing; make the text about 60% of the width. */
    unsigned units = (unsigned)(sizeof(text) - 1) * 6 - 1;
    unsigned scale = SK_MAX(1u, width * 6 / 10 / units);
    scale = SK_MIN(scale, SK_MAX(1u, height / 3 / 7));
    unsigned x0 = (width - SK_MIN(width, units * scale)) / 2;
    unsigned y0 = (height - SK_MIN(height, 7 * scale)) / 2;
    for (size_t k = 0; k < sizeof(text) - 1; k++) {
        const uint8_t *rows = glyph(text[k]);
        for (unsigned r = 0; rows != NULL && r < 7; r++) {
            for (unsigned c = 0; c < 5; c++) {
                if (rows[r] & (0x10 >> c)) {
                    fill_rect(&img, x0 + ((unsigned)k * 6 + c) * scale, y0 + r * scale, scale,
                              scale, ink);
                }
            }
        }
    }

    struct sk_frame *frame = sk_frame_new(0);
    if (sk_jpeg_encode_rgb(enc, img.pixels, img.width, img.height, img.pitch, frame) != 0) {
        sk_frame_unref(frame);
        frame = NULL;
    } else {
        frame->no_signal = 1;
        frame->captured_us = sk_now_us();
    }
    sk_image_free(&img);
    return frame;
}

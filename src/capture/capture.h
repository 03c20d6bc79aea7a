/*
 * capture: the thread that turns a video source into frames in the hub.
 *
 * One capture runs per program. It opens the source named by --video,
 * produces JPEG frames (passed through untouched when the source already
 * delivers JPEG; encoded once per frame when it delivers raw pixels) and
 * publishes each into the hub. Sources:
 *   "demo"        the built-in demo target's screen, encoded at --fps
 *   "file:PATH"   concatenated JPEG frames (ffmpeg -f mjpeg), played at --fps, looped
 *   "/dev/videoN" a V4L2 capture device through libv4l2 (MJPEG preferred)
 */
#ifndef SK_CAPTURE_H
#define SK_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sk_hub;
struct sk_source_ops;
struct sk_capture;

struct sk_capture_opts {
    const char *spec;   /* the --video value */
    struct sk_hub *hub; /* where frames go (borrowed, outlives the capture) */
    /* The "demo" source: the demo target's own source (demo/democap.c) and its state, both
     * borrowed; capture knows nothing of the demo beyond them. NULL: "demo" cannot open. */
    const struct sk_source_ops *demo_ops;
    void *demo_ctx;
    double fps;       /* demo and file: playback rate; V4L2: requested rate (0: default) */
    int jpeg_quality; /* for sources that encode: 1..100 */
    unsigned width;   /* V4L2: requested resolution, 0 for the device's default */
    unsigned height;
    uint32_t format; /* V4L2: fourcc to insist on, 0 for auto (MJPEG preferred) */
    int input;       /* V4L2: input to select (S_INPUT), -1 to keep the current one */
    int always;      /* V4L2: stream even while nobody watches (default: on demand) */
};

/* What the capture is doing, for status. */
struct sk_capture_stats {
    const char *state; /* "starting", "streaming", "idle", "no-signal", "no-device" */
    char format[8];    /* the pixel format in use ("mjpeg", "yuyv", "rgb24"), "" if none */
    unsigned width;    /* the size the device delivers, 0 if unknown */
    unsigned height;
    unsigned long long frames;     /* frames taken from the device */
    unsigned long long dropped;    /* broken frames dropped */
    unsigned long long restarts;   /* streaming restarted (source change, stalls) */
    unsigned long long reconnects; /* the device came back after it was gone or failing */
};

/* Check a --video value without opening anything: 0, or -1 with err set. */
int sk_capture_check_spec(const char *spec, char *err, size_t errlen);

struct sk_capture *sk_capture_new(const struct sk_capture_opts *opts);
void sk_capture_free(struct sk_capture *cap);
/*
 * Open the source and start the capture thread. A source that cannot be
 * used (a missing file, a device that is not a capture device, a refused
 * --format) fails here with err set; a V4L2 device that is missing at
 * start or vanishes later is retried by the thread and shown as NO SIGNAL
 * meanwhile.
 */
int sk_capture_open(struct sk_capture *cap, char *err, size_t errlen);
/* Stop the thread and close the source. Idempotent. */
void sk_capture_close(struct sk_capture *cap);
/* What is being captured, for status lines ("demo", "file:x.mjpeg", "/dev/video0"). */
const char *sk_capture_name(const struct sk_capture *cap);
/* A snapshot of the capture's counters and state; callable from any thread. */
void sk_capture_stats(struct sk_capture *cap, struct sk_capture_stats *out);

/*
 * --list-video: print what the V4L2 device at path (or a /dev/v4l/by-id
 * link) offers to out: inputs, DV timings, pixel formats with their frame
 * sizes and intervals. Returns 0, or -1 with err set.
 */
int sk_capture_list_video(const char *path, FILE *out, char *err, size_t errlen);

#endif

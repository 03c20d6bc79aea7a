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

struct sk_hub;
struct sk_demo;
struct sk_capture;

struct sk_capture_opts {
    const char *spec;      /* the --video value */
    struct sk_hub *hub;    /* where frames go (borrowed, outlives the capture) */
    struct sk_demo *demo;  /* the demo target, needed when spec is "demo" (borrowed) */
    double fps;            /* demo and file: playback rate; V4L2: requested rate (0: default) */
    int jpeg_quality;      /* for sources that encode: 1..100 */
    unsigned width;        /* V4L2: requested resolution, 0 for the device's default */
    unsigned height;
};

/* Check a --video value without opening anything: 0, or -1 with err set. */
int sk_capture_check_spec(const char *spec, char *err, size_t errlen);

struct sk_capture *sk_capture_new(const struct sk_capture_opts *opts);
void sk_capture_free(struct sk_capture *cap);
/*
 * Open the source and start the capture thread. A source that cannot be
 * opened at start (a missing file, a device that is not a capture device)
 * fails here with err set; a V4L2 device that vanishes later is retried by
 * the thread and shown as NO SIGNAL meanwhile.
 */
int sk_capture_open(struct sk_capture *cap, char *err, size_t errlen);
/* Stop the thread and close the source. Idempotent. */
void sk_capture_close(struct sk_capture *cap);
/* What is being captured, for status lines ("demo", "file:x.mjpeg", "/dev/video0"). */
const char *sk_capture_name(const struct sk_capture *cap);

#endif

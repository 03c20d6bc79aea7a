/*
 * source: the interface between the capture thread and its video sources
 * (file.c and v4l2.c here; the demo target's demo/democap.c, handed in
 * through sk_capture_opts.demo_ops). Only sources include this.
 *
 * A source is opened on the caller's thread (so open errors reach
 * sk_capture_open), then used only by the capture thread: next() is called
 * in a loop and hands back one frame at a time, doing its own pacing. It
 * must return within about 100 ms when *stop becomes set, so that
 * sk_capture_close joins promptly.
 */
#ifndef SK_CAPTURE_SOURCE_H
#define SK_CAPTURE_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "video/frame.h"

struct sk_jpeg_enc;

enum sk_source_state {
    SK_SOURCE_STARTING = 0,
    SK_SOURCE_STREAMING,
    SK_SOURCE_IDLE,
    SK_SOURCE_NO_SIGNAL,
    SK_SOURCE_NO_DEVICE,
};

/*
 * What a source reports about itself, written by the capture thread and
 * read by status from any thread (hence atomics; no lock).
 */
struct sk_source_status {
    atomic_int state;   /* enum sk_source_state */
    atomic_uint fourcc; /* the pixel format in use, 0 if none */
    atomic_uint width;
    atomic_uint height;
    atomic_ullong frames;
    atomic_ullong dropped;
    atomic_ullong restarts;
    atomic_ullong reconnects;
};

struct sk_source_ops {
    const char *kind; /* "file", "demo", "v4l2": for log lines */
    /*
     * Open the source named by arg (the path for file and V4L2, unused for
     * demo) with the capture's options and status (both borrowed for the
     * source's life). Returns the source's own state (opaque to the
     * thread), or NULL with err filled.
     */
    void *(*open)(const char *arg, const struct sk_capture_opts *opts,
                  struct sk_source_status *status, char *err, size_t errlen);
    /*
     * Produce the next frame: 0 with *out set to a new frame the caller
     * publishes and unrefs; SK_E_AGAIN when there is nothing this time (call
     * again); SK_E_CLOSED once *stop is set; -1 on an error the source
     * cannot recover from (the thread logs it and retries a little later).
     */
    int (*next)(void *src, const atomic_int *stop, struct sk_frame **out);
    /* Close and free the source. */
    void (*close)(void *src);
};

extern const struct sk_source_ops sk_capture_file_ops;
extern const struct sk_source_ops sk_capture_v4l2_ops;

/*
 * Sleep until the monotonic time deadline_us in slices of at most 100 ms.
 * Returns 0 at the deadline, SK_E_CLOSED as soon as *stop is set.
 */
int sk_capture_sleep_until(const atomic_int *stop, int64_t deadline_us);

/*
 * Pacing by absolute deadlines: *due_us is when the previous frame was due;
 * advance it by one period and sleep until then. A source that fell more
 * than a second behind (a stalled machine) starts counting afresh rather
 * than bursting to catch up. Returns 0, or SK_E_CLOSED once *stop is set.
 */
int sk_capture_pace(const atomic_int *stop, int64_t *due_us, double fps);

/*
 * A new JPEG frame holding a copy of the len bytes at data, width x height,
 * stamped with the current time; the caller publishes and unrefs it.
 */
struct sk_frame *sk_capture_jpeg_frame(const uint8_t *data, size_t len, unsigned width,
                                       unsigned height);

/*
 * A generated "NO SIGNAL" picture: a dark screen with large text, encoded
 * with enc into a new frame (no_signal set). NULL if encoding fails.
 */
struct sk_frame *sk_capture_no_signal_frame(struct sk_jpeg_enc *enc, unsigned width,
                                            unsigned height);

#endif

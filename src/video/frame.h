/*
 * frame: a refcounted, immutable-once-published picture.
 *
 * A capture source fills a frame (JPEG bytes exactly as captured, or raw
 * pixels) and publishes it into the hub; from then on nobody writes
 * to it, and every consumer that holds a reference may read it from any
 * thread. The last sk_frame_unref frees it.
 *
 * A JPEG frame from a raw source (YUYV, RGB24) may carry its raw pixels as
 * a companion frame (raw), owned by it and freed with it, so that a
 * renderer can scale the pixels directly instead of decoding the JPEG.
 */
#ifndef SK_FRAME_H
#define SK_FRAME_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum sk_frame_format {
    SK_FRAME_JPEG = 1, /* data holds one complete JPEG (SOI..EOI) */
    SK_FRAME_RGB24,    /* data holds height rows of width*3 bytes, pitch apart */
    SK_FRAME_YUYV,     /* data holds height rows of width*2 bytes (Y0 U Y1 V), pitch apart */
};

struct sk_frame {
    uint8_t *data;
    size_t size;     /* bytes used */
    size_t capacity; /* bytes allocated */
    unsigned width;
    unsigned height;
    unsigned pitch; /* raw formats: bytes from one row to the next */
    enum sk_frame_format format;
    struct sk_frame *raw; /* optional raw pixels of the same picture, owned */
    uint64_t seq;         /* set by sk_hub_publish: 1, 2, 3, ... */
    int64_t captured_us;  /* monotonic time the source produced it */
    int no_signal;        /* a generated "NO SIGNAL" picture, not the target's */
    atomic_int refs;
};

/* A new frame with room for capacity bytes and one reference. */
struct sk_frame *sk_frame_new(size_t capacity);
/* Take another reference; returns f. */
struct sk_frame *sk_frame_ref(struct sk_frame *f);
/* Drop a reference; frees the frame with the last one. NULL is a no-op. */
void sk_frame_unref(struct sk_frame *f);
/* Copy size bytes into the frame (growing it); only before it is published. */
void sk_frame_set_data(struct sk_frame *f, const void *data, size_t size);
/* Make room for at least capacity bytes; only before it is published. */
void sk_frame_reserve(struct sk_frame *f, size_t capacity);

#endif

/*
 * image: a reusable RGB24 pixel buffer (decoded frames, rendered screens).
 *
 * Unlike a frame it is owned by one thread and reused from picture to
 * picture, so decoding never allocates once the buffer is big enough.
 */
#ifndef SK_IMAGE_H
#define SK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct sk_image {
    uint8_t *pixels; /* RGB24, row r starts at pixels + r * pitch */
    unsigned width;
    unsigned height;
    unsigned pitch; /* bytes per row, >= width * 3 */
    size_t capacity;
};

/* Set the size (pitch = width * 3), growing the buffer when needed. */
void sk_image_resize(struct sk_image *img, unsigned width, unsigned height);
/* Release the pixels; the struct may be reused. */
void sk_image_free(struct sk_image *img);

#endif

/*
 * picture: a published frame as RGB pixels at about the size a renderer
 * needs, by the cheapest way the frame allows.
 *
 * A frame from a raw source (YUYV, RGB24 capture) carries its raw pixels
 * (frame->raw): they are box-filtered down directly, no JPEG decode. Any
 * other frame is decoded from its JPEG with libjpeg-turbo's DCT scaling.
 * Both the ssh console and the `screen` command get their pixels here.
 */
#ifndef SK_PICTURE_H
#define SK_PICTURE_H

#include "video/frame.h"
#include "video/image.h"
#include "video/jpeg.h"

/*
 * Fill out (RGB24) from frame f at the smallest size that is still at least
 * min_width x min_height (or full size when the frame is smaller), using
 * f->raw when present and dec (the caller's, one per thread) otherwise.
 * Returns 0, or -1 when the frame cannot be turned into pixels.
 */
int sk_picture_get(struct sk_jpeg_dec *dec, const struct sk_frame *f, unsigned min_width,
                   unsigned min_height, struct sk_image *out);

/*
 * Shrink raw pixels (an SK_FRAME_YUYV or SK_FRAME_RGB24 frame) by the
 * largest whole factor k that keeps at least min_width x min_height, each
 * output pixel the mean of its k x k block (up to 4 x 4 samples of it).
 * Returns 0, or -1 for another format or an inconsistent size.
 */
int sk_picture_from_raw(const struct sk_frame *raw, unsigned min_width, unsigned min_height,
                        struct sk_image *out);

#endif

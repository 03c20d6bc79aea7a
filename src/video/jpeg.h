/*
 * jpeg: libjpeg-turbo (TurboJPEG API) decode and encode.
 *
 * Decoding uses the DCT scaling that libjpeg-turbo offers (1/8 .. 1) to
 * produce the smallest picture that still covers what the caller will show,
 * which is much cheaper than decoding full size and shrinking. Encoding
 * turns raw pixels (the demo target's screen, YUYV capture) into the JPEG
 * frames that the hub carries. A decoder or encoder belongs to one thread.
 */
#ifndef SK_JPEG_H
#define SK_JPEG_H

#include <stddef.h>
#include <stdint.h>

#include "video/frame.h"
#include "video/image.h"

/* The largest width or height sk_jpeg_decode accepts (8K: twice any HDMI dongle's). */
#define SK_JPEG_MAX_SIDE 8192

struct sk_jpeg_dec;
struct sk_jpeg_enc;

/* Read the dimensions from a JPEG header without decoding; 0 or -1. */
int sk_jpeg_info(const uint8_t *jpeg, size_t len, unsigned *width, unsigned *height);

struct sk_jpeg_dec *sk_jpeg_dec_new(void);
void sk_jpeg_dec_free(struct sk_jpeg_dec *dec);
/*
 * Decode jpeg into out (RGB24) at the smallest DCT scale whose size is at
 * least min_width x min_height (full size when none is that big; 0 x 0 asks
 * for the smallest scale). Returns 0, or -1 for a malformed JPEG (logged
 * once per decoder until a good one comes) or one larger than
 * SK_JPEG_MAX_SIDE on a side.
 */
int sk_jpeg_decode(struct sk_jpeg_dec *dec, const uint8_t *jpeg, size_t len, unsigned min_width,
                   unsigned min_height, struct sk_image *out);

struct sk_jpeg_enc *sk_jpeg_enc_new(int quality);
void sk_jpeg_enc_free(struct sk_jpeg_enc *enc);
/*
 * Encode RGB24 pixels (rows pitch bytes apart) as a JPEG into frame:
 * frame->data/size/width/height/format are set. Returns 0 or -1.
 */
int sk_jpeg_encode_rgb(struct sk_jpeg_enc *enc, const uint8_t *rgb, unsigned width, unsigned height,
                       unsigned pitch, struct sk_frame *frame);
/* Encode packed YUYV 4:2:2 (as V4L2 delivers it) into frame. Returns 0 or -1. */
int sk_jpeg_encode_yuyv(struct sk_jpeg_enc *enc, const uint8_t *yuyv, unsigned width,
                        unsigned height, unsigned pitch, struct sk_frame *frame);

#endif

/*
 * jpeg: libjpeg-turbo (TurboJPEG 2.1 API) behind sk_ names.
 *
 * A decoder owns a TurboJPEG decompressor and decodes straight into the
 * caller's reusable sk_image at the smallest DCT scale (1/8 .. 1) that still
 * covers the size the caller will show. An encoder owns a compressor and
 * writes JPEGs directly into a frame's buffer, reserved to the worst-case
 * size first so TurboJPEG never reallocates memory it does not own. YUYV
 * input is split into Y, Cb, Cr planes (kept in the encoder for reuse) and
 * compressed as 4:2:2 without going through RGB. TurboJPEG error text is
 * turned into log lines here and never passed upward.
 */
#include "video/jpeg.h"

#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "base/log.h"
#include "base/util.h"

struct sk_jpeg_dec {
    tjhandle tj;
    int failing; /* the last frame failed: do not log again until one decodes */
};

struct sk_jpeg_enc {
    tjhandle tj;
    int quality;
    int failing;
    uint8_t *planes; /* Y, Cb, Cr for YUYV input, reused */
    size_t planes_cap;
};

/* Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) do not. */
static int is_sof(uint8_t m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

int sk_jpeg_info(const uint8_t *jpeg, size_t len, unsigned *width, unsigned *height)
{
    /* Walk the header segments to the SOF ourselves: no handle, no allocation. */
    if (len < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) {
        return -1;
    }
    size_t i = 2;
    while (i + 4 <= len) {
        if (jpeg[i] != 0xFF) {
            return -1;
        }
        uint8_t m = jpeg[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) {
            i += 2;
            continue;
        }
        if (m == 0xD8 || m == 0xD9 || m == 0xDA || m == 0x00) {
            /* The SOF must come before the first scan. */
            return -1;
        }
        size_t seglen = ((size_t)jpeg[i + 2] << 8) | jpeg[i + 3];
        if (seglen < 2) {
            return -1;
        }
        if (is_sof(m)) {
            /* Length, precision, height (2), width (2). */
            if (seglen < 7 || i + 9 > len) {
                return -1;
            }
            unsigned h = ((unsigned)jpeg[i + 5] << 8) | jpeg[i + 6];
            unsigned w = ((unsigned)jpeg[i + 7] << 8) | jpeg[i + 8];
            if (w == 0 || h == 0) {
                return -1;
            }
            *width = w;
            *height = h;
            return 0;
        }
        i += 2 + seglen;
    }
    return -1;
}

struct sk_jpeg_dec *sk_jpeg_dec_new(void)
{
    struct sk_jpeg_dec *dec = xcalloc(1, sizeof(*dec));
    dec->tj = tjInitDecompress();
    if (dec->tj == NULL) {
        sk_log(SK_LOG_ERROR, "jpeg", "cannot create a decompressor: %s", tjGetErrorStr2(NULL));
        free(dec);
        return NULL;
    }
    return dec;
}

void sk_jpeg_dec_free(struct sk_jpeg_dec *dec)
{
    if (dec == NULL) {
        return;
    }
    tjDestroy(dec->tj);
    free(dec);
}

int sk_jpeg_decode(struct sk_jpeg_dec *dec, const uint8_t *jpeg, size_t len, unsigned min_width,
                   unsigned min_height, struct sk_image *out)
{
    int w = 0;
    int h = 0;
    int subsamp = 0;
    int colorspace = 0;
    if (len > (size_t)0x7fffffff) {
        goto fail;
    }
    if (tjDecompressHeader3(dec->tj, jpeg, (unsigned long)len, &w, &h, &subsamp, &colorspace) !=
        0) {
        goto fail;
    }
    /*
     * No capture device sends more than 4K; a header claiming more is
     * hostile or broken, and decoding it would take hundreds of MB.
     */
    if (w > SK_JPEG_MAX_SIDE || h > SK_JPEG_MAX_SIDE) {
        sk_log(SK_LOG_DEBUG, "jpeg", "refusing a %dx%d JPEG (more than %d a side)", w, h,
               SK_JPEG_MAX_SIDE);
        return -1;
    }

    /* The smallest scaled size that still covers the minimum; full size if none does. */
    int nsf = 0;
    tjscalingfactor *sfs = tjGetScalingFactors(&nsf);
    int best_w = w;
    int best_h = h;
    for (int k = 0; sfs != NULL && k < nsf; k++) {
        if (sfs[k].num > sfs[k].denom) {
            /* Never scale up: that only costs time and adds no detail. */
            continue;
        }
        int sw = TJSCALED(w, sfs[k]);
        int sh = TJSCALED(h, sfs[k]);
        /* 64-bit products: 65535 x 65535 overflows a 32-bit long (a Pi's). */
        if ((unsigned)sw >= min_width && (unsigned)sh >= min_height &&
            (int64_t)sw * sh < (int64_t)best_w * best_h) {
            best_w = sw;
            best_h = sh;
        }
    }

    sk_image_resize(out, (unsigned)best_w, (unsigned)best_h);
    /* Fast DCT and upsampling: the picture ends up as terminal cells anyway. */
    if (tjDecompress2(dec->tj, jpeg, (unsigned long)len, out->pixels, best_w, (int)out->pitch,
                      best_h, TJPF_RGB, TJFLAG_FASTDCT | TJFLAG_FASTUPSAMPLE) != 0) {
        /*
         * A warning (say, a frame cut short by the dongle) still leaves a
         * usable picture, with grey where data was missing: show it.
         */
        if (tjGetErrorCode(dec->tj) != TJERR_WARNING) {
            goto fail;
        }
        sk_log(SK_LOG_DEBUG, "jpeg", "decoded with a warning: %s", tjGetErrorStr2(dec->tj));
    }
    dec->failing = 0;
    return 0;

fail:
    if (!dec->failing) {
        sk_log(SK_LOG_WARN, "jpeg", "cannot decode a frame (%zu bytes): %s", len,
               tjGetErrorStr2(dec->tj));
        dec->failing = 1;
    }
    return -1;
}

struct sk_jpeg_enc *sk_jpeg_enc_new(int quality)
{
    struct sk_jpeg_enc *enc = xcalloc(1, sizeof(*enc));
    enc->tj = tjInitCompress();
    if (enc->tj == NULL) {
        sk_log(SK_LOG_ERROR, "jpeg", "cannot create a compressor: %s", tjGetErrorStr2(NULL));
        free(enc);
        return NULL;
    }
    enc->quality = quality < 1 ? 1 : quality > 100 ? 100 : quality;
    return enc;
}

void sk_jpeg_enc_free(struct sk_jpeg_enc *enc)
{
    if (enc == NULL) {
        return;
    }
    tjDestroy(enc->tj);
    free(enc->planes);
    free(enc);
}

/* Make the frame big enough for any JPEG of this size; returns the room, or 0. */
static unsigned long reserve_jpeg(struct sk_frame *frame, unsigned width, unsigned height,
                                  int subsamp)
{
    if (width == 0 || height == 0 || width > 65535 || height > 65535) {
        return 0;
    }
    unsigned long room = tjBufSize((int)width, (int)height, subsamp);
    if (room == (unsigned long)-1) {
        return 0;
    }
    sk_frame_reserve(frame, room);
    return room;
}

static void encode_failed(struct sk_jpeg_enc *enc, const char *what)
{
    if (!enc->failing) {
        sk_log(SK_LOG_WARN, "jpeg", "cannot encode %s: %s", what, tjGetErrorStr2(enc->tj));
        enc->failing = 1;
    }
}

static void encoded(struct sk_frame *frame, unsigned long size, unsigned width, unsigned height)
{
    frame->size = size;
    frame->width = width;
    frame->height = height;
    frame->format = SK_FRAME_JPEG;
}

int sk_jpeg_encode_rgb(struct sk_jpeg_enc *enc, const uint8_t *rgb, unsigned width, unsigned height,
                       unsigned pitch, struct sk_frame *frame)
{
    unsigned long room = reserve_jpeg(frame, width, height, TJSAMP_420);
    if (room == 0 || pitch < width * 3) {
        encode_failed(enc, "RGB: bad size");
        return -1;
    }
    unsigned char *dst = frame->data;
    unsigned long size = room;
    if (tjCompress2(enc->tj, rgb, (int)width, (int)pitch, (int)height, TJPF_RGB, &dst, &size,
                    TJSAMP_420, enc->quality, TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0) {
        encode_failed(enc, "RGB");
        return -1;
    }
    enc->failing = 0;
    encoded(frame, size, width, height);
    return 0;
}

int sk_jpeg_encode_yuyv(struct sk_jpeg_enc *enc, const uint8_t *yuyv, unsigned width,
                        unsigned height, unsigned pitch, struct sk_frame *frame)
{
    unsigned long room = reserve_jpeg(frame, width, height, TJSAMP_422);
    /* Pixels come in pairs (Y0 Cb Y1 Cr), so a row holds 4 bytes per pair. */
    unsigned cw = (width + 1) / 2;
    if (room == 0 || pitch < cw * 4) {
        encode_failed(enc, "YUYV: bad size");
        return -1;
    }
    size_t ysize = (size_t)width * height;
    size_t csize = (size_t)cw * height;
    if (ysize + 2 * csize > enc->planes_cap) {
        free(enc->planes);
        enc->planes_cap = ysize + 2 * csize;
        enc->planes = xmalloc(enc->planes_cap);
    }
    uint8_t *py = enc->planes;
    uint8_t *pu = py + ysize;
    uint8_t *pv = pu + csize;
    for (unsigned r = 0; r < height; r++) {
        const uint8_t *src = yuyv + (size_t)r * pitch;
        uint8_t *y = py + (size_t)r * width;
        uint8_t *u = pu + (size_t)r * cw;
        uint8_t *v = pv + (size_t)r * cw;
        for (unsigned x = 0; x < cw; x++) {
            y[2 * x] = src[4 * x];
            if (2 * x + 1 < width) {
                y[2 * x + 1] = src[4 * x + 2];
            }
            u[x] = src[4 * x + 1];
            v[x] = src[4 * x + 3];
        }
    }

    const unsigned char *planes[3] = {py, pu, pv};
    int strides[3] = {(int)width, (int)cw, (int)cw};
    unsigned char *dst = frame->data;
    unsigned long size = room;
    if (tjCompressFromYUVPlanes(enc->tj, planes, (int)width, strides, (int)height, TJSAMP_422, &dst,
                                &size, enc->quality, TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0) {
        encode_failed(enc, "YUYV");
        return -1;
    }
    enc->failing = 0;
    encoded(frame, size, width, height);
    return 0;
}

/*
 * negotiate: the pure decisions of V4L2 capture, kept apart so they can be
 * unit-tested without a device: format names (--format), which format to
 * ask the driver for, --resolution parsing, the reopen backoff schedule and
 * the per-frame sanity check of an MJPEG buffer. No I/O, no globals, no
 * clock.
 */
#ifndef SK_CAPTURE_NEGOTIATE_H
#define SK_CAPTURE_NEGOTIATE_H

#include <stddef.h>
#include <stdint.h>

/* fourcc codes as <linux/videodev2.h> spells them, without needing it here. */
#define SK_FOURCC(a, b, c, d)                                                                      \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define SK_FMT_MJPEG SK_FOURCC('M', 'J', 'P', 'G')
#define SK_FMT_JPEG SK_FOURCC('J', 'P', 'E', 'G')
#define SK_FMT_YUYV SK_FOURCC('Y', 'U', 'Y', 'V')
#define SK_FMT_RGB24 SK_FOURCC('R', 'G', 'B', '3')

/* The formats sshkvm can use, in the order "auto" prefers them. */
#define SK_FMT_MAX_CHOICES 4

/*
 * Parse a --format value: "auto" gives 0, "mjpeg", "jpeg", "yuyv", "rgb24"
 * give their fourcc. Returns 0, or -1 for anything else.
 */
int sk_format_parse(const char *name, uint32_t *fourcc);
/* The --format name of a fourcc we use ("mjpeg"...), or NULL. */
const char *sk_format_name(uint32_t fourcc);
/* fourcc as 4 printable characters ("MJPG"), '?' for the unprintable. */
void sk_format_fourcc_str(uint32_t fourcc, char out[5]);
/* Whether frames in this format are JPEG already (passed through untouched). */
int sk_format_is_jpeg(uint32_t fourcc);

/*
 * Which formats to try with S_FMT, best first, given what the device lists
 * (offered[0..n), from VIDIOC_ENUM_FMT through libv4l2, so converted formats
 * such as RGB24 are included) and what was asked for (want: 0 for auto).
 * auto: MJPEG, then JPEG, then YUYV, then RGB24 (libv4l2 converts most raw
 * formats to it), each only if offered. An explicit format is the one
 * choice, offered or not (the driver's S_FMT answer is checked anyway).
 * Returns the number of choices written to out (0: nothing usable).
 */
size_t sk_format_choices(const uint32_t *offered, size_t n, uint32_t want,
                         uint32_t out[SK_FMT_MAX_CHOICES]);

/* Parse "WxH" (each 16..8192). Returns 0, or -1. */
int sk_resolution_parse(const char *s, unsigned *width, unsigned *height);

/* The reopen backoff: the first wait, its ceiling; each failure doubles it. */
#define SK_BACKOFF_MIN_US 500000
#define SK_BACKOFF_MAX_US 5000000
/* The wait after the one that was current_us (0 before any failure). */
int64_t sk_backoff_next(int64_t current_us);

/* Why an MJPEG buffer is dropped. */
enum sk_mjpeg_check {
    SK_MJPEG_OK = 0,
    SK_MJPEG_TOO_SMALL, /* bytesused below any real JPEG */
    SK_MJPEG_OVERSIZED, /* bytesused beyond the buffer */
    SK_MJPEG_BAD,       /* no SOI, no EOI, or broken structure */
};
/* The smallest bytesused taken as a frame (uStreamer's default too). */
#define SK_MJPEG_MIN_BYTES 128

/*
 * Check one dequeued MJPEG buffer: bytesused bytes at data in a buffer of
 * buflen. On SK_MJPEG_OK *len is the JPEG's length with any trailing junk
 * after its EOI cut off.
 */
enum sk_mjpeg_check sk_mjpeg_check_buffer(const uint8_t *data, size_t bytesused, size_t buflen,
                                          size_t *len);

#endif

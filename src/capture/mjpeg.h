/*
 * mjpeg: a pure splitter for concatenated JPEG streams and a JPEG validator.
 *
 * `ffmpeg -f mjpeg` files and many MJPEG pipes are JPEGs back to back. The
 * splitter walks the marker segments (so an EXIF thumbnail's EOI does not
 * end the frame early) and then the entropy-coded data to the real EOI.
 * No I/O, no globals, no clock.
 */
#ifndef SK_MJPEG_H
#define SK_MJPEG_H

#include <stddef.h>
#include <stdint.h>

/*
 * The largest frame sources accept (16 MiB): a 4K MJPEG frame at the best
 * quality is a few MiB, so anything bigger is garbage, not a picture.
 */
#define SK_MJPEG_MAX_FRAME ((size_t)16 << 20)

/*
 * Look for the next JPEG at the start of buf.
 * - Returns n > 0 consumed bytes. If *frame_len > 0, buf[*frame_off ..
 *   *frame_off + *frame_len) is one complete JPEG (SOI..EOI); if
 *   *frame_len == 0, the n bytes were junk before an SOI (or a broken
 *   frame) and are to be skipped.
 * - Returns SK_PARSE_PARTIAL when more bytes are needed to decide; with
 *   at_eof set, a trailing incomplete frame is returned as junk instead.
 */
long sk_mjpeg_next(const uint8_t *buf, size_t len, int at_eof, size_t *frame_off,
                   size_t *frame_len);

/*
 * Check that buf is one plausible JPEG: starts with SOI, has the segments
 * up to SOS, and ends with EOI, ignoring trailing zero/junk padding that
 * cheap dongles append after EOI. Returns the JPEG's real length (<= len),
 * or SK_PARSE_INVALID.
 */
long sk_mjpeg_validate(const uint8_t *buf, size_t len);

#endif

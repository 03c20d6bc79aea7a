/*
 * mjpeg: split concatenated JPEGs and check single ones, without decoding.
 *
 * Both entry points share one walker (scan_jpeg) that starts at an SOI and
 * follows the JPEG structure: marker segments are skipped by their 2-byte
 * lengths (so an EXIF thumbnail's own SOI/EOI, which lives inside an APP1
 * segment, is never mistaken for the frame's), and after each SOS the
 * entropy-coded data is scanned for the next marker, where FF 00 is a
 * stuffed byte and FF D0..D7 are restart markers. Progressive JPEGs have
 * several scans with table segments between them, so a marker after a scan
 * sends the walker back to segment parsing until the EOI.
 *
 * The module owns nothing and keeps no state between calls: callers pass
 * a buffer and get offsets back.
 */
#include "capture/mjpeg.h"

#include <string.h>

#include "base/util.h"

enum scan_result {
    SCAN_FRAME,   /* a complete JPEG of *end bytes */
    SCAN_PARTIAL, /* the buffer ends inside the JPEG */
    SCAN_BROKEN,  /* not a usable JPEG; skip *end bytes to resync */
};

static int is_standalone(uint8_t m)
{
    /* RSTn and TEM carry no length field. */
    return (m >= 0xD0 && m <= 0xD7) || m == 0x01;
}

/*
 * Walk one JPEG that starts with SOI at buf[0]. On SCAN_FRAME *end is the
 * length up to and including EOI; on SCAN_BROKEN it is how many bytes to
 * drop: the bytes before an SOI that interrupts the frame (a camera that
 * restarted mid-frame), or just the SOI when the structure is garbage, so
 * the next search for an SOI starts inside it.
 */
static enum scan_result scan_jpeg(const uint8_t *buf, size_t len, size_t *end)
{
    size_t i = 2;
    int in_scan = 0;
    int seen_sos = 0;

    for (;;) {
        if (in_scan) {
            /* Entropy-coded data: only an FF can start anything of interest. */
            const uint8_t *ff = i < len ? memchr(buf + i, 0xFF, len - i) : NULL;
            if (ff == NULL) {
                return SCAN_PARTIAL;
            }
            i = (size_t)(ff - buf);
        }
        if (i + 1 >= len) {
            return SCAN_PARTIAL;
        }
        if (buf[i] != 0xFF) {
            *end = 2;
            return SCAN_BROKEN;
        }
        uint8_t m = buf[i + 1];
        if (m == 0xFF) {
            /* A fill byte: the marker code follows the last FF. */
            i += 1;
            continue;
        }
        if (m == 0x00) {
            if (in_scan) {
                i += 2;
                continue;
            }
            *end = 2;
            return SCAN_BROKEN;
        }
        if (is_standalone(m)) {
            i += 2;
            continue;
        }
        if (m == 0xD8) {
            *end = i;
            return SCAN_BROKEN;
        }
        if (m == 0xD9) {
            if (!seen_sos) {
                /* Tables only (an abbreviated stream): nothing to show. */
                *end = i + 2;
                return SCAN_BROKEN;
            }
            *end = i + 2;
            return SCAN_FRAME;
        }
        if (i + 4 > len) {
            return SCAN_PARTIAL;
        }
        size_t seglen = ((size_t)buf[i + 2] << 8) | buf[i + 3];
        if (seglen < 2) {
            *end = 2;
            return SCAN_BROKEN;
        }
        i += 2 + seglen;
        if (i > len) {
            return SCAN_PARTIAL;
        }
        in_scan = m == 0xDA;
        seen_sos |= in_scan;
    }
}

/*
 * Note on cost: the function is pure, so when a caller gets PARTIAL and
 * calls again with more bytes, the frame is walked again from its SOI.
 * Segments are skipped by length and entropy data is searched with memchr,
 * so a rescan costs little next to reading the bytes; a caller feeding a
 * stream in very small pieces should read in chunks of a few KB.
 */
long sk_mjpeg_next(const uint8_t *buf, size_t len, int at_eof, size_t *frame_off, size_t *frame_len)
{
    *frame_off = 0;
    *frame_len = 0;

    /* Find the SOI; everything before it is junk. */
    size_t soi = 0;
    while (soi + 1 < len && !(buf[soi] == 0xFF && buf[soi + 1] == 0xD8)) {
        soi++;
    }
    if (soi + 1 >= len) {
        /* No SOI yet. A final FF might be the first half of one, so keep it. */
        size_t junk = at_eof ? len : (len > 0 && buf[len - 1] == 0xFF ? len - 1 : len);
        return junk > 0 ? (long)junk : SK_PARSE_PARTIAL;
    }
    if (soi > 0) {
        return (long)soi;
    }

    size_t end = 0;
    switch (scan_jpeg(buf, len, &end)) {
    case SCAN_FRAME:
        *frame_len = end;
        return (long)end;
    case SCAN_BROKEN:
        return (long)end;
    case SCAN_PARTIAL:
    default:
        /* At the end of the input an unfinished frame can only be dropped. */
        return at_eof ? (long)len : SK_PARSE_PARTIAL;
    }
}

long sk_mjpeg_validate(const uint8_t *buf, size_t len)
{
    if (len < 4 || buf[0] != 0xFF || buf[1] != 0xD8) {
        return SK_PARSE_INVALID;
    }
    size_t end = 0;
    if (scan_jpeg(buf, len, &end) != SCAN_FRAME) {
        return SK_PARSE_INVALID;
    }
    return (long)end;
}

/*
 * fuzz_mjpeg: a byte stream through the MJPEG splitter, as the file:
 * source reads it, then every frame it finds through the validator and
 * the JPEG header reader. Frames lie inside what was consumed, start
 * with SOI and end with EOI; the validator never claims more than it got.
 */
#include "fuzz.h"
#include "video/jpeg.h"
#include "capture/mjpeg.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    int at_eof = 0;
    while (off < size) {
        size_t foff = (size_t)-1, flen = (size_t)-1;
        long n = sk_mjpeg_next(data + off, size - off, at_eof, &foff, &flen);
        if (n == SK_PARSE_PARTIAL) {
            SK_FUZZ_CHECK(!at_eof);
            at_eof = 1;
            continue;
        }
        SK_FUZZ_CHECK(n > 0 && (size_t)n <= size - off);
        if (flen > 0) {
            const uint8_t *f = data + off + foff;
            SK_FUZZ_CHECK(foff < (size_t)n && flen <= (size_t)n - foff);
            SK_FUZZ_CHECK(flen >= 4 && f[0] == 0xFF && f[1] == 0xD8);
            SK_FUZZ_CHECK(f[flen - 2] == 0xFF && f[flen - 1] == 0xD9);
            long v = sk_mjpeg_validate(f, flen);
            SK_FUZZ_CHECK(v == SK_PARSE_INVALID || (v > 0 && (size_t)v <= flen));
            unsigned w, h;
            (void)sk_jpeg_info(f, flen, &w, &h);
        }
        off += (size_t)n;
    }
    long v = sk_mjpeg_validate(data, size);
    SK_FUZZ_CHECK(v == SK_PARSE_INVALID || (v > 0 && (size_t)v <= size));
    return 0;
}

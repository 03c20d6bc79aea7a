/*
 * multipart: the part headers of an MJPEG stream (multipart/x-mixed-replace).
 *
 * Pure formatting with no state: the stream handler in http.c asks for the
 * header of each part, sends it, then the frame's bytes exactly as the hub
 * holds them, then SK_MULTIPART_TRAILER. Owning nothing, it is shared with
 * the tests that check the bytes on the wire.
 */
#include "http/multipart.h"

#include <inttypes.h>
#include <stdio.h>

size_t sk_multipart_header(char *buf, size_t cap, size_t jpeg_len, int64_t timestamp_us)
{
    /*
     * A negative timestamp cannot come from the monotonic clock, but it must
     * not print as "-0.-5": split the sign off before dividing.
     */
    const char *sign = timestamp_us < 0 ? "-" : "";
    uint64_t mag = timestamp_us < 0 ? (uint64_t)0 - (uint64_t)timestamp_us : (uint64_t)timestamp_us;
    int n = snprintf(buf, cap,
                     "--" SK_MULTIPART_BOUNDARY "\r\n"
                     "Content-Type: image/jpeg\r\n"
                     "Content-Length: %zu\r\n"
                     "X-Timestamp: %s%" PRIu64 ".%06" PRIu64 "\r\n"
                     "\r\n",
                     jpeg_len, sign, mag / 1000000, mag % 1000000);
    if (n < 0 || (size_t)n >= cap) {
        return 0;
    }
    return (size_t)n;
}

/*
 * multipart: the framing of an MJPEG stream over HTTP (multipart/x-mixed-replace).
 *
 * Pure formatting, shared by the stream handler and its tests. Each part is
 *   "--" BOUNDARY CRLF
 *   "Content-Type: image/jpeg" CRLF
 *   "Content-Length: N" CRLF
 *   "X-Timestamp: SECONDS.MICROS" CRLF
 *   CRLF
 *   <N bytes of JPEG exactly as captured> CRLF
 */
#ifndef SK_MULTIPART_H
#define SK_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#define SK_MULTIPART_BOUNDARY "sshkvmframe"
#define SK_MULTIPART_CONTENT_TYPE "multipart/x-mixed-replace;boundary=" SK_MULTIPART_BOUNDARY

/* Room for any part's header (a 20-digit length and timestamp fit with plenty to spare). */
#define SK_MULTIPART_HEADER_MAX 160

/* Write a part's header into buf; returns its length (< cap), or 0 when cap is too small. */
size_t sk_multipart_header(char *buf, size_t cap, size_t jpeg_len, int64_t timestamp_us);
/* The bytes that follow each part's JPEG. */
#define SK_MULTIPART_TRAILER "\r\n"

#endif

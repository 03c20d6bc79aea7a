/*
 * negotiate: format names and choice, resolution parsing, the backoff
 * schedule and MJPEG buffer checks for the V4L2 source (see negotiate.h).
 * Tables, not switch ladders: one row per format sshkvm can handle.
 */
#include "capture/negotiate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/mjpeg.h"
#include "base/util.h"

static const struct {
    const char *name;
    uint32_t fourcc;
} formats[] = {
    /* In the order auto prefers them: JPEG passes through; YUYV encodes without RGB. */
    {"mjpeg", SK_FMT_MJPEG},
    {"jpeg", SK_FMT_JPEG},
    {"yuyv", SK_FMT_YUYV},
    {"rgb24", SK_FMT_RGB24},
};
_Static_assert(SK_ARRAY_LEN(formats) <= SK_FMT_MAX_CHOICES,
               "sk_format_choices' out[] is too short");

int sk_format_parse(const char *name, uint32_t *fourcc)
{
    if (strcmp(name, "auto") == 0) {
        *fourcc = 0;
        return 0;
    }
    for (size_t k = 0; k < SK_ARRAY_LEN(formats); k++) {
        if (strcmp(name, formats[k].name) == 0) {
            *fourcc = formats[k].fourcc;
            return 0;
        }
    }
    return -1;
}

const char *sk_format_name(uint32_t fourcc)
{
    for (size_t k = 0; k < SK_ARRAY_LEN(formats); k++) {
        if (formats[k].fourcc == fourcc) {
            return formats[k].name;
        }
    }
    return NULL;
}

void sk_format_fourcc_str(uint32_t f, char out[5])
{
    for (int k = 0; k < 4; k++) {
        char c = (char)((f >> (8 * k)) & 0xFF);
        out[k] = c >= 0x20 && c < 0x7F ? c : '?';
    }
    out[4] = '\0';
}

int sk_format_is_jpeg(uint32_t fourcc)
{
    return fourcc == SK_FMT_MJPEG || fourcc == SK_FMT_JPEG;
}

size_t sk_format_choices(const uint32_t *offered, size_t n, uint32_t want,
                         uint32_t out[SK_FMT_MAX_CHOICES])
{
    if (want != 0) {
        out[0] = want;
        return 1;
    }
    size_t count = 0;
    for (size_t k = 0; k < SK_ARRAY_LEN(formats); k++) {
        for (size_t i = 0; i < n; i++) {
            if (offered[i] == formats[k].fourcc) {
                out[count++] = formats[k].fourcc;
                break;
            }
        }
    }
    return count;
}

int sk_resolution_parse(const char *s, unsigned *width, unsigned *height)
{
    char *end;
    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }
    unsigned long w = strtoul(s, &end, 10);
    if (*end != 'x' && *end != 'X') {
        return -1;
    }
    const char *hs = end + 1;
    if (hs[0] < '0' || hs[0] > '9') {
        return -1;
    }
    unsigned long h = strtoul(hs, &end, 10);
    if (*end != '\0' || w < 16 || h < 16 || w > 8192 || h > 8192) {
        return -1;
    }
    *width = (unsigned)w;
    *height = (unsigned)h;
    return 0;
}

int64_t sk_backoff_next(int64_t current_us)
{
    if (current_us < SK_BACKOFF_MIN_US) {
        return SK_BACKOFF_MIN_US;
    }
    return SK_MIN(current_us * 2, (int64_t)SK_BACKOFF_MAX_US);
}

enum sk_mjpeg_check sk_mjpeg_check_buffer(const uint8_t *data, size_t bytesused, size_t buflen,
                                          size_t *len)
{
    if (bytesused > buflen) {
        return SK_MJPEG_OVERSIZED;
    }
    if (bytesused < SK_MJPEG_MIN_BYTES) {
        return SK_MJPEG_TOO_SMALL;
    }
    long n = sk_mjpeg_validate(data, bytesused);
    if (n <= 0) {
        return SK_MJPEG_BAD;
    }
    *len = (size_t)n;
    return SK_MJPEG_OK;
}

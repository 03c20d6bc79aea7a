/*
 * mjpeg_frames: split a concatenated-JPEG file into frame files, for the
 * integration tests' byte-for-byte comparisons.
 *   mjpeg_frames FILE OUTDIR   writes OUTDIR/frame-NNNN.jpg, prints the count
 */
#include <stdio.h>
#include <stdlib.h>

#include "capture/mjpeg.h"
#include "base/util.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mjpeg_frames FILE OUTDIR\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (fp == NULL) {
        perror(argv[1]);
        return 1;
    }
    struct sk_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        sk_buf_append(&b, chunk, n);
    }
    fclose(fp);
    size_t pos = 0;
    int count = 0;
    while (pos < b.len) {
        size_t off, len;
        long used = sk_mjpeg_next((const uint8_t *)b.data + pos, b.len - pos, 1, &off, &len);
        if (used <= 0) {
            break;
        }
        if (len > 0) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/frame-%04d.jpg", argv[2], count++);
            FILE *out = fopen(path, "wb");
            if (out == NULL || fwrite(b.data + pos + off, 1, len, out) != len) {
                perror(path);
                return 1;
            }
            fclose(out);
        }
        pos += (size_t)used;
    }
    sk_buf_free(&b);
    printf("%d\n", count);
    return count > 0 ? 0 : 1;
}

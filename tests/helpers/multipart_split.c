/*
 * multipart_split: check an MJPEG-over-HTTP body (multipart/x-mixed-replace,
 * as curl saves it) and write each part's payload to a file.
 *   multipart_split BODY OUTDIR   writes OUTDIR/part-NNNN.jpg, prints the count
 * Exits 1 when a complete part is malformed: wrong boundary, no
 * Content-Type: image/jpeg, a Content-Length that does not match, or no
 * CRLF after the payload. A part cut off at the end (curl stopped) is ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/multipart.h"
#include "base/util.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: multipart_split BODY OUTDIR\n");
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
    const char *boundary = "--" SK_MULTIPART_BOUNDARY "\r\n";
    size_t pos = 0;
    int count = 0;
    while (pos < b.len) {
        char *p = b.data + pos;
        size_t left = b.len - pos;
        if (left < strlen(boundary)) {
            break;
        }
        if (memcmp(p, boundary, strlen(boundary)) != 0) {
            fprintf(stderr, "part %d: no boundary at offset %zu\n", count, pos);
            return 1;
        }
        char *hend = memmem(p, left, "\r\n\r\n", 4);
        if (hend == NULL) {
            break; /* cut off */
        }
        char *headers = xstrndup(p, (size_t)(hend - p));
        char *cl = strcasestr(headers, "\r\nContent-Length:");
        if (strcasestr(headers, "\r\nContent-Type: image/jpeg\r\n") == NULL &&
            strcasestr(headers, "\r\nContent-Type: image/jpeg") == NULL) {
            fprintf(stderr, "part %d: no Content-Type: image/jpeg\n", count);
            return 1;
        }
        if (cl == NULL) {
            fprintf(stderr, "part %d: no Content-Length\n", count);
            return 1;
        }
        size_t len = strtoul(cl + 17, NULL, 10);
        free(headers);
        char *body = hend + 4;
        size_t avail = b.len - (size_t)(body - b.data);
        if (avail < len + 2) {
            break; /* cut off */
        }
        if (memcmp(body + len, "\r\n", 2) != 0) {
            fprintf(stderr, "part %d: Content-Length %zu does not end at CRLF\n", count, len);
            return 1;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/part-%04d.jpg", argv[2], count++);
        FILE *out = fopen(path, "wb");
        if (out == NULL || fwrite(body, 1, len, out) != len) {
            perror(path);
            return 1;
        }
        fclose(out);
        pos = (size_t)(body - b.data) + len + 2;
    }
    sk_buf_free(&b);
    printf("%d\n", count);
    return count > 0 ? 0 : 1;
}

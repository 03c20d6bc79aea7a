/*
 * file: the "file:PATH" source, a recorded MJPEG stream played in a loop.
 *
 * The whole file (concatenated JPEGs, as `ffmpeg -f mjpeg` writes) is read
 * once at open and split into frames with sk_mjpeg_next; frames that fail
 * sk_mjpeg_validate, have no readable size, a side beyond SK_JPEG_MAX_SIDE
 * or more than SK_MJPEG_MAX_FRAME bytes are skipped, counted and reported
 * in one warning. The good frames are then packed into a buffer of their
 * own, so a file that is mostly garbage costs only its frames' memory.
 * Playback publishes copies of the frames' bytes, exactly as they are in
 * the file, at opts->fps (30 when 0) on absolute deadlines of the
 * monotonic clock, and starts over after the last frame.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "capture/mjpeg.h"
#include "base/util.h"

struct file_frame {
    size_t off;
    size_t len;
    unsigned width;
    unsigned height;
};

struct file_source {
    uint8_t *data;
    size_t len;
    struct file_frame *frames;
    size_t nframes;
    size_t next; /* index of the frame to publish next */
    double fps;
    int64_t due_us;
};

static void file_close(void *arg)
{
    struct file_source *fs = arg;
    if (fs == NULL) {
        return;
    }
    free(fs->data);
    free(fs->frames);
    free(fs);
}

static int read_all(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "file:%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16;
    size_t n = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "file:%s: read error", path);
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

/* Keep only the good frames' bytes: the rest of the file may be huge garbage. */
static void pack_frames(struct file_source *fs)
{
    size_t total = 0;
    for (size_t i = 0; i < fs->nframes; i++) {
        total += fs->frames[i].len;
    }
    if (total == fs->len) {
        return;
    }
    uint8_t *packed = xmalloc(total);
    size_t at = 0;
    for (size_t i = 0; i < fs->nframes; i++) {
        memcpy(packed + at, fs->data + fs->frames[i].off, fs->frames[i].len);
        fs->frames[i].off = at;
        at += fs->frames[i].len;
    }
    free(fs->data);
    fs->data = packed;
    fs->len = total;
}

static void *file_open(const char *path, const struct sk_capture_opts *opts,
                       struct sk_source_status *status, char *err, size_t errlen)
{
    struct file_source *fs = xcalloc(1, sizeof(*fs));
    fs->fps = opts->fps > 0 ? opts->fps : 30.0;
    if (read_all(path, &fs->data, &fs->len, err, errlen) != 0) {
        goto fail;
    }
    if (fs->len == 0) {
        snprintf(err, errlen, "file:%s: the file is empty", path);
        goto fail;
    }

    size_t cap = 0;
    size_t pos = 0;
    size_t skipped = 0;
    while (pos < fs->len) {
        size_t off = 0;
        size_t flen = 0;
        long n = sk_mjpeg_next(fs->data + pos, fs->len - pos, 1, &off, &flen);
        if (n <= 0) {
            break;
        }
        if (flen > 0) {
            const uint8_t *jpeg = fs->data + pos + off;
            unsigned w = 0;
            unsigned h = 0;
            if (flen > SK_MJPEG_MAX_FRAME || sk_mjpeg_validate(jpeg, flen) != (long)flen ||
                sk_jpeg_info(jpeg, flen, &w, &h) != 0 || w > SK_JPEG_MAX_SIDE ||
                h > SK_JPEG_MAX_SIDE) {
                skipped++;
            } else {
                if (fs->nframes == cap) {
                    cap = cap ? cap * 2 : 64;
                    fs->frames = xrealloc(fs->frames, cap * sizeof(*fs->frames));
                }
                fs->frames[fs->nframes++] = (struct file_frame){
                    .off = pos + off,
                    .len = flen,
                    .width = w,
                    .height = h,
                };
            }
        }
        pos += (size_t)n;
    }
    if (fs->nframes == 0) {
        snprintf(err, errlen, "file:%s: no JPEG frames in it (expected ffmpeg -f mjpeg output)",
                 path);
        goto fail;
    }
    if (skipped > 0) {
        sk_log(SK_LOG_WARN, "capture", "file:%s: skipped %zu invalid frame%s", path, skipped,
               skipped == 1 ? "" : "s");
    }
    pack_frames(fs);
    sk_log(SK_LOG_INFO, "capture", "file:%s: %zu frames of %ux%u at %.1f fps, looped", path,
           fs->nframes, fs->frames[0].width, fs->frames[0].height, fs->fps);
    return fs;

fail:
    file_close(fs);
    return NULL;
}

static int file_next(void *arg, const atomic_int *stop, struct sk_frame **out)
{
    struct file_source *fs = arg;
    int rc = sk_capture_pace(stop, &fs->due_us, fs->fps);
    if (rc != 0) {
        return rc;
    }
    const struct file_frame *ff = &fs->frames[fs->next];
    fs->next = (fs->next + 1) % fs->nframes;

    *out = sk_capture_jpeg_frame(fs->data + ff->off, ff->len, ff->width, ff->height);
    return 0;
}

const struct sk_source_ops sk_capture_file_ops = {
    .kind = "file",
    .open = file_open,
    .next = file_next,
    .close = file_close,
};

/*
 * v4l2: the "/dev/videoN" source, an HDMI-to-USB dongle or any V4L2 capture
 * device, through libv4l2.
 *
 * The device is opened, set to MJPEG (or YUYV when it has no MJPEG) at the
 * requested size and rate, and streamed through 4 mmap buffers. An MJPEG
 * buffer is checked with sk_mjpeg_validate and its bytes are copied once
 * into a frame, untouched (trailing padding cut off); broken ones are
 * dropped and counted. A YUYV buffer is encoded to JPEG. When no frame has
 * come for 2 s, or the device fails (unplugged), a generated NO SIGNAL
 * picture is published, the device is closed and reopened with a backoff
 * of 1 s growing to 5 s, with NO SIGNAL repeated every second meanwhile.
 *
 * Later work hooks in here: DV timings and source-change events would be
 * checked in device_open and handled through lose_device (close, reopen at
 * the new timings); pausing capture while the hub has no watchers belongs
 * at the top of v4l2_next.
 */
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <poll.h>

#include "capture/source.h"
#include "jpeg.h"
#include "log.h"
#include "mjpeg.h"
#include "util.h"

#define V4L2_NBUFS 4
#define V4L2_NO_FRAME_US 2000000 /* this long without a frame is NO SIGNAL */
#define V4L2_NO_SIGNAL_EVERY_US 1000000
#define V4L2_BACKOFF_MIN_US 1000000
#define V4L2_BACKOFF_MAX_US 5000000

struct v4l2_source {
    char *path;
    const struct sk_capture_opts *opts; /* borrowed from the capture */
    int fd;                             /* -1 while closed */
    struct {
        void *start;
        size_t len;
    } bufs[V4L2_NBUFS];
    unsigned nbufs;
    int streaming;
    uint32_t pixfmt;
    unsigned width;
    unsigned height;
    unsigned bytesperline;

    struct sk_jpeg_enc *enc;  /* YUYV frames and NO SIGNAL */
    struct sk_frame *scratch; /* encoder output at worst-case size, reused */
    int64_t last_frame_us;
    int64_t retry_at_us;
    int64_t backoff_us;
    int64_t no_signal_at_us; /* when NO SIGNAL is next due while closed */
    unsigned long dropped;
    int warned_invalid;
    int failing; /* open or read errors are logged once until a frame comes */
};

static int xioctl(int fd, unsigned long req, void *arg)
{
    int rc;
    do {
        rc = v4l2_ioctl(fd, req, arg);
    } while (rc == -1 && errno == EINTR);
    return rc;
}

static void fourcc_str(uint32_t f, char out[5])
{
    for (int k = 0; k < 4; k++) {
        char c = (char)((f >> (8 * k)) & 0xFF);
        out[k] = c >= 0x20 && c < 0x7F ? c : '?';
    }
    out[4] = '\0';
}

static void device_close(struct v4l2_source *vs)
{
    if (vs->fd < 0) {
        return;
    }
    if (vs->streaming) {
        enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(vs->fd, VIDIOC_STREAMOFF, &type);
        vs->streaming = 0;
    }
    for (unsigned k = 0; k < vs->nbufs; k++) {
        v4l2_munmap(vs->bufs[k].start, vs->bufs[k].len);
    }
    vs->nbufs = 0;
    v4l2_close(vs->fd);
    vs->fd = -1;
}

/* Ask for a pixel format; returns what the driver really chose (it may ignore us). */
static uint32_t try_format(struct v4l2_source *vs, uint32_t pixfmt, struct v4l2_format *fmt)
{
    struct v4l2_format want = *fmt;
    want.fmt.pix.pixelformat = pixfmt;
    want.fmt.pix.field = V4L2_FIELD_ANY;
    if (vs->opts->width > 0 && vs->opts->height > 0) {
        want.fmt.pix.width = vs->opts->width;
        want.fmt.pix.height = vs->opts->height;
    }
    if (xioctl(vs->fd, VIDIOC_S_FMT, &want) != 0) {
        return 0;
    }
    *fmt = want;
    return want.fmt.pix.pixelformat;
}

static int device_open(struct v4l2_source *vs, char *err, size_t errlen)
{
    vs->fd = v4l2_open(vs->path, O_RDWR | O_NONBLOCK);
    if (vs->fd < 0) {
        snprintf(err, errlen, "%s: %s", vs->path, strerror(errno));
        return errno == ENOENT || errno == ENODEV ? SK_E_NODEV : -1;
    }

    struct v4l2_capability caps = {0};
    if (xioctl(vs->fd, VIDIOC_QUERYCAP, &caps) != 0) {
        snprintf(err, errlen, "%s: not a V4L2 device: %s", vs->path, strerror(errno));
        goto fail;
    }
    uint32_t dcaps =
        (caps.capabilities & V4L2_CAP_DEVICE_CAPS) ? caps.device_caps : caps.capabilities;
    if (!(dcaps & V4L2_CAP_VIDEO_CAPTURE) || !(dcaps & V4L2_CAP_STREAMING)) {
        snprintf(err, errlen, "%s (%s): not a streaming video capture device", vs->path,
                 (const char *)caps.card);
        goto fail;
    }

    /* Start from the current format so "keep the size" keeps it. */
    struct v4l2_format fmt = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    if (xioctl(vs->fd, VIDIOC_G_FMT, &fmt) != 0) {
        snprintf(err, errlen, "%s: cannot read the format: %s", vs->path, strerror(errno));
        goto fail;
    }
    uint32_t got = try_format(vs, V4L2_PIX_FMT_MJPEG, &fmt);
    if (got != V4L2_PIX_FMT_MJPEG && got != V4L2_PIX_FMT_JPEG) {
        got = try_format(vs, V4L2_PIX_FMT_YUYV, &fmt);
    }
    if (got != V4L2_PIX_FMT_MJPEG && got != V4L2_PIX_FMT_JPEG && got != V4L2_PIX_FMT_YUYV) {
        char cc[5];
        fourcc_str(fmt.fmt.pix.pixelformat, cc);
        snprintf(err, errlen, "%s: offers neither MJPEG nor YUYV (driver chose %s)", vs->path, cc);
        goto fail;
    }
    vs->pixfmt = got;
    vs->width = fmt.fmt.pix.width;
    vs->height = fmt.fmt.pix.height;
    vs->bytesperline = fmt.fmt.pix.bytesperline ? fmt.fmt.pix.bytesperline : vs->width * 2;

    if (vs->opts->fps > 0) {
        struct v4l2_streamparm parm = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
        parm.parm.capture.timeperframe.numerator = 1000;
        parm.parm.capture.timeperframe.denominator = (uint32_t)(vs->opts->fps * 1000);
        if (xioctl(vs->fd, VIDIOC_S_PARM, &parm) != 0) {
            /* Many dongles have one fixed rate; that is not worth failing for. */
            sk_log(SK_LOG_DEBUG, "capture", "%s: cannot set %.1f fps: %s", vs->path, vs->opts->fps,
                   strerror(errno));
        }
    }

    struct v4l2_requestbuffers req = {
        .count = V4L2_NBUFS,
        .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
        .memory = V4L2_MEMORY_MMAP,
    };
    if (xioctl(vs->fd, VIDIOC_REQBUFS, &req) != 0 || req.count < 1) {
        snprintf(err, errlen, "%s: cannot get buffers: %s", vs->path, strerror(errno));
        goto fail;
    }
    for (unsigned k = 0; k < req.count && k < V4L2_NBUFS; k++) {
        struct v4l2_buffer buf = {
            .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
            .memory = V4L2_MEMORY_MMAP,
            .index = k,
        };
        if (xioctl(vs->fd, VIDIOC_QUERYBUF, &buf) != 0) {
            snprintf(err, errlen, "%s: cannot query buffer %u: %s", vs->path, k, strerror(errno));
            goto fail;
        }
        void *start =
            v4l2_mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, vs->fd, buf.m.offset);
        if (start == MAP_FAILED) {
            snprintf(err, errlen, "%s: cannot map buffer %u: %s", vs->path, k, strerror(errno));
            goto fail;
        }
        vs->bufs[k].start = start;
        vs->bufs[k].len = buf.length;
        vs->nbufs = k + 1;
        if (xioctl(vs->fd, VIDIOC_QBUF, &buf) != 0) {
            snprintf(err, errlen, "%s: cannot queue buffer %u: %s", vs->path, k, strerror(errno));
            goto fail;
        }
    }
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(vs->fd, VIDIOC_STREAMON, &type) != 0) {
        snprintf(err, errlen, "%s: cannot start streaming: %s", vs->path, strerror(errno));
        goto fail;
    }
    vs->streaming = 1;

    char cc[5];
    fourcc_str(vs->pixfmt, cc);
    /* Said once at start; reopens while failing repeat every few seconds, so only at debug. */
    sk_log(vs->failing ? SK_LOG_DEBUG : SK_LOG_INFO, "capture", "%s (%s): %s %ux%u, %u buffers",
           vs->path, (const char *)caps.card, cc, vs->width, vs->height, vs->nbufs);
    vs->last_frame_us = sk_now_us();
    return 0;

fail:
    device_close(vs);
    return -1;
}

static void v4l2_close_source(void *arg)
{
    struct v4l2_source *vs = arg;
    if (vs == NULL) {
        return;
    }
    device_close(vs);
    sk_jpeg_enc_free(vs->enc);
    sk_frame_unref(vs->scratch);
    free(vs->path);
    free(vs);
}

static void *v4l2_open_source(const char *path, const struct sk_capture_opts *opts, char *err,
                              size_t errlen)
{
    struct v4l2_source *vs = xcalloc(1, sizeof(*vs));
    vs->path = xstrdup(path);
    vs->opts = opts;
    vs->fd = -1;
    vs->backoff_us = V4L2_BACKOFF_MIN_US;
    vs->scratch = sk_frame_new(0);
    vs->enc = sk_jpeg_enc_new(opts->jpeg_quality > 0 ? opts->jpeg_quality : 80);
    if (vs->enc == NULL) {
        snprintf(err, errlen, "%s: cannot create a JPEG encoder", path);
        goto fail;
    }
    if (device_open(vs, err, errlen) != 0) {
        goto fail;
    }
    return vs;

fail:
    v4l2_close_source(vs);
    return NULL;
}

static struct sk_frame *no_signal(struct v4l2_source *vs)
{
    vs->no_signal_at_us = sk_now_us() + V4L2_NO_SIGNAL_EVERY_US;
    return sk_capture_no_signal_frame(vs->enc, vs->width ? vs->width : vs->opts->width,
                                      vs->height ? vs->height : vs->opts->height);
}

/*
 * The next reopen, 1 s after the first failure, then 2, 4, 5, 5 ... s. The
 * backoff only resets when a frame arrives: a dongle that opens fine but
 * sends nothing (no HDMI input) should not be reopened every second.
 */
static void schedule_retry(struct v4l2_source *vs)
{
    vs->retry_at_us = sk_now_us() + vs->backoff_us;
    vs->backoff_us = SK_MIN(vs->backoff_us * 2, (int64_t)V4L2_BACKOFF_MAX_US);
}

/* The device stopped working: close it, schedule a reopen, show NO SIGNAL. */
static int lose_device(struct v4l2_source *vs, const char *why, struct sk_frame **out)
{
    if (!vs->failing) {
        sk_log(SK_LOG_WARN, "capture", "%s: %s; showing NO SIGNAL and reopening", vs->path, why);
        vs->failing = 1;
    }
    device_close(vs);
    schedule_retry(vs);
    *out = no_signal(vs);
    return *out ? 0 : SK_E_AGAIN;
}

/* While closed: reopen when the backoff has passed, and repeat NO SIGNAL meanwhile. */
static int while_closed(struct v4l2_source *vs, const atomic_int *stop, struct sk_frame **out)
{
    int64_t now = sk_now_us();
    if (now >= vs->retry_at_us) {
        char err[256];
        if (device_open(vs, err, sizeof(err)) == 0) {
            /* A dongle without HDMI input reopens every few seconds: "frames again" is the news. */
            sk_log(SK_LOG_DEBUG, "capture", "%s: reopened", vs->path);
            return SK_E_AGAIN;
        }
        sk_log(SK_LOG_DEBUG, "capture", "reopen failed: %s", err);
        schedule_retry(vs);
    }
    if (now >= vs->no_signal_at_us) {
        *out = no_signal(vs);
        return *out ? 0 : SK_E_AGAIN;
    }
    int rc = sk_capture_sleep_until(stop, SK_MIN(vs->retry_at_us, vs->no_signal_at_us));
    return rc == 0 ? SK_E_AGAIN : rc;
}

/* Turn one dequeued buffer into a frame, or NULL when it is dropped. */
static struct sk_frame *take_buffer(struct v4l2_source *vs, const struct v4l2_buffer *buf)
{
    const uint8_t *data = vs->bufs[buf->index].start;
    size_t used = SK_MIN((size_t)buf->bytesused, vs->bufs[buf->index].len);
    if (vs->pixfmt == V4L2_PIX_FMT_YUYV) {
        if (used < (size_t)vs->bytesperline * vs->height ||
            sk_jpeg_encode_yuyv(vs->enc, data, vs->width, vs->height, vs->bytesperline,
                                vs->scratch) != 0) {
            vs->dropped++;
            return NULL;
        }
        /* A copy at the JPEG's real size: the scratch buffer is worst-case and reused. */
        return sk_capture_jpeg_frame(vs->scratch->data, vs->scratch->size, vs->scratch->width,
                                     vs->scratch->height);
    }

    long len = sk_mjpeg_validate(data, used);
    unsigned w = vs->width;
    unsigned h = vs->height;
    if (len <= 0 || sk_jpeg_info(data, (size_t)len, &w, &h) != 0) {
        vs->dropped++;
        if (!vs->warned_invalid) {
            sk_log(SK_LOG_WARN, "capture", "%s: dropping broken JPEG frames (%zu bytes)", vs->path,
                   used);
            vs->warned_invalid = 1;
        }
        return NULL;
    }
    if (vs->warned_invalid) {
        sk_log(SK_LOG_INFO, "capture", "%s: good frames again, %lu dropped so far", vs->path,
               vs->dropped);
        vs->warned_invalid = 0;
    }
    return sk_capture_jpeg_frame(data, (size_t)len, w, h);
}

static int v4l2_next(void *arg, const atomic_int *stop, struct sk_frame **out)
{
    struct v4l2_source *vs = arg;
    if (vs->fd < 0) {
        return while_closed(vs, stop, out);
    }

    /* Wait up to 1 s for a buffer, in 100 ms slices so that a stop is noticed. */
    int64_t until = sk_now_us() + 1000000;
    for (;;) {
        if (atomic_load(stop)) {
            return SK_E_CLOSED;
        }
        /* poll, not select: a reopened device may get an fd above FD_SETSIZE. */
        struct pollfd p = {.fd = vs->fd, .events = POLLIN};
        int n = poll(&p, 1, 100);
        if (n < 0 && errno != EINTR) {
            return lose_device(vs, strerror(errno), out);
        }
        if (n > 0) {
            break;
        }
        int64_t now = sk_now_us();
        if (now - vs->last_frame_us > V4L2_NO_FRAME_US) {
            return lose_device(vs, "no frames for 2 s", out);
        }
        if (now >= until) {
            return SK_E_AGAIN;
        }
    }

    struct v4l2_buffer buf = {
        .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
        .memory = V4L2_MEMORY_MMAP,
    };
    if (xioctl(vs->fd, VIDIOC_DQBUF, &buf) != 0) {
        if (errno == EAGAIN) {
            return SK_E_AGAIN;
        }
        return lose_device(vs, strerror(errno), out);
    }
    struct sk_frame *frame = buf.index < vs->nbufs ? take_buffer(vs, &buf) : NULL;
    if (xioctl(vs->fd, VIDIOC_QBUF, &buf) != 0) {
        sk_frame_unref(frame);
        return lose_device(vs, strerror(errno), out);
    }
    if (frame == NULL) {
        /* Only broken frames is no picture either: show NO SIGNAL, not the last good frame. */
        if (sk_now_us() - vs->last_frame_us > V4L2_NO_FRAME_US) {
            return lose_device(vs, "no valid frames for 2 s", out);
        }
        return SK_E_AGAIN;
    }
    vs->last_frame_us = sk_now_us();
    vs->backoff_us = V4L2_BACKOFF_MIN_US;
    if (vs->failing) {
        sk_log(SK_LOG_INFO, "capture", "%s: frames again", vs->path);
        vs->failing = 0;
    }
    *out = frame;
    return 0;
}

const struct sk_source_ops sk_capture_v4l2_ops = {
    .kind = "v4l2",
    .open = v4l2_open_source,
    .next = v4l2_next,
    .close = v4l2_close_source,
};

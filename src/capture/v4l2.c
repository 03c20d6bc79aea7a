/*
 * v4l2: the "/dev/videoN" source, an HDMI-to-USB dongle, an HDMI bridge
 * with DV timings, or any V4L2 capture device, through libv4l2.
 *
 * device_open opens the device (a /dev/v4l/by-id link is resolved and both
 * names logged), selects --input, applies the DV timings the bridge detects
 * (QUERY_DV_TIMINGS -> S_DV_TIMINGS) and subscribes to SOURCE_CHANGE,
 * negotiates the pixel format (MJPEG preferred, see negotiate.c), size and
 * rate, checks what the driver really chose (S_FMT's answer, G_PARM) and
 * maps 4 buffers. stream_on/stream_off queue them and start or stop the
 * stream; the state machine in v4l2_next decides when:
 *
 *   streaming   frames flow: an MJPEG buffer is checked (bytesused, SOI,
 *               EOI; junk after the last EOI cut off) and copied once into
 *               a frame untouched, broken ones dropped and counted; a raw
 *               buffer (YUYV, or RGB24 that libv4l2 converts others to) is
 *               encoded to JPEG once and its pixels kept as frame->raw for
 *               the renderers. A source-change event restarts the stream
 *               at the new timings.
 *   idle        on-demand capture with nobody watching (hub watchers = 0):
 *               STREAMOFF at once, the device closed after a grace of 3 s;
 *               the first watcher starts it again.
 *   no-signal   no DV timings (ENOLINK/ENOLCK/ERANGE) or no frame for 2 s:
 *               NO SIGNAL is published every second and the device retried.
 *   no-device   the device is gone (open or an ioctl fails): NO SIGNAL as
 *               well, reopened with a backoff from 0.5 s doubling to 5 s;
 *               capture resumes by itself when it comes back.
 * Each state change is logged once; status reads the counters through the
 * capture's sk_source_status.
 */
#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/negotiate.h"
#include "capture/source.h"
#include "video/hub.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "base/util.h"

#define V4L2_NBUFS 4
#define V4L2_NO_FRAME_US 2000000 /* this long without a frame is NO SIGNAL */
#define V4L2_NO_SIGNAL_EVERY_US 1000000
#define V4L2_IDLE_GRACE_US 3000000 /* on demand: close this long after the last watcher left */
#define V4L2_DROP_LOG_EVERY_US 30000000
#define V4L2_SE_NOSIGNAL (-100) /* device_open: opened, but the input has no signal */

struct v4l2_source {
    char *path;                         /* as given (maybe a by-id link) */
    const struct sk_capture_opts *opts; /* borrowed from the capture */
    struct sk_source_status *st;        /* borrowed from the capture */
    int fd;                             /* -1 while closed */
    struct {
        void *start;
        size_t len;
    } bufs[V4L2_NBUFS];
    unsigned nbufs;
    int streaming;
    int events; /* subscribed to SOURCE_CHANGE */
    uint32_t pixfmt;
    unsigned width;
    unsigned height;
    unsigned bytesperline;

    struct sk_jpeg_enc *enc;  /* raw frames and NO SIGNAL */
    struct sk_frame *scratch; /* encoder output at worst-case size, reused */
    int64_t last_frame_us;
    int64_t retry_at_us;
    int64_t backoff_us;
    int64_t no_signal_at_us; /* when NO SIGNAL is next due while not streaming */
    int64_t idle_since_us;   /* on demand: when the last watcher left, 0 while watched */
    int state;               /* enum sk_source_state, mirrored into st->state */
    int was_lost;            /* the device was gone or failing: a reopen is a reconnect */
    int warned_invalid;      /* the first broken frame was logged */
    int64_t drop_logged_us;  /* when drops were last summed up in the log */
};

static int xioctl(int fd, unsigned long req, void *arg)
{
    int rc;
    do {
        rc = v4l2_ioctl(fd, req, arg);
    } while (rc == -1 && errno == EINTR);
    return rc;
}

static const char *const state_names[] = {
    [SK_SOURCE_STARTING] = "starting",   [SK_SOURCE_STREAMING] = "streaming",
    [SK_SOURCE_IDLE] = "idle",           [SK_SOURCE_NO_SIGNAL] = "no signal",
    [SK_SOURCE_NO_DEVICE] = "no device",
};

/* Change state; said once per change, with why. */
static void set_state(struct v4l2_source *vs, int state, const char *why)
{
    if (vs->state == state) {
        return;
    }
    int level =
        state == SK_SOURCE_NO_DEVICE || state == SK_SOURCE_NO_SIGNAL ? SK_LOG_WARN : SK_LOG_INFO;
    sk_log(level, "capture", "%s: %s%s%s", vs->path, state_names[state], why ? ": " : "",
           why ? why : "");
    vs->state = state;
    atomic_store(&vs->st->state, state);
}

static void stream_off(struct v4l2_source *vs)
{
    if (vs->streaming) {
        enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(vs->fd, VIDIOC_STREAMOFF, &type);
        vs->streaming = 0;
    }
}

static void device_close(struct v4l2_source *vs)
{
    if (vs->fd < 0) {
        return;
    }
    stream_off(vs);
    for (unsigned k = 0; k < vs->nbufs; k++) {
        v4l2_munmap(vs->bufs[k].start, vs->bufs[k].len);
    }
    vs->nbufs = 0;
    vs->events = 0;
    v4l2_close(vs->fd);
    vs->fd = -1;
}

/* Queue every buffer and start streaming (STREAMOFF dequeued them all). */
static int stream_on(struct v4l2_source *vs, char *err, size_t errlen)
{
    for (unsigned k = 0; k < vs->nbufs; k++) {
        struct v4l2_buffer buf = {
            .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
            .memory = V4L2_MEMORY_MMAP,
            .index = k,
        };
        if (xioctl(vs->fd, VIDIOC_QBUF, &buf) != 0) {
            snprintf(err, errlen, "%s: cannot queue buffer %u: %s", vs->path, k, strerror(errno));
            return errno == ENODEV ? SK_E_NODEV : -1;
        }
    }
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(vs->fd, VIDIOC_STREAMON, &type) != 0) {
        snprintf(err, errlen, "%s: cannot start streaming: %s", vs->path, strerror(errno));
        return errno == ENODEV ? SK_E_NODEV : -1;
    }
    vs->streaming = 1;
    vs->last_frame_us = sk_now_us();
    return 0;
}

/* The formats the device lists through libv4l2 (converted ones included). */
static size_t list_formats(int fd, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; n < max; i++) {
        struct v4l2_fmtdesc d = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
        if (xioctl(fd, VIDIOC_ENUM_FMT, &d) != 0) {
            break;
        }
        out[n++] = d.pixelformat;
    }
    return n;
}

/*
 * The input's DV timings, for HDMI bridges: query what the source sends
 * and apply it, so that the format follows. 0 when applied or when the
 * input has no DV timings at all; V4L2_SE_NOSIGNAL when it has them but
 * nothing is detected.
 */
static int apply_dv_timings(struct v4l2_source *vs, char *err, size_t errlen)
{
    struct v4l2_input in = {0};
    if (xioctl(vs->fd, VIDIOC_G_INPUT, &in.index) != 0 ||
        xioctl(vs->fd, VIDIOC_ENUMINPUT, &in) != 0 || !(in.capabilities & V4L2_IN_CAP_DV_TIMINGS)) {
        return 0;
    }
    struct v4l2_dv_timings t = {0};
    if (xioctl(vs->fd, VIDIOC_QUERY_DV_TIMINGS, &t) != 0) {
        snprintf(err, errlen, "%s: input '%s' has no signal (%s)", vs->path, (const char *)in.name,
                 strerror(errno));
        return errno == ENODEV ? SK_E_NODEV : V4L2_SE_NOSIGNAL;
    }
    if (xioctl(vs->fd, VIDIOC_S_DV_TIMINGS, &t) != 0) {
        snprintf(err, errlen, "%s: cannot apply DV timings %ux%u: %s", vs->path, t.bt.width,
                 t.bt.height, strerror(errno));
        return errno == ENODEV ? SK_E_NODEV : V4L2_SE_NOSIGNAL;
    }
    uint64_t total = (uint64_t)V4L2_DV_BT_FRAME_WIDTH(&t.bt) * V4L2_DV_BT_FRAME_HEIGHT(&t.bt);
    sk_log(SK_LOG_INFO, "capture", "%s: input '%s' DV timings %ux%u%s %.2f Hz", vs->path,
           (const char *)in.name, t.bt.width, t.bt.height, t.bt.interlaced ? "i" : "p",
           total ? (double)t.bt.pixelclock / (double)total : 0.0);
    return 0;
}

/* S_FMT one pixel format; returns what the driver really chose (it may ignore us). */
static uint32_t try_format(struct v4l2_source *vs, uint32_t pixfmt, struct v4l2_format *fmt)
{
    struct v4l2_format want = *fmt;
    want.fmt.pix.pixelformat = pixfmt;
    want.fmt.pix.field = V4L2_FIELD_ANY;
    want.fmt.pix.bytesperline = 0;
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

static int negotiate_format(struct v4l2_source *vs, char *err, size_t errlen)
{
    struct v4l2_format fmt = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    /* Start from the current format so "keep the size" keeps it. */
    if (xioctl(vs->fd, VIDIOC_G_FMT, &fmt) != 0) {
        snprintf(err, errlen, "%s: cannot read the format: %s", vs->path, strerror(errno));
        return -1;
    }
    uint32_t offered[64], choices[SK_FMT_MAX_CHOICES];
    size_t n = sk_format_choices(offered, list_formats(vs->fd, offered, SK_ARRAY_LEN(offered)),
                                 vs->opts->format, choices);
    uint32_t got = 0;
    for (size_t k = 0; k < n; k++) {
        got = try_format(vs, choices[k], &fmt);
        if (got == choices[k] || (sk_format_is_jpeg(got) && sk_format_is_jpeg(choices[k]))) {
            break;
        }
    }
    char cc[5];
    sk_format_fourcc_str(fmt.fmt.pix.pixelformat, cc);
    if (vs->opts->format != 0 && got != vs->opts->format &&
        !(sk_format_is_jpeg(got) && sk_format_is_jpeg(vs->opts->format))) {
        snprintf(err, errlen, "%s: --format %s refused, the driver chose %s", vs->path,
                 sk_format_name(vs->opts->format), cc);
        return -1;
    }
    if (got == 0 || sk_format_name(got) == NULL) {
        snprintf(err, errlen, "%s: offers none of MJPEG, YUYV, RGB24 (driver chose %s)", vs->path,
                 cc);
        return -1;
    }
    if (vs->opts->width > 0 &&
        (fmt.fmt.pix.width != vs->opts->width || fmt.fmt.pix.height != vs->opts->height)) {
        sk_log(SK_LOG_WARN, "capture", "%s: asked for %ux%u, the driver chose %ux%u", vs->path,
               vs->opts->width, vs->opts->height, fmt.fmt.pix.width, fmt.fmt.pix.height);
    }
    vs->pixfmt = got;
    vs->width = fmt.fmt.pix.width;
    vs->height = fmt.fmt.pix.height;
    unsigned bpp = got == V4L2_PIX_FMT_RGB24 ? 3 : 2;
    vs->bytesperline = fmt.fmt.pix.bytesperline ? fmt.fmt.pix.bytesperline : vs->width * bpp;
    atomic_store(&vs->st->fourcc, got);
    atomic_store(&vs->st->width, vs->width);
    atomic_store(&vs->st->height, vs->height);
    return 0;
}

/* Ask for --fps and log the rate the driver says it will deliver. */
static void negotiate_rate(struct v4l2_source *vs)
{
    struct v4l2_streamparm parm = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    if (vs->opts->fps > 0) {
        parm.parm.capture.timeperframe.numerator = 1000;
        parm.parm.capture.timeperframe.denominator = (uint32_t)(vs->opts->fps * 1000);
        if (xioctl(vs->fd, VIDIOC_S_PARM, &parm) != 0) {
            /* Many dongles have one fixed rate; that is not worth failing for. */
            sk_log(SK_LOG_DEBUG, "capture", "%s: cannot set %.1f fps: %s", vs->path, vs->opts->fps,
                   strerror(errno));
        }
    }
    struct v4l2_streamparm got = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    char cc[5];
    sk_format_fourcc_str(vs->pixfmt, cc);
    if (xioctl(vs->fd, VIDIOC_G_PARM, &got) == 0 && got.parm.capture.timeperframe.numerator > 0) {
        sk_log(SK_LOG_INFO, "capture", "%s: %s %ux%u at %.2f fps", vs->path, cc, vs->width,
               vs->height,
               (double)got.parm.capture.timeperframe.denominator /
                   got.parm.capture.timeperframe.numerator);
    } else {
        sk_log(SK_LOG_INFO, "capture", "%s: %s %ux%u (rate not reported)", vs->path, cc, vs->width,
               vs->height);
    }
}

static int map_buffers(struct v4l2_source *vs, char *err, size_t errlen)
{
    struct v4l2_requestbuffers req = {
        .count = V4L2_NBUFS,
        .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
        .memory = V4L2_MEMORY_MMAP,
    };
    if (xioctl(vs->fd, VIDIOC_REQBUFS, &req) != 0 || req.count < 1) {
        snprintf(err, errlen, "%s: cannot get buffers: %s", vs->path, strerror(errno));
        return -1;
    }
    for (unsigned k = 0; k < req.count && k < V4L2_NBUFS; k++) {
        struct v4l2_buffer buf = {
            .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
            .memory = V4L2_MEMORY_MMAP,
            .index = k,
        };
        if (xioctl(vs->fd, VIDIOC_QUERYBUF, &buf) != 0) {
            snprintf(err, errlen, "%s: cannot query buffer %u: %s", vs->path, k, strerror(errno));
            return -1;
        }
        void *start =
            v4l2_mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, vs->fd, buf.m.offset);
        if (start == MAP_FAILED) {
            snprintf(err, errlen, "%s: cannot map buffer %u: %s", vs->path, k, strerror(errno));
            return -1;
        }
        vs->bufs[k].start = start;
        vs->bufs[k].len = buf.length;
        vs->nbufs = k + 1;
    }
    return 0;
}

/*
 * Open path for libv4l2. The capability check comes first, with the plain
 * ioctl: libv4l2 would print its own complaint to stderr for a file that
 * is not a V4L2 device. Returns the fd, or -1 with err set and errno kept.
 */
static int open_v4l2(const char *path, struct v4l2_capability *caps, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc;
    do {
        rc = ioctl(fd, VIDIOC_QUERYCAP, caps);
    } while (rc == -1 && errno == EINTR);
    if (rc != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: not a V4L2 device: %s", path, strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    if (v4l2_fd_open(fd, 0) < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: libv4l2 cannot use it: %s", path, strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/*
 * Open and set up the device, not yet streaming. 0; SK_E_NODEV when it is
 * missing; V4L2_SE_NOSIGNAL when its input has no signal (left closed);
 * -1 for anything else; err says why.
 */
static int device_open(struct v4l2_source *vs, char *err, size_t errlen)
{
    struct v4l2_capability caps = {0};
    vs->fd = open_v4l2(vs->path, &caps, err, errlen);
    if (vs->fd < 0) {
        return errno == ENOENT || errno == ENODEV || errno == ENXIO ? SK_E_NODEV : -1;
    }
    int rc = -1;
    uint32_t dcaps =
        (caps.capabilities & V4L2_CAP_DEVICE_CAPS) ? caps.device_caps : caps.capabilities;
    if (!(dcaps & V4L2_CAP_VIDEO_CAPTURE) || !(dcaps & V4L2_CAP_STREAMING)) {
        snprintf(err, errlen, "%s (%s): not a streaming video capture device", vs->path,
                 (const char *)caps.card);
        goto fail;
    }
    if (vs->opts->input >= 0) {
        int index = vs->opts->input;
        if (xioctl(vs->fd, VIDIOC_S_INPUT, &index) != 0) {
            snprintf(err, errlen, "%s: cannot select --input %d: %s", vs->path, index,
                     strerror(errno));
            goto fail;
        }
    }
    /* Source-change events are per input (the event's id): ask for the one in use. */
    struct v4l2_event_subscription sub = {.type = V4L2_EVENT_SOURCE_CHANGE};
    int current = 0;
    if (xioctl(vs->fd, VIDIOC_G_INPUT, &current) == 0 && current >= 0) {
        sub.id = (uint32_t)current;
    }
    vs->events = xioctl(vs->fd, VIDIOC_SUBSCRIBE_EVENT, &sub) == 0;
    rc = apply_dv_timings(vs, err, errlen);
    if (rc != 0) {
        goto fail;
    }
    rc = -1;
    if (negotiate_format(vs, err, errlen) != 0) {
        goto fail;
    }
    negotiate_rate(vs);
    if (map_buffers(vs, err, errlen) != 0) {
        goto fail;
    }
    char real[PATH_MAX];
    if (realpath(vs->path, real) != NULL && strcmp(real, vs->path) != 0) {
        sk_log(SK_LOG_INFO, "capture", "%s is %s (%s), %u buffers", vs->path, real,
               (const char *)caps.card, vs->nbufs);
    } else {
        sk_log(SK_LOG_INFO, "capture", "%s (%s), %u buffers", vs->path, (const char *)caps.card,
               vs->nbufs);
    }
    return 0;

fail:
    if (rc == -1 && errno == ENODEV) {
        rc = SK_E_NODEV;
    }
    device_close(vs);
    return rc;
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

static void *v4l2_open_source(const char *path, const struct sk_capture_opts *opts,
                              struct sk_source_status *st, char *err, size_t errlen)
{
    struct v4l2_source *vs = xcalloc(1, sizeof(*vs));
    vs->path = xstrdup(path);
    vs->opts = opts;
    vs->st = st;
    vs->fd = -1;
    vs->state = -1;
    vs->scratch = sk_frame_new(0);
    vs->enc = sk_jpeg_enc_new(opts->jpeg_quality > 0 ? opts->jpeg_quality : 80);
    if (vs->enc == NULL) {
        snprintf(err, errlen, "%s: cannot create a JPEG encoder", path);
        goto fail;
    }
    /*
     * At start a device without signal, or not plugged in yet, is fine: the
     * keyboard works meanwhile, NO SIGNAL shows, and capture starts when
     * it comes. Anything else (not a capture device, a refused --format)
     * is a configuration error, reported now.
     */
    int rc = device_open(vs, err, errlen);
    if (rc == V4L2_SE_NOSIGNAL || rc == SK_E_NODEV) {
        set_state(vs, rc == SK_E_NODEV ? SK_SOURCE_NO_DEVICE : SK_SOURCE_NO_SIGNAL, err);
        vs->was_lost = 1;
        vs->backoff_us = sk_backoff_next(0);
        vs->retry_at_us = sk_now_us() + vs->backoff_us;
    } else if (rc != 0) {
        goto fail;
    } else {
        set_state(vs, SK_SOURCE_STARTING, NULL);
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
 * The device stopped working: close it, schedule a reopen after the
 * backoff, and show NO SIGNAL. The backoff only resets when a frame
 * arrives, so a dongle that opens fine but sends nothing is not reopened
 * every half second.
 */
static int lose_device(struct v4l2_source *vs, int state, const char *why, struct sk_frame **out)
{
    set_state(vs, state, why);
    vs->was_lost = 1;
    device_close(vs);
    vs->backoff_us = sk_backoff_next(vs->backoff_us);
    vs->retry_at_us = sk_now_us() + vs->backoff_us;
    *out = no_signal(vs);
    return *out ? 0 : SK_E_AGAIN;
}

/* Whether capture should run now: always, or while anyone watches (plus the grace). */
static int wanted(struct v4l2_source *vs)
{
    if (vs->opts->always || vs->opts->hub == NULL) {
        return 1;
    }
    struct sk_hub_stats hs;
    sk_hub_stats(vs->opts->hub, &hs);
    return hs.watchers > 0;
}

/* (Re)open and start streaming; on failure back off. Returns like next(). */
static int start(struct v4l2_source *vs, struct sk_frame **out)
{
    char err[256];
    int rc = vs->fd >= 0 ? 0 : device_open(vs, err, sizeof(err));
    if (rc == 0) {
        rc = stream_on(vs, err, sizeof(err));
    }
    if (rc == 0) {
        if (vs->was_lost) {
            atomic_fetch_add(&vs->st->reconnects, 1);
            vs->was_lost = 0;
        }
        set_state(vs, SK_SOURCE_STREAMING, NULL);
        return SK_E_AGAIN;
    }
    device_close(vs);
    int state = rc == SK_E_NODEV ? SK_SOURCE_NO_DEVICE : SK_SOURCE_NO_SIGNAL;
    if (vs->state != state) {
        return lose_device(vs, state, err, out);
    }
    sk_log(SK_LOG_DEBUG, "capture", "reopen failed: %s", err);
    vs->backoff_us = sk_backoff_next(vs->backoff_us);
    vs->retry_at_us = sk_now_us() + vs->backoff_us;
    return SK_E_AGAIN;
}

/* Not streaming: idle until a watcher comes, or retry after the backoff with NO SIGNAL meanwhile.
 */
static int while_stopped(struct v4l2_source *vs, const atomic_int *stop, struct sk_frame **out)
{
    int64_t now = sk_now_us();
    if (!wanted(vs)) {
        if (vs->state != SK_SOURCE_IDLE && vs->state != SK_SOURCE_NO_DEVICE &&
            vs->state != SK_SOURCE_NO_SIGNAL) {
            set_state(vs, SK_SOURCE_IDLE, "nobody watching");
        }
        if (vs->fd >= 0 && now - vs->idle_since_us >= V4L2_IDLE_GRACE_US) {
            device_close(vs);
            sk_log(SK_LOG_DEBUG, "capture", "%s: closed while idle", vs->path);
        }
        int rc = sk_capture_sleep_until(stop, now + 100000);
        return rc == 0 ? SK_E_AGAIN : rc;
    }
    int lost = vs->state == SK_SOURCE_NO_DEVICE || vs->state == SK_SOURCE_NO_SIGNAL;
    if (!lost || now >= vs->retry_at_us) {
        return start(vs, out);
    }
    if (now >= vs->no_signal_at_us) {
        *out = no_signal(vs);
        return *out ? 0 : SK_E_AGAIN;
    }
    int64_t until = SK_MIN(SK_MIN(vs->retry_at_us, vs->no_signal_at_us), now + 100000);
    int rc = sk_capture_sleep_until(stop, until);
    return rc == 0 ? SK_E_AGAIN : rc;
}

/* Keep the raw pixels of a raw frame alongside its JPEG, for the renderers. */
static void attach_raw(struct v4l2_source *vs, struct sk_frame *frame, const uint8_t *data)
{
    size_t len = (size_t)vs->bytesperline * vs->height;
    struct sk_frame *raw = sk_frame_new(len);
    sk_frame_set_data(raw, data, len);
    raw->width = vs->width;
    raw->height = vs->height;
    raw->pitch = vs->bytesperline;
    raw->format = vs->pixfmt == V4L2_PIX_FMT_YUYV ? SK_FRAME_YUYV : SK_FRAME_RGB24;
    raw->captured_us = frame->captured_us;
    frame->raw = raw;
}

/*
 * Count a broken frame. The first one is a warning; after that a dongle
 * that sends a broken frame in every few would flood the log, so further
 * drops are summed up at most every 30 s.
 */
static void drop(struct v4l2_source *vs, const char *why, size_t used)
{
    unsigned long long n = atomic_fetch_add(&vs->st->dropped, 1) + 1;
    int64_t now = sk_now_us();
    if (!vs->warned_invalid) {
        sk_log(SK_LOG_WARN, "capture", "%s: dropping broken frames (%s, %zu bytes)", vs->path, why,
               used);
        vs->warned_invalid = 1;
        vs->drop_logged_us = now;
    } else if (now - vs->drop_logged_us >= V4L2_DROP_LOG_EVERY_US) {
        sk_log(SK_LOG_INFO, "capture", "%s: %llu broken frames dropped so far (now: %s)", vs->path,
               n, why);
        vs->drop_logged_us = now;
    } else {
        sk_log(SK_LOG_DEBUG, "capture", "%s: dropped a broken frame (%s, %zu bytes)", vs->path, why,
               used);
    }
}

/* Turn one dequeued buffer into a frame, or NULL when it is dropped. */
static struct sk_frame *take_buffer(struct v4l2_source *vs, const struct v4l2_buffer *buf)
{
    const uint8_t *data = vs->bufs[buf->index].start;
    size_t used = buf->bytesused;
    if (buf->flags & V4L2_BUF_FLAG_ERROR) {
        drop(vs, "driver flagged an error", used);
        return NULL;
    }
    if (!sk_format_is_jpeg(vs->pixfmt)) {
        size_t need = (size_t)vs->bytesperline * vs->height;
        if (used < need || need > vs->bufs[buf->index].len) {
            drop(vs, "short raw frame", used);
            return NULL;
        }
        int rc = vs->pixfmt == V4L2_PIX_FMT_YUYV
                     ? sk_jpeg_encode_yuyv(vs->enc, data, vs->width, vs->height, vs->bytesperline,
                                           vs->scratch)
                     : sk_jpeg_encode_rgb(vs->enc, data, vs->width, vs->height, vs->bytesperline,
                                          vs->scratch);
        if (rc != 0) {
            drop(vs, "cannot encode", used);
            return NULL;
        }
        /* A copy at the JPEG's real size: the scratch buffer is worst-case and reused. */
        struct sk_frame *f = sk_capture_jpeg_frame(vs->scratch->data, vs->scratch->size,
                                                   vs->scratch->width, vs->scratch->height);
        attach_raw(vs, f, data);
        return f;
    }

    size_t len = 0;
    unsigned w = vs->width;
    unsigned h = vs->height;
    static const char *const why[] = {
        [SK_MJPEG_TOO_SMALL] = "too small",
        [SK_MJPEG_OVERSIZED] = "bytesused beyond the buffer",
        [SK_MJPEG_BAD] = "no SOI/EOI or broken structure",
    };
    enum sk_mjpeg_check c = sk_mjpeg_check_buffer(data, used, vs->bufs[buf->index].len, &len);
    if (c == SK_MJPEG_OK && sk_jpeg_info(data, len, &w, &h) != 0) {
        c = SK_MJPEG_BAD;
    }
    if (c != SK_MJPEG_OK) {
        drop(vs, why[c], used);
        return NULL;
    }
    return sk_capture_jpeg_frame(data, len, w, h);
}

/* A pending event: 1 when the source changed (restart), 0 otherwise, -1 on error. */
static int take_event(struct v4l2_source *vs)
{
    struct v4l2_event ev = {0};
    if (xioctl(vs->fd, VIDIOC_DQEVENT, &ev) != 0) {
        return errno == ENOENT || errno == EAGAIN ? 0 : -1;
    }
    return ev.type == V4L2_EVENT_SOURCE_CHANGE &&
           (ev.u.src_change.changes & V4L2_EVENT_SRC_CH_RESOLUTION);
}

static int v4l2_next(void *arg, const atomic_int *stop, struct sk_frame **out)
{
    struct v4l2_source *vs = arg;
    if (!vs->streaming) {
        return while_stopped(vs, stop, out);
    }
    if (!wanted(vs)) {
        /* Nobody watches: stop the stream now, close the device after the grace. */
        stream_off(vs);
        vs->idle_since_us = sk_now_us();
        set_state(vs, SK_SOURCE_IDLE, "nobody watching");
        return SK_E_AGAIN;
    }

    /* Wait up to 1 s for a buffer, in 100 ms slices so that a stop is noticed. */
    int64_t until = sk_now_us() + 1000000;
    for (;;) {
        if (atomic_load(stop)) {
            return SK_E_CLOSED;
        }
        /* poll, not select: a reopened device may get an fd above FD_SETSIZE. */
        struct pollfd p = {.fd = vs->fd, .events = POLLIN | (vs->events ? POLLPRI : 0)};
        int n = poll(&p, 1, 100);
        if (n < 0 && errno != EINTR) {
            return lose_device(vs, SK_SOURCE_NO_DEVICE, strerror(errno), out);
        }
        if (n > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLIN)) {
            return lose_device(vs, SK_SOURCE_NO_DEVICE, "device error or gone", out);
        }
        if (n > 0 && (p.revents & POLLPRI)) {
            int ev = take_event(vs);
            if (ev != 0) {
                /* New timings: reopen at once, at the new size (or NO SIGNAL). */
                sk_log(SK_LOG_INFO, "capture", "%s: source changed, restarting", vs->path);
                atomic_fetch_add(&vs->st->restarts, 1);
                device_close(vs);
                vs->retry_at_us = 0;
                vs->state = SK_SOURCE_STARTING;
                return start(vs, out);
            }
        }
        if (n > 0 && (p.revents & POLLIN)) {
            break;
        }
        int64_t now = sk_now_us();
        if (now - vs->last_frame_us > V4L2_NO_FRAME_US) {
            atomic_fetch_add(&vs->st->restarts, 1);
            return lose_device(vs, SK_SOURCE_NO_SIGNAL, "no frames for 2 s", out);
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
        return lose_device(vs, errno == ENODEV ? SK_SOURCE_NO_DEVICE : SK_SOURCE_NO_SIGNAL,
                           strerror(errno), out);
    }
    struct sk_frame *frame = buf.index < vs->nbufs ? take_buffer(vs, &buf) : NULL;
    if (xioctl(vs->fd, VIDIOC_QBUF, &buf) != 0) {
        sk_frame_unref(frame);
        return lose_device(vs, SK_SOURCE_NO_DEVICE, strerror(errno), out);
    }
    if (frame == NULL) {
        /* Only broken frames is no picture either: show NO SIGNAL, not the last good frame. */
        if (sk_now_us() - vs->last_frame_us > V4L2_NO_FRAME_US) {
            return lose_device(vs, SK_SOURCE_NO_SIGNAL, "no valid frames for 2 s", out);
        }
        return SK_E_AGAIN;
    }
    vs->last_frame_us = sk_now_us();
    vs->backoff_us = 0;
    set_state(vs, SK_SOURCE_STREAMING, NULL);
    *out = frame;
    return 0;
}

const struct sk_source_ops sk_capture_v4l2_ops = {
    .kind = "v4l2",
    .open = v4l2_open_source,
    .next = v4l2_next,
    .close = v4l2_close_source,
};

/* ---- --list-video ---- */

static void list_intervals(int fd, uint32_t pixfmt, unsigned w, unsigned h, FILE *out)
{
    fputs(":", out);
    int any = 0;
    for (uint32_t i = 0; i < 32; i++) {
        struct v4l2_frmivalenum iv = {.index = i, .pixel_format = pixfmt, .width = w, .height = h};
        if (xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &iv) != 0) {
            break;
        }
        any = 1;
        if (iv.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
            fprintf(out, " %.4g",
                    iv.discrete.numerator ? (double)iv.discrete.denominator / iv.discrete.numerator
                                          : 0.0);
        } else {
            fprintf(out, " %.4g-%.4g",
                    iv.stepwise.max.numerator
                        ? (double)iv.stepwise.max.denominator / iv.stepwise.max.numerator
                        : 0.0,
                    iv.stepwise.min.numerator
                        ? (double)iv.stepwise.min.denominator / iv.stepwise.min.numerator
                        : 0.0);
            break;
        }
    }
    fputs(any ? " fps\n" : " (rates not listed)\n", out);
}

static void list_sizes(int fd, uint32_t pixfmt, FILE *out)
{
    for (uint32_t i = 0; i < 64; i++) {
        struct v4l2_frmsizeenum fs = {.index = i, .pixel_format = pixfmt};
        if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) != 0) {
            if (i == 0) {
                fputs("    sizes not listed\n", out);
            }
            return;
        }
        if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
            fprintf(out, "    %ux%u", fs.discrete.width, fs.discrete.height);
            list_intervals(fd, pixfmt, fs.discrete.width, fs.discrete.height, out);
        } else {
            fprintf(out, "    %ux%u to %ux%u (step %ux%u)", fs.stepwise.min_width,
                    fs.stepwise.min_height, fs.stepwise.max_width, fs.stepwise.max_height,
                    fs.stepwise.step_width, fs.stepwise.step_height);
            list_intervals(fd, pixfmt, fs.stepwise.max_width, fs.stepwise.max_height, out);
            return;
        }
    }
}

int sk_capture_list_video(const char *path, FILE *out, char *err, size_t errlen)
{
    struct v4l2_capability caps = {0};
    int fd = open_v4l2(path, &caps, err, errlen);
    if (fd < 0) {
        return -1;
    }
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) {
        snprintf(real, sizeof(real), "%s", path);
    }
    fprintf(out, "%s%s%s: %s (driver %s, bus %s)\n", path, strcmp(real, path) ? " -> " : "",
            strcmp(real, path) ? real : "", (const char *)caps.card, (const char *)caps.driver,
            (const char *)caps.bus_info);
    uint32_t dcaps =
        (caps.capabilities & V4L2_CAP_DEVICE_CAPS) ? caps.device_caps : caps.capabilities;
    if (!(dcaps & V4L2_CAP_VIDEO_CAPTURE)) {
        fputs("  not a video capture device: sshkvm cannot use it\n", out);
    }
    int current = -1;
    xioctl(fd, VIDIOC_G_INPUT, &current);
    for (uint32_t i = 0; i < 32; i++) {
        struct v4l2_input in = {.index = i};
        if (xioctl(fd, VIDIOC_ENUMINPUT, &in) != 0) {
            break;
        }
        fprintf(out, "input %u: %s%s", i, (const char *)in.name,
                (int)i == current ? " (current)" : "");
        if (in.capabilities & V4L2_IN_CAP_DV_TIMINGS) {
            /* Timings are per input: look at this one, then go back. */
            int idx = (int)i;
            struct v4l2_dv_timings t = {0};
            if (xioctl(fd, VIDIOC_S_INPUT, &idx) == 0 &&
                xioctl(fd, VIDIOC_QUERY_DV_TIMINGS, &t) == 0) {
                fprintf(out, ", DV timings %ux%u%s", t.bt.width, t.bt.height,
                        t.bt.interlaced ? "i" : "p");
            } else {
                fprintf(out, ", DV timings: no signal (%s)", strerror(errno));
            }
            if (current >= 0) {
                xioctl(fd, VIDIOC_S_INPUT, &current);
            }
        }
        fputs("\n", out);
    }
    for (uint32_t i = 0; i < 128; i++) {
        struct v4l2_fmtdesc d = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
        if (xioctl(fd, VIDIOC_ENUM_FMT, &d) != 0) {
            break;
        }
        char cc[5];
        sk_format_fourcc_str(d.pixelformat, cc);
        const char *name = sk_format_name(d.pixelformat);
        fprintf(out, "format %s '%s'%s%s%s\n", cc, (const char *)d.description,
                d.flags & V4L2_FMT_FLAG_EMULATED ? " (converted by libv4l2)" : "",
                name ? ", --format " : ", not used by sshkvm", name ? name : "");
        list_sizes(fd, d.pixelformat, out);
    }
    v4l2_close(fd);
    return 0;
}

/*
 * v4l2util: the VM tests' hands on V4L2 inside the guest (static, guest only).
 *
 *   v4l2util feed DEV WxH PERIOD_MS FILE...
 *       The producer for v4l2loopback: set DEV's OUTPUT format to MJPEG at
 *       WxH, then write() the files in turn, one per PERIOD_MS, round and
 *       round, each as one frame. The files are the test's known JPEGs and
 *       deliberately broken ones, sent as they are.
 *   v4l2util relay DEV WxH IPV4 PORT
 *       The producer for a live target (tests/vm/livescreen.py on the
 *       host): the same OUTPUT format, then connect to IPV4:PORT and write
 *       each frame the host sends (a 4-byte big-endian length, then the
 *       JPEG) as it comes. A closed or refused connection is tried again
 *       every half second, for ever: the host changes targets by starting
 *       another sender on the same port, as a dongle's input is re-plugged.
 *       Says "relay: first frame" on each connection's first (v4l2loopback
 *       offers no capture format before a frame was written).
 *   v4l2util ctrl DEV NAME VALUE
 *       Set the control called NAME (as VIDIOC_QUERYCTRL names it, e.g.
 *       vivid's "DV Timings Signal Mode") to VALUE: a number, or for a
 *       menu control the first item whose name contains VALUE.
 *   v4l2util timings DEV
 *       Print the detected DV timings ("1280x720") or "none: <error>".
 *   v4l2util input DEV N
 *       Select input N (vivid keeps it after close: its controls act on
 *       the current input).
 * Errors go to stderr with exit status 1 (a menu VALUE that matches no
 * item lists the items).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what)
{
    fprintf(stderr, "v4l2util: %s: %s\n", what, strerror(errno));
    return 1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        if (n == 0) {
            break;
        }
        *len += n;
    }
    fclose(f);
    return buf;
}

static int feed(int argc, char **argv)
{
    unsigned w, h;
    if (argc < 6 || sscanf(argv[3], "%ux%u", &w, &h) != 2) {
        fprintf(stderr, "usage: v4l2util feed DEV WxH PERIOD_MS FILE...\n");
        return 2;
    }
    long period = atol(argv[4]);
    int nfiles = argc - 5;
    char **data = calloc((size_t)nfiles, sizeof(*data));
    size_t *len = calloc((size_t)nfiles, sizeof(*len));
    size_t biggest = 0;
    for (int k = 0; k < nfiles; k++) {
        data[k] = slurp(argv[5 + k], &len[k]);
        if (data[k] == NULL) {
            return die(argv[5 + k]);
        }
        biggest = len[k] > biggest ? len[k] : biggest;
    }
    int fd = open(argv[2], O_RDWR);
    if (fd < 0) {
        return die(argv[2]);
    }
    struct v4l2_format fmt = {.type = V4L2_BUF_TYPE_VIDEO_OUTPUT};
    fmt.fmt.pix.width = w;
    fmt.fmt.pix.height = h;
    fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    fmt.fmt.pix.sizeimage = (unsigned)biggest > w * h * 2 ? (unsigned)biggest : w * h * 2;
    if (ioctl(fd, VIDIOC_S_FMT, &fmt) != 0) {
        return die("S_FMT OUTPUT MJPEG");
    }
    printf("feeding %d files to %s every %ld ms\n", nfiles, argv[2], period);
    fflush(stdout);
    for (unsigned long i = 0;; i++) {
        int k = (int)(i % (unsigned long)nfiles);
        if (write(fd, data[k], len[k]) != (ssize_t)len[k]) {
            return die("write");
        }
        struct timespec ts = {.tv_sec = period / 1000, .tv_nsec = (period % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Read exactly n bytes; 0 at the end of the stream or on an error. */
static int read_all(int fd, uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, buf, n);
        if (r <= 0) {
            return 0;
        }
        buf += r;
        n -= (size_t)r;
    }
    return 1;
}

static int relay(int argc, char **argv)
{
    unsigned w, h;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    if (argc != 6 || sscanf(argv[3], "%ux%u", &w, &h) != 2 || inet_pton(AF_INET, argv[4], &sa.sin_addr) != 1) {
        fprintf(stderr, "usage: v4l2util relay DEV WxH IPV4 PORT\n");
        return 2;
    }
    sa.sin_port = htons((uint16_t)atoi(argv[5]));
    int fd = open(argv[2], O_RDWR);
    if (fd < 0) {
        return die(argv[2]);
    }
    size_t cap = (size_t)w * h * 2;
    struct v4l2_format fmt = {.type = V4L2_BUF_TYPE_VIDEO_OUTPUT};
    fmt.fmt.pix.width = w;
    fmt.fmt.pix.height = h;
    fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    fmt.fmt.pix.sizeimage = (unsigned)cap;
    if (ioctl(fd, VIDIOC_S_FMT, &fmt) != 0) {
        return die("S_FMT OUTPUT MJPEG");
    }
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        return die("malloc");
    }
    printf("relaying %s:%s to %s\n", argv[4], argv[5], argv[2]);
    fflush(stdout);
    for (;;) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
            if (s >= 0) {
                close(s);
            }
            struct timespec ts = {.tv_nsec = 500000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        unsigned long frames = 0;
        uint8_t head[4];
        while (read_all(s, head, 4)) {
            size_t len = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
            if (len == 0 || len > cap || !read_all(s, buf, len)) {
                break;
            }
            if (write(fd, buf, len) != (ssize_t)len) {
                return die("write");
            }
            if (++frames == 1) {
                printf("relay: first frame\n");
                fflush(stdout);
            }
        }
        printf("relay: connection ended after %lu frames\n", frames);
        fflush(stdout);
        close(s);
        struct timespec ts = {.tv_nsec = 500000000L};
        nanosleep(&ts, NULL);
    }
}

static int ctrl(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: v4l2util ctrl DEV NAME VALUE\n");
        return 2;
    }
    int fd = open(argv[2], O_RDWR);
    if (fd < 0) {
        return die(argv[2]);
    }
    struct v4l2_queryctrl q = {.id = V4L2_CTRL_FLAG_NEXT_CTRL};
    while (ioctl(fd, VIDIOC_QUERYCTRL, &q) == 0) {
        if (strcmp((const char *)q.name, argv[3]) == 0) {
            break;
        }
        q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
    }
    if (strcmp((const char *)q.name, argv[3]) != 0) {
        fprintf(stderr, "v4l2util: no control named '%s'\n", argv[3]);
        return 1;
    }
    char *end;
    long value = strtol(argv[4], &end, 10);
    if (*end != '\0' && q.type == V4L2_CTRL_TYPE_MENU) {
        value = -1;
        for (int i = q.minimum; i <= q.maximum; i++) {
            struct v4l2_querymenu m = {.id = q.id, .index = (unsigned)i};
            if (ioctl(fd, VIDIOC_QUERYMENU, &m) == 0 && strstr((const char *)m.name, argv[4])) {
                value = i;
                printf("%s = %d (%s)\n", argv[3], i, (const char *)m.name);
                break;
            }
        }
        if (value < 0) {
            fprintf(stderr, "v4l2util: '%s' has no item like '%s'\n", argv[3], argv[4]);
            for (int i = q.minimum; i <= q.maximum; i++) {
                struct v4l2_querymenu m = {.id = q.id, .index = (unsigned)i};
                if (ioctl(fd, VIDIOC_QUERYMENU, &m) == 0) {
                    fprintf(stderr, "  %d %s\n", i, (const char *)m.name);
                }
            }
            return 1;
        }
    } else if (*end != '\0') {
        fprintf(stderr, "v4l2util: '%s' is not a number\n", argv[4]);
        return 1;
    }
    struct v4l2_control c = {.id = q.id, .value = (int)value};
    if (ioctl(fd, VIDIOC_S_CTRL, &c) != 0) {
        return die("S_CTRL");
    }
    return 0;
}

static int timings(int argc, char **argv)
{
    int fd = argc == 3 ? open(argv[2], O_RDWR) : -1;
    if (fd < 0) {
        return die(argc == 3 ? argv[2] : "usage: v4l2util timings DEV");
    }
    struct v4l2_dv_timings t = {0};
    if (ioctl(fd, VIDIOC_QUERY_DV_TIMINGS, &t) != 0) {
        printf("none: %s\n", strerror(errno));
        return 0;
    }
    printf("%ux%u\n", t.bt.width, t.bt.height);
    return 0;
}

static int input(int argc, char **argv)
{
    int fd = argc == 4 ? open(argv[2], O_RDWR) : -1;
    if (fd < 0) {
        return die(argc == 4 ? argv[2] : "usage: v4l2util input DEV N");
    }
    int index = atoi(argv[3]);
    if (ioctl(fd, VIDIOC_S_INPUT, &index) != 0) {
        return die("S_INPUT");
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "input") == 0) {
        return input(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "feed") == 0) {
        return feed(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "relay") == 0) {
        return relay(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "ctrl") == 0) {
        return ctrl(argc, argv);
    }
    if (argc >= 2 && strcmp(argv[1], "timings") == 0) {
        return timings(argc, argv);
    }
    fprintf(stderr, "usage: v4l2util feed|relay|ctrl|timings|input ...\n");
    return 2;
}

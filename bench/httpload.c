/*
 * httpload: many MJPEG viewers of one sshkvm, for bench/bench_http.sh.
 *
 *   httpload PORT FAST SLOW SECONDS SERVER_PID [SLOW_BYTES_PER_S]
 *
 * Opens FAST viewers that read /stream as fast as they can and SLOW ones
 * that read at most SLOW_BYTES_PER_S (default 1 MB/s) through a small
 * receive buffer, all on 127.0.0.1 in one epoll thread. Parts are parsed by
 * their Content-Length; body bytes are discarded in the kernel
 * (recv MSG_TRUNC) so that the load generator costs little next to the
 * server. After one second of warm-up it measures for SECONDS: frames per
 * viewer, the latency from capture (the part's X-Timestamp, CLOCK_MONOTONIC
 * on the same machine) to the part's last byte received, and the server's
 * CPU time, peak RSS and most threads (sampled every 100 ms: over the
 * window, and from the moment every viewer has connected, which takes in
 * the threads a burst of connections costs while it is being answered) from /proc/SERVER_PID.
 * Prints one line of name=value figures; exits 1 when a viewer cannot connect.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

enum phase { RESPONSE_HEAD, PART_HEAD, BODY };

struct viewer {
    int fd;
    int slow;
    enum phase phase;
    char buf[2048];
    size_t len;
    size_t body_left; /* bytes of body + CRLF still to come */
    int64_t stamp_us; /* X-Timestamp of the part being read */
    uint64_t frames;  /* parts completed inside the window */
    double budget;    /* slow viewers: bytes they may read now */
    int dead;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double *lat;
static size_t nlat, caplat;
static int measuring;

static void record_latency(double ms)
{
    if (!measuring) {
        return;
    }
    if (nlat == caplat) {
        caplat = caplat ? caplat * 2 : 65536;
        lat = realloc(lat, caplat * sizeof(*lat));
    }
    lat[nlat++] = ms;
}

static int connect_viewer(int port, int slow)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    if (slow) {
        int rcv = 32 * 1024;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    static const char req[] = "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Consume header bytes in v->buf; returns 1 when a phase advanced. */
static int parse_heads(struct viewer *v)
{
    char *end = memmem(v->buf, v->len, "\r\n\r\n", 4);
    if (end == NULL) {
        if (v->len == sizeof(v->buf)) {
            v->dead = 1;
        }
        return 0;
    }
    size_t hlen = (size_t)(end - v->buf) + 4;
    if (v->phase == RESPONSE_HEAD) {
        v->phase = PART_HEAD;
    } else {
        *end = '\0';
        char *cl = strcasestr(v->buf, "Content-Length:");
        char *ts = strcasestr(v->buf, "X-Timestamp:");
        if (cl == NULL || ts == NULL) {
            v->dead = 1;
            return 0;
        }
        long long sec = 0, usec = 0;
        sscanf(ts + 12, " %lld.%lld", &sec, &usec);
        v->stamp_us = sec * 1000000 + usec;
        v->body_left = strtoul(cl + 15, NULL, 10) + 2;
        v->phase = BODY;
    }
    memmove(v->buf, v->buf + hlen, v->len - hlen);
    v->len -= hlen;
    if (v->phase == BODY) {
        size_t take = v->len < v->body_left ? v->len : v->body_left;
        v->body_left -= take;
        memmove(v->buf, v->buf + take, v->len - take);
        v->len -= take;
    }
    return 1;
}

static void part_done(struct viewer *v)
{
    v->phase = PART_HEAD;
    if (measuring) {
        v->frames++;
        if (!v->slow) {
            record_latency((double)(now_us() - v->stamp_us) / 1000.0);
        }
    }
}

/* Read what is there (at most limit bytes); returns bytes read, 0 when nothing. */
static size_t pump(struct viewer *v, size_t limit)
{
    size_t total = 0;
    while (!v->dead && total < limit) {
        ssize_t n;
        if (v->phase == BODY && v->body_left > 0) {
            size_t want = v->body_left < limit - total ? v->body_left : limit - total;
            n = recv(v->fd, NULL, want, MSG_TRUNC | MSG_DONTWAIT);
            if (n > 0) {
                v->body_left -= (size_t)n;
            }
        } else if (v->phase == BODY) {
            part_done(v);
            continue;
        } else {
            size_t room = sizeof(v->buf) - v->len;
            size_t want = room < 512 ? room : 512;
            if (want > limit - total) {
                want = limit - total;
            }
            n = recv(v->fd, v->buf + v->len, want, MSG_DONTWAIT);
            if (n > 0) {
                v->len += (size_t)n;
                while (!v->dead && v->phase != BODY && parse_heads(v)) {
                }
                if (v->phase == BODY && v->body_left == 0) {
                    part_done(v);
                    while (!v->dead && parse_heads(v) && v->phase == BODY && v->body_left == 0) {
                        part_done(v);
                    }
                }
            }
        }
        if (n == 0) {
            v->dead = 1;
        }
        if (n <= 0) {
            break;
        }
        total += (size_t)n;
    }
    return total;
}

/* sshkvm_frames_captured_total from the server's /metrics, or -1. */
static double captured_total(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    char buf[16384];
    size_t len = 0;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    ssize_t n;
    while (len + 1 < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    char *p = strstr(buf, "\nsshkvm_frames_captured_total ");
    return p != NULL ? strtod(p + strlen("\nsshkvm_frames_captured_total "), NULL) : -1;
}

static double proc_cpu_s(int pid)
{
    char path[64], line[2048];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
        if (f) {
            fclose(f);
        }
        return -1;
    }
    fclose(f);
    char *p = strrchr(line, ')');
    unsigned long utime = 0, stime = 0;
    /* Fields after the command: state is 3, utime 14, stime 15. */
    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* A number from /proc/PID/status ("VmHWM:" in kB, "Threads:"), or -1. */
static long proc_status(int pid, const char *field)
{
    char path[64], line[256];
    long value = -1;
    size_t flen = strlen(field);
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, field, flen) == 0) {
            value = strtol(line + flen, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return value;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: httpload PORT FAST SLOW SECONDS SERVER_PID [SLOW_BYTES_PER_S]\n");
        return 2;
    }
    int port = atoi(argv[1]), nfast = atoi(argv[2]), nslow = atoi(argv[3]);
    double seconds = atof(argv[4]);
    int pid = atoi(argv[5]);
    double slow_rate = argc > 6 ? atof(argv[6]) : 1e6;
    int n = nfast + nslow;
    struct rlimit rl = {4096, 4096};
    setrlimit(RLIMIT_NOFILE, &rl);
    struct viewer *v = calloc((size_t)n, sizeof(*v));
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        v[i].slow = i >= nfast;
        v[i].fd = connect_viewer(port, v[i].slow);
        if (v[i].fd < 0) {
            fprintf(stderr, "httpload: cannot connect viewer %d: %s\n", i, strerror(errno));
            return 1;
        }
        if (!v[i].slow) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &v[i]};
            epoll_ctl(ep, EPOLL_CTL_ADD, v[i].fd, &ev);
        }
    }
    int64_t start = now_us(), window_start = start + 1000000;
    int64_t window_end = window_start + (int64_t)(seconds * 1e6), last_tick = start;
    int64_t last_sample = start;
    long threads_max = proc_status(pid, "Threads:"), threads_window = 0;
    double cpu0 = 0, cap0 = 0;
    struct rusage ru0 = {0};
    struct epoll_event evs[256];
    for (;;) {
        int64_t t = now_us();
        if (!measuring && t >= window_start) {
            measuring = 1;
            cpu0 = proc_cpu_s(pid);
            cap0 = captured_total(port);
            getrusage(RUSAGE_SELF, &ru0);
        }
        if (t >= window_end) {
            break;
        }
        int k = epoll_wait(ep, evs, 256, 5);
        for (int i = 0; i < k; i++) {
            pump(evs[i].data.ptr, (size_t)1 << 30);
        }
        /* Slow viewers read their budget every few milliseconds. */
        t = now_us();
        if (t - last_sample >= 100000) {
            long threads = proc_status(pid, "Threads:");
            threads_max = threads > threads_max ? threads : threads_max;
            if (measuring) {
                threads_window = threads > threads_window ? threads : threads_window;
            }
            last_sample = t;
        }
        double dt = (double)(t - last_tick) / 1e6;
        if (dt >= 0.005) {
            last_tick = t;
            for (int i = nfast; i < n; i++) {
                v[i].budget += slow_rate * dt;
                if (v[i].budget > slow_rate / 10) {
                    v[i].budget = slow_rate / 10;
                }
                if (v[i].budget >= 1) {
                    v[i].budget -= (double)pump(&v[i], (size_t)v[i].budget);
                }
            }
        }
    }
    double cpu = proc_cpu_s(pid) - cpu0;
    double captured = captured_total(port) - cap0;
    struct rusage ru1;
    getrusage(RUSAGE_SELF, &ru1);
    double self_cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec -
                               ru0.ru_stime.tv_sec) +
                      (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec -
                               ru0.ru_stime.tv_usec) /
                          1e6;
    double fmin = 1e9, fsum = 0, ssum = 0;
    uint64_t frames = 0;
    int dead = 0;
    for (int i = 0; i < n; i++) {
        double fps = (double)v[i].frames / seconds;
        frames += v[i].frames;
        dead += v[i].dead;
        if (v[i].slow) {
            ssum += fps;
        } else {
            fsum += fps;
            fmin = fps < fmin ? fps : fmin;
        }
    }
    qsort(lat, nlat, sizeof(*lat), sk_bench_cmp_double);
    double p50 = nlat ? lat[nlat / 2] : -1, p99 = nlat ? lat[(nlat * 99) / 100] : -1;
    double lmax = nlat ? lat[nlat - 1] : -1;
    printf(
        "fast_fps_min=%.1f fast_fps_mean=%.1f slow_fps_mean=%.1f server_cpu_pct=%.1f "
        "cpu_us_per_frame=%.1f rss_peak_mb=%.1f lat_p50_ms=%.1f lat_p99_ms=%.1f lat_max_ms=%.1f "
        "frames=%llu dead=%d loadgen_cpu_pct=%.1f capture_fps=%.1f threads=%ld threads_max=%ld\n",
        nfast ? fmin : 0, nfast ? fsum / nfast : 0, nslow ? ssum / nslow : 0, 100.0 * cpu / seconds,
        frames ? cpu * 1e6 / (double)frames : 0, (double)proc_status(pid, "VmHWM:") / 1024.0, p50,
        p99, lmax, (unsigned long long)frames, dead, 100.0 * self_cpu / seconds, captured / seconds,
        threads_window, threads_max);
    for (int i = 0; i < n; i++) {
        close(v[i].fd);
    }
    free(v);
    free(lat);
    return 0;
}

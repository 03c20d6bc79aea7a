/*
 * port: a serial port's thread, its ring of recent output, and its writers.
 *
 * The port owns the device's descriptor and one thread. The thread opens
 * the device (in raw mode, with the spec's speed, framing and flow
 * control), then polls it in slices of POLL_MS so that a stop request is
 * seen promptly; whatever it reads goes into the ring under the lock, the
 * total count of bytes ever read moves on (the generation readers wait
 * for), and every waiting reader is woken. The thread never waits for a
 * reader: a reader that is slow simply finds its position overwritten and
 * is told how much it lost. A reader that also waits for something else
 * (a session's socket) polls an eventfd of its own (sk_port_watch), which
 * the thread signals wherever it wakes the others. When reading fails or the device hangs up (a
 * USB adapter pulled out, a pty's other end gone), the thread closes it and
 * looks for it again every retry_ms, reporting "absent" meanwhile.
 *
 * With a log directory, every byte read also goes to the port's log
 * (serlog) before readers are woken, so the log holds all of it however
 * slow the readers; the thread ticks the log on every poll so that nothing
 * waits in memory longer than a second.
 *
 * Writers (script commands, sessions) write on their own threads under
 * fd_lock, which the port's thread also takes to swap the descriptor, so a
 * write never meets a closed or reused descriptor.
 *
 * A port whose device is telnet:HOST:PORT has no tty: its descriptor is a
 * TCP connection that telnetport owns. The thread connects instead of
 * opening, passes what it reads through telnetport (which takes the telnet
 * commands out) before keeping it, and flushes telnetport's queue when the
 * socket has room; writes, breaks and speed changes go to telnetport.
 * Everything else (the ring, readers, the log, "absent" and the retries) is
 * the same for both.
 */
#include "serial/port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "serial/serlog.h"
#include "serial/telnetport.h"

#define POLL_MS 100 /* the longest the thread waits before looking at stop */
#define RING_DEFAULT                                                                               \
    (256 * 1024)              /* output kept: replay, and 1 s of slack for readers at 2 Mbit/s */
#define RETRY_DEFAULT_MS 1000 /* how often a missing device is looked for */

struct sk_port {
    struct sk_port_opts opts;
    struct sk_serlog *log;     /* NULL: no log kept */
    struct sk_telnetport *tel; /* a telnet port's connection; NULL: a tty */
    pthread_t thread;
    int running;
    atomic_int stop;

    pthread_mutex_t fd_lock; /* fd, for writers and the thread's swaps */
    int fd;

    pthread_mutex_t lock; /* everything below */
    pthread_cond_t cond;  /* total moved on, or the port closed */
    uint8_t *ring;
    uint64_t total; /* bytes ever read: the next byte's position */
    int closed;
    enum sk_port_state state;
    char error[128];
    int was_open; /* opened at least once: a later open is a reopen */
    unsigned long long tx, errors, reopens, breaks;
    int *watchers; /* eventfds (sk_port_watch) signalled with every wake-up */
    size_t nwatchers, watchers_cap;
};

/* The termios speed for each speed serialspec accepts. */
static const struct {
    unsigned speed;
    speed_t code;
} speed_codes[] = {
    {50, B50},           {75, B75},           {110, B110},         {134, B134},
    {150, B150},         {200, B200},         {300, B300},         {600, B600},
    {1200, B1200},       {1800, B1800},       {2400, B2400},       {4800, B4800},
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};

static int speed_code(unsigned speed, speed_t *code)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(speed_codes); i++) {
        if (speed_codes[i].speed == speed) {
            *code = speed_codes[i].code;
            return 0;
        }
    }
    return -1;
}

struct sk_port *sk_port_new(const struct sk_port_opts *opts)
{
    struct sk_port *port = xcalloc(1, sizeof(*port));
    port->opts = *opts;
    if (port->opts.ring_size == 0) {
        port->opts.ring_size = RING_DEFAULT;
    }
    if (port->opts.retry_ms <= 0) {
        port->opts.retry_ms = RETRY_DEFAULT_MS;
    }
    port->ring = xmalloc(port->opts.ring_size);
    port->opts.log_dir = NULL; /* the log keeps its own copy */
    if (opts->log_dir != NULL) {
        port->log =
            sk_serlog_new(&(struct sk_serlog_opts){.dir = opts->log_dir, .name = opts->spec.name});
    }
    if (opts->spec.telnet) {
        port->tel = sk_telnetport_new(&opts->spec);
    }
    port->fd = -1;
    atomic_init(&port->stop, 0);
    pthread_mutex_init(&port->fd_lock, NULL);
    pthread_mutex_init(&port->lock, NULL);
    sk_cond_init_monotonic(&port->cond);
    return port;
}

void sk_port_free(struct sk_port *port)
{
    if (port == NULL) {
        return;
    }
    sk_port_close(port);
    sk_serlog_free(port->log);
    sk_telnetport_free(port->tel);
    pthread_cond_destroy(&port->cond);
    pthread_mutex_destroy(&port->lock);
    pthread_mutex_destroy(&port->fd_lock);
    for (size_t i = 0; i < port->nwatchers; i++) {
        close(port->watchers[i]);
    }
    free(port->watchers);
    free(port->ring);
    free(port);
}

/* Set the state and why; a change of either is logged (a repeat is not) and counted when bad. */
static void set_state(struct sk_port *port, enum sk_port_state state, const char *why)
{
    pthread_mutex_lock(&port->lock);
    int changed = port->state != state || strcmp(port->error, why) != 0;
    port->state = state;
    snprintf(port->error, sizeof(port->error), "%s", why);
    if (changed && state != SK_PORT_OPEN && state != SK_PORT_CLOSED) {
        port->errors++;
    }
    pthread_mutex_unlock(&port->lock);
    if (!changed) {
        return;
    }
    const struct sk_serialspec *s = &port->opts.spec;
    if (state == SK_PORT_OPEN) {
        sk_log(SK_LOG_INFO, "serial", "%s: %s open", s->name, s->device);
    } else if (state == SK_PORT_ABSENT) {
        sk_log(SK_LOG_WARN, "serial", "%s: %s is absent (%s); looking for it every %d ms", s->name,
               s->device, why, port->opts.retry_ms);
    } else if (state == SK_PORT_ERROR) {
        sk_log(SK_LOG_ERROR, "serial", "%s: %s: %s; retrying every %d ms", s->name, s->device, why,
               port->opts.retry_ms);
    }
}

/* Raw mode with the spec's line settings: 0, or -1 with why set. */
static int set_line(int fd, const struct sk_serialspec *s, char *why, size_t whylen)
{
    struct termios t;
    speed_t code;
    if (tcgetattr(fd, &t) != 0) {
        snprintf(why, whylen, "not a tty (%s)", strerror(errno));
        return -1;
    }
    if (speed_code(s->speed, &code) != 0) {
        snprintf(why, whylen, "speed %u is not supported", s->speed);
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
    t.c_cflag |= sizes[s->data_bits - 5] | CLOCAL | CREAD;
    if (s->parity != 'n') {
        t.c_cflag |= PARENB | (s->parity == 'o' ? PARODD : 0);
    }
    if (s->stop_bits == 2) {
        t.c_cflag |= CSTOPB;
    }
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    if (s->flow == SK_SERIAL_FLOW_RTSCTS) {
        t.c_cflag |= CRTSCTS;
    } else if (s->flow == SK_SERIAL_FLOW_XONXOFF) {
        t.c_iflag |= IXON | IXOFF;
    }
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, code);
    cfsetospeed(&t, code);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        snprintf(why, whylen, "cannot set %u %u%c%u (%s)", s->speed, s->data_bits, s->parity,
                 s->stop_bits, strerror(errno));
        return -1;
    }
    return 0;
}

/* The device is open as fd: writers may use it, and a later open is a reopen. Returns 0. */
static int opened(struct sk_port *port, int fd)
{
    pthread_mutex_lock(&port->fd_lock);
    port->fd = fd;
    pthread_mutex_unlock(&port->fd_lock);
    pthread_mutex_lock(&port->lock);
    if (port->was_open) {
        port->reopens++;
    }
    port->was_open = 1;
    pthread_mutex_unlock(&port->lock);
    set_state(port, SK_PORT_OPEN, "");
    return 0;
}

/* Open the device and set it up; on failure the state says why. 0 or -1. */
static int try_open(struct sk_port *port)
{
    /* A copy: sk_port_set_speed may change the speed meanwhile. */
    pthread_mutex_lock(&port->lock);
    const struct sk_serialspec spec = port->opts.spec;
    pthread_mutex_unlock(&port->lock);
    const struct sk_serialspec *s = &spec;
    char why[128];
    if (port->tel != NULL) {
        int sock = sk_telnetport_connect(port->tel, &port->stop, why, sizeof(why));
        if (sock < 0) {
            set_state(port, SK_PORT_ABSENT, why);
            return -1;
        }
        return opened(port, sock);
    }
    int fd = open(s->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, sizeof(why), "%s", strerror(e));
        set_state(port,
                  e == ENOENT || e == ENODEV || e == ENXIO || e == EIO ? SK_PORT_ABSENT
                                                                       : SK_PORT_ERROR,
                  why);
        return -1;
    }
    if (set_line(fd, s, why, sizeof(why)) != 0) {
        close(fd);
        set_state(port, SK_PORT_ERROR, why);
        return -1;
    }
    return opened(port, fd);
}

/* The device went away (or failed): close it; the thread looks for it again. */
static void lose_device(struct sk_port *port, const char *why)
{
    pthread_mutex_lock(&port->fd_lock);
    if (port->tel != NULL) {
        sk_telnetport_disconnect(port->tel); /* it owns the socket */
    } else {
        close(port->fd);
    }
    port->fd = -1;
    pthread_mutex_unlock(&port->fd_lock);
    set_state(port, SK_PORT_ABSENT, why);
}

/* Wake every reader: those waiting in sk_port_read and those polling an eventfd. Under lock. */
static void wake(struct sk_port *port)
{
    pthread_cond_broadcast(&port->cond);
    for (size_t i = 0; i < port->nwatchers; i++) {
        /* Nonblocking: a counter at its limit is readable already, which is all it says. */
        uint64_t one = 1;
        if (write(port->watchers[i], &one, sizeof(one)) < 0) {
            continue;
        }
    }
}

/* Keep what was read: into the ring, the total moved on, every reader woken. */
static void keep(struct sk_port *port, const uint8_t *data, size_t len)
{
    if (port->log != NULL) {
        sk_serlog_write(port->log, data, len, sk_wall_ms());
    }
    size_t size = port->opts.ring_size;
    pthread_mutex_lock(&port->lock);
    if (len > size) {
        /* Only the newest ring's worth can be held. */
        port->total += len - size;
        data += len - size;
        len = size;
    }
    size_t at = (size_t)(port->total % size);
    size_t first = SK_MIN(len, size - at);
    memcpy(port->ring + at, data, first);
    memcpy(port->ring, data + first, len - first);
    port->total += len;
    wake(port);
    pthread_mutex_unlock(&port->lock);
}

/* Sleep up to ms, waking early (1) when asked to stop. */
static int sleep_or_stop(struct sk_port *port, int ms)
{
    for (int slept = 0; slept < ms; slept += POLL_MS) {
        if (atomic_load(&port->stop)) {
            return 1;
        }
        sk_sleep_ms(SK_MIN(POLL_MS, ms - slept));
    }
    return atomic_load(&port->stop);
}

/* Lose the device, then wait retry_ms (or until asked to stop) before looking for it again. */
static void lose_and_wait(struct sk_port *port, const char *why)
{
    lose_device(port, why);
    sleep_or_stop(port, port->opts.retry_ms);
}

/* What a telnet port read: its serial data kept, its telnet commands answered. */
static void telnet_keep(struct sk_port *port, const uint8_t *in, size_t len)
{
    uint8_t data[4096];
    char why[128];
    long n = sk_telnetport_recv(port->tel, in, SK_MIN(len, sizeof(data)), data, why, sizeof(why));
    if (n < 0) {
        lose_and_wait(port, why);
    } else if (n > 0) {
        keep(port, data, (size_t)n);
    }
}

static void *port_main(void *arg)
{
    struct sk_port *port = arg;
    sk_log_thread_name("serial");
    uint8_t buf[4096];
    while (!atomic_load(&port->stop)) {
        if (port->log != NULL) {
            sk_serlog_tick(port->log);
        }
        if (port->fd < 0 && try_open(port) != 0) {
            sleep_or_stop(port, port->opts.retry_ms);
            continue;
        }
        /* Only this thread changes fd, so it reads it without the lock. */
        struct pollfd pfd = {.fd = port->fd, .events = POLLIN};
        if (port->tel != NULL && sk_telnetport_pending(port->tel)) {
            pfd.events |= POLLOUT;
        }
        int rc = poll(&pfd, 1, POLL_MS);
        if (rc < 0 && errno != EINTR) {
            lose_device(port, strerror(errno));
            continue;
        }
        if (rc <= 0) {
            continue;
        }
        if (port->tel != NULL && (pfd.revents & POLLOUT) && sk_telnetport_flush(port->tel) != 0) {
            lose_and_wait(port, "the connection failed");
            continue;
        }
        if (pfd.revents & POLLIN) {
            ssize_t n = read(port->fd, buf, sizeof(buf));
            if (n > 0 && port->tel != NULL) {
                telnet_keep(port, buf, (size_t)n);
                continue;
            }
            if (n > 0) {
                keep(port, buf, (size_t)n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            const char *why = n == 0 && port->tel != NULL ? "the server closed the connection"
                              : n == 0                    ? "hung up"
                                                          : strerror(errno);
            if (port->tel != NULL) {
                /* A server that takes connections and drops them must not be hammered. */
                lose_and_wait(port, why);
            } else {
                lose_device(port, why);
            }
        } else if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            /* A hung-up tty may stay in that state until it is reopened: do not spin. */
            lose_and_wait(port, "hung up");
        }
    }
    return NULL;
}

int sk_port_open(struct sk_port *port, char *err, size_t errlen)
{
    if (port->running) {
        return 0;
    }
    if (port->log != NULL && sk_serlog_open(port->log, err, errlen) != 0) {
        return -1;
    }
    atomic_store(&port->stop, 0);
    pthread_mutex_lock(&port->lock);
    port->closed = 0;
    pthread_mutex_unlock(&port->lock);
    int rc = pthread_create(&port->thread, NULL, port_main, port);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot start its thread: %s", port->opts.spec.name,
                 strerror(rc));
        return -1;
    }
    pthread_setname_np(port->thread, "serial");
    port->running = 1;
    return 0;
}

void sk_port_close(struct sk_port *port)
{
    if (port == NULL || !port->running) {
        return;
    }
    atomic_store(&port->stop, 1);
    pthread_join(port->thread, NULL);
    port->running = 0;
    sk_serlog_close(port->log);
    pthread_mutex_lock(&port->fd_lock);
    if (port->tel != NULL) {
        sk_telnetport_disconnect(port->tel);
    } else if (port->fd >= 0) {
        close(port->fd);
    }
    port->fd = -1;
    pthread_mutex_unlock(&port->fd_lock);
    pthread_mutex_lock(&port->lock);
    port->closed = 1;
    port->state = SK_PORT_CLOSED;
    port->error[0] = '\0';
    wake(port);
    pthread_mutex_unlock(&port->lock);
}

int sk_port_watch(struct sk_port *port)
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    pthread_mutex_lock(&port->lock);
    if (port->nwatchers == port->watchers_cap) {
        port->watchers_cap = port->watchers_cap ? port->watchers_cap * 2 : 4;
        port->watchers = xrealloc(port->watchers, port->watchers_cap * sizeof(port->watchers[0]));
    }
    port->watchers[port->nwatchers++] = fd;
    pthread_mutex_unlock(&port->lock);
    return fd;
}

void sk_port_unwatch(struct sk_port *port, int fd)
{
    if (fd < 0) {
        return;
    }
    pthread_mutex_lock(&port->lock);
    for (size_t i = 0; i < port->nwatchers; i++) {
        if (port->watchers[i] == fd) {
            port->watchers[i] = port->watchers[--port->nwatchers];
            break;
        }
    }
    pthread_mutex_unlock(&port->lock);
    close(fd);
}

void sk_port_watch_clear(int fd)
{
    uint64_t n;
    if (fd >= 0 && read(fd, &n, sizeof(n)) < 0) {
        return; /* EAGAIN: nothing was signalled */
    }
}

const struct sk_serialspec *sk_port_spec(const struct sk_port *port)
{
    return &port->opts.spec;
}

enum sk_port_state sk_port_state(struct sk_port *port)
{
    pthread_mutex_lock(&port->lock);
    enum sk_port_state state = port->state;
    pthread_mutex_unlock(&port->lock);
    return state;
}

void sk_port_stats(struct sk_port *port, struct sk_port_stats *out)
{
    static const char *const names[] = {
        [SK_PORT_CLOSED] = "closed",
        [SK_PORT_OPEN] = "open",
        [SK_PORT_ABSENT] = "absent",
        [SK_PORT_ERROR] = "error",
    };
    out->name = port->opts.spec.name;
    out->device = port->opts.spec.device;
    pthread_mutex_lock(&port->lock);
    sk_serialspec_settings(&port->opts.spec, out->settings, sizeof(out->settings));
    out->state = names[port->state];
    snprintf(out->error, sizeof(out->error), "%s", port->error);
    out->rx = port->total;
    out->tx = port->tx;
    out->errors = port->errors;
    out->reopens = port->reopens;
    out->breaks = port->breaks;
    pthread_mutex_unlock(&port->lock);
    out->logging = port->log != NULL;
    out->logged = out->log_errors = 0;
    if (port->log != NULL) {
        struct sk_serlog_stats ls;
        sk_serlog_stats(port->log, &ls);
        out->logged = ls.bytes;
        out->log_errors = ls.errors;
    }
}

void sk_port_stats_json(const struct sk_port_stats *st, struct sk_buf *out)
{
    sk_buf_puts(out, "{\"name\":");
    sk_buf_json_string(out, st->name);
    sk_buf_puts(out, ",\"device\":");
    sk_buf_json_string(out, st->device);
    sk_buf_puts(out, ",\"settings\":");
    sk_buf_json_string(out, st->settings);
    sk_buf_printf(out, ",\"state\":\"%s\",\"error\":", st->state);
    sk_buf_json_string(out, st->error);
}

int sk_port_history(struct sk_port *port, const char *since, size_t lines, struct sk_buf *out,
                    char *err, size_t errlen)
{
    if (port->log == NULL) {
        sk_set_err(err, errlen, "%s has no log (start sshkvm with --serial-log-dir DIR)",
                   port->opts.spec.name);
        return -1;
    }
    return sk_serlog_history(port->log, since, lines, out, err, errlen);
}

uint64_t sk_port_position(struct sk_port *port, size_t back)
{
    pthread_mutex_lock(&port->lock);
    uint64_t held = SK_MIN(port->total, (uint64_t)port->opts.ring_size);
    uint64_t pos = port->total - SK_MIN(held, (uint64_t)back);
    pthread_mutex_unlock(&port->lock);
    return pos;
}

long sk_port_read(struct sk_port *port, uint64_t *pos, void *buf, size_t len, int timeout_ms,
                  uint64_t *lost)
{
    const struct timespec deadline = sk_deadline_after_ms(timeout_ms);
    uint64_t size = port->opts.ring_size;
    *lost = 0;
    pthread_mutex_lock(&port->lock);
    if (*pos > port->total) {
        *pos = port->total;
    }
    while (!port->closed && port->total == *pos && timeout_ms != 0) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&port->cond, &port->lock)
                                : pthread_cond_timedwait(&port->cond, &port->lock, &deadline);
        if (rc == ETIMEDOUT) {
            break;
        }
    }
    long n = 0;
    if (port->total > *pos) {
        if (port->total - *pos > size) {
            *lost = port->total - size - *pos;
            *pos = port->total - size;
        }
        size_t want = (size_t)SK_MIN((uint64_t)len, port->total - *pos);
        size_t at = (size_t)(*pos % size);
        size_t first = SK_MIN(want, (size_t)size - at);
        memcpy(buf, port->ring + at, first);
        memcpy((uint8_t *)buf + first, port->ring, want - first);
        *pos += want;
        n = (long)want;
    } else if (port->closed) {
        n = SK_E_CLOSED;
    }
    pthread_mutex_unlock(&port->lock);
    return n;
}

long sk_port_write(struct sk_port *port, const void *data, size_t len, int timeout_ms)
{
    const uint8_t *p = data;
    size_t done = 0;
    int64_t until = sk_now_ms() + timeout_ms;
    int failed = 0;
    pthread_mutex_lock(&port->fd_lock);
    if (port->fd < 0) {
        pthread_mutex_unlock(&port->fd_lock);
        return SK_E_NODEV;
    }
    if (port->tel != NULL) {
        /* It answers the bytes it queued, or SK_E_NODEV having queued none. */
        long n = sk_telnetport_write(port->tel, data, len, timeout_ms);
        done = n > 0 ? (size_t)n : 0;
        failed = n < 0;
    }
    while (port->tel == NULL && done < len) {
        ssize_t n = write(port->fd, p + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN) {
            failed = 1;
            break;
        }
        /* The device's buffer is full: wait for room, in slices, until the time is up. */
        int64_t left = until - sk_now_ms();
        if (left <= 0) {
            break;
        }
        struct pollfd pfd = {.fd = port->fd, .events = POLLOUT};
        poll(&pfd, 1, (int)SK_MIN(left, (int64_t)POLL_MS));
    }
    pthread_mutex_unlock(&port->fd_lock);
    pthread_mutex_lock(&port->lock);
    port->tx += done;
    port->errors += (unsigned long long)failed;
    pthread_mutex_unlock(&port->lock);
    return done == 0 && failed ? SK_E_NODEV : (long)done;
}

int sk_port_set_speed(struct sk_port *port, unsigned speed)
{
    speed_t code;
    if (speed_code(speed, &code) != 0) {
        return -1;
    }
    /* fd_lock first, as writers take it: the descriptor stays while its line is set. */
    pthread_mutex_lock(&port->fd_lock);
    pthread_mutex_lock(&port->lock);
    struct sk_serialspec spec = port->opts.spec;
    spec.speed = speed;
    char why[128];
    int rc = port->tel != NULL ? sk_telnetport_set_line(port->tel, &spec)
             : port->fd >= 0   ? set_line(port->fd, &spec, why, sizeof(why))
                               : 0;
    if (rc == 0) {
        port->opts.spec.speed = speed;
    }
    pthread_mutex_unlock(&port->lock);
    pthread_mutex_unlock(&port->fd_lock);
    if (rc == 0) {
        sk_log(SK_LOG_INFO, "serial", "%s: now %u baud", spec.name, speed);
    }
    return rc;
}

int sk_port_break(struct sk_port *port)
{
    pthread_mutex_lock(&port->fd_lock);
    int rc = port->fd < 0                    ? SK_E_NODEV
             : port->tel != NULL             ? sk_telnetport_break(port->tel)
             : tcsendbreak(port->fd, 0) == 0 ? 0
                                             : -1;
    pthread_mutex_unlock(&port->fd_lock);
    if (rc == 0) {
        pthread_mutex_lock(&port->lock);
        port->breaks++;
        pthread_mutex_unlock(&port->lock);
    }
    return rc;
}

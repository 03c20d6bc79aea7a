/*
 * hid: key and mouse events to USB HID reports, and the sinks they go to.
 *
 * What it owns: the keyboard state (modifier byte and up to six held
 * usages), the mouse state (buttons and absolute position), one bounded FIFO
 * of reports tagged by device, and a writer thread ("hid") that owns the two
 * sinks (keyboard and mouse) and their file descriptors.
 *
 * How data passes: a session thread calls sk_hid_strokes / key_down /
 * mouse ...; under the lock the state changes, each change is encoded by the
 * pure encoders and appended to the FIFO with a sequence number, and the
 * writer is woken through a self-pipe. The writer takes reports in order and
 * writes each with the lock released: demo callbacks, one append per report
 * to a file, or a non-blocking write to /dev/hidgN after poll(POLLOUT)
 * (f_hid allows one outstanding IN report, so EAGAIN happens even when the
 * host is reading; we poll again until the per-report time-out).
 *
 * A device that does not take a report within the time-out is "stalled":
 * its queued reports are dropped as they come up and only the newest (the
 * current state) is kept as "pending", which is written once poll says the
 * target reads again, so no key stays pressed. A write that fails outright
 * puts the sink in "error": the fd is closed and reopened every second.
 * Callers waiting for their reports (sk_hid_strokes, sk_hid_flush) register
 * a waiter; the writer marks it SK_E_TIMEOUT as soon as one of its reports is
 * dropped, so nobody waits for a target that is not there.
 */
#include "hid/hid.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "hid/keymap.h"

#define TAG "hid"
#define DEFAULT_TIMEOUT_MS 2000
#define RELEASE_RESERVE 64 /* ring slots only releases may use */
#define DEFAULT_QUEUE_LEN 4096
#define REOPEN_MS 1000
/* While stalled, the idle loop wakes at least this often to look again. */
#define PROBE_MS 250

enum dev { DEV_KEYBOARD = 0, DEV_MOUSE = 1 };

enum sink_kind { SINK_INVALID = -1, SINK_NONE, SINK_DEMO, SINK_FILE, SINK_DEV };

enum sink_state { STATE_OK, STATE_STALLED, STATE_ERROR };

struct sink {
    const char *what; /* "keyboard" or "mouse", for messages */
    enum sink_kind kind;
    char name[128]; /* as shown by sk_hid_status */
    char *path;     /* file or device path (SINK_FILE, SINK_DEV) */
    sk_hid_write_fn demo_write;
    /* The fd is touched only by open/close (no writer running) and by the writer. */
    int fd;
    int read_leds; /* a real device node: LED output reports come back on it */
    /* The rest is guarded by the hid lock. */
    enum sink_state state;
    int has_pending; /* a report of the current state still to be written */
    uint8_t pending[8];
    size_t pending_len;
    int64_t next_reopen_ms;
    int64_t reopened_ms;
    int last_errno; /* so a repeating error is logged once */
};

struct entry {
    uint64_t seq;
    uint8_t dev;
    uint8_t len;
    uint8_t data[8];
};

/* A caller waiting for reports first..last; lives on the caller's stack. */
struct waiter {
    uint64_t first;
    uint64_t last;
    int result; /* 0, or SK_E_TIMEOUT once one of its reports was dropped */
    struct waiter *next;
};

struct sk_hid {
    struct sk_hid_opts opts; /* strings copied below */
    int timeout_ms;
    size_t queue_len;

    pthread_mutex_t lock;
    pthread_cond_t cond; /* done_seq advanced, a waiter failed, or the writer ended */
    pthread_t thread;
    int wake[2]; /* self-pipe: callers wake the writer out of poll() */

    /* Everything below is guarded by lock. */
    int open;
    int closing;
    int writer_running;
    int writer_idle;
    int64_t close_deadline_ms;

    struct sink sinks[2];

    uint8_t mods;
    uint8_t keys[6];
    size_t nkeys;
    uint8_t buttons;
    uint16_t x, y;
    uint8_t leds;

    struct entry *ring; /* queue_len + RELEASE_RESERVE slots: releases are never refused */
    size_t ring_cap;
    size_t head;
    size_t count;
    uint64_t next_seq; /* the sequence number of the next queued report */
    uint64_t done_seq; /* every report up to this one is written or dropped */
    struct waiter *waiters;

    uint64_t written;
    uint64_t dropped;
    char error[320];
};

static const char *const state_names[] = {
    [STATE_OK] = "ok",
    [STATE_STALLED] = "stalled",
    [STATE_ERROR] = "error",
};

/* ---- pure encoders ---- */

void sk_hid_keyboard_report(uint8_t mods, const uint8_t keys[6], uint8_t out[8])
{
    out[0] = mods;
    out[1] = 0;
    memcpy(out + 2, keys, 6);
}

void sk_hid_mouse_report(uint8_t buttons, uint16_t x, uint16_t y, int8_t wheel, uint8_t out[6])
{
    /* The descriptor's logical range is 0..32767; clamp rather than wrap. */
    x = x > 32767 ? 32767 : x;
    y = y > 32767 ? 32767 : y;
    out[0] = buttons & 0x07;
    out[1] = (uint8_t)(x & 0xff);
    out[2] = (uint8_t)(x >> 8);
    out[3] = (uint8_t)(y & 0xff);
    out[4] = (uint8_t)(y >> 8);
    out[5] = (uint8_t)wheel;
}

/* ---- specs ---- */

static enum sink_kind parse_spec(const char *spec, const char **path)
{
    *path = NULL;
    if (spec == NULL || strcmp(spec, "none") == 0) {
        return SINK_NONE;
    }
    if (strcmp(spec, "demo") == 0) {
        return SINK_DEMO;
    }
    if (strncmp(spec, "file:", 5) == 0 && spec[5] != '\0') {
        *path = spec + 5;
        return SINK_FILE;
    }
    if (strncmp(spec, "dev:", 4) == 0 && spec[4] != '\0') {
        *path = spec + 4;
        return SINK_DEV;
    }
    if (strncmp(spec, "/dev/", 5) == 0 && spec[5] != '\0') {
        *path = spec;
        return SINK_DEV;
    }
    return SINK_INVALID;
}

int sk_hid_check_spec(const char *spec, char *err, size_t errlen)
{
    const char *path;
    if (parse_spec(spec, &path) == SINK_INVALID) {
        snprintf(err, errlen, "'%s' is not demo, none, /dev/hidgN or file:PATH", spec);
        return -1;
    }
    return 0;
}

/* ---- new / free ---- */

struct sk_hid *sk_hid_new(const struct sk_hid_opts *opts)
{
    struct sk_hid *hid = xcalloc(1, sizeof(*hid));
    hid->opts = *opts;
    hid->timeout_ms = opts->write_timeout_ms > 0 ? opts->write_timeout_ms : DEFAULT_TIMEOUT_MS;
    hid->queue_len = opts->queue_len > 0 ? opts->queue_len : DEFAULT_QUEUE_LEN;
    hid->ring_cap = hid->queue_len + RELEASE_RESERVE;
    hid->ring = xcalloc(hid->ring_cap, sizeof(*hid->ring));
    hid->wake[0] = hid->wake[1] = -1;
    /* Sequence numbers start at 1 so that done_seq 0 means "nothing written yet". */
    hid->next_seq = 1;

    pthread_mutex_init(&hid->lock, NULL);
    sk_cond_init_monotonic(&hid->cond);

    const char *specs[2] = {opts->keyboard, opts->mouse};
    sk_hid_write_fn demo[2] = {opts->demo_keyboard, opts->demo_mouse};
    for (int i = 0; i < 2; i++) {
        struct sink *s = &hid->sinks[i];
        const char *path;
        s->what = i == DEV_KEYBOARD ? "keyboard" : "mouse";
        s->kind = parse_spec(specs[i], &path);
        /* A bad spec is refused by sk_hid_open with the check_spec message. */
        s->path = path != NULL ? xstrdup(path) : NULL;
        s->demo_write = demo[i];
        s->fd = -1;
        snprintf(s->name, sizeof(s->name), "%s", specs[i] != NULL ? specs[i] : "none");
    }
    /* The strings are the caller's; keep only our copies. */
    hid->opts.keyboard = NULL;
    hid->opts.mouse = NULL;
    return hid;
}

void sk_hid_free(struct sk_hid *hid)
{
    if (hid == NULL) {
        return;
    }
    sk_hid_close(hid);
    for (int i = 0; i < 2; i++) {
        free(hid->sinks[i].path);
    }
    free(hid->ring);
    pthread_cond_destroy(&hid->cond);
    pthread_mutex_destroy(&hid->lock);
    free(hid);
}

/* ---- sink I/O (called without the lock unless said otherwise) ---- */

static int sink_open_fd(const struct sink *s, int *out_errno)
{
    int fd;
    if (s->kind == SINK_FILE) {
        fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                  0600); /* keystrokes: for this user alone */
    } else {
        /* Never block: a target that does not read must not hang the writer. */
        fd = open(s->path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    }
    *out_errno = fd < 0 ? errno : 0;
    return fd;
}

static void format_open_error(const struct sink *s, int err, char *buf, size_t len)
{
    if (s->kind == SINK_FILE) {
        snprintf(buf, len, "cannot open %s for writing: %s", s->path, strerror(err));
    } else if (err == ENOENT) {
        snprintf(buf, len, "cannot open %s: %s (is the USB gadget configured? see README)", s->path,
                 strerror(err));
    } else if (err == EACCES || err == EPERM) {
        snprintf(buf, len, "cannot open %s: %s (run as root or give the user access; see README)",
                 s->path, strerror(err));
    } else {
        snprintf(buf, len, "cannot open %s: %s", s->path, strerror(err));
    }
}

/* Only character devices send LED output reports back; a FIFO or file has none to read. */
static int fd_reads_leds(int fd, enum dev dev)
{
    struct stat st;
    return dev == DEV_KEYBOARD && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode);
}

#define LEDS_NONE (-1) /* nothing to read this time */
#define LEDS_EOF (-2)  /* the node never has anything to read (/dev/null): stop asking */

/* Read one LED output report if there is one; returns the LED bits, LEDS_NONE or LEDS_EOF. */
static int read_leds(int fd)
{
    uint8_t buf[64];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0) {
        return LEDS_EOF;
    }
    if (n < 0) {
        return LEDS_NONE;
    }
    /* 1 byte normally; with a report ID the LED byte comes last. */
    return buf[n - 1];
}

/*
 * Keep what read_leds found (writer thread, lock held). A node that reads
 * as end of file (a character device that is not a HID gadget, such as
 * /dev/null) would say POLLIN forever and spin the writer: stop reading it.
 */
static void store_leds(struct sk_hid *hid, struct sink *s, int leds)
{
    if (leds >= 0) {
        hid->leds = (uint8_t)leds;
    } else if (leds == LEDS_EOF && s->read_leds) {
        sk_log(SK_LOG_DEBUG, TAG, "%s %s: no LED reports to read", s->what, s->path);
        s->read_leds = 0;
    }
}

/*
 * Write one report, waiting at most timeout_ms for the target to take it.
 * Returns 0, SK_E_TIMEOUT, or -1 with errno set.
 */
static int sink_write(struct sk_hid *hid, struct sink *s, const uint8_t *data, size_t len,
                      int timeout_ms)
{
    if (s->kind == SINK_DEMO) {
        /* The demo target always takes a report; a refused one is a bug there, not a stall. */
        if (s->demo_write(hid->opts.demo_ctx, data, len) != 0) {
            sk_log(SK_LOG_DEBUG, TAG, "%s: demo target refused a report", s->what);
        }
        return 0;
    }
    if (s->fd < 0) {
        errno = EBADF;
        return -1;
    }
    int64_t deadline = sk_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - sk_now_ms();
        struct pollfd p = {
            .fd = s->fd,
            .events = (short)(POLLOUT | (s->read_leds ? POLLIN : 0)),
        };
        int r = poll(&p, 1, left > 0 ? (int)left : 0);
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (r > 0 && (p.revents & POLLIN)) {
            int leds = read_leds(s->fd);
            pthread_mutex_lock(&hid->lock);
            store_leds(hid, s, leds);
            pthread_mutex_unlock(&hid->lock);
        }
        if (r > 0 && (p.revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))) {
            ssize_t n = write(s->fd, data, len);
            if (n == (ssize_t)len) {
                return 0;
            }
            if (n >= 0) {
                /* f_hid takes whole reports; a short write means something else is there. */
                errno = EIO;
                return -1;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return -1;
            }
            /*
             * f_hid can say POLLOUT and still refuse the write while the last
             * completion is in flight; give it a moment rather than spin.
             */
            sk_sleep_ms(1);
        }
        if (sk_now_ms() >= deadline) {
            return SK_E_TIMEOUT;
        }
    }
}

/* ---- state changes of a sink (lock held) ---- */

static int any_problem(const struct sk_hid *hid)
{
    for (int i = 0; i < 2; i++) {
        if (hid->sinks[i].state != STATE_OK) {
            return 1;
        }
    }
    return 0;
}

static void set_stalled(struct sk_hid *hid, struct sink *s)
{
    if (s->state == STATE_STALLED) {
        return;
    }
    /* A BIOS often ignores the mouse interface while it reads the keyboard. */
    const char *hint =
        s == &hid->sinks[DEV_KEYBOARD]
            ? "is the target powered on and the USB cable in the OTG port?"
            : "the target may ignore the mouse (a BIOS does); the keyboard still works";
    snprintf(hid->error, sizeof(hid->error),
             "%s %s: target is not reading reports (write timed out after %d ms); %s", s->what,
             s->path, hid->timeout_ms, hint);
    sk_log(SK_LOG_WARN, TAG, "%s", hid->error);
    s->state = STATE_STALLED;
}

static void set_ok(struct sk_hid *hid, struct sink *s)
{
    if (s->state == STATE_OK) {
        return;
    }
    sk_log(SK_LOG_INFO, TAG, "%s %s: target reads reports again", s->what, s->path);
    s->state = STATE_OK;
    s->last_errno = 0;
    if (!any_problem(hid)) {
        hid->error[0] = '\0';
    }
}

/* A write or open failed with err; the caller has closed the fd (or never had one). */
static void set_error(struct sk_hid *hid, struct sink *s, int err, const char *doing)
{
    s->next_reopen_ms = sk_now_ms() + REOPEN_MS;
    if (s->state == STATE_ERROR && s->last_errno == err) {
        return;
    }
    if (s->kind == SINK_FILE && strcmp(doing, "open") == 0) {
        format_open_error(s, err, hid->error, sizeof(hid->error));
    } else {
        snprintf(hid->error, sizeof(hid->error), "%s %s: %s failed: %s; retrying every second",
                 s->what, s->path, doing, strerror(err));
    }
    sk_log(SK_LOG_ERROR, TAG, "%s", hid->error);
    s->state = STATE_ERROR;
    s->last_errno = err;
}

/* ---- the queue (lock held) ---- */

static void enqueue(struct sk_hid *hid, enum dev dev, const uint8_t *data, size_t len)
{
    struct entry *e = &hid->ring[(hid->head + hid->count) % hid->ring_cap];
    *e = (struct entry){.seq = hid->next_seq++, .dev = (uint8_t)dev, .len = (uint8_t)len};
    memcpy(e->data, data, len);
    hid->count++;
}

static void wake_writer(struct sk_hid *hid)
{
    if (hid->writer_idle && hid->wake[1] >= 0) {
        /* A full pipe already means "wake up"; the result does not matter. */
        ssize_t unused = write(hid->wake[1], "w", 1);
        (void)unused;
        hid->writer_idle = 0;
    }
}

static void current_keyboard(const struct sk_hid *hid, uint8_t out[8])
{
    uint8_t keys[6] = {0};
    memcpy(keys, hid->keys, hid->nkeys);
    sk_hid_keyboard_report(hid->mods, keys, out);
}

static void queue_keyboard_state(struct sk_hid *hid)
{
    uint8_t report[8];
    current_keyboard(hid, report);
    enqueue(hid, DEV_KEYBOARD, report, sizeof(report));
}

static int sink_active(const struct sk_hid *hid, enum dev dev)
{
    return hid->sinks[dev].kind != SINK_NONE;
}

/* The report with sequence number seq was not written: tell whoever waits for it. */
static void drop_report(struct sk_hid *hid, struct sink *s, const struct entry *e)
{
    hid->dropped++;
    /* Only a file or device can come back later and still need the newest state. */
    if (s->kind == SINK_FILE || s->kind == SINK_DEV) {
        memcpy(s->pending, e->data, e->len);
        s->pending_len = e->len;
        if (e->dev == DEV_MOUSE) {
            /* The wheel is a movement, not state: do not replay it when the target returns. */
            s->pending[5] = 0;
        }
        s->has_pending = 1;
    }
    for (struct waiter *w = hid->waiters; w != NULL; w = w->next) {
        if (e->seq >= w->first && e->seq <= w->last && w->result == 0) {
            w->result = SK_E_TIMEOUT;
        }
    }
}

/*
 * Wait (lock held) until every report up to w->last is written, one of them
 * was dropped, the writer ended, or timeout_ms passed. w is linked while
 * waiting so the writer can fail it early.
 */
static int wait_for(struct sk_hid *hid, struct waiter *w, int timeout_ms)
{
    const struct timespec deadline = sk_deadline_after_ms(timeout_ms);

    w->next = hid->waiters;
    hid->waiters = w;
    int rc = 0;
    for (;;) {
        if (hid->done_seq + 1 > w->last || w->result != 0) {
            rc = w->result;
            break;
        }
        if (!hid->writer_running) {
            rc = SK_E_CLOSED;
            break;
        }
        if (pthread_cond_timedwait(&hid->cond, &hid->lock, &deadline) == ETIMEDOUT) {
            rc = hid->done_seq + 1 > w->last ? w->result : SK_E_TIMEOUT;
            break;
        }
    }
    for (struct waiter **p = &hid->waiters; *p != NULL; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            break;
        }
    }
    return rc;
}

/* ---- the writer thread ---- */

/* Take the head report and write it (the lock is released around the write). */
static void process_one(struct sk_hid *hid)
{
    struct entry e = hid->ring[hid->head];
    hid->head = (hid->head + 1) % hid->ring_cap;
    hid->count--;
    struct sink *s = &hid->sinks[e.dev];

    if (s->kind == SINK_NONE) {
        /* Nothing queues for a missing sink, but stay safe if it happens. */
    } else if (s->state != STATE_OK) {
        /* A stalled or broken sink keeps only the newest state; see drop_report. */
        drop_report(hid, s, &e);
    } else {
        pthread_mutex_unlock(&hid->lock);
        int rc = sink_write(hid, s, e.data, e.len, hid->timeout_ms);
        int err = errno;
        pthread_mutex_lock(&hid->lock);
        if (rc == 0) {
            hid->written++;
            s->has_pending = 0;
        } else if (rc == SK_E_TIMEOUT) {
            set_stalled(hid, s);
            drop_report(hid, s, &e);
        } else {
            close(s->fd);
            s->fd = -1;
            set_error(hid, s, err, "write");
            drop_report(hid, s, &e);
        }
    }
    hid->done_seq = e.seq;
    pthread_cond_broadcast(&hid->cond);
}

/* The close deadline passed with reports still queued: drop them, keep only the final state. */
static void drop_all_for_close(struct sk_hid *hid)
{
    while (hid->count > 0) {
        struct entry *e = &hid->ring[hid->head];
        hid->head = (hid->head + 1) % hid->ring_cap;
        hid->count--;
        drop_report(hid, &hid->sinks[e->dev], e);
        hid->done_seq = e->seq;
    }
    /*
     * Close released the keys: that, not the last dropped report, is the state
     * to leave behind, and it gets a short grace to go out. The mouse is left
     * where it is.
     */
    struct sink *kb = &hid->sinks[DEV_KEYBOARD];
    if (kb->has_pending) {
        current_keyboard(hid, kb->pending);
        kb->pending_len = 8;
        hid->close_deadline_ms = sk_now_ms() + SK_MIN(hid->timeout_ms, PROBE_MS);
    }
    hid->sinks[DEV_MOUSE].has_pending = 0;
    pthread_cond_broadcast(&hid->cond);
}

/* One attempt to write a sink's pending report once poll said it may go (lock held). */
static void try_pending(struct sk_hid *hid, struct sink *s)
{
    uint8_t data[8];
    size_t len = s->pending_len;
    memcpy(data, s->pending, len);
    pthread_mutex_unlock(&hid->lock);
    ssize_t n = write(s->fd, data, len);
    int err = errno;
    pthread_mutex_lock(&hid->lock);
    if (n == (ssize_t)len) {
        hid->written++;
        s->has_pending = 0;
        set_ok(hid, s);
    } else if (n >= 0 || (err != EAGAIN && err != EWOULDBLOCK && err != EINTR)) {
        close(s->fd);
        s->fd = -1;
        set_error(hid, s, n >= 0 ? EIO : err, "write");
    }
}

/* Reopen a sink in error once its retry time has come (lock held). */
static void try_reopen(struct sk_hid *hid, struct sink *s, int64_t now)
{
    int err;
    pthread_mutex_unlock(&hid->lock);
    int fd = sink_open_fd(s, &err);
    pthread_mutex_lock(&hid->lock);
    if (fd < 0) {
        set_error(hid, s, err, "open");
        return;
    }
    s->fd = fd;
    s->read_leds = fd_reads_leds(fd, s == &hid->sinks[DEV_KEYBOARD] ? DEV_KEYBOARD : DEV_MOUSE);
    s->reopened_ms = now;
    if (!s->has_pending) {
        set_ok(hid, s);
    }
    /* Otherwise the pending report goes out on the next POLLOUT and that makes the sink ok. */
}

/* Nothing queued: wait for callers, LED reports, a stalled target to read, or a retry time. */
static void idle(struct sk_hid *hid, int64_t now)
{
    struct pollfd pfd[3] = {{.fd = hid->wake[0], .events = POLLIN}};
    struct sink *owner[3] = {NULL};
    nfds_t n = 1;
    int64_t timeout = -1;

    for (int i = 0; i < 2; i++) {
        struct sink *s = &hid->sinks[i];
        if (s->kind != SINK_FILE && s->kind != SINK_DEV) {
            continue;
        }
        if (s->fd < 0) {
            if (s->state == STATE_ERROR) {
                int64_t wait = s->next_reopen_ms - now;
                if (wait <= 0) {
                    try_reopen(hid, s, now);
                    return;
                }
                timeout = timeout < 0 ? wait : SK_MIN(timeout, wait);
            }
            continue;
        }
        if (s->state == STATE_ERROR && s->has_pending && now - s->reopened_ms >= hid->timeout_ms) {
            /* Reopened, but the target does not take the report: that is a stall, not an error. */
            set_stalled(hid, s);
        }
        short events = 0;
        if (s->read_leds) {
            events |= POLLIN;
        }
        if (s->has_pending) {
            events |= POLLOUT;
            timeout = timeout < 0 ? PROBE_MS : SK_MIN(timeout, PROBE_MS);
        }
        if (events != 0) {
            pfd[n] = (struct pollfd){.fd = s->fd, .events = events};
            owner[n] = s;
            n++;
        }
    }
    if (hid->closing) {
        int64_t left = SK_MAX(hid->close_deadline_ms - now, 0);
        timeout = timeout < 0 ? left : SK_MIN(timeout, left);
    }

    hid->writer_idle = 1;
    pthread_mutex_unlock(&hid->lock);
    int r = poll(pfd, n, (int)timeout);
    int leds[3] = {LEDS_NONE, LEDS_NONE, LEDS_NONE};
    if (r > 0) {
        if (pfd[0].revents & POLLIN) {
            char buf[64];
            while (read(hid->wake[0], buf, sizeof(buf)) > 0) {
            }
        }
        for (nfds_t i = 1; i < n; i++) {
            if (pfd[i].revents & POLLIN) {
                leds[i] = read_leds(pfd[i].fd);
            }
        }
    }
    pthread_mutex_lock(&hid->lock);
    hid->writer_idle = 0;
    for (nfds_t i = 1; r > 0 && i < n; i++) {
        struct sink *s = owner[i];
        store_leds(hid, s, leds[i]);
        if (s->fd >= 0 && s->has_pending && (pfd[i].revents & POLLOUT)) {
            try_pending(hid, s);
        }
        if (s->fd >= 0 && (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL))) {
            /* Left alone, a hung-up node would wake poll forever; reopen it later instead. */
            close(s->fd);
            s->fd = -1;
            set_error(hid, s, EIO, "poll");
        }
    }
}

static void *writer_main(void *arg)
{
    struct sk_hid *hid = arg;
    sk_log_thread_name("hid");
    pthread_mutex_lock(&hid->lock);
    for (;;) {
        int64_t now = sk_now_ms();
        if (hid->closing) {
            int pending = hid->sinks[0].has_pending || hid->sinks[1].has_pending;
            if (hid->count == 0 && (!pending || now >= hid->close_deadline_ms)) {
                if (pending) {
                    sk_log(SK_LOG_WARN, TAG,
                           "closing while the target does not read: the last state was not sent");
                }
                break;
            }
            if (hid->count > 0 && now >= hid->close_deadline_ms) {
                drop_all_for_close(hid);
                continue;
            }
        }
        if (hid->count > 0) {
            process_one(hid);
        } else {
            idle(hid, now);
        }
    }
    hid->writer_running = 0;
    pthread_cond_broadcast(&hid->cond);
    pthread_mutex_unlock(&hid->lock);
    return NULL;
}

/* ---- open / close ---- */

static void close_fds(struct sk_hid *hid)
{
    for (int i = 0; i < 2; i++) {
        if (hid->sinks[i].fd >= 0) {
            close(hid->sinks[i].fd);
            hid->sinks[i].fd = -1;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (hid->wake[i] >= 0) {
            close(hid->wake[i]);
            hid->wake[i] = -1;
        }
    }
}

int sk_hid_open(struct sk_hid *hid, char *err, size_t errlen)
{
    pthread_mutex_lock(&hid->lock);
    if (hid->open || hid->closing) {
        snprintf(err, errlen, "hid is already open");
        goto fail;
    }
    const char *specs[2] = {hid->sinks[0].name, hid->sinks[1].name};
    for (int i = 0; i < 2; i++) {
        struct sink *s = &hid->sinks[i];
        if (s->kind == SINK_INVALID) {
            sk_hid_check_spec(specs[i], err, errlen);
            goto fail;
        }
        if (s->kind == SINK_DEMO && s->demo_write == NULL) {
            snprintf(err, errlen, "demo %s: no demo target to send reports to", s->what);
            goto fail;
        }
    }
    if (hid->sinks[0].path != NULL && hid->sinks[1].path != NULL &&
        strcmp(hid->sinks[0].path, hid->sinks[1].path) == 0) {
        snprintf(err, errlen, "keyboard and mouse cannot both write to %s", hid->sinks[0].path);
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        struct sink *s = &hid->sinks[i];
        s->state = STATE_OK;
        s->has_pending = 0;
        s->last_errno = 0;
        if (s->kind != SINK_FILE && s->kind != SINK_DEV) {
            continue;
        }
        int e;
        s->fd = sink_open_fd(s, &e);
        if (s->fd < 0) {
            format_open_error(s, e, err, errlen);
            goto fail;
        }
        s->read_leds = s->kind == SINK_DEV && fd_reads_leds(s->fd, (enum dev)i);
    }
    if (pipe2(hid->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        goto fail;
    }

    hid->mods = 0;
    hid->nkeys = 0;
    memset(hid->keys, 0, sizeof(hid->keys));
    hid->buttons = 0;
    hid->x = hid->y = 0;
    hid->leds = 0;
    hid->head = hid->count = 0;
    hid->done_seq = hid->next_seq - 1;
    hid->written = hid->dropped = 0;
    hid->error[0] = '\0';
    hid->writer_idle = 0;

    hid->writer_running = 1;
    int rc = pthread_create(&hid->thread, NULL, writer_main, hid);
    if (rc != 0) {
        hid->writer_running = 0;
        snprintf(err, errlen, "cannot start the hid thread: %s", strerror(rc));
        goto fail;
    }
    hid->open = 1;
    /* The target may hold keys from before a restart; start from all released. */
    if (sink_active(hid, DEV_KEYBOARD)) {
        queue_keyboard_state(hid);
    }
    sk_log(SK_LOG_INFO, TAG, "keyboard %s, mouse %s", hid->sinks[0].name, hid->sinks[1].name);
    pthread_mutex_unlock(&hid->lock);
    return 0;

fail:
    close_fds(hid);
    pthread_mutex_unlock(&hid->lock);
    return -1;
}

void sk_hid_close(struct sk_hid *hid)
{
    pthread_mutex_lock(&hid->lock);
    if (!hid->open) {
        pthread_mutex_unlock(&hid->lock);
        return;
    }
    hid->open = 0;
    hid->closing = 1;
    hid->close_deadline_ms = sk_now_ms() + hid->timeout_ms;
    hid->mods = 0;
    hid->nkeys = 0;
    memset(hid->keys, 0, sizeof(hid->keys));
    /* The ring's last slot is kept for this release, so it always fits. */
    if (sink_active(hid, DEV_KEYBOARD)) {
        queue_keyboard_state(hid);
    }
    wake_writer(hid);
    pthread_mutex_unlock(&hid->lock);

    pthread_join(hid->thread, NULL);

    pthread_mutex_lock(&hid->lock);
    close_fds(hid);
    hid->closing = 0;
    pthread_mutex_unlock(&hid->lock);
}

/* ---- keyboard and mouse ---- */

/* Modifier usages (0xE0..0xE7) are bits of byte 0, never entries in the key array. */
static struct sk_key split_modifier(uint8_t usage, uint8_t mods)
{
    if (usage >= 0xe0 && usage <= 0xe7) {
        return (struct sk_key){.usage = 0, .mods = (uint8_t)(mods | (1u << (usage - 0xe0)))};
    }
    return (struct sk_key){.usage = usage, .mods = mods};
}

static int held_index(const struct sk_hid *hid, uint8_t usage)
{
    for (size_t i = 0; i < hid->nkeys; i++) {
        if (hid->keys[i] == usage) {
            return (int)i;
        }
    }
    return -1;
}

int sk_hid_strokes(struct sk_hid *hid, const struct sk_key *keys, size_t n, int timeout_ms)
{
    pthread_mutex_lock(&hid->lock);
    int rc = 0;
    if (!hid->open) {
        rc = SK_E_CLOSED;
        goto out;
    }
    if (n == 0 || !sink_active(hid, DEV_KEYBOARD)) {
        goto out;
    }
    /* Check everything first: the sequence goes in whole or not at all. */
    if (n > (hid->queue_len - hid->count) / 2) {
        rc = SK_E_BUSY;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct sk_key k = split_modifier(keys[i].usage, keys[i].mods);
        if (k.usage != 0 && hid->nkeys == 6 && held_index(hid, k.usage) < 0) {
            rc = SK_E_BUSY;
            goto out;
        }
    }
    uint8_t held[8];
    current_keyboard(hid, held);
    struct waiter w = {.first = hid->next_seq, .last = hid->next_seq + 2 * n - 1};
    for (size_t i = 0; i < n; i++) {
        struct sk_key k = split_modifier(keys[i].usage, keys[i].mods);
        uint8_t press[8];
        memcpy(press, held, sizeof(press));
        press[0] |= k.mods;
        if (k.usage != 0 && held_index(hid, k.usage) < 0) {
            press[2 + hid->nkeys] = k.usage;
        }
        enqueue(hid, DEV_KEYBOARD, press, sizeof(press));
        enqueue(hid, DEV_KEYBOARD, held, sizeof(held));
    }
    wake_writer(hid);
    rc = wait_for(hid, &w, timeout_ms);
out:
    pthread_mutex_unlock(&hid->lock);
    return rc;
}

/* Queue the keyboard state after a change (lock held, hid open). */
static int keyboard_changed(struct sk_hid *hid)
{
    queue_keyboard_state(hid);
    wake_writer(hid);
    return 0;
}

int sk_hid_key_down(struct sk_hid *hid, uint8_t usage, uint8_t mods)
{
    struct sk_key k = split_modifier(usage, mods);
    usage = k.usage;
    mods = k.mods;
    pthread_mutex_lock(&hid->lock);
    int rc = 0;
    if (!hid->open) {
        rc = SK_E_CLOSED;
        goto out;
    }
    int add = usage != 0 && held_index(hid, usage) < 0;
    if ((hid->mods | mods) == hid->mods && !add) {
        goto out;
    }
    if (add && hid->nkeys == 6) {
        /* Boot keyboards roll over at six; refusing beats silently losing the key. */
        rc = SK_E_BUSY;
        goto out;
    }
    if (sink_active(hid, DEV_KEYBOARD) && hid->count >= hid->queue_len) {
        rc = SK_E_BUSY;
        goto out;
    }
    hid->mods |= mods;
    if (add) {
        hid->keys[hid->nkeys++] = usage;
    }
    if (sink_active(hid, DEV_KEYBOARD)) {
        rc = keyboard_changed(hid);
    }
out:
    pthread_mutex_unlock(&hid->lock);
    return rc;
}

int sk_hid_key_up(struct sk_hid *hid, uint8_t usage, uint8_t mods)
{
    struct sk_key k = split_modifier(usage, mods);
    usage = k.usage;
    mods = k.mods;
    pthread_mutex_lock(&hid->lock);
    int rc = 0;
    if (!hid->open) {
        rc = SK_E_CLOSED;
        goto out;
    }
    int at = usage != 0 ? held_index(hid, usage) : -1;
    if ((hid->mods & mods) == 0 && at < 0) {
        goto out;
    }
    /* A release may use the reserve beyond queue_len: refusing it could leave a key down. */
    if (sink_active(hid, DEV_KEYBOARD) && hid->count + 1 >= hid->ring_cap) {
        rc = SK_E_BUSY;
        goto out;
    }
    hid->mods &= (uint8_t)~mods;
    if (at >= 0) {
        /* Keep the others in the order they were pressed, as a real keyboard does. */
        memmove(&hid->keys[at], &hid->keys[at + 1], hid->nkeys - (size_t)at - 1);
        hid->keys[--hid->nkeys] = 0;
    }
    if (sink_active(hid, DEV_KEYBOARD)) {
        rc = keyboard_changed(hid);
    }
out:
    pthread_mutex_unlock(&hid->lock);
    return rc;
}

int sk_hid_release_all(struct sk_hid *hid)
{
    pthread_mutex_lock(&hid->lock);
    int rc = 0;
    if (!hid->open) {
        rc = SK_E_CLOSED;
        goto out;
    }
    /* A release may use the reserve beyond queue_len: refusing it could leave a key down. */
    if (sink_active(hid, DEV_KEYBOARD) && hid->count + 1 >= hid->ring_cap) {
        rc = SK_E_BUSY;
        goto out;
    }
    hid->mods = 0;
    hid->nkeys = 0;
    memset(hid->keys, 0, sizeof(hid->keys));
    if (sink_active(hid, DEV_KEYBOARD)) {
        rc = keyboard_changed(hid);
    }
out:
    pthread_mutex_unlock(&hid->lock);
    return rc;
}

int sk_hid_mouse(struct sk_hid *hid, uint16_t x, uint16_t y, uint8_t buttons, int8_t wheel)
{
    pthread_mutex_lock(&hid->lock);
    int rc = 0;
    if (!hid->open) {
        rc = SK_E_CLOSED;
        goto out;
    }
    if (!sink_active(hid, DEV_MOUSE)) {
        goto out;
    }
    if (hid->count >= hid->queue_len) {
        rc = SK_E_BUSY;
        goto out;
    }
    hid->x = x;
    hid->y = y;
    hid->buttons = buttons;
    uint8_t report[6];
    sk_hid_mouse_report(buttons, x, y, wheel, report);
    enqueue(hid, DEV_MOUSE, report, sizeof(report));
    wake_writer(hid);
out:
    pthread_mutex_unlock(&hid->lock);
    return rc;
}

int sk_hid_flush(struct sk_hid *hid, int timeout_ms)
{
    pthread_mutex_lock(&hid->lock);
    int rc = 0;
    if (hid->writer_running && hid->next_seq > hid->done_seq + 1) {
        struct waiter w = {.first = hid->done_seq + 1, .last = hid->next_seq - 1};
        rc = wait_for(hid, &w, timeout_ms);
    }
    pthread_mutex_unlock(&hid->lock);
    return rc;
}

/* The SK_LED_* bits the target last reported; the caller holds hid->lock. */
static uint8_t target_leds(struct sk_hid *hid)
{
    if (hid->sinks[DEV_KEYBOARD].kind == SINK_DEMO && hid->opts.demo_leds != NULL) {
        /* The demo target keeps its own LED state; it never calls back into us. */
        return hid->opts.demo_leds(hid->opts.demo_ctx);
    }
    return hid->leds;
}

void sk_hid_status(struct sk_hid *hid, struct sk_hid_status *out)
{
    pthread_mutex_lock(&hid->lock);
    *out = (struct sk_hid_status){
        .queued = hid->count,
        .written = hid->written,
        .dropped = hid->dropped,
    };
    snprintf(out->keyboard, sizeof(out->keyboard), "%s", hid->sinks[DEV_KEYBOARD].name);
    snprintf(out->mouse, sizeof(out->mouse), "%s", hid->sinks[DEV_MOUSE].name);
    out->mouse_x = hid->x;
    out->mouse_y = hid->y;
    out->buttons = hid->buttons;
    snprintf(out->error, sizeof(out->error), "%s", hid->error);
    if (!hid->open && !hid->closing) {
        out->state = "closed";
    } else {
        enum sink_state worst = STATE_OK;
        for (int i = 0; i < 2; i++) {
            if (hid->sinks[i].state == STATE_ERROR) {
                worst = STATE_ERROR;
            } else if (hid->sinks[i].state == STATE_STALLED && worst == STATE_OK) {
                worst = STATE_STALLED;
            }
        }
        out->state = state_names[worst];
    }
    out->leds = target_leds(hid);
    pthread_mutex_unlock(&hid->lock);
}

void sk_hid_undo_caps_lock(struct sk_hid *hid, const struct sk_keymap *km, struct sk_key *keys,
                           size_t n)
{
    pthread_mutex_lock(&hid->lock);
    uint8_t leds = target_leds(hid);
    pthread_mutex_unlock(&hid->lock);
    if (leds & SK_LED_CAPS) {
        sk_keymap_caps_lock(km, keys, n);
    }
}

/*
 * streamer: every MJPEG viewer served by a few epoll threads.
 *
 * The watcher thread sleeps on the hub and pokes each writer's eventfd
 * when a frame is published. A writer thread (one per CPU, at most
 * SK_STREAMER_MAX_WRITERS) owns the viewers handed to it (its list, each
 * viewer's socket, its HTTP header still to send, its part in progress and
 * frame reference) and waits in epoll_wait for that eventfd, for new
 * viewers (another eventfd) and for full sockets becoming writable
 * (edge-triggered EPOLLOUT). sk_streamer_add puts a new viewer on a
 * writer's hand-over list, round-robin, and returns at once; the writer
 * closes the socket and calls the viewer's done callback when the stream
 * ends. The lock guards only the hand-over lists, the accepting flags and
 * the viewer count. A writer never blocks on a socket.
 */
#include "http/streamer.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "video/frame.h"
#include "http/multipart.h"
#include "video/hub.h"
#include "base/log.h"
#include "base/util.h"

/* How often the writer looks at repeats, idle viewers and the stop flag. */
#define TICK_MS 100

struct viewer {
    int fd;     /* ours: closed when the stream ends */
    char *http; /* the HTTP response header still to send (NULL once sent) */
    size_t http_len, http_sent;
    void (*done)(void *ctx);
    void *done_ctx;
    uint64_t last_seq;      /* the newest frame this viewer has been given, 0 for none */
    struct sk_frame *frame; /* the part being written, NULL between parts */
    size_t pos;             /* bytes of it written */
    size_t head_len;
    char head[SK_MULTIPART_HEADER_MAX];
    int64_t part_ms;     /* when the last part started, for repeats */
    int64_t progress_ms; /* when a byte last went out */
    int64_t joined_ms;   /* when the writer took it, for the first frame's time-out */
    int dead;
    struct viewer *next; /* in the hand-over list */
};

#define SK_STREAMER_MAX_WRITERS 4

struct writer {
    struct sk_streamer *st;
    pthread_t thread;
    int started;
    int epfd, wake_fd, frame_fd;
    struct viewer *incoming; /* under st->lock */
    int accepting;           /* under st->lock: this writer takes viewers */
    struct viewer **active;  /* the writer thread's own */
    size_t nactive, capactive;
    /*
     * The hub's newest frame, fetched at most once per turn of the writer's
     * loop (NULL until a viewer asks, dropped at the end of the turn), and
     * its part header, formatted once per frame: every viewer starting a
     * part copies these instead of locking the hub and formatting its own.
     */
    struct sk_frame *newest;
    int newest_fetched;
    uint64_t head_seq; /* the frame head was formatted for, 0 for none */
    size_t head_len;
    char head[SK_MULTIPART_HEADER_MAX];
};

struct sk_streamer {
    struct sk_hub *hub;
    int idle_timeout_s;
    int max_viewers;
    int viewers; /* under lock: handed over and not yet let go */
    struct writer writers[SK_STREAMER_MAX_WRITERS];
    int nwriters;
    unsigned next; /* under lock: round-robin hand-over */
    pthread_t watcher;
    int open;
    atomic_int stopping;
    pthread_mutex_t lock;
    atomic_uint_fast64_t parts, bytes, skipped;
};

static char wake_mark, frame_mark;

struct sk_streamer *sk_streamer_new(struct sk_hub *hub, int idle_timeout_s, int max_viewers)
{
    struct sk_streamer *st = xcalloc(1, sizeof(*st));
    st->hub = hub;
    st->idle_timeout_s = idle_timeout_s > 0 ? idle_timeout_s : 15;
    st->max_viewers = max_viewers > 0 ? max_viewers : 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    st->nwriters = (int)SK_MAX(1, SK_MIN(cpus, (long)SK_STREAMER_MAX_WRITERS));
    for (int i = 0; i < st->nwriters; i++) {
        struct writer *w = &st->writers[i];
        w->st = st;
        w->epfd = w->wake_fd = w->frame_fd = -1;
    }
    pthread_mutex_init(&st->lock, NULL);
    atomic_init(&st->stopping, 0);
    atomic_init(&st->parts, 0);
    atomic_init(&st->bytes, 0);
    atomic_init(&st->skipped, 0);
    return st;
}

void sk_streamer_free(struct sk_streamer *st)
{
    if (st == NULL) {
        return;
    }
    sk_streamer_close(st);
    pthread_mutex_destroy(&st->lock);
    for (int i = 0; i < st->nwriters; i++) {
        free(st->writers[i].active);
    }
    free(st);
}

static void poke(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof(one));
    (void)n; /* a full counter already means "wake up" */
}

static void drain(int fd)
{
    uint64_t v;
    ssize_t n = read(fd, &v, sizeof(v));
    (void)n;
}

/* The hub's newest JPEG frame for this turn (borrowed from w), or NULL. */
static struct sk_frame *newest_jpeg(struct writer *w)
{
    if (!w->newest_fetched) {
        w->newest = sk_hub_latest(w->st->hub);
        w->newest_fetched = 1;
    }
    struct sk_frame *f = w->newest;
    if (f == NULL || f->format != SK_FRAME_JPEG || f->size == 0) {
        return NULL;
    }
    if (w->head_seq != f->seq) {
        w->head_len = sk_multipart_header(w->head, sizeof(w->head), f->size, f->captured_us);
        w->head_seq = f->seq;
    }
    return f;
}

/* End of a turn: a frame published meanwhile is fetched next turn (its eventfd wakes us). */
static void forget_newest(struct writer *w)
{
    sk_frame_unref(w->newest);
    w->newest = NULL;
    w->newest_fetched = 0;
}

/* Give v the newest frame if it has not had it (or a repeat is due). 1 when a part started. */
static int start_part(struct writer *w, struct viewer *v, int64_t now)
{
    struct sk_streamer *st = w->st;
    struct sk_frame *f = newest_jpeg(w);
    if (f == NULL || (f->seq <= v->last_seq && now - v->part_ms < SK_STREAMER_REPEAT_MS)) {
        return 0;
    }
    if (v->last_seq > 0 && f->seq > v->last_seq + 1) {
        atomic_fetch_add(&st->skipped, f->seq - v->last_seq - 1);
    }
    v->last_seq = SK_MAX(v->last_seq, f->seq);
    v->frame = sk_frame_ref(f);
    v->pos = 0;
    memcpy(v->head, w->head, w->head_len);
    v->head_len = w->head_len;
    v->part_ms = now;
    atomic_fetch_add(&st->parts, 1);
    return 1;
}

/*
 * The iovecs of what v has still to send of its current part (v->frame
 * set), after v->pos bytes of it went out; returns how many (1 to 3).
 */
static size_t part_iov(struct viewer *v, struct iovec *iov)
{
    static const char trailer[] = SK_MULTIPART_TRAILER;
    iov[0] = (struct iovec){.iov_base = v->head, .iov_len = v->head_len};
    iov[1] = (struct iovec){.iov_base = v->frame->data, .iov_len = v->frame->size};
    iov[2] = (struct iovec){.iov_base = (void *)trailer, .iov_len = sizeof(trailer) - 1};
    /* Skip what earlier writes of this part sent (pos < total: the rest ends in iov[2]). */
    size_t skip = v->pos;
    size_t first = 0;
    while (first < 2 && skip >= iov[first].iov_len) {
        skip -= iov[first].iov_len;
        first++;
    }
    iov[first].iov_base = (char *)iov[first].iov_base + skip;
    iov[first].iov_len -= skip;
    memmove(iov, iov + first, (3 - first) * sizeof(*iov));
    return 3 - first;
}

static size_t part_total(const struct viewer *v)
{
    return v->head_len + v->frame->size + sizeof(SK_MULTIPART_TRAILER) - 1;
}

/*
 * Write as much as v's socket takes: the rest of its HTTP header (alone
 * while there is no frame yet, so the client sees the answer at once),
 * then its parts, moving on to newer frames.
 */
static void pump(struct writer *w, struct viewer *v, int64_t now)
{
    struct sk_streamer *st = w->st;
    while (!v->dead) {
        if (v->frame == NULL && !start_part(w, v, now) && v->http == NULL) {
            return;
        }
        struct iovec iov[4];
        size_t n = 0, http_left = v->http != NULL ? v->http_len - v->http_sent : 0;
        if (http_left > 0) {
            iov[n++] = (struct iovec){.iov_base = v->http + v->http_sent, .iov_len = http_left};
        }
        if (v->frame != NULL) {
            n += part_iov(v, iov + n);
        }
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
        ssize_t sent = sendmsg(v->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                v->dead = 1; /* the client went away */
            }
            return; /* full: epoll says when there is room */
        }
        size_t of_http = SK_MIN((size_t)sent, http_left);
        v->http_sent += of_http;
        v->pos += (size_t)sent - of_http;
        v->progress_ms = now;
        atomic_fetch_add(&st->bytes, (uint64_t)sent);
        if (v->http != NULL && v->http_sent == v->http_len) {
            free(v->http);
            v->http = NULL;
        }
        if (v->frame != NULL && v->pos == part_total(v)) {
            sk_frame_unref(v->frame);
            v->frame = NULL;
        }
    }
}

/* The viewers handed to w since it last looked. */
static struct viewer *take_incoming(struct writer *w)
{
    pthread_mutex_lock(&w->st->lock);
    struct viewer *list = w->incoming;
    w->incoming = NULL;
    pthread_mutex_unlock(&w->st->lock);
    return list;
}

/* Take the new viewers on and send them what there is: the header, the newest frame. */
static void adopt(struct writer *w, int64_t now)
{
    struct viewer *next;
    for (struct viewer *v = take_incoming(w); v != NULL; v = next) {
        next = v->next;
        /* MHD may have corked the socket for its own sends; parts must leave at once. */
        int off = 0, on = 1;
        setsockopt(v->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
        setsockopt(v->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLET, .data.ptr = v};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, v->fd, &ev) != 0) {
            v->dead = 1;
        }
        v->part_ms = v->progress_ms = v->joined_ms = now;
        if (w->nactive == w->capactive) {
            w->capactive = w->capactive ? w->capactive * 2 : 64;
            w->active = xrealloc(w->active, w->capactive * sizeof(*w->active));
        }
        w->active[w->nactive++] = v;
        pump(w, v, now);
    }
}

/* End v's stream: close its socket, stop watching the hub, tell its owner, forget it. */
static void release(struct writer *w, struct viewer *v)
{
    struct sk_streamer *st = w->st;
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, v->fd, NULL); /* ENOENT for one never adopted */
    close(v->fd);
    sk_frame_unref(v->frame);
    free(v->http);
    sk_hub_watch(st->hub, -1);
    pthread_mutex_lock(&st->lock);
    st->viewers--;
    pthread_mutex_unlock(&st->lock);
    if (v->done != NULL) {
        v->done(v->done_ctx);
    }
    free(v);
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct sk_streamer *st = w->st;
    sk_log_thread_name("mjpeg-%d", (int)(w - st->writers));
    struct epoll_event evs[64];
    while (!atomic_load(&st->stopping)) {
        int n = epoll_wait(w->epfd, evs, SK_ARRAY_LEN(evs), TICK_MS);
        int64_t now = sk_now_ms();
        int new_frame = 0;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &wake_mark) {
                drain(w->wake_fd);
                adopt(w, now);
            } else if (evs[i].data.ptr == &frame_mark) {
                drain(w->frame_fd);
                /* A viewer served earlier in this turn may have fetched an older newest. */
                forget_newest(w);
                new_frame = 1;
            } else {
                struct viewer *v = evs[i].data.ptr;
                if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
                    v->dead = 1;
                } else {
                    pump(w, v, now);
                }
            }
        }
        /*
         * Every idle viewer gets the new frame (or its repeat); a viewer
         * still busy with an older part gets the newest when it finishes.
         */
        size_t kept = 0;
        for (size_t i = 0; i < w->nactive; i++) {
            struct viewer *v = w->active[i];
            if (v->frame == NULL && (new_frame || now - v->part_ms >= SK_STREAMER_REPEAT_MS)) {
                pump(w, v, now);
            }
            int busy = v->frame != NULL || v->http != NULL;
            if (busy && now - v->progress_ms > (int64_t)st->idle_timeout_s * 1000) {
                sk_log(SK_LOG_DEBUG, "http", "stream client stopped reading; closing");
                v->dead = 1;
            } else if (v->last_seq == 0 && now - v->joined_ms >= SK_STREAMER_FIRST_FRAME_MS) {
                sk_log(SK_LOG_DEBUG, "http", "no frame to stream; closing");
                v->dead = 1;
            }
            if (v->dead) {
                release(w, v);
            } else {
                w->active[kept++] = v;
            }
        }
        w->nactive = kept;
        forget_newest(w);
    }
    /* Stopping: let every viewer go, and take no more. */
    pthread_mutex_lock(&st->lock);
    w->accepting = 0;
    pthread_mutex_unlock(&st->lock);
    struct viewer *next;
    for (struct viewer *v = take_incoming(w); v != NULL; v = next) {
        next = v->next;
        release(w, v);
    }
    for (size_t i = 0; i < w->nactive; i++) {
        release(w, w->active[i]);
    }
    w->nactive = 0;
    return NULL;
}

static void *watcher_main(void *arg)
{
    struct sk_streamer *st = arg;
    sk_log_thread_name("http-watch");
    uint64_t seq = 0;
    while (!atomic_load(&st->stopping)) {
        int64_t before = sk_now_ms();
        struct sk_frame *f = sk_hub_wait(st->hub, seq, TICK_MS * 2);
        if (f != NULL) {
            seq = f->seq;
            sk_frame_unref(f);
            for (int i = 0; i < st->nwriters; i++) {
                poke(st->writers[i].frame_fd);
            }
        } else if (sk_now_ms() - before < TICK_MS) {
            sk_sleep_ms(TICK_MS); /* the hub is closed: nothing will come */
        }
    }
    return NULL;
}

static void close_fds(struct writer *w)
{
    int *fds[] = {&w->epfd, &w->wake_fd, &w->frame_fd};
    for (size_t i = 0; i < SK_ARRAY_LEN(fds); i++) {
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    }
}

/* Stop and join every started thread, close every descriptor. */
static void stop_all(struct sk_streamer *st)
{
    atomic_store(&st->stopping, 1);
    for (int i = 0; i < st->nwriters; i++) {
        struct writer *w = &st->writers[i];
        if (w->started) {
            poke(w->wake_fd);
            pthread_join(w->thread, NULL);
            w->started = 0;
        }
    }
    for (int i = 0; i < st->nwriters; i++) {
        close_fds(&st->writers[i]);
    }
}

static int open_writer(struct writer *w, char *err, size_t errlen)
{
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    w->frame_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event wake = {.events = EPOLLIN, .data.ptr = &wake_mark};
    struct epoll_event frame = {.events = EPOLLIN, .data.ptr = &frame_mark};
    if (w->epfd < 0 || w->wake_fd < 0 || w->frame_fd < 0 ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &wake) != 0 ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->frame_fd, &frame) != 0) {
        sk_set_err(err, errlen, "cannot set up the stream writer: %s", strerror(errno));
        return -1;
    }
    w->accepting = 1;
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        w->accepting = 0;
        sk_set_err(err, errlen, "cannot start a stream writer thread");
        return -1;
    }
    w->started = 1;
    return 0;
}

int sk_streamer_open(struct sk_streamer *st, char *err, size_t errlen)
{
    if (st->open) {
        return 0;
    }
    atomic_store(&st->stopping, 0);
    for (int i = 0; i < st->nwriters; i++) {
        if (open_writer(&st->writers[i], err, errlen) != 0) {
            stop_all(st);
            return -1;
        }
    }
    if (pthread_create(&st->watcher, NULL, watcher_main, st) != 0) {
        sk_set_err(err, errlen, "cannot start the stream watcher thread");
        stop_all(st);
        return -1;
    }
    st->open = 1;
    return 0;
}

void sk_streamer_close(struct sk_streamer *st)
{
    if (st == NULL || !st->open) {
        return;
    }
    /* The watcher first: it pokes the writers' eventfds, which stop_all closes. */
    atomic_store(&st->stopping, 1);
    pthread_join(st->watcher, NULL);
    stop_all(st);
    st->open = 0;
}

int sk_streamer_add(struct sk_streamer *st, int fd, const char *head, size_t head_len,
                    void (*done)(void *ctx), void *ctx)
{
    struct viewer *v = xcalloc(1, sizeof(*v));
    v->fd = fd;
    v->done = done;
    v->done_ctx = ctx;
    if (head_len > 0) {
        v->http = xmalloc(head_len);
        memcpy(v->http, head, head_len);
        v->http_len = head_len;
    }
    /* Watch before the header can go out: the client may ask for a frame as soon as it sees it. */
    sk_hub_watch(st->hub, +1);
    pthread_mutex_lock(&st->lock);
    struct writer *w = &st->writers[st->next++ % (unsigned)st->nwriters];
    int rc = !w->accepting ? SK_E_CLOSED : st->viewers >= st->max_viewers ? SK_E_BUSY : 0;
    if (rc == 0) {
        st->viewers++;
        v->next = w->incoming;
        w->incoming = v;
        /* Under the lock: a writer that still accepts has not let its eventfd be closed. */
        poke(w->wake_fd);
    }
    pthread_mutex_unlock(&st->lock);
    if (rc != 0) {
        sk_hub_watch(st->hub, -1);
        free(v->http);
        free(v);
    }
    return rc;
}

int sk_streamer_has_room(struct sk_streamer *st)
{
    pthread_mutex_lock(&st->lock);
    int room = st->writers[0].accepting && st->viewers < st->max_viewers;
    pthread_mutex_unlock(&st->lock);
    return room;
}

void sk_streamer_stats(struct sk_streamer *st, struct sk_streamer_stats *out)
{
    out->parts = atomic_load(&st->parts);
    out->bytes = atomic_load(&st->bytes);
    out->skipped = atomic_load(&st->skipped);
    pthread_mutex_lock(&st->lock);
    out->viewers = st->viewers;
    pthread_mutex_unlock(&st->lock);
}

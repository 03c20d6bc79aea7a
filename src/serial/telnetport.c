/*
 * telnetport: one serial port's TCP connection, spoken to in telnet through
 * libtelnet.
 *
 * On connect it asks for binary mode both ways (so that no byte is changed:
 * 0xff is sent as IAC IAC, CR stays CR) and offers RFC 2217's
 * COM-PORT-OPTION; it accepts the server's echo and suppress-go-ahead, and
 * libtelnet refuses every other option with DONT or WONT. Serial bytes go
 * through telnet_send, which doubles 0xff; what libtelnet decodes from the
 * socket comes back to the caller as data, commands and negotiations taken
 * out. Everything libtelnet wants sent (escaped data, answers, IAC BREAK,
 * subnegotiations) lands in one queue, `out`, written to the socket as far
 * as it takes without waiting; what it could not take yet stays there, in
 * order, for the next flush (writers wait for room; the port's thread
 * flushes when the socket can be written). The queue is bounded by
 * QUEUE_MAX for serial data, so a server that stops reading holds back only
 * the writers of this port, and each for its own timeout; a server that
 * keeps asking (negotiations, each answered) but never reads is dropped once
 * the answers pass ANSWERS_MAX. A server that compresses its stream
 * (COMPRESS2, which libtelnet inflates unasked) is dropped too.
 *
 * lock guards fd, the libtelnet object and the queue. The connection's life
 * belongs to the port's thread; port.c holds its fd_lock around writers so
 * that the socket is not closed under them.
 */
#include "serial/telnetport.h"

#include <errno.h>
#include <libtelnet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define CONNECT_MS 5000        /* how long a connection attempt may take */
#define SLICE_MS 100           /* the longest wait before looking at stop or the time left */
#define QUEUE_MAX 65536        /* bytes waiting for the socket, beyond which writers wait */
#define KEEPALIVE_IDLE_S 15    /* a quiet connection is probed after this ... */
#define KEEPALIVE_INTERVAL_S 5 /* ... every this ... */
#define KEEPALIVE_COUNT 3      /* ... and given up after this many unanswered probes */
#define USER_TIMEOUT_MS 30000  /* sent bytes unacknowledged this long: the connection is dead */
#define TELOPT_COMPORT 44      /* RFC 2217 COM-PORT-OPTION */
#define COMPORT_BAUD 1         /* its SET-BAUDRATE, SET-DATASIZE, ... commands (client to server) */
#define COMPORT_DATASIZE 2
#define COMPORT_PARITY 3
#define COMPORT_STOPSIZE 4
#define COMPORT_CONTROL 5
/* The queue with the server's answers (to negotiations) beyond which it is dropped. */
#define ANSWERS_MAX (2 * QUEUE_MAX)

/* What we agree to: binary both ways, suppress-go-ahead both ways, the server's echo, and
 * RFC 2217 from our side. libtelnet refuses anything else. */
static const telnet_telopt_t telopts[] = {
    {TELNET_TELOPT_BINARY, TELNET_WILL, TELNET_DO},
    {TELNET_TELOPT_SGA, TELNET_WILL, TELNET_DO},
    {TELNET_TELOPT_ECHO, TELNET_WONT, TELNET_DO},
    {TELOPT_COMPORT, TELNET_WILL, TELNET_DONT},
    {-1, 0, 0},
};

struct sk_telnetport {
    pthread_mutex_t lock;
    struct sk_serialspec spec; /* the settings sent over RFC 2217 */
    int fd;                    /* -1: not connected */
    telnet_t *tn;
    struct sk_buf out; /* bytes for the socket, in order */
    int comport;       /* the server agreed to COM-PORT-OPTION */
    int failed;        /* the socket or the stream broke: why says how */
    char why[128];
    uint8_t *rx; /* during sk_telnetport_recv: where decoded data goes ... */
    size_t rx_len;
    size_t rx_cap; /* ... and its room, which a compressed stream could overrun */
};

struct sk_telnetport *sk_telnetport_new(const struct sk_serialspec *spec)
{
    struct sk_telnetport *tp = xcalloc(1, sizeof(*tp));
    tp->spec = *spec;
    tp->fd = -1;
    pthread_mutex_init(&tp->lock, NULL);
    return tp;
}

void sk_telnetport_free(struct sk_telnetport *tp)
{
    if (tp == NULL) {
        return;
    }
    sk_telnetport_disconnect(tp);
    sk_buf_free(&tp->out);
    pthread_mutex_destroy(&tp->lock);
    free(tp);
}

/* The connection is no good any more: why says so, unless an earlier failure said it first. */
static void fail(struct sk_telnetport *tp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(struct sk_telnetport *tp, const char *fmt, ...)
{
    if (!tp->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tp->why, sizeof(tp->why), fmt, ap);
        va_end(ap);
    }
    tp->failed = 1;
}

/* Write what the queue holds, as far as the socket takes it now. 0, or -1 (failed set). Locked. */
static int flush_locked(struct sk_telnetport *tp)
{
    size_t done = 0;
    while (done < tp->out.len && tp->fd >= 0) {
        ssize_t n =
            send(tp->fd, tp->out.data + done, tp->out.len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            fail(tp, "the connection failed (%s)", n < 0 ? strerror(errno) : "nothing sent");
            break;
        }
    }
    if (done > 0) {
        memmove(tp->out.data, tp->out.data + done, tp->out.len - done);
        tp->out.len -= done;
    }
    return tp->failed ? -1 : 0;
}

/* Queue the spec's settings as RFC 2217 subnegotiations. Locked, the server agreed. */
static void send_line_locked(struct sk_telnetport *tp)
{
    const struct sk_serialspec *s = &tp->spec;
    const char baud[] = {COMPORT_BAUD, (char)(s->speed >> 24), (char)(s->speed >> 16),
                         (char)(s->speed >> 8), (char)s->speed};
    const char size[] = {COMPORT_DATASIZE, (char)s->data_bits};
    const char parity[] = {COMPORT_PARITY, s->parity == 'o' ? 2 : s->parity == 'e' ? 3 : 1};
    const char stop[] = {COMPORT_STOPSIZE, (char)s->stop_bits};
    const char control[] = {COMPORT_CONTROL, s->flow == SK_SERIAL_FLOW_XONXOFF  ? 2
                                             : s->flow == SK_SERIAL_FLOW_RTSCTS ? 3
                                                                                : 1};
    telnet_subnegotiation(tp->tn, TELOPT_COMPORT, baud, sizeof(baud));
    telnet_subnegotiation(tp->tn, TELOPT_COMPORT, size, sizeof(size));
    telnet_subnegotiation(tp->tn, TELOPT_COMPORT, parity, sizeof(parity));
    telnet_subnegotiation(tp->tn, TELOPT_COMPORT, stop, sizeof(stop));
    telnet_subnegotiation(tp->tn, TELOPT_COMPORT, control, sizeof(control));
}

/* libtelnet's events, called with lock held (from telnet_recv, _send, _negotiate, ...). */
static void on_event(telnet_t *tn, telnet_event_t *ev, void *user)
{
    (void)tn;
    struct sk_telnetport *tp = user;
    switch (ev->type) {
    case TELNET_EV_SEND:
        sk_buf_append(&tp->out, ev->data.buffer, ev->data.size);
        break;
    case TELNET_EV_DATA:
        /* Decoded data is no longer than what was read, for which rx has room, unless the
         * server compressed it (below); nothing goes beyond rx's room in any case. */
        if (tp->rx != NULL && !tp->failed && ev->data.size > tp->rx_cap - tp->rx_len) {
            fail(tp, "the telnet stream broke (more data than read)");
        }
        if (tp->rx != NULL && !tp->failed) {
            memcpy(tp->rx + tp->rx_len, ev->data.buffer, ev->data.size);
            tp->rx_len += ev->data.size;
        }
        break;
    case TELNET_EV_COMPRESS:
        /* libtelnet (built with zlib) inflates what follows IAC SB COMPRESS2 IAC SE, though
         * we never agreed to it: a broken or hostile server; nothing more is taken from it. */
        fail(tp, "the telnet stream broke (the server compressed it unasked)");
        break;
    case TELNET_EV_DO:
        if (ev->neg.telopt == TELOPT_COMPORT) {
            tp->comport = 1;
            send_line_locked(tp);
        }
        break;
    case TELNET_EV_DONT:
        if (ev->neg.telopt == TELOPT_COMPORT) {
            tp->comport = 0;
        }
        break;
    case TELNET_EV_WARNING:
        sk_log(SK_LOG_DEBUG, "serial", "%s: telnet: %s", tp->spec.name, ev->error.msg);
        break;
    case TELNET_EV_ERROR:
        fail(tp, "the telnet stream broke (%s)", ev->error.msg);
        break;
    default:
        /* Other commands (a server's own BREAK, NOP, ...) and subnegotiations mean nothing
         * to a serial port. */
        break;
    }
}

/* Wait for a non-blocking connect on fd to finish: 0, or an errno. */
static int connect_wait(int fd, const atomic_int *stop)
{
    for (int waited = 0; waited < CONNECT_MS && !atomic_load(stop); waited += SLICE_MS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int rc = poll(&pfd, 1, SLICE_MS);
        if (rc < 0 && errno != EINTR) {
            return errno;
        }
        if (rc > 0) {
            int e = 0;
            socklen_t elen = sizeof(e);
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0) {
                return errno;
            }
            return e;
        }
    }
    return atomic_load(stop) ? EINTR : ETIMEDOUT;
}

int sk_telnetport_connect(struct sk_telnetport *tp, const atomic_int *stop, char *why,
                          size_t whylen)
{
    char service[8];
    snprintf(service, sizeof(service), "%u", tp->spec.tcp_port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(tp->spec.host, service, &hints, &res);
    if (rc != 0) {
        snprintf(why, whylen, "cannot look up %s (%s)", tp->spec.host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0 && !atomic_load(stop); ai = ai->ai_next) {
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        err = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
        if (err == EINPROGRESS) {
            err = connect_wait(fd, stop);
        }
        if (err != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(why, whylen, "cannot connect to %s port %u (%s)", tp->spec.host, tp->spec.tcp_port,
                 err == EINTR ? "stopped" : strerror(err));
        return -1;
    }
    /* Keys go out at once. A server that vanished without a word (a cable pulled, a box
     * powered off) is found out within about half a minute: by keepalive probes when the
     * line is quiet, by TCP_USER_TIMEOUT when bytes sent go unanswered. */
    int one = 1, idle = KEEPALIVE_IDLE_S, intvl = KEEPALIVE_INTERVAL_S, cnt = KEEPALIVE_COUNT;
    unsigned user_timeout = USER_TIMEOUT_MS;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof(user_timeout));
    pthread_mutex_lock(&tp->lock);
    tp->fd = fd;
    tp->tn = telnet_init(telopts, on_event, 0, tp);
    if (tp->tn == NULL) {
        abort(); /* out of memory, as xmalloc does */
    }
    tp->out.len = 0;
    tp->comport = 0;
    tp->failed = 0;
    tp->why[0] = '\0';
    telnet_negotiate(tp->tn, TELNET_WILL, TELNET_TELOPT_BINARY);
    telnet_negotiate(tp->tn, TELNET_DO, TELNET_TELOPT_BINARY);
    telnet_negotiate(tp->tn, TELNET_WILL, TELNET_TELOPT_SGA);
    telnet_negotiate(tp->tn, TELNET_DO, TELNET_TELOPT_SGA);
    telnet_negotiate(tp->tn, TELNET_WILL, TELOPT_COMPORT);
    rc = flush_locked(tp);
    if (rc != 0) {
        snprintf(why, whylen, "%s", tp->why);
    }
    pthread_mutex_unlock(&tp->lock);
    if (rc != 0) {
        sk_telnetport_disconnect(tp);
        return -1;
    }
    return fd;
}

void sk_telnetport_disconnect(struct sk_telnetport *tp)
{
    pthread_mutex_lock(&tp->lock);
    if (tp->tn != NULL) {
        telnet_free(tp->tn);
        tp->tn = NULL;
    }
    if (tp->fd >= 0) {
        close(tp->fd);
        tp->fd = -1;
    }
    tp->out.len = 0;
    tp->comport = 0;
    pthread_mutex_unlock(&tp->lock);
}

long sk_telnetport_recv(struct sk_telnetport *tp, const uint8_t *in, size_t len, uint8_t *out,
                        char *why, size_t whylen)
{
    pthread_mutex_lock(&tp->lock);
    long n = -1;
    if (tp->tn == NULL) {
        snprintf(why, whylen, "not connected");
        goto done;
    }
    tp->rx = out;
    tp->rx_len = 0;
    tp->rx_cap = len;
    telnet_recv(tp->tn, (const char *)in, len);
    tp->rx = NULL;
    if (flush_locked(tp) == 0 && tp->out.len > ANSWERS_MAX) {
        /* Its answers pile up: a server that keeps asking but never reads. */
        fail(tp, "the telnet server does not read what it asks for");
    }
    if (tp->failed) {
        snprintf(why, whylen, "%s", tp->why);
        goto done;
    }
    n = (long)tp->rx_len;
done:
    pthread_mutex_unlock(&tp->lock);
    return n;
}

int sk_telnetport_pending(struct sk_telnetport *tp)
{
    pthread_mutex_lock(&tp->lock);
    int pending = tp->out.len > 0;
    pthread_mutex_unlock(&tp->lock);
    return pending;
}

int sk_telnetport_flush(struct sk_telnetport *tp)
{
    pthread_mutex_lock(&tp->lock);
    int rc = flush_locked(tp);
    pthread_mutex_unlock(&tp->lock);
    return rc;
}

long sk_telnetport_write(struct sk_telnetport *tp, const void *data, size_t len, int timeout_ms)
{
    const char *p = data;
    size_t done = 0;
    int64_t until = sk_now_ms() + timeout_ms;
    pthread_mutex_lock(&tp->lock);
    if (tp->tn == NULL || tp->failed) {
        pthread_mutex_unlock(&tp->lock);
        return SK_E_NODEV;
    }
    while (tp->tn != NULL) {
        /* Room for the worst case, where every byte is 0xff and doubled. */
        size_t room = tp->out.len < QUEUE_MAX ? (QUEUE_MAX - tp->out.len) / 2 : 0;
        size_t n = SK_MIN(room, len - done);
        if (n > 0) {
            telnet_send(tp->tn, p + done, n);
            done += n;
        }
        if (flush_locked(tp) != 0 || done == len) {
            break;
        }
        int64_t left = until - sk_now_ms();
        if (left <= 0) {
            break;
        }
        /* Wait for room without the lock, so that the port's thread goes on reading. */
        struct pollfd pfd = {.fd = tp->fd, .events = POLLOUT};
        pthread_mutex_unlock(&tp->lock);
        poll(&pfd, 1, (int)SK_MIN(left, (int64_t)SLICE_MS));
        pthread_mutex_lock(&tp->lock);
    }
    int failed = tp->failed || tp->tn == NULL;
    pthread_mutex_unlock(&tp->lock);
    return done == 0 && failed ? SK_E_NODEV : (long)done;
}

int sk_telnetport_break(struct sk_telnetport *tp)
{
    pthread_mutex_lock(&tp->lock);
    int rc = SK_E_NODEV;
    if (tp->tn != NULL && !tp->failed) {
        telnet_iac(tp->tn, TELNET_BREAK);
        rc = flush_locked(tp) == 0 ? 0 : SK_E_NODEV;
    }
    pthread_mutex_unlock(&tp->lock);
    return rc;
}

int sk_telnetport_set_line(struct sk_telnetport *tp, const struct sk_serialspec *spec)
{
    pthread_mutex_lock(&tp->lock);
    int rc = 0;
    if (tp->tn == NULL) {
        /* Not connected: the settings go to the server on connect, if it agrees. */
        tp->spec = *spec;
    } else if (!tp->comport) {
        rc = -1;
    } else {
        tp->spec = *spec;
        send_line_locked(tp);
        rc = flush_locked(tp) == 0 ? 0 : SK_E_NODEV;
    }
    pthread_mutex_unlock(&tp->lock);
    return rc;
}

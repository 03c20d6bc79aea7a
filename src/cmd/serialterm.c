/*
 * serialterm: `ssh -t kvm@pi serial NAME`, a terminal attached to a port.
 *
 * Runs on the session's thread, which it owns until the client quits or
 * goes. On attach it says where it is and replays the last screenful of
 * the port's output (from the port's ring); then it waits for the port's
 * output and the client's keys at once (the port's watch fd polled with
 * the session's socket, sk_serialterm_wait), passing each on as it comes. Keys go to the port only
 * for the session holding the port's control (sk_app_port: any number watch, one writes per port,
 * apart from the video console's control; view-only keys never write; `t` in the menu takes this
 * port); a refusal is said once, not per key. Ctrl+] opens a one-key menu: b break, s speed, t take
 * control, w who is on, r replay, q quit, Ctrl+] again sends a Ctrl+] itself; ssh's own break
 * request (~B) sends a break too. A terminal too slow for the port skips ahead with a marker; the
 * port's log keeps everything. Attach, detach and speed changes are audited (control changes by the
 * access check), never the bytes.
 */
#include "cmd/serialterm.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "policy/audit.h"
#include "policy/roster.h"
#include "serial/port.h"

#define MENU_KEY 0x1d         /* Ctrl+] */
#define SLICE_MS 10           /* without a watch fd: the wait for keys between looks at the port */
#define WAIT_MS 200           /* with one: the longest wait (output or keys end it at once) */
#define BURST_MIN 1024        /* output this big at one look is a burst, not a few keys' echo */
#define BURST_MS 5            /* how long a burst's rest is waited for */
#define KEY_WRITE_MS 1000     /* how long typed keys wait for a port that does not take them */
#define REFUSAL_AGAIN_MS 5000 /* how often refused keys say so again */

static const unsigned speeds[] = {9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600};

struct term {
    struct sk_app *app;
    struct sk_port *port;
    const struct sk_cmd_io *io;
    int menu; /* 0, 1 after Ctrl+], 2 after Ctrl+] s (a speed's digit next) */
    int quit;
    int64_t refused_at; /* when keys were last refused (0: not refused) */
    int holds;          /* this session writes to the port (it was granted, not lost since) */
};

static void say(struct term *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct term *t, const char *fmt, ...)
{
    struct sk_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    sk_buf_puts(&b, "\r\n[sshkvm ");
    sk_buf_puts(&b, sk_port_spec(t->port)->name);
    sk_buf_puts(&b, ": ");
    sk_buf_vprintf(&b, fmt, ap);
    sk_buf_puts(&b, "]\r\n");
    va_end(ap);
    t->io->out(t->io->ctx, b.data, b.len);
    sk_buf_free(&b);
}

void sk_serialterm_replay(struct sk_port *port, unsigned rows, unsigned cols, struct sk_buf *out)
{
    size_t want = (size_t)rows * cols;
    uint64_t pos = sk_port_position(port, want);
    struct sk_buf b = {0};
    sk_buf_reserve(&b, want + 1);
    uint64_t lost;
    long n = sk_port_read(port, &pos, b.data, want, 0, &lost);
    if (n <= 0) {
        sk_buf_free(&b);
        return;
    }
    /* From the start of the line `rows` newlines back, when there are that many. */
    size_t start = 0, lines = 0;
    for (size_t i = (size_t)n; i > 0; i--) {
        if (b.data[i - 1] == '\n' && ++lines >= rows) {
            start = i;
            break;
        }
    }
    sk_buf_append(out, b.data + start, (size_t)n - start);
    sk_buf_free(&b);
}

/* The last screenful (the client's rows, lines of at most its width) from the port's ring. */
static void replay(struct term *t)
{
    struct sk_buf b = {0};
    sk_serialterm_replay(t->port, t->io->rows, t->io->cols, &b);
    if (b.len > 0) {
        t->io->out(t->io->ctx, b.data, b.len);
    }
    sk_buf_free(&b);
}

/* May this session write to the port now (take: take control)? Says a refusal once a while. */
static int may_write(struct term *t, int take)
{
    char msg[SK_ROSTER_NAME_LEN + SK_ROSTER_PORT_LEN + 64];
    const struct sk_identity who = {t->io->member, t->io->role, t->io->name, t->io->addr};
    const char *port = sk_port_spec(t->port)->name;
    /*
     * Refused a moment ago and the port still someone else's (a view-only key: always):
     * not asked, said nor audited again for each key. Once it is free, keys go at once.
     */
    if (!take && t->refused_at != 0 && sk_now_ms() - t->refused_at < REFUSAL_AGAIN_MS &&
        (t->io->role == SK_ROLE_VIEW || t->app->roster == NULL ||
         sk_roster_port_holder(t->app->roster, t->io->member, port, NULL, 0) == 0)) {
        return 0;
    }
    int rc = sk_app_port(t->app, &who, port, take, msg, sizeof(msg));
    if (rc == 0) {
        t->refused_at = 0;
        /* Held only where ports have holders: in shared mode nobody holds one to lose. */
        t->holds = t->app->roster != NULL && sk_roster_mode(t->app->roster) != SK_CONTROL_SHARED;
        return 1;
    }
    t->refused_at = sk_now_ms();
    say(t, "%s%s", msg, rc == SK_ROSTER_HELD ? " (Ctrl+] t takes control)" : "");
    return 0;
}

/* Says so once when the port's control went to someone else (or to nobody: idle) since. */
static void lost_control(struct term *t)
{
    char who[SK_ROSTER_NAME_LEN];
    int now = t->holds && t->app->roster != NULL
                  ? sk_roster_port_holder(t->app->roster, t->io->member,
                                          sk_port_spec(t->port)->name, who, sizeof(who))
                  : 1;
    if (now == 1) {
        return;
    }
    t->holds = 0;
    if (now == 0) {
        say(t, "%s took control of %s (Ctrl+] t takes it back)", who, sk_port_spec(t->port)->name);
    } else {
        say(t, "control of %s lost: no input for a while", sk_port_spec(t->port)->name);
    }
}

static void send_keys(struct term *t, const uint8_t *data, size_t len)
{
    if (len == 0 || !may_write(t, 0)) {
        return;
    }
    size_t done = 0;
    int64_t until = sk_now_ms() + KEY_WRITE_MS;
    while (done < len && sk_now_ms() < until) {
        long n = sk_port_write(t->port, data + done, len - done, 100);
        if (n == SK_E_NODEV) {
            struct sk_port_stats st;
            sk_port_stats(t->port, &st);
            say(t, "%s is %s (%s): keys not sent", st.device, st.state, st.error);
            return;
        }
        done += (size_t)SK_MAX(n, 0L);
    }
    if (done < len) {
        say(t, "the port took %zu of %zu bytes", done, len);
    }
}

static void menu_show(struct term *t)
{
    struct sk_port_stats st;
    sk_port_stats(t->port, &st);
    say(t,
        "%s %s %s. b break, s speed, t take control, w who is on, r replay, q quit, "
        "Ctrl+] send Ctrl+], other keys: back",
        st.device, st.settings, st.state);
}

static void menu_key(struct term *t, uint8_t key)
{
    if (t->menu == 2) {
        t->menu = 0;
        if (key < '1' || key >= '1' + SK_ARRAY_LEN(speeds)) {
            say(t, "speed unchanged");
            return;
        }
        unsigned speed = speeds[key - '1'];
        if (!may_write(t, 0)) {
            return;
        }
        if (sk_port_set_speed(t->port, speed) != 0) {
            if (sk_port_spec(t->port)->telnet) {
                say(t,
                    "cannot set %u baud: the telnet server did not agree to RFC 2217 "
                    "(COM-PORT-OPTION); set the speed on the server",
                    speed);
            } else {
                say(t, "cannot set %u baud", speed);
            }
            return;
        }
        sk_audit(t->app->audit, "serial", t->io->name, t->io->addr, "port=%s action=speed speed=%u",
                 sk_port_spec(t->port)->name, speed);
        say(t, "now %u baud", speed);
        return;
    }
    t->menu = 0;
    switch (key) {
    case 'b':
        if (may_write(t, 0)) {
            say(t,
                sk_port_break(t->port) == 0 ? "break sent" : "no break sent: the port is not open");
        }
        break;
    case 's': {
        struct sk_buf b = {0};
        for (size_t i = 0; i < SK_ARRAY_LEN(speeds); i++) {
            sk_buf_printf(&b, "%s%zu %u", i ? ", " : "", i + 1, speeds[i]);
        }
        say(t, "speed: %s", b.data);
        sk_buf_free(&b);
        t->menu = 2;
        break;
    }
    case 't':
        t->refused_at = 0;
        if (may_write(t, 1)) {
            say(t, "you have control");
        }
        break;
    case 'w': {
        struct sk_buf b = {0};
        if (t->app->roster != NULL) {
            sk_roster_text(t->app->roster, &b, "\r\n");
        }
        say(t, "who is on:\r\n%s", b.len ? b.data : "(no roster: everyone may write)\r\n");
        sk_buf_free(&b);
        break;
    }
    case 'r':
        say(t, "the last screenful:");
        replay(t);
        break;
    case 'q':
    case '.':
        t->quit = 1;
        break;
    case MENU_KEY:
        send_keys(t, &key, 1);
        break;
    default:
        say(t, "back");
        break;
    }
}

/* The client's keys: to the port in runs, the menu's keys to the menu. */
static void keys(struct term *t, const uint8_t *data, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len && !t->quit; i++) {
        if (t->menu) {
            menu_key(t, data[i]);
            run = i + 1;
        } else if (data[i] == MENU_KEY) {
            send_keys(t, data + run, i - run);
            t->menu = 1;
            menu_show(t);
            run = i + 1;
        }
    }
    if (!t->quit && !t->menu && run < len) {
        send_keys(t, data + run, len - run);
    }
}

long sk_serialterm_read(struct sk_port *port, uint64_t *pos, uint8_t *buf, size_t len,
                        uint64_t *lost)
{
    long n = sk_port_read(port, pos, buf, len, 0, lost);
    if (n >= BURST_MIN && (size_t)n < len) {
        /*
         * A burst: the port outran us (a whole read of the port's thread or more is waiting).
         * Its rest comes within a few milliseconds; waiting for it makes one big write instead
         * of a wake-up and a small write for every piece, which on a busy machine costs more
         * than the wait (bench_serial's throughput: 3-4 MB/s without, 7-30 with).
         */
        sk_sleep_ms(BURST_MS);
        uint64_t more_lost;
        long more = sk_port_read(port, pos, buf + n, len - (size_t)n, 0, &more_lost);
        *lost += more_lost;
        n += SK_MAX(more, 0L);
    }
    return n;
}

int sk_serialterm_wait(const struct sk_cmd_io *io, int watch_fd, int max_ms)
{
    if (io->poll_in_fd != NULL && watch_fd >= 0) {
        return io->poll_in_fd(io->ctx, watch_fd, max_ms);
    }
    return io->poll_in(io->ctx, SK_MIN(max_ms, SLICE_MS));
}

const char *sk_serialterm_state(const struct sk_port_stats *st, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s", st->state, st->error[0] ? " (" : "", st->error,
             st->error[0] ? ")" : "");
    return buf;
}

int sk_serialterm_run(struct sk_app *app, struct sk_port *port, const struct sk_cmd_io *io)
{
    if (io->poll_in == NULL) {
        sk_cmd_say(io, 1, "sshkvm: serial: this client cannot stream both ways\r\n");
        return SK_CMD_FAIL;
    }
    struct term t = {.app = app, .port = port, .io = io};
    const char *name = sk_port_spec(port)->name;
    sk_audit(app->audit, "serial", io->name, io->addr, "port=%s action=attach", name);
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    char head[512], state[SK_SERIALTERM_STATE_LEN];
    int len = snprintf(head, sizeof(head), "[sshkvm %s: %s %s %s. Ctrl+] for the menu]\r\n", name,
                       st.device, st.settings, sk_serialterm_state(&st, state, sizeof(state)));
    io->out(io->ctx, head, (size_t)SK_MIN(len, (int)sizeof(head) - 1));
    replay(&t);
    int watch = sk_port_watch(port);
    uint64_t pos = sk_port_position(port, 0);
    uint8_t out[16384], in[4096];
    int rc = SK_CMD_OK;
    while (!t.quit) {
        uint64_t lost;
        sk_port_watch_clear(watch); /* before reading: what comes after the read wakes the wait */
        long n = sk_serialterm_read(port, &pos, out, sizeof(out), &lost);
        if (lost > 0) {
            say(&t, "%llu bytes skipped: this terminal was too slow (the log has them)",
                (unsigned long long)lost);
        }
        if (n > 0 && io->out(io->ctx, out, (size_t)n) != 0) {
            break; /* the client has gone */
        }
        if (io->take_breaks != NULL && io->take_breaks(io->ctx) > 0 && may_write(&t, 0)) {
            say(&t, sk_port_break(port) == 0 ? "break sent (~B)"
                                             : "no break sent: the port is not open");
        }
        /* With output waiting, only a glance at the keys; else wait for keys or output. */
        int ready = n > 0 ? io->poll_in(io->ctx, 0) : sk_serialterm_wait(io, watch, WAIT_MS);
        if (ready < 0) {
            break;
        }
        if (ready > 0) {
            long got = io->in(io->ctx, in, sizeof(in));
            if (got <= 0) {
                break;
            }
            keys(&t, in, (size_t)got);
            sk_wipe(in, (size_t)got);
        }
        lost_control(&t);
    }
    sk_port_unwatch(port, watch);
    sk_audit(app->audit, "serial", io->name, io->addr, "port=%s action=detach", name);
    if (t.quit) {
        io->out(io->ctx, "\r\n", 2);
    }
    return rc;
}

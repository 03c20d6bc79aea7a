/*
 * serialterm: `ssh -t kvm@pi serial NAME`, a terminal attached to a port.
 *
 * Runs on the session's thread, which it owns until the client quits or
 * goes. On attach it says where it is and replays the last screenful of
 * the port's output (from the port's ring); then it takes turns, as the
 * raw pipe does: the port's newest output to the terminal, then the
 * client's keys for a few milliseconds. Keys go to the port only for the
 * session holding control (the video console's rules: any number watch,
 * one writes, view-only keys never write; `t` in the menu takes control);
 * a refusal is said once, not per key. Ctrl+] opens a one-key menu: b
 * break, s speed, t take control, w who is on, r replay, q quit, Ctrl+]
 * again sends a Ctrl+] itself; ssh's own break request (~B) sends a break too. A terminal too slow
 * for the port skips ahead with a marker; the port's log keeps everything. Attach, detach and speed
 * changes are audited (control changes by the access check), never the bytes.
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

#define MENU_KEY 0x1d     /* Ctrl+] */
#define SLICE_MS 10       /* how long the client's keys are waited for between looks at the port */
#define KEY_WRITE_MS 1000 /* how long typed keys wait for a port that does not take them */
#define REFUSAL_AGAIN_MS 5000 /* how often refused keys say so again */

static const unsigned speeds[] = {9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600};

struct term {
    struct sk_app *app;
    struct sk_port *port;
    const struct sk_cmd_io *io;
    int menu; /* 0, 1 after Ctrl+], 2 after Ctrl+] s (a speed's digit next) */
    int quit;
    int64_t refused_at; /* when keys were last refused (0: not refused) */
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

/* The last screenful (the client's rows, lines of at most its width) from the port's ring. */
static void replay(struct term *t)
{
    size_t want = (size_t)t->io->rows * t->io->cols;
    uint64_t pos = sk_port_position(t->port, want);
    struct sk_buf b = {0};
    sk_buf_reserve(&b, want + 1);
    uint64_t lost;
    long n = sk_port_read(t->port, &pos, b.data, want, 0, &lost);
    if (n <= 0) {
        sk_buf_free(&b);
        return;
    }
    /* From the start of the line `rows` newlines back, when there are that many. */
    size_t start = 0, lines = 0;
    for (size_t i = (size_t)n; i > 0; i--) {
        if (b.data[i - 1] == '\n' && ++lines >= t->io->rows) {
            start = i;
            break;
        }
    }
    t->io->out(t->io->ctx, b.data + start, (size_t)n - start);
    sk_buf_free(&b);
}

/* May this session write to the port now (take: take control)? Says a refusal once a while. */
static int may_write(struct term *t, int take)
{
    char msg[SK_ROSTER_NAME_LEN + 64];
    const struct sk_identity who = {t->io->member, t->io->role, t->io->name, t->io->addr};
    if (!take && t->refused_at != 0 && sk_now_ms() - t->refused_at < REFUSAL_AGAIN_MS) {
        return 0; /* refused a moment ago: not asked (nor audited) again for each key */
    }
    int rc = sk_app_input(t->app, &who, "serial", take, msg, sizeof(msg));
    if (rc == 0) {
        t->refused_at = 0;
        return 1;
    }
    t->refused_at = sk_now_ms();
    say(t, "%s%s", msg, rc == SK_ROSTER_HELD ? " (Ctrl+] t takes control)" : "");
    return 0;
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
    char head[512];
    int len = snprintf(head, sizeof(head), "[sshkvm %s: %s %s %s%s%s%s. Ctrl+] for the menu]\r\n",
                       name, st.device, st.settings, st.state, st.error[0] ? " (" : "", st.error,
                       st.error[0] ? ")" : "");
    io->out(io->ctx, head, (size_t)SK_MIN(len, (int)sizeof(head) - 1));
    replay(&t);
    uint64_t pos = sk_port_position(port, 0);
    uint8_t out[16384], in[4096];
    int rc = SK_CMD_OK;
    while (!t.quit) {
        uint64_t lost;
        long n = sk_port_read(port, &pos, out, sizeof(out), 0, &lost);
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
        /* With output waiting, only a glance at the keys; else wait a slice for them. */
        int ready = io->poll_in(io->ctx, n > 0 ? 0 : SLICE_MS);
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
    }
    sk_audit(app->audit, "serial", io->name, io->addr, "port=%s action=detach", name);
    if (t.quit) {
        io->out(io->ctx, "\r\n", 2);
    }
    return rc;
}

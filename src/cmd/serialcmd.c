/*
 * serialcmd: the `serial` script command, a serial port for scripts.
 *
 *   serial --list                           each port: name, device, settings, state
 *   serial [--take] --send NAME TEXT        write TEXT (as received) and a carriage return
 *   serial [--take] --break NAME            send a break (a SysRq on a Linux console)
 *   serial --wait NAME [--regex] [--timeout S] TEXT   until TEXT is in the port's output
 *   serial [--take] NAME                    a raw pipe: stdin to the port, its output to stdout;
 *                                           with ssh -t, a terminal on the port (serialterm.c)
 *   serial --log NAME [--since TIME] [--lines N]   the port's logged output (--serial-log-dir)
 *
 * Writing (--send, --break and the pipe) needs the port's control (sk_app_port:
 * one writer per port, apart from the keyboard's). The
 * port's output is read from the port's ring at a position of our own, so
 * a slow client delays nobody: it loses bytes instead, and is told so. The
 * pipe runs on the one session thread and waits for the port's output and
 * the client's stdin at once (sk_serialterm_wait), so that neither
 * direction waits for the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "cmd/serialterm.h"
#include "policy/roster.h"
#include "serial/port.h"
#include "serial/serlog.h"

#define SEND_TIMEOUT_MS 5000 /* how long --send waits for a port that does not take its bytes */
#define WAIT_SLICE_MS 200    /* how long --wait waits for output between looks at the client */
#define WAIT_KEEP 16384      /* the output --wait keeps to match across reads */
#define PIPE_SLICE_MS 10     /* how long a write waits for the port before its output again */
#define PIPE_WAIT_MS 200     /* the longest wait for stdin or output (either ends it) */

/* The port called name (--serial NAME=...), or NULL with the refusal said. */
static struct sk_port *find_port(struct sk_app *app, const char *name, const struct sk_cmd_io *io)
{
    struct sk_port *port = sk_app_serial_port(app, name);
    if (port == NULL) {
        sk_cmd_say(io, 1, "sshkvm: serial: no port '%s' (serial --list shows them)\n", name);
    }
    return port;
}

/* The refusal for a port that cannot be written now; returns SK_CMD_FAIL. */
static int port_absent(struct sk_port *port, const char *what, const struct sk_cmd_io *io)
{
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    char state[SK_SERIALTERM_STATE_LEN];
    sk_cmd_say(io, 1, "sshkvm: serial: %s (%s) is %s: %s\n", st.name, st.device,
               sk_serialterm_state(&st, state, sizeof(state)), what);
    return SK_CMD_FAIL;
}

static int list_ports(struct sk_app *app, const struct sk_cmd_io *io)
{
    if (app->serial_count == 0) {
        sk_cmd_say(io, 1, "sshkvm: no serial ports (start sshkvm with --serial NAME=DEVICE)\n");
    }
    for (size_t i = 0; i < app->serial_count; i++) {
        struct sk_port_stats st;
        sk_port_stats(app->serial[i], &st);
        char state[SK_SERIALTERM_STATE_LEN];
        sk_cmd_say(io, 0, "%s\t%s\t%s\t%s\n", st.name, st.device, st.settings,
                   sk_serialterm_state(&st, state, sizeof(state)));
    }
    return SK_CMD_OK;
}

/* May this command write to port now (take: take it)? 0, or 1 with the refusal said. */
static int needs_port(struct sk_app *app, struct sk_port *port, int take,
                      const struct sk_cmd_io *io)
{
    char msg[SK_ROSTER_NAME_LEN + SK_ROSTER_PORT_LEN + 64];
    const struct sk_identity who = {io->member, io->role, io->name, io->addr};
    int rc = sk_app_port(app, &who, sk_port_spec(port)->name, take, msg, sizeof(msg));
    if (rc == 0) {
        return 0;
    }
    sk_cmd_say(io, 1, "sshkvm: serial: %s%s\n", msg,
               rc == SK_ROSTER_HELD ? " (serial --take takes control of the port)" : "");
    return 1;
}

/* Write all of data within timeout_ms: 0, or SK_CMD_FAIL said. */
static int write_all(struct sk_port *port, const char *data, size_t len, int timeout_ms,
                     const struct sk_cmd_io *io)
{
    size_t done = 0;
    int64_t until = sk_now_ms() + timeout_ms;
    while (done < len) {
        long n = sk_port_write(port, data + done, len - done, 100);
        if (n == SK_E_NODEV) {
            return port_absent(port, done ? "the rest was not sent" : "nothing sent", io);
        }
        done += (size_t)SK_MAX(n, 0L);
        if (done < len && (sk_now_ms() >= until || sk_cmd_cancelled(io))) {
            sk_cmd_say(io, 1, "sshkvm: serial: %s took %zu of %zu bytes in %d ms\n",
                       sk_port_spec(port)->name, done, len, timeout_ms);
            return SK_CMD_FAIL;
        }
    }
    return SK_CMD_OK;
}

/*
 * What follows the first n words of line and one separator: --send's text
 * as received, so that `serial --send com1 echo "a  b"` sends its quotes
 * and spaces. The words before it (options, the port's name) hold no
 * quotes or spaces, so they are skipped as they stand.
 */
static const char *after_words(const char *line, int n)
{
    for (int i = 0; i < n; i++) {
        line += strspn(line, " \t");
        line += strcspn(line, " \t");
    }
    return *line != '\0' ? line + 1 : line;
}

static int send_text(struct sk_port *port, const char *line, int words, const struct sk_cmd_io *io)
{
    struct sk_buf text = {0};
    sk_buf_puts(&text, after_words(line, words));
    sk_buf_puts(&text, "\r");
    int rc = write_all(port, text.data, text.len, SEND_TIMEOUT_MS, io);
    sk_wipe(text.data, text.len);
    sk_buf_free(&text);
    return rc;
}

/*
 * Keep the newest output for matching: NUL and CR become newlines (a regex
 * matches within a line, and a C string cannot hold NUL), and only the last
 * WAIT_KEEP bytes of an unfinished line are kept.
 */
static void keep_output(struct sk_buf *text, const uint8_t *data, size_t len)
{
    if (text->len + len > 2 * WAIT_KEEP) {
        size_t drop = text->len + len - WAIT_KEEP;
        drop = SK_MIN(drop, text->len);
        memmove(text->data, text->data + drop, text->len - drop);
        text->len -= drop;
    }
    size_t start = text->len;
    sk_buf_append(text, data, len);
    for (size_t i = start; i < text->len; i++) {
        if (text->data[i] == '\0' || text->data[i] == '\r') {
            text->data[i] = '\n';
        }
    }
    text->data[text->len] = '\0';
}

static int wait_output(struct sk_port *port, char **argv, int argc, const struct sk_cmd_io *io)
{
    struct sk_match m;
    if (sk_match_parse(&m, "serial --wait", argv, argc, io) != SK_CMD_OK) {
        return SK_CMD_USAGE;
    }
    int rc = SK_CMD_FAIL;
    struct sk_buf text = {0};
    uint64_t pos = sk_port_position(port, 0);
    int64_t deadline = sk_now_ms() + m.timeout_ms;
    uint8_t buf[4096];
    for (;;) {
        int64_t left = deadline - sk_now_ms();
        if (left <= 0 || sk_cmd_cancelled(io)) {
            break;
        }
        uint64_t lost;
        long n = sk_port_read(port, &pos, buf, sizeof(buf),
                              (int)SK_MIN(left, (int64_t)WAIT_SLICE_MS), &lost);
        if (n < 0) {
            break;
        }
        if (n == 0) {
            continue;
        }
        keep_output(&text, buf, (size_t)n);
        size_t len = 0;
        const char *line = sk_match_find(&m, text.data, &len);
        if (line != NULL) {
            sk_cmd_say(io, 0, "%.*s%s", (int)len, line, io->cols ? "\r\n" : "\n");
            rc = SK_CMD_OK;
            break;
        }
        /*
         * A match lies within one line (TEXT holds no newline; a regex is matched line by
         * line), so the whole lines just searched can go: only the unfinished last one stays.
         */
        char *nl = strrchr(text.data, '\n');
        if (nl != NULL) {
            size_t keep = text.len - (size_t)(nl + 1 - text.data);
            memmove(text.data, nl + 1, keep + 1);
            text.len = keep;
        }
    }
    if (rc != SK_CMD_OK) {
        sk_cmd_say(io, 1, "sshkvm: '%s' did not appear in %s's output within %g s\n", m.needle.data,
                   sk_port_spec(port)->name, m.timeout_s);
    }
    sk_buf_free(&text);
    sk_match_free(&m);
    return rc;
}

/*
 * The raw pipe: the client's stdin to the port and the port's output to
 * the client, bytes exact, until the client's stdin ends (what it sent is
 * written first) or the client goes. Each piece of stdin is checked
 * against the port's writer as it comes (which also keeps the pipe's hold
 * from going idle): once someone else has taken the port, the pipe ends,
 * saying so, and sends nothing more.
 */
static int pipe_port(struct sk_app *app, struct sk_port *port, const struct sk_cmd_io *io)
{
    if (io->poll_in == NULL) {
        sk_cmd_say(io, 1, "sshkvm: serial: this client cannot stream both ways\n");
        return SK_CMD_FAIL;
    }
    if (sk_port_state(port) != SK_PORT_OPEN) {
        return port_absent(port, "nothing to connect to", io);
    }
    int watch = sk_port_watch(port);
    uint64_t pos = sk_port_position(port, 0);
    uint64_t lost_total = 0;
    uint8_t out[16384], in[16384];
    size_t in_len = 0, in_done = 0;
    int rc = SK_CMD_OK;
    for (;;) {
        uint64_t lost;
        sk_port_watch_clear(watch); /* before reading: what comes after the read wakes the wait */
        long n = sk_serialterm_read(port, &pos, out, sizeof(out), &lost);
        lost_total += lost;
        if (n > 0 && io->out(io->ctx, out, (size_t)n) != 0) {
            break; /* the client has gone */
        }
        if (in_done < in_len) {
            /* The port takes bytes at its own speed: a little at a time, output in between. */
            long w = sk_port_write(port, in + in_done, in_len - in_done, PIPE_SLICE_MS);
            if (w == SK_E_NODEV) {
                rc = port_absent(port, "the pipe ends", io);
                break;
            }
            in_done += (size_t)w;
            if (sk_cmd_cancelled(io)) {
                break;
            }
            continue;
        }
        if (n > 0) {
            continue; /* more output may be waiting: pass it on before looking at stdin */
        }
        int ready = sk_serialterm_wait(io, watch, PIPE_WAIT_MS);
        if (ready < 0) {
            break;
        }
        if (ready > 0) {
            long got = io->in(io->ctx, in, sizeof(in));
            if (got <= 0) {
                break; /* end of input (or an error): done */
            }
            if (needs_port(app, port, 0, io) != 0) {
                rc = SK_CMD_FAIL;
                break;
            }
            in_len = (size_t)got;
            in_done = 0;
        }
    }
    sk_port_unwatch(port, watch);
    sk_wipe(in, sizeof(in));
    if (lost_total > 0) {
        sk_cmd_say(io, 1,
                   "sshkvm: serial: %llu bytes of %s's output were lost: the client read "
                   "too slowly\n",
                   (unsigned long long)lost_total, sk_port_spec(port)->name);
        rc = SK_CMD_FAIL;
    }
    return rc;
}

/*
 * --since's TIME as a stored time or a prefix of one: an age ("90s", "10m",
 * "2h", "1d": that long ago) or a UTC time "YYYY-MM-DD[THH[:MM[:SS]]]".
 * 0, or -1 when it is neither.
 */
static int since_stamp(const char *text, char out[SK_SERLOG_STAMP_LEN])
{
    static const char form[] = "dddd-dd-ddTdd:dd:dd";
    size_t len = strlen(text);
    if (len > 0 && strchr("smhd", text[len - 1]) != NULL && text[0] >= '0' && text[0] <= '9') {
        char *end;
        unsigned long n = strtoul(text, &end, 10);
        static const long scale[] = {
            ['s' - 'a'] = 1, ['m' - 'a'] = 60, ['h' - 'a'] = 3600, ['d' - 'a'] = 86400};
        if (end != text + len - 1 || n > 3650UL * 86400) {
            return -1;
        }
        int64_t ago = (int64_t)n * scale[text[len - 1] - 'a'];
        sk_serlog_stamp(sk_wall_ms() - ago * 1000, out);
        return 0;
    }
    /* A whole date, then whole fields only: 10, 13, 16 or 19 characters. */
    if (len != 10 && len != 13 && len != 16 && len != 19) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        int want_digit = form[i] == 'd';
        if (want_digit ? !(text[i] >= '0' && text[i] <= '9') : text[i] != form[i]) {
            return -1;
        }
    }
    snprintf(out, SK_SERLOG_STAMP_LEN, "%s", text);
    return 0;
}

static int show_log(struct sk_port *port, char **argv, int argc, const struct sk_cmd_io *io)
{
    char since[SK_SERLOG_STAMP_LEN] = "";
    size_t lines = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
            if (since_stamp(argv[++i], since) != 0) {
                return sk_cmd_usage_error(io,
                                          "serial --log: --since '%s': give an age (30s, 10m, 2h, "
                                          "1d) or a UTC time YYYY-MM-DD[THH[:MM[:SS]]]",
                                          argv[i]);
            }
        } else if (strcmp(argv[i], "--lines") == 0 && i + 1 < argc) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || argv[i][0] < '0' || argv[i][0] > '9' || n == 0 || n > 1000000) {
                return sk_cmd_usage_error(io, "serial --log: --lines '%s': a count from 1",
                                          argv[i]);
            }
            lines = n;
        } else {
            return sk_cmd_usage_error(io, "serial --log: unexpected argument '%s'", argv[i]);
        }
    }
    struct sk_buf out = {0};
    char err[256];
    int rc = SK_CMD_OK;
    if (sk_port_history(port, since, lines, &out, err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: serial --log: %s\n", err);
        rc = SK_CMD_FAIL;
    } else if (out.len > 0 && io->out(io->ctx, out.data, out.len) != 0) {
        rc = SK_CMD_FAIL;
    }
    sk_buf_free(&out);
    return rc;
}

int sk_serialcmd_audit_argc(char **argv, int argc)
{
    int i = 1;
    if (i < argc && strcmp(argv[i], "--take") == 0) {
        i++;
    }
    if (i < argc && (strcmp(argv[i], "--send") == 0 || strcmp(argv[i], "--wait") == 0 ||
                     strcmp(argv[i], "--break") == 0 || strcmp(argv[i], "--log") == 0)) {
        i++;
    }
    return SK_MIN(i + 1, argc);
}

int sk_serialcmd_run(struct sk_app *app, const char *line, char **argv, int argc,
                     const struct sk_cmd_io *io)
{
    int i = 1;
    int take = 0;
    if (i < argc && strcmp(argv[i], "--take") == 0) {
        take = 1;
        i++;
    }
    if (i >= argc) {
        return sk_cmd_usage_error(io, "serial: name a port (serial --list shows them)");
    }
    const char *what = argv[i];
    if (strcmp(what, "--list") == 0) {
        if (i + 1 < argc) {
            return sk_cmd_usage_error(io, "serial --list: unexpected argument '%s'", argv[i + 1]);
        }
        return list_ports(app, io);
    }
    int send = strcmp(what, "--send") == 0;
    int wait = strcmp(what, "--wait") == 0;
    int brk = strcmp(what, "--break") == 0;
    int log = strcmp(what, "--log") == 0;
    int pipe = !send && !wait && !brk && !log;
    if (pipe && what[0] == '-') {
        return sk_cmd_usage_error(io, "serial: unknown option '%s'", what);
    }
    const char *name = pipe ? what : i + 1 < argc ? argv[i + 1] : NULL;
    if (name == NULL) {
        return sk_cmd_usage_error(io, "serial %s: name a port", what);
    }
    int rest = pipe ? i + 1 : i + 2; /* the first word after the name */
    if (send && rest >= argc) {
        return sk_cmd_usage_error(io, "serial --send: nothing to send");
    }
    if ((pipe || brk) && rest < argc) {
        return sk_cmd_usage_error(io, "serial: unexpected argument '%s'", argv[rest]);
    }
    struct sk_port *port = find_port(app, name, io);
    if (port == NULL) {
        return SK_CMD_USAGE;
    }
    if (pipe && io->cols != 0) {
        /* A terminal: anyone may watch; writing is checked key by key (--take: take it now). */
        if (take && needs_port(app, port, take, io) != 0) {
            return SK_CMD_FAIL;
        }
        return sk_serialterm_run(app, port, io);
    }
    if (wait) {
        return wait_output(port, argv + rest, argc - rest, io);
    }
    if (log) {
        return show_log(port, argv + rest, argc - rest, io);
    }
    if (needs_port(app, port, take, io) != 0) {
        return SK_CMD_FAIL;
    }
    if (brk) {
        int rc = sk_port_break(port);
        return rc == 0 ? SK_CMD_OK : port_absent(port, "no break sent", io);
    }
    return send ? send_text(port, line, rest, io) : pipe_port(app, port, io);
}

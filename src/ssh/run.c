/*
 * run: what a logged-in session does: one script command over exec (the
 * commands of src/cmd/, with the channel as their standard streams), or the
 * interactive console (src/console/, with the channel as its terminal).
 * Both run on the session's thread and return when the work is done or the
 * client is gone.
 */
#include "ssh/run.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "console/console.h"
#include "mcp/mcp.h"
#include "base/log.h"
#include "base/util.h"
#include "ssh/session.h"

/* ---- script commands over exec ---- */

static int io_out(void *ctx, const void *data, size_t len)
{
    return sk_session_write(ctx, data, len, 0);
}

static int io_err(void *ctx, const void *data, size_t len)
{
    return sk_session_write(ctx, data, len, 1);
}

static long io_in(void *ctx, void *buf, size_t len)
{
    struct sk_session *s = ctx;
    while (s->in.len == 0 && !s->eof) {
        if (atomic_load(s->stopping) || sk_session_pump(s, 100) != 0) {
            return -1;
        }
    }
    size_t n = SK_MIN(len, s->in.len);
    if (n == 0) {
        return 0; /* the end of input; in.data is NULL when nothing ever came */
    }
    memcpy(buf, s->in.data, n);
    sk_wipe(s->in.data, n);
    sk_session_consume(s, n);
    return (long)n;
}

static int io_poll_in(void *ctx, int timeout_ms)
{
    struct sk_session *s = ctx;
    if (s->in.len == 0 && !s->eof &&
        (atomic_load(s->stopping) || sk_session_pump(s, timeout_ms) != 0)) {
        return -1;
    }
    return s->in.len > 0 || s->eof;
}

/* Called by libssh's poll when the watched fd is readable: nothing to do, the wait ends. */
static int fd_ready(socket_t fd, int revents, void *userdata)
{
    (void)fd;
    (void)revents;
    (void)userdata;
    return 0;
}

/*
 * The client's stdin or fd, whichever comes first: fd joins the session's
 * event for this one wait, so that libssh's single poll() covers both.
 */
static int io_poll_in_fd(void *ctx, int fd, int timeout_ms)
{
    struct sk_session *s = ctx;
    int added = s->in.len == 0 && !s->eof &&
                ssh_event_add_fd(s->event, fd, POLLIN, fd_ready, NULL) == SSH_OK;
    if (!added && (timeout_ms < 0 || timeout_ms > 10)) {
        timeout_ms = 10; /* fd is not watched: wait a slice only, so that it is looked at soon */
    }
    int rc = io_poll_in(ctx, timeout_ms);
    if (added) {
        ssh_event_remove_fd(s->event, fd);
    }
    return rc;
}

/*
 * Whether a long command should stop: the client is gone (ssh killed by
 * Ctrl+C closes the connection), sent a signal request, or, on a pty, typed
 * Ctrl+C (which arrives as the byte 0x03). Pumps libssh without waiting.
 */
static int io_cancelled(void *ctx)
{
    struct sk_session *s = ctx;
    if (!s->closed && !atomic_load(s->stopping)) {
        sk_session_pump(s, 0);
    }
    return s->closed || s->signalled || atomic_load(s->stopping) ||
           (s->pty && s->in.len > 0 && memchr(s->in.data, 0x03, s->in.len) != NULL);
}

static int io_take_breaks(void *ctx)
{
    struct sk_session *s = ctx;
    int n = s->breaks;
    s->breaks = 0;
    return n;
}

void sk_run_command(struct sk_session *s)
{
    /*
     * Who a web login made here stands for: a key's fingerprint, which the
     * web side looks up in the authorized keys while the session lives, or
     * for a certificate "cert:" and its fingerprint, which it does not (the
     * certificate's own lifetime is the CA's word).
     */
    char identity[sizeof(s->key_fp) + 8];
    snprintf(identity, sizeof(identity), "%s%s", s->cert[0] ? "cert:" : "", s->key_fp);
    struct sk_cmd_io io = {
        .ctx = s,
        .out = io_out,
        .err = io_err,
        .in = io_in,
        .poll_in = io_poll_in,
        .poll_in_fd = io_poll_in_fd,
        .cancelled = io_cancelled,
        .take_breaks = io_take_breaks,
        .cols = s->pty ? s->cols : 0,
        .rows = s->pty ? s->rows : 0,
        .keymap = s->keymap[0] ? s->keymap : NULL,
        .identity = identity,
        .local_addr = s->local[0] ? s->local : NULL,
        .name = s->name,
        .addr = s->peer,
        .role = s->role,
        .member = s->member,
    };
    /* Log the command word only (ended as sk_cmd_run ends it): the rest may be typed text. */
    sk_log(SK_LOG_INFO, "ssh", "%s: command '%.*s'", s->peer, (int)strcspn(s->exec_cmd, " \t\r\n"),
           s->exec_cmd);
    /* `mcp` is a protocol session, not a command: src/mcp/ serves it on the same streams. */
    int status = strcmp(s->exec_cmd, "mcp") == 0 ? sk_mcp_run(s->app, &io)
                                                 : sk_cmd_run(s->app, s->exec_cmd, &io);
    if (!s->closed) {
        ssh_channel_request_send_exit_status(s->chan, status);
    }
}

/* ---- the interactive console over the channel ---- */

static int con_wait(void *ctx, int timeout_ms)
{
    struct sk_session *s = ctx;
    if (s->closed || s->eof || atomic_load(s->stopping)) {
        return -1;
    }
    return sk_session_pump(s, timeout_ms);
}

static long con_in(void *ctx, void *buf, size_t len)
{
    struct sk_session *s = ctx;
    size_t n = SK_MIN(len, s->in.len);
    if (n == 0) {
        return 0; /* in.data is NULL until the client has typed anything */
    }
    memcpy(buf, s->in.data, n);
    sk_session_consume(s, n);
    return (long)n;
}

static int con_resized(void *ctx, unsigned *cols, unsigned *rows)
{
    struct sk_session *s = ctx;
    if (!s->resized) {
        return 0;
    }
    s->resized = 0;
    *cols = s->cols;
    *rows = s->rows;
    return 1;
}

static size_t con_window(void *ctx)
{
    return sk_session_window(ctx);
}

static size_t con_unsent(void *ctx)
{
    return sk_session_unsent(ctx);
}

static const char *con_getenv(void *ctx, const char *name)
{
    return sk_session_getenv(ctx, name);
}

/* The console (pty-req + shell) until the user quits or the client goes. */
void sk_run_console(struct sk_session *s)
{
    const struct sk_console_opts opts = {
        .app = s->app,
        .io = {.ctx = s,
               .out = io_out,
               .wait = con_wait,
               .in = con_in,
               .resized = con_resized,
               .window = con_window,
               .unsent = con_unsent,
               .getenv = con_getenv},
        .cols = s->cols,
        .rows = s->rows,
        .keymap = s->keymap,
        .term = s->term,
        .colorterm = s->colorterm,
        .name = s->name,
        .addr = s->peer,
        .role = s->role,
        .member = s->member,
    };
    struct sk_console *c = sk_console_new(&opts);
    sk_console_run(c);
    sk_console_free(c);
}

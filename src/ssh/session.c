/*
 * session: one SSH connection's channel, on its session thread.
 *
 * The libssh channel callbacks only record what the client asks for (data
 * into s->in, EOF, a signal, the pty and its size, env requests, shell or
 * exec, the close); the work happens in the thread's own loop. Output goes
 * out through sk_session_write, which hands libssh no more than the client's
 * window takes, runs the session's event loop while the window is shut,
 * gives up when the server stops, and closes a session whose client has
 * accepted nothing for WRITE_STALL_MS.
 */
#include "ssh/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "base/log.h"
#include "base/util.h"

/* A client whose window stays shut this long (it reads nothing) is disconnected. */
#define WRITE_STALL_MS 10000

/* ---- libssh callbacks: record what the client asks for ---- */

static int on_data(ssh_session session, ssh_channel channel, void *data, uint32_t len,
                   int is_stderr, void *userdata)
{
    struct sk_session *s = userdata;
    /* Bound what a client can make us hold; the rest waits in libssh's window. */
    if (s->in.len > 1024 * 1024) {
        return 0;
    }
    sk_buf_append(&s->in, data, len);
    return (int)len;
}

static void on_eof(ssh_session session, ssh_channel channel, void *userdata)
{
    struct sk_session *s = userdata;
    s->eof = 1;
}

static void on_signal(ssh_session session, ssh_channel channel, const char *signal, void *userdata)
{
    struct sk_session *s = userdata;
    s->signalled = 1;
}

static void on_close(ssh_session session, ssh_channel channel, void *userdata)
{
    struct sk_session *s = userdata;
    s->closed = 1;
}

/* A client whose stdin is no terminal (ssh -tt < file) asks for 0x0: assume 80x24. */
static void set_size(struct sk_session *s, int cols, int rows)
{
    s->cols = cols <= 0 ? 80 : (unsigned)SK_MIN(cols, 1000);
    s->rows = rows <= 0 ? 24 : (unsigned)SK_MAX(2, SK_MIN(rows, 1000));
}

static int on_pty(ssh_session session, ssh_channel channel, const char *term, int cols, int rows,
                  int px, int py, void *userdata)
{
    struct sk_session *s = userdata;
    s->pty = 1;
    set_size(s, cols, rows);
    snprintf(s->term, sizeof(s->term), "%s", term);
    return SSH_OK;
}

static int on_window_change(ssh_session session, ssh_channel channel, int cols, int rows, int px,
                            int py, void *userdata)
{
    struct sk_session *s = userdata;
    set_size(s, cols, rows);
    s->resized = 1;
    return SSH_OK;
}

static int on_shell(ssh_session session, ssh_channel channel, void *userdata)
{
    struct sk_session *s = userdata;
    if (s->want_shell || s->exec_cmd != NULL) {
        return SSH_ERROR;
    }
    s->want_shell = 1;
    return SSH_OK;
}

static int on_exec(ssh_session session, ssh_channel channel, const char *command, void *userdata)
{
    struct sk_session *s = userdata;
    if (s->want_shell || s->exec_cmd != NULL) {
        return SSH_ERROR;
    }
    s->exec_cmd = xstrdup(command);
    return SSH_OK;
}

static int on_env(ssh_session session, ssh_channel channel, const char *name, const char *value,
                  void *userdata)
{
    struct sk_session *s = userdata;
    if (strcmp(name, "SSHKVM_KEYMAP") == 0) {
        snprintf(s->keymap, sizeof(s->keymap), "%s", value);
        return SSH_OK;
    }
    if (strcmp(name, "COLORTERM") == 0) {
        snprintf(s->colorterm, sizeof(s->colorterm), "%s", value);
        return SSH_OK;
    }
    /* The view's settings (SSHKVM_COLORS, SSHKVM_MODE, ...): the console checks them. */
    size_t need = strlen(name) + strlen(value) + 2;
    if (strncmp(name, "SSHKVM_", 7) == 0 && s->view_env_len + need <= sizeof(s->view_env)) {
        snprintf(s->view_env + s->view_env_len, need, "%s=%s", name, value);
        s->view_env_len += need;
        return SSH_OK;
    }
    return SSH_ERROR;
}

static int on_subsystem(ssh_session session, ssh_channel channel, const char *subsystem,
                        void *userdata)
{
    struct sk_session *s = userdata;
    sk_log(SK_LOG_INFO, "ssh", "%s: refused subsystem '%s'", s->peer, subsystem);
    return SSH_ERROR;
}

ssh_channel sk_session_open_channel(ssh_session session, void *userdata)
{
    struct sk_session *s = userdata;
    if (s->chan != NULL) {
        return NULL; /* one session channel per connection */
    }
    s->chan = ssh_channel_new(session);
    if (s->chan == NULL) {
        return NULL;
    }
    /* Set before returning, so requests right after the open find them. */
    s->chan_cb = (struct ssh_channel_callbacks_struct){
        .userdata = s,
        .channel_data_function = on_data,
        .channel_eof_function = on_eof,
        .channel_close_function = on_close,
        .channel_signal_function = on_signal,
        .channel_pty_request_function = on_pty,
        .channel_pty_window_change_function = on_window_change,
        .channel_shell_request_function = on_shell,
        .channel_exec_request_function = on_exec,
        .channel_env_request_function = on_env,
        .channel_subsystem_request_function = on_subsystem,
    };
    ssh_callbacks_init(&s->chan_cb);
    ssh_set_channel_callbacks(s->chan, &s->chan_cb);
    return s->chan;
}

int sk_session_banner_is_openssh(const char *banner)
{
    static const char prefix[] = "SSH-2.0-OpenSSH_";
    return banner != NULL && strncmp(banner, prefix, sizeof(prefix) - 1) == 0;
}

int sk_session_on_message(ssh_session session, ssh_message msg, void *userdata)
{
    struct sk_session *s = userdata;
    /*
     * libssh 0.10 has no callback for a break request and passes it on as a channel
     * request of unknown type, its name dropped: the message's struct is private and no
     * accessor gives the name. Other clients send unknown requests of their own that
     * are no break (PuTTY and plink send winadj@putty.projects.tartarus.org with every
     * window adjust), and a break then the next key is a SysRq on a Linux serial
     * console. So an unknown request counts as a break only from OpenSSH's client,
     * which sends no other unknown channel request to a server that is not OpenSSH;
     * from any other client (PuTTY's Break menu item included) it gets libssh's
     * default reply, a failure, and Ctrl+] b is the way to send a break.
     */
    if (ssh_message_type(msg) == SSH_REQUEST_CHANNEL &&
        ssh_message_subtype(msg) == SSH_CHANNEL_REQUEST_UNKNOWN && s->chan != NULL &&
        sk_session_banner_is_openssh(ssh_get_clientbanner(session))) {
        s->breaks++;
        ssh_message_channel_request_reply_success(msg);
        return 0;
    }
    return 1; /* libssh's default reply */
}

/* ---- what the console and commands use ---- */

int sk_session_pump(struct sk_session *s, int timeout_ms)
{
    if (s->closed) {
        return -1;
    }
    if (ssh_event_dopoll(s->event, timeout_ms) == SSH_ERROR || !ssh_is_connected(s->ssh)) {
        s->closed = 1;
        return -1;
    }
    return 0;
}

/*
 * Only as much as the client's window takes is handed to libssh, which would
 * otherwise wait for the window to open inside ssh_channel_write, deaf to the
 * stop flag, and return 0 bytes after its timeout. While the window is shut
 * we pump the session ourselves (the window-adjust message arrives that way)
 * and look at the stop flag and the time since a byte last went out.
 */
int sk_session_write(struct sk_session *s, const void *data, size_t len, int to_err)
{
    if (s->chan == NULL) {
        return -1;
    }
    const char *p = data;
    int64_t progress_ms = sk_now_ms();
    while (len > 0 && !s->closed) {
        size_t room = sk_session_window(s);
        if (room > 0) {
            uint32_t chunk = (uint32_t)SK_MIN(SK_MIN(len, (size_t)32768), room);
            int n = to_err ? ssh_channel_write_stderr(s->chan, p, chunk)
                           : ssh_channel_write(s->chan, p, chunk);
            if (n == SSH_ERROR) {
                s->closed = 1;
                return -1;
            }
            if (n > 0) {
                p += n;
                len -= (size_t)n;
                progress_ms = sk_now_ms();
                continue;
            }
        }
        /* Nothing went out: the client has stopped reading, for now or for good. */
        if (atomic_load(s->stopping)) {
            sk_log(SK_LOG_INFO, "ssh", "%s: the client is not reading; closing for shutdown",
                   s->peer);
            s->closed = 1;
            return -1;
        }
        if (sk_now_ms() - progress_ms >= WRITE_STALL_MS) {
            sk_log(SK_LOG_WARN, "ssh",
                   "%s: the client accepted nothing for %d s; closing the session", s->peer,
                   WRITE_STALL_MS / 1000);
            s->closed = 1;
            return -1;
        }
        if (sk_session_pump(s, 100) != 0) {
            return -1;
        }
    }
    return s->closed ? -1 : 0;
}

size_t sk_session_window(struct sk_session *s)
{
    return s->chan ? ssh_channel_window_size(s->chan) : 0;
}

size_t sk_session_unsent(struct sk_session *s)
{
    int n = 0;
    if (ioctl(ssh_get_fd(s->ssh), SIOCOUTQ, &n) != 0 || n < 0) {
        return 0;
    }
    return (size_t)n;
}

const char *sk_session_getenv(const struct sk_session *s, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < s->view_env_len; i += strlen(s->view_env + i) + 1) {
        if (strncmp(s->view_env + i, name, len) == 0 && s->view_env[i + len] == '=') {
            return s->view_env + i + len + 1;
        }
    }
    return NULL;
}

void sk_session_consume(struct sk_session *s, size_t n)
{
    n = SK_MIN(n, s->in.len);
    memmove(s->in.data, s->in.data + n, s->in.len - n);
    s->in.len -= n;
    if (s->in.data != NULL) {
        s->in.data[s->in.len] = '\0';
    }
}

/*
 * server: accept SSH connections and run each one on its own thread.
 *
 * The accept thread polls the listening socket (so close can stop it),
 * hands each connection to a session thread of its own, and refuses
 * connections beyond max_sessions at once. The server keeps a record of
 * every session thread: the accept thread joins those that have ended, and
 * close sets the stop flag (which every session loop and every write
 * checks), shuts down the connections of sessions that do not end in time,
 * and joins them all before it returns. A session thread does the key
 * exchange (bounded), public-key authentication (bounded attempts and login
 * time, the login limits of take_place), then runs either the console or
 * one script command (run.c), and tears the session down. The channel's
 * callbacks and its I/O are session.c's; they only record what the client
 * asked for, and the work happens in the thread's own loop, never inside
 * libssh's dispatch.
 */
#include "ssh/ssh.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "cmd/app.h"
#include "policy/audit.h"
#include "cmd/cmd.h"
#include "hid/hid.h"
#include "base/log.h"
#include "policy/roster.h"
#include "policy/pending.h"
#include "ssh/authkeys.h"
#include "ssh/hostkey.h"
#include "ssh/run.h"
#include "ssh/session.h"
#include "ssh/usercert.h"
#include "base/util.h"

#define KEX_TIMEOUT_S 10
/* A refused key is answered after 50 ms per recent failure, at most 1 s. */
#define THROTTLE_STEP_MS 50
#define THROTTLE_MAX_MS 1000
/* At close, sessions have this long to end by themselves before their connections are shut down. */
#define CLOSE_GRACE_MS 1000

/* A session thread the server started, until it is joined. Fields under the server's lock. */
struct session_slot {
    pthread_t thread;
    int fd;   /* the connection's socket; -1 once the thread is about to close it */
    int done; /* the thread has finished: join it */
    /* Once logged in: who, from where, for the per-key and per-source limits. */
    int logged_in;
    char key_fp[128];
    char source[64]; /* the client's address, without the port */
    struct session_slot *next;
};

/*
 * Sessions logged in at once: one key may hold SESSIONS_PER_KEY and one
 * address SESSIONS_PER_SOURCE, and the last CONTROL_RESERVE places of
 * max_sessions are kept for control-role keys, so that no view-only key (nor
 * one machine) can take every place and lock the administrators out.
 */
#define SESSIONS_PER_KEY 16
#define SESSIONS_PER_SOURCE 32
#define CONTROL_RESERVE 8

struct sk_ssh {
    struct sk_ssh_opts opts;
    ssh_bind bind;
    pthread_t accept_thread;
    int accepting;
    atomic_int stopping;
    char fingerprint[128];
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int sessions;               /* session threads alive */
    struct session_slot *slots; /* every session thread not yet joined */
    unsigned next_id;           /* names session threads "ssh-N" (accept thread only) */
    struct sk_pending *pending; /* connections not yet authenticated */
    /* Failed-login throttle, under lock: a level that decays one a second. */
    double fail_level;
    int64_t fail_at_ms;
};

struct sk_ssh *sk_ssh_new(const struct sk_ssh_opts *opts)
{
    struct sk_ssh *ssh = xcalloc(1, sizeof(*ssh));
    ssh->opts = *opts;
    if (ssh->opts.login_grace_s <= 0) {
        ssh->opts.login_grace_s = 30;
    }
    if (ssh->opts.max_auth_tries <= 0) {
        ssh->opts.max_auth_tries = 6;
    }
    if (ssh->opts.max_sessions <= 0) {
        ssh->opts.max_sessions = 64;
    }
    if (ssh->opts.max_startups <= 0) {
        ssh->opts.max_startups = 16;
    }
    /* Twice --max-startups at most, well under max_sessions: a flood cannot take every place. */
    ssh->pending = sk_pending_new(ssh->opts.max_startups, 2 * ssh->opts.max_startups, "ssh");
    atomic_init(&ssh->stopping, 0);
    pthread_mutex_init(&ssh->lock, NULL);
    sk_cond_init_monotonic(&ssh->idle);
    return ssh;
}

void sk_ssh_free(struct sk_ssh *ssh)
{
    if (ssh == NULL) {
        return;
    }
    sk_ssh_close(ssh);
    sk_pending_free(ssh->pending);
    pthread_cond_destroy(&ssh->idle);
    pthread_mutex_destroy(&ssh->lock);
    free(ssh);
}

const char *sk_ssh_fingerprint(const struct sk_ssh *ssh)
{
    return ssh->fingerprint;
}

/* ---- libssh callbacks: record what the client asks for ---- */

/*
 * A key was refused: count it server-wide and make this client wait in
 * proportion to the recent failures, so a password-less guesser gets a
 * handful of tries a second however many connections it opens. Only the
 * refusing session's own thread sleeps (this callback runs in it).
 */
static void throttle_failure(struct sk_ssh *server)
{
    pthread_mutex_lock(&server->lock);
    int64_t now = sk_now_ms();
    double decay = (double)(now - server->fail_at_ms) / 1000.0;
    server->fail_level = server->fail_level > decay ? server->fail_level - decay : 0;
    server->fail_at_ms = now;
    server->fail_level += 1;
    long delay = (long)(server->fail_level * THROTTLE_STEP_MS);
    pthread_mutex_unlock(&server->lock);
    if (delay > THROTTLE_MAX_MS) {
        delay = THROTTLE_MAX_MS;
    }
    sk_sleep_ms(delay);
}

/*
 * Refuse a key (fp: its fingerprint, NULL when unknown) for the reason why,
 * which the connection's login-failed audit line names: counted towards
 * --max-auth-tries, and throttled.
 */
static int refuse(struct sk_session *s, const char *fp, const char *why)
{
    if (fp != NULL) {
        snprintf(s->refused_fp, sizeof(s->refused_fp), "%s", fp);
    }
    s->refused_why = why;
    s->auth_failures++;
    throttle_failure(s->server);
    return SSH_AUTH_DENIED;
}

/* The signed key (fp) logs user in as name with role. */
/* The client's address without its port (s->peer is "ADDR:PORT", ADDR unbracketed). */
static void peer_address(const struct sk_session *s, char *out, size_t len)
{
    snprintf(out, len, "%s", s->peer);
    char *colon = strrchr(out, ':');
    if (colon != NULL) {
        *colon = '\0';
    }
}

/*
 * Does this login fit the limits (see SESSIONS_PER_KEY)? NULL and the slot
 * counted as logged in, or why not. The address is the peer's without its port.
 */
static const char *take_place(struct sk_session *s, const char *fp, int role)
{
    char source[sizeof(s->peer)];
    peer_address(s, source, sizeof(source));
    struct sk_ssh *server = s->server;
    const char *why = NULL;
    pthread_mutex_lock(&server->lock);
    int logged = 0, same_key = 0, same_source = 0;
    for (const struct session_slot *o = server->slots; o != NULL; o = o->next) {
        if (o->logged_in && !o->done && o != s->slot) {
            logged++;
            same_key += strcmp(o->key_fp, fp) == 0;
            same_source += strcmp(o->source, source) == 0;
        }
    }
    if (same_key >= SESSIONS_PER_KEY) {
        why = "too-many-sessions-of-key";
    } else if (same_source >= SESSIONS_PER_SOURCE) {
        why = "too-many-sessions-from-address";
    } else if (role == SK_ROLE_VIEW && logged >= server->opts.max_sessions - CONTROL_RESERVE) {
        why = "places-kept-for-control";
    } else if (s->slot != NULL) {
        s->slot->logged_in = 1;
        snprintf(s->slot->key_fp, sizeof(s->slot->key_fp), "%s", fp);
        snprintf(s->slot->source, sizeof(s->slot->source), "%s", source);
    }
    pthread_mutex_unlock(&server->lock);
    return why;
}

static int accept_login(struct sk_session *s, const char *user, const char *fp, const char *name,
                        int role)
{
    const char *full = take_place(s, fp, role);
    if (full != NULL) {
        sk_log(SK_LOG_WARN, "ssh",
               "%s: key %s refused: %s (at most %d sessions a key, %d an "
               "address; the last %d places are for control keys)",
               s->peer, fp, full, SESSIONS_PER_KEY, SESSIONS_PER_SOURCE, CONTROL_RESERVE);
        return refuse(s, fp, full);
    }
    snprintf(s->user, sizeof(s->user), "%s", user);
    snprintf(s->key_fp, sizeof(s->key_fp), "%s", fp);
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->role = role;
    s->authenticated = 1;
    return SSH_AUTH_SUCCESS;
}

/* A certificate offered for login: checked against the trusted CAs, never the authorized keys. */
static int auth_certificate(struct sk_session *s, const char *user, ssh_key pubkey,
                            char signature_state)
{
    char fp[128], why[256];
    struct sk_usercert_result cr;
    if (sk_ssh_key_fingerprint(pubkey, fp, sizeof(fp)) != 0) {
        snprintf(fp, sizeof(fp), "unknown key");
    }
    int ok = 0;
    if (s->trusted_user_ca_keys == NULL) {
        snprintf(why, sizeof(why), "no --trusted-user-ca-keys");
    } else {
        /* ssh kvm:NAME@host (a serial port's terminal) logs in as the principal kvm. */
        char principal[128];
        snprintf(principal, sizeof(principal), "%.*s", (int)strcspn(user, ":"), user);
        ok = sk_usercert_check(s->trusted_user_ca_keys, pubkey, principal, (int64_t)time(NULL), &cr,
                               why, sizeof(why));
    }
    if (ok != 1) {
        sk_log(ok < 0 ? SK_LOG_ERROR : SK_LOG_WARN, "ssh", "%s: certificate %s refused: %s",
               s->peer, fp, why);
        return refuse(s, fp, "bad-certificate");
    }
    if (signature_state == SSH_PUBLICKEY_STATE_NONE) {
        return SSH_AUTH_SUCCESS;
    }
    snprintf(s->cert, sizeof(s->cert), " cert_serial=%llu", cr.serial);
    return accept_login(s, user, fp, cr.key_id[0] ? cr.key_id : fp, cr.role);
}

static int on_auth_pubkey(ssh_session session, const char *user, struct ssh_key_struct *pubkey,
                          char signature_state, void *userdata)
{
    struct sk_session *s = userdata;
    char err[256];
    if (signature_state != SSH_PUBLICKEY_STATE_NONE &&
        signature_state != SSH_PUBLICKEY_STATE_VALID) {
        return refuse(s, NULL, "bad-signature");
    }
    if (sk_usercert_is_cert(pubkey)) {
        return auth_certificate(s, user, pubkey, signature_state);
    }
    char options[1024], comment[128], fp[128];
    int match = sk_authkeys_match(s->authorized_keys, pubkey, options, sizeof(options), comment,
                                  sizeof(comment), err, sizeof(err));
    if (match < 0) {
        sk_log(SK_LOG_ERROR, "ssh", "%s", err);
    }
    if (sk_ssh_key_fingerprint(pubkey, fp, sizeof(fp)) != 0) {
        snprintf(fp, sizeof(fp), "unknown key");
    }
    /* A key the client merely offers counts too: clients try each of theirs. */
    if (match != 1) {
        if (signature_state == SSH_PUBLICKEY_STATE_VALID) {
            sk_log(SK_LOG_WARN, "ssh", "%s: key for user '%s' is not authorized", s->peer, user);
        }
        return refuse(s, fp, "unknown-key");
    }
    enum sk_role role;
    if (sk_authkeys_role(options, &role, err, sizeof(err)) != 0) {
        /* A typo in a role must not hand out control: refuse the key. */
        sk_log(SK_LOG_WARN, "ssh", "%s: key %s refused: %s", s->peer, fp, err);
        return refuse(s, fp, "bad-role");
    }
    /* from=, expiry-time= and the restrictions sshkvm cannot carry out (authkeys.h). */
    char ip[sizeof(s->peer)];
    peer_address(s, ip, sizeof(ip));
    if (sk_authkeys_allow(options, ip, time(NULL), err, sizeof(err)) != 0) {
        sk_log(SK_LOG_WARN, "ssh", "%s: key %s refused: %s", s->peer, fp, err);
        return refuse(s, fp, "key-options");
    }
    if (signature_state == SSH_PUBLICKEY_STATE_NONE) {
        return SSH_AUTH_SUCCESS; /* "this key would do": the client then signs */
    }
    return accept_login(s, user, fp, comment[0] ? comment : fp, role);
}

/* ---- the session thread ---- */

struct session_start {
    struct sk_ssh *server;
    struct session_slot *slot;
    ssh_session ssh;
    unsigned id;
    char peer[64];
};

static void peer_name(ssh_session ssh, char *out, size_t len)
{
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    int ok = getpeername(ssh_get_fd(ssh), (struct sockaddr *)&sa, &salen) == 0;
    sk_sockaddr_text(ok ? (struct sockaddr *)&sa : NULL, 1, out, len);
}

/* The address the client connected to, which it can also reach the web side at. */
static void local_name(ssh_session ssh, char *out, size_t len)
{
    struct sockaddr_storage sa;
    socklen_t salen = sizeof(sa);
    out[0] = '\0';
    if (getsockname(ssh_get_fd(ssh), (struct sockaddr *)&sa, &salen) == 0 &&
        (sa.ss_family == AF_INET || sa.ss_family == AF_INET6)) {
        sk_sockaddr_text((struct sockaddr *)&sa, 0, out, len);
    }
}

static void session_main(struct sk_ssh *server, struct sk_session *s)
{
    local_name(s->ssh, s->local, sizeof(s->local));
    int64_t deadline = sk_now_ms() + server->opts.login_grace_s * 1000LL;
    long kex_timeout = KEX_TIMEOUT_S;
    ssh_options_set(s->ssh, SSH_OPTIONS_TIMEOUT, &kex_timeout);
    s->server_cb = (struct ssh_server_callbacks_struct){
        .userdata = s,
        .auth_pubkey_function = on_auth_pubkey,
        .channel_open_request_session_function = sk_session_open_channel,
    };
    ssh_callbacks_init(&s->server_cb);
    ssh_set_server_callbacks(s->ssh, &s->server_cb);
    ssh_set_message_callback(s->ssh, sk_session_on_message, s);
    ssh_set_auth_methods(s->ssh, SSH_AUTH_METHOD_PUBLICKEY);

    if (ssh_handle_key_exchange(s->ssh) != SSH_OK) {
        sk_log(SK_LOG_INFO, "ssh", "%s: key exchange failed: %s", s->peer, ssh_get_error(s->ssh));
        return;
    }
    s->event = ssh_event_new();
    if (s->event == NULL || ssh_event_add_session(s->event, s->ssh) != SSH_OK) {
        return;
    }
    /* Authenticate, open a channel and say what it is for, within the grace time. */
    while (!(s->authenticated && s->chan != NULL && (s->want_shell || s->exec_cmd != NULL))) {
        if (s->auth_failures >= server->opts.max_auth_tries) {
            sk_log(SK_LOG_WARN, "ssh", "%s: too many authentication failures", s->peer);
            break;
        }
        if (sk_now_ms() > deadline) {
            sk_log(SK_LOG_WARN, "ssh", "%s: %s within %d s, disconnecting", s->peer,
                   s->authenticated ? "no command or shell requested" : "not authenticated",
                   server->opts.login_grace_s);
            break;
        }
        if (atomic_load(&server->stopping) || sk_session_pump(s, 100) != 0) {
            break;
        }
    }
    if (!s->authenticated) {
        /* Keys merely offered and refused are counted here, once per connection. */
        if (s->auth_failures > 0) {
            sk_log(SK_LOG_WARN, "ssh", "%s: failed login (%d key%s refused)", s->peer,
                   s->auth_failures, s->auth_failures == 1 ? "" : "s");
            sk_audit(s->app->audit, "login-failed", s->refused_fp[0] ? s->refused_fp : "-", s->peer,
                     "reason=%s attempts=%d", s->refused_why, s->auth_failures);
        }
        return;
    }
    if (s->chan == NULL || (!s->want_shell && s->exec_cmd == NULL)) {
        return;
    }
    sk_pending_remove(server->pending, s->ssh);
    /*
     * ssh kvm:NAME@host, as console servers take it: the shell is serial port NAME's
     * terminal (a port's name is a-z, 0-9 and '-'; any other makes `serial` ask for one).
     */
    const char *port = strchr(s->user, ':');
    if (s->want_shell && port != NULL) {
        port++;
        int ok =
            *port != '\0' && strspn(port, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(port);
        s->exec_cmd = ok ? xasprintf("serial %s", port) : xstrdup("serial");
        s->want_shell = 0;
    }
    const char *kind = s->want_shell ? "ssh" : "command";
    sk_log(SK_LOG_INFO, "ssh", "%s: user '%s' authenticated (%s, %s role)", s->peer, s->user,
           s->want_shell ? "console" : "command", sk_role_name(s->role));
    sk_audit(s->app->audit, "login", s->name, s->peer, "kind=%s role=%s key=%s%s", kind,
             sk_role_name(s->role), s->key_fp, s->cert);
    if (s->app->roster != NULL) {
        s->member = sk_roster_join(s->app->roster, kind, s->name, s->peer, s->role);
    }
    atomic_fetch_add(&s->app->ssh_clients, 1);
    if (s->want_shell) {
        if (s->pty) {
            sk_run_console(s);
            if (!s->closed) {
                ssh_channel_request_send_exit_status(s->chan, 0);
            }
        } else {
            const char *msg =
                "sshkvm: the console needs a terminal: use ssh -t, or give a command.\r\n";
            sk_session_write(s, msg, strlen(msg), 1);
            sk_session_write(s, sk_cmd_usage, strlen(sk_cmd_usage), 1);
            ssh_channel_request_send_exit_status(s->chan, 2);
        }
    } else {
        sk_run_command(s);
    }
    atomic_fetch_sub(&s->app->ssh_clients, 1);
    if (s->app->roster != NULL) {
        int held = sk_roster_holder(s->app->roster, s->member, NULL, 0) == 1;
        sk_roster_leave(s->app->roster, s->member);
        if (held) {
            sk_audit(s->app->audit, "control", s->name, s->peer, "action=released reason=logout");
        }
    }
    sk_audit(s->app->audit, "logout", s->name, s->peer, "kind=%s", kind);
    if (!s->closed) {
        ssh_channel_send_eof(s->chan);
        ssh_channel_close(s->chan);
        /* Give the client a moment to read the exit status and close its side. */
        for (int i = 0; i < 20 && !s->closed && (ssh_get_status(s->ssh) & SSH_CLOSED) == 0; i++) {
            if (sk_session_pump(s, 50) != 0) {
                break;
            }
        }
    }
}

static void *session_thread(void *arg)
{
    struct session_start *start = arg;
    struct sk_ssh *server = start->server;
    struct session_slot *slot = start->slot;
    struct sk_session s = {
        .ssh = start->ssh,
        .app = server->opts.app,
        .authorized_keys = server->opts.authorized_keys,
        .trusted_user_ca_keys = server->opts.trusted_user_ca_keys,
        .stopping = &server->stopping,
        .server = server,
        .slot = slot,
    };
    snprintf(s.peer, sizeof(s.peer), "%s", start->peer);
    sk_log_thread_name("ssh-%u", start->id);
    free(start);

    session_main(server, &s);

    /* Before ssh_free closes the socket: the pending set and close may shut it down. */
    sk_pending_remove(server->pending, s.ssh);
    pthread_mutex_lock(&server->lock);
    slot->fd = -1;
    pthread_mutex_unlock(&server->lock);
    if (s.event != NULL) {
        ssh_event_remove_session(s.event, s.ssh);
        ssh_event_free(s.event);
    }
    ssh_disconnect(s.ssh);
    ssh_free(s.ssh);
    free(s.exec_cmd);
    sk_wipe(s.in.data, s.in.cap);
    sk_buf_free(&s.in);

    pthread_mutex_lock(&server->lock);
    server->sessions--;
    slot->done = 1;
    pthread_cond_broadcast(&server->idle);
    pthread_mutex_unlock(&server->lock);
    return NULL;
}

/* Join the session threads that have ended (all of them when all is set: they must end). */
static void join_sessions(struct sk_ssh *ssh, int all)
{
    pthread_mutex_lock(&ssh->lock);
    struct session_slot *ended = NULL;
    for (struct session_slot **pp = &ssh->slots; *pp != NULL;) {
        struct session_slot *slot = *pp;
        if (all || slot->done) {
            *pp = slot->next;
            slot->next = ended;
            ended = slot;
        } else {
            pp = &slot->next;
        }
    }
    pthread_mutex_unlock(&ssh->lock);
    while (ended != NULL) {
        struct session_slot *next = ended->next;
        pthread_join(ended->thread, NULL);
        free(ended);
        ended = next;
    }
}

static void *accept_thread(void *arg)
{
    struct sk_ssh *ssh = arg;
    sk_log_thread_name("ssh-accept");
    while (!atomic_load(&ssh->stopping)) {
        join_sessions(ssh, 0);
        struct pollfd pfd = {.fd = ssh_bind_get_fd(ssh->bind), .events = POLLIN};
        int pr = poll(&pfd, 1, 200);
        if (pr <= 0) {
            continue;
        }
        ssh_session session = ssh_new();
        if (session == NULL) {
            continue;
        }
        if (ssh_bind_accept(ssh->bind, session) != SSH_OK) {
            sk_log(SK_LOG_WARN, "ssh", "accept failed: %s", ssh_get_error(ssh->bind));
            ssh_free(session);
            continue;
        }
        struct session_start *start = xcalloc(1, sizeof(*start));
        start->server = ssh;
        start->ssh = session;
        start->id = ++ssh->next_id;
        peer_name(session, start->peer, sizeof(start->peer));

        pthread_mutex_lock(&ssh->lock);
        int full = ssh->sessions >= ssh->opts.max_sessions;
        if (!full) {
            ssh->sessions++;
        }
        pthread_mutex_unlock(&ssh->lock);
        if (full) {
            sk_log(SK_LOG_WARN, "ssh", "%s: refused, %d sessions already open", start->peer,
                   ssh->opts.max_sessions);
        } else {
            /* Counted as waiting to log in until the session authenticates. */
            sk_pending_add(ssh->pending, session, ssh_get_fd(session));
            struct session_slot *slot = xcalloc(1, sizeof(*slot));
            slot->fd = ssh_get_fd(session);
            start->slot = slot;
            /* Listed before the thread runs, so that its end always finds its slot. */
            pthread_mutex_lock(&ssh->lock);
            int rc = pthread_create(&slot->thread, NULL, session_thread, start);
            if (rc == 0) {
                slot->next = ssh->slots;
                ssh->slots = slot;
            } else {
                ssh->sessions--;
            }
            pthread_mutex_unlock(&ssh->lock);
            if (rc == 0) {
                continue;
            }
            free(slot);
            sk_pending_remove(ssh->pending, session);
        }
        ssh_disconnect(session);
        ssh_free(session);
        free(start);
    }
    return NULL;
}

int sk_ssh_open(struct sk_ssh *ssh, char *err, size_t errlen)
{
    char keypath[512];
    int created;
    if (sk_hostkey_ensure(ssh->opts.hostkeys_dir, keypath, sizeof(keypath), ssh->fingerprint,
                          sizeof(ssh->fingerprint), &created, err, errlen) != 0) {
        return -1;
    }
    sk_log(SK_LOG_INFO, "ssh", "%s host key %s: ED25519 %s", created ? "generated" : "loaded",
           keypath, ssh->fingerprint);

    ssh->bind = ssh_bind_new();
    if (ssh->bind == NULL) {
        snprintf(err, errlen, "cannot create the SSH listener");
        return -1;
    }
    int port = ssh->opts.port;
    ssh_bind_options_set(ssh->bind, SSH_BIND_OPTIONS_BINDADDR, ssh->opts.addr);
    ssh_bind_options_set(ssh->bind, SSH_BIND_OPTIONS_BINDPORT, &port);
    ssh_bind_options_set(ssh->bind, SSH_BIND_OPTIONS_HOSTKEY, keypath);
    /* Never read /etc/ssh or ~/.ssh configuration: this is not sshd. */
    int no = 0;
    ssh_bind_options_set(ssh->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
    if (ssh_bind_listen(ssh->bind) != SSH_OK) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", ssh->opts.addr, ssh->opts.port,
                 ssh_get_error(ssh->bind));
        ssh_bind_free(ssh->bind);
        ssh->bind = NULL;
        return -1;
    }
    /*
     * libssh listens with a backlog of 10: a burst of connections then
     * waits for SYN retransmits, seconds each. Calling listen again on
     * the listening socket only raises the backlog.
     */
    listen(ssh_bind_get_fd(ssh->bind), SOMAXCONN);
    if (pthread_create(&ssh->accept_thread, NULL, accept_thread, ssh) != 0) {
        snprintf(err, errlen, "cannot start the SSH accept thread");
        ssh_bind_free(ssh->bind);
        ssh->bind = NULL;
        return -1;
    }
    ssh->accepting = 1;
    return 0;
}

void sk_ssh_close(struct sk_ssh *ssh)
{
    atomic_store(&ssh->stopping, 1);
    if (ssh->accepting) {
        pthread_join(ssh->accept_thread, NULL);
        ssh->accepting = 0;
    }
    /*
     * Sessions notice the flag within a poll interval and say goodbye to
     * their clients. One stuck in libssh (a client whose connection stopped
     * taking bytes, mid-flush) gets its socket shut down after the grace
     * time, which makes every call on it fail at once; then all are joined.
     */
    pthread_mutex_lock(&ssh->lock);
    const struct timespec until = sk_deadline_after_ms(CLOSE_GRACE_MS);
    while (ssh->sessions > 0) {
        if (pthread_cond_timedwait(&ssh->idle, &ssh->lock, &until) == ETIMEDOUT) {
            break;
        }
    }
    if (ssh->sessions > 0) {
        sk_log(SK_LOG_WARN, "ssh",
               "%d sessions did not end within %d ms: closing their connections", ssh->sessions,
               CLOSE_GRACE_MS);
        for (struct session_slot *slot = ssh->slots; slot != NULL; slot = slot->next) {
            if (slot->fd >= 0) {
                shutdown(slot->fd, SHUT_RDWR);
            }
        }
    }
    pthread_mutex_unlock(&ssh->lock);
    join_sessions(ssh, 1);
    if (ssh->bind != NULL) {
        ssh_bind_free(ssh->bind);
        ssh->bind = NULL;
    }
}

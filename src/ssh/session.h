/*
 * session: one SSH connection, as the server sees it (internal to src/ssh/).
 *
 * The session's thread owns everything here; libssh callbacks run inside
 * sk_session_pump on the same thread, so no field needs a lock.
 */
#ifndef SK_SESSION_H
#define SK_SESSION_H

#include <stdatomic.h>
#include <stddef.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "base/util.h"

struct sk_app;

struct session_slot;

struct sk_session {
    ssh_session ssh;
    ssh_event event;
    ssh_channel chan;
    struct ssh_server_callbacks_struct server_cb;
    struct ssh_channel_callbacks_struct chan_cb;
    struct sk_app *app;
    const char *authorized_keys;
    const char *trusted_user_ca_keys; /* NULL: certificates are refused */
    const atomic_int *stopping;       /* the server is shutting down */
    struct sk_ssh *server;            /* its server: failed-login throttle (server.c only) */
    struct session_slot *slot;        /* its record in the server (server.c only) */
    char peer[64];                    /* client address, for logs */
    char user[64];
    char key_fp[128];     /* the authenticated key's SHA256 fingerprint */
    char name[160];       /* who, for people: the key's comment (a certificate's key id), else its
                             fingerprint */
    char cert[160];       /* for a certificate login, " cert_serial=N" for the audit log, else "" */
    int role;             /* enum sk_role, from the key's options */
    int member;           /* the roster id, once authenticated and running */
    char refused_fp[128]; /* the last key refused, for the audit log */
    const char *refused_why; /* and why ("unknown-key", "bad-role", ...) */
    char local[64];          /* the address the client connected to (no port) */

    int authenticated;
    int auth_failures;
    int pty;             /* a pty was requested */
    unsigned cols, rows; /* its size */
    int resized;         /* window-change since the console last looked */
    char term[64];       /* TERM from pty-req */
    char colorterm[32];  /* COLORTERM from env, if sent */
    char keymap[32];     /* SSHKVM_KEYMAP from env, if sent */
    char view_env[512];  /* other SSHKVM_* env requests: "NAME=VALUE\0" entries */
    size_t view_env_len;
    int want_shell;
    char *exec_cmd;   /* the exec request's command, owned */
    struct sk_buf in; /* channel data not yet consumed */
    int eof;          /* the client sent EOF */
    int signalled;    /* the client sent a signal request (INT, TERM, ...) */
    int breaks;       /* break requests (OpenSSH's ~B, RFC 4335) not yet taken */
    int closed;       /* the channel or connection is gone */
};

/*
 * libssh's channel_open_request_session callback (userdata: the session):
 * the session's one channel, with callbacks that record what the client asks.
 */
ssh_channel sk_session_open_channel(ssh_session session, void *userdata);
/*
 * libssh's message callback (userdata: the session), for what its channel
 * callbacks do not cover: a break request (RFC 4335, OpenSSH's ~B) is
 * counted in s->breaks, from OpenSSH's client only (libssh does not say
 * which unknown request came; see session.c); everything else gets libssh's
 * default reply.
 */
int sk_session_on_message(ssh_session session, ssh_message msg, void *userdata);
/* Is this client banner (ssh_get_clientbanner) OpenSSH's? NULL: no. */
int sk_session_banner_is_openssh(const char *banner);
/* Run libssh's event loop for up to timeout_ms; -1 once the connection is gone. */
int sk_session_pump(struct sk_session *s, int timeout_ms);
/* Write all of data to the channel (stdout, or stderr when to_err). 0 or -1. */
int sk_session_write(struct sk_session *s, const void *data, size_t len, int to_err);
/* Bytes the client's window accepts now without blocking. */
size_t sk_session_window(struct sk_session *s);
/* Bytes written to the connection's socket that the peer has not acknowledged yet. */
size_t sk_session_unsent(struct sk_session *s);
/* The value of an SSHKVM_* env request other than SSHKVM_KEYMAP, or NULL. */
const char *sk_session_getenv(const struct sk_session *s, const char *name);
/* Drop n consumed bytes from the front of s->in. */
void sk_session_consume(struct sk_session *s, size_t n);

#endif

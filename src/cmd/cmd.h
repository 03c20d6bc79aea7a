/*
 * cmd: the script commands run over `ssh kvm@host COMMAND ...`.
 *
 *   type [--keymap NAME] TEXT   type TEXT (everything after "type ", as received)
 *   key COMBO [COMBO ...]       press and release each combo (ctrl+alt+delete, f2, enter)
 *   key --hold DURATION COMBO.. hold the combos down together for DURATION (3s, 500ms)
 *   paste [--keymap NAME]       type standard input, newlines as Enter
 *   mouse move X Y              move the absolute pointer (pixels or X% Y%)
 *   mouse click [BUTTON] [X Y]  click, there or where the pointer is
 *   mouse X Y [click [BUTTON]] | mouse scroll N
 *   snapshot                    the newest frame, bytes exactly as captured
 *   screen [--cols N] [--rows N] [--mode M] [--colors C]  one frame as colour character art
 *   screen --text               a text screen as its characters
 *   wait [--regex] [--timeout S] TEXT  until TEXT is on the text screen
 *   serial --list | [--take] --send NAME TEXT | [--take] --break NAME
 *   serial --wait NAME [--regex] [--timeout S] TEXT
 *   serial [--take] NAME        a raw pipe to a serial port (serialcmd.c)
 *   status                      one line of JSON
 *   web                         a one-time URL that logs a browser in
 *   help                        usage
 * type, key, paste, mouse and serial's writing need control (--take right after the name
 * takes it). Exit status: 0 done, 1 failed (target not reading, untypable
 * text, no frame, refused), 2 usage error. The commands know nothing of SSH: they talk
 * through struct sk_cmd_io, so tests drive them directly.
 */
#ifndef SK_CMD_H
#define SK_CMD_H

#include <stddef.h>

struct sk_app;

struct sk_cmd_io {
    void *ctx;
    /* Write to the client's stdout / stderr; 0 or -1 (client gone). */
    int (*out)(void *ctx, const void *data, size_t len);
    int (*err)(void *ctx, const void *data, size_t len);
    /* Read the client's stdin: bytes read (> 0), 0 at end of input, -1 on error. */
    long (*in)(void *ctx, void *buf, size_t len);
    /*
     * Wait up to timeout_ms for the client's stdin: 1 when in() has bytes or the end of input
     * to give at once, 0 when nothing came, -1 once the client has gone. NULL: not offered
     * (the serial pipe, which needs it, says so).
     */
    int (*poll_in)(void *ctx, int timeout_ms);
    /* Nonzero when the client wants the command stopped (gone, Ctrl+C); NULL: never. */
    int (*cancelled)(void *ctx);
    /* Break requests (ssh's ~B) since the last call, cleared; NULL: not offered. */
    int (*take_breaks)(void *ctx);
    unsigned cols; /* the client's terminal size when it asked for a pty, else 0 */
    unsigned rows;
    const char *keymap;     /* the session's keymap name (SSHKVM_KEYMAP), NULL for the server's */
    const char *identity;   /* who runs it: the SSH key's fingerprint (for `web`), or NULL */
    const char *local_addr; /* the address the client reached us at, or NULL */
    /* Who, for roles, control and the audit log. */
    const char *name; /* the key's comment or fingerprint, "password:USER"; NULL: unknown */
    const char *addr; /* the client's address and port, or NULL */
    int role;         /* enum sk_role: 0 control (the default), 1 view */
    int member;       /* the roster id when app->roster is set */
};

/* Run one command line; returns its exit status (0, 1 or 2). */
int sk_cmd_run(struct sk_app *app, const char *line, const struct sk_cmd_io *io);

/* The usage text printed by `help` and after a usage error. */
extern const char sk_cmd_usage[];

#endif

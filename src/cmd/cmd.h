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
 *   record [--seconds N] [--mode M] ...  the screen as an asciicast on stdout (recordcmd.c)
 *   media list|put|get|rm|new|insert|eject  boot media for the target (mediacmd.c)
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
#include <stdint.h>

struct sk_buf;

struct json_t;
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
    /*
     * As poll_in, but also returning early (0) as soon as fd is readable, so that a command
     * waits for the client and a device at once (the serial terminal and pipe: the port's
     * sk_port_watch fd). NULL: not offered (callers wait on poll_in in short slices).
     */
    int (*poll_in_fd)(void *ctx, int fd, int timeout_ms);
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

/*
 * For callers that want more than a command's printed output (the MCP server): the same
 * screen reading the screen commands do, in screen.c (hence sk_screen_), with what the
 * recogniser knows.
 */
struct sk_screen_text {
    unsigned cols, rows;        /* the text grid */
    char mode[32];              /* the text mode read, "80x25 9x16" */
    double confidence;          /* 0..1, the whole screen */
    int cursor_col, cursor_row; /* -1 when no cursor is seen */
    char *text;                 /* UTF-8, one line a row, trailing blanks dropped (owned) */
    double *line_conf;          /* rows entries: each row's mean cell confidence, 0..1 (owned) */
    unsigned frame_w, frame_h;  /* the captured frame's size */
    double cell_w, cell_h;      /* a cell's size in the frame's pixels */
    double origin_x, origin_y;  /* the first cell's top left corner in the frame */
    const char *palette;        /* "vga16" or "efi16": the 16-colour palette the colours sit
                                 * on (sk_textrec_palette_name), else NULL */
    struct json_t *cells;       /* when asked for: the "rows" of screen --text --json, each
                                 * cell's colours and confidence (owned: a jansson reference) */
};
/*
 * Read a frame captured after the call as text into *t (with_cells: t->cells too).
 * Returns 0 (free t with sk_screen_text_free), or SK_CMD_FAIL with why on io->err
 * (no frame, not text).
 */
int sk_screen_read_text(struct sk_app *app, const struct sk_cmd_io *io, int with_cells,
                        struct sk_screen_text *t);
void sk_screen_text_free(struct sk_screen_text *t);
/*
 * Wait until the screen has stayed the same for quiet_ms (a text screen: the same
 * characters; any other: the same picture within a small tolerance), at most timeout_ms
 * or until io is cancelled. Returns 0 settled, SK_CMD_FAIL (why on io->err) otherwise.
 */
int sk_screen_wait_settle(struct sk_app *app, const struct sk_cmd_io *io, int64_t quiet_ms,
                          int64_t timeout_ms);
/*
 * The newest frame as JPEG into out: the captured bytes when max_width is 0 or the frame is
 * no wider, else decoded, shrunk to at most max_width wide and encoded again. *w, *h: the size
 * of what out holds. Returns 0, or SK_CMD_FAIL with why on io->err.
 */
int sk_screen_snapshot_jpeg(struct sk_app *app, const struct sk_cmd_io *io, unsigned max_width,
                            struct sk_buf *out, unsigned *w, unsigned *h);

/* The usage text printed by `help` and after a usage error. */
extern const char sk_cmd_usage[];

#endif

/*
 * console: the interactive view of `ssh -t kvm@host`, as an object.
 *
 * The console knows nothing of SSH: it writes to the client's terminal, and
 * (in sk_console_run) reads typed bytes and window sizes, through struct
 * sk_console_io, so that a test drives it by calling sk_console_feed,
 * sk_console_resize and sk_console_tick and reading what it wrote. Typed
 * bytes become keys (termkeys, the session's keymap, the kitty keyboard
 * protocol) sent to app->hid; the newest frame in app->hub becomes the
 * picture, with a status line under it; Ctrl+] opens a menu.
 */
#ifndef SK_CONSOLE_H
#define SK_CONSOLE_H

#include <stddef.h>

struct sk_app;
struct sk_console;

struct sk_console_io {
    void *ctx;
    /* Write to the client's terminal: 0, or -1 (client gone: nothing more is written). */
    int (*out)(void *ctx, const void *data, size_t len);
    /*
     * For sk_console_run only (NULL otherwise): wait up to timeout_ms for
     * something to happen, 0, or -1 when the session should end (client
     * gone, EOF, server stopping); take typed bytes without waiting (bytes
     * read, 0 when none); whether the window changed since last asked (1
     * and its size, else 0).
     */
    int (*wait)(void *ctx, int timeout_ms);
    long (*in)(void *ctx, void *buf, size_t len);
    int (*resized)(void *ctx, unsigned *cols, unsigned *rows);
    /* Bytes the client's window accepts now without blocking; NULL: no limit. */
    size_t (*window)(void *ctx);
    /* Bytes written that the peer has not acknowledged yet; NULL: always 0. */
    size_t (*unsent)(void *ctx);
    /* The value of a SSHKVM_* env request (SSHKVM_MODE, SSHKVM_FPS, ...), or NULL; NULL: none. */
    const char *(*getenv)(void *ctx, const char *name);
};

struct sk_console_opts {
    struct sk_app *app;      /* borrowed; outlives the console */
    struct sk_console_io io; /* copied; ctx is borrowed for the console's life */
    unsigned cols, rows;     /* the client's window */
    const char *keymap;      /* the session's keymap name (SSHKVM_KEYMAP); NULL: the server's */
    const char *term;        /* TERM and COLORTERM, for the colour depth; NULL: unknown */
    const char *colorterm;
    /* Who, for roles, control and the audit log (the strings are copied; NULL: unknown). */
    const char *name; /* the key's comment or fingerprint */
    const char *addr; /* the client's address and port */
    int role;         /* enum sk_role */
    int member;       /* the roster id when app->roster is set */
};

/*
 * A console for one client: switches its terminal to the alternate screen,
 * asks for the kitty keyboard protocol and turns on mouse reports (all
 * written through io.out), and counts as a watcher of the hub.
 */
struct sk_console *sk_console_new(const struct sk_console_opts *opts);
/*
 * Release every key and button the session holds, give the terminal back
 * its screen, mouse and keyboard mode (unless the client is gone), and free.
 * NULL is a no-op.
 */
void sk_console_free(struct sk_console *c);
/* Bytes the client typed (any split): keys to the target, or to the menu. */
void sk_console_feed(struct sk_console *c, const void *data, size_t len);
/* The client's window is now cols x rows: redraw everything (an open menu closes). */
void sk_console_resize(struct sk_console *c, unsigned cols, unsigned rows);
/*
 * The timers: a lone ESC after the escape time, the kitty watchdog, a held
 * key's end, control lost; then the picture (when a newer frame is due and
 * the client has room) and the status line.
 */
void sk_console_tick(struct sk_console *c);
/* Nonzero once the user chose quit in the menu. */
int sk_console_done(const struct sk_console *c);
/* The session loop: wait, resize, feed, tick until the user quits or io.wait ends it. */
void sk_console_run(struct sk_console *c);

#endif

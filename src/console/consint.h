/*
 * consint: the console's state, shared by its four files (internal to
 * src/console/; nothing outside that folder includes it).
 *
 * console.c owns the object, the loop and the input bytes; conskeys.c turns
 * keys and clicks into HID events; consview.c draws the picture and the
 * status line; consmenu.c runs the Ctrl+] menu. Each reads and writes the
 * fields of struct sk_console below; all of it belongs to the one thread
 * that runs the console.
 */
#ifndef SK_CONSINT_H
#define SK_CONSINT_H

#include <stdint.h>

#include "console/console.h"
#include "hid/keys.h"
#include "term/grid.h"
#include "term/render.h"
#include "term/termkeys.h"
#include "base/util.h"

#define SK_CONSOLE_STATUS_MS 500 /* status line refresh, and how often control is looked at */
#define SK_CONSOLE_HELD_MAX 8    /* keys a kitty-mode session tracks as held */
/* xterm mouse reporting: clicks (1000), drags (1002), SGR coordinates (1006). */
#define SK_CONSOLE_MOUSE_ON "\033[?1000h\033[?1002h\033[?1006h"
#define SK_CONSOLE_MOUSE_OFF "\033[?1006l\033[?1002l\033[?1000l"

enum sk_consmenu_state {
    SK_MENU_CLOSED = 0,
    SK_MENU_OPEN,
    SK_MENU_KEY_PROMPT,    /* typing a key combo to send */
    SK_MENU_HOLD_PROMPT,   /* typing a combo (and seconds) to hold */
    SK_MENU_KEYMAP_PROMPT, /* typing a keymap name for this session */
    SK_MENU_WHO,           /* the list of who is connected; any key goes back */
};

struct sk_console {
    struct sk_console_io io;
    struct sk_app *app;
    unsigned cols, rows; /* the client's window */
    int member, role;    /* who, for control and the audit log */
    char name[160];
    char addr[64];
    struct sk_buf in;         /* input bytes not parsed yet (an incomplete sequence) */
    int gone;                 /* a write failed: the client is gone, write nothing more */
    struct sk_keymap *keymap; /* the session's layout */
    int keymap_owned;
    struct sk_render *render;
    struct sk_render_opts view; /* this session's view settings */
    int fps;                    /* picture update cap */
    int sync;                   /* wrap updates in DEC 2026 synchronized output */
    struct sk_jpeg_dec *dec;
    struct sk_viewcache *cache; /* the app's, shared by all viewers */
    int cache_owned;
    struct sk_grid shown;  /* what the client shows */
    struct sk_grid next;   /* the picture being built */
    struct sk_buf pending; /* the bytes from shown to next, not sent yet */
    int have_pending;
    int pending_full; /* it repaints everything (made for a full redraw) */
    int64_t pending_captured_us;
    int deferring;        /* counted a deferral for the current wait */
    struct sk_buf status; /* the last status line sent */
    uint64_t seq;         /* the hub frame last rendered */
    int64_t last_draw_ms;
    int64_t last_status_ms;
    int64_t partial_since_ms; /* when in started holding an incomplete sequence */
    int sent_keys;            /* this session pressed something: release all at the end */
    int kitty;                /* the terminal speaks the kitty keyboard protocol (flags pushed) */
    int probed;               /* the probe's answers (flags or DA1) have come */
    struct sk_console_held {
        uint8_t usage;
        int64_t last_ms; /* the last press or repeat */
    } held[SK_CONSOLE_HELD_MAX];
    size_t nheld;
    int mouse_on;          /* clicks on the picture go to the target's absolute mouse */
    uint8_t buttons;       /* mouse buttons this session holds down */
    uint16_t mx, my;       /* the pointer's last position, 0..32767 */
    struct sk_key hold;    /* a key held from the menu ... */
    int64_t hold_until_ms; /* ... until then (0: none) */
    int full_redraw;
    enum sk_consmenu_state menu;
    char prompt[64];
    char message[160];
    int64_t message_until_ms;
    int cursor_col, cursor_row;             /* the target's cursor last seen in a text view */
    int64_t cursor_until_ms;                /* shown until then */
    int cursor_shown;                       /* the terminal's cursor is visible */
    int cursor_drawn_col, cursor_drawn_row; /* where it was put */
    int quit;
    int had_control;    /* held control when last looked (exclusive mode) */
    int64_t refused_ms; /* the last refused input */
    int64_t control_checked_ms;
    struct sk_consrec *rec; /* this session's recording (--record-dir), or NULL */
};

/* ---- console.c ---- */

/* Write to the client's terminal (nothing once a write has failed). */
void sk_console_out(struct sk_console *c, const void *data, size_t len);
void sk_console_outs(struct sk_console *c, const char *s);
/* A message in the status line for a few seconds. */
void sk_console_flash(struct sk_console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* sk_app_input for this session (what: "console", "take"): 0, or nonzero with msg set. */
int sk_console_input(struct sk_console *c, const char *what, int take, char *msg, size_t msglen);
/*
 * May this session send input now? 1, or 0 with the refusal shown in the
 * status line (and audited, at most once a second).
 */
int sk_console_may_send(struct sk_console *c);
/*
 * Before releasing a key this session holds: is it still ours? Looks at the
 * roster now (not at the timers' pace): once another session took control,
 * the keys were released for it and the same key may now be the taker's,
 * so the held keys are forgotten and 0 returned.
 */
int sk_console_keys_ours(struct sk_console *c);

/* ---- conskeys.c ---- */

/* Ask the terminal for the kitty keyboard protocol, and turn the mouse on when it can click. */
void sk_conskeys_start(struct sk_console *c);
/* The probe's answer k (kitty flags or DA1): flags first means the protocol is there. */
void sk_conskeys_probe_answer(struct sk_console *c, const struct sk_termkey *k);
void sk_conskeys_kitty_push(struct sk_console *c);
void sk_conskeys_kitty_pop(struct sk_console *c);
/* Release every key held in kitty mode. */
void sk_conskeys_release_held(struct sk_console *c);
/* Send keystrokes if this session may; 1 sent (or queued), 0 refused. */
int sk_conskeys_send(struct sk_console *c, const struct sk_key *keys, size_t n);
/* A key or character from the terminal to the target. */
void sk_conskeys_termkey(struct sk_console *c, const struct sk_termkey *k);
/* A mouse report from the terminal to the target's absolute mouse. */
void sk_conskeys_mouse(struct sk_console *c, const struct sk_termkey *k);
void sk_conskeys_set_mouse(struct sk_console *c, int on);
/* Release held keys whose release never came. */
void sk_conskeys_watchdog(struct sk_console *c);
/* Hold key (named combo) down for secs seconds; 0, or -1 with err set. */
int sk_conskeys_hold(struct sk_console *c, const struct sk_key *key, const char *combo, long secs,
                     char *err, size_t errlen);
/* Release the held key when its time is up, or now. */
void sk_conskeys_end_hold(struct sk_console *c, int now);
/* At the end: release what this session holds, give the terminal its mouse and keys back. */
void sk_conskeys_end(struct sk_console *c);

/* ---- consview.c ---- */

/* The view settings: defaults, then the session's env requests, then the terminal's colours. */
void sk_consview_setup(struct sk_console *c, const char *term, const char *colorterm);
/* Draw the newest frame when it is time and the client has room. */
void sk_consview_draw(struct sk_console *c);
/* The status line, when it changed and is due (or now, with force). */
void sk_consview_status(struct sk_console *c, int force);
/* Append the moves that place the terminal's cursor to b (see consview.c). */
void sk_consview_place_cursor(struct sk_console *c, struct sk_buf *b, int force);

/* ---- consrec.c: the session recorded as an asciicast (--record-dir) ---- */

/* Start recording when the app has a record directory (a failure is logged; the session goes on).
 */
void sk_consrec_start(struct sk_console *c, const char *term);
/* What the client was sent; a resize; the end (flushes, says why, closes the file). */
void sk_consrec_output(struct sk_console *c, const void *data, size_t len);
void sk_consrec_resize(struct sk_console *c);
void sk_consrec_end(struct sk_console *c);
/*
 * Input as markers that name the action, never what was typed: a key or a
 * combination by name, a click, a menu choice; printable characters only
 * counted ("typed 12 characters", said before the next marker or after a
 * second without typing).
 */
void sk_consrec_mark(struct sk_console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sk_consrec_typed(struct sk_console *c, unsigned n);
void sk_consrec_tick(struct sk_console *c);

/* ---- consmenu.c ---- */

void sk_consmenu_open(struct sk_console *c);
void sk_consmenu_close(struct sk_console *c);
/* A key typed while the menu is open. */
void sk_consmenu_key(struct sk_console *c, const struct sk_termkey *k);

#endif

/*
 * tty: the text console the demo target boots into after POST.
 *
 * A scrolling 80x25 terminal (light grey on black) with a "demo login:"
 * prompt, line editing (typed characters echo, Backspace erases, Enter
 * ends the line) and a toy shell after login (help, echo, date, clear,
 * uname, whoami, logout, reboot). Pure: keys and the time come in, cells
 * go out; plain data the BIOS program embeds.
 */
#ifndef SK_DEMO_TTY_H
#define SK_DEMO_TTY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "demo/textscreen.h"

#define SK_TTY_LINE_MAX 80
#define SK_TTY_USER_MAX 32

/* What the console asks of the machine after a key. */
enum sk_tty_action {
    SK_TTY_NONE = 0,
    SK_TTY_REBOOT, /* the user typed "reboot" */
};

struct sk_tty {
    struct sk_textcell cells[SK_TEXT_ROWS][SK_TEXT_COLS];
    int col;
    int row;
    int line_col;               /* where the line being typed starts */
    char line[SK_TTY_LINE_MAX]; /* the line being typed, NUL-terminated */
    size_t len;
    int logged_in;
    char user[SK_TTY_USER_MAX + 1];
    struct tm now; /* the real-time clock, for "date" */
};

/* Clear the console and print the boot messages and the login prompt; bootdev is copied into the
 * text. */
void sk_tty_boot(struct sk_tty *con, const char *bootdev);
/* Tell the console the time of the real-time clock (copied). */
void sk_tty_set_time(struct sk_tty *con, const struct tm *now);
/*
 * One key press: usage (after sk_uslayout_key), the modifier byte and the
 * lock bits. Returns what the machine should do (SK_TTY_*).
 */
enum sk_tty_action sk_tty_key(struct sk_tty *con, uint8_t usage, uint8_t mods, uint8_t locks);
/* Copy the console's cells and cursor into screen. */
void sk_tty_draw(const struct sk_tty *con, struct sk_textscreen *screen);

#endif

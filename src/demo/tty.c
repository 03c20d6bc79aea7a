/*
 * tty: the demo target's text console and its toy shell.
 *
 * Owns its cells, the cursor and the line being typed. A key press either
 * edits the line (echoing it as a terminal in cooked mode does) or ends it;
 * an ended line is the login name, or a shell command looked up in a table.
 * Output goes through con_putc, which wraps and scrolls like a VGA console.
 */
#include "demo/tty.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "demo/uslayout.h"
#include "base/util.h"

#define CON_ATTR SK_ATTR(SK_VGA_LIGHTGREY, SK_VGA_BLACK)
#define USAGE_C 0x06
#define USAGE_D 0x07
#define USAGE_L 0x0f

static void con_scroll(struct sk_tty *con)
{
    memmove(&con->cells[0], &con->cells[1], sizeof(con->cells[0]) * (SK_TEXT_ROWS - 1));
    for (int c = 0; c < SK_TEXT_COLS; c++) {
        con->cells[SK_TEXT_ROWS - 1][c] = (struct sk_textcell){.ch = ' ', .attr = CON_ATTR};
    }
}

static void con_newline(struct sk_tty *con)
{
    con->col = 0;
    if (con->row == SK_TEXT_ROWS - 1) {
        con_scroll(con);
    } else {
        con->row++;
    }
}

static void con_putc(struct sk_tty *con, char ch)
{
    if (ch == '\n') {
        con_newline(con);
        return;
    }
    con->cells[con->row][con->col] = (struct sk_textcell){.ch = (uint8_t)ch, .attr = CON_ATTR};
    if (++con->col == SK_TEXT_COLS) {
        con_newline(con);
    }
}

static void con_puts(struct sk_tty *con, const char *s)
{
    for (; *s != '\0'; s++) {
        con_putc(con, *s);
    }
}

static void con_printf(struct sk_tty *con, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void con_printf(struct sk_tty *con, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    con_puts(con, text);
}

static void con_clear(struct sk_tty *con)
{
    for (int r = 0; r < SK_TEXT_ROWS; r++) {
        for (int c = 0; c < SK_TEXT_COLS; c++) {
            con->cells[r][c] = (struct sk_textcell){.ch = ' ', .attr = CON_ATTR};
        }
    }
    con->col = 0;
    con->row = 0;
}

/* Print the prompt for the current state and start a new line there. */
static void con_prompt(struct sk_tty *con)
{
    if (con->logged_in) {
        con_printf(con, "%s@demo:~$ ", con->user);
    } else {
        con_puts(con, "demo login: ");
    }
    con->line_col = con->col;
    con->len = 0;
    con->line[0] = '\0';
}

void sk_tty_boot(struct sk_tty *con, const char *bootdev)
{
    struct tm now = con->now;
    memset(con, 0, sizeof(*con));
    con->now = now;
    con_clear(con);
    con_printf(con, "Booting from %s...\n\n", bootdev);
    con_puts(con, "sshkvm demo OS 1.0 (simulated) tty1\n\n");
    con_prompt(con);
}

void sk_tty_set_time(struct sk_tty *con, const struct tm *now)
{
    con->now = *now;
}

static void cmd_help(struct sk_tty *con, const char *args);
static void cmd_echo(struct sk_tty *con, const char *args)
{
    con_printf(con, "%s\n", args);
}

static void cmd_date(struct sk_tty *con, const char *args)
{
    char text[64];
    strftime(text, sizeof(text), "%a %b %e %H:%M:%S %Y", &con->now);
    con_printf(con, "%s\n", text);
}

static void cmd_clear(struct sk_tty *con, const char *args)
{
    con_clear(con);
}

static void cmd_uname(struct sk_tty *con, const char *args)
{
    con_puts(con, "sshkvm-demo 1.0 x86_64 (a simulated PC inside sshkvm)\n");
}

static void cmd_whoami(struct sk_tty *con, const char *args)
{
    con_printf(con, "%s\n", con->user);
}

static void cmd_logout(struct sk_tty *con, const char *args)
{
    con->logged_in = 0;
    con_puts(con, "\n");
}

/* The toy shell's commands; "reboot" is answered by the machine, not here. */
static const struct {
    const char *name;
    void (*run)(struct sk_tty *con, const char *args);
    const char *help;
} commands[] = {
    {.name = "help", .run = cmd_help, .help = "list the commands"},
    {.name = "echo", .run = cmd_echo, .help = "print its arguments"},
    {.name = "date", .run = cmd_date, .help = "show the real-time clock"},
    {.name = "clear", .run = cmd_clear, .help = "clear the screen"},
    {.name = "uname", .run = cmd_uname, .help = "name the system"},
    {.name = "whoami", .run = cmd_whoami, .help = "name the user"},
    {.name = "logout", .run = cmd_logout, .help = "back to the login prompt"},
    {.name = "exit", .run = cmd_logout, .help = "the same as logout"},
    {.name = "reboot", .run = NULL, .help = "restart the machine (POST, F2 for setup)"},
};

static void cmd_help(struct sk_tty *con, const char *args)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(commands); i++) {
        con_printf(con, "  %-8s %s\n", commands[i].name, commands[i].help);
    }
}

/* Run one shell line; returns the action for the machine. */
static enum sk_tty_action run_line(struct sk_tty *con, const char *line)
{
    while (*line == ' ') {
        line++;
    }
    if (*line == '\0') {
        return SK_TTY_NONE;
    }
    size_t n = strcspn(line, " ");
    const char *args = line + n + strspn(line + n, " ");
    for (size_t i = 0; i < SK_ARRAY_LEN(commands); i++) {
        if (strlen(commands[i].name) == n && strncmp(commands[i].name, line, n) == 0) {
            if (commands[i].run == NULL) {
                return SK_TTY_REBOOT;
            }
            commands[i].run(con, args);
            return SK_TTY_NONE;
        }
    }
    con_printf(con, "sh: %.*s: command not found\n", (int)n, line);
    return SK_TTY_NONE;
}

static enum sk_tty_action end_line(struct sk_tty *con)
{
    con_newline(con);
    if (!con->logged_in) {
        if (con->len == 0) {
            con_prompt(con);
            return SK_TTY_NONE;
        }
        snprintf(con->user, sizeof(con->user), "%.*s", SK_TTY_USER_MAX, con->line);
        con->logged_in = 1;
        con_printf(con, "Welcome to the sshkvm demo console, %s.\n", con->user);
        con_puts(con, "Type 'help' for the commands.\n\n");
        con_prompt(con);
        return SK_TTY_NONE;
    }
    char line[SK_TTY_LINE_MAX];
    memcpy(line, con->line, sizeof(line));
    enum sk_tty_action action = run_line(con, line);
    if (action == SK_TTY_NONE) {
        con_prompt(con);
    }
    return action;
}

enum sk_tty_action sk_tty_key(struct sk_tty *con, uint8_t usage, uint8_t mods, uint8_t locks)
{
    if (mods & SK_US_MOD_CTRL) {
        /* The terminal's control characters: interrupt, end of file, redraw. */
        if (usage == USAGE_C) {
            con_puts(con, "^C");
            con_newline(con);
            con_prompt(con);
        } else if (usage == USAGE_D && con->logged_in && con->len == 0) {
            con_newline(con);
            cmd_logout(con, "");
            con_prompt(con);
        } else if (usage == USAGE_L) {
            char line[SK_TTY_LINE_MAX];
            memcpy(line, con->line, sizeof(line));
            con_clear(con);
            con_prompt(con);
            memcpy(con->line, line, sizeof(line));
            con->len = strlen(line);
            con_puts(con, line);
        }
        return SK_TTY_NONE;
    }
    if (usage == SK_US_ENTER) {
        return end_line(con);
    }
    if (usage == SK_US_BACKSPACE) {
        if (con->len > 0) {
            con->line[--con->len] = '\0';
            con->col--;
            con->cells[con->row][con->col] = (struct sk_textcell){.ch = ' ', .attr = CON_ATTR};
        }
        return SK_TTY_NONE;
    }
    char ch = sk_uslayout_char(usage, mods, locks);
    /* The line stops at the screen's edge, so echo never wraps and Backspace never climbs a row. */
    if (ch != 0 && con->line_col + (int)con->len < SK_TEXT_COLS - 1 &&
        con->len < sizeof(con->line) - 1) {
        con->line[con->len++] = ch;
        con->line[con->len] = '\0';
        con_putc(con, ch);
    }
    return SK_TTY_NONE;
}

void sk_tty_draw(const struct sk_tty *con, struct sk_textscreen *screen)
{
    memcpy(screen->cells, con->cells, sizeof(screen->cells));
    screen->cursor_col = con->col;
    screen->cursor_row = con->row;
    screen->cursor_visible = 1;
}

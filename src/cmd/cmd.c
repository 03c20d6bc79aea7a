/*
 * cmd: script commands over ssh exec, with honest exit codes: the table of
 * commands and the dispatch.
 *
 * A command line arrives as one string (OpenSSH joins the client's
 * arguments with spaces). `type` takes the rest of the line verbatim, so
 * `ssh kvm@pi type 'a  b'` types both spaces; every other command's line is
 * split into words like sh (argv.c). One table names every command and
 * whether it sends input: the dispatch uses it to find the command, to ask
 * for control (policy/access) before an input command runs, and to write
 * the audit line. The input commands live in input.c, the screen commands
 * in screen.c, serial in serialcmd.c, media in mediacmd.c; status, web and help, a few lines
 * each, are here.
 */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/commands.h"
#include "cmd/argv.h"
#include "policy/access.h"
#include "policy/audit.h"
#include "policy/auth.h"
#include "policy/roster.h"

const char sk_cmd_usage[] =
    "usage: ssh kvm@HOST [COMMAND]\n"
    "  (no command)                 interactive console (use ssh -t); Ctrl+] opens the menu\n"
    "  type [--take] [--keymap NAME] TEXT  type TEXT on the target\n"
    "  key COMBO [COMBO ...]        press and release keys: key ctrl+alt+delete, key f2 enter\n"
    "  key --hold DURATION COMBO... hold keys down together: key --hold 3s f12 (at most 60s)\n"
    "  paste [--keymap NAME]        type standard input (newlines as Enter)\n"
    "  mouse move X Y               move the pointer to pixel X,Y of the screen (or X% Y%)\n"
    "  mouse click [BUTTON] [X Y]   click (left, right or middle) there, or where the pointer is\n"
    "  mouse X Y [click [BUTTON]]   the same, the older way\n"
    "  mouse scroll N               turn the wheel N notches (negative: down)\n"
    "  snapshot                     write the newest frame as JPEG to standard output\n"
    "  screen [--cols N] [--rows N] [--mode art|half|text|auto] [--colors 16|256|24bit]\n"
    "                               print the screen as colour character art\n"
    "  screen --text                print a text screen (BIOS, GRUB, console) as its characters\n"
    "  screen --text --json         the same as JSON: geometry, and each cell's colours, "
    "confidence\n"
    "  wait [--regex] [--timeout SECONDS] TEXT\n"
    "                               wait until TEXT is on the (text) screen: 0 seen, 1 timeout\n"
    "                               (default 30 s); TEXT is the remaining words joined by spaces\n"
    "  serial --list                list the serial ports: name, device, settings, state\n"
    "  serial [--take] --send NAME TEXT  write TEXT and a carriage return to port NAME\n"
    "  serial [--take] --break NAME send a break to port NAME\n"
    "  serial --log NAME [--since TIME] [--lines N]  port NAME's logged output, each line with\n"
    "                               its UTC time (TIME: 10m, 2h, 1d ago or 2026-12-05T04:30)\n"
    "  serial --wait NAME [--regex] [--timeout SECONDS] TEXT\n"
    "                               wait until TEXT is in NAME's output: 0 seen, 1 timeout\n"
    "  serial [--take] NAME         a raw pipe (no ssh -t): stdin to the port, its output to\n"
    "                               stdout, until the end of stdin; with ssh -t a terminal on\n"
    "                               the port (Ctrl+] for its menu); ssh -t kvm:NAME@host too\n"
    "  record [--seconds N] [--mode text|art|auto] [--cols N] [--rows N] [--fps N]\n"
    "                               the screen as an asciicast recording on stdout until\n"
    "                               interrupted (asciinema play FILE); text mode is greppable\n"
    "  media list [--json]          the boot-media images: name, size, SHA-256, inserted\n"
    "  media put NAME [--size N]    store standard input as image NAME; prints its SHA-256\n"
    "  media get NAME | rm NAME     write an image to standard output | remove it\n"
    "  media new NAME SIZE          a blank disk image (512M, 8G)\n"
    "  media insert NAME [--cdrom|--disk] [--rw]  present NAME to the target over USB\n"
    "  media eject                  take it away again\n"
    "  power [status] [--json]      the target's power (from its power LED) and disk activity\n"
    "  power on|off [--force]       press the power button (off --force holds it 5 s)\n"
    "  power reset | power cycle    press reset; or off (held), a pause, on\n"
    "  power wake                   send the Wake-on-LAN magic packet (--wol)\n"
    "  status                       print one line of JSON about the KVM\n"
    "  web                          print a one-time URL that logs a browser in (60 s, once)\n"
    "  mcp                          a Model Context Protocol server on stdin/stdout (docs/mcp.md)\n"
    "  help                         this text\n"
    "type, key, paste, mouse, power actions and writing to a serial port need control: with --take "
    "right\n"
    "after the command name they take it from whoever holds it; view-only keys are refused.\n"
    "each serial port has its own writer, apart from the keyboard's control (serial --take takes "
    "that port).\n"
    "exit status: 0 done, 1 failed (or refused), 2 usage error\n";

void sk_cmd_say(const struct sk_cmd_io *io, int to_err, const char *fmt, ...)
{
    struct sk_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    sk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (b.len > 0) {
        (to_err ? io->err : io->out)(io->ctx, b.data, b.len);
    }
    sk_buf_free(&b);
}

int sk_cmd_usage_error(const struct sk_cmd_io *io, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sk_cmd_say(io, 1, "sshkvm: %s\n%s", msg, sk_cmd_usage);
    return SK_CMD_USAGE;
}

int sk_cmd_cancelled(const struct sk_cmd_io *io)
{
    return io->cancelled != NULL && io->cancelled(io->ctx);
}

int sk_cmd_lost_control(struct sk_app *app, const struct sk_cmd_io *io, char *by, size_t bylen)
{
    /* Taken, not "held by another now": the taker may have come and gone already. */
    return app->roster != NULL && sk_roster_lost(app->roster, io->member, by, bylen) == 1;
}

static int cmd_status(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    if (argc > 1) {
        return sk_cmd_usage_error(io, "status: unexpected argument '%s'", argv[1]);
    }
    struct sk_buf b = {0};
    sk_app_status_json(app, &b);
    sk_buf_puts(&b, "\n");
    int rc = io->out(io->ctx, b.data, b.len) == 0 ? SK_CMD_OK : SK_CMD_FAIL;
    sk_buf_free(&b);
    return rc;
}

/*
 * A one-time login URL for this SSH key: the web session it opens records
 * the key's fingerprint, so what the browser may do can follow the key.
 */
static int cmd_web(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    if (argc > 1) {
        return sk_cmd_usage_error(io, "web: unexpected argument '%s'", argv[1]);
    }
    if (app->auth == NULL) {
        sk_cmd_say(io, 1, "sshkvm: the web side is off (--http-listen off)\n");
        return SK_CMD_FAIL;
    }
    char token[SK_AUTH_SECRET_LEN];
    if (sk_auth_issue_token(app->auth, io->identity ? io->identity : "unknown", io->role, token) !=
        0) {
        sk_cmd_say(io, 1, "sshkvm: no randomness available for a token\n");
        return SK_CMD_FAIL;
    }
    /* A wildcard listener is reached at whatever address this ssh client used. */
    const char *host = app->web_host    ? app->web_host
                       : io->local_addr ? io->local_addr
                                        : "127.0.0.1";
    int v6 = strchr(host, ':') != NULL;
    sk_cmd_say(io, 0, "%s://%s%s%s:%d/login?token=%s\n", app->web_scheme ? app->web_scheme : "http",
               v6 ? "[" : "", host, v6 ? "]" : "", app->web_port, token);
    sk_cmd_say(io, 1, "sshkvm: open this URL in a browser within %d s; it works once\n",
               sk_auth_token_ttl(app->auth));
    sk_wipe(token, sizeof(token));
    return SK_CMD_OK;
}

/* The usage text. */
static int cmd_help(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    io->out(io->ctx, sk_cmd_usage, strlen(sk_cmd_usage));
    return SK_CMD_OK;
}

/* The commands but type (whose text is taken apart from the rest of the line). */
static const struct command {
    const char *name;
    int (*run)(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
    int input; /* sends input to the target: needs control (--take) */
    /* How many words the audit names (NULL: all), for a command whose line holds text to send. */
    int (*audit_argc)(char **argv, int argc);
    /* Run instead of run by a command that also takes text from the line as received. */
    int (*run_line)(struct sk_app *app, const char *line, char **argv, int argc,
                    const struct sk_cmd_io *io);
} commands[] = {
    {.name = "key", .run = sk_input_key, .input = 1},
    {.name = "mouse", .run = sk_input_mouse, .input = 1},
    {.name = "paste", .run = sk_input_paste, .input = 1},
    {.name = "snapshot", .run = sk_screen_snapshot, .input = 0},
    {.name = "screen", .run = sk_screen_print, .input = 0},
    {.name = "wait", .run = sk_screen_wait, .input = 0},
    {.name = "serial", .run_line = sk_serialcmd_run, .audit_argc = sk_serialcmd_audit_argc},
    {.name = "record", .run = sk_record_run, .input = 0},
    {.name = "media", .run = sk_mediacmd_run, .input = 0},
    {.name = "power", .run = sk_powercmd_run, .input = 0}, /* asks for control itself */
    {.name = "status", .run = cmd_status, .input = 0},
    {.name = "web", .run = cmd_web, .input = 0},
    {.name = "help", .run = cmd_help, .input = 0},
    {.name = "--help", .run = cmd_help, .input = 0},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(commands); i++) {
        if (strcmp(name, commands[i].name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

/* Commands that send keys or clicks: they need the control role, and control. */
static int is_input_command(const char *name)
{
    const struct command *c = find_command(name);
    return c != NULL && c->input;
}

int sk_cmd_needs_control(struct sk_app *app, const char *cmd, int take, const struct sk_cmd_io *io)
{
    char msg[SK_ROSTER_NAME_LEN + 64];
    const struct sk_identity who = {io->member, io->role, io->name, io->addr};
    int rc = sk_app_input(app, &who, cmd, take, msg, sizeof(msg));
    if (rc == 0) {
        return 0;
    }
    sk_cmd_say(io, 1, "sshkvm: %s: %s%s\n", cmd, msg,
               rc == SK_ROSTER_HELD ? " (add --take after the command name to take control)" : "");
    return 1;
}

/*
 * One audit line for a command: its name and arguments, which for every
 * command but type (handled apart) are key names, positions, options,
 * numbers or, for wait, the text looked for on the screen: never text to
 * type. paste's text comes on stdin and is not seen; serial's line names
 * its options and port only (sk_serialcmd_audit_argc), never what it sends.
 */
static void audit_command(struct sk_app *app, char **argv, int argc, int take,
                          const struct sk_cmd_io *io)
{
    const struct command *c = find_command(argv[0]);
    if (c == NULL) {
        /* An unknown word may be anything, text included: name nothing. */
        sk_audit(app->audit, "command", io->name, io->addr, "cmd=unknown");
        return;
    }
    if (c->audit_argc != NULL) {
        argc = c->audit_argc(argv, argc);
    }
    struct sk_buf args = {0};
    for (int i = 1; i < argc && args.len < 200; i++) {
        sk_buf_printf(&args, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    char q[512];
    sk_audit(app->audit, "command", io->name, io->addr, "cmd=%s%s%s%s", argv[0],
             take ? " take=1" : "", args.len ? " args=" : "",
             args.len ? sk_audit_quote(args.data, q, sizeof(q)) : "");
    sk_buf_free(&args);
}

int sk_cmd_run(struct sk_app *app, const char *line, const struct sk_cmd_io *io)
{
    while (*line == ' ' || *line == '\t') {
        line++;
    }
    size_t wlen = strcspn(line, " \t\n");
    /* type keeps its text verbatim: everything after one separator. */
    if (wlen == 4 && strncmp(line, "type", 4) == 0) {
        const char *rest = line[4] ? line + 5 : "";
        int take = strncmp(rest, "--take", 6) == 0 && (rest[6] == ' ' || rest[6] == '\0');
        if (take) {
            rest += rest[6] ? 7 : 6;
        }
        /* The audit names the command and its keymap, never the text. */
        char km[64];
        int bad;
        sk_input_keymap_option(rest, km, sizeof(km), &bad);
        char q[2 * sizeof(km)];
        sk_audit(app->audit, "command", io->name, io->addr, "cmd=type%s%s%s", take ? " take=1" : "",
                 km[0] ? " keymap=" : "", km[0] ? sk_audit_quote(km, q, sizeof(q)) : "");
        if (sk_cmd_needs_control(app, "type", take, io) != 0) {
            return SK_CMD_FAIL;
        }
        return sk_input_type(app, rest, io);
    }
    char err[128];
    char **argv = NULL;
    int argc = sk_argv_split(line, &argv, err, sizeof(err));
    if (argc < 0) {
        return sk_cmd_usage_error(io, "%s", err);
    }
    int take = 0;
    if (argc >= 2 && strcmp(argv[1], "--take") == 0 && is_input_command(argv[0])) {
        take = 1;
        free(argv[1]);
        memmove(&argv[1], &argv[2], (size_t)(argc - 1) * sizeof(*argv)); /* the NULL too */
        argc--;
    }
    if (argc > 0) {
        audit_command(app, argv, argc, take, io);
    }
    int rc;
    if (argc > 0 && is_input_command(argv[0]) &&
        sk_cmd_needs_control(app, argv[0], take, io) != 0) {
        rc = SK_CMD_FAIL;
    } else if (argc == 0) {
        rc = sk_cmd_usage_error(io, "no command given");
    } else {
        const struct command *c = find_command(argv[0]);
        rc = c == NULL             ? sk_cmd_usage_error(io, "unknown command '%s'", argv[0])
             : c->run_line != NULL ? c->run_line(app, line, argv, argc, io)
                                   : c->run(app, argv, argc, io);
    }
    sk_argv_free(argv);
    return rc;
}

/*
 * commands: what the files of src/cmd/ share to run the script commands
 * (internal to src/cmd/: src/ssh and src/http use cmd/cmd.h).
 *
 * cmd.c owns the table of commands, the dispatch, control and the audit,
 * and the few helpers every command uses to answer (say, usage errors,
 * cancellation). input.c holds the commands that send keys and clicks,
 * screen.c those that read the screen. A command takes the shared app and
 * the client's sk_cmd_io, writes its output and messages through io, and
 * returns its exit status.
 */
#ifndef SK_COMMANDS_H
#define SK_COMMANDS_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

struct sk_app;
struct sk_cmd_io;

/* The exit statuses of every command. */
#define SK_CMD_OK 0    /* done */
#define SK_CMD_FAIL 1  /* failed, or refused */
#define SK_CMD_USAGE 2 /* usage error */

/* Write a formatted message to the client's stdout (to_err 0) or stderr (1). */
void sk_cmd_say(const struct sk_cmd_io *io, int to_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Say "sshkvm: MESSAGE" and the usage text on stderr; returns SK_CMD_USAGE. */
int sk_cmd_usage_error(const struct sk_cmd_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Nonzero when the client wants the command stopped (gone, Ctrl+C). */
int sk_cmd_cancelled(const struct sk_cmd_io *io);
/*
 * Has another session taken control from this client since it last asked
 * (while it was typing, pasting or holding keys)? 1 (the taker's name in
 * by), else 0 (also when no roster decides, or the mode is shared). Whoever took control already
 * had every key released: a command that lost it stops sending, and touches no key, so as not to
 * release the new holder's.
 */
int sk_cmd_lost_control(struct sk_app *app, const struct sk_cmd_io *io, char *by, size_t bylen);

/*
 * May this client send input now (keys, clicks, bytes to a serial port)?
 * 0, or 1 with the refusal said (view-only, or another holds control and
 * take is 0). cmd names the command in the message.
 */
int sk_cmd_needs_control(struct sk_app *app, const char *cmd, int take, const struct sk_cmd_io *io);

/*
 * The input commands (input.c). type takes the rest of the line after
 * "type " verbatim; the others take the words of the line, argv[0] the
 * command's name.
 */
int sk_input_type(struct sk_app *app, const char *rest, const struct sk_cmd_io *io);
int sk_input_key(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
int sk_input_paste(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
int sk_input_mouse(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);

/*
 * A leading "--keymap NAME" (or "--keymap=NAME", or "-- ") of type's
 * verbatim rest: copies NAME into name (empty when none) and returns where
 * the text starts; sets *bad (and returns rest) when NAME is missing or
 * longer than namelen - 1.
 */
const char *sk_input_keymap_option(const char *rest, char *name, size_t namelen, int *bad);

/*
 * What wait and serial --wait look for (match.c): [--regex] [--timeout
 * SECONDS] TEXT from argv[0..argc), TEXT the remaining words joined by one
 * space, a --regex compiled (REG_EXTENDED | REG_NEWLINE) after checking it
 * cannot take exponential time or huge memory.
 */
struct sk_match {
    int use_regex;
    double timeout_s; /* 30 unless --timeout, at most 86400 */
    int64_t timeout_ms;
    struct sk_buf needle; /* the text or the pattern */
    regex_t re;           /* compiled, with --regex */
};
/*
 * Parse into m; cmd names the command in errors ("wait"). Returns 0 (free
 * m with sk_match_free), or SK_CMD_USAGE said (nothing to free).
 */
int sk_match_parse(struct sk_match *m, const char *cmd, char **argv, int argc,
                   const struct sk_cmd_io *io);
/* Where m is in text: the start of the line holding it (its length in *line_len), or NULL. */
const char *sk_match_find(const struct sk_match *m, const char *text, size_t *line_len);
void sk_match_free(struct sk_match *m);

/* The screen commands (screen.c): snapshot, screen, wait. */
int sk_screen_snapshot(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
int sk_screen_print(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
int sk_screen_wait(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);

/*
 * serial (serialcmd.c): --list, --send, --wait and the raw pipe. line is
 * the command line as received (--send's text is the rest of it after the
 * port's name and one separator, verbatim, as type's is), argv its words,
 * argv[0] "serial". sk_serialcmd_audit_argc: how many of argv's words the
 * audit line may name (the options and the port, never the text).
 */
int sk_serialcmd_run(struct sk_app *app, const char *line, char **argv, int argc,
                     const struct sk_cmd_io *io);
int sk_serialcmd_audit_argc(char **argv, int argc);

/* record: the screen as an asciicast recording on stdout (recordcmd.c). */
int sk_record_run(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
/* media (mediacmd.c): list, put, get, rm, new, insert, eject; argv[0] "media". */
int sk_mediacmd_run(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
/*
 * The two ends of `media put`, shared with the web page's upload (http/mediaapi.c):
 * begin refuses an inserted name or what the store refuses; commit names the
 * image, audits it and says "SHA256  NAME" on io->out. Both SK_CMD_OK or
 * SK_CMD_FAIL with why on io->err; commit frees up either way.
 */
struct sk_upload;
int sk_mediacmd_put_begin(struct sk_app *app, const char *name, int64_t size, struct sk_upload **up,
                          const struct sk_cmd_io *io);
int sk_mediacmd_put_commit(struct sk_app *app, struct sk_upload *up, const char *name,
                           const struct sk_cmd_io *io);
/* The status JSON's ,"media":{...} (see sk_app_status_json). */
void sk_mediacmd_json(struct sk_app *app, struct sk_buf *out);
/*
 * power (powercmd.c): status, on, off, reset, cycle, wake; argv[0] "power". Every word is an
 * action or an option, so the audit names them all.
 */
int sk_powercmd_run(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);

#endif

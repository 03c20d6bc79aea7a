/*
 * cmd: script commands over ssh exec, with honest exit codes.
 *
 * A command line arrives as one string (OpenSSH joins the client's
 * arguments with spaces). `type` takes the rest of the line verbatim, so
 * `ssh kvm@pi type 'a  b'` types both spaces; every other command splits
 * its arguments like sh. Keys go to the shared sk_hid, which reports
 * whether the target read them; frames come from the hub.
 */
#include "cmd/cmd.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/access.h"
#include "cmd/app.h"
#include "policy/audit.h"
#include "video/frame.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "hid/keys.h"
#include "policy/auth.h"
#include "video/hub.h"
#include "video/image.h"
#include "video/jpeg.h"
#include "base/log.h"
#include "video/picture.h"
#include "policy/roster.h"
#include "term/render.h"
#include "text/textrec.h"
#include "base/util.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define PASTE_MAX (1024 * 1024)     /* bytes of stdin a paste accepts */
#define STROKES_PER_CHUNK 128       /* keystrokes queued and confirmed at a time */
#define PACED_CHUNKS_PER_S 20       /* with --paste-rate, chunks a second */
#define PROGRESS_MIN 1000           /* keystrokes from which a pty shows progress */
#define HOLD_MAX_MS 60000           /* the longest key --hold */
#define HOLD_POLL_MS 20             /* how often a hold checks for Ctrl+C */
#define CHUNK_TIMEOUT_MS 10000      /* for one chunk to reach the target */
#define FRAME_WAIT_MS 3000          /* for snapshot/screen before giving up */
#define WAIT_DEFAULT_S 30           /* wait's timeout unless --timeout */
#define WAIT_MAX_S 86400            /* the longest --timeout */
#define WAIT_POLL_MS 200            /* how long wait sleeps on the hub between checks */

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
    "  wait [--regex] [--timeout SECONDS] TEXT\n"
    "                               wait until TEXT is on the (text) screen: 0 seen, 1 timeout\n"
    "                               (default 30 s); TEXT is the remaining words joined by spaces\n"
    "  status                       print one line of JSON about the KVM\n"
    "  web                          print a one-time URL that logs a browser in (60 s, once)\n"
    "  help                         this text\n"
    "type, key, paste and mouse need control: with --take right after the command name\n"
    "they take it from whoever holds it; view-only keys are refused.\n"
    "exit status: 0 done, 1 failed (or refused), 2 usage error\n";

static void say(const struct sk_cmd_io *io, int to_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(const struct sk_cmd_io *io, int to_err, const char *fmt, ...)
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

static int usage_error(const struct sk_cmd_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const struct sk_cmd_io *io, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    say(io, 1, "sshkvm: %s\n%s", msg, sk_cmd_usage);
    return EXIT_USAGE;
}

int sk_cmd_split(const char *line, char ***argv_out, char *err, size_t errlen)
{
    size_t cap = 8, argc = 0;
    char **argv = xcalloc(cap, sizeof(*argv));
    const char *p = line;
    struct sk_buf word = {0};
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        sk_buf_reset(&word);
        sk_buf_reserve(&word, 1);
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (end == NULL) {
                    snprintf(err, errlen, "unclosed ' in command line");
                    goto fail;
                }
                sk_buf_append(&word, p + 1, (size_t)(end - p - 1));
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (*p == '\0') {
                        snprintf(err, errlen, "unclosed \" in command line");
                        goto fail;
                    }
                    /* Inside double quotes a backslash escapes only these, as in sh. */
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
                        p++;
                    }
                    sk_buf_append(&word, p, 1);
                    p++;
                }
                p++;
            } else if (*p == '\\' && p[1] != '\0') {
                sk_buf_append(&word, p + 1, 1);
                p += 2;
            } else {
                sk_buf_append(&word, p, 1);
                p++;
            }
        }
        if (argc + 2 > cap) {
            cap *= 2;
            argv = xrealloc(argv, cap * sizeof(*argv));
        }
        argv[argc++] = xstrndup(word.data, word.len);
        argv[argc] = NULL;
    }
    sk_buf_free(&word);
    *argv_out = argv;
    return (int)argc;
fail:
    sk_buf_free(&word);
    argv[argc] = NULL;
    sk_cmd_free_argv(argv);
    return -1;
}

void sk_cmd_free_argv(char **argv)
{
    if (argv == NULL) {
        return;
    }
    for (char **a = argv; *a != NULL; a++) {
        free(*a);
    }
    free(argv);
}

/* The keymap a command uses: --keymap, else the session's, else the server's. */
static struct sk_keymap *pick_keymap(struct sk_app *app, const char *name,
                                     const struct sk_cmd_io *io, int *owned)
{
    char err[256];
    if (name == NULL) {
        name = io->keymap;
    }
    *owned = 0;
    if (name == NULL || strcmp(name, sk_keymap_name(app->keymap)) == 0) {
        return app->keymap;
    }
    struct sk_keymap *km = sk_keymap_load(app->keymap_dir, name, err, sizeof(err));
    if (km == NULL) {
        say(io, 1, "sshkvm: %s\n", err);
        return NULL;
    }
    *owned = 1;
    return km;
}

static const char *hid_problem(struct sk_app *app)
{
    static _Thread_local char msg[400];
    struct sk_hid_status st;
    sk_hid_status(app->hid, &st);
    snprintf(msg, sizeof(msg), "%s", st.error[0] ? st.error : "the target is not reading keys");
    return msg;
}

static int cancelled(const struct sk_cmd_io *io)
{
    return io->cancelled != NULL && io->cancelled(io->ctx);
}

/* On a pty (ssh -t), a long paste shows how far it has got on stderr. */
static void progress(const struct sk_cmd_io *io, size_t done, size_t n, int64_t start_ms)
{
    if (io->cols == 0 || n < PROGRESS_MIN) {
        return;
    }
    double s = (double)(sk_now_ms() - start_ms) / 1000.0;
    say(io, 1, "\rsshkvm: typed %zu of %zu keystrokes (%zu%%), %.0f/s%s", done, n,
        done * 100 / n, s > 0 ? (double)done / s : 0.0, done == n ? "\r\n" : "");
}

/*
 * Send keystrokes in confirmed chunks, at most --paste-rate a second, and
 * stop (everything released) when the client cancels; 0, or EXIT_FAIL with a
 * message.
 */
static int send_strokes(struct sk_app *app, const struct sk_key *keys, size_t n,
                        const struct sk_cmd_io *io)
{
    int64_t start = sk_now_ms();
    size_t per_chunk = STROKES_PER_CHUNK;
    if (app->paste_rate > 0) {
        per_chunk = SK_MAX((size_t)1, SK_MIN(per_chunk, (size_t)app->paste_rate / PACED_CHUNKS_PER_S));
    }
    for (size_t done = 0; done < n;) {
        if (cancelled(io)) {
            sk_hid_release_all(app->hid);
            say(io, 1, "%ssshkvm: cancelled after %zu of %zu keystrokes; all keys released\n",
                io->cols ? "\r\n" : "", done, n);
            return EXIT_FAIL;
        }
        if (app->paste_rate > 0) {
            /* Wait until the keystrokes so far are due at this rate. */
            int64_t due = start + (int64_t)(done * 1000 / (size_t)app->paste_rate);
            int64_t now = sk_now_ms();
            if (due > now) {
                sk_sleep_ms(due - now);
            }
        }
        size_t chunk = SK_MIN(n - done, per_chunk);
        int rc = sk_hid_strokes(app->hid, keys + done, chunk, CHUNK_TIMEOUT_MS);
        if (rc == SK_E_BUSY) {
            /* Others are typing too: let the queue drain, then try again. */
            if (sk_hid_flush(app->hid, CHUNK_TIMEOUT_MS) == 0) {
                continue;
            }
        }
        if (rc != 0) {
            say(io, 1, "sshkvm: keys not delivered after %zu of %zu keystrokes: %s\n", done, n,
                rc == SK_E_CLOSED ? "sshkvm is shutting down" : hid_problem(app));
            return EXIT_FAIL;
        }
        done += chunk;
        progress(io, done, n, start);
    }
    return EXIT_OK;
}

/* The text comes out in the case asked for whatever the target's Caps Lock LED says. */
static void caps_lock_fix(struct sk_app *app, const struct sk_keymap *km, struct sk_key *keys,
                          size_t n)
{
    struct sk_hid_status st;
    sk_hid_status(app->hid, &st);
    if (st.leds & SK_LED_CAPS) {
        sk_keymap_caps_lock(km, keys, n);
    }
}

static int type_text(struct sk_app *app, const char *text, size_t len, const char *keymap,
                     const struct sk_cmd_io *io)
{
    int owned;
    struct sk_keymap *km = pick_keymap(app, keymap, io, &owned);
    if (km == NULL) {
        return EXIT_USAGE;
    }
    struct sk_key *keys = NULL;
    size_t n = 0;
    char err[512];
    int rc = EXIT_OK;
    if (sk_keymap_text(km, text, len, &keys, &n, err, sizeof(err)) != 0) {
        say(io, 1, "sshkvm: nothing typed: %s\n", err);
        rc = EXIT_FAIL;
    } else {
        caps_lock_fix(app, km, keys, n);
        rc = send_strokes(app, keys, n, io);
    }
    free(keys);
    if (owned) {
        sk_keymap_free(km);
    }
    return rc;
}

/* Parse a leading "--keymap NAME" (or "--keymap=NAME") off a verbatim remainder. */
static const char *take_keymap_option(const char *rest, char *name, size_t namelen, int *bad)
{
    *bad = 0;
    name[0] = '\0';
    if (strncmp(rest, "--keymap", 8) == 0 && (rest[8] == ' ' || rest[8] == '=')) {
        const char *p = rest + 9;
        while (*p == ' ') {
            p++;
        }
        size_t n = strcspn(p, " ");
        if (n == 0 || n >= namelen) {
            *bad = 1;
            return rest;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        return *p == ' ' ? p + 1 : p;
    }
    if (strncmp(rest, "-- ", 3) == 0) {
        return rest + 3;
    }
    return rest;
}

static int cmd_type(struct sk_app *app, const char *rest, const struct sk_cmd_io *io)
{
    char name[64];
    int bad;
    const char *text = take_keymap_option(rest, name, sizeof(name), &bad);
    if (bad) {
        return usage_error(io, "type: --keymap needs a keymap name");
    }
    if (*text == '\0') {
        return usage_error(io, "type: nothing to type");
    }
    return type_text(app, text, strlen(text), name[0] ? name : NULL, io);
}

static int cmd_paste(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    const char *keymap = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keymap") == 0 && i + 1 < argc) {
            keymap = argv[++i];
        } else if (strncmp(argv[i], "--keymap=", 9) == 0) {
            keymap = argv[i] + 9;
        } else {
            return usage_error(io, "paste: unexpected argument '%s'", argv[i]);
        }
    }
    struct sk_buf text = {0};
    char buf[16384];
    long n;
    while ((n = io->in(io->ctx, buf, sizeof(buf))) > 0) {
        if (text.len + (size_t)n > PASTE_MAX) {
            say(io, 1, "sshkvm: nothing typed: paste is larger than %d bytes\n", PASTE_MAX);
            sk_buf_free(&text);
            return EXIT_FAIL;
        }
        sk_buf_append(&text, buf, (size_t)n);
    }
    if (n < 0) {
        say(io, 1, "sshkvm: nothing typed: reading standard input failed\n");
        sk_buf_free(&text);
        return EXIT_FAIL;
    }
    int rc = EXIT_OK;
    if (text.len > 0) {
        rc = type_text(app, text.data, text.len, keymap, io);
    }
    sk_wipe(text.data, text.cap);
    sk_buf_free(&text);
    return rc;
}

/*
 * Hold keys down together for ms, then release them. A client that goes
 * away (or presses Ctrl+C) ends the hold early; either way nothing stays
 * pressed.
 */
static int hold_keys(struct sk_app *app, const struct sk_key *keys, size_t n, long ms,
                     const struct sk_cmd_io *io)
{
    int rc = 0;
    size_t down = 0;
    for (; down < n && rc == 0; down++) {
        rc = sk_hid_key_down(app->hid, keys[down].usage, keys[down].mods);
    }
    int64_t until = sk_now_ms() + ms;
    int stopped = 0;
    while (rc == 0 && sk_now_ms() < until) {
        if (cancelled(io)) {
            stopped = 1;
            break;
        }
        sk_sleep_ms(SK_MIN((int64_t)HOLD_POLL_MS, until - sk_now_ms()));
    }
    for (size_t i = down; i-- > 0;) {
        sk_hid_key_up(app->hid, keys[i].usage, keys[i].mods);
    }
    int frc = sk_hid_flush(app->hid, CHUNK_TIMEOUT_MS);
    if (rc == 0) {
        rc = frc;
    }
    if (rc != 0) {
        say(io, 1, "sshkvm: keys not held: %s\n",
            rc == SK_E_BUSY      ? "more than six keys, or the keyboard queue is full"
            : rc == SK_E_CLOSED ? "sshkvm is shutting down"
                                : hid_problem(app));
        return EXIT_FAIL;
    }
    if (stopped) {
        say(io, 1, "sshkvm: hold cancelled; keys released\n");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int cmd_key(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    int first = 1;
    long hold_ms = -1;
    if (argc >= 2 && strcmp(argv[1], "--hold") == 0) {
        if (argc < 3 || (hold_ms = (long)sk_parse_duration_ms(argv[2])) < 0 ||
            hold_ms > HOLD_MAX_MS) {
            return usage_error(io, "key --hold: '%s' is not a duration up to 60s (3s, 500ms)",
                               argc >= 3 ? argv[2] : "");
        }
        first = 3;
    }
    if (argc <= first) {
        return usage_error(io, "key: name at least one key, e.g. key ctrl+alt+delete");
    }
    size_t n = (size_t)(argc - first);
    struct sk_key *keys = xcalloc(n, sizeof(*keys));
    char err[256];
    for (size_t i = 0; i < n; i++) {
        if (sk_keys_parse_combo(argv[first + (int)i], &keys[i], err, sizeof(err)) != 0) {
            free(keys);
            return usage_error(io, "key: %s", err);
        }
    }
    int rc = hold_ms >= 0 ? hold_keys(app, keys, n, hold_ms, io) : send_strokes(app, keys, n, io);
    free(keys);
    return rc;
}

/* A coordinate: pixels of the captured frame ("120"), or a share of it ("50%"). */
static int parse_coord(const char *s, unsigned size, uint16_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0) {
        return -1;
    }
    double frac;
    if (strcmp(end, "%") == 0) {
        frac = v / 100.0;
    } else if (*end == '\0' && size > 1) {
        frac = v / (double)(size - 1);
    } else {
        return -1;
    }
    if (frac > 1.0) {
        return -1;
    }
    *out = (uint16_t)(frac * 32767.0 + 0.5);
    return 0;
}

static int parse_button(const char *s, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } buttons[] = {{"left", 0x01}, {"right", 0x02}, {"middle", 0x04}};
    for (size_t i = 0; i < SK_ARRAY_LEN(buttons); i++) {
        if (strcmp(s, buttons[i].name) == 0) {
            *out = buttons[i].bit;
            return 0;
        }
    }
    return -1;
}

/* X Y at argv[i], argv[i + 1]: a position on the captured screen. 0, or an exit status. */
static int take_position(struct sk_app *app, char **argv, int i, uint16_t *x, uint16_t *y,
                         const struct sk_cmd_io *io)
{
    struct sk_hub_stats hs;
    sk_hub_stats(app->hub, &hs);
    int pct = strchr(argv[i], '%') != NULL && strchr(argv[i + 1], '%') != NULL;
    if (!pct && hs.width == 0) {
        say(io, 1, "sshkvm: no frame yet to measure pixel positions against; use X%% Y%%\n");
        return EXIT_FAIL;
    }
    if (parse_coord(argv[i], hs.width, x) != 0 || parse_coord(argv[i + 1], hs.height, y) != 0) {
        return usage_error(io, "mouse: '%s %s' is not a position on the %ux%u screen", argv[i],
                           argv[i + 1], hs.width, hs.height);
    }
    return 0;
}

static int cmd_mouse(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    struct sk_hid_status st;
    sk_hid_status(app->hid, &st);
    uint16_t x = st.mouse_x, y = st.mouse_y;
    int8_t wheel = 0;
    uint8_t button = 0;
    int i = 1, moved = 0, click = 0, rc;
    if (argc == 4 && strcmp(argv[1], "move") == 0) {
        if ((rc = take_position(app, argv, 2, &x, &y, io)) != 0) {
            return rc;
        }
        moved = 1;
        i = 4;
    } else if (argc >= 2 && strcmp(argv[1], "click") == 0) {
        /* mouse click [BUTTON] [X Y] */
        click = 1;
        button = 0x01;
        i = 2;
        if (i < argc && parse_button(argv[i], &button) == 0) {
            i++;
        }
        if (i + 2 == argc) {
            if ((rc = take_position(app, argv, i, &x, &y, io)) != 0) {
                return rc;
            }
            moved = 1;
            i += 2;
        } else if (i < argc) {
            return usage_error(io, "mouse click: '%s' is not left, right, middle or X Y", argv[i]);
        }
    } else if (argc >= 3 && strcmp(argv[1], "scroll") == 0) {
        char *end;
        long n = strtol(argv[2], &end, 10);
        if (*end != '\0' || n < -127 || n > 127 || n == 0 || argc > 3) {
            return usage_error(io, "mouse scroll: '%s' is not a number from -127 to 127", argv[2]);
        }
        wheel = (int8_t)n;
        i = 3;
    } else if (argc >= 3) {
        if ((rc = take_position(app, argv, 1, &x, &y, io)) != 0) {
            return rc;
        }
        moved = 1;
        i = 3;
    }
    if (!click && i < argc && strcmp(argv[i], "click") == 0) {
        click = 1;
        button = 0x01;
        if (++i < argc && parse_button(argv[i++], &button) != 0) {
            return usage_error(io, "mouse click: '%s' is not left, right or middle", argv[i - 1]);
        }
    }
    if (i < argc || (!moved && !click && wheel == 0)) {
        return usage_error(io, "mouse: unexpected '%s'", i < argc ? argv[i] : "");
    }
    uint8_t held = st.buttons;
    rc = 0;
    if (moved || wheel != 0) {
        rc = sk_hid_mouse(app->hid, x, y, held, wheel);
    }
    if (rc == 0 && click) {
        rc = sk_hid_mouse(app->hid, x, y, held | button, 0);
        if (rc == 0) {
            rc = sk_hid_mouse(app->hid, x, y, held, 0);
        }
    }
    if (rc == 0) {
        rc = sk_hid_flush(app->hid, CHUNK_TIMEOUT_MS);
    }
    if (rc != 0) {
        say(io, 1, "sshkvm: mouse not delivered: %s\n",
            rc == SK_E_CLOSED ? "sshkvm is shutting down" : hid_problem(app));
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/*
 * The newest frame, captured after the request: the hub's current frame may
 * be old when capture idles without watchers, and a script asking for the
 * screen wants it as it is now.
 */
static struct sk_frame *wait_frame(struct sk_app *app, const struct sk_cmd_io *io)
{
    struct sk_frame *old = sk_hub_latest(app->hub);
    uint64_t seq = old ? old->seq : 0;
    sk_frame_unref(old);
    /* Registering as a watcher makes an idle capture produce frames. */
    sk_hub_watch(app->hub, 1);
    struct sk_frame *f = sk_hub_wait(app->hub, seq, FRAME_WAIT_MS);
    sk_hub_watch(app->hub, -1);
    if (f == NULL) {
        say(io, 1, "sshkvm: no frame from the capture source within %d ms\n", FRAME_WAIT_MS);
    }
    return f;
}

static int cmd_snapshot(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    if (argc > 1) {
        return usage_error(io, "snapshot: unexpected argument '%s'", argv[1]);
    }
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return EXIT_FAIL;
    }
    int rc = io->out(io->ctx, f->data, f->size) == 0 ? EXIT_OK : EXIT_FAIL;
    sk_frame_unref(f);
    return rc;
}

static int parse_dim(const char *s, unsigned max, unsigned *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > (long)max) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/*
 * The renderer positions rows with cursor moves; for a stream on stdout
 * plain lines are what a file or a pipe wants, so turn each move into a
 * line break.
 */
static void rows_to_lines(const struct sk_buf *in, struct sk_buf *out, const char *eol)
{
    const char *p = in->data, *end = in->data + in->len;
    int first = 1;
    while (p < end) {
        if (p[0] == '\033' && p + 1 < end && p[1] == '[') {
            const char *q = p + 2;
            while (q < end && (isdigit((unsigned char)*q) || *q == ';')) {
                q++;
            }
            if (q < end && *q == 'H') {
                if (!first) {
                    sk_buf_puts(out, eol);
                }
                first = 0;
                p = q + 1;
                continue;
            }
        }
        sk_buf_append(out, p, 1);
        p++;
    }
    sk_buf_puts(out, eol);
}

/*
 * Read frame f as a text screen into *r with rd's recogniser: decoded at
 * the size the largest text mode needs (smaller frames whole). Returns 0,
 * or -1 when the frame cannot be decoded or holds no mode at all.
 */
static int read_text(struct sk_render *rd, struct sk_jpeg_dec *dec, const struct sk_frame *f,
                     struct sk_image *img, struct sk_textrec_result *r)
{
    memset(r, 0, sizeof(*r));
    unsigned w = SK_MIN(f->width, SK_RENDER_TEXT_READ_W);
    unsigned h = SK_MIN(f->height, SK_RENDER_TEXT_READ_H);
    if (sk_picture_get(dec, f, w, h, img) != 0) {
        return -1;
    }
    return sk_render_read_text(rd, img, r);
}

static void say_not_text(const struct sk_cmd_io *io, const struct sk_textrec_result *r)
{
    if (r->mode) {
        say(io, 1,
            "sshkvm: the screen is not text (read as %s: %.0f%% of the cells fit, %u letters)\n",
            r->mode, r->confidence * 100, r->glyph_cells);
    } else {
        say(io, 1, "sshkvm: the screen is not text (too small for any text mode)\n");
    }
}

/* screen --text: the newest frame's characters, one line a row. */
static int screen_text(struct sk_app *app, const struct sk_cmd_io *io)
{
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_render *rd = sk_render_new();
    sk_render_set_text_fonts(rd, app->text_fonts, app->text_font_count);
    struct sk_image img = {0};
    struct sk_textrec_result r;
    if (read_text(rd, dec, f, &img, &r) != 0 || !r.is_text) {
        say_not_text(io, &r);
    } else {
        char *text = sk_textrec_utf8(&r);
        struct sk_buf out = {0};
        /* With a pty, the client's terminal wants CR LF. */
        for (const char *p = text; *p; p++) {
            if (*p == '\n' && io->cols) {
                sk_buf_puts(&out, "\r");
            }
            sk_buf_append(&out, p, 1);
        }
        rc = io->out(io->ctx, out.data ? out.data : "", out.len) == 0 ? EXIT_OK : EXIT_FAIL;
        sk_buf_free(&out);
        free(text);
    }
    sk_image_free(&img);
    sk_render_free(rd);
    sk_jpeg_dec_free(dec);
    sk_frame_unref(f);
    return rc;
}

/* Where needle is in the screen's text: the line holding it, or NULL. */
static const char *find_text(const char *text, const char *needle, const regex_t *re,
                             size_t *line_len)
{
    const char *at = NULL;
    regmatch_t m;
    if (re) {
        if (regexec(re, text, 1, &m, 0) == 0) {
            at = text + m.rm_so;
        }
    } else {
        at = strstr(text, needle);
    }
    if (at == NULL) {
        return NULL;
    }
    const char *start = at;
    while (start > text && start[-1] != '\n') {
        start--;
    }
    *line_len = strcspn(start, "\n");
    return start;
}

/*
 * wait [--regex] [--timeout SECONDS] TEXT: read every new frame as text
 * until TEXT shows (0, the line printed), the time is up (1) or the client
 * goes (1). A frame that is not text simply does not match.
 */
static int cmd_wait(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    int use_regex = 0;
    double timeout_s = WAIT_DEFAULT_S;
    struct sk_buf needle = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--regex") == 0) {
            use_regex = 1;
        } else if (strcmp(argv[i], "--timeout") == 0) {
            char *end = NULL;
            timeout_s = i + 1 < argc ? strtod(argv[i + 1], &end) : -1;
            if (i + 1 >= argc || *argv[i + 1] == '\0' || *end != '\0' || !(timeout_s > 0) ||
                timeout_s > WAIT_MAX_S) {
                sk_buf_free(&needle);
                return usage_error(io, "wait: --timeout needs seconds, more than 0 and at most %d",
                                   WAIT_MAX_S);
            }
            i++;
        } else if (strcmp(argv[i], "--") == 0) {
            for (i++; i < argc; i++) {
                sk_buf_printf(&needle, "%s%s", needle.len ? " " : "", argv[i]);
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-' && needle.len == 0) {
            sk_buf_free(&needle);
            return usage_error(io, "wait: unknown option '%s'", argv[i]);
        } else {
            sk_buf_printf(&needle, "%s%s", needle.len ? " " : "", argv[i]);
        }
    }
    if (needle.len == 0) {
        sk_buf_free(&needle);
        return usage_error(io, "wait: nothing to wait for");
    }
    regex_t re;
    if (use_regex) {
        int err = regcomp(&re, needle.data, REG_EXTENDED | REG_NEWLINE);
        if (err != 0) {
            char why[128];
            regerror(err, &re, why, sizeof(why));
            sk_buf_free(&needle);
            return usage_error(io, "wait: bad --regex: %s", why);
        }
    }
    int rc = EXIT_FAIL;
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_render *rd = sk_render_new();
    sk_render_set_text_fonts(rd, app->text_fonts, app->text_font_count);
    struct sk_image img = {0};
    int64_t deadline = sk_now_ms() + (int64_t)llround(timeout_s * 1000);
    uint64_t seq = 0;
    int seen_text = 0;
    sk_hub_watch(app->hub, 1);
    for (;;) {
        int64_t left = deadline - sk_now_ms();
        if (left <= 0 || cancelled(io)) {
            break;
        }
        struct sk_frame *f = sk_hub_wait(app->hub, seq, left < WAIT_POLL_MS ? (int)left : WAIT_POLL_MS);
        if (f == NULL) {
            continue;
        }
        seq = f->seq;
        struct sk_textrec_result r;
        if (read_text(rd, dec, f, &img, &r) == 0 && r.is_text) {
            seen_text = 1;
            char *text = sk_textrec_utf8(&r);
            size_t len = 0;
            const char *line = find_text(text, needle.data, use_regex ? &re : NULL, &len);
            if (line) {
                say(io, 0, "%.*s%s", (int)len, line, io->cols ? "\r\n" : "\n");
                rc = EXIT_OK;
            }
            free(text);
        }
        sk_frame_unref(f);
        if (rc == EXIT_OK) {
            break;
        }
    }
    sk_hub_watch(app->hub, -1);
    if (rc != EXIT_OK) {
        say(io, 1, "sshkvm: '%s' did not appear within %g s%s\n", needle.data, timeout_s,
            seen_text ? "" : " (no frame was a text screen)");
    }
    if (use_regex) {
        regfree(&re);
    }
    sk_image_free(&img);
    sk_render_free(rd);
    sk_jpeg_dec_free(dec);
    sk_buf_free(&needle);
    return rc;
}

static int cmd_screen(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--text") == 0) {
            if (argc > 2) {
                return usage_error(io, "screen: --text takes no other option");
            }
            return screen_text(app, io);
        }
    }
    unsigned cols = io->cols ? io->cols : 80;
    unsigned rows = io->rows ? io->rows : 24;
    struct sk_render_opts view;
    sk_render_opts_default(&view);
    for (int i = 1; i < argc; i++) {
        unsigned *dst = NULL;
        if (strcmp(argv[i], "--mode") == 0 || strcmp(argv[i], "--colors") == 0) {
            char why[160];
            if (i + 1 >= argc ||
                sk_render_opts_set(&view, argv[i] + 2, argv[i + 1], why, sizeof(why)) != 0 ||
                view.colors == 0) {
                return usage_error(io, "screen: %s needs %s", argv[i],
                                   argv[i][2] == 'm' ? "art, half, text or auto" : "16, 256 or 24bit");
            }
            i++;
            continue;
        }
        if (strcmp(argv[i], "--cols") == 0) {
            dst = &cols;
        } else if (strcmp(argv[i], "--rows") == 0) {
            dst = &rows;
        } else {
            return usage_error(io, "screen: unexpected argument '%s'", argv[i]);
        }
        if (i + 1 >= argc || parse_dim(argv[i + 1], 1000, dst) != 0) {
            return usage_error(io, "screen: %s needs a number from 1 to 1000", argv[i]);
        }
        i++;
    }
    struct sk_frame *f = wait_frame(app, io);
    if (f == NULL) {
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_render *r = sk_render_new();
    sk_render_set_opts(r, &view);
    sk_render_set_text_fonts(r, app->text_fonts, app->text_font_count);
    struct sk_image img = {0};
    struct sk_buf art = {0}, out = {0};
    unsigned w, h;
    sk_render_wanted_size_for(&view, cols, rows, f->width, f->height, &w, &h);
    if (sk_picture_get(dec, f, w, h, &img) != 0) {
        say(io, 1, "sshkvm: the newest frame is not a decodable JPEG\n");
    } else if (sk_render_ansi(r, &img, cols, rows, 0, &art) == 0) {
        rows_to_lines(&art, &out, io->cols ? "\r\n" : "\n");
        rc = io->out(io->ctx, out.data, out.len) == 0 ? EXIT_OK : EXIT_FAIL;
    }
    sk_buf_free(&art);
    sk_buf_free(&out);
    sk_image_free(&img);
    sk_render_free(r);
    sk_jpeg_dec_free(dec);
    sk_frame_unref(f);
    return rc;
}

static int cmd_status(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    if (argc > 1) {
        return usage_error(io, "status: unexpected argument '%s'", argv[1]);
    }
    struct sk_buf b = {0};
    sk_app_status_json(app, &b);
    sk_buf_puts(&b, "\n");
    int rc = io->out(io->ctx, b.data, b.len) == 0 ? EXIT_OK : EXIT_FAIL;
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
        return usage_error(io, "web: unexpected argument '%s'", argv[1]);
    }
    if (app->auth == NULL) {
        say(io, 1, "sshkvm: the web side is off (--http-listen off)\n");
        return EXIT_FAIL;
    }
    char token[SK_AUTH_SECRET_LEN];
    if (sk_auth_issue_token(app->auth, io->identity ? io->identity : "unknown", io->role,
                            token) != 0) {
        say(io, 1, "sshkvm: no randomness available for a token\n");
        return EXIT_FAIL;
    }
    /* A wildcard listener is reached at whatever address this ssh client used. */
    const char *host = app->web_host ? app->web_host : io->local_addr ? io->local_addr : "127.0.0.1";
    int v6 = strchr(host, ':') != NULL;
    say(io, 0, "%s://%s%s%s:%d/login?token=%s\n", app->web_scheme ? app->web_scheme : "http",
        v6 ? "[" : "", host, v6 ? "]" : "", app->web_port, token);
    say(io, 1, "sshkvm: open this URL in a browser within %d s; it works once\n",
        sk_auth_token_ttl(app->auth));
    sk_wipe(token, sizeof(token));
    return EXIT_OK;
}

/* The usage text. */
static int cmd_help(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    io->out(io->ctx, sk_cmd_usage, strlen(sk_cmd_usage));
    return EXIT_OK;
}

/* The commands but type (whose text is taken apart from the rest of the line). */
static const struct command {
    const char *name;
    int (*run)(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io);
    int input; /* sends input to the target: needs control (--take) */
} commands[] = {
    {"key", cmd_key, 1},           {"mouse", cmd_mouse, 1},   {"paste", cmd_paste, 1},
    {"snapshot", cmd_snapshot, 0}, {"screen", cmd_screen, 0}, {"wait", cmd_wait, 0},
    {"status", cmd_status, 0},     {"web", cmd_web, 0},       {"help", cmd_help, 0},
    {"--help", cmd_help, 0},
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

/* 0 when this client may send input now; else the refusal is said and 1 returned. */
static int needs_control(struct sk_app *app, const char *cmd, int take, const struct sk_cmd_io *io)
{
    char msg[SK_ROSTER_NAME_LEN + 64];
    const struct sk_identity who = {io->member, io->role, io->name, io->addr};
    int rc = sk_app_input(app, &who, cmd, take, msg, sizeof(msg));
    if (rc == 0) {
        return 0;
    }
    say(io, 1, "sshkvm: %s: %s%s\n", cmd, msg,
        rc == SK_ROSTER_HELD ? " (add --take after the command name to take control)" : "");
    return 1;
}

/*
 * One audit line for a command: its name and arguments, which for every
 * command but type (handled apart) are key names, positions, options,
 * numbers or, for wait, the text looked for on the screen: never text to
 * type. paste's text comes on stdin and is not seen.
 */
static void audit_command(struct sk_app *app, char **argv, int argc, int take,
                          const struct sk_cmd_io *io)
{
    if (find_command(argv[0]) == NULL) {
        /* An unknown word may be anything, text included: name nothing. */
        sk_audit(app->audit, "command", io->name, io->addr, "cmd=unknown");
        return;
    }
    struct sk_buf args = {0};
    for (int i = 1; i < argc && args.len < 200; i++) {
        sk_buf_printf(&args, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    /* Quotes inside would end the value early: they have no business in these words. */
    for (size_t i = 0; i < args.len; i++) {
        if (args.data[i] == '"' || args.data[i] == '\\') {
            args.data[i] = '?';
        }
    }
    sk_audit(app->audit, "command", io->name, io->addr, "cmd=%s%s%s%s%s", argv[0],
             take ? " take=1" : "", args.len ? " args=\"" : "", args.len ? args.data : "",
             args.len ? "\"" : "");
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
        take_keymap_option(rest, km, sizeof(km), &bad);
        sk_audit(app->audit, "command", io->name, io->addr, "cmd=type%s%s%s",
                 take ? " take=1" : "", km[0] ? " keymap=" : "", km);
        if (needs_control(app, "type", take, io) != 0) {
            return EXIT_FAIL;
        }
        return cmd_type(app, rest, io);
    }
    char err[128];
    char **argv = NULL;
    int argc = sk_cmd_split(line, &argv, err, sizeof(err));
    if (argc < 0) {
        return usage_error(io, "%s", err);
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
    if (argc > 0 && is_input_command(argv[0]) && needs_control(app, argv[0], take, io) != 0) {
        rc = EXIT_FAIL;
    } else if (argc == 0) {
        rc = usage_error(io, "no command given");
    } else {
        const struct command *c = find_command(argv[0]);
        rc = c != NULL ? c->run(app, argv, argc, io)
                       : usage_error(io, "unknown command '%s'", argv[0]);
    }
    sk_cmd_free_argv(argv);
    return rc;
}

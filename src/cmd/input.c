/*
 * input: the script commands that send input to the target: type, paste,
 * key (and key --hold) and mouse.
 *
 * Text (type's verbatim rest, paste's standard input) becomes keystrokes
 * through a keymap; key names become keystrokes through sk_keys; both go to
 * the shared sk_hid in chunks it confirms the target read, paced by
 * --paste-rate and stopped (all keys released) when the client cancels.
 * Mouse positions are pixels of the newest frame or shares of it, turned
 * into absolute pointer reports. Control was checked before these run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "policy/roster.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "hid/keys.h"
#include "video/hub.h"

#define PASTE_MAX (1024 * 1024) /* bytes of stdin a paste accepts */
#define STROKES_PER_CHUNK 128   /* keystrokes queued and confirmed at a time */
#define PACED_CHUNKS_PER_S 20   /* with --paste-rate, chunks a second */
#define PROGRESS_MIN 1000       /* keystrokes from which a pty shows progress */
#define HOLD_MAX_MS 60000       /* the longest key --hold */
#define HOLD_POLL_MS 20         /* how often a hold checks for Ctrl+C */
#define CHUNK_TIMEOUT_MS 10000  /* for one chunk to reach the target */

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
        sk_cmd_say(io, 1, "sshkvm: %s\n", err);
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

/* On a pty (ssh -t), a long paste shows how far it has got on stderr. */
static void progress(const struct sk_cmd_io *io, size_t done, size_t n, int64_t start_ms)
{
    if (io->cols == 0 || n < PROGRESS_MIN) {
        return;
    }
    double s = (double)(sk_now_ms() - start_ms) / 1000.0;
    sk_cmd_say(io, 1, "\rsshkvm: typed %zu of %zu keystrokes (%zu%%), %.0f/s%s", done, n,
               done * 100 / n, s > 0 ? (double)done / s : 0.0, done == n ? "\r\n" : "");
}

/*
 * Send keystrokes in confirmed chunks, at most --paste-rate a second, and
 * stop (everything released) when the client cancels; 0, or SK_CMD_FAIL with a
 * message.
 */
static int send_strokes(struct sk_app *app, const struct sk_key *keys, size_t n,
                        const struct sk_cmd_io *io)
{
    int64_t start = sk_now_ms();
    size_t per_chunk = STROKES_PER_CHUNK;
    if (app->paste_rate > 0) {
        per_chunk =
            SK_MAX((size_t)1, SK_MIN(per_chunk, (size_t)app->paste_rate / PACED_CHUNKS_PER_S));
    }
    for (size_t done = 0; done < n;) {
        char by[SK_ROSTER_NAME_LEN];
        if (sk_cmd_lost_control(app, io, by, sizeof(by))) {
            sk_cmd_say(io, 1,
                       "%ssshkvm: %s took control after %zu of %zu keystrokes; the rest "
                       "not sent\n",
                       io->cols ? "\r\n" : "", by, done, n);
            return SK_CMD_FAIL;
        }
        if (sk_cmd_cancelled(io)) {
            sk_hid_release_all(app->hid);
            sk_cmd_say(io, 1,
                       "%ssshkvm: cancelled after %zu of %zu keystrokes; all keys released\n",
                       io->cols ? "\r\n" : "", done, n);
            return SK_CMD_FAIL;
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
            sk_cmd_say(io, 1, "sshkvm: keys not delivered after %zu of %zu keystrokes: %s\n", done,
                       n, rc == SK_E_CLOSED ? "sshkvm is shutting down" : hid_problem(app));
            return SK_CMD_FAIL;
        }
        done += chunk;
        progress(io, done, n, start);
    }
    return SK_CMD_OK;
}

static int type_text(struct sk_app *app, const char *text, size_t len, const char *keymap,
                     const struct sk_cmd_io *io)
{
    int owned;
    struct sk_keymap *km = pick_keymap(app, keymap, io, &owned);
    if (km == NULL) {
        return SK_CMD_USAGE;
    }
    struct sk_key *keys = NULL;
    size_t n = 0;
    char err[512];
    int rc = SK_CMD_OK;
    if (sk_keymap_text(km, text, len, &keys, &n, err, sizeof(err)) != 0) {
        sk_cmd_say(io, 1, "sshkvm: nothing typed: %s\n", err);
        rc = SK_CMD_FAIL;
    } else {
        /* The text comes out in the case asked for whatever the target's Caps Lock LED says. */
        sk_hid_undo_caps_lock(app->hid, km, keys, n);
        rc = send_strokes(app, keys, n, io);
    }
    free(keys);
    if (owned) {
        sk_keymap_free(km);
    }
    return rc;
}

const char *sk_input_keymap_option(const char *rest, char *name, size_t namelen, int *bad)
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

int sk_input_type(struct sk_app *app, const char *rest, const struct sk_cmd_io *io)
{
    char name[64];
    int bad;
    const char *text = sk_input_keymap_option(rest, name, sizeof(name), &bad);
    if (bad) {
        return sk_cmd_usage_error(io, "type: --keymap needs a keymap name");
    }
    if (*text == '\0') {
        return sk_cmd_usage_error(io, "type: nothing to type");
    }
    return type_text(app, text, strlen(text), name[0] ? name : NULL, io);
}

int sk_input_paste(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    const char *keymap = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keymap") == 0 && i + 1 < argc) {
            keymap = argv[++i];
        } else if (strncmp(argv[i], "--keymap=", 9) == 0) {
            keymap = argv[i] + 9;
        } else {
            return sk_cmd_usage_error(io, "paste: unexpected argument '%s'", argv[i]);
        }
    }
    struct sk_buf text = {0};
    char buf[16384];
    long n;
    while ((n = io->in(io->ctx, buf, sizeof(buf))) > 0) {
        if (text.len + (size_t)n > PASTE_MAX) {
            sk_cmd_say(io, 1, "sshkvm: nothing typed: paste is larger than %d bytes\n", PASTE_MAX);
            sk_buf_free(&text);
            return SK_CMD_FAIL;
        }
        sk_buf_append(&text, buf, (size_t)n);
    }
    if (n < 0) {
        sk_cmd_say(io, 1, "sshkvm: nothing typed: reading standard input failed\n");
        sk_buf_free(&text);
        return SK_CMD_FAIL;
    }
    int rc = SK_CMD_OK;
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
    char by[SK_ROSTER_NAME_LEN] = "";
    while (rc == 0 && sk_now_ms() < until) {
        if (sk_cmd_lost_control(app, io, by, sizeof(by))) {
            /* The taker released everything already; releasing again could free its keys. */
            sk_cmd_say(io, 1, "sshkvm: %s took control; hold ended\n", by);
            return SK_CMD_FAIL;
        }
        if (sk_cmd_cancelled(io)) {
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
        sk_cmd_say(io, 1, "sshkvm: keys not held: %s\n",
                   rc == SK_E_BUSY     ? "more than six keys, or the keyboard queue is full"
                   : rc == SK_E_CLOSED ? "sshkvm is shutting down"
                                       : hid_problem(app));
        return SK_CMD_FAIL;
    }
    if (stopped) {
        sk_cmd_say(io, 1, "sshkvm: hold cancelled; keys released\n");
        return SK_CMD_FAIL;
    }
    return SK_CMD_OK;
}

int sk_input_key(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    int first = 1;
    long hold_ms = -1;
    if (argc >= 2 && strcmp(argv[1], "--hold") == 0) {
        if (argc < 3 || (hold_ms = (long)sk_parse_duration_ms(argv[2])) < 0 ||
            hold_ms > HOLD_MAX_MS) {
            return sk_cmd_usage_error(io,
                                      "key --hold: '%s' is not a duration up to 60s (3s, 500ms)",
                                      argc >= 3 ? argv[2] : "");
        }
        first = 3;
    }
    if (argc <= first) {
        return sk_cmd_usage_error(io, "key: name at least one key, e.g. key ctrl+alt+delete");
    }
    size_t n = (size_t)(argc - first);
    struct sk_key *keys = xcalloc(n, sizeof(*keys));
    char err[256];
    for (size_t i = 0; i < n; i++) {
        if (sk_keys_parse_combo(argv[first + (int)i], &keys[i], err, sizeof(err)) != 0) {
            free(keys);
            return sk_cmd_usage_error(io, "key: %s", err);
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
    /* Written so that NaN fails every test: "nan" and "inf" are not positions. */
    if (end == s || !(v >= 0)) {
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
    if (!(frac <= 1.0)) {
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
        sk_cmd_say(io, 1, "sshkvm: no frame yet to measure pixel positions against; use X%% Y%%\n");
        return SK_CMD_FAIL;
    }
    if (parse_coord(argv[i], hs.width, x) != 0 || parse_coord(argv[i + 1], hs.height, y) != 0) {
        return sk_cmd_usage_error(io, "mouse: '%s %s' is not a position on the %ux%u screen",
                                  argv[i], argv[i + 1], hs.width, hs.height);
    }
    return 0;
}

int sk_input_mouse(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
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
            return sk_cmd_usage_error(io, "mouse click: '%s' is not left, right, middle or X Y",
                                      argv[i]);
        }
    } else if (argc >= 3 && strcmp(argv[1], "scroll") == 0) {
        char *end;
        long n = strtol(argv[2], &end, 10);
        if (*end != '\0' || n < -127 || n > 127 || n == 0 || argc > 3) {
            return sk_cmd_usage_error(io, "mouse scroll: '%s' is not a number from -127 to 127",
                                      argv[2]);
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
            return sk_cmd_usage_error(io, "mouse click: '%s' is not left, right or middle",
                                      argv[i - 1]);
        }
    }
    if (i < argc || (!moved && !click && wheel == 0)) {
        return sk_cmd_usage_error(io, "mouse: unexpected '%s'", i < argc ? argv[i] : "");
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
        sk_cmd_say(io, 1, "sshkvm: mouse not delivered: %s\n",
                   rc == SK_E_CLOSED ? "sshkvm is shutting down" : hid_problem(app));
        return SK_CMD_FAIL;
    }
    return SK_CMD_OK;
}

/*
 * mcp: the Model Context Protocol over an ssh exec channel (stdio transport).
 *
 * The client's input is read into a buffer and cut into lines; each line is
 * one JSON-RPC message (rpc.c) answered by one line, in order. The session
 * follows MCP's lifecycle: initialize (the protocol revision negotiated: the
 * client's when this server speaks it, else the newest it speaks), then
 * notifications/initialized, then tools/list and tools/call; ping at any
 * time; anything else before initialize is refused.
 *
 * The tools are the script commands of src/cmd/: a call checks its arguments
 * against the tool's inputSchema (schema.c), builds the command line a
 * script would send (quoted as sh would, so the command's own parser reads
 * it back word for word) and runs it through sk_cmd_run with an sk_cmd_io
 * that captures what it writes. So the role, control (--take), the audit
 * line and every check are the commands' own; only the reading tools that
 * want more than a command prints (the screen as text with its geometry,
 * waiting for the screen to settle, a scaled screenshot) call the screen
 * code in cmd/ directly. A command's failure is a tool result with isError
 * and its message, never a dead session.
 *
 * While a call runs the client may still send lines: the capturing io's
 * cancel check reads whatever has arrived, without waiting, and a
 * notifications/cancelled naming the running request stops it, as the
 * client going (ssh killed) or ending its input does; a hold then releases
 * its keys at once, in the key command's own code.
 */
#include "mcp/mcp.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "mcp/rpc.h"
#include "mcp/schema.h"
#include "policy/audit.h"
#include "policy/roster.h"

#define MAX_LINE (8u << 20)   /* a 1 MiB paste escaped as JSON fits; longer lines are refused */
#define MAX_OUTPUT (4u << 20) /* what a command may print into one result */

static const char *const protocols[] = {SK_MCP_PROTOCOL, "2025-06-18", "2025-03-26", "2024-11-05"};

struct mcp {
    struct sk_app *app;
    const struct sk_cmd_io *io;
    struct sk_buf in; /* received, not yet handled; lines start at in.data */
    size_t scanned;   /* how far in has been looked through for cancellations */
    int eof;          /* the client ended its input */
    int gone;         /* the client went */
    int initialized;  /* initialize answered */
    json_t *running;  /* the id of the call in progress, or NULL */
    int cancel;       /* the client cancelled it */
};

/* ---- the client's input ---- */

/* Read what has come (waiting up to wait_ms for something); -1 once the client is gone. */
static int fill(struct mcp *m, int wait_ms)
{
    if (m->eof || m->gone) {
        return -1;
    }
    int ready = m->io->poll_in ? m->io->poll_in(m->io->ctx, wait_ms) : 1;
    if (ready < 0) {
        m->gone = 1;
        return -1;
    }
    if (ready == 0) {
        return 0;
    }
    char buf[16384];
    long n = m->io->in(m->io->ctx, buf, sizeof(buf));
    if (n < 0) {
        m->gone = 1;
        return -1;
    }
    if (n == 0) {
        m->eof = 1;
        return -1;
    }
    sk_buf_append(&m->in, buf, (size_t)n);
    return 1;
}

/* Drop the first n bytes of the input buffer. */
static void consume(struct mcp *m, size_t n)
{
    if (n == 0) {
        return; /* the buffer may not exist yet */
    }
    memmove(m->in.data, m->in.data + n, m->in.len - n);
    m->in.len -= n;
    m->scanned = m->scanned > n ? m->scanned - n : 0;
}

/* While a call runs: has the client cancelled it (or gone)? Reads without waiting. */
static int peek_cancel(struct mcp *m)
{
    while (!m->cancel && m->in.len < MAX_LINE && fill(m, 0) > 0) {
    }
    /* Only a cancellation or the client going stops a call: a client that ended its input
     * (a pipe) still wants the answer. */
    while (!m->cancel && m->scanned < m->in.len) {
        char *nl = memchr(m->in.data + m->scanned, '\n', m->in.len - m->scanned);
        if (nl == NULL) {
            break;
        }
        size_t start = m->scanned;
        m->scanned = (size_t)(nl - m->in.data) + 1;
        struct sk_rpc_msg msg;
        char err[160];
        if (sk_rpc_parse(m->in.data + start, (size_t)(nl - m->in.data) - start, &msg, err,
                         sizeof(err)) == 0 &&
            msg.kind == SK_RPC_NOTIFICATION && strcmp(msg.method, "notifications/cancelled") == 0 &&
            sk_rpc_same_id(json_object_get(msg.params, "requestId"), m->running)) {
            m->cancel = 1;
        }
        sk_rpc_msg_free(&msg);
    }
    return m->cancel || m->gone;
}

/* ---- running a command with its output captured ---- */

struct capture {
    struct mcp *m;
    struct sk_buf out, err;
    const char *stdin_data; /* what the command reads as its standard input (paste) */
    size_t stdin_len, stdin_pos;
};

static int cap_out(void *ctx, const void *data, size_t len)
{
    struct capture *c = ctx;
    if (c->out.len + len > MAX_OUTPUT) {
        return -1;
    }
    sk_buf_append(&c->out, data, len);
    return 0;
}

static int cap_err(void *ctx, const void *data, size_t len)
{
    struct capture *c = ctx;
    if (c->err.len + len <= MAX_OUTPUT) {
        sk_buf_append(&c->err, data, len);
    }
    return 0;
}

static long cap_in(void *ctx, void *buf, size_t len)
{
    struct capture *c = ctx;
    size_t n = SK_MIN(len, c->stdin_len - c->stdin_pos);
    memcpy(buf, c->stdin_data + c->stdin_pos, n);
    c->stdin_pos += n;
    return (long)n;
}

static int cap_poll_in(void *ctx, int timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
    return 1; /* the whole input is here, its end too */
}

static int cap_cancelled(void *ctx)
{
    struct capture *c = ctx;
    return peek_cancel(c->m) || (c->m->io->cancelled && c->m->io->cancelled(c->m->io->ctx));
}

static struct sk_cmd_io capture_io(struct capture *c)
{
    struct sk_cmd_io io = *c->m->io;
    io.ctx = c;
    io.out = cap_out;
    io.err = cap_err;
    io.in = cap_in;
    io.poll_in = cap_poll_in;
    io.cancelled = cap_cancelled;
    io.cols = 0;
    io.rows = 0;
    return io;
}

static void capture_free(struct capture *c)
{
    sk_buf_free(&c->out);
    sk_buf_free(&c->err);
}

/* Append s to line as one sh word: in single quotes, each ' as '\''. */
static void quote(struct sk_buf *line, const char *s)
{
    sk_buf_puts(line, " '");
    for (; *s; s++) {
        if (*s == '\'') {
            sk_buf_puts(line, "'\\''");
        } else {
            sk_buf_append(line, s, 1);
        }
    }
    sk_buf_puts(line, "'");
}

/* ---- tool results ---- */

static json_t *text_block(const char *text, size_t len)
{
    return json_pack("{s:s, s:s%}", "type", "text", "text", text ? text : "", text ? len : 0);
}

/* A result holding text (UTF-8 checked: a command's output may hold anything). */
static json_t *result_text(const char *text, size_t len, int is_error)
{
    json_t *block = text_block(text, len);
    if (block == NULL) {
        block = text_block("(the output is not UTF-8)", 25);
    }
    return json_pack("{s:[o], s:b}", "content", block, "isError", is_error);
}

static json_t *result_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *result_error(const char *fmt, ...)
{
    struct sk_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    sk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    json_t *r = result_text(b.data, b.len, 1);
    sk_buf_free(&b);
    return r;
}

/* A command's messages as a result: "sshkvm: " dropped, the usage text after a usage error too. */
static json_t *result_from(struct capture *c, int rc, const char *ok_text)
{
    if (rc == 0) {
        if (c->out.len > 0) {
            return result_text(c->out.data, c->out.len, 0);
        }
        return result_text(ok_text, strlen(ok_text), 0);
    }
    const char *e = c->err.len ? c->err.data : "failed";
    size_t len = c->err.len ? c->err.len : 6;
    const char *usage = c->err.len ? strstr(c->err.data, "\nusage:") : NULL;
    if (usage) {
        len = (size_t)(usage - e) + 1;
    }
    if (len >= 8 && strncmp(e, "sshkvm: ", 8) == 0) {
        e += 8;
        len -= 8;
    }
    return result_text(e, len, 1);
}

/* Run line as a script command with captured output (stdin: what paste reads). */
static json_t *run_line(struct mcp *m, const char *line, const char *in, size_t in_len,
                        const char *ok_text)
{
    struct capture c = {.m = m, .stdin_data = in ? in : "", .stdin_len = in ? in_len : 0};
    struct sk_cmd_io io = capture_io(&c);
    int rc = sk_cmd_run(m->app, line, &io);
    json_t *r = result_from(&c, rc, ok_text);
    capture_free(&c);
    return r;
}

/* ---- the tools ---- */

static const char *str(json_t *args, const char *key)
{
    return json_string_value(json_object_get(args, key));
}

static int flag(json_t *args, const char *key)
{
    return json_is_true(json_object_get(args, key));
}

static double num(json_t *args, const char *key, double dflt)
{
    json_t *v = json_object_get(args, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static json_t *tool_read_screen(struct mcp *m, json_t *args)
{
    struct capture c = {.m = m};
    struct sk_cmd_io io = capture_io(&c);
    struct sk_screen_text t;
    json_t *r;
    int cells = flag(args, "cells");
    if (sk_screen_read_text(m->app, &io, cells, &t) != 0) {
        r = result_from(&c, 1, NULL);
    } else {
        json_t *conf = json_array();
        for (unsigned y = 0; y < t.rows; y++) {
            json_array_append_new(conf, json_real((double)(int)(t.line_conf[y] * 1000) / 1000));
        }
        json_t *sc = json_pack("{s:s, s:i, s:i, s:s, s:f, s:{s:i, s:i}, s:o}", "text", t.text,
                               "cols", t.cols, "rows", t.rows, "mode", t.mode, "confidence",
                               (double)(int)(t.confidence * 1000) / 1000, "cursor", "col",
                               t.cursor_col, "row", t.cursor_row, "line_confidence", conf);
        /* The grid's geometry in the frame, rounded to hundredths of a pixel. */
        json_object_set_new(sc, "frame",
                            json_pack("{s:i, s:i}", "width", t.frame_w, "height", t.frame_h));
        json_object_set_new(sc, "cell_width", json_real(round(t.cell_w * 100) / 100));
        json_object_set_new(sc, "cell_height", json_real(round(t.cell_h * 100) / 100));
        json_object_set_new(sc, "origin_x", json_real(round(t.origin_x * 100) / 100));
        json_object_set_new(sc, "origin_y", json_real(round(t.origin_y * 100) / 100));
        json_object_set_new(sc, "palette", t.palette ? json_string(t.palette) : json_null());
        if (t.cells) {
            /* Each cell's colours and confidence: the rows of screen --text --json. */
            json_object_set(sc, "cells", t.cells);
        }
        r = json_pack("{s:[o], s:o}", "content", text_block(t.text, strlen(t.text)),
                      "structuredContent", sc);
        sk_screen_text_free(&t);
    }
    capture_free(&c);
    return r;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const uint8_t *p, size_t n)
{
    char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

static json_t *tool_screenshot(struct mcp *m, json_t *args)
{
    struct capture c = {.m = m};
    struct sk_cmd_io io = capture_io(&c);
    struct sk_buf jpeg = {0};
    unsigned w = 0, h = 0;
    json_t *r;
    if (sk_screen_snapshot_jpeg(m->app, &io, (unsigned)num(args, "max_width", 0), &jpeg, &w, &h) !=
        0) {
        r = result_from(&c, 1, NULL);
    } else {
        char *data = base64((const uint8_t *)jpeg.data, jpeg.len);
        r = json_pack("{s:[{s:s, s:s, s:s}], s:{s:i, s:i, s:i}}", "content", "type", "image",
                      "data", data, "mimeType", "image/jpeg", "structuredContent", "width", w,
                      "height", h, "bytes", (int)jpeg.len);
        free(data);
    }
    sk_buf_free(&jpeg);
    capture_free(&c);
    return r;
}

static json_t *tool_wait_for_text(struct mcp *m, json_t *args)
{
    struct sk_buf line = {0};
    sk_buf_printf(&line, "wait%s --timeout %g --", flag(args, "regex") ? " --regex" : "",
                  num(args, "timeout", 30));
    quote(&line, str(args, "text"));
    json_t *r = run_line(m, line.data, NULL, 0, "");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_wait_for_settle(struct mcp *m, json_t *args)
{
    struct capture c = {.m = m};
    struct sk_cmd_io io = capture_io(&c);
    int64_t quiet = (int64_t)num(args, "quiet_ms", 1000);
    int rc = sk_screen_wait_settle(m->app, &io, quiet, (int64_t)(num(args, "timeout", 10) * 1000));
    char msg[96];
    snprintf(msg, sizeof(msg), "the screen has not changed for %lld ms", (long long)quiet);
    json_t *r = result_from(&c, rc, msg);
    capture_free(&c);
    return r;
}

/* "NAME --take" and " --keymap NAME" as the commands take them. */
static void take_and_keymap(struct sk_buf *line, const char *name, json_t *args)
{
    sk_buf_puts(line, name);
    if (flag(args, "take")) {
        sk_buf_puts(line, " --take");
    }
    if (str(args, "keymap")) {
        sk_buf_puts(line, " --keymap");
        quote(line, str(args, "keymap"));
    }
}

static json_t *tool_type_text(struct mcp *m, json_t *args)
{
    /* type takes its text verbatim after the options: no quoting, "--" ends the options. */
    const char *km = str(args, "keymap");
    if (km && (strpbrk(km, " \t\n'") || km[0] == '\0')) {
        return result_error("'keymap': not a keymap name");
    }
    struct sk_buf line = {0};
    sk_buf_printf(&line, "type%s%s%s %s%s", flag(args, "take") ? " --take" : "",
                  km ? " --keymap " : "", km ? km : "", km ? "" : "-- ", str(args, "text"));
    json_t *r = run_line(m, line.data, NULL, 0, "typed");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_paste(struct mcp *m, json_t *args)
{
    struct sk_buf line = {0};
    take_and_keymap(&line, "paste", args);
    const char *text = str(args, "text");
    json_t *r = run_line(m, line.data, text, strlen(text), "pasted");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_keys(struct mcp *m, json_t *args, int hold)
{
    struct sk_buf line = {0};
    sk_buf_puts(&line, "key");
    if (flag(args, "take")) {
        sk_buf_puts(&line, " --take");
    }
    if (hold) {
        sk_buf_printf(&line, " --hold %lldms", (long long)num(args, "duration_ms", 1000));
    }
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(args, "keys"), i, k)
    {
        quote(&line, json_string_value(k));
    }
    json_t *r = run_line(m, line.data, NULL, 0, hold ? "held and released" : "pressed");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_press_keys(struct mcp *m, json_t *args)
{
    return tool_keys(m, args, 0);
}

static json_t *tool_hold_keys(struct mcp *m, json_t *args)
{
    return tool_keys(m, args, 1);
}

static json_t *tool_mouse(struct mcp *m, json_t *args)
{
    const char *action = str(args, "action");
    json_t *x = json_object_get(args, "x"), *y = json_object_get(args, "y");
    int pct = str(args, "unit") && strcmp(str(args, "unit"), "percent") == 0;
    struct sk_buf line = {0};
    sk_buf_printf(&line, "mouse%s %s", flag(args, "take") ? " --take" : "", action);
    if (strcmp(action, "scroll") == 0) {
        sk_buf_printf(&line, " %d", (int)num(args, "amount", 1));
    } else {
        if (strcmp(action, "click") == 0) {
            sk_buf_printf(&line, " %s", str(args, "button") ? str(args, "button") : "left");
        }
        if ((x == NULL) != (y == NULL) || (strcmp(action, "move") == 0 && x == NULL)) {
            sk_buf_free(&line);
            return result_error("'x' and 'y' come together (and move needs them)");
        }
        if (x != NULL) {
            sk_buf_printf(&line, " %g%s %g%s", json_number_value(x), pct ? "%" : "",
                          json_number_value(y), pct ? "%" : "");
        }
    }
    json_t *r = run_line(m, line.data, NULL, 0, "done");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_status(struct mcp *m, json_t *args)
{
    (void)args;
    struct capture c = {.m = m};
    struct sk_cmd_io io = capture_io(&c);
    int rc = sk_cmd_run(m->app, "status", &io);
    json_t *r = result_from(&c, rc, "");
    json_t *st = rc == 0 ? json_loadb(c.out.data, c.out.len, 0, NULL) : NULL;
    if (json_is_object(st)) {
        json_object_set_new(r, "structuredContent", st);
    } else {
        json_decref(st);
    }
    capture_free(&c);
    return r;
}

static json_t *tool_serial_list(struct mcp *m, json_t *args)
{
    (void)args;
    return run_line(m, "serial --list", NULL, 0, "(no serial ports)");
}

static json_t *tool_serial_send(struct mcp *m, json_t *args)
{
    const char *port = str(args, "port");
    if (strpbrk(port, " \t\n'\"\\")) {
        return result_error("'port': not a port name");
    }
    /* --send's text is the rest of the line after the port's name, verbatim. */
    struct sk_buf line = {0};
    sk_buf_printf(&line, "serial%s --send %s %s", flag(args, "take") ? " --take" : "", port,
                  str(args, "text"));
    json_t *r = run_line(m, line.data, NULL, 0, "sent");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_power_status(struct mcp *m, json_t *args)
{
    (void)args;
    return run_line(m, "power status", NULL, 0, "");
}

/* power on|off|reset|cycle|wake, as the command takes them (off and cycle with --force). */
static json_t *tool_power(struct mcp *m, json_t *args)
{
    struct sk_buf line = {0};
    sk_buf_printf(&line, "power%s %s%s", flag(args, "take") ? " --take" : "", str(args, "action"),
                  flag(args, "force") ? " --force" : "");
    json_t *r = run_line(m, line.data, NULL, 0, "done");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_media_list(struct mcp *m, json_t *args)
{
    (void)args;
    return run_line(m, "media list", NULL, 0, "(no images)");
}

static json_t *tool_media_insert(struct mcp *m, json_t *args)
{
    const char *mode = str(args, "mode");
    struct sk_buf line = {0};
    sk_buf_puts(&line, "media insert");
    if (flag(args, "take")) {
        sk_buf_puts(&line, " --take");
    }
    quote(&line, str(args, "name"));
    if (mode != NULL) {
        sk_buf_printf(&line, " --%s", mode);
    }
    if (flag(args, "rw")) {
        sk_buf_puts(&line, " --rw");
    }
    json_t *r = run_line(m, line.data, NULL, 0, "inserted");
    sk_buf_free(&line);
    return r;
}

static json_t *tool_media_eject(struct mcp *m, json_t *args)
{
    return run_line(m, flag(args, "take") ? "media eject --take" : "media eject", NULL, 0,
                    "ejected");
}

static json_t *tool_serial_wait(struct mcp *m, json_t *args)
{
    struct sk_buf line = {0};
    sk_buf_puts(&line, "serial --wait");
    quote(&line, str(args, "port"));
    sk_buf_printf(&line, "%s --timeout %g --", flag(args, "regex") ? " --regex" : "",
                  num(args, "timeout", 30));
    quote(&line, str(args, "text"));
    json_t *r = run_line(m, line.data, NULL, 0, "");
    sk_buf_free(&line);
    return r;
}

#define TAKE                                                                                       \
    "\"take\":{\"type\":\"boolean\",\"description\":\"take control from whoever holds it\"}"
#define KEYMAP                                                                                     \
    "\"keymap\":{\"type\":\"string\",\"maxLength\":63,\"description\":\"the target's keyboard "    \
    "layout (us, de, fr, ...); default: the session's\"}"
#define TIMEOUT                                                                                    \
    "\"timeout\":{\"type\":\"number\",\"minimum\":0,\"maximum\":86400,\"description\":\"seconds, " \
    "default 30\"}"
#define KEYS                                                                                       \
    "\"keys\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":64,\"items\":{\"type\":\"string\","  \
    "\"minLength\":1,\"maxLength\":64},\"description\":\"combos of US key positions: enter, f2, "  \
    "ctrl+alt+delete, shift+tab, up\"}"
#define OBJ(props, req)                                                                            \
    "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req                           \
    "],\"additionalProperties\":false}"

static const struct tool {
    const char *name;
    const char *description;
    const char *input_schema;  /* JSON */
    const char *output_schema; /* JSON, or NULL */
    int reads;                 /* only reads: a view-only key may call it */
    json_t *(*run)(struct mcp *m, json_t *args);
} tools[] = {
    {"read_screen",
     "Read the target's screen as text (BIOS setup, GRUB, a console, an installer): its characters "
     "one line a row, with the grid's size and place in the frame, the cursor, each line's "
     "recognition confidence and the palette; with cells, each row's characters' colours and "
     "confidence. An error when the screen is not text (then take a screenshot).",
     OBJ("\"cells\":{\"type\":\"boolean\",\"description\":\"also each cell's colours "
         "(#rrggbb) and confidence, a row at a time\"}",
         ""),
     OBJ("\"text\":{\"type\":\"string\"},\"cols\":{\"type\":\"integer\"},\"rows\":{\"type\":"
         "\"integer\"},\"mode\":{\"type\":\"string\"},\"confidence\":{\"type\":\"number\"},"
         "\"cursor\":{\"type\":\"object\",\"properties\":{\"col\":{\"type\":\"integer\"},\"row\":{"
         "\"type\":\"integer\"}}},\"line_confidence\":{\"type\":\"array\",\"items\":{\"type\":"
         "\"number\"}},\"frame\":{\"type\":\"object\",\"properties\":{\"width\":{\"type\":"
         "\"integer\"},\"height\":{\"type\":\"integer\"}}},\"cell_width\":{\"type\":\"number\"},"
         "\"cell_height\":{\"type\":\"number\"},\"origin_x\":{\"type\":\"number\"},\"origin_y\":{"
         "\"type\":\"number\"},\"palette\":{\"type\":[\"string\",\"null\"]},\"cells\":{\"type\":"
         "\"array\",\"items\":{\"type\":\"object\"}}",
         "\"text\",\"cols\",\"rows\",\"cursor\",\"line_confidence\""),
     1, tool_read_screen},
    {"screenshot",
     "The target's screen as a JPEG image, optionally scaled down to max_width pixels.",
     OBJ("\"max_width\":{\"type\":\"integer\",\"minimum\":16,\"maximum\":8192}", ""), NULL, 1,
     tool_screenshot},
    {"wait_for_text",
     "Wait until text (or, with regex, a POSIX extended regular expression matched within a line) "
     "is on the text screen; returns the line it is on. An error at the timeout.",
     OBJ("\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":512},\"regex\":{\"type\":"
         "\"boolean\"}," TIMEOUT,
         "\"text\""),
     NULL, 1, tool_wait_for_text},
    {"wait_for_settle",
     "Wait until the screen has stopped changing for quiet_ms milliseconds (after a key, a boot "
     "step). An error at the timeout (seconds, default 10).",
     OBJ("\"quiet_ms\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":60000},\"timeout\":{"
         "\"type\":\"number\",\"minimum\":0,\"maximum\":3600}",
         ""),
     NULL, 1, tool_wait_for_settle},
    {"type_text",
     "Type text on the target's keyboard through its layout (\\n is Enter). Nothing is typed when "
     "a character cannot be, and the error names it.",
     OBJ("\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":65536}," KEYMAP "," TAKE,
         "\"text\""),
     NULL, 0, tool_type_text},
    {"press_keys",
     "Press and release each key combination in turn: [\"f2\"], [\"ctrl+alt+delete\"], "
     "[\"down\",\"down\",\"enter\"].",
     OBJ(KEYS "," TAKE, "\"keys\""), NULL, 0, tool_press_keys},
    {"hold_keys",
     "Hold key combinations down together for duration_ms (at most 60000), then release them; "
     "released at once if the call is cancelled or the client goes.",
     OBJ(KEYS ",\"duration_ms\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":60000}," TAKE,
         "\"keys\",\"duration_ms\""),
     NULL, 0, tool_hold_keys},
    {"mouse",
     "Move the absolute mouse pointer, click (there, or where it is) or turn the wheel. x and y in "
     "pixels of the captured screen, or in percent with unit percent.",
     OBJ("\"action\":{\"type\":\"string\",\"enum\":[\"move\",\"click\",\"scroll\"]},\"x\":{"
         "\"type\":"
         "\"number\",\"minimum\":0,\"maximum\":65535},\"y\":{\"type\":\"number\",\"minimum\":0,"
         "\"maximum\":65535},\"unit\":{\"type\":"
         "\"string\",\"enum\":[\"px\",\"percent\"]},\"button\":{\"type\":\"string\",\"enum\":["
         "\"left\",\"right\",\"middle\"]},\"amount\":{\"type\":\"integer\",\"minimum\":-100,"
         "\"maximum\":100}," TAKE,
         "\"action\""),
     NULL, 0, tool_mouse},
    {"paste",
     "Type a longer text (up to 1 MiB) as a paste: newlines as Enter, paced for the target.",
     OBJ("\"text\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":1048576}," KEYMAP "," TAKE,
         "\"text\""),
     NULL, 0, tool_paste},
    {"status",
     "The KVM's state: video source, resolution, signal, keyboard sink, LEDs, who is connected and "
     "who has control, serial ports, boot media, power.",
     OBJ("", ""), NULL, 1, tool_status},
    {"serial_list", "The serial ports: name, device, settings, state.", OBJ("", ""), NULL, 1,
     tool_serial_list},
    {"serial_send", "Write text and a carriage return to a serial port.",
     OBJ("\"port\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64},\"text\":{\"type\":"
         "\"string\",\"maxLength\":65536}," TAKE,
         "\"port\",\"text\""),
     NULL, 0, tool_serial_send},
    {"serial_wait",
     "Wait until text (or a regex) appears in a serial port's output from now on; returns the "
     "line.",
     OBJ("\"port\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64},\"text\":{\"type\":"
         "\"string\",\"minLength\":1,\"maxLength\":512},\"regex\":{\"type\":\"boolean\"}," TIMEOUT,
         "\"port\",\"text\""),
     NULL, 1, tool_serial_wait},
    {"power_status", "The target's power (from its power LED) and disk activity (--power-gpio).",
     OBJ("", ""), NULL, 1, tool_power_status},
    {"power",
     "Press the target's power or reset button, or send Wake-on-LAN: on, off (force: hold 5 s), "
     "reset, cycle (off, a pause, on), wake. on when it is on (off when off) does nothing unless "
     "force.",
     OBJ("\"action\":{\"type\":\"string\",\"enum\":[\"on\",\"off\",\"reset\",\"cycle\",\"wake\"]},"
         "\"force\":{\"type\":\"boolean\"}," TAKE,
         "\"action\""),
     NULL, 0, tool_power},
    {"media_list", "The boot-media images on the KVM: name, size, SHA-256, which is inserted.",
     OBJ("", ""), NULL, 1, tool_media_list},
    {"media_insert",
     "Present a stored image to the target as a USB CD-ROM or disk (read-only unless rw); eject "
     "first if another is inserted.",
     OBJ("\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255},\"mode\":{\"type\":"
         "\"string\",\"enum\":[\"cdrom\",\"disk\"]},\"rw\":{\"type\":\"boolean\"}," TAKE,
         "\"name\""),
     NULL, 0, tool_media_insert},
    {"media_eject", "Take the inserted image away from the target.", OBJ(TAKE, ""), NULL, 0,
     tool_media_eject},
};

static json_t *schema_json(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL) {
        /* The schemas are this file's constants: a broken one is a bug test_mcp_rpc finds. */
        sk_log(SK_LOG_ERROR, "mcp", "a tool schema does not parse: %s", je.text);
        abort();
    }
    return j;
}

static const struct tool *find_tool(const char *name)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(tools); i++) {
        if (strcmp(tools[i].name, name) == 0) {
            return &tools[i];
        }
    }
    return NULL;
}

/* ---- the methods ---- */

static json_t *do_initialize(struct mcp *m, json_t *params)
{
    const char *asked = json_string_value(json_object_get(params, "protocolVersion"));
    const char *version = protocols[0];
    for (size_t i = 0; asked && i < SK_ARRAY_LEN(protocols); i++) {
        if (strcmp(asked, protocols[i]) == 0) {
            version = protocols[i];
        }
    }
    m->initialized = 1;
    return json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s}, s:s}", "protocolVersion", version,
                     "capabilities", "tools", "listChanged", 0, "serverInfo", "name", "sshkvm",
                     "version", "1", "instructions",
                     "The target computer's screen, keyboard and mouse. Read the screen with "
                     "read_screen (text, cheap) before screenshot; after keys, wait_for_text or "
                     "wait_for_settle.");
}

static json_t *do_tools_list(struct mcp *m)
{
    json_t *list = json_array();
    for (size_t i = 0; i < SK_ARRAY_LEN(tools); i++) {
        const struct tool *t = &tools[i];
        if (!t->reads && m->io->role == SK_ROLE_VIEW) {
            continue; /* a view-only key sees only the reading tools */
        }
        json_t *o = json_pack("{s:s, s:s, s:o, s:{s:b, s:b}}", "name", t->name, "description",
                              t->description, "inputSchema", schema_json(t->input_schema),
                              "annotations", "readOnlyHint", t->reads, "openWorldHint", 0);
        if (t->output_schema) {
            json_object_set_new(o, "outputSchema", schema_json(t->output_schema));
        }
        json_array_append_new(list, o);
    }
    return json_pack("{s:o}", "tools", list);
}

/* tools/call: a result, or NULL with *code and msg for a protocol error (an unknown tool, bad
 * arguments). */
static json_t *do_tools_call(struct mcp *m, json_t *params, int *code, char *msg, size_t msglen)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    json_t *args = json_object_get(params, "arguments");
    if (name == NULL) {
        *code = SK_RPC_INVALID_PARAMS;
        snprintf(msg, msglen, "tools/call needs the tool's name");
        return NULL;
    }
    const struct tool *t = find_tool(name);
    char q[160];
    if (t == NULL) {
        *code = SK_RPC_INVALID_PARAMS;
        snprintf(msg, msglen, "unknown tool: %.60s", name);
        sk_audit(m->app->audit, "command", m->io->name, m->io->addr, "cmd=mcp tool=unknown");
        return NULL;
    }
    json_t *empty = NULL;
    if (args == NULL) {
        args = empty = json_object();
    }
    json_t *schema = schema_json(t->input_schema);
    char why[256];
    int bad = sk_schema_check(schema, args, why, sizeof(why));
    json_decref(schema);
    json_t *r = NULL;
    if (bad) {
        *code = SK_RPC_INVALID_PARAMS;
        snprintf(msg, msglen, "%s: invalid arguments: %.200s", t->name, why);
    } else if (!t->reads && m->io->role == SK_ROLE_VIEW) {
        /* Refused here, not only by the command it would run: tools/list never offered it. */
        sk_audit(m->app->audit, "refused", m->io->name, m->io->addr, "what=%s reason=view-only",
                 sk_audit_quote(t->name, q, sizeof(q)));
        r = result_error("%s: refused: view-only key", t->name);
    } else {
        /* The tool's name only: its arguments may hold text to type. */
        sk_audit(m->app->audit, "command", m->io->name, m->io->addr, "cmd=mcp tool=%s",
                 sk_audit_quote(t->name, q, sizeof(q)));
        r = t->run(m, args);
    }
    json_decref(empty);
    return r;
}

/* Handle one line; the answer (or NULL for none) to send. */
static char *handle(struct mcp *m, const char *line, size_t len)
{
    struct sk_rpc_msg msg;
    char err[256];
    int code = sk_rpc_parse(line, len, &msg, err, sizeof(err));
    char *answer = NULL;
    if (code != 0) {
        answer = sk_rpc_error(msg.id, code, err);
    } else if (msg.kind != SK_RPC_REQUEST) {
        /* Notifications (initialized, cancelled for a call already answered) and responses need
         * nothing from us. */
    } else if (strcmp(msg.method, "initialize") == 0) {
        if (!json_is_string(json_object_get(msg.params, "protocolVersion"))) {
            answer =
                sk_rpc_error(msg.id, SK_RPC_INVALID_PARAMS, "initialize needs protocolVersion");
        } else {
            answer = sk_rpc_result(msg.id, do_initialize(m, msg.params));
        }
    } else if (strcmp(msg.method, "ping") == 0) {
        answer = sk_rpc_result(msg.id, json_object());
    } else if (!m->initialized) {
        answer = sk_rpc_error(msg.id, SK_RPC_INVALID_REQUEST, "initialize first");
    } else if (strcmp(msg.method, "tools/list") == 0) {
        answer = sk_rpc_result(msg.id, do_tools_list(m));
    } else if (strcmp(msg.method, "tools/call") == 0) {
        m->running = msg.id;
        m->cancel = 0;
        char why[320] = "internal error";
        code = SK_RPC_INTERNAL_ERROR;
        json_t *r = do_tools_call(m, msg.params, &code, why, sizeof(why));
        /* A cancelled call gets no answer (the client has forgotten it). */
        if (m->cancel) {
            json_decref(r);
        } else if (r == NULL) {
            answer = sk_rpc_error(msg.id, code, why);
        } else {
            answer = sk_rpc_result(msg.id, r);
        }
        m->running = NULL;
        m->cancel = 0;
    } else {
        snprintf(err, sizeof(err), "method not found: %.60s", msg.method);
        answer = sk_rpc_error(msg.id, SK_RPC_METHOD_NOT_FOUND, err);
    }
    sk_rpc_msg_free(&msg);
    return answer;
}

/*
 * One answer and its newline in one write: two writes would leave the newline waiting
 * behind the client's delayed acknowledgement (Nagle's algorithm on a channel without a pty).
 */
static int send_line(struct mcp *m, const char *answer)
{
    struct sk_buf b = {0};
    sk_buf_puts(&b, answer);
    sk_buf_puts(&b, "\n");
    int rc = m->io->out(m->io->ctx, b.data, b.len);
    sk_buf_free(&b);
    return rc;
}

int sk_mcp_run(struct sk_app *app, const struct sk_cmd_io *io)
{
    struct mcp m = {.app = app, .io = io};
    sk_audit(app->audit, "command", io->name, io->addr, "cmd=mcp");
    int skipping = 0; /* inside a line too long to take, until its end */
    size_t at = 0;    /* the input before this has been handled (dropped in one move, later) */
    for (;;) {
        char *nl = m.in.len > at ? memchr(m.in.data + at, '\n', m.in.len - at) : NULL;
        if (nl == NULL) {
            /* Drop the lines handled in one move: one per line would cost the square of the
             * input's size (8 MiB of empty lines sent during a long call). */
            consume(&m, at);
            at = 0;
            if (m.in.len >= MAX_LINE) {
                if (!skipping) {
                    char *a = sk_rpc_error(NULL, SK_RPC_PARSE_ERROR, "message too long");
                    send_line(&m, a);
                    free(a);
                }
                skipping = 1;
                consume(&m, m.in.len);
            }
            if (m.eof && m.in.len > 0 && !skipping) {
                sk_buf_append(&m.in, "\n", 1); /* the last line, unended */
                continue;
            }
            if (m.eof || m.gone) {
                break;
            }
            fill(&m, 1000);
            continue;
        }
        const char *line = m.in.data + at;
        size_t len = (size_t)(nl - line);
        /* A call's cancellations are looked for after its own line. */
        m.scanned = SK_MAX(m.scanned, at + len + 1);
        if (!skipping) {
            /* A CR before the newline is tolerated; blank lines are skipped. */
            size_t l = len && line[len - 1] == '\r' ? len - 1 : len;
            char *answer = l ? handle(&m, line, l) : NULL;
            if (answer != NULL) {
                int rc = send_line(&m, answer);
                free(answer);
                if (rc != 0) {
                    m.gone = 1;
                    break;
                }
            }
        }
        skipping = 0;
        at += len + 1;
    }
    sk_buf_free(&m.in);
    return m.gone ? 1 : 0;
}

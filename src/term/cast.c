/*
 * cast: a terminal's output as an asciicast v2 recording (see cast.h).
 *
 * Each line is built in a buffer, checked against the size bound and
 * written in one call. Output text is made valid UTF-8 on the way: a
 * sequence cut at the end of one write waits (at most 3 bytes) for the
 * next, an invalid byte becomes U+FFFD, and JSON's specials and control
 * characters are escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "term/cast.h"

#define CAST_MIN_BOUND 1024u /* room for the header and the last marker */
#define CAST_END_ROOM 160u   /* kept back for the marker that says the bound was reached */

struct sk_cast {
    struct sk_cast_opts o;
    uint64_t written;
    double last_t;
    int ended;
    uint8_t tail[4]; /* the start of a UTF-8 sequence cut by the end of a write */
    size_t ntail;
    struct sk_buf line;
};

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Append bytes as the inside of a JSON string, valid UTF-8; a cut sequence at the end is left. */
static size_t json_text(struct sk_buf *b, const uint8_t *s, size_t len, int final)
{
    size_t i = 0;
    while (i < len) {
        uint8_t ch = s[i];
        if (ch < 0x80) {
            if (ch == '"' || ch == '\\') {
                sk_buf_printf(b, "\\%c", ch);
            } else if (ch == '\n') {
                sk_buf_puts(b, "\\n");
            } else if (ch == '\r') {
                sk_buf_puts(b, "\\r");
            } else if (ch < 0x20 || ch == 0x7f) {
                sk_buf_printf(b, "\\u%04x", ch);
            } else {
                sk_buf_append(b, &ch, 1);
            }
            i++;
            continue;
        }
        uint32_t cp;
        int n = sk_utf8_decode(s + i, len - i, &cp);
        if (n == SK_PARSE_PARTIAL && !final) {
            break; /* the rest of the sequence comes with the next write */
        }
        if (n <= 0) {
            sk_buf_puts(b, replacement);
            i++;
            continue;
        }
        sk_buf_append(b, s + i, (size_t)n);
        i += (size_t)n;
    }
    return i;
}

static void json_cstring(struct sk_buf *b, const char *s)
{
    sk_buf_puts(b, "\"");
    json_text(b, (const uint8_t *)s, strlen(s), 1);
    sk_buf_puts(b, "\"");
}

/* Write the line built in c->line, unless it would pass the bound (then the last marker). */
static int emit(struct sk_cast *c, int is_end_marker)
{
    if (c->ended) {
        return -1;
    }
    uint64_t room = c->o.max_bytes ? c->o.max_bytes - (is_end_marker ? 0 : CAST_END_ROOM) : 0;
    if (c->o.max_bytes && c->written + c->line.len > room) {
        if (is_end_marker) {
            c->ended = 1;
            return -1;
        }
        sk_buf_reset(&c->line);
        sk_buf_printf(&c->line, "[%.6f, \"m\", ", c->last_t);
        char label[96];
        snprintf(label, sizeof(label), "recording stopped: size bound of %llu bytes reached",
                 (unsigned long long)c->o.max_bytes);
        json_cstring(&c->line, label);
        sk_buf_puts(&c->line, "]\n");
        emit(c, 1);
        c->ended = 1;
        return -1;
    }
    if (c->o.write(c->o.ctx, c->line.data, c->line.len) != 0) {
        c->ended = 1;
        return -1;
    }
    c->written += c->line.len;
    return 0;
}

/* Start an event line at time t (kept from going backwards). */
static void event_start(struct sk_cast *c, double t, const char *type)
{
    if (t < c->last_t) {
        t = c->last_t;
    }
    c->last_t = t;
    sk_buf_reset(&c->line);
    sk_buf_printf(&c->line, "[%.6f, \"%s\", \"", t, type);
}

struct sk_cast *sk_cast_new(const struct sk_cast_opts *o)
{
    struct sk_cast *c = xcalloc(1, sizeof(*c));
    c->o = *o;
    c->o.title = NULL; /* borrowed only while the header is written */
    c->o.term = NULL;
    if (c->o.max_bytes && c->o.max_bytes < CAST_MIN_BOUND) {
        c->o.max_bytes = CAST_MIN_BOUND;
    }
    sk_buf_printf(&c->line, "{\"version\": 2, \"width\": %u, \"height\": %u, \"timestamp\": %lld",
                  o->cols, o->rows, (long long)o->timestamp);
    if (o->title != NULL) {
        sk_buf_puts(&c->line, ", \"title\": ");
        json_cstring(&c->line, o->title);
    }
    if (o->term != NULL) {
        sk_buf_puts(&c->line, ", \"env\": {\"TERM\": ");
        json_cstring(&c->line, o->term);
        sk_buf_puts(&c->line, "}");
    }
    sk_buf_puts(&c->line, "}\n");
    emit(c, 0);
    return c;
}

void sk_cast_free(struct sk_cast *c)
{
    if (c == NULL) {
        return;
    }
    if (c->ntail > 0 && !c->ended) {
        event_start(c, c->last_t, "o");
        json_text(&c->line, c->tail, c->ntail, 1);
        sk_buf_puts(&c->line, "\"]\n");
        emit(c, 0);
    }
    sk_buf_free(&c->line);
    free(c);
}

int sk_cast_output(struct sk_cast *c, double t, const void *data, size_t len)
{
    if (c->ended) {
        return -1;
    }
    const uint8_t *s = data;
    event_start(c, t, "o");
    size_t empty = c->line.len;
    /* A sequence cut last time: complete it with the first bytes of this write. */
    while (c->ntail > 0 && len > 0) {
        c->tail[c->ntail++] = *s++;
        len--;
        uint32_t cp;
        int n = sk_utf8_decode(c->tail, c->ntail, &cp);
        if (n == SK_PARSE_PARTIAL && c->ntail < 4) {
            continue;
        }
        json_text(&c->line, c->tail, c->ntail, 1);
        c->ntail = 0;
    }
    size_t used = json_text(&c->line, s, len, 0);
    memcpy(c->tail + c->ntail, s + used, len - used); /* at most 3 bytes: a cut sequence */
    c->ntail += len - used;
    if (c->line.len == empty) {
        return 0; /* nothing whole to write yet */
    }
    sk_buf_puts(&c->line, "\"]\n");
    return emit(c, 0);
}

int sk_cast_resize(struct sk_cast *c, double t, unsigned cols, unsigned rows)
{
    if (c->ended) {
        return -1;
    }
    event_start(c, t, "r");
    sk_buf_printf(&c->line, "%ux%u\"]\n", cols, rows);
    return emit(c, 0);
}

int sk_cast_marker(struct sk_cast *c, double t, const char *label)
{
    if (c->ended) {
        return -1;
    }
    event_start(c, t, "m");
    json_text(&c->line, (const uint8_t *)label, strlen(label), 1);
    sk_buf_puts(&c->line, "\"]\n");
    return emit(c, 0);
}

uint64_t sk_cast_bytes(const struct sk_cast *c)
{
    return c->written;
}

int sk_cast_ended(const struct sk_cast *c)
{
    return c->ended;
}

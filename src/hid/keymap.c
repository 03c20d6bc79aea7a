/*
 * keymap: which keystrokes type which character on the target's layout.
 *
 * A keymap is parsed from a text file in keymaps/ (the format is described
 * in docs/keymaps.md): a `name` line, then one line per character naming
 * the character and the keystroke(s) that type it. The parsed map owns its
 * entries: a direct array for code points below 0x100 (ASCII and Latin-1,
 * nearly everything people type) and a sorted array searched with bsearch
 * for the rest. After parsing nothing changes, so one map may be shared by
 * any number of threads.
 *
 * Data flows one way: text (a paste, a `type` command, a session's
 * characters) comes in as UTF-8 and leaves as struct sk_key strokes for
 * hid to send. Parsing is pure; sk_keymap_load is the only function that
 * touches the file system.
 */
#include "hid/keymap.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "base/util.h"

#define LOW_CPS 0x100
#define MAX_NAME 63
#define MAX_FILE (4 * 1024 * 1024)
#define MAX_FIELDS (2 + SK_KEYMAP_MAX_STROKES) /* one more than allowed, to detect excess */

struct km_entry {
    uint32_t cp;
    uint32_t line; /* where it was defined, for duplicate errors */
    uint8_t n;     /* strokes; 0 in low[] means the character is not in the map */
    struct sk_key keys[SK_KEYMAP_MAX_STROKES];
};

struct sk_keymap {
    char *name;
    uint8_t
        caps[32]; /* bit per usage: keys Caps Lock shifts (lowercase bare, uppercase with Shift) */
    struct km_entry low[LOW_CPS];
    struct km_entry *high; /* sorted by cp */
    size_t nhigh;
};

/* One whitespace-separated field of a line. */
struct field {
    const char *s;
    size_t n;
};

/* Control characters (C0, DEL, C1) are shown by code point only; they would garble a message. */
static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/* Append a character as it appears in messages: 'é' (U+00E9), or U+000A for a control. */
static void describe_char(struct sk_buf *b, uint32_t cp)
{
    if (is_control(cp)) {
        sk_buf_printf(b, "U+%04X", (unsigned)cp);
        return;
    }
    char u[4];
    size_t n = sk_utf8_encode(cp, u);
    sk_buf_puts(b, "'");
    sk_buf_append(b, u, n);
    sk_buf_printf(b, "' (U+%04X)", (unsigned)cp);
}

/*
 * The character a line defines: one literal UTF-8 character, or U+XXXX
 * (4 to 6 hex digits). Returns 0 with *cp set, or -1 with why filled.
 */
static int parse_char(const struct field *f, uint32_t *cp, struct sk_buf *why)
{
    if (f->n >= 6 && f->n <= 8 && (f->s[0] == 'U' || f->s[0] == 'u') && f->s[1] == '+') {
        uint32_t v = 0;
        for (size_t i = 2; i < f->n; i++) {
            int h = sk_hexval(f->s[i]);
            if (h < 0) {
                sk_buf_printf(why, "bad code point '%.*s' (U+ and 4 to 6 hex digits)", (int)f->n,
                              f->s);
                return -1;
            }
            v = v * 16 + (uint32_t)h;
        }
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
            sk_buf_printf(why, "'%.*s' is not a Unicode character", (int)f->n, f->s);
            return -1;
        }
        *cp = v;
        return 0;
    }
    uint32_t v;
    int r = sk_utf8_decode((const uint8_t *)f->s, f->n, &v);
    if (r <= 0 || (size_t)r != f->n) {
        sk_buf_printf(why, "'%.*s' is neither one character nor U+XXXX", (int)f->n, f->s);
        return -1;
    }
    if (is_control(v)) {
        sk_buf_printf(why, "write the control character as U+%04X", (unsigned)v);
        return -1;
    }
    *cp = v;
    return 0;
}

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > MAX_NAME || s[0] == '.') {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == '.' || c == '+';
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

/* Order high entries by code point, then by line, so the later of two duplicates is reported. */
static int cmp_entry(const void *a, const void *b)
{
    const struct km_entry *x = a, *y = b;
    if (x->cp != y->cp) {
        return x->cp < y->cp ? -1 : 1;
    }
    return x->line < y->line ? -1 : (x->line > y->line ? 1 : 0);
}

/*
 * Split a line into fields at spaces and tabs. A field that starts with
 * '#' starts a comment, so it and everything after it are dropped. Returns
 * the number of fields (at most max; *more is set when there were more).
 */
static size_t split_fields(const char *s, size_t n, struct field *out, size_t max, int *more)
{
    size_t count = 0, i = 0;
    *more = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        if (i == n || s[i] == '#') {
            break;
        }
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t') {
            i++;
        }
        if (count == max) {
            *more = 1;
            break;
        }
        out[count++] = (struct field){.s = s + start, .n = i - start};
    }
    return count;
}

/*
 * Parse one non-comment line into km (or its name). Returns 0, or -1 with
 * why filled (the caller adds "name:line: ").
 */
static int parse_line(struct sk_keymap *km, struct km_entry **high, size_t *highcap, const char *s,
                      size_t n, uint32_t line, struct sk_buf *why)
{
    struct field f[MAX_FIELDS];
    int more;
    size_t nf = split_fields(s, n, f, MAX_FIELDS, &more);

    if (nf == 0) {
        return 0;
    }
    if (f[0].n == 4 && memcmp(f[0].s, "name", 4) == 0) {
        if (nf != 2 || more) {
            sk_buf_puts(why, "expected 'name LAYOUT'");
            return -1;
        }
        if (km->name != NULL) {
            sk_buf_puts(why, "a second 'name' line");
            return -1;
        }
        if (!valid_name(f[1].s, f[1].n)) {
            sk_buf_printf(why, "bad layout name '%.*s' (letters, digits, '_', '-', '.', '+')",
                          (int)f[1].n, f[1].s);
            return -1;
        }
        km->name = xstrndup(f[1].s, f[1].n);
        return 0;
    }

    struct km_entry e = {.line = line};
    if (parse_char(&f[0], &e.cp, why) < 0) {
        return -1;
    }
    if (nf < 2) {
        sk_buf_puts(why, "no keystrokes for ");
        describe_char(why, e.cp);
        return -1;
    }
    if (more || nf - 1 > SK_KEYMAP_MAX_STROKES) {
        sk_buf_printf(why, "more than %d keystrokes for ", SK_KEYMAP_MAX_STROKES);
        describe_char(why, e.cp);
        return -1;
    }
    for (size_t i = 1; i < nf; i++) {
        char combo[128], cerr[192];
        if (f[i].n >= sizeof(combo)) {
            sk_buf_printf(why, "keystroke '%.20s...' is too long", f[i].s);
            return -1;
        }
        memcpy(combo, f[i].s, f[i].n);
        combo[f[i].n] = '\0';
        if (sk_keys_parse_combo(combo, &e.keys[e.n], cerr, sizeof(cerr)) < 0) {
            sk_buf_puts(why, cerr);
            return -1;
        }
        if (e.keys[e.n].usage == 0) {
            sk_buf_printf(why, "keystroke '%s' has modifiers but no key", combo);
            return -1;
        }
        e.n++;
    }

    if (e.cp < LOW_CPS) {
        if (km->low[e.cp].n != 0) {
            sk_buf_puts(why, "duplicate character ");
            describe_char(why, e.cp);
            sk_buf_printf(why, ", first on line %u", (unsigned)km->low[e.cp].line);
            return -1;
        }
        km->low[e.cp] = e;
        return 0;
    }
    /* Duplicates among the rest are found after sorting, in the caller. */
    if (km->nhigh == *highcap) {
        *highcap = *highcap ? *highcap * 2 : 64;
        *high = xrealloc(*high, *highcap * sizeof(**high));
    }
    (*high)[km->nhigh++] = e;
    return 0;
}

static const struct km_entry *find(const struct sk_keymap *km, uint32_t cp);

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* The uppercase of cp by Unicode's simple mapping (ASCII only if C.UTF-8 is missing). */
static uint32_t upper(uint32_t cp)
{
    pthread_once(&utf8_once, utf8_init);
    if (utf8_locale != (locale_t)0) {
        return (uint32_t)towupper_l((wint_t)cp, utf8_locale);
    }
    return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
}

/*
 * Which keys Caps Lock shifts: those whose bare stroke types a lowercase
 * letter and whose Shift stroke types its uppercase (a..z, and ä, ñ, é on
 * layouts where that key has its capital on Shift). Keys like French é/2
 * are not: Caps Lock does not make them type É on every system, so they
 * are left alone.
 */
static void find_caps_keys(struct sk_keymap *km, const struct km_entry *e)
{
    if (e->n != 1 || e->keys[0].mods != 0) {
        return;
    }
    uint32_t up = upper(e->cp);
    const struct km_entry *u = up != e->cp ? find(km, up) : NULL;
    if (u != NULL && u->n == 1 && u->keys[0].usage == e->keys[0].usage &&
        u->keys[0].mods == SK_MOD_LSHIFT) {
        km->caps[e->keys[0].usage / 8] |= (uint8_t)(1u << (e->keys[0].usage % 8));
    }
}

void sk_keymap_caps_lock(const struct sk_keymap *km, struct sk_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t u = keys[i].usage;
        /* With Ctrl, Alt, Super or AltGr held, case is not what the stroke is for. */
        if ((keys[i].mods & (uint8_t) ~(SK_MOD_LSHIFT | SK_MOD_RSHIFT)) != 0 ||
            !(km->caps[u / 8] & (1u << (u % 8)))) {
            continue;
        }
        if (keys[i].mods != 0) {
            keys[i].mods = 0;
        } else {
            keys[i].mods = SK_MOD_LSHIFT;
        }
    }
}

struct sk_keymap *sk_keymap_parse(const char *text, size_t len, const char *name, char *err,
                                  size_t errlen)
{
    struct sk_keymap *km = xcalloc(1, sizeof(*km));
    struct km_entry *high = NULL;
    size_t highcap = 0;
    struct sk_buf why = {0};
    size_t pos = 0;
    uint32_t line = 0;

    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL ? 1 : 0);
        line++;
        /* Files written on Windows end lines with "\r\n"; the '\r' is not part of the line. */
        if (n > 0 && s[n - 1] == '\r') {
            n--;
        }
        /* Check the whole line is UTF-8 first, so later steps can trust it. */
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            int r = sk_utf8_decode((const uint8_t *)s + i, n - i, &cp);
            if (r <= 0) {
                sk_buf_printf(&why, "invalid UTF-8 at column %zu", i + 1);
                goto fail;
            }
            if (cp == 0 || cp == '\r') {
                sk_buf_printf(&why, "stray control byte 0x%02x at column %zu", (unsigned)cp, i + 1);
                goto fail;
            }
            i += (size_t)r;
        }
        if (parse_line(km, &high, &highcap, s, n, line, &why) < 0) {
            goto fail;
        }
    }

    if (km->name == NULL) {
        sk_set_err(err, errlen, "%s: no 'name LAYOUT' line", name);
        goto fail_quiet;
    }
    if (km->nhigh > 0) {
        qsort(high, km->nhigh, sizeof(*high), cmp_entry);
        for (size_t i = 1; i < km->nhigh; i++) {
            if (high[i].cp == high[i - 1].cp) {
                line = high[i].line;
                sk_buf_puts(&why, "duplicate character ");
                describe_char(&why, high[i].cp);
                sk_buf_printf(&why, ", first on line %u", (unsigned)high[i - 1].line);
                goto fail;
            }
        }
    }
    km->high = high;
    for (size_t i = 0; i < LOW_CPS; i++) {
        find_caps_keys(km, &km->low[i]);
    }
    for (size_t i = 0; i < km->nhigh; i++) {
        find_caps_keys(km, &km->high[i]);
    }
    sk_buf_free(&why);
    return km;

fail:
    sk_set_err(err, errlen, "%s:%u: %s", name, (unsigned)line, why.data != NULL ? why.data : "");
fail_quiet:
    sk_buf_free(&why);
    free(high);
    sk_keymap_free(km);
    return NULL;
}

struct sk_keymap *sk_keymap_load(const char *dir, const char *name, char *err, size_t errlen)
{
    char *path = NULL;
    char *text = NULL;
    size_t len = 0;
    struct sk_keymap *km = NULL;
    char why[512];

    /* The name may come from a remote user (a session's --keymap), so it must not leave dir. */
    if (!valid_name(name, strlen(name))) {
        sk_set_err(err, errlen, "bad keymap name '%s' (letters, digits, '_', '-', '.', '+')", name);
        goto fail;
    }
    path = xasprintf("%s/%s", dir, name);
    if (sk_read_file(path, MAX_FILE, &text, &len, why, sizeof(why)) != 0) {
        sk_set_err(err, errlen, "no keymap '%s' (%s)", name, why);
        goto fail;
    }
    km = sk_keymap_parse(text, len, path, err, errlen);
    if (km == NULL) {
        goto fail;
    }
    if (strcmp(km->name, name) != 0) {
        sk_set_err(err, errlen, "%s: the file's name line says '%s', not '%s'", path, km->name,
                   name);
        goto fail;
    }
    free(text);
    free(path);
    return km;

fail:
    sk_keymap_free(km);
    km = NULL;
    free(text);
    free(path);
    return NULL;
}

void sk_keymap_free(struct sk_keymap *km)
{
    if (km == NULL) {
        return;
    }
    free(km->name);
    free(km->high);
    free(km);
}

const char *sk_keymap_name(const struct sk_keymap *km)
{
    return km->name;
}

static int cmp_cp(const void *key, const void *elem)
{
    uint32_t cp = *(const uint32_t *)key;
    const struct km_entry *e = elem;
    return cp < e->cp ? -1 : (cp > e->cp ? 1 : 0);
}

static const struct km_entry *find(const struct sk_keymap *km, uint32_t cp)
{
    if (cp < LOW_CPS) {
        return km->low[cp].n != 0 ? &km->low[cp] : NULL;
    }
    if (km->nhigh == 0) {
        return NULL;
    }
    return bsearch(&cp, km->high, km->nhigh, sizeof(*km->high), cmp_cp);
}

/*
 * When out has room for fewer than the character's strokes, the character
 * counts as untypable: half a dead-key sequence would type something else.
 */
int sk_keymap_lookup(const struct sk_keymap *km, uint32_t cp, struct sk_key *out, int max)
{
    const struct km_entry *e = find(km, cp);
    if (e == NULL || e->n > max) {
        return 0;
    }
    memcpy(out, e->keys, e->n * sizeof(*out));
    return e->n;
}

int sk_keymap_text(const struct sk_keymap *km, const char *text, size_t len, struct sk_key **out,
                   size_t *n, char *err, size_t errlen)
{
    const uint8_t *s = (const uint8_t *)text;
    struct sk_key *keys = NULL;
    size_t count = 0, cap = 0;
    /* Each untypable character is named once, however often it occurs. */
    uint32_t bad[32];
    size_t nbad = 0;
    int more_bad = 0;
    struct sk_buf msg = {0};

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int r = sk_utf8_decode(s + i, len - i, &cp);
        if (r <= 0) {
            sk_set_err(err, errlen, "text is not UTF-8: bad byte 0x%02x at offset %zu", s[i], i);
            goto fail;
        }
        i += (size_t)r;
        /* "\r\n" and a lone "\r" are each one newline, like "\n". */
        if (cp == '\r') {
            cp = '\n';
            if (i < len && s[i] == '\n') {
                i++;
            }
        }
        const struct km_entry *e = find(km, cp);
        if (e == NULL) {
            size_t k = 0;
            while (k < nbad && bad[k] != cp) {
                k++;
            }
            if (k == nbad) {
                if (nbad < SK_ARRAY_LEN(bad)) {
                    bad[nbad++] = cp;
                } else {
                    more_bad = 1;
                }
            }
            continue;
        }
        if (nbad > 0) {
            /* Keep scanning to name every bad character, but stop collecting strokes. */
            continue;
        }
        if (count + e->n > cap) {
            cap = cap ? cap * 2 : 64;
            keys = xrealloc(keys, cap * sizeof(*keys));
        }
        memcpy(keys + count, e->keys, e->n * sizeof(*keys));
        count += e->n;
    }
    if (nbad > 0) {
        sk_buf_printf(&msg, "keymap %s cannot type ", km->name);
        for (size_t k = 0; k < nbad; k++) {
            if (k > 0) {
                sk_buf_puts(&msg, ", ");
            }
            describe_char(&msg, bad[k]);
        }
        if (more_bad) {
            sk_buf_puts(&msg, ", ...");
        }
        sk_set_err(err, errlen, "%s", msg.data);
        goto fail;
    }
    if (keys == NULL) {
        /* Empty text: still hand back something the caller can free. */
        keys = xmalloc(sizeof(*keys));
    }
    *out = keys;
    *n = count;
    return 0;

fail:
    sk_buf_free(&msg);
    free(keys);
    return -1;
}

/*
 * consmenu: the console's Ctrl+] menu, for what a local terminal cannot send.
 *
 * It draws a box over the picture and reads the keys console.c hands it
 * while it is open: a digit runs a choice (send Ctrl+Alt+Del or Ctrl+],
 * release all keys, take control, who is on, mouse on/off, quit), opens a
 * prompt (a key combo to send, one to hold for some seconds, a keymap
 * name) or changes a view setting (mode, colours, charset, dither, levels,
 * fps cap), which takes effect from the next picture. Esc or Ctrl+] goes
 * back to the screen. While the menu is open the terminal is in legacy key
 * mode (the kitty flags are popped) and nothing is held.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "console/consint.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "policy/roster.h"

#define HOLD_DEFAULT_S 3
#define HOLD_MAX_S 60

/* ---- drawing ---- */

static const char *view_mode_name(enum sk_render_mode m)
{
    return m == SK_RENDER_HALF   ? "half blocks"
           : m == SK_RENDER_TEXT ? "text"
           : m == SK_RENDER_AUTO ? "auto"
                                 : "art";
}

static const char *view_colors_name(int colors)
{
    return colors == 24 ? "24-bit" : colors == 256 ? "256" : "16";
}

static void draw_menu(struct sk_console *c)
{
    static const char *fixed[] = {
        "+------------- sshkvm -------------+", "|  1  send Ctrl+Alt+Del            |",
        "|  2  send a key by name...        |", "|  3  send Ctrl+]                  |",
        "|  4  release all keys             |", "|  5  hold a key for N s...        |",
        "|  6  change the keymap...         |", "|  7  mouse on/off                 |",
        "|  8  take control   9  who is on  |", "|  q  quit this session            |",
        "|- view ---------------------------|",
    };
    const struct sk_render_opts *v = &c->view;
    char view[7][64];
    snprintf(view[0], sizeof(view[0]), "|  m  mode      %-18s|", view_mode_name(v->mode));
    snprintf(view[1], sizeof(view[1]), "|  c  colours   %-18s|", view_colors_name(v->colors));
    snprintf(view[2], sizeof(view[2]), "|  s  charset   %-18s|", v->charset);
    snprintf(view[3], sizeof(view[3]), "|  d  dither    %-18s|", v->algorithm);
    snprintf(view[4], sizeof(view[4]), "|  b/B g/G k/K  %-18s|", "");
    snprintf(view[5], sizeof(view[5]), "|   bri %+.1f gam %.1f con %.1f   |", v->brightness,
             v->gamma, v->contrast);
    snprintf(view[6], sizeof(view[6]), "|  f  fps cap   %-18d|", c->fps);
    const char *lines[SK_ARRAY_LEN(fixed) + 7 + 2];
    unsigned h = 0;
    for (size_t i = 0; i < SK_ARRAY_LEN(fixed); i++) {
        lines[h++] = fixed[i];
    }
    for (size_t i = 0; i < 7; i++) {
        lines[h++] = view[i];
    }
    lines[h++] = "|  Esc  back to the screen         |";
    lines[h++] = "+----------------------------------+";
    unsigned w = 36;
    unsigned top = c->rows > h + 1 ? (c->rows - 1 - h) / 2 : 0;
    unsigned left = c->cols > w ? (c->cols - w) / 2 : 0;
    struct sk_buf b = {0};
    for (unsigned i = 0; i < h; i++) {
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m%s", top + i + 1, left + 1, lines[i]);
    }
    static const struct {
        enum sk_consmenu_state state;
        const char *label, *example;
    } prompts[] = {
        {SK_MENU_KEY_PROMPT, "key", "e.g. ctrl+alt+f1, f12, print    "},
        {SK_MENU_HOLD_PROMPT, "hold", "e.g. f12 3, shift 10 (seconds)  "},
        {SK_MENU_KEYMAP_PROMPT, "keymap", "e.g. us, de, fr, us-intl        "},
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(prompts); i++) {
        if (c->menu != prompts[i].state) {
            continue;
        }
        int width = 32 - (int)strlen(prompts[i].label) - 2;
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m| %s: %-*.*s|", top + h + 1, left + 1,
                      prompts[i].label, width, width, c->prompt);
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m| %s|", top + h + 2, left + 1,
                      prompts[i].example);
        sk_buf_printf(&b, "\033[%u;%uH\033[0;30;47m%s", top + h + 3, left + 1, lines[h - 1]);
    }
    sk_buf_puts(&b, "\033[0m");
    sk_consview_place_cursor(c, &b, 0);
    sk_console_out(c, b.data, b.len);
    sk_buf_free(&b);
}

/* ---- view settings: each key changes one, and the menu stays ---- */

/* The next of a list of names after current (the first when current is last or absent). */
static const char *cycle(const char *const *names, size_t n, const char *current)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], current) == 0) {
            return names[(i + 1) % n];
        }
    }
    return names[0];
}

static double step(double v, double by, double lo, double hi)
{
    v = round((v + by) * 10) / 10;
    return v < lo ? lo : v > hi ? hi : v;
}

/* A view key in the menu: change the setting and stay in the menu. Returns 1 when handled. */
static int view_menu_key(struct sk_console *c, uint32_t cp)
{
    static const char *const charsets[] = {"ascii", "shades", "blocks"};
    static const char *const dithers[] = {"none",     "ordered2", "ordered4",
                                          "ordered8", "random",   "fstein"};
    static const int fps[] = {5, 10, 15, 30, 60};
    struct sk_render_opts *v = &c->view;
    switch (cp) {
    case 'm':
        v->mode = v->mode == SK_RENDER_ART    ? SK_RENDER_HALF
                  : v->mode == SK_RENDER_HALF ? SK_RENDER_TEXT
                  : v->mode == SK_RENDER_TEXT ? SK_RENDER_AUTO
                                              : SK_RENDER_ART;
        break;
    case 'c':
        v->colors = v->colors == 16 ? 256 : v->colors == 256 ? 24 : 16;
        break;
    case 's':
        snprintf(v->charset, sizeof(v->charset), "%s",
                 cycle(charsets, SK_ARRAY_LEN(charsets), v->charset));
        break;
    case 'd':
        snprintf(v->algorithm, sizeof(v->algorithm), "%s",
                 cycle(dithers, SK_ARRAY_LEN(dithers), v->algorithm));
        break;
    case 'b':
    case 'B':
        v->brightness = step(v->brightness, cp == 'b' ? -0.1 : 0.1, -1, 1);
        break;
    case 'k':
    case 'K':
        v->contrast = step(v->contrast, cp == 'k' ? -0.1 : 0.1, 0, 4);
        break;
    case 'g':
    case 'G':
        v->gamma = step(v->gamma, cp == 'g' ? -0.1 : 0.1, 0.1, 10);
        break;
    case 'f': {
        size_t i = 0;
        while (i < SK_ARRAY_LEN(fps) && fps[i] <= c->fps) {
            i++;
        }
        c->fps = i < SK_ARRAY_LEN(fps) ? fps[i] : fps[0];
        break;
    }
    default:
        return 0;
    }
    sk_render_set_opts(c->render, v);
    draw_menu(c);
    return 1;
}

/* ---- opening, closing and the choices ---- */

void sk_consmenu_close(struct sk_console *c)
{
    c->menu = SK_MENU_CLOSED;
    c->full_redraw = 1;
    if (c->kitty) {
        sk_conskeys_kitty_push(c);
    }
}

void sk_consmenu_open(struct sk_console *c)
{
    /* The menu reads characters: legacy input while it is open, nothing held. */
    if (c->kitty) {
        sk_conskeys_kitty_pop(c);
        sk_conskeys_release_held(c);
    }
    c->menu = SK_MENU_OPEN;
    draw_menu(c);
}

static void take_control(struct sk_console *c)
{
    char msg[SK_ROSTER_NAME_LEN + 64];
    int rc = sk_console_input(c, "take", 1, msg, sizeof(msg));
    if (rc != 0) {
        sk_console_flash(c, "%s", msg);
        return;
    }
    c->had_control = 1;
    c->refused_ms = 0;
    sk_consrec_mark(c, "took control (menu)");
    sk_console_flash(c, c->app->roster && sk_roster_mode(c->app->roster) == SK_CONTROL_SHARED
                            ? "control is shared: everyone with the control role types"
                            : "you have control");
}

/* Who is connected: one line each, in a box over the picture; any key goes back. */
static void draw_who(struct sk_console *c)
{
    struct sk_buf list = {0}, b = {0};
    if (c->app->roster != NULL) {
        sk_roster_text(c->app->roster, &list, "\n");
    }
    unsigned w = c->cols > 4 ? c->cols - 4 : c->cols;
    unsigned row = 2, last = c->rows > 3 ? c->rows - 2 : 1;
    sk_buf_printf(&b, "\033[%u;3H\033[0;30;47m %-*.*s", row++, (int)w - 1, (int)w - 1,
                  "who is connected (any key: back)");
    for (const char *p = list.data; p != NULL && *p != '\0' && row <= last;) {
        size_t n = strcspn(p, "\n");
        sk_buf_printf(&b, "\033[%u;3H\033[0;30;47m %-*.*s", row++, (int)w - 1,
                      (int)SK_MIN(n, (size_t)w - 1), p);
        p += n + (p[n] == '\n');
    }
    sk_buf_puts(&b, "\033[0m");
    sk_console_out(c, b.data, b.len);
    c->menu = SK_MENU_WHO;
    sk_buf_free(&b);
    sk_buf_free(&list);
}

/* "COMBO [SECONDS]": hold the combo down from now; the loop releases it. */
static int start_hold(struct sk_console *c, char *err, size_t errlen)
{
    char combo[64];
    long secs = HOLD_DEFAULT_S;
    char *sp = strchr(c->prompt, ' ');
    snprintf(combo, sizeof(combo), "%.*s", sp ? (int)(sp - c->prompt) : (int)strlen(c->prompt),
             c->prompt);
    if (sp != NULL) {
        char *end;
        secs = strtol(sp + 1, &end, 10);
        if (*end != '\0' || secs < 1 || secs > HOLD_MAX_S) {
            snprintf(err, errlen, "hold: '%s' is not 1 to %d seconds", sp + 1, HOLD_MAX_S);
            return -1;
        }
    }
    struct sk_key key;
    if (sk_keys_parse_combo(combo, &key, err, errlen) != 0) {
        return -1;
    }
    return sk_conskeys_hold(c, &key, combo, secs, err, errlen);
}

static int switch_keymap(struct sk_console *c, char *err, size_t errlen)
{
    struct sk_keymap *km = sk_keymap_load(c->app->keymap_dir, c->prompt, err, errlen);
    if (km == NULL) {
        return -1;
    }
    if (c->keymap_owned) {
        sk_keymap_free(c->keymap);
    }
    c->keymap = km;
    c->keymap_owned = 1;
    sk_console_flash(c, "keymap %s", sk_keymap_name(km));
    return 0;
}

/* Enter in a prompt: do what it asks; 0, or -1 with err set. */
static int prompt_done(struct sk_console *c, char *err, size_t errlen)
{
    if (c->menu == SK_MENU_HOLD_PROMPT) {
        return start_hold(c, err, errlen);
    }
    if (c->menu == SK_MENU_KEYMAP_PROMPT) {
        return switch_keymap(c, err, errlen);
    }
    struct sk_key key;
    if (sk_keys_parse_combo(c->prompt, &key, err, errlen) != 0) {
        return -1;
    }
    if (sk_conskeys_send(c, &key, 1)) {
        sk_console_flash(c, "sent %s", c->prompt);
        char name[64];
        sk_consrec_mark(c, "key %s (menu)", sk_keys_format(&key, name, sizeof(name)));
    }
    return 0;
}

static void open_prompt(struct sk_console *c, enum sk_consmenu_state state)
{
    c->menu = state;
    c->prompt[0] = '\0';
    draw_menu(c);
}

void sk_consmenu_key(struct sk_console *c, const struct sk_termkey *k)
{
    if (c->menu == SK_MENU_KEY_PROMPT || c->menu == SK_MENU_HOLD_PROMPT ||
        c->menu == SK_MENU_KEYMAP_PROMPT) {
        size_t len = strlen(c->prompt);
        if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ENTER) {
            char err[160];
            if (prompt_done(c, err, sizeof(err)) == 0) {
                sk_consmenu_close(c);
            } else {
                sk_console_flash(c, "%s", err);
                c->prompt[0] = '\0';
                sk_consview_status(c, 1);
            }
        } else if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_BACKSPACE && len > 0) {
            c->prompt[len - 1] = '\0';
        } else if (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ESCAPE) {
            sk_consmenu_close(c);
            return;
        } else if (k->type == SK_TERMKEY_CHAR && k->mods == 0 && k->cp >= 0x20 && k->cp < 0x7f &&
                   len + 1 < sizeof(c->prompt) && len < 26) {
            c->prompt[len] = (char)k->cp;
            c->prompt[len + 1] = '\0';
        }
        if (c->menu != SK_MENU_CLOSED) {
            draw_menu(c);
        }
        return;
    }
    if (c->menu == SK_MENU_WHO || (k->type == SK_TERMKEY_KEY && k->usage == SK_USAGE_ESCAPE)) {
        sk_consmenu_close(c);
        return;
    }
    if (k->type == SK_TERMKEY_MENU) {
        sk_consmenu_close(c); /* Ctrl+] twice goes back, as telnet's escape does */
        return;
    }
    if (k->type != SK_TERMKEY_CHAR) {
        return;
    }
    if (k->mods == 0 && view_menu_key(c, k->cp)) {
        return;
    }
    c->refused_ms = 0; /* a menu choice is deliberate: always ask, never drop it quietly */
    switch (k->cp) {
    case '1': {
        struct sk_key cad = {.usage = SK_USAGE_DELETE, .mods = SK_MOD_LCTRL | SK_MOD_LALT};
        if (sk_conskeys_send(c, &cad, 1)) {
            sk_console_flash(c, "sent ctrl+alt+delete");
            sk_consrec_mark(c, "key ctrl+alt+delete (menu)");
        }
        sk_consmenu_close(c);
        break;
    }
    case '2':
        open_prompt(c, SK_MENU_KEY_PROMPT);
        break;
    case '5':
        open_prompt(c, SK_MENU_HOLD_PROMPT);
        break;
    case '6':
        open_prompt(c, SK_MENU_KEYMAP_PROMPT);
        break;
    case '7':
        sk_conskeys_set_mouse(c, !c->mouse_on);
        sk_console_flash(c, "mouse %s",
                         c->mouse_on ? "on: clicks go to the target"
                                     : "off: the terminal selects text");
        sk_consmenu_close(c);
        break;
    case '3': {
        struct sk_key key = {.usage = (uint8_t)sk_keys_usage("bracketright"), .mods = SK_MOD_LCTRL};
        if (sk_conskeys_send(c, &key, 1)) {
            sk_console_flash(c, "sent ctrl+]");
            sk_consrec_mark(c, "key ctrl+] (menu)");
        }
        sk_consmenu_close(c);
        break;
    }
    case '4':
        if (sk_console_may_send(c)) {
            sk_hid_release_all(c->app->hid);
            sk_console_flash(c, "released all keys");
            sk_consrec_mark(c, "released all keys (menu)");
        }
        sk_consmenu_close(c);
        break;
    case '8':
        take_control(c);
        sk_consmenu_close(c);
        break;
    case '9':
        draw_who(c);
        break;
    case 'q':
    case 'Q':
        c->quit = 1;
        break;
    default:
        break;
    }
}

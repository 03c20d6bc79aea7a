/*
 * test_console: the interactive console driven through its I/O interface,
 * with a real sk_hid whose demo sinks record every keyboard and mouse
 * report and a real hub with a published frame: typed bytes in every mode
 * (legacy terminal keys, the kitty keyboard protocol, keys held and
 * released), the Ctrl+] menu and its choices, resizes, clicks on the
 * picture, and a view-only session (nothing reaches the HID; the refusal
 * is shown), and the session recorded (--record-dir: its markers). Checks the
 * exact reports and the bytes written.
 */
#include <stdlib.h>
#include <string.h>

#include "power/power.h"
#include "check.h"
#include "policy/access.h"
#include "term/grid.h"
#include "cmd/app.h"
#include "console/console.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "policy/roster.h"
#include "video/frame.h"
#include "video/hub.h"
#include "video/jpeg.h"
#include "base/util.h"

#define ESC "\033"
#define MOUSE_ON ESC "[?1000h" ESC "[?1002h" ESC "[?1006h"
#define MOUSE_OFF ESC "[?1006l" ESC "[?1002l" ESC "[?1000l"

static struct sk_app app;
static struct sk_buf kbd, mouse; /* every report the "target" got */
static struct sk_buf out;        /* every byte the console wrote */
static const char *env_fps;      /* SSHKVM_FPS for the next console, or NULL */

static int record_kbd(void *ctx, const uint8_t *r, size_t len)
{
    sk_buf_append(&kbd, r, len);
    return 0;
}

static int record_mouse(void *ctx, const uint8_t *r, size_t len)
{
    sk_buf_append(&mouse, r, len);
    return 0;
}

/* The target's LEDs: Caps Lock off unless a test turns it on. */
static uint8_t target_leds;

static uint8_t leds(void *ctx)
{
    return target_leds;
}

static int w_out(void *ctx, const void *d, size_t n)
{
    sk_buf_append(&out, d, n);
    return 0;
}

static const char *test_getenv(void *ctx, const char *name)
{
    return strcmp(name, "SSHKVM_FPS") == 0 ? env_fps : NULL;
}

/* A console of cols x rows for roster member (-1: none) with role. */
static struct sk_console *open_sized(int role, unsigned cols, unsigned rows, int member)
{
    const struct sk_console_opts opts = {
        .app = &app,
        .io = {.out = w_out, .getenv = test_getenv},
        .cols = cols,
        .rows = rows,
        .term = "xterm-256color",
        .name = "tester",
        .addr = "127.0.0.1:1",
        .role = role,
        .member = member,
    };
    return sk_console_new(&opts);
}

static struct sk_console *open_console(int role)
{
    return open_sized(role, 80, 24, -1);
}

/* Forget what was sent and written so far (after the reports queued have gone out). */
static void reset(void)
{
    sk_hid_flush(app.hid, 2000);
    sk_buf_reset(&kbd);
    sk_buf_reset(&mouse);
    sk_buf_reset(&out);
}

static void feed(struct sk_console *c, const char *s)
{
    sk_console_feed(c, s, strlen(s));
}

/* A lone ESC: the Escape key once the escape time has passed (the menu goes back). */
static void escape(struct sk_console *c)
{
    feed(c, ESC);
    sk_sleep_ms(100);
    sk_console_tick(c);
}

static int wrote(const char *s)
{
    return out.len > 0 && memmem(out.data, out.len, s, strlen(s)) != NULL;
}

/* The keyboard reports since the last reset: each a "mods usage" pair (usage 0: all up). */
static int kbd_is(const uint8_t *pairs, size_t n)
{
    sk_hid_flush(app.hid, 2000);
    if (kbd.len != n * 8) {
        fprintf(stderr, "  got %zu keyboard report bytes, want %zu\n", kbd.len, n * 8);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t want[8] = {pairs[2 * i], 0, pairs[2 * i + 1]};
        if (memcmp(kbd.data + i * 8, want, 8) != 0) {
            fprintf(stderr, "  keyboard report %zu differs\n", i);
            return 0;
        }
    }
    return 1;
}

static struct sk_frame *make_frame(void)
{
    enum { W = 320, H = 240 };
    uint8_t *rgb = xmalloc(W * H * 3);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) {
        rgb[i] = (uint8_t)(i % 251);
    }
    struct sk_frame *f = sk_frame_new(0);
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(80);
    CHECK_EQ_INT(sk_jpeg_encode_rgb(enc, rgb, W, H, W * 3, f), 0);
    sk_jpeg_enc_free(enc);
    free(rgb);
    return f;
}

static void test_start_and_end(void)
{
    reset();
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    /* The alternate screen, the kitty probe (then DA1), and mouse reports. */
    CHECK(wrote(ESC "[?1049h"));
    CHECK(wrote(ESC "[?u" ESC "[c"));
    CHECK(wrote(MOUSE_ON));
    CHECK(!sk_console_done(c));
    sk_console_tick(c);
    /* No picture yet: a clear screen and the status line on the last row. */
    CHECK(wrote(ESC "[24;1H"));
    CHECK(wrote("keyboard ok"));
    CHECK(wrote("shared control"));
    reset();
    sk_console_free(c);
    CHECK(wrote(MOUSE_OFF));
    CHECK(wrote(ESC "[?1049l"));
    CHECK(!wrote(ESC "[<u")); /* no kitty flags were pushed */
    CHECK_EQ_INT(kbd.len, 0); /* nothing typed: nothing to release */
}

static void test_legacy_keys(void)
{
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    reset();
    /* Characters through the keymap, keys by position, Ctrl from the terminal. */
    feed(c, "aA" ESC "[A\x03");
    const uint8_t want[] = {0, 0x04, 0, 0, 0x02, 0x04, 0, 0, 0, 0x52, 0, 0, 0x01, 0x06, 0, 0};
    CHECK(kbd_is(want, 8));
    /* With the target's Caps Lock on, letters come out in the case the terminal typed. */
    reset();
    target_leds = SK_LED_CAPS;
    feed(c, "aA");
    target_leds = 0;
    const uint8_t caps[] = {0x02, 0x04, 0, 0, 0, 0x04, 0, 0};
    CHECK(kbd_is(caps, 4));
    /* A sequence in pieces is one key. */
    reset();
    feed(c, ESC "[1");
    feed(c, "5~");
    const uint8_t f5[] = {0, 0x3e, 0, 0};
    CHECK(kbd_is(f5, 2));
    /* A lone ESC waits for the escape time, then is the Escape key. */
    reset();
    feed(c, ESC);
    sk_console_tick(c);
    CHECK(kbd_is(NULL, 0));
    sk_sleep_ms(100);
    sk_console_tick(c);
    const uint8_t esc[] = {0, 0x29, 0, 0};
    CHECK(kbd_is(esc, 2));
    /* What the keymap cannot type is said, not sent. */
    reset();
    feed(c, "\xc3\xa9");
    sk_console_tick(c);
    CHECK(kbd_is(NULL, 0));
    CHECK(wrote("keymap us cannot type"));
    reset();
    sk_console_free(c);
    /* It typed: the end releases everything. */
    const uint8_t up[] = {0, 0};
    CHECK(kbd_is(up, 1));
}

static void test_kitty(void)
{
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    reset();
    /* The terminal answers the probe with its flags: they are pushed. */
    feed(c, ESC "[?0u" ESC "[?62;22c");
    CHECK(wrote(ESC "[>15u"));
    /* a pressed, repeated (the target repeats on its own), released. */
    reset();
    feed(c, ESC "[97u");
    const uint8_t down[] = {0, 0x04};
    CHECK(kbd_is(down, 1));
    feed(c, ESC "[97;1:2u");
    CHECK(kbd_is(down, 1));
    feed(c, ESC "[97;1:3u");
    const uint8_t tap[] = {0, 0x04, 0, 0};
    CHECK(kbd_is(tap, 2));
    /* Two keys down together, released in the other order. */
    reset();
    feed(c, ESC "[57441;2u" ESC "[97;2u");
    sk_hid_flush(app.hid, 2000);
    CHECK_EQ_INT(kbd.len, 16);
    uint8_t both[8] = {0x02, 0, 0x04};
    CHECK(kbd.len == 16 && memcmp(kbd.data + 8, both, 8) == 0);
    feed(c, ESC "[57441;1:3u" ESC "[97;1:3u");
    sk_hid_flush(app.hid, 2000);
    uint8_t none[8] = {0};
    CHECK(kbd.len == 32 && memcmp(kbd.data + 24, none, 8) == 0);
    /* A release that never comes: the watchdog lets the key go. */
    reset();
    feed(c, ESC "[98u");
    sk_console_tick(c);
    const uint8_t b_down[] = {0, 0x05};
    CHECK(kbd_is(b_down, 1));
    sk_sleep_ms(1600);
    sk_console_tick(c);
    const uint8_t b_tap[] = {0, 0x05, 0, 0};
    CHECK(kbd_is(b_tap, 2));
    /* The menu reads characters: the flags are popped while it is open, and held keys let go. */
    reset();
    feed(c, ESC "[99u");
    feed(c, ESC "[93;5u");
    CHECK(wrote(ESC "[<u"));
    const uint8_t c_tap[] = {0, 0x06, 0, 0};
    CHECK(kbd_is(c_tap, 2));
    reset();
    escape(c);
    CHECK(wrote(ESC "[>15u"));
    reset();
    sk_console_free(c);
    CHECK(wrote(ESC "[<u"));
}

/*
 * --record-dir: the session's file gets the markers of kitty-mode keys,
 * typed characters counted (never named), a combination held with Ctrl, a
 * menu choice, and the end; the picture's bytes as output events.
 */
static void test_recording(void)
{
    char dir[] = "/tmp/sk-test-console-rec.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    app.record_dir = dir;
    app.record_max = 1 << 20;
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    app.record_dir = NULL;
    feed(c, ESC "[?0u" ESC "[?62;22c");                                     /* a kitty terminal */
    feed(c, ESC "[97u" ESC "[97;1:3u" ESC "[98u" ESC "[98;1:3u");           /* a, b */
    feed(c, ESC "[57442;5u" ESC "[99;5u" ESC "[99;5:3u" ESC "[57442;1:3u"); /* ctrl+c */
    feed(c, ESC "[13u" ESC "[13;1:3u");                                     /* enter */
    feed(c, ESC "[93;5u");                                                  /* Ctrl+]: the menu */
    feed(c, "1");                                                           /* ctrl+alt+delete */
    sk_console_tick(c);
    sk_console_free(c);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "cat %s/*-tester.cast", dir);
    FILE *p = popen(cmd, "r");
    struct sk_buf file = {0};
    char chunk[4096];
    size_t n;
    while (p != NULL && (n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
        sk_buf_append(&file, chunk, n);
    }
    if (p != NULL) {
        pclose(p);
    }
    sk_buf_append(&file, "", 1);
    const char *head = "{\"version\": 2, \"width\": 80, \"height\": 24, ";
    CHECK(strncmp(file.data, head, strlen(head)) == 0);
    /* The markers, in order, and nothing else of the input. */
    struct sk_buf marks = {0};
    for (char *l = strstr(file.data, "\"m\", \""); l != NULL; l = strstr(l + 1, "\"m\", \"")) {
        size_t len = strcspn(l + 6, "\"");
        sk_buf_append(&marks, l + 6, len);
        sk_buf_append(&marks, "|", 1);
    }
    sk_buf_append(&marks, "", 1);
    CHECK_STR(marks.data, "typed 2 characters|key ctrl+c|key enter|key ctrl+alt+delete (menu)|"
                          "session ended|");
    CHECK(strstr(file.data, "\"o\", \"\\u001b[?1049h") != NULL);
    sk_buf_free(&marks);
    sk_buf_free(&file);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static void test_not_kitty(void)
{
    /* DA1 first: the terminal does not know the protocol; a late flags answer changes nothing. */
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    reset();
    feed(c, ESC "[?62;22c" ESC "[?0u");
    CHECK(!wrote(ESC "[>15u"));
    feed(c, ESC "[97u"); /* CSI u from a terminal we did not ask: a tap */
    const uint8_t tap[] = {0, 0x04, 0, 0};
    CHECK(kbd_is(tap, 2));
    sk_console_free(c);
}

static void test_menu(void)
{
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    sk_console_tick(c);
    reset();
    feed(c, "\x1d");
    CHECK(wrote("1  send Ctrl+Alt+Del"));
    CHECK(wrote("m  mode      auto"));
    /* A view setting changes and the menu stays. */
    reset();
    feed(c, "m");
    CHECK(wrote("m  mode      art"));
    reset();
    feed(c, "f");
    CHECK(wrote("f  fps cap   30"));
    /* 1: Ctrl+Alt+Del, and back to the screen. */
    reset();
    feed(c, "1");
    const uint8_t cad[] = {0x05, 0x4c, 0, 0};
    CHECK(kbd_is(cad, 2));
    sk_console_tick(c);
    CHECK(wrote("sent ctrl+alt+delete"));
    /* 2: a key by name. */
    reset();
    feed(c, "\x1d"
            "2");
    CHECK(wrote("key: "));
    feed(c, "fx\x7f"
            "2\r");
    const uint8_t f2[] = {0, 0x3b, 0, 0};
    CHECK(kbd_is(f2, 2));
    /* A bad name is said, and the prompt stays. */
    reset();
    feed(c, "\x1d"
            "2nosuch\r");
    CHECK(kbd_is(NULL, 0));
    CHECK(wrote("nosuch"));
    escape(c);
    /* 3: Ctrl+] itself. */
    reset();
    feed(c, "\x1d"
            "3");
    const uint8_t ctrl_bracket[] = {0x01, 0x30, 0, 0};
    CHECK(kbd_is(ctrl_bracket, 2));
    /* 5: hold a key for a second, then it is let go. */
    reset();
    feed(c, "\x1d"
            "5f12 1\r");
    const uint8_t f12_down[] = {0, 0x45};
    CHECK(kbd_is(f12_down, 1));
    sk_console_tick(c);
    CHECK(wrote("holding f12 for 1 s"));
    sk_sleep_ms(1100);
    sk_console_tick(c);
    const uint8_t f12_tap[] = {0, 0x45, 0, 0};
    CHECK(kbd_is(f12_tap, 2));
    reset();
    feed(c, "\x1d"
            "5f12 99\r");
    CHECK(kbd_is(NULL, 0));
    CHECK(wrote("hold: '99' is not 1 to 60 seconds"));
    escape(c);
    /* 4: release all keys. */
    reset();
    feed(c, "\x1d"
            "4");
    const uint8_t up[] = {0, 0};
    CHECK(kbd_is(up, 1));
    /* 6: another keymap for this session: y is where a German keyboard has it. */
    reset();
    feed(c, "\x1d"
            "6de\r");
    sk_console_tick(c);
    CHECK(wrote("keymap de"));
    feed(c, "y");
    const uint8_t y_de[] = {0, 0x1d, 0, 0};
    CHECK(kbd_is(y_de, 2));
    /* 7: the mouse off (the terminal selects text again). */
    reset();
    feed(c, "\x1d"
            "7");
    CHECK(wrote(MOUSE_OFF));
    /* 9: who is on; any key goes back and is not sent. */
    reset();
    feed(c, "\x1d"
            "9");
    CHECK(wrote("who is connected"));
    feed(c, "x");
    CHECK(kbd_is(NULL, 0));
    /* Ctrl+] twice goes back; then keys go to the target again. */
    reset();
    feed(c, "\x1d\x1d"
            "a");
    const uint8_t a[] = {0, 0x04, 0, 0};
    CHECK(kbd_is(a, 2));
    /* q quits. */
    CHECK(!sk_console_done(c));
    feed(c, "\x1d"
            "q");
    CHECK(sk_console_done(c));
    sk_console_free(c);
}

static void test_picture_resize_and_mouse(void)
{
    struct sk_frame *f = make_frame();
    sk_hub_publish(app.hub, f);
    sk_frame_unref(f);
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    reset();
    sk_console_tick(c);
    /* The whole picture, wrapped in synchronized output, and the status line under it. */
    CHECK(wrote(ESC "[?2026h"));
    CHECK(wrote(ESC "[2J"));
    CHECK(wrote(ESC "[24;1H"));
    CHECK(wrote("test 320x240"));
    /* Nothing new: nothing is drawn again. */
    reset();
    sk_sleep_ms(100);
    sk_console_tick(c);
    CHECK(!wrote(ESC "[?2026h"));
    /* A resize redraws all of it for the new size; an open menu closes. */
    feed(c, "\x1d");
    sk_console_resize(c, 100, 40);
    reset();
    sk_console_tick(c);
    CHECK(wrote(ESC "[2J"));
    CHECK(wrote(ESC "[40;1H"));
    feed(c, "1");
    const uint8_t one[] = {0, 0x1e, 0, 0}; /* typed, not the menu's Ctrl+Alt+Del */
    CHECK(kbd_is(one, 2));
    /* A click on the picture: the middle of the screen, pressed then released. */
    reset();
    feed(c, ESC "[<0;50;20M" ESC "[<0;50;20m");
    sk_hid_flush(app.hid, 2000);
    CHECK_EQ_INT(mouse.len, 12);
    if (mouse.len == 12) {
        CHECK_EQ_INT(mouse.data[0], 1);
        CHECK_EQ_INT(mouse.data[6], 0);
        unsigned x = (uint8_t)mouse.data[1] | (uint8_t)mouse.data[2] << 8;
        unsigned y = (uint8_t)mouse.data[3] | (uint8_t)mouse.data[4] << 8;
        CHECK(x > 14000 && x < 19000);
        CHECK(y > 14000 && y < 19000);
    }
    /* The status line is no part of the picture: a click there goes nowhere. */
    reset();
    feed(c, ESC "[<0;50;40M");
    sk_hid_flush(app.hid, 2000);
    CHECK_EQ_INT(mouse.len, 0);
    sk_console_free(c);
}

/*
 * Another session takes control while this console holds a key (kitty mode):
 * the taker's keys are released once, by the take, and the console's late
 * release of the same key position does not let go of the taker's.
 */
static void test_taken_keys_stay(void)
{
    app.roster = sk_roster_new(&(struct sk_roster_opts){.mode = SK_CONTROL_EXCLUSIVE});
    int me = sk_roster_join(app.roster, "ssh", "tester", "127.0.0.1:1", SK_ROLE_CONTROL);
    int other = sk_roster_join(app.roster, "command", "other", "127.0.0.1:2", SK_ROLE_CONTROL);
    struct sk_console *c = open_sized(SK_ROLE_CONTROL, 80, 24, me);
    feed(c, ESC "[?0u" ESC "[?62;22c");
    reset();
    feed(c, ESC "[97u"); /* a down, held */
    const uint8_t down[] = {0, 0x04};
    CHECK(kbd_is(down, 1));
    /* The other session takes control (everything released) and presses a itself. */
    char msg[256];
    const struct sk_identity who = {other, SK_ROLE_CONTROL, "other", "127.0.0.1:2"};
    CHECK_EQ_INT(sk_app_input(&app, &who, "type", 1, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(sk_hid_key_down(app.hid, 0x04, 0), 0);
    const uint8_t taken[] = {0, 0x04, 0, 0, 0, 0x04};
    CHECK(kbd_is(taken, 3));
    /* The console's terminal now reports its a released, at once and after the watchdog. */
    feed(c, ESC "[97;1:3u");
    sk_console_tick(c);
    CHECK(kbd_is(taken, 3));
    sk_sleep_ms(1600);
    sk_console_tick(c);
    CHECK(kbd_is(taken, 3));
    CHECK(wrote("other took control"));
    sk_console_free(c);
    CHECK(kbd_is(taken, 3)); /* closing does not release the taker's keys either */
    sk_hid_key_up(app.hid, 0x04, 0);
    sk_hid_flush(app.hid, 2000);
    sk_roster_free(app.roster);
    app.roster = NULL;
}

/* The largest row and column any cursor move in what was written goes to. */
static void furthest_move(unsigned *row, unsigned *col)
{
    *row = *col = 0;
    /* strtoul, not sscanf: glibc's sscanf takes the strlen of the rest of the output at every
     * move, quadratic in a huge window's output (minutes under qemu-user, test_arm). */
    for (size_t i = 0; i + 2 < out.len; i++) {
        if (out.data[i] != '\033' || out.data[i + 1] != '[') {
            continue;
        }
        char *end;
        unsigned long r = strtoul(out.data + i + 2, &end, 10);
        if (end == out.data + i + 2 || *end != ';') {
            continue;
        }
        char *num = end + 1;
        unsigned long c = strtoul(num, &end, 10);
        if (end != num && *end == 'H') {
            *row = SK_MAX(*row, (unsigned)r);
            *col = SK_MAX(*col, (unsigned)c);
        }
    }
}

/* A huge window (a session's memory grows with its cells) gets the largest picture, no more. */
static void test_huge_window(void)
{
    struct sk_frame *f = make_frame();
    sk_hub_publish(app.hub, f);
    sk_frame_unref(f);
    struct sk_console *c = open_sized(SK_ROLE_CONTROL, 5000, 3000, -1);
    reset();
    sk_console_tick(c);
    unsigned row, col;
    furthest_move(&row, &col);
    CHECK_EQ_INT(row, SK_GRID_MAX_ROWS);
    CHECK(col >= 1 && col <= SK_GRID_MAX_COLS);
    sk_console_resize(c, 100000, 100000);
    reset();
    sk_console_tick(c);
    furthest_move(&row, &col);
    CHECK_EQ_INT(row, SK_GRID_MAX_ROWS);
    CHECK(col >= 1 && col <= SK_GRID_MAX_COLS);
    sk_console_free(c);
}

static void test_view_only(void)
{
    reset();
    env_fps = "500";
    struct sk_console *c = open_console(SK_ROLE_VIEW);
    env_fps = NULL;
    CHECK(!wrote(MOUSE_ON)); /* the terminal keeps its mouse for selecting text */
    sk_console_tick(c);
    CHECK(wrote("SSHKVM_FPS: '500' is not a number from 1 to 120"));
    reset();
    feed(c, "a" ESC "[A");
    sk_console_tick(c);
    CHECK(wrote("view-only key: tester may watch but not send keys or clicks"));
    /* The menu's choices are refused as well. */
    feed(c, "\x1d"
            "1");
    feed(c, "\x1d"
            "4");
    feed(c, "\x1d"
            "5f12\r");
    CHECK(wrote("view-only key"));
    escape(c);
    feed(c, ESC "[<0;10;10M");
    sk_hid_flush(app.hid, 2000);
    CHECK_EQ_INT(kbd.len, 0);
    CHECK_EQ_INT(mouse.len, 0);
    sk_sleep_ms(4100); /* the refusal's message has gone: the status line says who we are */
    reset();
    sk_console_tick(c);
    CHECK(wrote("view only"));
    reset();
    sk_console_free(c);
    sk_hid_flush(app.hid, 2000);
    CHECK_EQ_INT(kbd.len, 0);
}

/* A power LED line that reads lit, and one that reads dark: the status line says which. */
static int lit_level = 1;
static int fake_open(void *ctx, const struct sk_powerspec *spec, char *err, size_t errlen)
{
    return 0;
}
static int fake_set(void *ctx, enum sk_power_line line, int level)
{
    return 0;
}
static int fake_get(void *ctx, enum sk_power_line line)
{
    return line == SK_POWER_LED ? lit_level : 0;
}
static void fake_close(void *ctx)
{
}

static void test_power_status(void)
{
    reset();
    struct sk_console *c = open_console(SK_ROLE_CONTROL);
    sk_console_tick(c);
    CHECK(!wrote("| power")); /* no --power-gpio: nothing said */
    sk_console_free(c);
    const struct sk_power_backend be = {
        .open = fake_open, .set = fake_set, .get = fake_get, .close = fake_close};
    struct sk_powerspec spec;
    char why[128];
    CHECK_EQ_INT(sk_powerspec_parse("gpiochip0", &spec, why, sizeof(why)), 0);
    app.power = sk_power_new(&(struct sk_power_opts){.gpio = &spec, .backend = &be});
    lit_level = 1;
    reset();
    c = open_console(SK_ROLE_CONTROL);
    sk_console_tick(c);
    CHECK(wrote(" | power on | "));
    lit_level = 0;
    reset();
    sk_console_tick(c); /* within the status line's period: not drawn again yet */
    sk_sleep_ms(1100);
    sk_console_tick(c);
    CHECK(wrote(" | power off | "));
    sk_console_free(c);
    sk_power_free(app.power);
    app.power = NULL;
}

int main(void)
{
    char e[256];
    app.hub = sk_hub_new();
    app.keymap = sk_keymap_load("keymaps", "us", e, sizeof(e));
    app.keymap_dir = "keymaps";
    app.video_name = "test";
    if (app.keymap == NULL) {
        fprintf(stderr, "%s\n", e);
        return 1;
    }
    struct sk_hid_opts ho = {.keyboard = "demo",
                             .mouse = "demo",
                             .demo_keyboard = record_kbd,
                             .demo_mouse = record_mouse,
                             .demo_leds = leds};
    app.hid = sk_hid_new(&ho);
    if (sk_hid_open(app.hid, e, sizeof(e)) != 0 || sk_hid_flush(app.hid, 2000) != 0) {
        fprintf(stderr, "%s\n", e);
        return 1;
    }
    SK_RUN(test_start_and_end);
    SK_RUN(test_legacy_keys);
    SK_RUN(test_kitty);
    SK_RUN(test_not_kitty);
    SK_RUN(test_recording);
    SK_RUN(test_menu);
    SK_RUN(test_picture_resize_and_mouse);
    SK_RUN(test_view_only);
    SK_RUN(test_huge_window);
    SK_RUN(test_taken_keys_stay);
    SK_RUN(test_power_status);
    sk_hid_close(app.hid);
    sk_hid_free(app.hid);
    sk_keymap_free(app.keymap);
    sk_hub_free(app.hub);
    sk_buf_free(&kbd);
    sk_buf_free(&mouse);
    sk_buf_free(&out);
    return SK_CHECK_EXIT();
}

/*
 * test_bios: the demo target's BIOS program, driven by keyboard and mouse
 * reports as sshkvm would send them, and checked on its screen.
 */
#include <stdlib.h>

#include "check.h"
#include "demo/bios.h"
#include "demo/demo.h"

#define SHIFT 0x02
#define CTRL 0x01
#define ALT 0x04

enum {
    K_A = 0x04,
    K_E = 0x08,
    K_H = 0x0b,
    K_L = 0x0f,
    K_O = 0x12,
    K_Y = 0x1c,
    K_ENTER = 0x28,
    K_ESC = 0x29,
    K_BKSP = 0x2a,
    K_SPACE = 0x2c,
    K_CAPS = 0x39,
    K_F2 = 0x3b,
    K_F10 = 0x43,
    K_DEL = 0x4c,
    K_RIGHT = 0x4f,
    K_LEFT = 0x50,
    K_DOWN = 0x51,
    K_UP = 0x52,
    K_KP_PLUS = 0x57,
};

/* Press and release one key with modifiers, as sshkvm's HID module does. */
static void tap(struct sk_demo *d, uint8_t mods, uint8_t usage)
{
    uint8_t r[8] = {mods, 0, usage, 0, 0, 0, 0, 0};
    CHECK_EQ_INT(sk_demo_keyboard_report(d, r, 8), 0);
    r[2] = 0;
    CHECK_EQ_INT(sk_demo_keyboard_report(d, r, 8), 0);
    r[0] = 0;
    CHECK_EQ_INT(sk_demo_keyboard_report(d, r, 8), 0);
}

/* Row r of the screen as text (the demo's rows are ASCII wherever tests look). */
static const char *row(struct sk_demo *d, int r)
{
    static char text[8192];
    static char line[512];
    sk_demo_text(d, text, sizeof(text));
    const char *p = text;
    for (int i = 0; i < r && p != NULL; i++) {
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
    if (p == NULL) {
        return "";
    }
    size_t n = strcspn(p, "\n");
    memcpy(line, p, n);
    line[n] = '\0';
    return line;
}

static int screen_has(struct sk_demo *d, const char *s)
{
    static char text[8192];
    sk_demo_text(d, text, sizeof(text));
    return strstr(text, s) != NULL;
}

static void click(struct sk_demo *d, int col, int r)
{
    /* The centre of the cell, in the absolute mouse's 0..32767 range. */
    unsigned x = (unsigned)(col * 32768 + 16384) / 80;
    unsigned y = (unsigned)(r * 32768 + 16384) / 25;
    uint8_t rep[6] = {1, (uint8_t)x, (uint8_t)(x >> 8), (uint8_t)y, (uint8_t)(y >> 8), 0};
    CHECK_EQ_INT(sk_demo_mouse_report(d, rep, 6), 0);
    rep[0] = 0;
    CHECK_EQ_INT(sk_demo_mouse_report(d, rep, 6), 0);
}

/* Select System Name (two below System Time, the first item) and start editing. */
static void edit_name(struct sk_demo *d)
{
    tap(d, 0, K_DOWN);
    tap(d, 0, K_DOWN);
    tap(d, 0, K_ENTER);
}

static void test_type_hello(void)
{
    struct sk_demo *d = sk_demo_new();
    CHECK(strstr(row(d, 11), "System Name") != NULL);
    CHECK(strstr(row(d, 11), "[demo-pc]") != NULL);
    edit_name(d);
    for (int i = 0; i < 7; i++) {
        tap(d, 0, K_BKSP);
    }
    tap(d, SHIFT, K_H);
    tap(d, 0, K_E);
    tap(d, 0, K_L);
    tap(d, 0, K_L);
    tap(d, 0, K_O);
    /* While editing the field is shown padded to its width. */
    CHECK(strstr(row(d, 11), "[Hello               ]") != NULL);
    tap(d, 0, K_ENTER);
    CHECK(strstr(row(d, 11), "[Hello]") != NULL);
    sk_demo_free(d);
}

static void test_caps_lock_and_cancel(void)
{
    struct sk_demo *d = sk_demo_new();
    edit_name(d);
    tap(d, 0, K_CAPS);
    CHECK_EQ_INT(sk_demo_leds(d), SK_LED_CAPS);
    tap(d, 0, K_A);
    tap(d, SHIFT, K_A);
    tap(d, 0, 0x1e); /* '1': Caps Lock leaves digits alone */
    tap(d, SHIFT, 0x1e);
    tap(d, 0, K_CAPS);
    tap(d, 0, K_A);
    CHECK(strstr(row(d, 11), "[demo-pcAa1!a") != NULL);
    /* Caps Lock was pressed twice: the LED is off again. */
    CHECK_EQ_INT(sk_demo_leds(d), 0);
    /* Esc throws the edit away. */
    tap(d, 0, K_ESC);
    CHECK(strstr(row(d, 11), "[demo-pc]") != NULL);
    sk_demo_free(d);
}

static void test_arrows(void)
{
    struct sk_bios *b = sk_bios_new();
    /* The selected value is white on blue: first System Time (row 9), then Date, then back. */
    const struct sk_textscreen *s = sk_bios_screen(b);
    CHECK_EQ_INT(s->cells[9][29].attr, SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE));
    CHECK_EQ_INT(s->cells[10][29].attr, SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY));
    sk_bios_key(b, K_DOWN, 0, 0);
    s = sk_bios_screen(b);
    CHECK_EQ_INT(s->cells[9][29].attr, SK_ATTR(SK_VGA_BLUE, SK_VGA_LIGHTGREY));
    CHECK_EQ_INT(s->cells[10][29].attr, SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE));
    /* Up from the first item stays there. */
    sk_bios_key(b, K_UP, 0, 0);
    sk_bios_key(b, K_UP, 0, 0);
    s = sk_bios_screen(b);
    CHECK_EQ_INT(s->cells[9][29].attr, SK_ATTR(SK_VGA_WHITE, SK_VGA_BLUE));
    sk_bios_free(b);

    struct sk_demo *d = sk_demo_new();
    tap(d, 0, K_RIGHT);
    CHECK(screen_has(d, "Virtualization Technology"));
    CHECK(strstr(row(d, 5), "[Enabled]") != NULL);
    /* Enter on an option cycles it. */
    tap(d, 0, K_ENTER);
    CHECK(strstr(row(d, 5), "[Disabled]") != NULL);
    tap(d, 0, K_LEFT);
    tap(d, 0, K_LEFT);
    CHECK(screen_has(d, "Save Changes and Exit"));
    tap(d, 0, K_RIGHT);
    CHECK(screen_has(d, "BIOS Vendor"));
    sk_demo_free(d);
}

static void test_boot_order(void)
{
    struct sk_demo *d = sk_demo_new();
    tap(d, 0, K_RIGHT);
    tap(d, 0, K_RIGHT);
    CHECK(strstr(row(d, 7), "Boot Option #1") != NULL);
    CHECK(strstr(row(d, 7), "[USB: sshkvm Virtual Disk]") != NULL);
    CHECK(strstr(row(d, 8), "[SATA0: Demo SSD 256GB]") != NULL);
    /* Down to Boot Option #2, then + raises it above #1. */
    tap(d, 0, K_DOWN);
    tap(d, 0, K_DOWN);
    tap(d, 0, K_KP_PLUS);
    CHECK(strstr(row(d, 7), "[SATA0: Demo SSD 256GB]") != NULL);
    CHECK(strstr(row(d, 8), "[USB: sshkvm Virtual Disk]") != NULL);
    /* F10, Yes: saved, and the machine restarts and boots from the SATA disk. */
    tap(d, 0, K_F10);
    CHECK(screen_has(d, "Save configuration and exit?"));
    CHECK(screen_has(d, "[Yes]"));
    tap(d, 0, K_ENTER);
    struct sk_image img = {0};
    sk_demo_render(d, 10000, &img);
    CHECK(screen_has(d, "Press F2 or DEL to enter SETUP"));
    sk_demo_render(d, 10000 + SK_BIOS_POST_MS, &img);
    CHECK(strstr(row(d, 0), "Booting from SATA0: Demo SSD 256GB") != NULL);
    sk_image_free(&img);
    sk_demo_free(d);
}

static void test_dialog_no(void)
{
    struct sk_demo *d = sk_demo_new();
    tap(d, 0, K_F10);
    CHECK(screen_has(d, "Save configuration and exit?"));
    tap(d, 0, K_RIGHT);
    tap(d, 0, K_ENTER);
    CHECK(!screen_has(d, "Save configuration and exit?"));
    CHECK(screen_has(d, "System Name"));
    /* Esc asks to quit; Esc again answers No. */
    tap(d, 0, K_ESC);
    CHECK(screen_has(d, "Quit without saving changes?"));
    tap(d, 0, K_ESC);
    CHECK(!screen_has(d, "Quit without saving"));
    sk_demo_free(d);
}

static void test_reset_post_console(void)
{
    struct sk_demo *d = sk_demo_new();
    struct sk_image img = {0};
    sk_demo_render(d, 5000, &img);
    tap(d, CTRL | ALT, K_DEL);
    CHECK(strstr(row(d, 0), "sshkvm demo BIOS") != NULL);
    CHECK(strstr(row(d, 24), "Press F2 or DEL to enter SETUP") != NULL);
    /* POST's timer starts at the next frame and lasts ~3 s. */
    sk_demo_render(d, 6000, &img);
    sk_demo_render(d, 6000 + SK_BIOS_POST_MS - 1, &img);
    CHECK(screen_has(d, "Press F2 or DEL to enter SETUP"));
    CHECK(screen_has(d, "Memory Testing : 16777216K OK"));
    sk_demo_render(d, 6000 + SK_BIOS_POST_MS, &img);
    CHECK(screen_has(d, "demo login: "));
    CHECK(!screen_has(d, "SETUP"));

    /* The console echoes a line, Enter ends it, the shell answers. */
    tap(d, SHIFT, K_A);
    tap(d, 0, K_L);
    tap(d, 0, K_BKSP);
    tap(d, 0, K_A);
    CHECK(strstr(row(d, 4), "demo login: Aa") != NULL);
    tap(d, 0, K_ENTER);
    CHECK(screen_has(d, "Welcome to the sshkvm demo console, Aa."));
    CHECK(screen_has(d, "Aa@demo:~$ "));
    static const uint8_t echo_hello[] = {K_E, 0x06, K_H, K_O, K_SPACE, K_H, K_E, K_L, K_L, K_O};
    for (size_t i = 0; i < sizeof(echo_hello); i++) {
        tap(d, 0, echo_hello[i]);
    }
    tap(d, 0, K_ENTER);
    CHECK(screen_has(d, "Aa@demo:~$ echo hello"));
    CHECK(screen_has(d, "\nhello    "));

    /* Many lines scroll: the banner leaves the top, the newest prompt is on the last row. */
    for (int i = 0; i < 30; i++) {
        tap(d, 0, K_ENTER);
    }
    CHECK(!screen_has(d, "Booting from"));
    CHECK(strncmp(row(d, 24), "Aa@demo:~$ ", 11) == 0);
    sk_image_free(&img);
    sk_demo_free(d);
}

static void test_post_to_setup(void)
{
    struct sk_bios *b = sk_bios_new();
    sk_bios_key(b, K_DEL, CTRL | ALT, 0);
    CHECK_EQ_INT(sk_bios_mode(b), SK_BIOS_POST);
    sk_bios_tick(b, 100, NULL);
    sk_bios_key(b, K_F2, 0, 0);
    sk_bios_tick(b, 100 + SK_BIOS_POST_MS - 1, NULL);
    CHECK_EQ_INT(sk_bios_mode(b), SK_BIOS_POST);
    const struct sk_textscreen *s = sk_bios_screen(b);
    CHECK_EQ_INT(s->cells[24][0].ch, 'E'); /* "Entering SETUP..." */
    sk_bios_tick(b, 100 + SK_BIOS_POST_MS, NULL);
    CHECK_EQ_INT(sk_bios_mode(b), SK_BIOS_SETUP);
    sk_bios_free(b);
}

static void test_clock(void)
{
    struct sk_bios *b = sk_bios_new();
    struct tm t = {.tm_year = 124,
                   .tm_mon = 1,
                   .tm_mday = 29,
                   .tm_wday = 4,
                   .tm_hour = 23,
                   .tm_min = 59,
                   .tm_sec = 58};
    sk_bios_tick(b, 0, &t);
    const struct sk_textscreen *s = sk_bios_screen(b);
    char line[32] = {0};
    for (int i = 0; i < 16; i++) {
        line[i] = (char)s->cells[10][29 + i].ch;
    }
    CHECK_STR(line, "[Thu 02/29/2024]");
    for (int i = 0; i < 10; i++) {
        line[i] = (char)s->cells[9][29 + i].ch;
    }
    line[10] = '\0';
    CHECK_STR(line, "[23:59:58]");
    sk_bios_free(b);
}

static void test_mouse(void)
{
    struct sk_demo *d = sk_demo_new();
    /* Click the Boot tab (the third, at column 24). */
    click(d, 24, 1);
    CHECK(screen_has(d, "Boot Priority Order"));
    click(d, 2, 1);
    /* Click System Name once to select it, again to edit; type, then click away to keep it. */
    click(d, 10, 11);
    click(d, 10, 11);
    tap(d, 0, K_Y);
    CHECK(strstr(row(d, 11), "[demo-pcy") != NULL);
    click(d, 10, 9);
    CHECK(strstr(row(d, 11), "[demo-pcy]") != NULL);
    /* F10, then click [No]. */
    tap(d, 0, K_F10);
    int found = 0;
    for (int y = 0; y < 25 && !found; y++) {
        const char *r = row(d, y);
        const char *no = strstr(r, "[No]");
        if (no != NULL) {
            /* The row is UTF-8 (frame lines are 3 bytes): count characters, not bytes. */
            int col = 0;
            for (const char *p = r; p < no; p++) {
                col += ((unsigned char)*p & 0xC0) != 0x80;
            }
            click(d, col + 1, y);
            found = 1;
        }
    }
    CHECK(found);
    CHECK(!screen_has(d, "Save configuration and exit?"));
    sk_demo_free(d);
}

int main(void)
{
    SK_RUN(test_type_hello);
    SK_RUN(test_caps_lock_and_cancel);
    SK_RUN(test_arrows);
    SK_RUN(test_boot_order);
    SK_RUN(test_dialog_no);
    SK_RUN(test_reset_post_console);
    SK_RUN(test_post_to_setup);
    SK_RUN(test_clock);
    SK_RUN(test_mouse);
    return SK_CHECK_EXIT();
}

/*
 * demo: the built-in demo target, a simulated PC behind a USB cable and an
 * HDMI dongle.
 *
 * Owns the USB host's keyboard decoder, the BIOS program and a mutex over
 * both: keyboard and mouse reports arrive from the HID writer's thread,
 * while the capture thread renders. Reports pass through usbhost (key
 * events, lock LEDs) into the BIOS program; rendering lets time pass in the
 * program, copies its text screen under the lock and draws pixels outside
 * it with the VGA renderer.
 */
#include "demo/demo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/bios.h"
#include "text/font8x16.h"
#include "demo/usbhost.h"
#include "demo/vgatext.h"
#include "base/util.h"

#define MOUSE_REPORT_LEN 6

struct sk_demo {
    pthread_mutex_t lock;
    struct sk_usbhost host;
    struct sk_bios *bios;
};

/* The target's real-time clock: local wall-clock time, as a PC keeps it. */
static void read_rtc(struct tm *out)
{
    time_t now = time(NULL);
    if (localtime_r(&now, out) == NULL) {
        memset(out, 0, sizeof(*out));
    }
}

struct sk_demo *sk_demo_new(void)
{
    struct sk_demo *demo = xcalloc(1, sizeof(*demo));
    pthread_mutex_init(&demo->lock, NULL);
    sk_usbhost_init(&demo->host);
    demo->bios = sk_bios_new();
    struct tm rtc;
    read_rtc(&rtc);
    sk_bios_tick(demo->bios, sk_now_ms(), &rtc);
    return demo;
}

void sk_demo_free(struct sk_demo *demo)
{
    if (demo == NULL) {
        return;
    }
    sk_bios_free(demo->bios);
    pthread_mutex_destroy(&demo->lock);
    free(demo);
}

int sk_demo_keyboard_report(struct sk_demo *demo, const uint8_t *report, size_t len)
{
    struct sk_usbhost_event events[SK_USBHOST_MAX_EVENTS];
    pthread_mutex_lock(&demo->lock);
    int n = sk_usbhost_report(&demo->host, report, len, events);
    for (int i = 0; i < n; i++) {
        /* Programs act on presses; releases and modifier changes only update the host's state. */
        if (events[i].type == SK_USBHOST_PRESS) {
            sk_bios_key(demo->bios, events[i].usage, events[i].mods, events[i].locks);
        }
    }
    pthread_mutex_unlock(&demo->lock);
    return n < 0 ? -1 : 0;
}

int sk_demo_mouse_report(struct sk_demo *demo, const uint8_t *report, size_t len)
{
    if (len != MOUSE_REPORT_LEN) {
        return -1;
    }
    uint16_t x = (uint16_t)(report[1] | report[2] << 8);
    uint16_t y = (uint16_t)(report[3] | report[4] << 8);
    pthread_mutex_lock(&demo->lock);
    sk_bios_mouse(demo->bios, report[0], x, y, (int8_t)report[5]);
    pthread_mutex_unlock(&demo->lock);
    return 0;
}

uint8_t sk_demo_leds(struct sk_demo *demo)
{
    pthread_mutex_lock(&demo->lock);
    uint8_t leds = sk_usbhost_leds(&demo->host);
    pthread_mutex_unlock(&demo->lock);
    return leds;
}

void sk_demo_render(struct sk_demo *demo, int64_t now_ms, struct sk_image *out)
{
    struct sk_textscreen screen;
    struct tm rtc;
    read_rtc(&rtc);
    pthread_mutex_lock(&demo->lock);
    sk_bios_tick(demo->bios, now_ms, &rtc);
    screen = *sk_bios_screen(demo->bios);
    pthread_mutex_unlock(&demo->lock);
    sk_vgatext_render(&screen, now_ms, out);
}

size_t sk_demo_text(struct sk_demo *demo, char *buf, size_t cap)
{
    struct sk_textscreen screen;
    pthread_mutex_lock(&demo->lock);
    screen = *sk_bios_screen(demo->bios);
    pthread_mutex_unlock(&demo->lock);
    if (cap == 0) {
        return 0;
    }
    size_t len = 0;
    for (int r = 0; r < SK_TEXT_ROWS; r++) {
        for (int c = 0; c <= SK_TEXT_COLS; c++) {
            char utf8[4];
            size_t n = 1;
            if (c == SK_TEXT_COLS) {
                utf8[0] = '\n';
            } else {
                n = sk_utf8_encode(sk_cp437_unicode[screen.cells[r][c].ch], utf8);
            }
            /* Stop before a character that does not fit whole, so the text stays valid UTF-8. */
            if (len + n > cap - 1) {
                buf[len] = '\0';
                return len;
            }
            memcpy(buf + len, utf8, n);
            len += n;
        }
    }
    buf[len] = '\0';
    return len;
}

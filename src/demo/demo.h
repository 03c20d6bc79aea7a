/*
 * demo: the built-in demo target, a simulated PC to drive without hardware.
 *
 * It behaves as the computer at the other end of the USB cable and HDMI
 * dongle would: it receives the very bytes we would write to /dev/hidg0
 * (8-byte boot-keyboard reports) and /dev/hidg1 (6-byte absolute-mouse
 * reports), decodes them as a USB host does (press and release, modifiers,
 * six-key rollover, lock keys and their LEDs), and runs a BIOS-setup-like
 * program on an 80x25 VGA text screen that it renders to pixels with a real
 * VGA font. Thread-safe: the HID writer feeds reports while capture renders.
 */
#ifndef SK_DEMO_H
#define SK_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "hid/keys.h" /* SK_LED_* */
#include "video/image.h"

#define SK_DEMO_WIDTH 720
#define SK_DEMO_HEIGHT 400

struct sk_demo;

struct sk_demo *sk_demo_new(void);
void sk_demo_free(struct sk_demo *demo);

/* A keyboard input report as the host receives it; other lengths are ignored. Returns 0/-1. */
int sk_demo_keyboard_report(struct sk_demo *demo, const uint8_t *report, size_t len);
/* An absolute-mouse report [buttons, x lo, x hi, y lo, y hi, wheel]. Returns 0/-1. */
int sk_demo_mouse_report(struct sk_demo *demo, const uint8_t *report, size_t len);
/* The LED output report the host last sent (SK_LED_* bits). */
uint8_t sk_demo_leds(struct sk_demo *demo);

/* Render the current screen (SK_DEMO_WIDTH x SK_DEMO_HEIGHT RGB24) at time now_ms (clock, cursor
 * blink). */
void sk_demo_render(struct sk_demo *demo, int64_t now_ms, struct sk_image *out);
/*
 * The screen's characters as UTF-8 text, 25 lines of 80 columns ending in
 * '\n', NUL-terminated; returns the length (truncated to cap - 1). For tests.
 */
size_t sk_demo_text(struct sk_demo *demo, char *buf, size_t cap);

#endif

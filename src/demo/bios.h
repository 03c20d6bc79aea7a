/*
 * bios: the program the demo target runs, a BIOS setup utility and a console.
 *
 * A pure state machine over an 80x25 text screen. It starts in an
 * AMI/Phoenix-style setup utility (tabs Main, Advanced, Boot, Security,
 * Exit; items, a help panel, a key legend, dialogs, a live clock, an
 * editable System Name). Ctrl+Alt+Del, Save & Exit or "reboot" reset the
 * machine: a POST screen for SK_BIOS_POST_MS, then setup if F2 or Del was
 * pressed, else a text console with a login prompt. Key presses come in as
 * a USB host decoded them; characters are made with the demo's own US
 * layout. Time is passed in, never read: monotonic milliseconds for the
 * POST timer, a broken-down real-time clock for the clock display.
 */
#ifndef SK_DEMO_BIOS_H
#define SK_DEMO_BIOS_H

#include <stdint.h>
#include <time.h>

#include "demo/textscreen.h"

#define SK_BIOS_POST_MS 3000

enum sk_bios_mode {
    SK_BIOS_SETUP = 1,
    SK_BIOS_POST,
    SK_BIOS_CONSOLE,
};

struct sk_bios;

/* A machine showing its setup utility's Main page; the clock reads 2025-01-01 until the first tick.
 */
struct sk_bios *sk_bios_new(void);
void sk_bios_free(struct sk_bios *bios);

/*
 * One key press: usage (keyboard page), the modifier byte of the report and
 * the host's lock bits after the press (bit 0 Num, bit 1 Caps, bit 2 Scroll).
 */
void sk_bios_key(struct sk_bios *bios, uint8_t usage, uint8_t mods, uint8_t locks);
/*
 * The absolute pointer: buttons (bit 0 left), x and y in 0..32767 across the
 * screen, wheel detents (positive is up). A left-button press on a tab, a
 * list item or a dialog button acts on it.
 */
void sk_bios_mouse(struct sk_bios *bios, uint8_t buttons, uint16_t x, uint16_t y, int8_t wheel);
/*
 * Let time pass: now_ms is a monotonic clock (the POST timer starts at the
 * first tick after a reset), rtc the real-time clock to show (copied; NULL
 * keeps the old one).
 */
void sk_bios_tick(struct sk_bios *bios, int64_t now_ms, const struct tm *rtc);
/*
 * Draw the current screen, the pointer as an inverted cell. The result
 * belongs to bios and is valid until the next call on it.
 */
const struct sk_textscreen *sk_bios_screen(struct sk_bios *bios);
/* Which program runs now. */
enum sk_bios_mode sk_bios_mode(const struct sk_bios *bios);

#endif

/*
 * usbhost: the host side of a USB boot keyboard, as an OS's HID driver sees it.
 *
 * Pure: no I/O, no clock. Each 8-byte input report [mods, 0, k1..k6] is
 * compared with the previous one to produce events: the modifier byte when
 * it changed, a release for each key that left the array, a press for each
 * key that entered it. A report with ErrorRollOver (0x01) in a key slot
 * leaves the keys as they were (the keyboard could not tell what is held)
 * but still updates the modifiers. Presses of Num, Caps and Scroll Lock
 * toggle the lock state, which is also the LED byte the host sends back.
 */
#ifndef SK_DEMO_USBHOST_H
#define SK_DEMO_USBHOST_H

#include <stddef.h>
#include <stdint.h>

#define SK_USBHOST_REPORT_LEN 8
/* At most: a modifier change, six releases and six presses. */
#define SK_USBHOST_MAX_EVENTS 13

/* Lock bits, equal to the LED bits of the output report (SK_LED_* in demo.h). */
#define SK_USBHOST_LOCK_NUM 0x01
#define SK_USBHOST_LOCK_CAPS 0x02
#define SK_USBHOST_LOCK_SCROLL 0x04

enum sk_usbhost_event_type {
    SK_USBHOST_MODS = 1, /* the modifier byte changed; usage is 0 */
    SK_USBHOST_RELEASE,
    SK_USBHOST_PRESS,
};

struct sk_usbhost_event {
    enum sk_usbhost_event_type type;
    uint8_t usage; /* keyboard page (0x07) usage; 0 for SK_USBHOST_MODS */
    uint8_t mods;  /* the modifier byte of the report that caused the event */
    uint8_t locks; /* lock state after the event (SK_USBHOST_LOCK_*) */
};

/* The decoder's state; zero it with sk_usbhost_init. Plain data, copyable. */
struct sk_usbhost {
    uint8_t mods;
    uint8_t keys[6]; /* the usages held, as last reported (0: empty slot) */
    uint8_t locks;
};

/* Reset to no keys held and all locks off. */
void sk_usbhost_init(struct sk_usbhost *host);
/*
 * Decode one input report. Writes up to SK_USBHOST_MAX_EVENTS events to
 * events (modifier change first, then releases, then presses, each in slot
 * order) and returns how many, or -1 when len is not 8 (state unchanged).
 */
int sk_usbhost_report(struct sk_usbhost *host, const uint8_t *report, size_t len,
                      struct sk_usbhost_event events[SK_USBHOST_MAX_EVENTS]);
/* The LED byte the host would send to the keyboard (SK_USBHOST_LOCK_* bits). */
uint8_t sk_usbhost_leds(const struct sk_usbhost *host);

#endif

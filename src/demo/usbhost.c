/*
 * usbhost: decodes boot-keyboard input reports into key events.
 *
 * Owns nothing but the previous report and the lock state, kept in a plain
 * struct the caller embeds. Data passes one way: report bytes in, events
 * out. This mirrors what Linux's hid-input does with a boot keyboard's key
 * array: diff the arrays, ignore the phantom state of a rollover report,
 * and let the host (not the keyboard) own the Num/Caps/Scroll Lock toggles.
 */
#include "demo/usbhost.h"

#include <string.h>

#include "base/util.h"

/* Key-array values that are error codes, not keys (HID Usage Tables 10). */
#define USAGE_ERROR_ROLLOVER 0x01
#define USAGE_FIRST_KEY 0x04

/* The lock keys and the lock bit each toggles; data, not a switch. */
static const struct {
    uint8_t usage;
    uint8_t bit;
} lock_keys[] = {
    {.usage = 0x53, .bit = SK_USBHOST_LOCK_NUM},
    {.usage = 0x39, .bit = SK_USBHOST_LOCK_CAPS},
    {.usage = 0x47, .bit = SK_USBHOST_LOCK_SCROLL},
};

void sk_usbhost_init(struct sk_usbhost *host)
{
    memset(host, 0, sizeof(*host));
}

static int holds(const uint8_t keys[6], uint8_t usage)
{
    for (size_t i = 0; i < 6; i++) {
        if (keys[i] == usage) {
            return 1;
        }
    }
    return 0;
}

static uint8_t lock_bit(uint8_t usage)
{
    for (size_t i = 0; i < SK_ARRAY_LEN(lock_keys); i++) {
        if (lock_keys[i].usage == usage) {
            return lock_keys[i].bit;
        }
    }
    return 0;
}

int sk_usbhost_report(struct sk_usbhost *host, const uint8_t *report, size_t len,
                      struct sk_usbhost_event events[SK_USBHOST_MAX_EVENTS])
{
    if (len != SK_USBHOST_REPORT_LEN) {
        return -1;
    }
    int n = 0;
    uint8_t mods = report[0];
    if (mods != host->mods) {
        events[n++] = (struct sk_usbhost_event){
            .type = SK_USBHOST_MODS, .usage = 0, .mods = mods, .locks = host->locks};
        host->mods = mods;
    }

    /*
     * Keep only real keys: empty slots and the POST-fail/undefined error
     * codes carry nothing, and a duplicate usage is one key.
     */
    uint8_t keys[6] = {0};
    size_t nkeys = 0;
    for (size_t i = 0; i < 6; i++) {
        uint8_t u = report[2 + i];
        if (u == USAGE_ERROR_ROLLOVER) {
            /* Too many keys down: the array is phantom state, so keep the old one. */
            return n;
        }
        if (u >= USAGE_FIRST_KEY && !holds(keys, u)) {
            keys[nkeys++] = u;
        }
    }

    for (size_t i = 0; i < 6; i++) {
        uint8_t u = host->keys[i];
        if (u != 0 && !holds(keys, u)) {
            events[n++] = (struct sk_usbhost_event){
                .type = SK_USBHOST_RELEASE, .usage = u, .mods = mods, .locks = host->locks};
        }
    }
    for (size_t i = 0; i < nkeys; i++) {
        uint8_t u = keys[i];
        if (holds(host->keys, u)) {
            continue;
        }
        /* The host toggles a lock on the press edge, as the LED shows it. */
        host->locks ^= lock_bit(u);
        events[n++] = (struct sk_usbhost_event){
            .type = SK_USBHOST_PRESS, .usage = u, .mods = mods, .locks = host->locks};
    }
    memcpy(host->keys, keys, sizeof(keys));
    return n;
}

uint8_t sk_usbhost_leds(const struct sk_usbhost *host)
{
    return host->locks;
}

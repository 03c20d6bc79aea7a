/*
 * hid: key and mouse events to USB HID reports, and the sinks they go to.
 *
 * sk_hid owns the keyboard state (modifiers and up to six held keys) and
 * turns every change into an 8-byte boot-keyboard report
 * [mods, 0, k1..k6]; mouse moves become 6-byte absolute-mouse reports
 * [buttons, x lo, x hi, y lo, y hi, wheel] with x, y in 0..32767.
 *
 * Reports go through a bounded queue to a writer thread that owns the
 * sinks:
 *   "demo"        callbacks into the built-in demo target
 *   "/dev/hidgN"  the kernel's HID gadget: non-blocking writes, poll(POLLOUT)
 *                 before each report, a time-out per report; LED output
 *                 reports are read back from the same node
 *   "file:PATH"   reports appended to a file, exactly the bytes /dev/hidg0 gets
 *   "dev:PATH"    the device sink for a path outside /dev/ (tests use a FIFO)
 *   "none"        (or a NULL spec) no sink: state is kept, nothing is sent
 * The keyboard and the mouse need separate sinks (two files, two nodes).
 * A target that stops reading (asleep, unplugged, a BIOS ignoring the
 * interface) makes writes time out: the state becomes "stalled", the queue
 * is replaced by one report of the current state (so no key stays pressed
 * when the target comes back), callers get SK_E_TIMEOUT, and nothing blocks.
 */
#ifndef SK_HID_H
#define SK_HID_H

#include <stddef.h>
#include <stdint.h>

#include "hid/keys.h"

typedef int (*sk_hid_write_fn)(void *ctx, const uint8_t *report, size_t len);
typedef uint8_t (*sk_hid_leds_fn)(void *ctx);

struct sk_hid_opts {
    const char *keyboard;          /* --hid value, NULL for none */
    const char *mouse;             /* --mouse value, NULL for none */
    sk_hid_write_fn demo_keyboard; /* for "demo": the demo target's entry points */
    sk_hid_write_fn demo_mouse;
    sk_hid_leds_fn demo_leds;
    void *demo_ctx;
    int write_timeout_ms; /* per report before the sink counts as stalled; 0: 2000 */
    size_t queue_len;     /* reports the queue holds; 0: 4096 */
};

struct sk_hid_status {
    char keyboard[128]; /* the sink's name ("demo", "/dev/hidg0", "file:out.bin", "none") */
    char mouse[128];
    const char *state; /* "ok", "stalled" (target not reading), "error", "closed" */
    char error[320];   /* the last problem, "" when none */
    uint8_t leds;      /* SK_LED_* bits the target last reported */
    uint16_t mouse_x;  /* the absolute mouse's last position, 0..32767 */
    uint16_t mouse_y;
    uint8_t buttons;  /* and its buttons */
    size_t queued;    /* reports waiting */
    uint64_t written; /* reports written since start */
    uint64_t dropped; /* reports discarded because the target stalled */
};

struct sk_hid;

/* Check a --hid/--mouse value without opening it: 0, or -1 with err set. */
int sk_hid_check_spec(const char *spec, char *err, size_t errlen);

struct sk_hid *sk_hid_new(const struct sk_hid_opts *opts);
void sk_hid_free(struct sk_hid *hid);
/* Open the sinks, start the writer and queue an all-released report. 0, or -1 with err set. */
int sk_hid_open(struct sk_hid *hid, char *err, size_t errlen);
/* Release everything, drain the queue (bounded by the time-out), stop and close. Idempotent. */
void sk_hid_close(struct sk_hid *hid);

/*
 * Type keystrokes: for each, a report with the key and its modifiers added
 * to what is held, then a report with them released. The whole sequence is
 * queued at once (no other caller's reports interleave) and the call waits
 * up to timeout_ms for it to be written. Returns 0, SK_E_TIMEOUT (the
 * target is not reading; see sk_hid_status), SK_E_BUSY (queue full) or
 * SK_E_CLOSED.
 */
int sk_hid_strokes(struct sk_hid *hid, const struct sk_key *keys, size_t n, int timeout_ms);
/* Hold a key (and modifiers) down until sk_hid_key_up / sk_hid_release_all. 0 or SK_E_*. */
int sk_hid_key_down(struct sk_hid *hid, uint8_t usage, uint8_t mods);
int sk_hid_key_up(struct sk_hid *hid, uint8_t usage, uint8_t mods);
/* Send the all-released report now (queued after anything pending). */
int sk_hid_release_all(struct sk_hid *hid);
/* Absolute mouse: x, y in 0..32767, buttons bit0 left, bit1 right, bit2 middle. */
int sk_hid_mouse(struct sk_hid *hid, uint16_t x, uint16_t y, uint8_t buttons, int8_t wheel);
/* Wait until everything queued so far is written: 0 or SK_E_TIMEOUT. */
int sk_hid_flush(struct sk_hid *hid, int timeout_ms);

void sk_hid_status(struct sk_hid *hid, struct sk_hid_status *out);

struct sk_keymap;
/*
 * Make keystrokes that type text come out in the case they were asked for
 * whatever the target's Caps Lock: when its LED is on, toggle Shift on the
 * letters (sk_keymap_caps_lock with km). Changes keys in place.
 */
void sk_hid_undo_caps_lock(struct sk_hid *hid, const struct sk_keymap *km, struct sk_key *keys,
                           size_t n);

/* Pure report encoders (exact bytes are the contract). */
void sk_hid_keyboard_report(uint8_t mods, const uint8_t keys[6], uint8_t out[8]);
void sk_hid_mouse_report(uint8_t buttons, uint16_t x, uint16_t y, int8_t wheel, uint8_t out[6]);

#endif

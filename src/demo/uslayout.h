/*
 * uslayout: what the demo target's OS makes of key usages on a US layout.
 *
 * The demo plays the computer at the other end of the cable, so it carries
 * its own layout table (it must not borrow sshkvm's keymaps: those decide
 * what we send, this decides what the target understands). Pure data and
 * lookups.
 */
#ifndef SK_DEMO_USLAYOUT_H
#define SK_DEMO_USLAYOUT_H

#include <stdint.h>

/* Keyboard-page usages the demo's programs act on. */
#define SK_US_ENTER 0x28
#define SK_US_ESCAPE 0x29
#define SK_US_BACKSPACE 0x2a
#define SK_US_TAB 0x2b
#define SK_US_MINUS 0x2d
#define SK_US_EQUAL 0x2e
#define SK_US_F1 0x3a
#define SK_US_F2 0x3b
#define SK_US_F9 0x42
#define SK_US_F10 0x43
#define SK_US_INSERT 0x49
#define SK_US_HOME 0x4a
#define SK_US_PAGEUP 0x4b
#define SK_US_DELETE 0x4c
#define SK_US_END 0x4d
#define SK_US_PAGEDOWN 0x4e
#define SK_US_RIGHT 0x4f
#define SK_US_LEFT 0x50
#define SK_US_DOWN 0x51
#define SK_US_UP 0x52
#define SK_US_KP_MINUS 0x56
#define SK_US_KP_PLUS 0x57
#define SK_US_KP_ENTER 0x58

/* Modifier bits of report byte 0, grouped left and right. */
#define SK_US_MOD_CTRL 0x11
#define SK_US_MOD_SHIFT 0x22
#define SK_US_MOD_ALT 0x44

/* Lock bits (as the LED byte: bit 0 Num, bit 1 Caps, bit 2 Scroll). */
#define SK_US_LOCK_NUM 0x01
#define SK_US_LOCK_CAPS 0x02

/*
 * The key a usage stands for after Num Lock: with Num Lock off the keypad
 * keys are the navigation keys printed on them (8 is Up, . is Delete) and
 * keypad Enter is Enter; anything else is returned unchanged.
 */
uint8_t sk_uslayout_key(uint8_t usage, uint8_t locks);
/*
 * The printable ASCII character (0x20..0x7e) a usage types with these
 * modifiers and locks on a US layout, or 0 when it types none (control
 * keys, Ctrl or Alt held, keypad digits with Num Lock off). Shift and Caps
 * Lock both choose capitals; together they cancel, for letters only.
 */
char sk_uslayout_char(uint8_t usage, uint8_t mods, uint8_t locks);

#endif

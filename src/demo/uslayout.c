/*
 * uslayout: the US keyboard layout of the demo target, as data.
 *
 * Two tables, indexed by usage: the characters each key types unshifted
 * and shifted, and the navigation key each keypad key becomes when Num
 * Lock is off. Nothing here holds state.
 */
#include "demo/uslayout.h"

#include <stddef.h>

#include "base/util.h"

#define FIRST_LETTER 0x04
#define LAST_LETTER 0x1d

/* {unshifted, shifted} for every usage that types something. */
static const char us_chars[0x68][2] = {
    [0x04] = {'a', 'A'},
    [0x05] = {'b', 'B'},
    [0x06] = {'c', 'C'},
    [0x07] = {'d', 'D'},
    [0x08] = {'e', 'E'},
    [0x09] = {'f', 'F'},
    [0x0a] = {'g', 'G'},
    [0x0b] = {'h', 'H'},
    [0x0c] = {'i', 'I'},
    [0x0d] = {'j', 'J'},
    [0x0e] = {'k', 'K'},
    [0x0f] = {'l', 'L'},
    [0x10] = {'m', 'M'},
    [0x11] = {'n', 'N'},
    [0x12] = {'o', 'O'},
    [0x13] = {'p', 'P'},
    [0x14] = {'q', 'Q'},
    [0x15] = {'r', 'R'},
    [0x16] = {'s', 'S'},
    [0x17] = {'t', 'T'},
    [0x18] = {'u', 'U'},
    [0x19] = {'v', 'V'},
    [0x1a] = {'w', 'W'},
    [0x1b] = {'x', 'X'},
    [0x1c] = {'y', 'Y'},
    [0x1d] = {'z', 'Z'},
    [0x1e] = {'1', '!'},
    [0x1f] = {'2', '@'},
    [0x20] = {'3', '#'},
    [0x21] = {'4', '$'},
    [0x22] = {'5', '%'},
    [0x23] = {'6', '^'},
    [0x24] = {'7', '&'},
    [0x25] = {'8', '*'},
    [0x26] = {'9', '('},
    [0x27] = {'0', ')'},
    [0x2c] = {' ', ' '},
    [0x2d] = {'-', '_'},
    [0x2e] = {'=', '+'},
    [0x2f] = {'[', '{'},
    [0x30] = {']', '}'},
    [0x31] = {'\\', '|'},
    [0x32] = {'\\', '|'},
    [0x33] = {';', ':'},
    [0x34] = {'\'', '"'},
    [0x35] = {'`', '~'},
    [0x36] = {',', '<'},
    [0x37] = {'.', '>'},
    [0x38] = {'/', '?'},
    /* The keypad's operators type regardless of Num Lock and Shift. */
    [0x54] = {'/', '/'},
    [0x55] = {'*', '*'},
    [0x56] = {'-', '-'},
    [0x57] = {'+', '+'},
    /* Keypad digits; with Num Lock off sk_uslayout_key turns them into navigation first. */
    [0x59] = {'1', '1'},
    [0x5a] = {'2', '2'},
    [0x5b] = {'3', '3'},
    [0x5c] = {'4', '4'},
    [0x5d] = {'5', '5'},
    [0x5e] = {'6', '6'},
    [0x5f] = {'7', '7'},
    [0x60] = {'8', '8'},
    [0x61] = {'9', '9'},
    [0x62] = {'0', '0'},
    [0x63] = {'.', '.'},
    /* The 102nd key between left Shift and Z. */
    [0x64] = {'<', '>'},
};

/* Keypad key -> the navigation key it is with Num Lock off (keypad 5 is nothing). */
static const uint8_t keypad_nav[0x64] = {
    [0x59] = SK_US_END,    [0x5a] = SK_US_DOWN,   [0x5b] = SK_US_PAGEDOWN, [0x5c] = SK_US_LEFT,
    [0x5d] = 0x00,         [0x5e] = SK_US_RIGHT,  [0x5f] = SK_US_HOME,     [0x60] = SK_US_UP,
    [0x61] = SK_US_PAGEUP, [0x62] = SK_US_INSERT, [0x63] = SK_US_DELETE,
};

uint8_t sk_uslayout_key(uint8_t usage, uint8_t locks)
{
    if (usage == SK_US_KP_ENTER) {
        return SK_US_ENTER;
    }
    if (usage >= 0x59 && usage <= 0x63 && !(locks & SK_US_LOCK_NUM)) {
        return keypad_nav[usage];
    }
    return usage;
}

char sk_uslayout_char(uint8_t usage, uint8_t mods, uint8_t locks)
{
    if (usage >= SK_ARRAY_LEN(us_chars) || us_chars[usage][0] == 0) {
        return 0;
    }
    /* Ctrl and Alt make commands, not text; AltGr types nothing extra on a US layout. */
    if (mods & (SK_US_MOD_CTRL | SK_US_MOD_ALT)) {
        return 0;
    }
    if (usage >= 0x59 && usage <= 0x63 && !(locks & SK_US_LOCK_NUM)) {
        return 0;
    }
    int shift = (mods & SK_US_MOD_SHIFT) != 0;
    if (usage >= FIRST_LETTER && usage <= LAST_LETTER && (locks & SK_US_LOCK_CAPS)) {
        shift = !shift;
    }
    return us_chars[usage][shift];
}

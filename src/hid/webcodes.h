/*
 * webcodes: the browser's KeyboardEvent.code names to USB HID usages.
 *
 * KeyboardEvent.code names the physical key ("KeyA", "Digit1",
 * "ShiftLeft", "F2"), whatever the browser's layout, so it maps straight to
 * a usage of the keyboard page (0x07); modifiers map to 0xE0..0xE7. The
 * mapping is one data table (the UI Events KeyboardEvent code values).
 */
#ifndef SK_WEBCODES_H
#define SK_WEBCODES_H

/* The usage for a KeyboardEvent.code value (case-sensitive, as browsers send it), or -1. */
int sk_webcodes_usage(const char *code);

#endif

#!/usr/bin/env python3
"""xkb_decode: what a Linux target with an xkb layout makes of our keyboard reports.

    xkb_decode.py type LAYOUT VARIANT REPORTS.bin      -> the text, UTF-8, on stdout
    xkb_decode.py cover LAYOUT VARIANT ISO KEYMAP      -> characters xkb types that KEYMAP lacks
    xkb_decode.py chars KEYMAP                         -> every character KEYMAP lists, UTF-8

`type` plays 8-byte boot keyboard reports [mods, 0, k1..k6] the way the
kernel's hid-input does (modifier bits, then the key array; usages mapped to
evdev keycodes with the kernel's hid_keyboard table), into libxkbcommon's
state machine and its compose state (the en_US.UTF-8 Compose table, which is
what resolves dead keys in X and Wayland clients). Enter is "\n", Tab "\t".

`cover` presses every character key of the main block with no modifier,
Shift, AltGr (right Alt) and AltGr+Shift, and prints each printable
character xkb produces that the keymap file does not list, one per line.

This is the independent check of scripts/gen-keymaps: it uses xkb's state
machine and compose parser, not the level tables the generator reads.
"""
import ctypes
import ctypes.util
import sys
import unicodedata

# The kernel's hid_keyboard[] (drivers/hid/hid-input.c) for the keys we use.
USAGE_TO_EVDEV = {
    0x04: 30, 0x05: 48, 0x06: 46, 0x07: 32, 0x08: 18, 0x09: 33, 0x0a: 34, 0x0b: 35,
    0x0c: 23, 0x0d: 36, 0x0e: 37, 0x0f: 38, 0x10: 50, 0x11: 49, 0x12: 24, 0x13: 25,
    0x14: 16, 0x15: 19, 0x16: 31, 0x17: 20, 0x18: 22, 0x19: 47, 0x1a: 17, 0x1b: 45,
    0x1c: 21, 0x1d: 44,
    0x1e: 2, 0x1f: 3, 0x20: 4, 0x21: 5, 0x22: 6, 0x23: 7, 0x24: 8, 0x25: 9, 0x26: 10, 0x27: 11,
    0x28: 28, 0x29: 1, 0x2a: 14, 0x2b: 15, 0x2c: 57, 0x2d: 12, 0x2e: 13, 0x2f: 26, 0x30: 27,
    0x31: 43, 0x32: 43, 0x33: 39, 0x34: 40, 0x35: 41, 0x36: 51, 0x37: 52, 0x38: 53, 0x39: 58,
    0x64: 86, 0x87: 89, 0x88: 93, 0x89: 124, 0x8a: 92, 0x8b: 94,
}
MOD_EVDEV = [29, 42, 56, 125, 97, 54, 100, 126]  # report byte 0, bit 0..7
KEY_LEFTSHIFT, KEY_RIGHTALT = 42, 100
OFFSET = 8  # xkb keycode = evdev keycode + 8
XKB_KEY_Return, XKB_KEY_Tab = 0xff0d, 0xff09


class RuleNames(ctypes.Structure):
    _fields_ = [(n, ctypes.c_char_p) for n in ("rules", "model", "layout", "variant", "options")]


def lib():
    x = ctypes.CDLL(ctypes.util.find_library("xkbcommon") or "libxkbcommon.so.0")
    vp, u32, i32 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int
    for name, res, args in [
        ("xkb_context_new", vp, [i32]),
        ("xkb_keymap_new_from_names", vp, [vp, ctypes.POINTER(RuleNames), i32]),
        ("xkb_state_new", vp, [vp]),
        ("xkb_state_unref", None, [vp]),
        ("xkb_state_update_key", i32, [vp, u32, i32]),
        ("xkb_state_key_get_one_sym", u32, [vp, u32]),
        ("xkb_state_key_get_utf32", u32, [vp, u32]),
        ("xkb_keysym_to_utf32", u32, [u32]),
        ("xkb_compose_table_new_from_locale", vp, [vp, ctypes.c_char_p, i32]),
        ("xkb_compose_state_new", vp, [vp, i32]),
        ("xkb_compose_state_feed", i32, [vp, u32]),
        ("xkb_compose_state_get_status", i32, [vp]),
        ("xkb_compose_state_get_utf8", i32, [vp, ctypes.c_char_p, ctypes.c_size_t]),
        ("xkb_compose_state_reset", None, [vp]),
    ]:
        f = getattr(x, name)
        f.restype, f.argtypes = res, args
    return x


def keymap(x, layout, variant):
    ctx = x.xkb_context_new(0)
    names = RuleNames(b"evdev", b"pc105", layout.encode(), variant.encode(), b"")
    km = x.xkb_keymap_new_from_names(ctx, ctypes.byref(names), 0)
    if not km:
        sys.exit(f"xkb_decode: xkb cannot compile {layout}({variant})")
    return ctx, km


def decode(x, ctx, km, data):
    st = x.xkb_state_new(km)
    table = x.xkb_compose_table_new_from_locale(ctx, b"en_US.UTF-8", 0)
    if not table:
        sys.exit("xkb_decode: no en_US.UTF-8 compose table (libx11-data)")
    cs = x.xkb_compose_state_new(table, 0)
    out = []
    mods, keys = 0, set()

    def down(kc):
        sym = x.xkb_state_key_get_one_sym(st, kc)
        x.xkb_state_update_key(st, kc, 1)
        if kc - OFFSET in MOD_EVDEV:
            return
        x.xkb_compose_state_feed(cs, sym)
        status = x.xkb_compose_state_get_status(cs)
        if status == 2:  # XKB_COMPOSE_COMPOSED
            buf = ctypes.create_string_buffer(64)
            x.xkb_compose_state_get_utf8(cs, buf, len(buf))
            out.append(buf.value.decode())
            x.xkb_compose_state_reset(cs)
        elif status == 3:  # XKB_COMPOSE_CANCELLED: the sequence is dropped
            out.append("\ufffd")
            x.xkb_compose_state_reset(cs)
        elif status == 0:  # XKB_COMPOSE_NOTHING
            if sym == XKB_KEY_Return:
                out.append("\n")
            elif sym == XKB_KEY_Tab:
                out.append("\t")
            else:
                cp = x.xkb_keysym_to_utf32(sym)
                if cp:
                    out.append(chr(cp))

    for i in range(0, len(data) - len(data) % 8, 8):
        r = data[i:i + 8]
        new_keys = {k for k in r[2:8] if k}
        # The kernel reports the modifier field first, then the key array.
        for bit in range(8):
            was, now = mods >> bit & 1, r[0] >> bit & 1
            if was != now:
                if now:
                    down(MOD_EVDEV[bit] + OFFSET)
                else:
                    x.xkb_state_update_key(st, MOD_EVDEV[bit] + OFFSET, 0)
        for k in sorted(keys - new_keys):
            x.xkb_state_update_key(st, USAGE_TO_EVDEV[k] + OFFSET, 0)
        for k in sorted(new_keys - keys):
            if k not in USAGE_TO_EVDEV:
                sys.exit(f"xkb_decode: usage 0x{k:02x} is not a character key")
            down(USAGE_TO_EVDEV[k] + OFFSET)
        mods, keys = r[0], new_keys
    return "".join(out)


def listed(path):
    chars = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            field = line.split()[:1]
            if not field or field[0].startswith("#") or field[0] == "name":
                continue
            c = field[0]
            chars.add(chr(int(c[2:], 16)) if c.startswith("U+") and len(c) > 2 else c)
    return chars


def cover(x, km, iso, path):
    have = listed(path)
    missing = []
    evdev_keys = sorted(set(USAGE_TO_EVDEV.values()) - {1, 14, 58, 92, 93, 94})
    if not iso:
        evdev_keys.remove(86)
    for code in evdev_keys:
        for held in ((), (KEY_LEFTSHIFT,), (KEY_RIGHTALT,), (KEY_RIGHTALT, KEY_LEFTSHIFT)):
            st = x.xkb_state_new(km)
            for m in held:
                x.xkb_state_update_key(st, m + OFFSET, 1)
            cp = x.xkb_state_key_get_utf32(st, code + OFFSET)
            x.xkb_state_unref(st)
            if cp == 0 or cp == 0x7f or unicodedata.category(chr(cp)) == "Cc" and cp not in (9, 13):
                continue
            ch = "\n" if cp == 13 else chr(cp)
            if ch not in have and ch not in missing:
                missing.append(ch)
    return missing


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "type":
        x = lib()
        ctx, km = keymap(x, sys.argv[2], sys.argv[3])
        with open(sys.argv[4], "rb") as f:
            sys.stdout.write(decode(x, ctx, km, f.read()))
    elif len(sys.argv) == 6 and sys.argv[1] == "cover":
        x = lib()
        _, km = keymap(x, sys.argv[2], sys.argv[3])
        for ch in cover(x, km, sys.argv[4] == "1", sys.argv[5]):
            print(f"U+{ord(ch):04X} {ch!r}")
    elif len(sys.argv) == 3 and sys.argv[1] == "chars":
        sys.stdout.write("".join(sorted(listed(sys.argv[2]))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

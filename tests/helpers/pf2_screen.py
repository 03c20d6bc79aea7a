#!/usr/bin/env python3
"""pf2_screen: a GRUB menu's text screen as gfxterm draws it in a PF2 font.

    pf2_screen.py FONT.pf2 TEXT OUT.ppm [HIGHLIGHT_ROW]

Reads GRUB's PF2 font (the sections up to DATA, the CHIX index, the glyph
records with their bit-packed bitmaps) and draws TEXT (UTF-8, at most 30
lines of 80 characters) light grey on black in 80x30 cells of 8x16 pixels:
640x480, as gfxterm does with unicode.pf2. A glyph's bitmap goes at
(x offset, ascent - y offset - height) in its cell. HIGHLIGHT_ROW (from 0)
is drawn black on light grey from column 2 to 77, as GRUB's highlighted
menu entry. This is the test's own reading of the format, apart from
sshkvm's src/text/fontfile.c.
"""
import struct
import sys

COLS, ROWS, CW, CH = 80, 30, 8, 16
GREY, BLACK = (0xAA, 0xAA, 0xAA), (0, 0, 0)


def load_pf2(path):
    data = open(path, "rb").read()
    if data[:12] != b"FILE\0\0\0\x04PFF2":
        sys.exit(f"{path}: not a PF2 font")
    at, info, index = 12, {}, {}
    while at + 8 <= len(data):
        name = data[at:at + 4].decode("latin-1")
        (length,) = struct.unpack_from(">I", data, at + 4)
        if name == "DATA":
            break
        body = data[at + 8:at + 8 + length]
        if name in ("MAXW", "MAXH", "ASCE", "DESC"):
            (info[name],) = struct.unpack(">h", body)
        elif name == "CHIX":
            for i in range(0, length, 9):
                code, _flags, offset = struct.unpack_from(">IBI", body, i)
                index[code] = offset
        at += 8 + length
    return data, info, index


def glyph(data, index, ch):
    off = index.get(ord(ch))
    if off is None:
        sys.exit(f"no glyph for U+{ord(ch):04X}")
    w, h, x, y, _dw = struct.unpack_from(">HHhhh", data, off)
    bits = data[off + 10:off + 10 + (w * h + 7) // 8]
    return w, h, x, y, bits


def main():
    font, text_path, out = sys.argv[1:4]
    highlight = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    data, info, index = load_pf2(font)
    ascent = info["ASCE"]
    lines = open(text_path, encoding="utf-8").read().split("\n")
    pixels = [[BLACK] * (COLS * CW) for _ in range(ROWS * CH)]
    for r in range(ROWS):
        line = lines[r] if r < len(lines) else ""
        for c in range(COLS):
            ch = line[c] if c < len(line) else " "
            fg, bg = GREY, BLACK
            if r == highlight and 2 <= c <= 77:
                fg, bg = BLACK, GREY
            for yy in range(CH):
                for xx in range(CW):
                    pixels[r * CH + yy][c * CW + xx] = bg
            w, h, x, y, bits = glyph(data, index, ch)
            top = ascent - y - h
            for py in range(h):
                for px in range(w):
                    k = py * w + px
                    if bits[k // 8] & (0x80 >> (k % 8)):
                        cx, cy = x + px, top + py
                        if 0 <= cx < CW and 0 <= cy < CH:
                            pixels[r * CH + cy][c * CW + cx] = fg
    with open(out, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (COLS * CW, ROWS * CH))
        f.write(bytes(v for row in pixels for px in row for v in px))


if __name__ == "__main__":
    main()

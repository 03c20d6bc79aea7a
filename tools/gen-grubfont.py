#!/usr/bin/env python3
"""Generate src/text/fontgrub.c: GRUB's unicode.pf2 glyphs for CP437, as gfxterm draws them.

Usage: tools/gen-grubfont.py [unicode.pf2] [-o src/text/fontgrub.c]

GRUB for EFI draws its graphical terminal (gfxterm) in /usr/share/grub/unicode.pf2
(grub-common; GNU Unifont made into GRUB's PF2 format) unless a theme or
`loadfont` says otherwise. gfxterm's cell is as wide as the widest device
width of printable ASCII (8) and the font's MAXH high (16); a glyph's bitmap
has its own size and offsets, and gfxterm puts its top left at (x offset,
ASCE - y offset - height) in the cell. Each CP437 code point's glyph is drawn
so into 8x16 rows (bit 7 leftmost), clipped to the cell as gfxterm clips it
(0x00 blank); the font must draw every other code point in one cell.

GRUB's menu draws its box in heavy lines (U+250F, U+2501, U+2513, U+2503,
U+2517, U+251B: grub-core/normal/menu_text.c), which CP437 has no code point
for. Their glyphs are written too, in sk_font_grub_heavy, each with its own
code point and the CP437 code point of the light line that looks like it (what
a reader that knows only CP437 shows): without them the menu's box fits the VGA
font's two-pixel lines better than Unifont's one-pixel ones, and GRUB's menu is
read in the wrong font.
"""
import argparse
import importlib.util
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen_vgafont", os.path.join(HERE, "gen-vgafont.py"))
vga = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vga)

DEFAULT = "/usr/share/grub/unicode.pf2"
HEIGHT = 16
WIDTH = 8
# The heavy box lines of GRUB's menu and the CP437 light lines that look like them.
HEAVY = [(0x2501, 0xC4), (0x2503, 0xB3), (0x250F, 0xDA), (0x2513, 0xBF), (0x2517, 0xC0), (0x251B, 0xD9)]

LICENCE = """\
 * The glyphs are GNU Unifont's (as GRUB's unicode.pf2 carries them), with
 * the copyright holders Debian's fonts-unifont lists:
 *
 *   Copyright (C) 1998 Jungshik Shin, 1998-2014 Roman Czyborra,
 *   2004-2013 Qianqian Fang, 2005 Luis Alejandro Gonzalez Miranda,
 *   2007-2019 Paul Hardy, 2013-2014 Andrew Miller, 2017-2019 David
 *   Corbett, 2018 Johnnie Weaver.
 *
 * Unifont 13.0.04 and later (Debian's GRUB 2.06 is built from 15.0.01) is
 * dual-licensed, as its upstream (unifoundry.com) states: the GNU GPL 2+
 * with the GNU font embedding exception, or the SIL Open Font License 1.1.
 * These glyphs are used here under the SIL Open Font License, Version 1.1,
 * whose full text debian/copyright carries; they may be used, modified and
 * redistributed with any software, and not sold by themselves.
"""


def pf2_read(data):
    """PF2 sections (name -> bytes, DATA to the end) and the character index {code: offset}."""
    if data[:12] != b"FILE\0\0\0\4PFF2":
        sys.exit("gen-grubfont: not a PF2 font")
    sec, i = {}, 12
    while i + 8 <= len(data):
        name, n = data[i:i + 4], int.from_bytes(data[i + 4:i + 8], "big")
        if name == b"DATA":
            break
        sec[name] = data[i + 8:i + 8 + n]
        i += 8 + n
    chix = {}
    for j in range(0, len(sec[b"CHIX"]), 9):
        e = sec[b"CHIX"][j:j + 9]
        chix[int.from_bytes(e[0:4], "big")] = int.from_bytes(e[5:9], "big")
    return sec, chix


def s16(b):
    return int.from_bytes(b, "big", signed=True)


def glyph_pixels(data, off, ascent):
    """(device width, ink pixels as a set of (x, y) in the cell) of the glyph at off, placed as
    gfxterm places it: its top left at (x offset, ascent - y offset - height)."""
    w, h = int.from_bytes(data[off:off + 2], "big"), int.from_bytes(data[off + 2:off + 4], "big")
    gx, gy, dwidth = s16(data[off + 4:off + 6]), s16(data[off + 6:off + 8]), s16(data[off + 8:off + 10])
    bits = data[off + 10:off + 10 + (w * h + 7) // 8]
    top = ascent - gy - h
    return dwidth, {(gx + k % w, top + k // w) for k in range(w * h) if bits[k // 8] & (0x80 >> (k % 8))}


def glyph_rows(data, off, ascent):
    """The glyph at off drawn into an 8x16 cell as gfxterm draws it; None when it is two cells wide."""
    dwidth, pixels = glyph_pixels(data, off, ascent)
    if dwidth != WIDTH:
        return None
    rows = [0] * HEIGHT
    for x, y in pixels:
        if 0 <= x < WIDTH and 0 <= y < HEIGHT:
            rows[y] |= 0x80 >> x
    return rows


def source_of(path):
    """The font's name and, for grub-common's own file, the package's version."""
    name = os.path.basename(path)
    if os.path.realpath(path) == DEFAULT:
        q = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "grub-common"], capture_output=True, text=True)
        if q.returncode == 0 and q.stdout:
            name += " (grub-common %s)" % q.stdout
    return name


def generate(path):
    with open(path, "rb") as f:
        data = f.read()
    sec, chix = pf2_read(data)
    maxh = int.from_bytes(sec[b"MAXH"], "big")
    ascent = int.from_bytes(sec[b"ASCE"], "big")
    if maxh != HEIGHT:
        sys.exit("gen-grubfont: %s is %d pixels high, not %d" % (path, maxh, HEIGHT))
    table = vga.cp437_to_unicode()
    glyphs = [[0] * HEIGHT]
    for b in range(1, 256):
        u = table[b]
        rows = glyph_rows(data, chix[u], ascent) if u in chix else None
        if rows is None:
            sys.exit("gen-grubfont: %s draws no one-cell glyph for CP437 0x%02X (U+%04X)" % (path, b, u))
        glyphs.append(rows)
    out = ["/*",
           " * fontgrub: GRUB's default font (unicode.pf2) for the 256 CP437 code",
           " * points and the heavy box lines of GRUB's menu, as its graphical terminal",
           " * draws them in 8x16 cells. GENERATED by tools/gen-grubfont.py from",
           " * %s; do not edit." % source_of(path),
           " *",
           LICENCE.rstrip("\n"),
           " */",
           '#include "text/fontgrub.h"',
           "",
           "/* clang-format off */",
           "const uint8_t sk_font_grub[256][%d] = {" % HEIGHT]
    for b in range(256):
        out.append("    [0x%02X] = {%s}," % (b, ", ".join("0x%02X" % x for x in glyphs[b])))
    out.append("};")
    out.append("")
    out.append("const struct sk_font_grub_alt sk_font_grub_heavy[SK_FONT_GRUB_HEAVY] = {")
    for u, b in HEAVY:
        rows = glyph_rows(data, chix[u], ascent) if u in chix else None
        if rows is None:
            sys.exit("gen-grubfont: %s draws no one-cell glyph for U+%04X" % (path, u))
        out.append("    {0x%04X, 0x%02X, {%s}}," % (u, b, ", ".join("0x%02X" % x for x in rows)))
    out.append("};")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("font", nargs="?", default=DEFAULT, help="GRUB's unicode.pf2 (default: %(default)s)")
    ap.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    args = ap.parse_args()
    vga.write_output(generate(args.font), args.output)


if __name__ == "__main__":
    main()

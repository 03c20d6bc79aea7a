#!/usr/bin/env python3
"""psf_screen: a Linux console's text screen as vgacon draws it in a PSF1 font.

    psf_screen.py FONT.psf[.gz] TEXT OUT.ppm

Reads the PSF1 font (kbd's format, as Debian's /usr/share/consolefonts has)
and its Unicode table, and draws TEXT (UTF-8, at most 25 lines of 80
characters) light grey on black in 80x25 cells of 9x16 pixels: 720x400,
the ninth column repeating the eighth for the CP437 line-drawing range
0xC0..0xDF as VGA does. Each character is drawn by the glyph the font's
table maps it to. The font is read by tools/gen-vgafont.py's read_psf1
(the reader the built-in fonts are generated with), apart from sshkvm's
src/text/fontfile.c.
"""
import importlib.util
import os
import sys

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")
spec = importlib.util.spec_from_file_location("gen_vgafont", os.path.join(TOOLS, "gen-vgafont.py"))
vga = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vga)


def main():
    font, text, out = sys.argv[1:4]
    glyphs, table = vga.read_psf1(font, 16)
    lines = open(text, encoding="utf-8").read().split("\n")[:25]
    grey, black = bytes((0xAA, 0xAA, 0xAA)), bytes(3)
    rows = [bytearray(black * 720) for _ in range(400)]
    for r, line in enumerate(lines):
        for c, ch in enumerate(line[:80]):
            glyph = glyphs[table[ord(ch)]]
            try:
                code = ch.encode("cp437")[0]
            except UnicodeEncodeError:
                code = 0
            for y in range(16):
                bits = glyph[y] << 1
                if 0xC0 <= code <= 0xDF:
                    bits |= glyph[y] & 1
                for x in range(9):
                    if bits & (0x100 >> x):
                        px = (c * 9 + x) * 3
                        rows[r * 16 + y][px:px + 3] = grey
    with open(out, "wb") as f:
        f.write(b"P6 720 400 255\n")
        for row in rows:
            f.write(row)


main()

#!/usr/bin/env python3
"""psf_screen: a Linux console's text screen as vgacon draws it in a PSF1 font.

    psf_screen.py FONT.psf[.gz] TEXT OUT.ppm
    psf_screen.py --fbcon WxH FONT.psf[.gz] TEXT OUT.ppm

Reads the PSF1 font (kbd's format, as Debian's /usr/share/consolefonts has)
and its Unicode table, and draws TEXT (UTF-8, at most 25 lines of 80
characters) light grey on black in 80x25 cells of 9x16 pixels: 720x400,
the ninth column repeating the eighth for the CP437 line-drawing range
0xC0..0xDF as VGA does. With --fbcon, as Linux's framebuffer console
draws it on a WxH mode instead: cells of 8x16 from the top left, as many
as fit (240x67 at 1920x1080), the rest of the frame black; a font of
another height (Fixed18) draws cells of 8 by its height. Each character is drawn by the glyph the font's
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
    args = sys.argv[1:]
    width, height, cell_w = 720, 400, 9
    if args[:1] == ["--fbcon"]:
        width, height = (int(v) for v in args[1].split("x"))
        cell_w = 8
        args = args[2:]
    font, text, out = args[:3]
    cell_h = 16
    if cell_w == 8:
        import gzip
        with gzip.open(font, "rb") if font.endswith(".gz") else open(font, "rb") as f:
            cell_h = f.read(4)[3]  # PSF1: the glyphs' height
    glyphs, table = vga.read_psf1(font, cell_h)
    cols, nrows = width // cell_w, height // cell_h
    lines = open(text, encoding="utf-8").read().split("\n")[:nrows]
    grey, black = bytes((0xAA, 0xAA, 0xAA)), bytes(3)
    rows = [bytearray(black * width) for _ in range(height)]
    for r, line in enumerate(lines):
        for c, ch in enumerate(line[:cols]):
            glyph = glyphs[table[ord(ch)]]
            try:
                code = ch.encode("cp437")[0]
            except UnicodeEncodeError:
                code = 0
            for y in range(cell_h):
                bits = glyph[y] << 1
                if 0xC0 <= code <= 0xDF and cell_w == 9:
                    bits |= glyph[y] & 1
                for x in range(cell_w):
                    if bits & (0x100 >> x):
                        px = (c * cell_w + x) * 3
                        rows[r * cell_h + y][px:px + 3] = grey
    with open(out, "wb") as f:
        f.write(b"P6 %d %d 255\n" % (width, height))
        for row in rows:
            f.write(row)


main()

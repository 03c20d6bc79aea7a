#!/usr/bin/env python3
"""Generate src/text/fontterminus.c: Terminus Font's large console sizes, as the recogniser reads them.

Usage: tools/gen-terminusfont.py [CONSOLEFONTS_DIR] [-o src/text/fontterminus.c]

On 1080p panels distributions draw the Linux console in a large font
(console-setup's FONTSIZE=16x32, the kernel's built-in TER16x32), and GRUB
themes use Terminus at 20 pixels and up. Their cells are 10 to 16 pixels
wide; the recogniser's glyphs are 8x16 bitmaps. A cell of such a font is
read at 8 of its columns and 16 of its rows (textrec's map_grid_axis reads
those pixels, scaled with the cell when the picture is stretched). This
script picks them for each size, the same for both weights: starting from
every column, it drops the one whose loss leaves the fewest CP437 glyphs
told apart (then the least total Hamming distance, counted up to 6,
between printable ASCII glyphs), until 8 are left; then the rows, until 16
are. Each glyph of Terminus at 18x10, 20x10, 22x11, 24x12, 28x14 and 32x16
(console-setup's names), normal and bold, is then written as those pixels: the bitmap the recogniser reads of
that glyph drawn losslessly. Sampling the cell evenly instead loses strokes
a pixel wide (10x20, 12x24) and reads a two-pixel stroke at an odd place as
half ink; Terminus 12x24's C and O, E and F would read alike.

The glyphs come from Debian's console-setup-linux (Uni2-Terminus* and
Uni2-TerminusBold*, PSF2 with a Unicode table), with FullGreek-Terminus*
for the CP437 pictographs Uni2 lacks, through the same CP437 -> Unicode
table and look-up as tools/gen-vgafont.py. A code point neither font draws
is written blank (the recogniser then skips it). Without a directory the
fonts are read from /usr/share/consolefonts.

The heavy box lines GRUB's menu draws (gen-grubfont.py's HEAVY, in its
order) are written too, at the same picked pixels: a GRUB menu in a Terminus
font grub-mkfont made draws its box in them. console-setup's fonts draw them
as the light lines, so they come from Debian's fonts-terminus-otb (the font
GRUB's is made from), through grub-mkfont (grub-common) and placed in the
cell as GRUB's gfxterm places them.
"""
import argparse
import gzip
import importlib.util
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen_vgafont", os.path.join(HERE, "gen-vgafont.py"))
vga = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vga)
spec = importlib.util.spec_from_file_location("gen_grubfont", os.path.join(HERE, "gen-grubfont.py"))
grub = importlib.util.module_from_spec(spec)
spec.loader.exec_module(grub)

# Cell sizes (width, height) console-setup names as HEIGHTxWIDTH.
SIZES = [(10, 18), (10, 20), (11, 22), (12, 24), (14, 28), (16, 32)]
WEIGHTS = ["Terminus", "TerminusBold"]
COLS, ROWS = 8, 16

LICENCE = """\
 * The glyphs are Terminus Font's, as Debian's console-setup-linux carries
 * them (Uni2-Terminus*, Uni2-TerminusBold*, FullGreek-Terminus*):
 *
 *   Copyright (c) 2010 Dimitar Toshkov Zhekov,
 *   with Reserved Font Name "Terminus Font".
 *
 * Terminus Font is licensed under the SIL Open Font License, Version 1.1,
 * whose full text debian/copyright carries. The tables here are sampled
 * from its glyphs for a text recogniser, not a font.
"""


def read_psf2(path):
    """(width, height, glyphs, unicode -> glyph index) of a PSF2 font with a Unicode table."""
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x72\xb5\x4a\x86":
        sys.exit("gen-terminusfont: %s is not a PSF2 font" % path)
    _, _, header, flags, count, size, height, width = struct.unpack("<8I", data[:32])
    if not flags & 1:
        sys.exit("gen-terminusfont: %s has no Unicode table" % path)
    glyphs = [data[header + i * size:header + (i + 1) * size] for i in range(count)]
    umap = {}
    table = data[header + count * size:]
    pos = glyph = 0
    # Each glyph's entry: UTF-8 values, then sequences after 0xFE, ended by 0xFF.
    while glyph < count and pos < len(table):
        b = table[pos]
        if b == 0xFF:
            glyph += 1
            pos += 1
        elif b == 0xFE:
            pos = table.index(b"\xff", pos)
        else:
            end = pos + 1
            while end < len(table) and table[end] & 0xC0 == 0x80:
                end += 1
            umap.setdefault(ord(table[pos:end].decode("utf-8")), glyph)
            pos = end
    return width, height, glyphs, umap


def ink(glyph, width, height, x, y):
    """Pixel (x, y) of a PSF2 glyph: 1 ink, 0 paper (and outside the cell)."""
    if x < 0 or y < 0 or x >= width or y >= height:
        return 0
    row = (width + 7) // 8
    return glyph[y * row + x // 8] >> (7 - x % 8) & 1


def sample(glyph, width, height, cols, rows):
    """The glyph's pixels at the picked columns and rows: 16 rows of 8 bits, bit 7 leftmost."""
    out = []
    for y in rows:
        bits = 0
        for i, x in enumerate(cols):
            if ink(glyph, width, height, x, y):
                bits |= 0x80 >> i
        out.append(bits)
    return out


def key(pixels, cols, rows):
    """A glyph's pixels (a set of (x, y)) at the picked columns and rows, as one integer."""
    k = 0
    for y in rows:
        for x in cols:
            k = k << 1 | ((x, y) in pixels)
    return k


def score(fonts, cols, rows):
    """(glyphs told apart in each weight, summed; ASCII pairs' distances up to 6, summed)."""
    apart = pairs = 0
    for glyphs in fonts:
        keys = [key(p, cols, rows) for p in glyphs]
        apart += len(set(keys))
        ascii_keys = keys[0x21:0x7F]
        for i, a in enumerate(ascii_keys):
            for b in ascii_keys[i + 1:]:
                pairs += min(bin(a ^ b).count("1"), 6)
    return apart, pairs


def pick(fonts, width, height):
    """The columns and rows read (see above); fonts: each weight's 256 glyphs as pixel sets."""
    cols, rows = list(range(width)), list(range(height))
    while len(cols) > COLS:
        cols.remove(max(cols, key=lambda c: (score(fonts, [x for x in cols if x != c], rows), -c)))
    while len(rows) > ROWS:
        rows.remove(max(rows, key=lambda r: (score(fonts, cols, [y for y in rows if y != r]), -r)))
    return cols, rows


def heavy_lines(weight, width, height):
    """The pixel sets of GRUB's heavy box lines in Terminus at this size, as gfxterm draws them."""
    otb = "/usr/share/fonts/opentype/terminus/terminus-%s.otb" % ("bold" if "Bold" in weight else "normal")
    with tempfile.TemporaryDirectory() as tmp:
        pf2 = os.path.join(tmp, "t.pf2")
        subprocess.run(["grub-mkfont", "-s", str(height), "-o", pf2, otb], check=True)
        with open(pf2, "rb") as f:
            data = f.read()
    sec, chix = grub.pf2_read(data)
    if (int.from_bytes(sec[b"MAXW"], "big"), int.from_bytes(sec[b"MAXH"], "big")) != (width, height):
        sys.exit("gen-terminusfont: %s at %d pixels is not %dx%d" % (otb, height, width, height))
    ascent = int.from_bytes(sec[b"ASCE"], "big")
    return [grub.glyph_pixels(data, chix[u], ascent)[1] for u, _ in grub.HEAVY]


def pixels(glyph, width, height):
    """The set of a glyph's ink pixels (empty for None)."""
    if glyph is None:
        return set()
    return {(x, y) for y in range(height) for x in range(width) if ink(glyph, width, height, x, y)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default="/usr/share/consolefonts")
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()
    table = vga.cp437_to_unicode()
    out = ["/*",
           " * fontterminus: Terminus Font at 10x18, 10x20, 11x22, 12x24, 14x28 and",
           " * 16x32, normal and bold: 8 columns and 16 rows of each glyph, the pixels",
           " * the recogniser reads of such cells.",
           " * GENERATED by tools/gen-terminusfont.py from console-setup-linux's",
           " * Uni2-Terminus* and FullGreek-Terminus* fonts, and the heavy box lines",
           " * from fonts-terminus-otb through grub-mkfont; do not edit.",
           " *",
           LICENCE.rstrip("\n"),
           " */",
           '#include "text/fontterminus.h"',
           "",
           "/* clang-format off */",
           "const struct sk_font_terminus sk_font_terminus[SK_FONT_TERMINUS_SIZES] = {"]
    missing = set()
    for w, h in SIZES:
        weights = []
        for weight in WEIGHTS:
            names = ["Uni2-%s%dx%d.psf.gz" % (weight, h, w), "FullGreek-%s%dx%d.psf.gz" % (weight, h, w)]
            fonts = [read_psf2(os.path.join(args.dir, n)) for n in names]
            for f, n in zip(fonts, names):
                if (f[0], f[1]) != (w, h):
                    sys.exit("gen-terminusfont: %s is %dx%d, want %dx%d" % (n, f[0], f[1], w, h))
            weights.append(vga.cp437_glyphs([f[2:] for f in fonts], table))
        cols, rows = pick([[pixels(g, w, h) for g in glyphs] for glyphs in weights], w, h)
        out.append("    {%d, %d, {%s}, {%s}, {" % (w, h, ", ".join(map(str, cols)), ", ".join(map(str, rows))))
        for weight, glyphs in zip(WEIGHTS, weights):
            out.append("        { /* %s */" % weight)
            for b in range(256):
                g = glyphs[b]
                if g is None:
                    missing.add(b)
                    bits = [0] * ROWS
                else:
                    bits = sample(g, w, h, cols, rows)
                out.append("            {%s}," % ", ".join("0x%02X" % r for r in bits))
            out.append("        },")
        out.append("    }, {")
        for weight in WEIGHTS:
            out.append("        { /* %s */" % weight)
            for (u, _), p in zip(grub.HEAVY, heavy_lines(weight, w, h)):
                k, bits = key(p, cols, rows), []
                for _ in rows:
                    bits.insert(0, k & 0xFF)
                    k >>= COLS
                out.append("            {%s}, /* U+%04X */" % (", ".join("0x%02X" % r for r in bits), u))
            out.append("        },")
        out.append("    }},")
    out.append("};")
    out.append("/* clang-format on */")
    if missing:
        print("gen-terminusfont: no glyph for CP437 %s (written blank)" %
              " ".join("0x%02X" % b for b in sorted(missing)), file=sys.stderr)
    vga.write_output("\n".join(out) + "\n", args.output)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate src/text/font8x16.c: the VGA 8x16 font for the 256 CP437 code points.

Usage: tools/gen-vgafont.py [Uni2-VGA16.psf.gz] [-o src/text/font8x16.c]

The glyphs come from Debian's Uni2-VGA16 console font (package
console-setup-linux, PSF1 with a Unicode table, 512 glyphs of 8x16). Each
CP437 code point is mapped to its Unicode value and its glyph is found
through the font's Unicode table, so the result is the real IBM VGA ROM
layout. Uni2 leaves out 26 of CP437's pictographs (smileys, card suits,
half blocks, ...); those come from FullGreek-VGA16 in the same package,
drawn from the same u_vga16.bdf, as do the double box lines and the
triangles 0x1E/0x1F, which Uni2 draws with the single lines' and the
arrows' glyphs. The triangles U+25BA/U+25C4 (0x10/0x11) are
found under their equivalents U+25B6/U+25C0, in FullGreek. Without a path the script downloads the package with
`apt-get download console-setup-linux` and extracts the font with
`dpkg-deb -x` into a temporary directory.

The generated file also carries the CP437 -> Unicode table, which the demo
uses to output its screen as UTF-8.
"""
import argparse
import glob
import gzip
import os
import subprocess
import sys
import tempfile

FONT_NAME = "Uni2-VGA16.psf.gz"
FALLBACK_NAME = "FullGreek-VGA16.psf.gz"

# Code points the fonts only carry under an equivalent.
ALTERNATES = {0x25BA: 0x25B6, 0x25C4: 0x25C0}

LICENCE = """\
 * The glyphs are from Uni2-VGA16.psf and FullGreek-VGA16.psf (Debian
 * package console-setup-linux), derived from u_vga16.bdf:
 *
 * Copyright (c) 2000, 2001 by Dmitry Bolkhovityanov.  All Rights Reserved.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is fur-
 * nished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FIT-
 * NESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.  IN NO EVENT SHALL THE
 * XFREE86 PROJECT BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
 * IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CON-
 * NECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 *
 * Except as contained in this notice, the name of Dmitry Bolkhovityanov
 * shall not be used in advertising or otherwise to promote the sale, use
 * or other dealings in this Software without prior written authorization
 * from the Dmitry Bolkhovityanov.
"""

# CP437's graphic characters for the control range 0x00..0x1F and 0x7F, as
# the VGA ROM draws them (Python's cp437 codec maps these to controls).
# 0x00 is drawn blank, so it maps to the space.
CP437_LOW = [
    0x0020, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
    0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640, 0x266A, 0x266B, 0x263C,
    0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8,
    0x2191, 0x2193, 0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC,
]
CP437_DEL = 0x2302


def cp437_to_unicode():
    table = []
    for b in range(256):
        if b < 0x20:
            table.append(CP437_LOW[b])
        elif b == 0x7F:
            table.append(CP437_DEL)
        else:
            table.append(ord(bytes([b]).decode("cp437")))
    return table


def extract_package(tmp, package):
    """Download Debian's package into tmp and unpack it; returns (its root, the .deb's name)."""
    subprocess.run(["apt-get", "download", package], cwd=tmp, check=True, stdout=sys.stderr)
    debs = glob.glob(os.path.join(tmp, package + "_*.deb"))
    if not debs:
        sys.exit("%s: apt-get download produced no .deb" % os.path.basename(sys.argv[0]))
    root = os.path.join(tmp, "root")
    subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True)
    return root, os.path.basename(debs[0])


def fetch_font(tmp):
    """Download console-setup-linux and extract the font; returns its path."""
    root, _ = extract_package(tmp, "console-setup-linux")
    path = os.path.join(root, "usr/share/consolefonts", FONT_NAME)
    for name in (FONT_NAME, FALLBACK_NAME):
        if not os.path.exists(os.path.join(root, "usr/share/consolefonts", name)):
            sys.exit("gen-vgafont: %s not in the package" % name)
    return path


def read_psf1(path, want_height=16):
    """Return (glyphs, unicode -> glyph index) of a PSF1 font with a Unicode table."""
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    if data[0:2] != b"\x36\x04":
        sys.exit("gen-vgafont: %s is not a PSF1 font" % path)
    mode, height = data[2], data[3]
    if height != want_height:
        sys.exit("gen-vgafont: %s has %d-line glyphs, want %d" % (path, height, want_height))
    count = 512 if mode & 0x01 else 256
    if not mode & 0x02:
        sys.exit("gen-vgafont: %s has no Unicode table" % path)
    glyphs = [data[4 + i * height:4 + (i + 1) * height] for i in range(count)]
    pos = 4 + count * height
    umap = {}
    glyph = 0
    in_seq = False
    # Each glyph's entry is a list of UCS-2 values, then optional combining
    # sequences after 0xFFFE, terminated by 0xFFFF. Only single values count.
    while glyph < count and pos + 1 < len(data):
        v = data[pos] | data[pos + 1] << 8
        pos += 2
        if v == 0xFFFF:
            glyph += 1
            in_seq = False
        elif v == 0xFFFE:
            in_seq = True
        elif not in_seq:
            umap.setdefault(v, glyph)
    return glyphs, umap


def find_glyph(fonts, u):
    """The glyph for code point u from the first font that has it, or None."""
    for glyphs, umap in fonts:
        if u in umap:
            return glyphs[umap[u]]
    # Uni2 draws the equivalents as small arrows, FullGreek as the solid
    # triangles the VGA ROM has, so alternates are looked up last font first.
    alt = ALTERNATES.get(u)
    for glyphs, umap in reversed(fonts):
        if alt is not None and alt in umap:
            return glyphs[umap[alt]]
    return None


def cp437_glyphs(fonts, table):
    """The glyph of each CP437 code point (None where no font has one).

    Uni2 draws some characters with another's glyph (the double box lines
    with the single ones, the triangles 0x1E/0x1F with the arrows 0x18/0x19):
    where the first font gives characters of different Unicode values one
    glyph, the lowest value keeps it (the single line, the arrow) and the
    others take their own glyphs from the first later font that draws each
    of the group differently. Other look-alikes are left as they are (at 8
    lines Debian's fonts draw Θ as ╚ and Ω as ┘ in every font).
    """
    glyphs = [find_glyph(fonts, u) for u in table]
    first_glyphs, first_map = fonts[0]
    shared = {}
    for u in set(table):
        if u in first_map and u not in (0x0020, 0x00A0):
            shared.setdefault(first_map[u], set()).add(u)
    for group in shared.values():
        if len(group) < 2:
            continue
        for later_glyphs, later_map in fonts[1:]:
            own = [later_map.get(u) for u in group]
            if None not in own and len({later_glyphs[i] for i in own}) == len(group):
                for b, u in enumerate(table):
                    if u in group and u != min(group):
                        glyphs[b] = later_glyphs[later_map[u]]
                break
    return glyphs


def generate(fonts, table, source):
    out = []
    out.append("/*")
    out.append(" * font8x16: the VGA 8x16 text-mode font for the 256 CP437 code points,")
    out.append(" * and the CP437 -> Unicode table. GENERATED by tools/gen-vgafont.py from")
    out.append(" * %s; do not edit." % source)
    out.append(" *")
    out.append(LICENCE.rstrip("\n"))
    out.append(" */")
    out.append('#include "text/font8x16.h"')
    out.append("")
    out.append("/* clang-format off */")
    out.append("const uint16_t sk_cp437_unicode[256] = {")
    for row in range(0, 256, 8):
        out.append("    " + " ".join("0x%04X," % table[b] for b in range(row, row + 8)))
    out.append("};")
    out.append("")
    out.append("const uint8_t sk_font8x16[256][16] = {")
    glyphs = cp437_glyphs(fonts, table)
    for b in range(256):
        u = table[b]
        g = glyphs[b]
        if g is None:
            sys.exit("gen-vgafont: no glyph for CP437 0x%02X (U+%04X)" % (b, u))
        out.append("    [0x%02X] = {%s}, /* U+%04X */" % (b, ", ".join("0x%02X" % x for x in g), u))
    out.append("};")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("psf", nargs="?", help="path to %s (downloaded when omitted)" % FONT_NAME)
    ap.add_argument("--fallback", help="font for glyphs the first lacks (default: %s beside it)" % FALLBACK_NAME)
    ap.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.psf or fetch_font(tmp)
        fallback = args.fallback or os.path.join(os.path.dirname(path), FALLBACK_NAME)
        fonts = [read_psf1(path), read_psf1(fallback)]
    text = generate(fonts, cp437_to_unicode(), "%s and %s" % (FONT_NAME, FALLBACK_NAME))
    write_output(text, args.output)


def write_output(text, output):
    """Write text to the file output, or to stdout for "-"."""
    if output == "-":
        sys.stdout.write(text)
    else:
        with open(output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()

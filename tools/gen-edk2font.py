#!/usr/bin/env python3
"""Generate src/text/fontedk2.c: EDK2's narrow 8x19 glyphs in CP437 order.

Usage: tools/gen-edk2font.py EDK2_DIR [-o src/text/fontedk2.c]

UEFI firmware built from EDK2 (OVMF, most vendors' setup pages, the UEFI
shell) draws text with the glyph table gUsStdNarrowGlyphData of
MdeModulePkg/Universal/Console/GraphicsConsoleDxe/LaffStd.c: one
EFI_NARROW_GLYPH per character, {UnicodeWeight, Attributes, GlyphCol1[19]},
19 rows of 8 pixels top to bottom, bit 7 the leftmost. Entries name their
code point as a number or as a constant of MdePkg/Include/Protocol/
SimpleTextOut.h (BOXDRAW_*, BLOCKELEMENT_*, ...), read from there. Each
CP437 code point is looked up by its Unicode value; the 256-bit map
sk_font_edk2_has says which ones EDK2 draws (the rest are zero rows).
EDK2_DIR is a checkout of tianocore/edk2.
"""
import argparse
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen_vgafont", os.path.join(HERE, "gen-vgafont.py"))
vga = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vga)

LAFF = "MdeModulePkg/Universal/Console/GraphicsConsoleDxe/LaffStd.c"
NAMES = "MdePkg/Include/Protocol/SimpleTextOut.h"
HEIGHT = 19

LICENCE = """\
 * The glyphs are gUsStdNarrowGlyphData of tianocore/edk2's
 * MdeModulePkg/Universal/Console/GraphicsConsoleDxe/LaffStd.c:
 *
 * Copyright (c) 2006 - 2008, Intel Corporation. All rights reserved.
 * SPDX-License-Identifier: BSD-2-Clause-Patent
 *
 * Redistribution and use in source and binary forms, with or without
 * modification, are permitted provided that the following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice,
 *    this list of conditions and the following disclaimer.
 *
 * 2. Redistributions in binary form must reproduce the above copyright notice,
 *    this list of conditions and the following disclaimer in the documentation
 *    and/or other materials provided with the distribution.
 *
 * Subject to the terms and conditions of this license, each copyright holder
 * and contributor hereby grants to those receiving rights under this license
 * a perpetual, worldwide, non-exclusive, no-charge, royalty-free, irrevocable
 * (except for failure to satisfy the conditions of this license) patent
 * license to make, have made, use, offer to sell, sell, import, and otherwise
 * transfer this software, where such license applies only to those patent
 * claims, already acquired or hereafter acquired, licensable by such copyright
 * holder or contributor that are necessarily infringed by:
 *
 * (a) their Contribution(s) (the licensed copyrights of copyright holders and
 *     non-copyrightable additions of contributors, in source or binary form)
 *     alone; or
 *
 * (b) combination of their Contribution(s) with the work of authorship to
 *     which such Contribution(s) was added by such copyright holder or
 *     contributor, if, at the time the Contribution is added, such addition
 *     causes such combination to be necessarily infringed. The patent license
 *     shall not apply to any other combinations which include the
 *     Contribution.
 *
 * Except as expressly stated above, no rights or licenses from any copyright
 * holder or contributor is granted under this license, whether expressly, by
 * implication, estoppel or otherwise.
 *
 * DISCLAIMER
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 * AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 * IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 * ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDERS OR CONTRIBUTORS BE
 * LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
 * CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
 * SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
 * INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 * CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
 * ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
 * POSSIBILITY OF SUCH DAMAGE.
"""


def read_names(path):
    names = {}
    with open(path) as f:
        for m in re.finditer(r"#define\s+(\w+)\s+(0x[0-9a-fA-F]+)", f.read()):
            names[m.group(1)] = int(m.group(2), 16)
    return names


def read_glyphs(path, names):
    """{Unicode: 19 row bytes} from gUsStdNarrowGlyphData (the 0x0000 terminator left out)."""
    with open(path) as f:
        text = f.read()
    body = text[text.index("gUsStdNarrowGlyphData"):]
    entry = re.compile(r"\{\s*(?:\(CHAR16\)\s*)?(\w+)\s*,\s*(0x[0-9a-fA-F]+)\s*,\s*\{([^}]*)\}\s*\}")
    glyphs = {}
    for m in entry.finditer(body):
        key = m.group(1)
        u = int(key, 16) if key.lower().startswith("0x") else names[key]
        rows = [int(x, 16) for x in m.group(3).replace(",", " ").split()]
        if len(rows) != HEIGHT:
            sys.exit("gen-edk2font: U+%04X has %d rows, not %d" % (u, len(rows), HEIGHT))
        if int(m.group(2), 16) != 0:
            sys.exit("gen-edk2font: U+%04X has attributes (a wide glyph?)" % u)
        if u == 0:
            break
        if u in glyphs:
            sys.exit("gen-edk2font: U+%04X twice" % u)
        glyphs[u] = rows
    if len(glyphs) < 200:
        sys.exit("gen-edk2font: only %d glyphs read from %s" % (len(glyphs), path))
    return glyphs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("edk2")
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()
    glyphs = read_glyphs(os.path.join(args.edk2, LAFF), read_names(os.path.join(args.edk2, NAMES)))
    table = vga.cp437_to_unicode()
    has = [0] * 32
    out = ["/*",
           " * fontedk2: EDK2's narrow glyphs (8x19, as OVMF's setup pages and the",
           " * UEFI shell draw them) for the CP437 code points EDK2 draws. GENERATED",
           " * by tools/gen-edk2font.py from LaffStd.c; do not edit.",
           " *",
           LICENCE.rstrip("\n"),
           " */",
           '#include "text/fontedk2.h"',
           "",
           "/* clang-format off */",
           "const uint8_t sk_font_edk2[256][%d] = {" % HEIGHT]
    taken = 0
    for b in range(256):
        g = glyphs.get(table[b])
        if g is None:
            continue
        has[b >> 3] |= 1 << (b & 7)
        taken += 1
        out.append("    [0x%02X] = {%s}, /* U+%04X */" % (b, ", ".join("0x%02X" % x for x in g), table[b]))
    out.append("};")
    out.append("")
    out.append("/* %d of the 256 code points: bit (b & 7) of byte b >> 3. */" % taken)
    out.append("const uint8_t sk_font_edk2_has[32] = {%s};" % ", ".join("0x%02X" % x for x in has))
    out.append("/* clang-format on */")
    vga.write_output("\n".join(out) + "\n", args.output)
    sys.stderr.write("gen-edk2font: %d glyphs in LaffStd.c, %d of them in CP437\n" % (len(glyphs), taken))


if __name__ == "__main__":
    main()

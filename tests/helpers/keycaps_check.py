#!/usr/bin/env python3
"""keycaps_check: captured terminal bytes against the keys they must become.

    keycaps_check.py DUMP TABLE.tsv...     the parser (DUMP: build/tests/termkeys_dump)
    keycaps_check.py --reports TABLE.tsv   print the HID reports the console must write

A table (tests/helpers/capture_keys.sh makes them) has one key a line:
SENT<TAB>EXPECTED<TAB>HEX, EXPECTED a key name ("ctrl+up", "f5") or a
character typed through the us keymap ("char:A", "ctrl+char:a"). The
first form prints PASS/FAIL per table; --reports prints, for a US target,
the 8-byte press and release reports of every key in order, as hex.
"""
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from terminfo_keys import MODS, USAGE  # noqa: E402

# The characters the tables use, on a US keyboard: usage and whether Shift is needed.
US_CHARS = {"+": (0x2E, 1), "-": (0x2D, 0), "*": (0x25, 1), "/": (0x38, 0)}


def split(name):
    if "char:" in name:  # the character may be "+" itself
        pre, c = name.split("char:", 1)
        mods, key = [m for m in pre.split("+") if m], "char:" + c
    else:
        *mods, key = name.split("+")
    bits = 0
    for m in mods:
        bits |= MODS[m]
    return bits, key


def dump_form(name):
    """'ctrl+up' -> 'k52/01'; 'ctrl+char:a' -> 'c0061/01' (termkeys_dump's notation)."""
    bits, key = split(name)
    if key.startswith("char:"):
        return f"c{ord(key[5:]):04x}/{bits:02x}"
    return f"k{USAGE[key]:02x}/{bits:02x}"


def report(name):
    """The press report for a US target, as (mods, usage)."""
    bits, key = split(name)
    if key.startswith("char:"):
        c = key[5:]
        if c.isalpha():
            return bits | (MODS["shift"] if c.isupper() else 0), 0x04 + ord(c.lower()) - ord("a")
        usage, shift = US_CHARS[c]
        return bits | (MODS["shift"] if shift else 0), usage
    return bits, USAGE[key]


def rows(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def main():
    if sys.argv[1] == "--reports":
        out = []
        for _, want, _ in rows(sys.argv[2]):
            mods, usage = report(want)
            out.append(f"{mods:02x} 00 {usage:02x} 00 00 00 00 00 " + "00 " * 7 + "00")
        print(" ".join(out))
        return 0
    dump, failures = sys.argv[1], 0
    for path in sys.argv[2:]:
        table = rows(path)
        res = subprocess.run([dump], input="".join(h + "\n" for _, _, h in table),
                             capture_output=True, text=True, check=True)
        got = res.stdout.splitlines()
        bad = [f"{s}: {h} parsed as {g}, want {w} ({dump_form(w)})"
               for (s, w, h), g in zip(table, got) if g != dump_form(w)]
        if len(got) != len(table) or not table:
            bad.append(f"{len(got)} results for {len(table)} keys")
        name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if bad:
            print(f"FAIL keycaps_{name}: " + "; ".join(bad))
            failures += 1
        else:
            print(f"PASS keycaps_{name} ({len(table)} keys)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""terminfo_keys: the terminal-key parser against ncurses' terminfo database.

    terminfo_keys.py DUMP TERM...      (DUMP: build/tests/termkeys_dump)

For every key capability of each terminal's `infocmp -x -1` entry, the
sequence the terminal sends goes through the parser (DUMP), which must
give the key the capability names, with its modifiers. The expected key
comes from the capability's *name* (kcuu1 is Up, kf5 is F5, kUP5 is
Ctrl+Up), never from the bytes. Prints PASS/FAIL lines, and SKIP lines for
the few capabilities whose bytes cannot mean what the name says (listed in
SKIP below, each with the reason).
"""
import re
import subprocess
import sys

USAGE = {
    "up": 0x52, "down": 0x51, "right": 0x4f, "left": 0x50, "home": 0x4a, "end": 0x4d,
    "insert": 0x49, "delete": 0x4c, "pageup": 0x4b, "pagedown": 0x4e, "tab": 0x2b,
    "backspace": 0x2a, "enter": 0x28, "kpenter": 0x58, "kp5": 0x5d, "kp0": 0x62,
    "kp1": 0x59, "kp2": 0x5a, "kp3": 0x5b, "kp4": 0x5c, "kp6": 0x5e, "kp7": 0x5f,
    "kp8": 0x60, "kp9": 0x61, "kpplus": 0x57, "kpminus": 0x56, "kpasterisk": 0x55,
    "kpslash": 0x54, "kpperiod": 0x63, "kpequal": 0x67,
}
for i in range(1, 13):
    USAGE[f"f{i}"] = 0x3a + i - 1
for i in range(13, 25):
    USAGE[f"f{i}"] = 0x68 + i - 13
MODS = {"ctrl": 0x01, "shift": 0x02, "alt": 0x04, "super": 0x08}

# Capabilities that name one key.
PLAIN = {
    "kcuu1": "up", "kcud1": "down", "kcuf1": "right", "kcub1": "left", "khome": "home",
    "kend": "end", "kich1": "insert", "kdch1": "delete", "knp": "pagedown", "kpp": "pageup",
    "kcbt": "shift+tab", "kcbt2": "shift+tab", "kbs": "backspace", "kent": "kpenter",
    "kri": "shift+up", "kind": "shift+down",
    # The keypad: ka1 ka2 ka3 / kb1 kb2 kb3 / kc1 kc2 kc3 are its 3x3 block (7 8 9 / 4 5 6 / 1 2 3).
    "ka1": "kp7", "ka2": "kp8", "ka3": "kp9", "kb1": "kp4", "kb2": "kp5", "kb3": "kp6",
    "kc1": "kp1", "kc2": "kp2", "kc3": "kp3", "kbeg": "kp5", "kp5": "kp5",
    "kpADD": "kpplus", "kpSUB": "kpminus", "kpMUL": "kpasterisk", "kpDIV": "kpslash",
    "kpDOT": "kpperiod", "kpZRO": "kp0",
    # The VT220 keypad's ',' sits where a PC keypad has '+'.
    "kpCMA": "kpplus",
    # VT220 editing keys, at the PC's Home/End positions; Help and Do are its F15 and F16.
    "kfnd": "home", "kslt": "end", "khlp": "f15", "krdo": "f16",
    # rxvt sends "clear to end of line" for Ctrl+End.
    "kel": "ctrl+end",
}
for i in range(1, 10):
    PLAIN[f"kp{i}"] = f"kp{i}"
# The extended modified-key names (infocmp -x): base name + suffix as xterm's modifier parameter.
MODIFIED_BASE = {"UP": "up", "DN": "down", "LFT": "left", "RIT": "right", "HOM": "home",
                 "END": "end", "IC": "insert", "DC": "delete", "NXT": "pagedown",
                 "PRV": "pageup", "BEG": "kp5", "FND": "home"}
SUFFIX_MODS = {"": "shift", "2": "shift", "3": "alt", "4": "alt+shift", "5": "ctrl",
               "6": "ctrl+shift", "7": "ctrl+alt"}
# xterm numbers F13..F60 as F1..F12 with modifiers (1;2P is F13, Shift+F1); terminals in
# the VT220 tradition number F13..F20 as keys of their own (ESC [ 25 ~).
XTERM_STYLE = {"xterm", "xterm-256color", "tmux-256color", "kitty", "xterm-kitty", "alacritty",
               "foot"}
FKEY_GROUPS = ["", "shift+", "ctrl+", "ctrl+shift+", "alt+", "alt+shift+"]
NOT_KEYS = {"kmous", "kspd", "kf0"}  # a mouse report prefix, Ctrl+Z, PuTTY's F0 (keypad 9's bytes)
SKIP = {
    ("linux", "kcbt"): "ESC Tab is Shift+Tab on the Linux console and Alt+Tab everywhere; read as Alt+Tab",
    ("putty", "ka1"): "PuTTY's entry names VT100 keypad '1' (ESC O q) as ka1",
    ("putty", "ka3"): "PuTTY's entry names VT100 keypad '3' (ESC O s) as ka3",
    ("putty", "kb2"): "PuTTY's entry names VT100 keypad '2' (ESC O r) as kb2",
    ("putty", "kc1"): "PuTTY's entry names VT100 keypad '0' (ESC O p) as kc1",
    ("putty", "kc3"): "PuTTY's entry names VT100 keypad '.' (ESC O n) as kc3",
    ("putty", "kpNUM"): "PuTTY sends PF1 (ESC O P) for Num Lock: the bytes of F1",
    ("putty", "kpDIV"): "PuTTY sends PF2 (ESC O Q) for keypad /: the bytes of F2",
    ("putty", "kpMUL"): "PuTTY sends PF3 (ESC O R) for keypad *: the bytes of F3",
    ("putty", "kpSUB"): "PuTTY sends PF4 (ESC O S) for keypad -: the bytes of F4",
    ("putty", "kri"): "PuTTY's entry gives plain Up's bytes (ESC [ A) as Shift+Up",
    ("putty", "kind"): "PuTTY's entry gives plain Down's bytes (ESC [ B) as Shift+Down",
}


def expected(term, cap):
    if cap in PLAIN:
        return PLAIN[cap]
    m = re.fullmatch(r"kf(\d+)", cap)
    if m:
        n = int(m.group(1))
        if term in XTERM_STYLE:
            return FKEY_GROUPS[(n - 1) // 12] + f"f{(n - 1) % 12 + 1}" if n <= 72 else None
        return f"f{n}" if n <= 24 else None
    m = re.fullmatch(r"k(UP|DN|LFT|RIT|HOM|END|IC|DC|NXT|PRV|BEG|FND)([2-7]?)", cap)
    if m:
        return SUFFIX_MODS[m.group(2)] + "+" + MODIFIED_BASE[m.group(1)]
    return None


def encode(name):
    """'ctrl+shift+f1' -> the dump helper's 'kUU/MM'."""
    *mods, key = name.split("+")
    bits = 0
    for m in mods:
        bits |= MODS[m]
    return f"k{USAGE[key]:02x}/{bits:02x}"


def unescape(v):
    """A terminfo string value as bytes."""
    out = bytearray()
    i = 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            d = v[i + 1]
            i += 2
            if d in "Ee":
                out.append(0x1B)
            elif d.isdigit():
                j = i - 1
                while i < len(v) and i - j < 3 and v[i].isdigit():
                    i += 1
                val = int(v[j:i], 8)
                out.append(0x80 if val == 0 else val)
            else:
                out += {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "f": b"\f",
                        "s": b" "}.get(d, d.encode())
        elif c == "^" and i + 1 < len(v):
            d = v[i + 1]
            out.append(0x7F if d == "?" else ord(d.upper()) & 0x1F)
            i += 2
        else:
            out += c.encode()
            i += 1
    return bytes(out)


def capabilities(term):
    res = subprocess.run(["infocmp", "-x", "-1", term], capture_output=True, text=True)
    if res.returncode != 0:
        return None
    caps = {}
    for line in res.stdout.splitlines():
        m = re.match(r"^\t(k\w+)=(.*),$", line)
        if m:
            caps[m.group(1)] = unescape(m.group(2))
    return caps


def main():
    dump, terms = sys.argv[1], sys.argv[2:]
    failures = 0
    for term in terms:
        caps = capabilities(term)
        if caps is None:
            print(f"FAIL terminfo_{term}: infocmp has no entry (ncurses-term, foot-terminfo, kitty-terminfo)")
            failures += 1
            continue
        rows = []
        for cap, seq in sorted(caps.items()):
            if cap in NOT_KEYS or seq == b"":
                continue  # not a key, or cancelled in this entry (kitty's ka1=,)
            if (term, cap) in SKIP:
                print(f"SKIP {term} {cap}: {SKIP[(term, cap)]}")
                continue
            want = expected(term, cap)
            if want is None:
                print(f"FAIL {term}_{cap}: capability not in the expectation table ({seq!r})")
                failures += 1
                continue
            rows.append((cap, seq, want))
        res = subprocess.run([dump], input="".join(s.hex() + "\n" for _, s, _ in rows),
                             capture_output=True, text=True, check=True)
        got = res.stdout.splitlines()
        bad = 0
        for (cap, seq, want), g in zip(rows, got):
            if g != encode(want):
                print(f"FAIL {term}_{cap}: {seq!r} parsed as {g}, want {want} ({encode(want)})")
                bad += 1
        if len(got) != len(rows):
            print(f"FAIL {term}: dump gave {len(got)} lines for {len(rows)} sequences")
            bad += 1
        if bad == 0:
            print(f"PASS terminfo_{term} ({len(rows)} key capabilities)")
        failures += bad
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

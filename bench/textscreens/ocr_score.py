#!/usr/bin/env python3
"""Character accuracy of a screen's text against the truth, OCR-style.

Usage: ocr_score.py TRUTH.txt CANDIDATE.txt
Prints two figures: the accuracy over all visible characters and over
letters and digits only, each 1 - edit distance / truth length with all
whitespace removed (OCR output does not keep a screen's columns, so
characters are compared in reading order, as OCR benchmarks do).
"""
import sys

try:
    import numpy as np
except ImportError:  # a Python without numpy: the plain table below
    np = None


def distance(a, b):
    """Levenshtein distance, a row of the table at a time with numpy (the screens of a
    240x67 console are 10,000 characters: the pure-Python table took minutes)."""
    if not a or not b:
        return max(len(a), len(b))
    if np is None:
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i] + [0] * len(b)
            for j, cb in enumerate(b, 1):
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            prev = cur
        return prev[-1]
    bv = np.frombuffer("".join(b).encode("utf-32-le"), dtype=np.uint32)
    ramp = np.arange(len(b) + 1)
    prev = ramp.copy()
    for i, ca in enumerate(a, 1):
        cost = (bv != ord(ca)).astype(np.int64)
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        # cur[j] = min(cur[j], cur[j-1] + 1), carried along the row: a running minimum of
        # cur[k] - k, plus j.
        cur = np.minimum.accumulate(cur - ramp) + ramp
        prev = cur
    return int(prev[-1])


def accuracy(truth, cand, keep):
    t = [c for c in truth if keep(c)]
    c = [c for c in cand if keep(c)]
    if not t:
        return 1.0
    return max(0.0, 1 - distance(t, c) / len(t))


def main():
    truth = open(sys.argv[1], encoding="utf-8").read()
    cand = open(sys.argv[2], encoding="utf-8", errors="replace").read()
    visible = accuracy(truth, cand, lambda ch: not ch.isspace())
    alnum = accuracy(truth, cand, lambda ch: ch.isascii() and ch.isalnum())
    print("%.4f %.4f" % (visible, alnum))


if __name__ == "__main__":
    main()

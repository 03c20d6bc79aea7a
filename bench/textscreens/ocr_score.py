#!/usr/bin/env python3
"""Character accuracy of a screen's text against the truth, OCR-style.

Usage: ocr_score.py TRUTH.txt CANDIDATE.txt
Prints two figures: the accuracy over all visible characters and over
letters and digits only, each 1 - edit distance / truth length with all
whitespace removed (OCR output does not keep a screen's columns, so
characters are compared in reading order, as OCR benchmarks do).
"""
import sys


def distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


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

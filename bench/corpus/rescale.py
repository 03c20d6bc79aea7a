#!/usr/bin/python3
"""The corpus's tune frames stretched in other ways, as a second tune set.

Usage: bench/corpus/rescale.py [--corpus DIR] [--only SUBSTR] [--pad WxH]
                               OUTDIR SLOT=SPEC SLOT=SPEC

A change to the recogniser is chosen on the tune frames at the sizes the
corpus has (native, 1280x720 and 1920x1080, bilinear); the held-out frames
can judge it once. This writes a corpus that build/bench/textcorpus reads
like the real one (--corpus OUTDIR), holding the tune frames only (of DIR,
build/textcorpus by default; with --only, those whose name holds SUBSTR),
so that a change can be tried on pictures it was not tuned on without
spending the held-out frames:
  SLOT=SPEC   the two stretched sizes made another way. SLOT is 1280x720 or
              1920x1080 (the column the table prints them in); SPEC is
              either WxH[:FILTER] (every frame stretched to that size) or
              KXxKY[:FILTER] with a decimal point in each (every frame's
              size times those factors, at most 1920x1200, else 1920x1080:
              a dongle's largest). FILTER is ffmpeg's scale flag (bilinear,
              bicubic, area, ...; bilinear by default, as gen.py stretches).
  --pad WxH   each frame first put in the top left corner of a black WxH
              picture (a console whose text fills only part of a bigger
              screen: 1024x768's 128x48 cells in a 1280x800 one); its truth
              says the new frame size, and its native JPEGs are made anew
              (without --pad they are linked from DIR). Frames bigger than
              WxH are left out.
For example

  bench/corpus/rescale.py build/textcorpus-b 1280x720=1920x1080:bicubic 1920x1080=1600x900
  bench/corpus/rescale.py build/textcorpus-f 1280x720=1.5x1.35 1920x1080=1.875x1.40625
  bench/corpus/rescale.py --only fbcon- --pad 1280x800 build/textcorpus-p \\
      1280x720=1280x720 1920x1080=1920x1080

the first the same frames through another scaler and to another panel
size, the second each frame at the stretches that 1280x800 and 1024x768
pictures meet at 1080p, whatever its own size, the third the fbcon frames
of 1024x768 as if on a 1280x800 screen, stretched as gen.py stretches.
Needs ffmpeg and cjpeg, as gen.py does; takes about 20 s for every frame.
"""
import argparse
import gzip
import os
import sys

from jpegvariants import QUALITIES, SUBSAMPLING, encode, filtered


def parse_size(text):
    w, _, h = text.partition("x")
    try:
        size = int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError("want WxH, not '%s'" % text)
    if min(size) <= 0:
        raise argparse.ArgumentTypeError("want a size above 0, not '%s'" % text)
    return size


def parse_spec(arg):
    slot, eq, spec = arg.partition("=")
    if not eq or slot not in ("1280x720", "1920x1080"):
        sys.exit("rescale: want SLOT=SPEC with SLOT 1280x720 or 1920x1080, not '%s'" % arg)
    size, _, flt = spec.partition(":")
    kx, _, ky = size.partition("x")
    try:
        if "." in kx and "." in ky:
            spec = ("factor", float(kx), float(ky), flt or "bilinear")
        else:
            spec = ("size", int(kx), int(ky), flt or "bilinear")
    except ValueError:
        sys.exit("rescale: cannot read the size in '%s'" % arg)
    if spec[1] <= 0 or spec[2] <= 0:
        sys.exit("rescale: want a size above 0 in '%s'" % arg)
    return slot, spec


def target(spec, fw, fh):
    kind, a, b, _ = spec
    if kind == "size":
        return a, b
    w, h = round(fw * a), round(fh * b)
    return (w, h) if w <= 1920 and h <= 1200 else (1920, 1080)


def cleared(path):
    """path, with what was there removed (it may be a link into the source corpus)."""
    if os.path.lexists(path):
        os.unlink(path)
    return path


def link_frame(src, out, name):
    """Frame name's picture, truth and native JPEGs in out, as links into src."""
    rels = [name + ".ppm.gz", name + ".truth"]
    rels += [os.path.join("jpeg", "%s-native-q%d-%s.jpg" % (name, q, sub))
             for q in QUALITIES for sub in SUBSAMPLING]
    if os.path.exists(os.path.join(src, name + ".txt")):
        rels.append(name + ".txt")
    for rel in rels:
        os.symlink(os.path.join(src, rel), cleared(os.path.join(out, rel)))


def pad_frame(src, out, name, raw, size, ppm):
    """Frame name (its PPM raw) in the top left of a black picture of size, with its truth
    saying so and its native JPEGs; returns the padded PPM."""
    fw, fh = size
    filtered(raw, "pad=%d:%d:0:0:black" % (fw, fh), ppm)
    with open(ppm, "rb") as g:
        raw = g.read()
    with gzip.open(cleared(os.path.join(out, name + ".ppm.gz")), "wb") as g:
        g.write(raw)
    with open(os.path.join(src, name + ".truth")) as g:
        head, sep, cells = g.read().partition("\ncells\n")
    head = "\n".join("frame %d %d" % (fw, fh) if t.startswith("frame ") else t for t in head.split("\n"))
    with open(cleared(os.path.join(out, name + ".truth")), "w") as g:
        g.write(head + sep + cells)
    encode(ppm, os.path.join(out, "jpeg"), name, "native")
    return raw


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1].split("Usage: ")[1],
                                 description=__doc__.split("\n\n", 2)[2],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="build/textcorpus")
    ap.add_argument("--only", default="")
    ap.add_argument("--pad", type=parse_size)
    ap.add_argument("outdir")
    ap.add_argument("slots", nargs=2)
    args = ap.parse_args()
    src, out = os.path.abspath(args.corpus), args.outdir
    if os.path.abspath(out) == src:
        sys.exit("rescale: OUTDIR must not be the corpus itself")
    slots = dict(parse_spec(a) for a in args.slots)
    if len(slots) != 2:
        sys.exit("rescale: give both slots, 1280x720= and 1920x1080=")
    jdir = os.path.join(out, "jpeg")
    os.makedirs(jdir, exist_ok=True)
    os.symlink(os.path.join(src, "fonts"), cleared(os.path.join(out, "fonts")))
    with open(os.path.join(src, "MANIFEST")) as g:
        lines = g.read().splitlines()
    keep = [lines[0]]
    ppm = os.path.join(jdir, "tmp%d.ppm" % os.getpid())
    try:
        for ln in lines[1:]:
            f = ln.split()
            if len(f) < 5 or f[0].startswith("#") or f[3] != "tune" or args.only not in f[0]:
                continue
            name, (fw, fh) = f[0], parse_size(f[4])
            if args.pad and (fw > args.pad[0] or fh > args.pad[1]):
                continue
            with gzip.open(os.path.join(src, name + ".ppm.gz")) as g:
                raw = g.read()
            if args.pad:
                raw = pad_frame(src, out, name, raw, args.pad, ppm)
                fw, fh = args.pad
                f[4] = "%dx%d" % (fw, fh)
            else:
                link_frame(src, out, name)
            keep.append(" ".join(f))
            for slot, spec in slots.items():
                w, h = target(spec, fw, fh)
                filtered(raw, "scale=%d:%d:flags=%s" % (w, h, spec[3]), ppm)
                encode(ppm, jdir, name, slot)
    finally:
        if os.path.exists(ppm):
            os.unlink(ppm)
    with open(os.path.join(out, "MANIFEST"), "w") as g:
        g.write("\n".join(keep) + "\n")
    print("rescale: %d tune frames in %s" % (len(keep) - 1, out))


if __name__ == "__main__":
    main()

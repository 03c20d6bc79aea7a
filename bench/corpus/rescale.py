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
import subprocess
import sys

QUALITIES = [50, 75, 90]
SUBSAMPLING = {"420": "2x2", "422": "2x1"}


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


def ffmpeg(raw, vf, ppm):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "image2pipe", "-vcodec", "ppm", "-i", "-",
                    "-vf", vf, "-f", "image2", "-vcodec", "ppm", ppm], input=raw, check=True)


def jpegs(ppm, out, name, size):
    for q in QUALITIES:
        for sub, samp in SUBSAMPLING.items():
            dst = os.path.join(out, "jpeg", "%s-%s-q%d-%s.jpg" % (name, size, q, sub))
            if os.path.lexists(dst):
                os.unlink(dst)  # a link into the source corpus, from a run without --pad
            with open(dst, "wb") as f:
                subprocess.run(["cjpeg", "-quality", str(q), "-sample", samp, "-dct", "int", ppm],
                               stdout=f, check=True)


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
    os.makedirs(os.path.join(out, "jpeg"), exist_ok=True)

    def link(rel):
        dst = os.path.join(out, rel)
        if os.path.lexists(dst):
            os.unlink(dst)
        os.symlink(os.path.join(src, rel), dst)

    link("fonts")
    with open(os.path.join(src, "MANIFEST")) as g:
        lines = g.read().splitlines()
    keep = [lines[0]]
    ppm = os.path.join(out, "jpeg", "tmp%d.ppm" % os.getpid())
    try:
        make(args, src, out, lines[1:], keep, slots, link, ppm)
    finally:
        if os.path.exists(ppm):
            os.unlink(ppm)
    with open(os.path.join(out, "MANIFEST"), "w") as g:
        g.write("\n".join(keep) + "\n")
    print("rescale: %d tune frames in %s" % (len(keep) - 1, out))


def make(args, src, out, lines, keep, slots, link, ppm):
    """Each tune frame of lines that --only and --pad keep into out, its line into keep."""
    for ln in lines:
        f = ln.split()
        if len(f) < 5 or f[0].startswith("#"):
            continue
        name, (fw, fh) = f[0], parse_size(f[4])
        if f[3] != "tune" or args.only not in name:
            continue
        if args.pad and (fw > args.pad[0] or fh > args.pad[1]):
            continue
        with gzip.open(os.path.join(src, name + ".ppm.gz")) as g:
            raw = g.read()
        if args.pad:
            fw, fh = args.pad
            f[4] = "%dx%d" % (fw, fh)
            ffmpeg(raw, "pad=%d:%d:0:0:black" % (fw, fh), ppm)
            with open(ppm, "rb") as g:
                raw = g.read()
            for rel in (name + ".ppm.gz", name + ".truth"):
                if os.path.lexists(os.path.join(out, rel)):
                    os.unlink(os.path.join(out, rel))
            with gzip.open(os.path.join(out, name + ".ppm.gz"), "wb") as g:
                g.write(raw)
            with open(os.path.join(src, name + ".truth")) as g:
                truth = g.read()
            head, sep, cells = truth.partition("\ncells\n")
            head = "\n".join("frame %d %d" % (fw, fh) if t.startswith("frame ") else t
                             for t in head.split("\n"))
            with open(os.path.join(out, name + ".truth"), "w") as g:
                g.write(head + sep + cells)
            jpegs(ppm, out, name, "native")
        else:
            link(name + ".ppm.gz")
            link(name + ".truth")
            if os.path.exists(os.path.join(src, name + ".txt")):
                link(name + ".txt")
            for q in QUALITIES:
                for sub in SUBSAMPLING:
                    link(os.path.join("jpeg", "%s-native-q%d-%s.jpg" % (name, q, sub)))
        keep.append(" ".join(f))
        for slot, spec in slots.items():
            w, h = target(spec, fw, fh)
            ffmpeg(raw, "scale=%d:%d:flags=%s" % (w, h, spec[3]), ppm)
            jpegs(ppm, out, name, slot)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The corpus's tune frames stretched in other ways, as a second tune set.

Usage: bench/corpus/rescale.py [--corpus DIR] OUTDIR SLOT=SPEC SLOT=SPEC

A change to the recogniser is chosen on the tune frames at the sizes the
corpus has (native, 1280x720 and 1920x1080, bilinear); the held-out frames
can judge it once. This writes a corpus that build/bench/textcorpus reads
like the real one (--corpus OUTDIR), holding the tune frames only, their
native JPEGs linked from DIR (default build/textcorpus), and the two
stretched sizes made another way, so that a change can be tried on
stretches it was not tuned on without spending the held-out frames.
SLOT is 1280x720 or 1920x1080 (the column the table prints them in); SPEC
is either WxH[:FILTER] (every frame stretched to that size) or
KXxKY[:FILTER] with a decimal point in each (every frame's native size
times those factors, at most 1920x1200, else 1920x1080: a dongle's
largest). FILTER is ffmpeg's scale flag (bilinear, bicubic, area, ...;
bilinear by default, as bench/corpus/gen.py stretches). For example

  bench/corpus/rescale.py build/textcorpus-b 1280x720=1920x1080:bicubic 1920x1080=1600x900
  bench/corpus/rescale.py build/textcorpus-f 1280x720=1.5x1.35 1920x1080=1.875x1.40625

the first the same frames through another scaler and to another panel
size, the second each frame at the stretches that 1280x800 and 1024x768
pictures meet at 1080p, whatever its own size. Needs ffmpeg and cjpeg, as
gen.py does; takes about 20 s.
"""
import gzip
import os
import subprocess
import sys

QUALITIES = [50, 75, 90]
SUBSAMPLING = {"420": "2x2", "422": "2x1"}


def parse_spec(spec):
    size, _, flt = spec.partition(":")
    kx, _, ky = size.partition("x")
    if "." in kx and "." in ky:
        return ("factor", float(kx), float(ky), flt or "bilinear")
    return ("size", int(kx), int(ky), flt or "bilinear")


def target(spec, fw, fh):
    kind, a, b, _ = spec
    if kind == "size":
        return a, b
    w, h = round(fw * a), round(fh * b)
    return (w, h) if w <= 1920 and h <= 1200 else (1920, 1080)


def main(argv):
    src = "build/textcorpus"
    if len(argv) > 1 and argv[0] == "--corpus":
        src, argv = argv[1], argv[2:]
    if len(argv) != 3 or not all("=" in a for a in argv[1:]):
        sys.exit(__doc__.split("\n\n")[1])
    out = argv[0]
    slots = {}
    for a in argv[1:]:
        slot, spec = a.split("=", 1)
        if slot not in ("1280x720", "1920x1080"):
            sys.exit("rescale: SLOT is 1280x720 or 1920x1080, not %s" % slot)
        slots[slot] = parse_spec(spec)
    if len(slots) != 2:
        sys.exit("rescale: give both slots")
    os.makedirs(os.path.join(out, "jpeg"), exist_ok=True)
    lines = open(os.path.join(src, "MANIFEST")).read().splitlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.split()[3] == "tune"]
    with open(os.path.join(out, "MANIFEST"), "w") as f:
        f.write("\n".join(keep) + "\n")

    def link(rel):
        dst = os.path.join(out, rel)
        if not os.path.lexists(dst):
            os.symlink(os.path.abspath(os.path.join(src, rel)), dst)

    link("fonts")
    ppm = os.path.join(out, "jpeg", "tmp%d.ppm" % os.getpid())
    for ln in keep[1:]:
        name, fsize = ln.split()[0], ln.split()[4]
        fw, fh = map(int, fsize.split("x"))
        link(name + ".ppm.gz")
        link(name + ".truth")
        for q in QUALITIES:
            for sub in SUBSAMPLING:
                link(os.path.join("jpeg", "%s-native-q%d-%s.jpg" % (name, q, sub)))
        with gzip.open(os.path.join(src, name + ".ppm.gz")) as f:
            raw = f.read()
        for slot, spec in slots.items():
            w, h = target(spec, fw, fh)
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "image2pipe", "-vcodec", "ppm", "-i", "-",
                            "-vf", "scale=%d:%d:flags=%s" % (w, h, spec[3]), "-f", "image2", "-vcodec", "ppm",
                            ppm], input=raw, check=True)
            for q in QUALITIES:
                for sub, samp in SUBSAMPLING.items():
                    dst = os.path.join(out, "jpeg", "%s-%s-q%d-%s.jpg" % (name, slot, q, sub))
                    with open(dst, "wb") as f:
                        subprocess.run(["cjpeg", "-quality", str(q), "-sample", samp, "-dct", "int", ppm],
                                       stdout=f, check=True)
    if os.path.exists(ppm):
        os.unlink(ppm)
    print("rescale: %d tune frames in %s" % (len(keep) - 1, out))


if __name__ == "__main__":
    main(sys.argv[1:])

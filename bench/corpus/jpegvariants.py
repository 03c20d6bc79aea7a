"""The corpus's JPEG variants: how gen.py and rescale.py encode a frame.

Every frame of the corpus is read by build/bench/textcorpus as
jpeg/NAME-SIZE-qQ-SUB.jpg for each quality and chroma subsampling below;
this module is the one place that says which they are and how they are
made (ffmpeg to stretch, libjpeg-turbo's cjpeg to encode, as a capture
dongle's encoder would), so that a second tune set is encoded exactly as
the corpus is.
"""
import os
import subprocess

QUALITIES = [50, 75, 90]
SUBSAMPLING = {"420": "2x2", "422": "2x1"}


def filtered(raw, vf, ppm):
    """The PPM image raw through ffmpeg's filter vf ("scale=W:H:flags=bilinear"), written to ppm."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "image2pipe", "-vcodec", "ppm", "-i", "-",
                    "-vf", vf, "-f", "image2", "-vcodec", "ppm", ppm], input=raw, check=True)


def encode(ppm, jdir, name, size):
    """jdir/NAME-SIZE-qQ-SUB.jpg of the PPM file ppm, for every quality and subsampling.

    A file already there is replaced, never written through (it may be a link
    into another corpus).
    """
    for q in QUALITIES:
        for sub, samp in SUBSAMPLING.items():
            dst = os.path.join(jdir, "%s-%s-q%d-%s.jpg" % (name, size, q, sub))
            if os.path.lexists(dst):
                os.unlink(dst)
            with open(dst, "wb") as f:
                subprocess.run(["cjpeg", "-quality", str(q), "-sample", samp, "-dct", "int", ppm],
                               stdout=f, check=True)

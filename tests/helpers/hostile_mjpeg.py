#!/usr/bin/env python3
"""Write an MJPEG file of good frames with hostile ones between them.

usage: hostile_mjpeg.py GOOD.mjpeg OUT.mjpeg BIG_MIB

GOOD.mjpeg holds at least 8 baseline JPEGs (ffmpeg -f mjpeg). OUT gets every
good frame, in order, and between them: a truncated JPEG (the first half of
a copy of a frame), 64 KiB of random bytes, a zero-size JPEG (SOI EOI), a
JPEG whose header claims 60000 x 60000, and a BIG_MIB MiB "frame" (a real
header up to SOS, then BIG_MIB MiB of entropy-coded zeros, then EOI). Prints
the number of good frames and the number of hostile JPEGs (SOI..EOI).
"""
import random
import sys

good_path, out_path, big_mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(good_path, 'rb').read()
frames = []
i = 0
while True:
    s = data.find(b'\xff\xd8', i)
    if s < 0:
        break
    e = data.find(b'\xff\xd9', s)
    frames.append(data[s:e + 2])
    i = e + 2
assert len(frames) >= 8, 'need 8 good frames'

rng = random.Random(7)
f0 = frames[0]
sof = f0.index(b'\xff\xc0')
sos = f0.index(b'\xff\xda')
sos_end = sos + 2 + int.from_bytes(f0[sos + 2:sos + 4], 'big')
absurd = bytearray(f0)
absurd[sof + 5:sof + 9] = (60000).to_bytes(2, 'big') * 2

hostile = [
    f0[:len(f0) // 2],                       # truncated: no EOI
    bytes(rng.randrange(256) for _ in range(65536)),  # random bytes
    b'\xff\xd8\xff\xd9',                     # zero-size
    bytes(absurd),                           # absurd dimensions
]
with open(out_path, 'wb') as out:
    for n, fr in enumerate(frames):
        out.write(fr)
        if n < len(hostile):
            out.write(hostile[n])
        elif n == len(hostile):
            out.write(f0[:sos_end])
            zeros = bytes(1 << 20)
            for _ in range(big_mib):
                out.write(zeros)
            out.write(b'\xff\xd9')
print(len(frames), 4)

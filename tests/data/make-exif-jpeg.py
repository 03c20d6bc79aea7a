#!/usr/bin/env python3
"""Build exif-thumb-64x48.jpg: a JPEG whose EXIF APP1 segment carries a whole
JPEG thumbnail (with its own FFD8 ... FFD9), so a splitter that stops at the
first FFD9 cuts the frame short. test_mjpeg.c checks that it does not.

    ffmpeg -f lavfi -i testsrc=size=64x48 -frames:v 1 -q:v 5 -f mjpeg main.jpg
    ffmpeg -f lavfi -i color=c=red:size=16x16 -frames:v 1 -q:v 5 -f mjpeg thumb.jpg
    python3 make-exif-jpeg.py main.jpg thumb.jpg exif-thumb-64x48.jpg
"""
import struct
import sys


def exif_app1(thumb):
    # A minimal little-endian TIFF: IFD0 with no entries, linked to IFD1 which
    # points at the thumbnail (JPEGInterchangeFormat / ...Length), as cameras do.
    ifd0_off = 8
    ifd1_off = ifd0_off + 2 + 4
    thumb_off = ifd1_off + 2 + 2 * 12 + 4
    tiff = b"II*\x00" + struct.pack("<I", ifd0_off)
    tiff += struct.pack("<HI", 0, ifd1_off)
    tiff += struct.pack("<H", 2)
    tiff += struct.pack("<HHII", 0x0201, 4, 1, thumb_off)
    tiff += struct.pack("<HHII", 0x0202, 4, 1, len(thumb))
    tiff += struct.pack("<I", 0)
    assert len(tiff) == thumb_off
    body = b"Exif\x00\x00" + tiff + thumb
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def main():
    main_jpeg = open(sys.argv[1], "rb").read()
    thumb = open(sys.argv[2], "rb").read()
    assert main_jpeg[:2] == b"\xff\xd8" and thumb[:2] == b"\xff\xd8"
    out = main_jpeg[:2] + exif_app1(thumb) + main_jpeg[2:]
    open(sys.argv[3], "wb").write(out)


if __name__ == "__main__":
    main()

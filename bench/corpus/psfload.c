/*
 * psfload: load a PSF2 or PSF1 console font and its Unicode table into the
 * Linux console, as kbd's setfont does, for bench/corpus/gen.py's fbcon
 * guests (their initramfs holds only a static busybox, whose loadfont takes
 * fonts 8 pixels wide only; console-setup's Terminus fonts are up to 16,
 * and its 8-wide ones are PSF1).
 *
 * Usage (in the guest): psfload /dev/tty1 < font.psf
 * Built static by gen.py with the host's cc; not part of sshkvm.
 */
#include <fcntl.h>
#include <linux/kd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_FONT (4 << 20)
#define MAX_PAIRS 65536

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One UTF-8 character at *p (before end): its value, or -1; *p moves past it. */
static long utf8(const uint8_t **p, const uint8_t *end)
{
    unsigned c = *(*p)++, n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    long v = n ? c & (0x3F >> n) : c;
    for (unsigned i = 0; i < n; i++) {
        if (*p >= end || (**p & 0xC0) != 0x80) {
            return -1;
        }
        v = v << 6 | (*(*p)++ & 0x3F);
    }
    return v;
}

int main(int argc, char **argv)
{
    static uint8_t buf[MAX_FONT];
    size_t len = fread(buf, 1, sizeof(buf), stdin);
    int psf1 = len >= 4 && buf[0] == 0x36 && buf[1] == 0x04;
    if (argc != 2 || len < 32 || (!psf1 && le32(buf) != 0x864AB572)) {
        fprintf(stderr, "usage: psfload TTY < font.psf (PSF2 or PSF1)\n");
        return 2;
    }
    uint32_t header = le32(buf + 8), flags = le32(buf + 12), count = le32(buf + 16);
    uint32_t size = le32(buf + 20), height = le32(buf + 24), width = le32(buf + 28);
    if (psf1) {
        /* 4 bytes: magic, mode (1: 512 glyphs; 2 or 4: a Unicode table), bytes a glyph. */
        header = 4, flags = (buf[2] & 6) != 0, count = buf[2] & 1 ? 512 : 256;
        size = height = buf[3], width = 8;
    }
    uint32_t row = (width + 7) / 8;
    if (height > 32 || width > 32 || size != row * height || count > 512 ||
        header + (size_t)count * size > len) {
        fprintf(stderr, "psfload: unsupported font (%ux%u, %u glyphs)\n", width, height, count);
        return 1;
    }
    /* The kernel takes each glyph in 32 rows. */
    uint8_t *data = calloc((size_t)count * 32 * row, 1);
    for (uint32_t g = 0; g < count; g++) {
        memcpy(data + (size_t)g * 32 * row, buf + header + (size_t)g * size, size);
    }
    int fd = open(argv[1], O_RDWR);
    struct console_font_op op = {KD_FONT_OP_SET, 0, width, height, count, data};
    if (fd < 0 || ioctl(fd, KDFONTOP, &op) != 0) {
        perror("psfload: KDFONTOP");
        return 1;
    }
    if (flags & 1) {
        static struct unipair pairs[MAX_PAIRS];
        unsigned n = 0;
        const uint8_t *p = buf + header + (size_t)count * size, *end = buf + len;
        for (uint32_t g = 0; psf1 && g < count && p + 1 < end; p += 2) {
            /* Each glyph's UCS-2 values, sequences after 0xFFFE, ended by 0xFFFF. */
            unsigned u = p[0] | p[1] << 8;
            if (u == 0xFFFF) {
                g++;
            } else if (u == 0xFFFE) {
                while (p + 3 < end && (p[2] | p[3] << 8) != 0xFFFF) {
                    p += 2;
                }
            } else if (n < MAX_PAIRS) {
                pairs[n++] = (struct unipair){(unsigned short)u, (unsigned short)g};
            }
        }
        for (uint32_t g = 0; !psf1 && g < count && p < end;) {
            if (*p == 0xFF) {
                g++, p++;
            } else if (*p == 0xFE) {
                while (p < end && *p != 0xFF) {
                    p++; /* a sequence: not one character, not mapped */
                }
            } else {
                long u = utf8(&p, end);
                if (u >= 0 && u <= 0xFFFF && n < MAX_PAIRS) {
                    pairs[n++] = (struct unipair){(unsigned short)u, (unsigned short)g};
                }
            }
        }
        struct unimapinit init = {0, 0, 0};
        struct unimapdesc desc = {(unsigned short)n, pairs};
        if (ioctl(fd, PIO_UNIMAPCLR, &init) != 0 || ioctl(fd, PIO_UNIMAP, &desc) != 0) {
            perror("psfload: PIO_UNIMAP");
            return 1;
        }
    }
    return 0;
}

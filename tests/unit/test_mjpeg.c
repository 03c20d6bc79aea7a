/*
 * test_mjpeg: splitting concatenated JPEGs and validating single ones.
 *
 * The reference frame boundaries of the ffmpeg fixture are found here by a
 * naive FFD8 .. FFD9 scan, which is correct for that simple file (baseline,
 * no thumbnails), independently of the marker walker under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/log.h"
#include "capture/mjpeg.h"
#include "base/util.h"

#define MAX_FRAMES 64

struct span {
    size_t off;
    size_t len;
};

static uint8_t *read_data(const char *name, size_t *len)
{
    const char *dir = sk_test_data();
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "  cannot open %s (run from the repository root)\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = xmalloc((size_t)n + 1);
    CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static size_t naive_split(const uint8_t *buf, size_t len, struct span *out)
{
    size_t n = 0;
    size_t i = 0;
    while (i + 1 < len && n < MAX_FRAMES) {
        if (buf[i] == 0xFF && buf[i + 1] == 0xD8) {
            size_t j = i + 2;
            while (j + 1 < len && !(buf[j] == 0xFF && buf[j + 1] == 0xD9)) {
                j++;
            }
            out[n].off = i;
            out[n].len = j + 2 - i;
            n++;
            i = j + 2;
        } else {
            i++;
        }
    }
    return n;
}

/* Split a whole buffer with the parser under test; returns frames, counts junk bytes. */
static size_t parser_split(const uint8_t *buf, size_t len, int at_eof, struct span *out,
                           size_t *junk, size_t *consumed)
{
    size_t pos = 0;
    size_t n = 0;
    *junk = 0;
    for (;;) {
        size_t off = 99;
        size_t flen = 99;
        long r = sk_mjpeg_next(buf + pos, len - pos, at_eof, &off, &flen);
        if (r == SK_PARSE_PARTIAL) {
            break;
        }
        CHECK(r > 0);
        if (r <= 0) {
            break;
        }
        if (flen > 0) {
            CHECK(off + flen <= (size_t)r);
            if (n < MAX_FRAMES) {
                out[n].off = pos + off;
                out[n].len = flen;
                n++;
            }
        } else {
            *junk += (size_t)r;
        }
        pos += (size_t)r;
    }
    *consumed = pos;
    return n;
}

static void test_fixture_12_frames(void)
{
    size_t len = 0;
    uint8_t *buf = read_data("testsrc-320x240.mjpeg", &len);
    struct span ref[MAX_FRAMES];
    struct span got[MAX_FRAMES];
    size_t nref = naive_split(buf, len, ref);
    CHECK_EQ_INT(nref, 12);
    CHECK_EQ_INT(ref[0].off, 0);
    CHECK_EQ_INT(ref[11].off + ref[11].len, len);

    size_t junk = 0;
    size_t consumed = 0;
    size_t n = parser_split(buf, len, 1, got, &junk, &consumed);
    CHECK_EQ_INT(n, 12);
    CHECK_EQ_INT(junk, 0);
    CHECK_EQ_INT(consumed, len);
    for (size_t k = 0; k < n && k < nref; k++) {
        CHECK_EQ_INT(got[k].off, ref[k].off);
        CHECK_EQ_INT(got[k].len, ref[k].len);
        CHECK_EQ_INT(sk_mjpeg_validate(buf + got[k].off, got[k].len), (long)got[k].len);
    }

    /* Without at_eof the last frame is complete too: all 12, nothing left over. */
    n = parser_split(buf, len, 0, got, &junk, &consumed);
    CHECK_EQ_INT(n, 12);
    CHECK_EQ_INT(consumed, len);
    free(buf);
}

/* Build: junk, f0, zeros, junk with FF D9 and a lone FF, f1, f2. */
static void test_junk_between_frames(void)
{
    size_t len = 0;
    uint8_t *src = read_data("testsrc-320x240.mjpeg", &len);
    struct span ref[MAX_FRAMES];
    CHECK_EQ_INT(naive_split(src, len, ref), 12);

    static const uint8_t lead[] = {'h', 'e', 'l', 'l', 'o', 0xFF, 0xD9, 0xFF};
    static const uint8_t mid[] = {0x00, 0x00, 0x00, 0xFF, 0xFF, 0x12, 0xFF, 0xD9, 0xFF};
    struct sk_buf b = {0};
    sk_buf_append(&b, lead, sizeof(lead));
    size_t off0 = b.len;
    sk_buf_append(&b, src + ref[0].off, ref[0].len);
    uint8_t zeros[100] = {0};
    sk_buf_append(&b, zeros, sizeof(zeros));
    sk_buf_append(&b, mid, sizeof(mid));
    size_t off1 = b.len;
    sk_buf_append(&b, src + ref[1].off, ref[1].len);
    size_t off2 = b.len;
    sk_buf_append(&b, src + ref[2].off, ref[2].len);

    struct span got[MAX_FRAMES];
    size_t junk = 0;
    size_t consumed = 0;
    size_t n = parser_split((const uint8_t *)b.data, b.len, 1, got, &junk, &consumed);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(junk, sizeof(lead) + sizeof(zeros) + sizeof(mid));
    CHECK_EQ_INT(consumed, b.len);
    CHECK_EQ_INT(got[0].off, off0);
    CHECK_EQ_INT(got[1].off, off1);
    CHECK_EQ_INT(got[2].off, off2);
    CHECK_EQ_INT(got[0].len, ref[0].len);
    CHECK_EQ_INT(got[1].len, ref[1].len);
    CHECK_EQ_INT(got[2].len, ref[2].len);
    CHECK_MEM(b.data + got[1].off, src + ref[1].off, ref[1].len);

    /* Junk alone: all of it goes except a final FF, which may begin an SOI. */
    size_t off = 0;
    size_t flen = 0;
    CHECK_EQ_INT(sk_mjpeg_next(lead, sizeof(lead), 0, &off, &flen), (long)sizeof(lead) - 1);
    CHECK_EQ_INT(flen, 0);
    CHECK_EQ_INT(sk_mjpeg_next(lead + 7, 1, 0, &off, &flen), SK_PARSE_PARTIAL);
    CHECK_EQ_INT(sk_mjpeg_next(lead + 7, 1, 1, &off, &flen), 1);
    CHECK_EQ_INT(sk_mjpeg_next(lead, 0, 0, &off, &flen), SK_PARSE_PARTIAL);
    sk_buf_free(&b);
    free(src);
}

static void test_truncated_last_frame(void)
{
    size_t len = 0;
    uint8_t *src = read_data("testsrc-320x240.mjpeg", &len);
    struct span ref[MAX_FRAMES];
    CHECK_EQ_INT(naive_split(src, len, ref), 12);
    size_t cut = ref[1].off + ref[1].len - 10; /* frame 1 loses its last 10 bytes */

    struct span got[MAX_FRAMES];
    size_t junk = 0;
    size_t consumed = 0;
    size_t n = parser_split(src, cut, 0, got, &junk, &consumed);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(consumed, ref[0].len); /* frame 1 waits for more bytes */

    n = parser_split(src, cut, 1, got, &junk, &consumed);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(junk, ref[1].len - 10); /* at EOF it is dropped as junk */
    CHECK_EQ_INT(consumed, cut);
    CHECK_EQ_INT(sk_mjpeg_validate(src + ref[1].off, ref[1].len - 10), SK_PARSE_INVALID);

    /* A frame cut short by a new SOI is junk up to that SOI; the next frame survives. */
    struct sk_buf b = {0};
    sk_buf_append(&b, src, ref[0].len / 2);
    sk_buf_append(&b, src + ref[1].off, ref[1].len);
    n = parser_split((const uint8_t *)b.data, b.len, 0, got, &junk, &consumed);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(junk, ref[0].len / 2);
    CHECK_EQ_INT(got[0].off, ref[0].len / 2);
    CHECK_EQ_INT(got[0].len, ref[1].len);
    sk_buf_free(&b);
    free(src);
}

static void test_exif_thumbnail(void)
{
    size_t len = 0;
    uint8_t *exif = read_data("exif-thumb-64x48.jpg", &len);
    /* The fixture really has an early FFD9 (the thumbnail's) and a nested FFD8. */
    struct span naive[MAX_FRAMES];
    CHECK(naive_split(exif, len, naive) >= 1 && naive[0].len < len);

    size_t off = 0;
    size_t flen = 0;
    CHECK_EQ_INT(sk_mjpeg_next(exif, len, 0, &off, &flen), (long)len);
    CHECK_EQ_INT(off, 0);
    CHECK_EQ_INT(flen, len);
    CHECK_EQ_INT(sk_mjpeg_validate(exif, len), (long)len);

    /* Two of them back to back split into two whole frames. */
    struct sk_buf b = {0};
    sk_buf_append(&b, exif, len);
    sk_buf_append(&b, exif, len);
    struct span got[MAX_FRAMES];
    size_t junk = 0;
    size_t consumed = 0;
    CHECK_EQ_INT(parser_split((const uint8_t *)b.data, b.len, 0, got, &junk, &consumed), 2);
    CHECK_EQ_INT(got[1].off, len);
    CHECK_EQ_INT(got[1].len, len);
    CHECK_EQ_INT(junk, 0);
    sk_buf_free(&b);
    free(exif);
}

/*
 * Every prefix of a stream either asks for more or gives exactly what the
 * whole stream gives; and feeding the stream one byte at a time, the way a
 * pipe reader would, yields the same frames as parsing it at once.
 */
static void test_every_split_point(void)
{
    size_t elen = 0;
    size_t slen = 0;
    uint8_t *exif = read_data("exif-thumb-64x48.jpg", &elen);
    uint8_t *src = read_data("testsrc-320x240.mjpeg", &slen);
    struct span ref[MAX_FRAMES];
    CHECK_EQ_INT(naive_split(src, slen, ref), 12);

    static const uint8_t junk1[] = {0x00, 0xFF, 0x00, 0xFF, 0xD9, 0xFF};
    struct sk_buf b = {0};
    sk_buf_append(&b, junk1, sizeof(junk1));
    sk_buf_append(&b, exif, elen);
    sk_buf_append(&b, junk1, sizeof(junk1));
    sk_buf_append(&b, src, ref[0].len);
    const uint8_t *s = (const uint8_t *)b.data;

    struct span whole[MAX_FRAMES];
    size_t wjunk = 0;
    size_t consumed = 0;
    size_t nwhole = parser_split(s, b.len, 0, whole, &wjunk, &consumed);
    CHECK_EQ_INT(nwhole, 2);
    CHECK_EQ_INT(consumed, b.len);

    /* Prefixes of the part that starts at the exif JPEG. */
    const uint8_t *p = s + sizeof(junk1);
    size_t plen = b.len - sizeof(junk1);
    size_t off = 0;
    size_t flen = 0;
    long full = sk_mjpeg_next(p, plen, 0, &off, &flen);
    CHECK_EQ_INT(full, (long)elen);
    int bad = 0;
    for (size_t k = 0; k <= plen; k++) {
        size_t o = 0;
        size_t l = 0;
        long r = sk_mjpeg_next(p, k, 0, &o, &l);
        if (r == SK_PARSE_PARTIAL) {
            bad += k >= (size_t)full;
        } else {
            bad += r != full || o != off || l != flen;
        }
    }
    CHECK_EQ_INT(bad, 0);

    /* Byte-at-a-time feeding. */
    size_t pos = 0;
    size_t nframes = 0;
    size_t junk = 0;
    for (size_t avail = 1; avail <= b.len; avail++) {
        for (;;) {
            long r = sk_mjpeg_next(s + pos, avail - pos, 0, &off, &flen);
            if (r == SK_PARSE_PARTIAL) {
                break;
            }
            if (flen > 0) {
                CHECK(nframes < nwhole && pos + off == whole[nframes].off &&
                      flen == whole[nframes].len);
                nframes++;
            } else {
                junk += (size_t)r;
            }
            pos += (size_t)r;
        }
    }
    CHECK_EQ_INT(nframes, 2);
    CHECK_EQ_INT(junk, wjunk);
    CHECK_EQ_INT(pos, b.len);
    sk_buf_free(&b);
    free(src);
    free(exif);
}

static void test_synthetic_markers(void)
{
    /* Fill bytes, a standalone TEM, stuffing and restarts, then a second scan after a DHT. */
    static const uint8_t jpeg[] = {
        0xFF, 0xD8,                                     /* SOI */
        0xFF, 0xFF, 0xE0, 0x00, 0x04, 0xFF, 0xD9,       /* fill byte, APP0 holding FF D9 */
        0xFF, 0x01,                                     /* TEM */
        0xFF, 0xDA, 0x00, 0x03, 0x01,                   /* SOS */
        0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, /* data, stuffing, RST0 */
        0xFF, 0xC4, 0x00, 0x04, 0xAA, 0xBB,             /* DHT between scans */
        0xFF, 0xDA, 0x00, 0x02,                         /* SOS */
        0x77, 0xFF, 0xD7, 0x88, 0xFF, 0xFF, 0xD9,       /* RST7, fill, EOI */
        0x00, 0x00, 0x00,                               /* padding */
    };
    size_t off = 0;
    size_t flen = 0;
    CHECK_EQ_INT(sk_mjpeg_next(jpeg, sizeof(jpeg), 0, &off, &flen), (long)sizeof(jpeg) - 3);
    CHECK_EQ_INT(flen, sizeof(jpeg) - 3);
    CHECK_EQ_INT(sk_mjpeg_validate(jpeg, sizeof(jpeg)), (long)sizeof(jpeg) - 3);

    /* Tables and EOI but no scan: not a picture. */
    static const uint8_t tables[] = {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x03, 0x01, 0xFF, 0xD9};
    CHECK_EQ_INT(sk_mjpeg_validate(tables, sizeof(tables)), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_mjpeg_next(tables, sizeof(tables), 0, &off, &flen), (long)sizeof(tables));
    CHECK_EQ_INT(flen, 0);

    /* Garbage after SOI: skip just the SOI and look again. */
    static const uint8_t garbage[] = {0xFF, 0xD8, 0x41, 0x42, 0xFF, 0xD8, 0xFF};
    CHECK_EQ_INT(sk_mjpeg_next(garbage, sizeof(garbage), 0, &off, &flen), 2);
    CHECK_EQ_INT(flen, 0);
    CHECK_EQ_INT(sk_mjpeg_next(garbage + 2, sizeof(garbage) - 2, 0, &off, &flen), 2);
    CHECK_EQ_INT(sk_mjpeg_next(garbage + 4, sizeof(garbage) - 4, 0, &off, &flen), SK_PARSE_PARTIAL);

    /* A zero segment length is broken, not an endless loop. */
    static const uint8_t zerolen[] = {0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00, 0xFF, 0xD9};
    CHECK_EQ_INT(sk_mjpeg_validate(zerolen, sizeof(zerolen)), SK_PARSE_INVALID);
}

static void test_validate(void)
{
    size_t len = 0;
    uint8_t *src = read_data("testsrc-320x240.mjpeg", &len);
    struct span ref[MAX_FRAMES];
    CHECK_EQ_INT(naive_split(src, len, ref), 12);
    size_t flen = ref[3].len;
    uint8_t *f = xmalloc(flen + 4096);
    memcpy(f, src + ref[3].off, flen);

    CHECK_EQ_INT(sk_mjpeg_validate(f, flen), (long)flen);
    /* Dongles pad frames with zeros after EOI: the real length comes back. */
    memset(f + flen, 0, 4096);
    CHECK_EQ_INT(sk_mjpeg_validate(f, flen + 4096), (long)flen);
    CHECK_EQ_INT(sk_mjpeg_validate(f, flen - 1), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_mjpeg_validate(f, 3), SK_PARSE_INVALID);
    CHECK_EQ_INT(sk_mjpeg_validate(f + 1, flen - 1), SK_PARSE_INVALID);
    /* A second SOI inside the entropy data means two half frames. */
    f[flen - 100] = 0xFF;
    f[flen - 99] = 0xD8;
    CHECK_EQ_INT(sk_mjpeg_validate(f, flen), SK_PARSE_INVALID);
    free(f);
    free(src);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_fixture_12_frames);
    SK_RUN(test_junk_between_frames);
    SK_RUN(test_truncated_last_frame);
    SK_RUN(test_exif_thumbnail);
    SK_RUN(test_every_split_point);
    SK_RUN(test_synthetic_markers);
    SK_RUN(test_validate);
    return SK_CHECK_EXIT();
}

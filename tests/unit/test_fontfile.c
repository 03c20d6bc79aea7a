/*
 * test_fontfile: --text-font files, PSF console fonts above all.
 *
 * Synthetic PSF1 and PSF2 fonts built here (with and without a Unicode
 * table, 8/14/16 high, plain and gzip) load to exactly the CP437-indexed
 * rows their construction says; each malformed variant gives its error;
 * the Debian console fonts in /usr/share/consolefonts load to what kbd's
 * psfgettable says their table maps; and a console screen drawn in kbd's
 * reading of Lat15-Terminus16 and Uni2-Fixed16, through JPEG at quality
 * 75, is read exactly with the font loaded and much worse without it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../bench/textscreens/screens.h"
#include "check.h"
#include "text/font8x16.h"
#include "demo/vgatext.h"
#include "text/fontfile.h"
#include "text/fonts.h"
#include "text/textrec.h"
#include "base/util.h"

#define CONSOLEFONTS "/usr/share/consolefonts"

static const uint8_t *builtin(unsigned height)
{
    return height == 8 ? &sk_font8x8[0][0] : height == 14 ? &sk_font8x14[0][0] : &sk_font8x16[0][0];
}

/* Glyph g's row y in the synthetic fonts: every glyph differs from every other and from the
 * built-in ones. */
static uint8_t glyph_row(unsigned g, unsigned y)
{
    return y == 0 ? (uint8_t)g : y == 1 ? (uint8_t)(0xA0 | g >> 8) : (uint8_t)(g * 7 + y * 29 + 3);
}

/* A growing byte buffer. */
struct bytes {
    uint8_t *p;
    size_t len;
};

static void put(struct bytes *b, const void *data, size_t n)
{
    b->p = realloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put8(struct bytes *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    put(b, &c, 1);
}

static void put16(struct bytes *b, unsigned v)
{
    put8(b, v & 0xFF);
    put8(b, v >> 8);
}

static void put32(struct bytes *b, uint32_t v)
{
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}

static void put_utf8(struct bytes *b, unsigned u)
{
    if (u < 0x80) {
        put8(b, u);
    } else if (u < 0x800) {
        put8(b, 0xC0 | u >> 6);
        put8(b, 0x80 | (u & 0x3F));
    } else {
        put8(b, 0xE0 | u >> 12);
        put8(b, 0x80 | (u >> 6 & 0x3F));
        put8(b, 0x80 | (u & 0x3F));
    }
}

static void put_glyphs(struct bytes *b, unsigned count, unsigned height)
{
    for (unsigned g = 0; g < count; g++) {
        for (unsigned y = 0; y < height; y++) {
            put8(b, glyph_row(g, y));
        }
    }
}

/*
 * The synthetic Unicode table: which CP437 code point's character glyph g
 * draws (-1: none of CP437's). Glyphs are in their own order (reversed,
 * with an offset); code points 0xB0..0xBF have no glyph; glyphs from 256
 * draw CJK characters. Glyph 5 also draws what glyph 4 does (the first
 * wins), and every glyph has a sequence naming 'A' (ignored).
 */
static int glyph_draws(unsigned g)
{
    if (g >= 256) {
        return -1;
    }
    unsigned c = (255 - g + 40) & 0xFF;
    if (c >= 0xB0 && c <= 0xBF) {
        return -1;
    }
    return (int)c;
}

/* The rows a synthetic font with the table above must load to. */
static void expected_mapped(unsigned height, uint8_t *rows, unsigned *mapped)
{
    *mapped = 0;
    for (unsigned c = 0; c < 256; c++) {
        int found = -1;
        for (unsigned g = 0; g < 512 && found < 0; g++) {
            int d = glyph_draws(g);
            if (d >= 0 && sk_cp437_unicode[d] == sk_cp437_unicode[c]) {
                found = (int)g;
            }
        }
        for (unsigned y = 0; y < height; y++) {
            rows[c * height + y] =
                found >= 0 ? glyph_row((unsigned)found, y) : builtin(height)[c * height + y];
        }
        *mapped += found >= 0;
    }
}

/* Each glyph's table entry, in PSF1's 16-bit or PSF2's UTF-8 form. */
static void put_table(struct bytes *b, unsigned count, int psf2)
{
    for (unsigned g = 0; g < count; g++) {
        int d = glyph_draws(g);
        unsigned u = d >= 0 ? sk_cp437_unicode[d] : 0x4E00 + g;
        unsigned us[2] = {u, g == 5 ? sk_cp437_unicode[glyph_draws(4)] : 0};
        for (int i = 0; i < (us[1] ? 2 : 1); i++) {
            if (psf2) {
                put_utf8(b, us[i]);
            } else {
                put16(b, us[i]);
            }
        }
        /* A sequence: 'A' + COMBINING ACUTE. */
        if (psf2) {
            put8(b, 0xFE);
            put_utf8(b, 'A');
            put_utf8(b, 0x301);
            put8(b, 0xFF);
        } else {
            put16(b, 0xFFFE);
            put16(b, 'A');
            put16(b, 0x301);
            put16(b, 0xFFFF);
        }
    }
}

static struct bytes psf1(unsigned mode, unsigned height)
{
    struct bytes b = {0};
    unsigned count = mode & 1 ? 512 : 256;
    put8(&b, 0x36);
    put8(&b, 0x04);
    put8(&b, mode);
    put8(&b, height);
    put_glyphs(&b, count, height);
    if (mode & 2) {
        put_table(&b, count, 0);
    }
    return b;
}

static struct bytes psf2(unsigned flags, uint32_t count, uint32_t width, uint32_t height,
                         uint32_t headersize)
{
    struct bytes b = {0};
    put32(&b, 0x864AB572);
    put32(&b, 0);
    put32(&b, headersize);
    put32(&b, flags);
    put32(&b, count);
    put32(&b, height * ((width + 7) / 8));
    put32(&b, height);
    put32(&b, width);
    while (b.len < headersize) {
        put8(&b, 0xEE);
    }
    if (count <= 512) {
        put_glyphs(&b, count, height * ((width + 7) / 8));
        if (flags & 1) {
            put_table(&b, count, 1);
        }
    }
    return b;
}

static struct bytes gzip_of(const struct bytes *in)
{
    z_stream zs = {0};
    CHECK_EQ_INT(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    struct bytes out = {malloc(deflateBound(&zs, in->len) + 64), 0};
    zs.next_in = in->p;
    zs.avail_in = (uInt)in->len;
    zs.next_out = out.p;
    zs.avail_out = (uInt)deflateBound(&zs, in->len) + 64;
    CHECK_EQ_INT(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static struct sk_text_font fonts[3];
static char err[512];

static int parse(const struct bytes *b)
{
    err[0] = '\0';
    return sk_text_font_parse(b->p, b->len, fonts, err, sizeof(err));
}

/* Loads to the rows of glyph_draws's table (or CP437 order without one). */
static void check_loads(const struct bytes *b, int table, unsigned height, const char *format)
{
    static uint8_t want[256 * 16];
    unsigned mapped = 256;
    if (table) {
        expected_mapped(height, want, &mapped);
    } else {
        for (unsigned i = 0; i < 256 * height; i++) {
            want[i] = glyph_row(i / height, i % height);
        }
    }
    CHECK_EQ_INT(parse(b), 1);
    if (err[0]) {
        fprintf(stderr, "  %s\n", err);
    }
    CHECK_EQ_INT(fonts[0].height, height);
    CHECK_EQ_INT(fonts[0].mapped, mapped);
    CHECK_STR(fonts[0].format, format);
    CHECK_MEM(fonts[0].rows, want, 256 * height);
}

static void test_psf1_loads(void)
{
    static const unsigned heights[] = {8, 14, 16};
    for (int i = 0; i < 3; i++) {
        unsigned h = heights[i];
        struct bytes b = psf1(0, h); /* 256 glyphs, no table: CP437 order */
        check_loads(&b, 0, h, "PSF1");
        free(b.p);
        b = psf1(2, h); /* 256, table */
        check_loads(&b, 1, h, "PSF1");
        free(b.p);
        b = psf1(3, h); /* 512, table */
        check_loads(&b, 1, h, "PSF1");
        struct bytes z = gzip_of(&b);
        check_loads(&z, 1, h, "PSF1 (gzip)");
        free(z.p);
        free(b.p);
    }
    /* The table's construction leaves 16 code points to the built-in font
     * and maps the other 240 (code 0 is drawn by the space's glyph). */
    struct bytes b = psf1(2, 16);
    CHECK_EQ_INT(parse(&b), 1);
    CHECK_EQ_INT(fonts[0].mapped, 240);
    CHECK_MEM(&fonts[0].rows[0xB3 * 16], sk_font8x16[0xB3], 16);
    CHECK(fonts[0].rows[0x41 * 16] == glyph_row((255 + 40 - 0x41) & 0xFF, 0));
    free(b.p);
}

static void test_psf2_loads(void)
{
    static const unsigned heights[] = {8, 14, 16};
    for (int i = 0; i < 3; i++) {
        unsigned h = heights[i];
        struct bytes b = psf2(0, 256, 8, h, 32);
        check_loads(&b, 0, h, "PSF2");
        free(b.p);
        b = psf2(1, 256, 8, h, 32);
        check_loads(&b, 1, h, "PSF2");
        free(b.p);
        b = psf2(1, 512, 8, h, 48); /* a longer header: glyphs start at its size */
        check_loads(&b, 1, h, "PSF2");
        struct bytes z = gzip_of(&b);
        check_loads(&z, 1, h, "PSF2 (gzip)");
        free(z.p);
        free(b.p);
    }
}

/* Each malformed font gives its error. */
static void expect_error(struct bytes b, const char *want)
{
    CHECK_EQ_INT(parse(&b), -1);
    if (strstr(err, want) == NULL) {
        fprintf(stderr, "  want \"%s\", got \"%s\"\n", want, err);
        CHECK(strstr(err, want) != NULL);
    }
    free(b.p);
}

static struct bytes truncated(struct bytes b, size_t len)
{
    b.len = len;
    return b;
}

static struct bytes poke32(struct bytes b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        b.p[at + i] = (uint8_t)(v >> (8 * i));
    }
    return b;
}

static void test_malformed(void)
{
    struct bytes b = psf1(2, 16);
    b.p[1] = 0x05; /* bad magic: then it is nothing known */
    expect_error(b,
                 "neither a raw 8x16 font (4096 bytes), a PSF or GRUB PF2 font nor a VGA BIOS ROM");
    b = psf2(1, 256, 8, 16, 32);
    b.p[3] = 0x87;
    expect_error(b, "neither a raw 8x16 font");
    expect_error(truncated(psf1(2, 16), 3), "PSF1 header truncated (3 of 4 bytes)");
    expect_error(truncated(psf2(1, 256, 8, 16, 32), 31), "PSF2 header truncated (31 of 32 bytes)");
    expect_error(truncated(psf1(0, 16), 4 + 4095),
                 "256 glyphs of 16 bytes need 4100 bytes; the font has 4099");
    expect_error(truncated(psf1(3, 8), 4 + 511 * 8),
                 "512 glyphs of 8 bytes need 4100 bytes; the font has 4092");
    expect_error(truncated(psf2(0, 256, 8, 14, 32), 32 + 256 * 14 - 1),
                 "256 glyphs of 14 bytes need 3616 bytes; the font has 3615");
    /* The Unicode table running off the end: mid-glyph, and mid-character. */
    expect_error(truncated(psf1(2, 16), 4 + 4096 + 1), "the Unicode table ends at glyph 0 of 256");
    b = psf1(3, 16);
    expect_error(truncated(b, b.len - 2), "the Unicode table ends at glyph 511 of 512");
    b = psf2(1, 256, 8, 16, 32);
    expect_error(truncated(b, b.len - 1), "the Unicode table ends at glyph 255 of 256");
    b = psf2(1, 256, 8, 16, 32);
    b.p[32 + 4096] = 0xE2; /* glyph 0's character: a 3-byte lead, then 0xFE */
    b.p[32 + 4096 + 1] = 0xFE;
    expect_error(b, "bad UTF-8 in the Unicode table at glyph 0 (byte 0)");
    /* Glyphs 0..254 draw nothing; glyph 255 a lead byte with no room for the rest. */
    b = poke32(psf2(0, 256, 8, 16, 32), 12, 1);
    for (int g = 0; g < 255; g++) {
        put8(&b, 0xFF);
    }
    put8(&b, 0xE2);
    expect_error(b, "bad UTF-8 in the Unicode table at glyph 255 (byte 255)");
    /* Sizes the recogniser does not read. */
    expect_error(psf2(1, 256, 9, 16, 32),
                 "PSF2 glyphs are 9x16; text screens are read in 8x8, 8x14 or 8x16");
    expect_error(psf2(1, 256, 12, 24, 32), "PSF2 glyphs are 12x24");
    expect_error(psf2(1, 256, 12, 16, 32), "PSF2 glyphs are 12x16");
    expect_error(psf2(1, 256, 8, 32, 32), "PSF2 glyphs are 8x32");
    expect_error(psf1(2, 32), "PSF1 glyphs are 8x32");
    expect_error(psf1(2, 15), "PSF1 glyphs are 8x15");
    /* Header fields that overflow or exceed the file. */
    expect_error(psf2(1, 0xFFFFFFFFu, 8, 16, 32),
                 "4294967295 glyphs of 16 bytes need 68719476752 bytes; the font has 32");
    expect_error(poke32(psf2(1, 256, 8, 16, 32), 16, 0x10000001u), "268435457 glyphs of 16 bytes");
    expect_error(poke32(psf2(0, 256, 8, 16, 32), 16, 0), "0 glyphs of 16 bytes");
    expect_error(poke32(psf2(1, 256, 8, 16, 32), 8, 0xFFFFFFF0u),
                 "PSF2 header size 4294967280 is not from 32 to the font's");
    expect_error(poke32(psf2(1, 256, 8, 16, 32), 8, 16), "PSF2 header size 16");
    expect_error(poke32(psf2(1, 256, 8, 16, 32), 28, 0xFFFFFFFFu), "PSF2 glyphs are 4294967295x16");
    expect_error(poke32(psf2(1, 256, 8, 16, 32), 20, 0xFFFFFFF0u),
                 "PSF2 glyphs of 8x16 take 16 bytes, not 4294967280");
    expect_error(poke32(psf2(1, 256, 8, 16, 32), 4, 1), "PSF2 version 1");
    expect_error(psf2(0, 512, 8, 16, 32), "512 glyphs and no Unicode table");
    expect_error(psf1(1, 16), "512 glyphs and no Unicode table");
    /* A table drawing nothing of CP437: glyph 0 draws U+4E00, the rest nothing. */
    b = (struct bytes){0};
    put(&b, "\x36\x04\x02\x08", 4);
    put_glyphs(&b, 256, 8);
    put16(&b, 0x4E00);
    for (int g = 0; g < 256; g++) {
        put16(&b, 0xFFFF);
    }
    expect_error(b, "its Unicode table draws none of the CP437 characters");
    /* gzip: cut short, corrupt, a bomb, and what is not a font. */
    b = psf1(2, 16);
    struct bytes z = gzip_of(&b);
    free(b.p);
    z.len /= 2;
    expect_error(z, "gzip: data truncated");
    b = psf1(2, 16);
    z = gzip_of(&b);
    free(b.p);
    z.p[3] = 0xE0; /* reserved flag bits */
    expect_error(z, "gzip: ");
    b = (struct bytes){calloc(SK_TEXT_FONT_INFLATE_MAX + 2, 1), SK_TEXT_FONT_INFLATE_MAX + 2};
    b.p[0] = 0x36;
    b.p[1] = 0x04;
    z = gzip_of(&b);
    free(b.p);
    CHECK(z.len < 4096);
    expect_error(z, "gzip: inflates to more than 1048576 bytes");
    b = (struct bytes){0};
    put(&b, "hello, world\n", 13);
    z = gzip_of(&b);
    free(b.p);
    expect_error(z, "gzip data that is neither a PSF or PF2 font nor a raw 8x16 font");
    /* A raw 8x16 font gzipped is taken. */
    b = (struct bytes){0};
    put(&b, sk_font8x16, sizeof(sk_font8x16));
    z = gzip_of(&b);
    free(b.p);
    CHECK_EQ_INT(parse(&z), 1);
    CHECK_STR(fonts[0].format, "raw 8x16 (gzip)");
    CHECK_MEM(fonts[0].rows, sk_font8x16, sizeof(sk_font8x16));
    free(z.p);
    /* Every prefix of a good font is refused or read, and never read past (ASan). */
    b = psf2(1, 256, 8, 8, 32);
    for (size_t n = 0; n < b.len; n += 7) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, b.p, n);
        CHECK_EQ_INT(sk_text_font_parse(copy, n, fonts, err, sizeof(err)), -1);
        free(copy);
    }
    free(b.p);
}

/*
 * Console fonts 6 to 16 wide (Terminus12x6 is 6, VGA32x16 16) are read, a
 * byte a row up to 8 wide and two wider, a row's bits past the font's width
 * (a PSF2 row's padding) dropped; 5 and 17 wide are refused, as is a
 * 6-wide font for --text-font, whose cells are 8 wide.
 */
static void test_console_widths(void)
{
    static const unsigned widths[] = {6, 7, 8, 9, 12, 16};
    static struct sk_text_font font;
    uint8_t drawn[256];
    for (size_t i = 0; i < SK_ARRAY_LEN(widths); i++) {
        unsigned w = widths[i], rb = (w + 7) / 8;
        struct bytes b = psf2(0, 256, w, 12, 32);
        err[0] = '\0';
        CHECK_EQ_INT(sk_text_console_font_parse(b.p, b.len, &font, drawn, err, sizeof(err)), 0);
        CHECK_EQ_INT(font.width, w);
        CHECK_EQ_INT(font.height, 12);
        CHECK_EQ_INT(font.mapped, 256);
        CHECK_EQ_INT(SK_TEXT_FONT_ROW_BYTES(w), rb);
        unsigned padding = 0, differ = 0;
        for (unsigned g = 0; g < 256; g++) {
            for (unsigned y = 0; y < 12 * rb; y++) {
                /* The file's byte y of the glyph; its bits past the width are padding. */
                unsigned in = w - (y % rb) * 8 < 8 ? w - (y % rb) * 8 : 8;
                uint8_t row = font.rows[g * 12 * rb + y], want = glyph_row(g, y);
                padding += (row & (0xFFu >> in)) != 0;
                differ += row != (uint8_t)(want & (0xFF00u >> in));
            }
        }
        CHECK_EQ_INT(padding, 0);
        CHECK_EQ_INT(differ, 0);
        if (w != 8) {
            /* Not as a --text-font: its cells are 8 wide. */
            CHECK_EQ_INT(parse(&b), -1);
            CHECK(strstr(err, "text screens are read in 8x8, 8x14 or 8x16") != NULL);
        }
        free(b.p);
    }
    static const unsigned refused[] = {5, 17};
    for (size_t i = 0; i < SK_ARRAY_LEN(refused); i++) {
        struct bytes b = psf2(0, 256, refused[i], 12, 32);
        err[0] = '\0';
        CHECK_EQ_INT(sk_text_console_font_parse(b.p, b.len, &font, drawn, err, sizeof(err)), -1);
        char want[96];
        snprintf(want, sizeof(want), "PSF2 glyphs are %ux12; console fonts are read 6 to 16 wide",
                 refused[i]);
        CHECK(strstr(err, want) != NULL);
        if (strstr(err, want) == NULL) {
            fprintf(stderr, "  %s\n", err);
        }
        free(b.p);
    }
}

/* Loading by path: the file is named in errors. */
static void test_load_file(void)
{
    char path[] = "/tmp/sk-fontfile-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    struct bytes b = psf2(1, 256, 8, 16, 32);
    struct bytes z = gzip_of(&b);
    CHECK_EQ_INT(write(fd, z.p, z.len), (long long)z.len);
    close(fd);
    CHECK_EQ_INT(sk_text_font_load(path, fonts, err, sizeof(err)), 1);
    CHECK_STR(fonts[0].format, "PSF2 (gzip)");
    FILE *f = fopen(path, "wb");
    fwrite(b.p, 1, 40, f);
    fclose(f);
    CHECK_EQ_INT(sk_text_font_load(path, fonts, err, sizeof(err)), -1);
    char want[256];
    snprintf(want, sizeof(want), "%s: 256 glyphs of 16 bytes need 4128 bytes; the font has 40",
             path);
    CHECK_STR(err, want);
    /* Files are read up to 4 MiB: a byte more is refused, naming the file. */
    CHECK_EQ_INT(truncate(path, SK_TEXT_FONT_FILE_MAX + 1), 0);
    CHECK_EQ_INT(sk_text_font_load(path, fonts, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s is larger than 4194304 bytes", path);
    CHECK_STR(err, want);
    unlink(path);
    free(b.p);
    free(z.p);
}

/* Decompress an installed font with gzip(1) into b: the test's own reading of it. */
static int read_gz(const char *path, struct bytes *b)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
    FILE *f = popen(cmd, "r");
    if (!f) {
        return -1;
    }
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        put(b, chunk, n);
    }
    return pclose(f) == 0 ? 0 : -1;
}

/*
 * The glyph kbd's psfgettable says draws Unicode value u in the PSF1 font
 * at psf (plain), or -1. The first glyph whose line names u.
 */
static int kbd_glyph_of(const char *table, unsigned u)
{
    char want[16];
    snprintf(want, sizeof(want), "U+%04x", u);
    size_t wlen = strlen(want);
    const char *line = table;
    while (*line) {
        size_t len = strcspn(line, "\n");
        unsigned g;
        if (line[0] != '#' && sscanf(line, "0x%x", &g) == 1) {
            /* The line's values, each after a tab or a space. */
            for (size_t i = 0; i + wlen <= len; i++) {
                if (strncmp(line + i, want, wlen) == 0 &&
                    (i + wlen == len || line[i + wlen] == ' ')) {
                    return (int)g;
                }
            }
        }
        line += len + (line[len] == '\n');
    }
    return -1;
}

static int have_consolefonts(const char *why)
{
    if (access(CONSOLEFONTS "/Lat15-Terminus16.psf.gz", R_OK) != 0) {
        printf("SKIP %s: no %s (apt-get install console-setup-linux)\n", why, CONSOLEFONTS);
        return 0;
    }
    return 1;
}

static int have_kbd(const char *why)
{
    if (access("/usr/bin/psfgettable", X_OK) != 0) {
        printf("SKIP %s: no psfgettable (apt-get install kbd)\n", why);
        return 0;
    }
    return 1;
}

/*
 * The CP437 rows of the PSF1 font at path as kbd reads it: the font
 * decompressed by gzip(1), its table listed by psfgettable, each code
 * point's glyph the first whose line names its Unicode value, the built-in
 * glyph where none does. Returns how many code points the font draws, or
 * -1.
 */
static int kbd_rows(const char *path, unsigned h, uint8_t *rows)
{
    char plain[] = "/tmp/sk-psf-XXXXXX", table[] = "/tmp/sk-psftab-XXXXXX";
    struct bytes b = {0};
    int mapped = -1;
    int fd = mkstemp(plain);
    int fd2 = mkstemp(table);
    if (fd >= 0 && fd2 >= 0 && read_gz(path, &b) == 0 && b.len > 4 &&
        write(fd, b.p, b.len) == (ssize_t)b.len) {
        char cmd[256], *text = NULL;
        snprintf(cmd, sizeof(cmd), "psfgettable %s %s", plain, table);
        if (system(cmd) == 0 && sk_read_file(table, 1 << 20, &text, NULL, err, sizeof(err)) == 0) {
            mapped = 0;
            for (unsigned c = 0; c < 256; c++) {
                int g = kbd_glyph_of(text, sk_cp437_unicode[c]);
                const uint8_t *src = g >= 0 ? b.p + 4 + (size_t)g * h : builtin(h) + c * h;
                memcpy(rows + c * h, src, h);
                mapped += g >= 0;
            }
            free(text);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    if (fd2 >= 0) {
        close(fd2);
    }
    unlink(plain);
    unlink(table);
    free(b.p);
    return mapped;
}

/* Debian's console fonts load to the glyphs kbd's own table reader names. */
static void test_debian_fonts(void)
{
    if (!have_consolefonts("test_debian_fonts")) {
        return;
    }
    static const struct {
        const char *name;
        unsigned height;
    } cases[] = {
        {"Lat15-Terminus16", 16}, {"Uni2-Fixed16", 16}, {"Uni2-VGA16", 16},
        {"Lat2-Terminus16", 16},  {"Lat15-VGA14", 14},  {"Uni3-Terminus14", 14},
        {"Uni2-VGA8", 8},         {"Lat15-VGA8", 8},
    };
    int kbd = have_kbd("test_debian_fonts glyph check");
    for (size_t i = 0; i < SK_ARRAY_LEN(cases); i++) {
        char path[256];
        unsigned h = cases[i].height;
        snprintf(path, sizeof(path), CONSOLEFONTS "/%s.psf.gz", cases[i].name);
        CHECK_EQ_INT(sk_text_font_load(path, fonts, err, sizeof(err)), 1);
        CHECK_EQ_INT(fonts[0].height, h);
        CHECK_STR(fonts[0].format, "PSF1 (gzip)");
        CHECK(fonts[0].mapped >= 180);
        static uint8_t want[256 * 16];
        if (!kbd) {
            continue;
        }
        CHECK_EQ_INT(kbd_rows(path, h, want), (long long)fonts[0].mapped);
        for (unsigned c = 0; c < 256; c++) {
            if (memcmp(fonts[0].rows + c * h, want + c * h, h) != 0) {
                fprintf(stderr, "  %s: code %02x (U+%04X) differs\n", cases[i].name, c,
                        sk_cp437_unicode[c]);
                CHECK(0);
            }
        }
    }
}

/* A text screen: 80x25 in 9x16 cells (VGA text mode) or 80x30 in 8x16 (GRUB's gfxterm). */
#define GRID_COLS 80
#define GRID_ROWS 30

struct grid {
    int rows, cell_w; /* 25 or 30; 9 or 8 */
    uint8_t ch[GRID_ROWS][GRID_COLS], fg[GRID_ROWS][GRID_COLS], bg[GRID_ROWS][GRID_COLS];
};

/*
 * The cell_w x 16 pixels drawn for (ch, fg, bg) in the font rows: VGA text
 * mode's ninth column repeats the eighth for CP437 0xC0..0xDF.
 */
static void draw_cell(const uint8_t *rows, int cell_w, uint8_t ch, uint8_t fg, uint8_t bg,
                      uint8_t out[16][9])
{
    for (int y = 0; y < 16; y++) {
        unsigned row = rows[ch * 16 + y];
        unsigned bits = row << 1 | ((ch >= 0xC0 && ch <= 0xDF) ? (row & 1) : 0);
        for (int x = 0; x < cell_w; x++) {
            out[y][x] = (bits & (0x100u >> x)) ? fg : bg;
        }
    }
}

/* A Debian console after login, as vgacon draws it with a console-setup font. */
static const char *const console_lines[] = {
    "Debian GNU/Linux 12 kvm-target tty1",
    "",
    "kvm-target login: root",
    "Password:",
    "Linux kvm-target 6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 x86_64",
    "Last login: Mon Nov 23 16:02:11 UTC 2026 on tty1",
    "root@kvm-target:~# ls -l /srv",
    "total 24",
    "drwxr-xr-x  2 root root 4096 Nov 20 09:14 backups",
    "-rwxr-xr-x  1 root root  812 Nov 21 17:40 deploy.sh",
    ("-rw-r--r--  1 root root 3310 Nov 22 08:03 r\x82sum\x82-\x84"
     "ber-\xa4o.txt"),
    "root@kvm-target:~# systemctl status nginx | head -4",
    "\x07 nginx.service - A high performance web server and a reverse proxy server",
    "     Loaded: loaded (/lib/systemd/system/nginx.service; enabled; preset: enabled)",
    "     Active: failed (Result: exit-code) since Mon 2026-11-23 16:03:40 UTC",
    "    Process: 812 ExecStart=/usr/sbin/nginx -g daemon on; (code=exited, status=1)",
    "root@kvm-target:~# dmesg | tail -3",
    "[    3.141592] EXT4-fs (sda1): mounted filesystem with ordered data mode.",
    "[   12.000271] e1000e 0000:00:19.0 eno1: NIC Link is Up 1000 Mbps Full Duplex",
    "[  905.662810] usb 1-1.2: new high-speed USB device number 5 using xhci_hcd",
    "root@kvm-target:~# echo {0..9} $((6*7)) ~/a_b|c&&d<e>f`g'\"h;@%^=+",
    "0 1 2 3 4 5 6 7 8 9 42 /root/a_b",
    "\xda\xc4\xc4\xc4\xc4\xc4\xc4\xc4\xc4\xbf  \xc9\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xbb",
    "\xc0\xc4\xc4\xc4\xc4\xc4\xc4\xc4\xc4\xd9  \xc8\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xcd\xbc",
    "root@kvm-target:~# QWERTYUIOPASDFGHJKLZXCVBNM qwertyuiopasdfghjklzxcvbnm",
};

static void console_screen(struct grid *s)
{
    memset(s, 0, sizeof(*s));
    s->rows = SK_TEXT_ROWS;
    s->cell_w = 9;
    for (int r = 0; r < SK_TEXT_ROWS; r++) {
        const char *line = console_lines[r];
        /* Colours as ls and systemctl give them. */
        uint8_t fg = r == 8    ? SK_VGA_LIGHTBLUE
                     : r == 9  ? SK_VGA_LIGHTGREEN
                     : r == 14 ? SK_VGA_LIGHTRED
                     : r == 12 ? SK_VGA_WHITE
                               : SK_VGA_LIGHTGREY;
        for (int c = 0; c < SK_TEXT_COLS; c++) {
            uint8_t ch = c < (int)strlen(line) ? (uint8_t)line[c] : ' ';
            s->ch[r][c] = ch;
            s->fg[r][c] = fg;
            s->bg[r][c] = SK_VGA_BLACK;
        }
    }
}

/* Draw s in the font rows: 720x400 or 640x480. */
static void render(const struct grid *s, const uint8_t *rows, struct sk_image *img)
{
    sk_image_resize(img, GRID_COLS * (unsigned)s->cell_w, (unsigned)s->rows * 16);
    for (int r = 0; r < s->rows; r++) {
        for (int c = 0; c < GRID_COLS; c++) {
            uint8_t px[16][9];
            draw_cell(rows, s->cell_w, s->ch[r][c], s->fg[r][c], s->bg[r][c], px);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < s->cell_w; x++) {
                    memcpy(img->pixels + (size_t)(r * 16 + y) * img->pitch +
                               (size_t)(c * s->cell_w + x) * 3,
                           sk_vga_palette[px[y][x]], 3);
                }
            }
        }
    }
}

/*
 * Cells of s the recogniser read as drawing the same pixels in the font
 * rows: with their colours (colours set; so in Unifont ▓ light on dark may
 * be read as ░ dark on light), or as shapes alone.
 */
static unsigned right_in_font(const struct sk_textrec_result *r, const struct grid *s,
                              const uint8_t *rows, int colours)
{
    if (r->cols != GRID_COLS || r->rows != (unsigned)s->rows) {
        return 0;
    }
    unsigned right = 0;
    for (int y = 0; y < s->rows; y++) {
        for (int x = 0; x < GRID_COLS; x++) {
            const struct sk_textrec_cell *c = &r->cells[y * GRID_COLS + x];
            uint8_t a[16][9] = {{0}}, b[16][9] = {{0}};
            draw_cell(rows, s->cell_w, c->ch, colours ? c->fg : 1, colours ? c->bg : 0, a);
            draw_cell(rows, s->cell_w, s->ch[y][x], colours ? s->fg[y][x] : 1,
                      colours ? s->bg[y][x] : 0, b);
            int ok = memcmp(a, b, sizeof(a)) == 0;
            right += ok;
            if (!ok && getenv("SK_TEST_VERBOSE")) {
                fprintf(stderr, "    row %2d col %2d: want %02x %x/%x got %02x %x/%x conf %u\n", y,
                        x, s->ch[y][x], s->fg[y][x], s->bg[y][x], c->ch, c->fg, c->bg, c->conf);
            }
        }
    }
    return right;
}

/* How a screen was read without a font and with it (its rows added to the recogniser). */
struct both_reads {
    unsigned without_chars, without_cells, with_chars, with_cells;
    const char *without_mode, *with_mode; /* "none" when nothing fits */
    int with_text;
};

/* Read jpg, the picture of s drawn in drawn, without and with the 8x16 font. */
static struct both_reads read_both(const struct sk_image *jpg, const struct grid *s,
                                   const uint8_t *drawn, const uint8_t *font)
{
    struct both_reads b = {0};
    struct sk_textrec *plain = sk_textrec_new(), *with = sk_textrec_new();
    CHECK_EQ_INT(sk_textrec_add_font(with, font, 16), 0);
    struct sk_textrec_result r;
    CHECK_EQ_INT(sk_textrec_run(plain, jpg, &r), 0);
    b.without_mode = r.mode ? r.mode : "none";
    b.without_chars = right_in_font(&r, s, drawn, 0);
    b.without_cells = right_in_font(&r, s, drawn, 1);
    CHECK_EQ_INT(sk_textrec_run(with, jpg, &r), 0);
    b.with_mode = r.mode ? r.mode : "none";
    b.with_text = r.is_text;
    b.with_chars = right_in_font(&r, s, drawn, 0);
    b.with_cells = right_in_font(&r, s, drawn, 1);
    sk_textrec_free(plain);
    sk_textrec_free(with);
    return b;
}

/*
 * A console screen in a Debian font through JPEG q75, at 720x400 and
 * stretched to 1920x1080: read with the font loaded and without.
 */
static void test_console_font_screen(void)
{
    if (!have_consolefonts("test_console_font_screen")) {
        return;
    }
    if (!have_kbd("test_console_font_screen")) {
        return;
    }
    static const char *const names[] = {"Lat15-Terminus16", "Uni2-Fixed16"};
    /*
     * What the font must add, in characters and in cells with their colours:
     * Uni2-Fixed16's glyphs are close to GNU Unifont's, which are built in
     * for GRUB (src/text/fontgrub.c): without the font its screen is read
     * as a grid of them (1757 of 2000 characters at 720x400, 2000 at
     * 1080p), so there the font must only not make it worse.
     */
    static const unsigned gain[] = {500, 0};
    static struct grid s;
    console_screen(&s);
    for (size_t i = 0; i < SK_ARRAY_LEN(names); i++) {
        char path[256];
        snprintf(path, sizeof(path), CONSOLEFONTS "/%s.psf.gz", names[i]);
        CHECK_EQ_INT(sk_text_font_load(path, fonts, err, sizeof(err)), 1);
        /* Drawn in kbd's reading of the font, read in sshkvm's. */
        static uint8_t drawn[256 * 16];
        CHECK(kbd_rows(path, 16, drawn) > 0);
        struct sk_image img = {0}, big = {0}, jpg = {0};
        render(&s, drawn, &img);
        for (int scaled = 0; scaled < 2; scaled++) {
            if (scaled) {
                ts_scale(&img, 1920, 1080, &big);
            }
            CHECK_EQ_INT(ts_jpeg(scaled ? &big : &img, 75, &jpg), 0);
            struct both_reads b = read_both(&jpg, &s, drawn, fonts[0].rows);
            printf("  %s %s q75: characters right of 2000: %u with the font, %u without; "
                   "with colours: %u, %u\n",
                   names[i], scaled ? "1920x1080" : "720x400", b.with_chars, b.without_chars,
                   b.with_cells, b.without_cells);
            CHECK(b.with_text);
            CHECK_STR(b.with_mode, "80x25 9x16");
            CHECK(b.with_chars >= 1998);
            CHECK(b.with_chars >= b.without_chars + gain[i]);
            CHECK(b.with_cells >= 1950);
            CHECK(b.with_cells >= b.without_cells + gain[i]);
        }
        sk_image_free(&img);
        sk_image_free(&big);
        sk_image_free(&jpg);
    }
}

/* ---- GRUB PF2 fonts ---- */

#define GRUB_FONTS "/usr/share/grub"

static void put_be16(struct bytes *b, unsigned v)
{
    put8(b, v >> 8 & 0xFF);
    put8(b, v & 0xFF);
}

static void put_be32(struct bytes *b, uint32_t v)
{
    put_be16(b, v >> 16);
    put_be16(b, v & 0xFFFF);
}

/* A glyph of a synthetic PF2 font: its pixels as width x height '#' and '.', row after row. */
struct pf2_spec {
    uint32_t code;
    unsigned w, h;
    int x, y, dw;
    const char *pix;
};

/* Synthetic glyphs (in code point order): odd widths, offsets either way, one wide, one
 * partly outside the cell. */
static const struct pf2_spec pf2_glyphs[] = {
    {0x20, 0, 0, 8, -2, 8, ""},
    {0x41, 5, 7, 1, 0, 8, ".###.#...##...#######...##...##...#"},
    {0x67, 3, 3, 4, -2, 8, "#.#.#.###"},
    {0xE9, 4, 2, 6, 13, 8, "########"},
    {0x2500, 16, 1, 0, 6, 16, "################"},
    {0x2588, 8, 16, 0, -2, 8,
     "################################################################"
     "################################################################"},
    {0x263A, 7, 5, 0, 4, 8, "########.....##.#.#.##.....########"},
};

/* Where each synthetic glyph's record starts (filled by pf2_font). */
static size_t pf2_glyph_at[SK_ARRAY_LEN(pf2_glyphs)];

static void put_section(struct bytes *b, const char *name, uint32_t len)
{
    put(b, name, 4);
    put_be32(b, len);
}

/* A PF2 font of the n glyphs g with MAXW 16 and the given MAXH, ASCE and DESC. */
static struct bytes pf2_font(const struct pf2_spec *g, size_t n, int maxh, int asce, int desc)
{
    struct bytes b = {0};
    put_section(&b, "FILE", 4);
    put(&b, "PFF2", 4);
    put_section(&b, "NAME", 8);
    put(&b, "Test 16", 8);
    const char *shorts[] = {"PTSZ", "MAXW", "MAXH", "ASCE", "DESC"};
    int values[] = {16, 16, maxh, asce, desc};
    for (int i = 0; i < 5; i++) {
        put_section(&b, shorts[i], 2);
        put_be16(&b, (unsigned)values[i] & 0xFFFF);
    }
    put_section(&b, "CHIX", (uint32_t)(9 * n));
    size_t at = b.len + 9 * n + 8;
    for (size_t i = 0; i < n; i++) {
        put_be32(&b, g[i].code);
        put8(&b, 0);
        put_be32(&b, (uint32_t)at);
        pf2_glyph_at[i] = at;
        at += 10 + (g[i].w * g[i].h + 7) / 8;
    }
    put_section(&b, "DATA", 0xFFFFFFFF);
    for (size_t i = 0; i < n; i++) {
        put_be16(&b, g[i].w);
        put_be16(&b, g[i].h);
        put_be16(&b, (unsigned)g[i].x & 0xFFFF);
        put_be16(&b, (unsigned)g[i].y & 0xFFFF);
        put_be16(&b, (unsigned)g[i].dw & 0xFFFF);
        /* Packed bit by bit across rows. */
        uint8_t bits[64] = {0};
        for (unsigned k = 0; k < g[i].w * g[i].h; k++) {
            if (g[i].pix[k] == '#') {
                bits[k / 8] |= (uint8_t)(0x80 >> (k % 8));
            }
        }
        put(&b, bits, (g[i].w * g[i].h + 7) / 8);
    }
    CHECK_EQ_INT(b.len, at);
    return b;
}

static struct bytes pf2_test_font(void)
{
    return pf2_font(pf2_glyphs, SK_ARRAY_LEN(pf2_glyphs), 16, 14, 2);
}

static struct bytes poke_be(struct bytes b, size_t at, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        b.p[at + i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    }
    return b;
}

static void test_pf2_loads(void)
{
    struct bytes b = pf2_test_font();
    CHECK_EQ_INT(parse(&b), 1);
    if (err[0]) {
        fprintf(stderr, "  %s\n", err);
    }
    CHECK_EQ_INT(fonts[0].height, 16);
    CHECK_STR(fonts[0].format, "PF2");
    /* What each glyph gives in its 8x16 cell, baseline at 14, by hand. */
    static const struct {
        uint8_t ch;
        uint8_t rows[16];
    } want[] = {
        {0x20, {0}},
        {0x00, {0}}, /* CP437 0 is drawn as a space */
        {'A', {0, 0, 0, 0, 0, 0, 0, 0x38, 0x44, 0x44, 0x7C, 0x44, 0x44, 0x44, 0, 0}},
        {'g', {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0x04, 0x0E}},
        {0x82, {0x03}}, /* 4x2 at x 6, a row above the cell: clipped to its corner */
        {0xDB,
         {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
          0xFF}},
        {0x01, {0, 0, 0, 0, 0, 0xFE, 0x82, 0xAA, 0x82, 0xFE, 0, 0, 0, 0, 0, 0}},
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(want); i++) {
        if (memcmp(&fonts[0].rows[want[i].ch * 16], want[i].rows, 16) != 0) {
            fprintf(stderr, "  CP437 %02x:", want[i].ch);
            for (int y = 0; y < 16; y++) {
                fprintf(stderr, " %02x", fonts[0].rows[want[i].ch * 16 + y]);
            }
            fprintf(stderr, "\n");
        }
        CHECK_MEM(&fonts[0].rows[want[i].ch * 16], want[i].rows, 16);
    }
    /* The rest, and the wide U+2500 (CP437 C4), are the built-in font's. */
    CHECK_EQ_INT(fonts[0].mapped, SK_ARRAY_LEN(want));
    for (unsigned c = 0; c < 256; c++) {
        int drawn = 0;
        for (size_t i = 0; i < SK_ARRAY_LEN(want); i++) {
            drawn |= want[i].ch == c;
        }
        if (!drawn) {
            CHECK_MEM(&fonts[0].rows[c * 16], sk_font8x16[c], 16);
        }
    }
    free(b.p);
    /* 8x8 and 8x14 cells: MAXH, the baseline at the ascent. */
    static const unsigned heights[] = {8, 14};
    for (int i = 0; i < 2; i++) {
        unsigned h = heights[i];
        b = pf2_font(pf2_glyphs, 2, (int)h, (int)h - 1, 1);
        CHECK_EQ_INT(parse(&b), 1);
        CHECK_EQ_INT(fonts[0].height, h);
        CHECK_EQ_INT(fonts[0].mapped, 3); /* space, CP437 0, A */
        uint8_t a[14] = {0};
        static const uint8_t shape[] = {0x38, 0x44, 0x44, 0x7C, 0x44, 0x44, 0x44};
        memcpy(a + h - 1 - 7, shape, 7);
        CHECK_MEM(&fonts[0].rows['A' * h], a, h);
        CHECK_MEM(&fonts[0].rows['B' * h], builtin(h) + 'B' * h, h);
        free(b.p);
    }
    /* gzip (GRUB reads it through gzio too). */
    b = pf2_test_font();
    struct bytes z = gzip_of(&b);
    CHECK_EQ_INT(parse(&z), 1);
    CHECK_STR(fonts[0].format, "PF2 (gzip)");
    free(z.p);
    free(b.p);
}

static void test_pf2_malformed(void)
{
    size_t n = SK_ARRAY_LEN(pf2_glyphs);
    size_t name_at = 12, chix_at = 12 + 16 + 5 * 10; /* the CHIX section's header */
    struct bytes b = pf2_test_font();
    b.p[11] = '3';
    expect_error(b, "PF2 file section is not 4 bytes of \"PFF2\"");
    b = pf2_test_font();
    char want[256];
    snprintf(want, sizeof(want),
             "PF2 section NAME of 2147483647 bytes at byte 12 runs past the font's %zu bytes",
             b.len);
    expect_error(poke_be(b, name_at + 4, 0x7FFFFFFF, 4), want);
    b = pf2_test_font();
    snprintf(want, sizeof(want), "PF2 section CHIX of %zu bytes at byte %zu runs past", 9 * n + 1,
             chix_at);
    expect_error(truncated(poke_be(b, chix_at + 4, (uint32_t)(9 * n + 1), 4), chix_at + 8 + 9 * n),
                 want);
    b = pf2_test_font();
    snprintf(want, sizeof(want), "PF2 character index of %zu bytes is not a multiple of 9",
             9 * n - 1);
    expect_error(poke_be(b, chix_at + 4, (uint32_t)(9 * n - 1), 4), want);
    b = pf2_test_font();
    expect_error(poke_be(b, chix_at + 8 + 9 * 2, 0x41, 4),
                 "PF2 characters not in ascending order: U+0041 after U+0041 (index entry 2)");
    b = pf2_test_font();
    snprintf(want, sizeof(want), "PF2 glyph U+0041 at byte %zu is past the font's %zu bytes",
             b.len - 9, b.len);
    expect_error(poke_be(b, chix_at + 8 + 9 + 5, (uint32_t)(b.len - 9), 4), want);
    b = pf2_test_font();
    expect_error(poke_be(b, chix_at + 8 + 9 + 5, 0xFFFFFFFF, 4),
                 "PF2 glyph U+0041 at byte 4294967295 is past the font's");
    b = pf2_test_font();
    expect_error(poke_be(b, pf2_glyph_at[1] + 2, 17, 2),
                 "PF2 glyph U+0041 is 5x17, larger than the font's 16x16");
    b = pf2_test_font();
    expect_error(poke_be(b, pf2_glyph_at[1], 17, 2),
                 "PF2 glyph U+0041 is 17x7, larger than the font's 16x16");
    b = pf2_test_font();
    snprintf(want, sizeof(want), "PF2 glyph U+263A's bitmap of 5 bytes at byte %zu is truncated",
             pf2_glyph_at[n - 1] + 10);
    expect_error(truncated(b, b.len - 1), want);
    b = pf2_font(pf2_glyphs, n, 16, 14, 0);
    expect_error(b, "PF2 font without DESC (or with it 0)");
    b = pf2_font(pf2_glyphs, 0, 16, 14, 2);
    expect_error(b, "PF2 font without CHIX (or with it 0)");
    b = pf2_font(pf2_glyphs, n, 24, 20, 4);
    expect_error(b, "PF2 glyphs are 8x24; text screens are read in 8x8, 8x14 or 8x16");
    /* A cell as wide as printable ASCII's widest device width: 16 here. */
    struct pf2_spec wide[] = {{0x41, 5, 7, 1, 0, 16, ".###.#...##...#######...##...##...#"}};
    b = pf2_font(wide, 1, 16, 14, 2);
    expect_error(b, "PF2 glyphs are 16x16");
    /* Only wide glyphs for CP437's characters. */
    struct pf2_spec none[] = {{0x2500, 16, 1, 0, 6, 16, "################"}};
    b = pf2_font(none, 1, 16, 14, 2);
    expect_error(b, "the PF2 font draws none of the CP437 characters in its cells");
    b = pf2_test_font();
    memcpy(b.p + name_at, "MAXH", 4); /* a NAME of 8 bytes named MAXH */
    expect_error(b, "PF2 section MAXH is 8 bytes, not 2");
    /* Every prefix of a good font is refused, never read past (ASan). */
    b = pf2_test_font();
    for (size_t k = 0; k < b.len; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, b.p, k);
        int rc = sk_text_font_parse(copy, k, fonts, err, sizeof(err));
        if (rc != -1) {
            fprintf(stderr, "  prefix of %zu bytes of %zu loads\n", k, b.len);
        }
        CHECK_EQ_INT(rc, -1);
        free(copy);
    }
    free(b.p);
}

static int have_grub_fonts(const char *why)
{
    if (access(GRUB_FONTS "/unicode.pf2", R_OK) != 0) {
        printf("SKIP %s: no " GRUB_FONTS "/unicode.pf2 (Debian's grub-common)\n", why);
        return 0;
    }
    return 1;
}

/* GNU Unifont's A, from its unifont.hex ("0041:0000000018242442427E424242420000"). */
static const uint8_t unifont_A[16] = {0,    0,    0,    0,    0x18, 0x24, 0x24, 0x42,
                                      0x42, 0x7E, 0x42, 0x42, 0x42, 0x42, 0,    0};

/* GRUB's own fonts: Unifont whole (unicode.pf2) and its ASCII part (ascii.pf2). */
static void test_grub_fonts(void)
{
    if (!have_grub_fonts("test_grub_fonts")) {
        return;
    }
    err[0] = '\0';
    CHECK_EQ_INT(sk_text_font_load(GRUB_FONTS "/unicode.pf2", fonts, err, sizeof(err)), 1);
    if (err[0]) {
        fprintf(stderr, "  %s\n", err);
    }
    CHECK_EQ_INT(fonts[0].height, 16);
    CHECK_STR(fonts[0].format, "PF2");
    printf("  unicode.pf2: %u of 256 CP437 characters\n", fonts[0].mapped);
    CHECK_EQ_INT(fonts[0].mapped, 256);
    CHECK_MEM(&fonts[0].rows['A' * 16], unifont_A, 16);
    static uint8_t uni[256 * 16];
    memcpy(uni, fonts[0].rows, sizeof(uni));
    /* Unifont draws many glyphs unlike the VGA font. */
    unsigned differ = 0;
    for (unsigned c = 0; c < 256; c++) {
        differ += memcmp(&uni[c * 16], sk_font8x16[c], 16) != 0;
    }
    printf("  unicode.pf2: %u of 256 glyphs differ from the built-in 8x16 font\n", differ);
    CHECK(differ >= 100);
    if (access(GRUB_FONTS "/ascii.pf2", R_OK) == 0) {
        CHECK_EQ_INT(sk_text_font_load(GRUB_FONTS "/ascii.pf2", fonts, err, sizeof(err)), 1);
        /* Printable ASCII, CP437 0 as a space, the menu's arrows and box corners (its
         * control characters are wide): the same glyphs as the whole font's. */
        static const uint8_t menu[] = {0x18, 0x19, 0x1A, 0x1B, 0xB3, 0xBF, 0xC0, 0xD9, 0xDA};
        printf("  ascii.pf2: %u of 256 CP437 characters\n", fonts[0].mapped);
        CHECK_EQ_INT(fonts[0].mapped, 96 + SK_ARRAY_LEN(menu));
        CHECK_MEM(&fonts[0].rows[0x20 * 16], &uni[0x20 * 16], 0x5F * 16);
        for (size_t i = 0; i < SK_ARRAY_LEN(menu); i++) {
            CHECK_MEM(&fonts[0].rows[menu[i] * 16], &uni[menu[i] * 16], 16);
        }
        CHECK_MEM(&fonts[0].rows[0xC4 * 16], sk_font8x16[0xC4], 16); /* no U+2500 in it */
    }
}

static void grub_put(struct grid *s, int r, int c, const char *text, uint8_t fg, uint8_t bg)
{
    for (; *text && c < GRID_COLS; text++, c++) {
        s->ch[r][c] = (uint8_t)*text;
        s->fg[r][c] = fg;
        s->bg[r][c] = bg;
    }
}

/* A GRUB menu as gfxterm draws it at 640x480: 80x30 cells of 8x16. */
static void grub_menu(struct grid *s)
{
    s->rows = 30;
    s->cell_w = 8;
    memset(s->ch, ' ', sizeof(s->ch));
    memset(s->fg, SK_VGA_LIGHTGREY, sizeof(s->fg));
    memset(s->bg, SK_VGA_BLACK, sizeof(s->bg));
    uint8_t g = SK_VGA_LIGHTGREY, k = SK_VGA_BLACK;
    grub_put(s, 1, 28, "GNU GRUB  version 2.06-13+deb12u1", g, k);
    /* The menu's box, 1 column in from each side, rows 3..22. */
    for (int r = 3; r <= 22; r++) {
        for (int c = 1; c <= 78; c++) {
            int top = r == 3, bottom = r == 22, left = c == 1, right = c == 78;
            uint8_t ch = top && left       ? 0xDA
                         : top && right    ? 0xBF
                         : bottom && left  ? 0xC0
                         : bottom && right ? 0xD9
                         : top || bottom   ? 0xC4
                         : left || right   ? 0xB3
                                           : ' ';
            grub_put(s, r, c, (char[]){(char)ch, 0}, g, k);
        }
    }
    static const char *const entries[] = {
        "Debian GNU/Linux",
        "Advanced options for Debian GNU/Linux",
        "Memory test (memtest86+x64.efi)",
        "Memory test (memtest86+x64.efi, serial console)",
        "UEFI Firmware Settings",
    };
    for (int i = 0; i < 5; i++) {
        char line[80];
        snprintf(line, sizeof(line), "%c%-75s", i == 0 ? '*' : ' ', entries[i]);
        /* The highlighted entry: black on light grey, as menu_color_highlight's default. */
        grub_put(s, 4 + i, 2, line, i == 0 ? k : g, i == 0 ? g : k);
    }
    grub_put(s, 24, 5, "Use the \x18 and \x19 keys to select which entry is highlighted.", g, k);
    grub_put(s, 25, 5, "Press enter to boot the selected OS, `e' to edit the commands", g, k);
    grub_put(s, 26, 5, "before booting or `c' for a command-line.", g, k);
    grub_put(s, 27, 5, "The highlighted entry will be executed automatically in 5s.", g, k);
    grub_put(s, 29, 0, "{}[]<>|\\~^$#@%&=+-_;:,.?!\"' 0123456789 \x82\x84\x94\x81 \xb0\xb1\xb2\xdb",
             g, k);
}

/*
 * A GRUB menu drawn in Unifont through JPEG q75: read with unicode.pf2
 * loaded and without, where GRUB's glyphs are built in (src/text/fontgrub.c)
 * and read it as well.
 */
static void test_grub_screen(void)
{
    if (!have_grub_fonts("test_grub_screen")) {
        return;
    }
    CHECK_EQ_INT(sk_text_font_load(GRUB_FONTS "/unicode.pf2", fonts, err, sizeof(err)), 1);
    static struct grid s;
    grub_menu(&s);
    struct sk_image img = {0}, jpg = {0};
    render(&s, fonts[0].rows, &img);
    CHECK_EQ_INT(ts_jpeg(&img, 75, &jpg), 0);
    struct both_reads b = read_both(&jpg, &s, fonts[0].rows, fonts[0].rows);
    printf("  GRUB menu 640x480 in Unifont, q75: characters right of 2400: %u with the font, %u "
           "without (read as %s); with colours: %u, %u\n",
           b.with_chars, b.without_chars, b.without_mode, b.with_cells, b.without_cells);
    CHECK(b.with_text);
    CHECK_STR(b.with_mode, "80x30 8x16");
    CHECK(b.with_chars >= 2395);
    CHECK(b.with_cells >= 2398);
    CHECK_STR(b.without_mode, "grid 8x16 unifont");
    CHECK(b.without_chars >= 2395);
    CHECK(b.without_cells >= 2398);
    sk_image_free(&img);
    sk_image_free(&jpg);
}

int main(void)
{
    SK_RUN(test_psf1_loads);
    SK_RUN(test_psf2_loads);
    SK_RUN(test_malformed);
    SK_RUN(test_console_widths);
    SK_RUN(test_load_file);
    SK_RUN(test_debian_fonts);
    SK_RUN(test_console_font_screen);
    SK_RUN(test_pf2_loads);
    SK_RUN(test_pf2_malformed);
    SK_RUN(test_grub_fonts);
    SK_RUN(test_grub_screen);
    return SK_CHECK_EXIT();
}

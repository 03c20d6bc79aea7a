/*
 * fontfile: reads --text-font files (a PSF1/PSF2 console font, plain or
 * gzip, a GRUB PF2 font, a VGA BIOS ROM, or a raw 8x16 font) into fonts the recogniser adds
 * as alternates. Owns nothing after the call.
 *
 * sk_text_font_load reads the file whole with sk_read_file; everything
 * after that is sk_text_font_parse, a pure function over the bytes (the
 * fuzz target's entry): gzip data is inflated in memory with zlib, then
 * the bytes are a PSF or PF2 font by their magic, a raw 8x16 font by their
 * size, or searched for the letters of a VGA BIOS ROM's fonts.
 *
 * The recogniser indexes glyphs by CP437 code point. A PSF font is in its
 * own order, with a Unicode table saying which characters each glyph
 * draws: for each CP437 code point the glyph drawing its Unicode value
 * (sk_cp437_unicode) is taken, and the built-in glyph where the font has
 * none (the recogniser adds a glyph it already has only once).
 */
#include "text/fontfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "text/font8x16.h"
#include "text/fonts.h"
#include "text/textrec.h"
#include "base/util.h"

#define RAW_8X16 (256 * 16)
/* Video BIOS ROMs are 32-128 KiB; the ROM font search reads at most this much of a file. */
#define ROM_SEARCH_MAX (256 * 1024)

#define PSF1_MODE512 0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODEHASSEQ 0x04
#define PSF1_SEPARATOR 0xFFFF
#define PSF1_STARTSEQ 0xFFFE

#define PSF2_HEADER 32
#define PSF2_HAS_UNICODE_TABLE 0x01
#define PSF2_SEPARATOR 0xFF
#define PSF2_STARTSEQ 0xFE

/* A PSF font being mapped: its glyphs and, per CP437 code point, which one draws it. */
struct psf {
    const uint8_t *glyphs;
    uint32_t count;
    unsigned width;        /* a row's pixels, from bit 7 (PSF1's are 8) */
    unsigned height;       /* rows a glyph */
    unsigned row_bytes;    /* bytes a row: 1, or 2 for a font wider than 8 */
    int32_t glyph_of[256]; /* -1: the font has no glyph for it */
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A file's font's format name, " (gzip)" added when it came inflated. */
#define FORMAT(name, gz) ((gz) ? name " (gzip)" : name)

/*
 * Start out as the built-in font of height (8, 14 or 16), none of it the
 * file's yet: the parsers then put in the glyphs the file draws, counting
 * them in mapped, and what the font lacks stays the built-in glyph. A
 * console font (sk_text_console_font_parse) starts blank instead.
 */
static void font_start(struct sk_text_font *out, unsigned height, const char *format, int console)
{
    const uint8_t *ours = height == 8    ? &sk_font8x8[0][0]
                          : height == 14 ? &sk_font8x14[0][0]
                                         : &sk_font8x16[0][0];
    if (console) {
        memset(out->rows, 0, sizeof(out->rows));
    } else {
        memcpy(out->rows, ours, (size_t)256 * height);
    }
    out->width = 8;
    out->height = height;
    out->format = format;
    out->mapped = 0;
}

/* Glyph draws Unicode value u: it is the glyph of u's CP437 code points not drawn yet. */
static void psf_map(struct psf *p, uint32_t u, uint32_t glyph)
{
    for (unsigned c = 0; c < 256; c++) {
        if (sk_cp437_unicode[c] == u && p->glyph_of[c] < 0) {
            p->glyph_of[c] = (int32_t)glyph;
        }
    }
}

/*
 * PSF1's table: per glyph, 16-bit little-endian Unicode values, then
 * sequences each starting with 0xFFFE, then 0xFFFF. Returns 0 or -1.
 */
static int psf1_table(struct psf *p, const uint8_t *t, size_t len, char *err, size_t errlen)
{
    size_t at = 0;
    for (uint32_t g = 0; g < p->count; g++) {
        int seq = 0;
        for (;;) {
            if (len - at < 2) {
                sk_set_err(err, errlen, "the Unicode table ends at glyph %u of %u", (unsigned)g,
                           (unsigned)p->count);
                return -1;
            }
            unsigned v = (unsigned)t[at] | (unsigned)t[at + 1] << 8;
            at += 2;
            if (v == PSF1_SEPARATOR) {
                break;
            }
            if (v == PSF1_STARTSEQ) {
                seq = 1;
            } else if (!seq) {
                psf_map(p, v, g);
            }
        }
    }
    return 0;
}

/*
 * PSF2's table: per glyph, UTF-8 characters, then sequences each starting
 * with 0xFE, then 0xFF. Returns 0 or -1.
 */
static int psf2_table(struct psf *p, const uint8_t *t, size_t len, char *err, size_t errlen)
{
    size_t at = 0;
    for (uint32_t g = 0; g < p->count; g++) {
        int seq = 0;
        for (;;) {
            if (at >= len) {
                sk_set_err(err, errlen, "the Unicode table ends at glyph %u of %u", (unsigned)g,
                           (unsigned)p->count);
                return -1;
            }
            uint8_t b = t[at];
            if (b == PSF2_SEPARATOR) {
                at++;
                break;
            }
            if (b == PSF2_STARTSEQ) {
                seq = 1;
                at++;
                continue;
            }
            uint32_t u;
            int n = sk_utf8_decode(t + at, len - at, &u);
            if (n <= 0) {
                sk_set_err(err, errlen, "bad UTF-8 in the Unicode table at glyph %u (byte %zu)",
                           (unsigned)g, at);
                return -1;
            }
            at += (size_t)n;
            if (!seq) {
                psf_map(p, u, g);
            }
        }
    }
    return 0;
}

/*
 * console: a console font for sk_text_console_font_parse, SK_TEXT_FONT_MIN_W
 * to SK_TEXT_FONT_MAX_W wide (a byte a row up to 8, two up to 16) and 6 to
 * SK_TEXT_FONT_MAX_H high.
 */
static int check_height(const char *format, uint32_t width, uint32_t height, int console, char *err,
                        size_t errlen)
{
    if (console && width >= SK_TEXT_FONT_MIN_W && width <= SK_TEXT_FONT_MAX_W && height >= 6 &&
        height <= SK_TEXT_FONT_MAX_H) {
        return 0;
    }
    if (console) {
        sk_set_err(err, errlen,
                   "%s glyphs are %ux%u; console fonts are read %d to %d wide, 6 to %d high",
                   format, (unsigned)width, (unsigned)height, SK_TEXT_FONT_MIN_W,
                   SK_TEXT_FONT_MAX_W, SK_TEXT_FONT_MAX_H);
        return -1;
    }
    if (width != 8 || (height != 8 && height != 14 && height != 16)) {
        sk_set_err(err, errlen, "%s glyphs are %ux%u; text screens are read in 8x8, 8x14 or 8x16",
                   format, (unsigned)width, (unsigned)height);
        return -1;
    }
    return 0;
}

/* Glyphs from glyphs_at (count of them) need to fit in len; the table follows them. */
static int check_glyphs(uint64_t glyphs_at, uint32_t count, unsigned bytes, size_t len, char *err,
                        size_t errlen)
{
    uint64_t need = glyphs_at + (uint64_t)count * bytes;
    if (count == 0 || need > len) {
        sk_set_err(err, errlen, "%u glyphs of %u bytes need %llu bytes; the font has %zu",
                   (unsigned)count, bytes, (unsigned long long)need, len);
        return -1;
    }
    return 0;
}

/*
 * A PSF1 or PSF2 font (the magic is checked) into out. drawn: NULL for a
 * --text-font file (8, 14 or 16 high, the built-in glyph where it draws
 * none); else a console font's (sk_text_console_font_parse), each CP437
 * code point's drawn[] set when the font draws it. Returns 1 or -1.
 */
static int psf_parse(const uint8_t *d, size_t len, int gz, struct sk_text_font *out, uint8_t *drawn,
                     char *err, size_t errlen)
{
    int console = drawn != NULL;
    struct psf p = {0};
    int psf2 = d[0] == 0x72;
    size_t glyphs_at;
    int has_table;
    if (!psf2) {
        if (len < 4) {
            sk_set_err(err, errlen, "PSF1 header truncated (%zu of 4 bytes)", len);
            return -1;
        }
        p.count = d[2] & PSF1_MODE512 ? 512 : 256;
        p.height = d[3];
        p.width = 8;
        p.row_bytes = 1;
        has_table = (d[2] & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ)) != 0;
        glyphs_at = 4;
        if (check_height("PSF1", 8, p.height, console, err, errlen) != 0) {
            return -1;
        }
    } else {
        if (len < PSF2_HEADER) {
            sk_set_err(err, errlen, "PSF2 header truncated (%zu of %d bytes)", len, PSF2_HEADER);
            return -1;
        }
        uint32_t version = le32(d + 4), headersize = le32(d + 8), flags = le32(d + 12);
        uint32_t charsize = le32(d + 20), height = le32(d + 24), width = le32(d + 28);
        p.count = le32(d + 16);
        if (version != 0) {
            sk_set_err(err, errlen, "PSF2 version %u (only 0 exists)", (unsigned)version);
            return -1;
        }
        if (headersize < PSF2_HEADER || headersize > len) {
            sk_set_err(err, errlen, "PSF2 header size %u is not from %d to the font's %zu bytes",
                       (unsigned)headersize, PSF2_HEADER, len);
            return -1;
        }
        if (check_height("PSF2", width, height, console, err, errlen) != 0) {
            return -1;
        }
        p.row_bytes = SK_TEXT_FONT_ROW_BYTES(width);
        if (charsize != height * p.row_bytes) {
            sk_set_err(err, errlen, "PSF2 glyphs of %ux%u take %u bytes, not %u", (unsigned)width,
                       (unsigned)height, (unsigned)(height * p.row_bytes), (unsigned)charsize);
            return -1;
        }
        p.width = width;
        p.height = height;
        has_table = (flags & PSF2_HAS_UNICODE_TABLE) != 0;
        glyphs_at = headersize;
    }
    size_t glyph_bytes = (size_t)p.height * p.row_bytes;
    if (check_glyphs(glyphs_at, p.count, (unsigned)glyph_bytes, len, err, errlen) != 0) {
        return -1;
    }
    p.glyphs = d + glyphs_at;
    size_t table_at = glyphs_at + (size_t)p.count * glyph_bytes;
    for (unsigned c = 0; c < 256; c++) {
        p.glyph_of[c] = -1;
    }
    if (has_table) {
        int rc = psf2 ? psf2_table(&p, d + table_at, len - table_at, err, errlen)
                      : psf1_table(&p, d + table_at, len - table_at, err, errlen);
        if (rc != 0) {
            return -1;
        }
    } else if (p.count == 256) {
        for (unsigned c = 0; c < 256; c++) {
            p.glyph_of[c] = (int32_t)c;
        }
    } else {
        sk_set_err(err, errlen,
                   "%u glyphs and no Unicode table: which character each draws is unknown",
                   (unsigned)p.count);
        return -1;
    }
    font_start(out, p.height, psf2 ? FORMAT("PSF2", gz) : FORMAT("PSF1", gz), console);
    out->width = p.width;
    /* A row is padded to whole bytes; the padding is not the glyph's. */
    for (unsigned c = 0; c < 256; c++) {
        if (p.glyph_of[c] >= 0) {
            const uint8_t *g = p.glyphs + (size_t)p.glyph_of[c] * glyph_bytes;
            uint8_t *to = out->rows + (size_t)c * glyph_bytes;
            for (size_t i = 0; i < glyph_bytes; i++) {
                unsigned x = (unsigned)(i % p.row_bytes) * 8; /* the byte's first column */
                unsigned in = p.width - x < 8 ? p.width - x : 8;
                to[i] = g[i] & (uint8_t)(0xFF00u >> in);
            }
            out->mapped++;
        }
        if (drawn != NULL) {
            drawn[c] = p.glyph_of[c] >= 0;
        }
    }
    if (out->mapped == 0) {
        sk_set_err(err, errlen, "its Unicode table draws none of the CP437 characters");
        return -1;
    }
    return 1;
}

/*
 * GRUB's PF2 fonts (grub-mkfont; /usr/share/grub/unicode.pf2 is GNU
 * Unifont). Sections of a 4-byte name and a big-endian 32-bit length:
 * "FILE" (4: "PFF2") first, then NAME, FAMI, WEIG, SLAN, PTSZ, MAXW, MAXH,
 * ASCE, DESC (16-bit), CHIX (9-byte entries: code point, flags, file offset
 * of the glyph, in ascending code point order) and DATA, which runs to the
 * end of the file. A glyph at its offset: width, height (16-bit), x offset,
 * y offset, device width (signed 16-bit), then its width x height pixels
 * bit by bit, rows not byte-aligned. gfxterm draws a character in a cell
 * as wide as the widest device width of printable ASCII and MAXH high,
 * its bitmap's top left at (x offset, ASCE - y offset - height) in the
 * cell; the reading below places it the same way, clipped to the cell.
 */
#define PF2_MAGIC "FILE\0\0\0\4PFF2"
#define PF2_MAGIC_LEN 12
#define PF2_SECTION 8
#define PF2_ENTRY 9  /* code point, storage flags, offset */
#define PF2_GLYPH 10 /* width, height, x offset, y offset, device width */

struct pf2 {
    const uint8_t *d;
    size_t len;
    const uint8_t *chix; /* NULL until the CHIX section */
    uint32_t chars;
    int maxw, maxh, ascent, descent; /* 0: no such section */
};

struct pf2_glyph {
    unsigned width, height;
    int x, y, device_width;
    const uint8_t *bits;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static int be16s(const uint8_t *p)
{
    unsigned v = be16(p);
    return v >= 0x8000 ? (int)v - 0x10000 : (int)v;
}

/* A section name as text for errors: what is not printable ASCII as '?'. */
static void pf2_name(const uint8_t *p, char out[5])
{
    for (int i = 0; i < 4; i++) {
        out[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '?';
    }
    out[4] = '\0';
}

/* The sections up to DATA (or the end) into f. Returns 0 or -1. */
static int pf2_sections(struct pf2 *f, char *err, size_t errlen)
{
    size_t at = PF2_MAGIC_LEN;
    while (at < f->len) {
        if (f->len - at < PF2_SECTION) {
            sk_set_err(err, errlen, "PF2 section header truncated at byte %zu of %zu", at, f->len);
            return -1;
        }
        const uint8_t *s = f->d + at;
        uint32_t slen = be32(s + 4);
        char name[5];
        pf2_name(s, name);
        if (memcmp(s, "DATA", 4) == 0) {
            return 0;
        }
        at += PF2_SECTION;
        if (slen > f->len - at) {
            sk_set_err(err, errlen,
                       "PF2 section %s of %u bytes at byte %zu runs past the font's %zu bytes",
                       name, (unsigned)slen, at - PF2_SECTION, f->len);
            return -1;
        }
        static const char shorts[][5] = {"PTSZ", "MAXW", "MAXH", "ASCE", "DESC"};
        int *fields[] = {NULL, &f->maxw, &f->maxh, &f->ascent, &f->descent};
        for (size_t i = 0; i < SK_ARRAY_LEN(shorts); i++) {
            if (memcmp(s, shorts[i], 4) != 0) {
                continue;
            }
            if (slen != 2) {
                sk_set_err(err, errlen, "PF2 section %s is %u bytes, not 2", name, (unsigned)slen);
                return -1;
            }
            if (fields[i] != NULL) {
                *fields[i] = be16s(f->d + at);
            }
        }
        if (memcmp(s, "CHIX", 4) == 0) {
            if (f->chix != NULL) {
                sk_set_err(err, errlen, "PF2 font with more than one CHIX section");
                return -1;
            }
            if (slen % PF2_ENTRY != 0) {
                sk_set_err(err, errlen, "PF2 character index of %u bytes is not a multiple of %d",
                           (unsigned)slen, PF2_ENTRY);
                return -1;
            }
            f->chix = f->d + at;
            f->chars = slen / PF2_ENTRY;
            for (uint32_t i = 1; i < f->chars; i++) {
                uint32_t prev = be32(f->chix + (size_t)(i - 1) * PF2_ENTRY);
                uint32_t code = be32(f->chix + (size_t)i * PF2_ENTRY);
                if (code <= prev) {
                    sk_set_err(err, errlen,
                               "PF2 characters not in ascending order: U+%04X after U+%04X "
                               "(index entry %u)",
                               (unsigned)code, (unsigned)prev, (unsigned)i);
                    return -1;
                }
            }
        }
        at += slen;
    }
    return 0;
}

/*
 * Code point u's glyph (a binary search of the index). Returns 1 with *g
 * set, 0 when the font has none, or -1 when its record is bad.
 */
static int pf2_glyph(const struct pf2 *f, uint32_t u, struct pf2_glyph *g, char *err, size_t errlen)
{
    uint32_t lo = 0, hi = f->chars;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (be32(f->chix + (size_t)mid * PF2_ENTRY) < u) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    const uint8_t *e = f->chix + (size_t)lo * PF2_ENTRY;
    if (lo == f->chars || be32(e) != u) {
        return 0;
    }
    uint32_t at = be32(e + 5);
    if (at > f->len || f->len - at < PF2_GLYPH) {
        sk_set_err(err, errlen, "PF2 glyph U+%04X at byte %u is past the font's %zu bytes",
                   (unsigned)u, (unsigned)at, f->len);
        return -1;
    }
    const uint8_t *p = f->d + at;
    g->width = be16(p);
    g->height = be16(p + 2);
    g->x = be16s(p + 4);
    g->y = be16s(p + 6);
    g->device_width = be16s(p + 8);
    if (g->width > (unsigned)f->maxw || g->height > (unsigned)f->maxh) {
        sk_set_err(err, errlen, "PF2 glyph U+%04X is %ux%u, larger than the font's %dx%d",
                   (unsigned)u, g->width, g->height, f->maxw, f->maxh);
        return -1;
    }
    size_t bytes = ((size_t)g->width * g->height + 7) / 8;
    if (f->len - at - PF2_GLYPH < bytes) {
        sk_set_err(err, errlen, "PF2 glyph U+%04X's bitmap of %zu bytes at byte %u is truncated",
                   (unsigned)u, bytes, (unsigned)at + PF2_GLYPH);
        return -1;
    }
    g->bits = p + PF2_GLYPH;
    return 1;
}

/* g drawn as gfxterm draws it in an 8 x height cell with its baseline at ascent, clipped. */
static void pf2_draw(const struct pf2_glyph *g, int ascent, unsigned height, uint8_t *rows)
{
    memset(rows, 0, height);
    int top = ascent - g->y - (int)g->height;
    for (unsigned py = 0; py < g->height; py++) {
        int y = top + (int)py;
        for (unsigned px = 0; px < g->width; px++) {
            size_t bit = (size_t)py * g->width + px;
            int x = g->x + (int)px;
            if ((g->bits[bit / 8] & (0x80u >> (bit % 8))) && x >= 0 && x < 8 && y >= 0 &&
                y < (int)height) {
                rows[y] |= (uint8_t)(0x80u >> x);
            }
        }
    }
}

/* A PF2 font (its magic is checked) into out. Returns 1 or -1. */
static int pf2_parse(const uint8_t *d, size_t len, int gz, struct sk_text_font *out, char *err,
                     size_t errlen)
{
    struct pf2 f = {.d = d, .len = len};
    if (len < PF2_MAGIC_LEN || memcmp(d, PF2_MAGIC, PF2_MAGIC_LEN) != 0) {
        sk_set_err(err, errlen, "PF2 file section is not 4 bytes of \"PFF2\"");
        return -1;
    }
    if (pf2_sections(&f, err, errlen) != 0) {
        return -1;
    }
    const char *missing = f.maxw <= 0      ? "MAXW"
                          : f.maxh <= 0    ? "MAXH"
                          : f.ascent == 0  ? "ASCE"
                          : f.descent == 0 ? "DESC"
                          : f.chars == 0   ? "CHIX" /* none, or an empty one */
                                           : NULL;
    if (missing != NULL) {
        sk_set_err(err, errlen, "PF2 font without %s (or with it 0)", missing);
        return -1;
    }
    /* gfxterm's cell: the widest printable ASCII character (8 when there is none), MAXH high. */
    int cell_w = 0;
    struct pf2_glyph g;
    for (uint32_t u = 0x20; u < 0x7F; u++) {
        int rc = pf2_glyph(&f, u, &g, err, errlen);
        if (rc < 0) {
            return -1;
        }
        if (rc > 0 && g.device_width > cell_w) {
            cell_w = g.device_width;
        }
    }
    if (cell_w == 0) {
        cell_w = 8;
    }
    if (check_height("PF2", (uint32_t)cell_w, (uint32_t)f.maxh, 0, err, errlen) != 0) {
        return -1;
    }
    unsigned height = (unsigned)f.maxh;
    font_start(out, height, FORMAT("PF2", gz), 0);
    for (unsigned c = 0; c < 256; c++) {
        int rc = pf2_glyph(&f, sk_cp437_unicode[c], &g, err, errlen);
        if (rc < 0) {
            return -1;
        }
        /* Wide glyphs take two cells: not a CP437 character's. */
        if (rc > 0 && g.device_width == cell_w) {
            pf2_draw(&g, f.ascent, height, out->rows + (size_t)c * height);
            out->mapped++;
        }
    }
    if (out->mapped == 0) {
        sk_set_err(err, errlen, "the PF2 font draws none of the CP437 characters in its cells");
        return -1;
    }
    return 1;
}

/*
 * Inflate gzip data into a new buffer (*out, the caller frees) of at most
 * SK_TEXT_FONT_INFLATE_MAX bytes. Returns its length, or -1 with err set.
 */
static long gunzip(const uint8_t *data, size_t len, uint8_t **out, char *err, size_t errlen)
{
    z_stream zs = {0};
    /* 16 + MAX_WBITS: gzip framing only. */
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        sk_set_err(err, errlen, "gzip: cannot start zlib");
        return -1;
    }
    uint8_t *buf = xmalloc(SK_TEXT_FONT_INFLATE_MAX + 1);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = SK_TEXT_FONT_INFLATE_MAX + 1;
    int rc = inflate(&zs, Z_FINISH);
    long n = (long)zs.total_out;
    if (rc != Z_STREAM_END) {
        if (n > SK_TEXT_FONT_INFLATE_MAX) {
            sk_set_err(err, errlen, "gzip: inflates to more than %d bytes",
                       SK_TEXT_FONT_INFLATE_MAX);
        } else if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0)) {
            sk_set_err(err, errlen, "gzip: data truncated");
        } else {
            sk_set_err(err, errlen, "gzip: %s", zs.msg ? zs.msg : "corrupt data");
        }
        n = -1;
        free(buf);
        buf = NULL;
    }
    inflateEnd(&zs);
    *out = buf;
    return n;
}

/*
 * A font file's bytes, at most SK_TEXT_FONT_FILE_MAX: gzip data is
 * inflated into *inflated (the caller frees it), *data and *len then
 * being its; *gz says which. Returns 0, or -1 with err set.
 */
static int font_bytes(const uint8_t **data, size_t *len, uint8_t **inflated, int *gz, char *err,
                      size_t errlen)
{
    if (*len > SK_TEXT_FONT_FILE_MAX) {
        sk_set_err(err, errlen, "larger than %d bytes", SK_TEXT_FONT_FILE_MAX);
        return -1;
    }
    *gz = *len >= 2 && (*data)[0] == 0x1F && (*data)[1] == 0x8B;
    if (*gz) {
        long n = gunzip(*data, *len, inflated, err, errlen);
        if (n < 0) {
            return -1;
        }
        *data = *inflated;
        *len = (size_t)n;
    }
    return 0;
}

/* Whether bytes start as a PSF1 or PSF2 font does. */
static int psf_magic(const uint8_t *d, size_t len)
{
    return (len >= 2 && d[0] == 0x36 && d[1] == 0x04) ||
           (len >= 4 && d[0] == 0x72 && d[1] == 0xB5 && d[2] == 0x4A && d[3] == 0x86);
}

int sk_text_font_parse(const uint8_t *data, size_t len, struct sk_text_font out[3], char *err,
                       size_t errlen)
{
    uint8_t *inflated = NULL;
    int gz = 0;
    if (font_bytes(&data, &len, &inflated, &gz, err, errlen) != 0) {
        return -1;
    }
    int n = 0;
    if (len >= 4 && memcmp(data, "FILE", 4) == 0) {
        n = pf2_parse(data, len, gz, &out[0], err, errlen);
    } else if (psf_magic(data, len)) {
        n = psf_parse(data, len, gz, &out[0], NULL, err, errlen);
    } else if (len == RAW_8X16) {
        out[0].width = 8;
        out[0].height = 16;
        out[0].mapped = 256;
        out[0].format = FORMAT("raw 8x16", gz);
        memcpy(out[0].rows, data, RAW_8X16);
        n = 1;
    } else if (gz) {
        /* A ROM is searched byte by byte: not through a gzip bomb's megabyte. */
        sk_set_err(err, errlen, "gzip data that is neither a PSF or PF2 font nor a raw 8x16 font");
        n = -1;
    } else {
        static const unsigned heights[] = {16, 14, 8};
        size_t rom_len = SK_MIN(len, (size_t)ROM_SEARCH_MAX);
        for (int i = 0; i < 3; i++) {
            if (sk_textrec_find_rom_font(data, rom_len, heights[i], out[n].rows) == 0) {
                out[n].width = 8;
                out[n].height = heights[i];
                out[n].mapped = 256;
                out[n].format = "VGA BIOS ROM";
                n++;
            }
        }
        if (n == 0) {
            sk_set_err(err, errlen,
                       "neither a raw 8x16 font (4096 bytes), a PSF or GRUB PF2 font nor a VGA "
                       "BIOS ROM with a font");
            n = -1;
        }
    }
    free(inflated);
    return n;
}

int sk_text_font_load(const char *path, struct sk_text_font out[3], char *err, size_t errlen)
{
    char *data;
    size_t len;
    if (sk_read_file(path, SK_TEXT_FONT_FILE_MAX, &data, &len, err, errlen) != 0) {
        return -1;
    }
    char why[256];
    int n = sk_text_font_parse((const uint8_t *)data, len, out, why, sizeof(why));
    if (n < 0) {
        sk_set_err(err, errlen, "%s: %s", path, why);
    }
    free(data);
    return n;
}

int sk_text_console_font_parse(const uint8_t *data, size_t len, struct sk_text_font *out,
                               uint8_t drawn[256], char *err, size_t errlen)
{
    uint8_t *inflated = NULL;
    int gz = 0;
    if (font_bytes(&data, &len, &inflated, &gz, err, errlen) != 0) {
        return -1;
    }
    int rc = -1;
    if (psf_magic(data, len)) {
        rc = psf_parse(data, len, gz, out, drawn, err, errlen) == 1 ? 0 : -1;
    } else {
        sk_set_err(err, errlen, "not a PSF font");
    }
    free(inflated);
    return rc;
}

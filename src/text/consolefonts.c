/*
 * consolefonts: reads the system's Linux console fonts into faces for the
 * text recogniser (see consolefonts.h): one PSF file after another, in
 * name order, each merged into its face's font.
 */
#include "text/consolefonts.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "text/fontfile.h"
#include "text/textrec.h"

_Static_assert(SK_TEXT_FONT_MIN_W == SK_TEXTREC_CONSOLE_MIN_W &&
                   SK_TEXT_FONT_MAX_W == SK_TEXTREC_CONSOLE_MAX_W &&
                   SK_TEXT_FONT_MAX_H == SK_TEXTREC_CONSOLE_MAX_H,
               "the recogniser takes every console font read");

/* A console font file is a few KB; anything bigger there is not one. */
#define FILE_MAX (256 * 1024)

struct face {
    char name[32], family[32];
    unsigned files;
    uint8_t drawn[256];
    struct sk_text_font font;
};

struct sk_consolefonts {
    unsigned count;
    struct face *face[SK_CONSOLEFONTS_FACES_MAX];
};

static int ends_with(const char *s, size_t len, const char *end, size_t *cut)
{
    size_t n = strlen(end);
    if (len >= n && memcmp(s + len - n, end, n) == 0) {
        *cut = len - n;
        return 1;
    }
    return 0;
}

int sk_consolefonts_name(const char *file, char *face, size_t face_len, char *family,
                         size_t family_len)
{
    size_t len = strlen(file), cut = len;
    if (ends_with(file, len, ".gz", &cut)) {
        len = cut;
    }
    if (!ends_with(file, len, ".psf", &cut) && !ends_with(file, len, ".psfu", &cut)) {
        return -1;
    }
    len = cut;
    /* console-setup's CHARSET-FACE: the face is after the dash, when it starts with a letter. */
    const char *dash = memchr(file, '-', len);
    const char *start = file;
    if (dash != NULL && dash + 1 < file + len && isalpha((unsigned char)dash[1])) {
        start = dash + 1;
    }
    size_t n = (size_t)(file + len - start);
    if (n == 0 || n >= face_len || n >= family_len) {
        return -1;
    }
    /* The family names a cell shape ("grid 8x18 Fixed") that a client is shown: letters, digits,
     * '-' and '_' only. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)start[i];
        if (!isalnum(c) && c != '-' && c != '_') {
            return -1;
        }
    }
    memcpy(face, start, n);
    face[n] = '\0';
    /* The family: up to the size, less a weight or variant. */
    size_t f = 0;
    while (f < n && !isdigit((unsigned char)face[f])) {
        f++;
    }
    static const char *const variants[] = {"BoldVGA", "Bold", "Classic"};
    for (size_t i = 0; i < SK_ARRAY_LEN(variants); i++) {
        size_t v = strlen(variants[i]);
        if (f > v && memcmp(face + f - v, variants[i], v) == 0) {
            f -= v;
            break;
        }
    }
    if (f == 0) {
        f = n; /* all digits: the face is its own family */
    }
    memcpy(family, face, f);
    family[f] = '\0';
    return 0;
}

/* Merge font (drawn where drawn[] says) into the face of that name and size; 0 or -1 (full). */
static int merge(struct sk_consolefonts *cf, const char *name, const char *family,
                 const struct sk_text_font *font, const uint8_t drawn[256])
{
    struct face *fc = NULL;
    for (unsigned i = 0; i < cf->count && fc == NULL; i++) {
        if (strcmp(cf->face[i]->name, name) == 0 && cf->face[i]->font.height == font->height &&
            cf->face[i]->font.width == font->width) {
            fc = cf->face[i];
        }
    }
    if (fc == NULL) {
        if (cf->count >= SK_CONSOLEFONTS_FACES_MAX) {
            return -1;
        }
        fc = xcalloc(1, sizeof(*fc));
        snprintf(fc->name, sizeof(fc->name), "%s", name);
        snprintf(fc->family, sizeof(fc->family), "%s", family);
        fc->font.width = font->width;
        fc->font.height = font->height;
        fc->font.format = font->format;
        cf->face[cf->count++] = fc;
    }
    size_t h = (size_t)font->height * SK_TEXT_FONT_ROW_BYTES(font->width);
    for (unsigned c = 0; c < 256; c++) {
        if (drawn[c] && !fc->drawn[c]) {
            memcpy(fc->font.rows + c * h, font->rows + c * h, h);
            fc->drawn[c] = 1;
            fc->font.mapped++;
        }
    }
    fc->files++;
    return 0;
}

/* Faces in the order they teach: by family, height and width, the plainest name (normal weight)
 * first. */
static int face_order(const void *a, const void *b)
{
    const struct face *x = *(const struct face *const *)a, *y = *(const struct face *const *)b;
    int c = strcmp(x->family, y->family);
    if (c != 0) {
        return c;
    }
    if (x->font.height != y->font.height) {
        return x->font.height < y->font.height ? -1 : 1;
    }
    if (x->font.width != y->font.width) {
        return x->font.width < y->font.width ? -1 : 1;
    }
    size_t lx = strlen(x->name), ly = strlen(y->name);
    if (lx != ly) {
        return lx < ly ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

struct sk_consolefonts *sk_consolefonts_load(const char *dir, unsigned *skipped, char *err,
                                             size_t errlen)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, alphasort);
    if (n < 0) {
        sk_set_err(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    struct sk_consolefonts *cf = xcalloc(1, sizeof(*cf));
    struct sk_text_font *font = xmalloc(sizeof(*font));
    unsigned passed = 0;
    for (int i = 0; i < n; i++) {
        char face[32], family[32];
        if (i >= SK_CONSOLEFONTS_FILES_MAX ||
            sk_consolefonts_name(list[i]->d_name, face, sizeof(face), family, sizeof(family)) !=
                0) {
            passed += list[i]->d_name[0] != '.';
            continue;
        }
        char path[4096], why[256];
        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        char *data = NULL;
        size_t len = 0;
        uint8_t drawn[256];
        /* A regular file only: a FIFO or a device named so would block the start, or worse. */
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
            sk_read_file(path, FILE_MAX, &data, &len, why, sizeof(why)) != 0 ||
            sk_text_console_font_parse((const uint8_t *)data, len, font, drawn, why, sizeof(why)) !=
                0 ||
            merge(cf, face, family, font, drawn) != 0) {
            passed++;
        }
        free(data);
    }
    for (int i = 0; i < n; i++) {
        free(list[i]);
    }
    free(list);
    free(font);
    qsort(cf->face, cf->count, sizeof(cf->face[0]), face_order);
    if (skipped != NULL) {
        *skipped = passed;
    }
    return cf;
}

void sk_consolefonts_free(struct sk_consolefonts *cf)
{
    if (cf) {
        for (unsigned i = 0; i < cf->count; i++) {
            free(cf->face[i]);
        }
        free(cf);
    }
}

unsigned sk_consolefonts_count(const struct sk_consolefonts *cf)
{
    return cf ? cf->count : 0;
}

void sk_consolefonts_face(const struct sk_consolefonts *cf, unsigned i, struct sk_consolefont *out)
{
    const struct face *fc = cf->face[i];
    *out = (struct sk_consolefont){fc->name,        fc->family,    fc->font.width,
                                   fc->font.height, fc->font.rows, fc->files};
}

unsigned sk_consolefonts_teach(const struct sk_consolefonts *cf, struct sk_textrec *tr)
{
    unsigned taken = 0;
    for (unsigned i = 0; i < sk_consolefonts_count(cf); i++) {
        const struct face *fc = cf->face[i];
        taken += sk_textrec_add_console_font(tr, fc->family, fc->font.rows, fc->font.width,
                                             fc->font.height) == 1;
    }
    return taken;
}

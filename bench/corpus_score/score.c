/*
 * score: the text recogniser on the text corpus (bench/corpus/gen.py's
 * build/textcorpus), no font option given. For each frame of the
 * MANIFEST, at native size and 1920x1080, JPEG q75 4:2:0: whether it is
 * called text, the share of cells whose character is right (the
 * recogniser's grid aligned to the truth's at the offset that fits best)
 * and of non-blank cells, and the CPU time of the first run. Sums per
 * family, split and size.
 *
 *   score CORPUS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../textscreens/screens.h"
#include "text/font8x16.h"
#include "video/jpeg.h"

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

struct truth {
    unsigned cols, rows;
    unsigned *u; /* rows x cols code points */
};

static int load_truth(const char *path, struct truth *t)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    char line[65536];
    t->cols = t->rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "grid ", 5)) {
            sscanf(line + 5, "%u %u", &t->cols, &t->rows);
        } else if (!strncmp(line, "cells", 5)) {
            break;
        }
    }
    t->u = calloc((size_t)t->cols * t->rows, sizeof(unsigned));
    for (unsigned r = 0; r < t->rows && fgets(line, sizeof line, f); r++) {
        char *p = line;
        for (unsigned c = 0; c < t->cols; c++) {
            t->u[r * t->cols + c] = (unsigned)strtoul(p, &p, 16);
            p = strchr(p, ' ');
            if (!p) {
                break;
            }
            p++;
        }
    }
    fclose(f);
    return 0;
}

static void score(const struct truth *t, const struct sk_textrec_result *r, unsigned *right,
                  unsigned *nb, unsigned *nb_right)
{
    *right = *nb_right = 0;
    *nb = 0;
    for (unsigned i = 0; i < t->cols * t->rows; i++) {
        *nb += t->u[i] != 0x20;
    }
    if (!r->cells) {
        return;
    }
    /* The truth's grid lies within the recogniser's, give or take a cell or two. */
    for (int oy = -2; oy <= (int)r->rows - (int)t->rows + 2; oy++) {
        for (int ox = -2; ox <= (int)r->cols - (int)t->cols + 2; ox++) {
            unsigned a = 0, b = 0;
            for (unsigned y = 0; y < t->rows; y++) {
                for (unsigned x = 0; x < t->cols; x++) {
                    int ry = oy + (int)y, rx = ox + (int)x;
                    unsigned want = t->u[y * t->cols + x], got = 0x20;
                    if (ry >= 0 && rx >= 0 && ry < (int)r->rows && rx < (int)r->cols) {
                        const struct sk_textrec_cell *c = &r->cells[ry * r->cols + rx];
                        got = c->ch == 0xFF ? 0x20 : sk_textrec_cell_unicode(c);
                    }
                    a += got == want;
                    b += got == want && want != 0x20;
                }
            }
            if (a > *right) {
                *right = a;
                *nb_right = b;
            }
        }
    }
}

static int load_jpeg(const char *path, struct sk_image *img)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    static uint8_t buf[8 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct sk_jpeg_dec *d = sk_jpeg_dec_new();
    int rc = sk_jpeg_decode(d, buf, n, SK_JPEG_MAX_SIDE, SK_JPEG_MAX_SIDE, img);
    sk_jpeg_dec_free(d);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: score CORPUS_DIR\n");
        return 2;
    }
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/MANIFEST", argv[1]);
    FILE *m = fopen(path, "r");
    if (!m) {
        perror(path);
        return 1;
    }
    while (fgets(line, sizeof line, m)) {
        char name[256], fam[64], font[64], split[32];
        if (line[0] == '#' || sscanf(line, "%255s %63s %63s %31s", name, fam, font, split) != 4) {
            continue;
        }
        struct truth t;
        snprintf(path, sizeof path, "%s/%s.truth", argv[1], name);
        if (load_truth(path, &t) != 0) {
            continue;
        }
        static const char *const sizes[] = {"lossless", "native", "1920x1080"};
        for (int k = 0; k < 3; k++) {
            struct sk_image img = {0};
            int rc;
            if (k == 0) {
                snprintf(path, sizeof path, "%s/%s.ppm.gz", argv[1], name);
                rc = ts_load_ppm_gz(path, &img);
            } else {
                snprintf(path, sizeof path, "%s/jpeg/%s-%s-q75-420.jpg", argv[1], name, sizes[k]);
                rc = load_jpeg(path, &img);
            }
            if (rc != 0) {
                continue;
            }
            struct sk_textrec *tr = sk_textrec_new();
            struct sk_textrec_result r;
            double t0 = cpu();
            sk_textrec_run(tr, &img, &r);
            double first = cpu() - t0;
            t0 = cpu();
            sk_textrec_run(tr, &img, &r);
            double steady = cpu() - t0;
            unsigned right, nb, nbr;
            score(&t, &r, &right, &nb, &nbr);
            printf("%s %s %s %s %s %s %ux%u %.2f %.2f %.1f %.1f\n", fam, split, sizes[k], name,
                   r.is_text ? "text" : "NOT", r.mode ? r.mode : "-", r.cols, r.rows,
                   100.0 * right / (t.cols * t.rows), nb ? 100.0 * nbr / nb : 100.0, first * 1e3,
                   steady * 1e3);
            fflush(stdout);
            sk_textrec_free(tr);
            sk_image_free(&img);
        }
        free(t.u);
    }
    fclose(m);
    return 0;
}

/*
 * textcorpus: the text recogniser against the generated corpus of real
 * screens (bench/corpus/gen.py writes it; build/textcorpus by default),
 * with no font given to it.
 *
 * For every frame of the corpus's MANIFEST and every JPEG of it (native,
 * 1280x720 and 1920x1080; quality 50, 75, 90; 4:2:0 and 4:2:2) it runs
 * the recogniser twice as a session would meet the frame: fresh (the
 * first frame of a new geometry: the mode searched) and again with the
 * mode known (the steady state; the median of --reps runs). It scores
 * every true cell against the recognised cell that covers the true cell's
 * centre (the recogniser's grid where it says it lies: its origin and
 * pitch in the frame's pixels):
 *   chars    the share of cells whose character is right (a blank is right
 *            as any blank);
 *   nonblank the same over the cells whose truth draws ink;
 *   colours  the share of cells whose background, and foreground where the
 *            cell draws ink, are within 48 a channel of the truth's RGB, as
 *            the recogniser gives them (sk_textrec_cell_rgb: the entries of
 *            the palette it found the screen on, else the colours measured);
 *   palette  (at the end) the palette the recogniser said each frame called
 *            text is on (screen --text --json's "palette"), against the one
 *            its truth is drawn in;
 *   unsure   (q75 totals) the share of the cells read in frames called text
 *            that the recogniser marks unsure (conf below SK_TEXTREC_SURE,
 *            what screen --text --json lists), and "of wrong" the share of
 *            the wrong ones among those that it marks: how far a reading it
 *            does not mark can be trusted;
 * a frame the recogniser calls "not text" scores 0 on every cell (the
 * console shows it as character art). The cursor's cell is not scored.
 * It prints one row per split (tune, held out), family, size, quality and
 * subsampling, with the mean ms a frame cold and warm, and the totals per
 * split, family and size at q75.
 *
 *   build/bench/textcorpus [--corpus DIR] [--reps N] [--write DIR] [--only SUBSTR] [--font FILE]...
 *                          [--font-dir DIR|none] [--read-max WxH] [--geometry] [--digest]
 *
 * Each JPEG is decoded as screen --text and the console decode a frame:
 * whole up to SK_TEXTREC_READ_W x SK_TEXTREC_READ_H, else at the smallest
 * DCT scale that covers that. --read-max WxH: at the smallest scale that
 * covers WxH instead (to measure what another read size would give).
 * --font FILE: add a --text-font file's fonts first (to compare with a font
 * given by hand; the figures the docs give are without).
 * --font-dir DIR: the console fonts read at run time, as sshkvm's
 * --text-font-dir (default /usr/share/consolefonts, as sshkvm's, which
 * reads without it when it is missing; none: the built-in tables alone,
 * as before session 21).
 * --write DIR: the recognised text of each q75 4:2:0 frame as
 * DIR/NAME-SIZE.ours.txt (for bench/bench_textcorpus.sh's comparison with
 * Tesseract on the same frames). --geometry: for each q75 4:2:0 frame, a
 * line on stderr with the grid of the reading scored (the last warm run's,
 * in the geometry the cold search found: mode or found grid, cells,
 * origin, pitch, misfit, text or not, and how many of its drawn cells
 * were not read right: read wrong, or outside the grid read), starting
 * with the frame's split, so
 * that `grep -v ^heldout` keeps held-out frames out of sight while tuning.
 * --digest: for every JPEG, a line on stderr with a hash of all that the
 * cold run and the last warm run gave (the grid, its place and figures,
 * the palette and every cell's character, colours, measured colours and
 * conf), to show that a change which should read alike (a faster search)
 * does: two trees' lines compare with diff.
 * Exits 1 when the corpus cannot be read or holds no frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "stats.h"
#include "text/consolefonts.h"
#include "text/font8x16.h"
#include "text/fontfile.h"
#include "text/textrec.h"
#include "video/image.h"
#include "video/jpeg.h"

#define MAX_CELLS (SK_TEXTREC_MAX_COLS * SK_TEXTREC_MAX_ROWS)
#define MAX_REPS 200

struct truth_cell {
    unsigned code;
    uint8_t fg[3], bg[3];
};

struct truth {
    char family[32], font[64], split[16], palette[16];
    unsigned w, h, cols, rows, cw, ch, x0, y0;
    int cur_col, cur_row;
    struct truth_cell *cells;
};

static const char *sizes[] = {"native", "1280x720", "1920x1080"};
static const int qualities[] = {50, 75, 90};
static const char *subs[] = {"420", "422"};
#define N_SIZES 3
#define N_Q 3
#define N_SUB 2

/*
 * The palettes the recogniser said the frames called text are on, by the
 * palette the truth is drawn in (EDK2's "efi"; the VGA's, Linux's and
 * GRUB's are the VGA's 16): [truth efi?][SK_TEXTREC_RGB, _VGA16, _EFI16].
 */
static unsigned long verdicts[2][3];

/* One row of the table: a split, family, size, quality, subsampling. */
struct row {
    char split[16], family[32];
    int size, q, sub;
    unsigned frames, texts;
    unsigned long cells, chars, nonblank, nonblank_right, colours;
    unsigned long read, unsure, wrong, wrong_unsure; /* cells of frames called text */
    double cold_ms, warm_ms;
};

#define MAX_ROWS 512
static struct row rows[MAX_ROWS];
static unsigned n_rows;

static struct row *row_for(const char *split, const char *family, int size, int q, int sub)
{
    for (unsigned i = 0; i < n_rows; i++) {
        struct row *r = &rows[i];
        if (!strcmp(r->split, split) && !strcmp(r->family, family) && r->size == size &&
            r->q == q && r->sub == sub) {
            return r;
        }
    }
    if (n_rows == MAX_ROWS) {
        fprintf(stderr, "textcorpus: too many rows\n");
        exit(1);
    }
    struct row *r = &rows[n_rows++];
    memset(r, 0, sizeof(*r));
    snprintf(r->split, sizeof(r->split), "%s", split);
    snprintf(r->family, sizeof(r->family), "%s", family);
    r->size = size;
    r->q = q;
    r->sub = sub;
    return r;
}

/* Read DIR/NAME.truth (the format of bench/corpus/gen.py's README). Returns 0 or -1. */
static int load_truth(const char *path, struct truth *t)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return -1;
    }
    memset(t, 0, sizeof(*t));
    char line[256];
    int ok = 0;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "cells", 5)) {
            ok = 1;
            break;
        }
        sscanf(line, "family %31s", t->family);
        sscanf(line, "font %63s", t->font);
        sscanf(line, "split %15s", t->split);
        sscanf(line, "palette %15s", t->palette);
        sscanf(line, "frame %u %u", &t->w, &t->h);
        sscanf(line, "grid %u %u %u %u %u %u", &t->cols, &t->rows, &t->cw, &t->ch, &t->x0, &t->y0);
        sscanf(line, "cursor %d %d", &t->cur_col, &t->cur_row);
    }
    if (!ok || !t->cols || !t->rows || t->cols * t->rows > MAX_CELLS || !t->w || !t->h) {
        fclose(f);
        return -1;
    }
    t->cells = calloc((size_t)t->cols * t->rows, sizeof(*t->cells));
    for (unsigned i = 0; i < t->cols * t->rows && ok; i++) {
        unsigned u, fg, bg;
        ok = fscanf(f, " %x:%6x:%6x", &u, &fg, &bg) == 3;
        t->cells[i] = (struct truth_cell){u,
                                          {(uint8_t)(fg >> 16), (uint8_t)(fg >> 8), (uint8_t)fg},
                                          {(uint8_t)(bg >> 16), (uint8_t)(bg >> 8), (uint8_t)bg}};
    }
    fclose(f);
    return ok ? 0 : -1;
}

static int blank_code(unsigned u)
{
    return u == 0x20 || u == 0 || u == 0xA0 || u == 0x3000;
}

static int near(const uint8_t a[3], const uint8_t b[3])
{
    for (int i = 0; i < 3; i++) {
        if (abs((int)a[i] - (int)b[i]) > 48) {
            return 0;
        }
    }
    return 1;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Score r against t on a frame of fw x fh pixels; adds to row. */
static void score(const struct truth *t, const struct sk_textrec_result *r, unsigned fw,
                  unsigned fh, struct row *row)
{
    for (unsigned y = 0; y < t->rows; y++) {
        for (unsigned x = 0; x < t->cols; x++) {
            if ((int)x == t->cur_col && (int)y == t->cur_row) {
                continue;
            }
            const struct truth_cell *tc = &t->cells[y * t->cols + x];
            int ink = !blank_code(tc->code) &&
                      !(tc->fg[0] == tc->bg[0] && tc->fg[1] == tc->bg[1] && tc->fg[2] == tc->bg[2]);
            row->cells++;
            row->nonblank += (unsigned long)ink;
            if (!r->is_text || !r->cols || !r->rows || !r->mode_w || !r->mode_h) {
                continue;
            }
            /*
             * The true cell's centre in the frame, then the recognised cell
             * under it: the grid where the recogniser says it lies (a grid
             * found at an origin, such as GRUB's 10-pixel border or UEFI's
             * centred 80x25, is not stretched over the whole frame).
             */
            double cx = (t->x0 + (x + 0.5) * t->cw) * fw / t->w;
            double cy = (t->y0 + (y + 0.5) * t->ch) * fh / t->h;
            double fc = (cx - r->origin_x) / r->pitch_x, fr = (cy - r->origin_y) / r->pitch_y;
            if (fc < 0 || fr < 0 || fc >= r->cols || fr >= r->rows) {
                continue;
            }
            unsigned rc = (unsigned)fc, rr = (unsigned)fr;
            const struct sk_textrec_cell *c = &r->cells[rr * r->cols + rc];
            unsigned got = sk_textrec_cell_unicode(c);
            int right = ink ? got == tc->code : blank_code(got) || c->fg == c->bg;
            row->chars += (unsigned long)right;
            row->nonblank_right += (unsigned long)(ink && right);
            row->read++;
            row->unsure += (unsigned long)(c->conf < SK_TEXTREC_SURE);
            row->wrong += (unsigned long)!right;
            row->wrong_unsure += (unsigned long)(!right && c->conf < SK_TEXTREC_SURE);
            uint8_t fg[3], bg[3]; /* as screen --text --json and the console give them */
            sk_textrec_cell_rgb(r, c, fg, bg);
            int col_ok = near(bg, tc->bg) && (!ink || near(fg, tc->fg));
            row->colours += (unsigned long)col_ok;
        }
    }
}

static void print_row(const struct row *r, const char *label)
{
    printf("%-8s %-11s %-9s %-6s %7.2f%% %7.2f%% %7.2f%% %4u/%-4u %8.2f %8.2f %7.2f%% %7.1f%%\n",
           r->split, r->family, label, "", r->cells ? 100.0 * r->chars / r->cells : 0,
           r->nonblank ? 100.0 * r->nonblank_right / r->nonblank : 0,
           r->cells ? 100.0 * r->colours / r->cells : 0, r->texts, r->frames,
           r->frames ? r->cold_ms / r->frames : 0, r->frames ? r->warm_ms / r->frames : 0,
           r->read ? 100.0 * r->unsure / r->read : 0,
           r->wrong ? 100.0 * r->wrong_unsure / r->wrong : 0);
}

static void add(struct row *to, const struct row *from)
{
    to->frames += from->frames;
    to->texts += from->texts;
    to->cells += from->cells;
    to->chars += from->chars;
    to->nonblank += from->nonblank;
    to->nonblank_right += from->nonblank_right;
    to->colours += from->colours;
    to->read += from->read;
    to->unsure += from->unsure;
    to->wrong += from->wrong;
    to->wrong_unsure += from->wrong_unsure;
    to->cold_ms += from->cold_ms;
    to->warm_ms += from->warm_ms;
}

/* FNV-1a, 64 bits, over len bytes at p, from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ b[i]) * 0x100000001B3ull;
    }
    return h;
}

/* --digest's hash of r: its fields one by one (a struct's padding is not data). */
static uint64_t result_digest(const struct sk_textrec_result *r)
{
    uint64_t h = 0xCBF29CE484222325ull;
    const int ints[] = {r->is_text, r->cursor_col, r->cursor_row, r->palette, r->searched};
    const unsigned uns[] = {r->cols,   r->rows,        r->cell_w,  r->cell_h,  r->mode_w,
                            r->mode_h, r->glyph_cells, r->refined, r->image_w, r->image_h};
    const double dbl[] = {r->confidence, r->misfit,  r->origin_x,
                          r->origin_y,   r->pitch_x, r->pitch_y};
    h = fnv(h, ints, sizeof(ints));
    h = fnv(h, uns, sizeof(uns));
    h = fnv(h, dbl, sizeof(dbl));
    h = fnv(h, r->mode ? r->mode : "", r->mode ? strlen(r->mode) : 0);
    for (size_t i = 0; r->cells && i < (size_t)r->cols * r->rows; i++) {
        const struct sk_textrec_cell *c = &r->cells[i];
        const uint8_t b[] = {c->ch,
                             c->fg,
                             c->bg,
                             c->conf,
                             c->fg_rgb[0],
                             c->fg_rgb[1],
                             c->fg_rgb[2],
                             c->bg_rgb[0],
                             c->bg_rgb[1],
                             c->bg_rgb[2],
                             (uint8_t)(c->unicode & 0xFF),
                             (uint8_t)(c->unicode >> 8)};
        h = fnv(h, b, sizeof(b));
    }
    return h;
}

/* --geometry's line for one frame: where r's grid lies, its split first. */
static void print_geometry(const char *split, const char *name, const char *size,
                           const struct sk_textrec_result *r, const struct row *one)
{
    fprintf(stderr,
            "%s geometry %s %s: %s, %ux%u cells, origin %.2f,%.2f, pitch %.3f,%.3f, misfit %.4f, "
            "%s, drawn cells wrong %lu of %lu\n",
            split, name, size, r->mode ? r->mode : "none", r->cols, r->rows, r->origin_x,
            r->origin_y, r->pitch_x, r->pitch_y, r->misfit, r->is_text ? "text" : "not text",
            one->nonblank - one->nonblank_right, one->nonblank);
}

int main(int argc, char **argv)
{
    const char *corpus = "build/textcorpus", *write_dir = NULL, *only = NULL;
    const char *fonts[SK_TEXT_FONT_FILES_MAX];
    const char *font_dir = SK_CONSOLEFONTS_DIR;
    unsigned nfonts = 0, read_w = SK_TEXTREC_READ_W, read_h = SK_TEXTREC_READ_H;
    int reps = sk_bench_smoke() ? 1 : 3;
    int geometry = 0, digest = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--corpus") && i + 1 < argc) {
            corpus = argv[++i];
        } else if (!strcmp(argv[i], "--write") && i + 1 < argc) {
            write_dir = argv[++i];
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--font") && i + 1 < argc && nfonts < SK_TEXT_FONT_FILES_MAX) {
            fonts[nfonts++] = argv[++i];
        } else if (!strcmp(argv[i], "--font-dir") && i + 1 < argc) {
            font_dir = argv[++i];
        } else if (!strcmp(argv[i], "--read-max") && i + 1 < argc) {
            if (sscanf(argv[++i], "%ux%u", &read_w, &read_h) != 2 || !read_w || !read_h) {
                fprintf(stderr, "textcorpus: --read-max wants WxH, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--geometry")) {
            geometry = 1;
        } else if (!strcmp(argv[i], "--digest")) {
            digest = 1;
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            reps = reps < 1 ? 1 : reps > MAX_REPS ? MAX_REPS : reps;
        } else {
            fprintf(stderr,
                    "usage: %s [--corpus DIR] [--reps N] [--write DIR] [--only SUBSTR] "
                    "[--font FILE]... [--font-dir DIR|none] [--read-max WxH] [--geometry] "
                    "[--digest]\n",
                    argv[0]);
            return 2;
        }
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/MANIFEST", corpus);
    FILE *man = fopen(path, "r");
    if (!man) {
        fprintf(stderr, "textcorpus: no %s (bench/corpus/gen.py makes it)\n", path);
        return 1;
    }
    struct sk_textrec *tr = sk_textrec_new();
    for (unsigned i = 0; i < nfonts; i++) {
        struct sk_text_font tf[3];
        char err[256];
        int n = sk_text_font_load(fonts[i], tf, err, sizeof(err));
        if (n < 0) {
            fprintf(stderr, "textcorpus: %s\n", err);
            return 1;
        }
        for (int k = 0; k < n; k++) {
            sk_textrec_add_font(tr, tf[k].rows, tf[k].height);
        }
    }
    unsigned faces = 0;
    if (strcmp(font_dir, "none") != 0) {
        char err[256];
        struct sk_consolefonts *cf = sk_consolefonts_load(font_dir, NULL, err, sizeof(err));
        if (cf == NULL && strcmp(font_dir, SK_CONSOLEFONTS_DIR) != 0) {
            fprintf(stderr, "textcorpus: --font-dir %s\n", err);
            return 1;
        }
        if (cf == NULL) { /* as sshkvm: the built-in tables alone, said in the header */
            fprintf(stderr, "textcorpus: %s; the built-in fonts alone\n", err);
            font_dir = "none (missing)";
        }
        faces = sk_consolefonts_teach(cf, tr);
        sk_consolefonts_free(cf);
    }
    struct sk_jpeg_dec *dec = sk_jpeg_dec_new();
    struct sk_image img = {0};
    unsigned frames = 0;
    char line[512];
    printf("corpus %s, %s, console fonts %s (%u faces taken), %d warm runs a frame\n", corpus,
           nfonts ? "fonts given" : "no font given", font_dir, faces, reps);
    while (fgets(line, sizeof(line), man)) {
        char name[128], split[16];
        if (line[0] == '#' || sscanf(line, "%127s %*s %*s %15s", name, split) != 2 ||
            (only && !strstr(name, only))) {
            continue;
        }
        struct truth t;
        snprintf(path, sizeof(path), "%s/%s.truth", corpus, name);
        if (load_truth(path, &t) != 0) {
            fprintf(stderr, "textcorpus: cannot read %s\n", path);
            return 1;
        }
        /* The MANIFEST's split is the one that counts. */
        snprintf(t.split, sizeof(t.split), "%s", split);
        for (int s = 0; s < N_SIZES; s++) {
            for (int q = 0; q < N_Q; q++) {
                for (int b = 0; b < N_SUB; b++) {
                    snprintf(path, sizeof(path), "%s/jpeg/%s-%s-q%d-%s.jpg", corpus, name, sizes[s],
                             qualities[q], subs[b]);
                    size_t len = 0;
                    unsigned jw = 0, jh = 0;
                    uint8_t *jpg = read_file(path, &len);
                    if (!jpg || sk_jpeg_info(jpg, len, &jw, &jh) != 0 ||
                        sk_jpeg_decode(dec, jpg, len, SK_MIN(jw, read_w), SK_MIN(jh, read_h),
                                       &img) != 0) {
                        fprintf(stderr, "textcorpus: cannot read %s\n", path);
                        return 1;
                    }
                    free(jpg);
                    struct sk_textrec_result r;
                    sk_textrec_forget(tr);
                    int64_t u0 = sk_now_us();
                    sk_textrec_run(tr, &img, &r);
                    double cold = (double)(sk_now_us() - u0) / 1000.0;
                    uint64_t cold_digest = digest ? result_digest(&r) : 0;
                    double times[MAX_REPS];
                    for (int k = 0; k < reps; k++) {
                        u0 = sk_now_us();
                        sk_textrec_run(tr, &img, &r);
                        times[k] = (double)(sk_now_us() - u0) / 1000.0;
                    }
                    struct row one = {0}; /* this frame's score, added to its row */
                    score(&t, &r, img.width, img.height, &one);
                    if (geometry && qualities[q] == 75 && b == 0) {
                        print_geometry(t.split, name, sizes[s], &r, &one);
                    }
                    if (digest) {
                        fprintf(stderr, "%s digest %s %s q%d %s: cold %016llx warm %016llx\n",
                                t.split, name, sizes[s], qualities[q], subs[b],
                                (unsigned long long)cold_digest,
                                (unsigned long long)result_digest(&r));
                    }
                    if (r.is_text && r.palette >= SK_TEXTREC_RGB && r.palette <= SK_TEXTREC_EFI16) {
                        verdicts[!strcmp(t.palette, "efi")][r.palette]++;
                    }
                    struct row *row = row_for(t.split, t.family, s, qualities[q], b);
                    row->frames++;
                    row->texts += (unsigned)(r.is_text != 0);
                    row->cold_ms += cold;
                    row->warm_ms += sk_bench_median(times, reps);
                    add(row, &one);
                    if (write_dir && qualities[q] == 75 && b == 0) {
                        char out[1200];
                        snprintf(out, sizeof(out), "%s/%s-%s.ours.txt", write_dir, name, sizes[s]);
                        FILE *o = fopen(out, "w");
                        char *text = r.is_text ? sk_textrec_utf8(&r) : NULL;
                        if (!o) {
                            perror(out);
                            return 1;
                        }
                        fputs(text ? text : "", o);
                        fclose(o);
                        free(text);
                    }
                    frames++;
                }
            }
        }
        free(t.cells);
    }
    fclose(man);
    if (!frames) {
        fprintf(stderr, "textcorpus: no frame in %s\n", corpus);
        return 1;
    }
    printf("%-8s %-11s %-9s %-6s %8s %8s %8s %9s %8s %8s\n", "split", "family", "size", "q/sub",
           "chars", "nonblank", "colours", "text", "ms cold", "ms warm");
    for (int pass = 0; pass < 2; pass++) {
        const char *split = pass ? "heldout" : "tune";
        for (unsigned i = 0; i < n_rows; i++) {
            const struct row *r = &rows[i];
            if (strcmp(r->split, split) != 0) {
                continue;
            }
            char label[32];
            snprintf(label, sizeof(label), "%s", sizes[r->size]);
            printf("%-8s %-11s %-9s q%d/%s %7.2f%% %7.2f%% %7.2f%% %4u/%-4u %8.2f %8.2f\n",
                   r->split, r->family, label, r->q, subs[r->sub], 100.0 * r->chars / r->cells,
                   r->nonblank ? 100.0 * r->nonblank_right / r->nonblank : 0,
                   100.0 * r->colours / r->cells, r->texts, r->frames, r->cold_ms / r->frames,
                   r->warm_ms / r->frames);
        }
    }
    printf("\nat q75 (4:2:0 and 4:2:2 together), per split, family and size (unsure: cells of "
           "frames called text read with conf below SK_TEXTREC_SURE; of wrong: the wrong cells of "
           "those frames so marked):\n");
    printf("%-8s %-11s %-9s %-6s %8s %8s %8s %9s %8s %8s %8s %8s\n", "split", "family", "size", "",
           "chars", "nonblank", "colours", "text", "ms cold", "ms warm", "unsure", "of wrong");
    for (int pass = 0; pass < 2; pass++) {
        const char *split = pass ? "heldout" : "tune";
        for (int s = 0; s < N_SIZES; s++) {
            struct row all = {0};
            snprintf(all.split, sizeof(all.split), "%s", split);
            for (unsigned i = 0; i < n_rows; i++) {
                if (!strcmp(rows[i].split, split) && rows[i].size == s && rows[i].q == 75) {
                    struct row fam = rows[i];
                    /* The 4:2:2 row of the same family joins its 4:2:0 row. */
                    if (rows[i].sub != 0) {
                        continue;
                    }
                    for (unsigned j = 0; j < n_rows; j++) {
                        if (j != i && !strcmp(rows[j].split, split) &&
                            !strcmp(rows[j].family, rows[i].family) && rows[j].size == s &&
                            rows[j].q == 75) {
                            add(&fam, &rows[j]);
                        }
                    }
                    print_row(&fam, sizes[s]);
                    add(&all, &fam);
                }
            }
            if (all.frames) {
                snprintf(all.family, sizeof(all.family), "ALL");
                print_row(&all, sizes[s]);
            }
        }
    }
    for (int efi = 0; efi < 2; efi++) {
        unsigned long n = verdicts[efi][0] + verdicts[efi][1] + verdicts[efi][2];
        printf("palette, frames called text drawn in %s: %lu, said vga16 %lu, efi16 %lu, "
               "neither %lu\n",
               efi ? "EFI's 16 colours" : "the VGA's 16 (VGA, Linux, GRUB)", n, verdicts[efi][1],
               verdicts[efi][2], verdicts[efi][0]);
    }
    printf("columns: chars = cells whose character is right; nonblank = the same over cells with "
           "ink; colours = cells whose colours are right; text = frames called text; ms = mean a "
           "frame, cold (mode searched) and warm (median of %d runs)\n",
           reps);
    sk_jpeg_dec_free(dec);
    sk_image_free(&img);
    sk_textrec_free(tr);
    return 0;
}

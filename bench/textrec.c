/*
 * textrec: how well and how fast the text recogniser reads real text
 * screens back.
 *
 * For each capture in tests/data/text (SeaBIOS, GRUB, a Linux console with
 * colours, a whiptail-like installer screen; see bench/textscreens/), at
 * 720x400 and stretched to 1280x720 and 1920x1080, through JPEG at quality
 * 50, 75 and 90: the share of cells whose character, foreground and
 * background are all right, the frame's verdict (text or not), and the
 * time per frame (the median of --reps runs), both with the mode already
 * known (the steady state of a session) and from a fresh recogniser (the
 * mode searched for), and the slowest frame. With
 * --write DIR it also writes every frame as DIR/NAME-WxH-qQ.ppm, what it read
 * as DIR/NAME-WxH-qQ.ours.txt and the truth as DIR/NAME.truth.txt (UTF-8),
 * for bench/bench_textrec.sh to give the same frames to Tesseract. With
 * --cells it lists each wrong cell. Last, the model fit's own cost a cell
 * (glyphfit over every cell of one frame).
 *
 * The recogniser is taught the fonts of QEMU's VGA BIOS ROM (--rom FILE,
 * "none" for the built-in fonts only), as sshkvm is with --text-font.
 *
 *   build/bench/textrec [--data DIR] [--write DIR] [--rom FILE] [--cells] [--reps N]
 *
 * BENCH_SMOKE=1 in the environment: one run a frame unless --reps says
 * otherwise (make test's check that it runs). A capture that cannot be read
 * or encoded exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/font8x16.h"
#include "stats.h"
#include "text/glyphfit.h"
#include "textscreens/screens.h"
#include "base/util.h"

static const char *names[] = {"seabios", "grub", "linux", "dialog"};
static const unsigned sizes[][2] = {{720, 400}, {1280, 720}, {1920, 1080}};
static const int qualities[] = {50, 75, 90};

/* Cells by confidence (tenths), right and wrong, over the whole run. */
static unsigned long conf_right[11], conf_wrong[11];

static void tally_conf(const struct sk_textrec_result *r, const struct sk_textscreen *t)
{
    if (r->cols != SK_TEXT_COLS || r->rows != SK_TEXT_ROWS) {
        return;
    }
    for (int y = 0; y < SK_TEXT_ROWS; y++) {
        for (int x = 0; x < SK_TEXT_COLS; x++) {
            const struct sk_textrec_cell *c = &r->cells[y * SK_TEXT_COLS + x];
            if (ts_cell_right(c, t->cells[y][x])) {
                conf_right[c->conf / 10]++;
            } else {
                conf_wrong[c->conf / 10]++;
            }
        }
    }
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static void write_ppm(const char *path, const struct sk_image *img)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "P6\n%u %u\n255\n", img->width, img->height);
    for (unsigned y = 0; y < img->height; y++) {
        fwrite(img->pixels + (size_t)y * img->pitch, 3, img->width, f);
    }
    fclose(f);
}

/* Runs timed per frame, at most. */
#define MAX_REPS 1000

/*
 * The model fit's cost a cell: glyphfit over every cell of the Linux screen
 * at 720x400 through q75, with the built-in 8x16 font (256 glyphs). Returns
 * 0, or -1 when the capture cannot be read.
 */
static int fit_cost(const char *data, int reps)
{
    char ppm[512];
    snprintf(ppm, sizeof(ppm), "%s/linux.ppm.gz", data);
    struct sk_image img = {0}, out = {0};
    if (ts_load_ppm_gz(ppm, &img) != 0 || ts_jpeg(&img, 75, &out) != 0) {
        fprintf(stderr, "bench_textrec: cannot read %s\n", ppm);
        return -1;
    }
    struct sk_glyphfit *gf = sk_glyphfit_new(16);
    for (unsigned c = 0; c < 256; c++) {
        sk_glyphfit_add(gf, (uint8_t)c, sk_font8x16[c], SK_GLYPHFIT_NINTH_VGA);
    }
    static int glyph[2000][16 * 8][3], ninth[2000][16][3];
    for (unsigned i = 0; i < 2000; i++) {
        for (unsigned y = 0; y < 16; y++) {
            const uint8_t *p =
                out.pixels + (size_t)(i / 80 * 16 + y) * out.pitch + (i % 80) * 9 * 3;
            for (unsigned x = 0; x < 9; x++) {
                int *d = x < 8 ? glyph[i][y * 8 + x] : ninth[i][y];
                d[0] = p[3 * x];
                d[1] = p[3 * x + 1];
                d[2] = p[3 * x + 2];
            }
        }
    }
    int n = reps > 0 ? reps : 1;
    double times[MAX_REPS];
    for (int k = 0; k < n; k++) {
        uint64_t u0 = sk_now_us();
        for (unsigned i = 0; i < 2000; i++) {
            const struct sk_glyphfit_cell c = {glyph[i], ninth[i], (int)((i % 80 * 9) & 1)};
            struct sk_glyphfit_result r;
            sk_glyphfit_run(gf, &c, &r);
        }
        times[k] = (double)(sk_now_us() - u0) / 2000.0;
    }
    printf("\nmodel fit (glyphfit) alone: %.1f us a cell\n"
           "(median of %d passes over all 2000 cells of linux 720x400 q75, 256 glyphs)\n",
           sk_bench_median(times, n), n);
    sk_glyphfit_free(gf);
    sk_image_free(&img);
    sk_image_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    const char *data = "tests/data/text";
    const char *out_dir = NULL;
    int cells = 0, reps = sk_bench_smoke() ? 1 : 20;
    const char *rom = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (strcmp(argv[i], "--rom") == 0 && i + 1 < argc) {
            rom = argv[++i];
        } else if (strcmp(argv[i], "--cells") == 0) {
            cells = 1;
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = atoi(argv[++i]);
            reps = reps < 0 ? 0 : reps > MAX_REPS ? MAX_REPS : reps;
        } else {
            fprintf(stderr,
                    "usage: %s [--data DIR] [--write DIR] [--rom FILE] [--cells] [--reps N]\n",
                    argv[0]);
            return 2;
        }
    }
    struct sk_image orig = {0}, scaled = {0}, frame = {0};
    struct sk_textrec *warm = sk_textrec_new();
    int rom_fonts = ts_add_rom_fonts(warm, rom);
    printf("fonts: built-in VGA 8x8/8x14/8x16%s\n",
           rom_fonts ? " + the VGA BIOS ROM's (" TS_VGA_ROM ")" : " only (no VGA BIOS ROM found)");
    printf("%-8s %-9s %4s %8s %5s %-12s %6s %6s %6s %9s %9s\n", "screen", "size", "q", "right",
           "text", "mode", "conf", "misfit", "fitted", "ms(warm)", "ms(cold)");
    unsigned long tot_right[3][3] = {{0}}, tot_cells[3][3] = {{0}};
    double tot_ms[3] = {0}, slowest_ms = 0;
    char slowest[64] = "-";
    unsigned tot_n[3] = {0};
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        char ppm[512], txt[512];
        snprintf(ppm, sizeof(ppm), "%s/%s.ppm.gz", data, names[n]);
        snprintf(txt, sizeof(txt), "%s/%s.txt", data, names[n]);
        struct sk_textscreen truth;
        if (ts_load_ppm_gz(ppm, &orig) != 0 || ts_load_truth(txt, &truth) != 0) {
            fprintf(stderr, "bench_textrec: cannot read %s / %s\n", ppm, txt);
            return 1;
        }
        if (out_dir) {
            /* The truth as the recogniser prints a screen. */
            struct sk_textrec_cell tc[SK_TEXT_ROWS * SK_TEXT_COLS];
            for (int i = 0; i < SK_TEXT_ROWS * SK_TEXT_COLS; i++) {
                struct sk_textcell c = truth.cells[i / SK_TEXT_COLS][i % SK_TEXT_COLS];
                tc[i] = (struct sk_textrec_cell){.ch = c.ch,
                                                 .fg = (uint8_t)(c.attr & 15),
                                                 .bg = (uint8_t)(c.attr >> 4),
                                                 .conf = 100};
            }
            struct sk_textrec_result tr = {.cols = SK_TEXT_COLS, .rows = SK_TEXT_ROWS, .cells = tc};
            char *text = sk_textrec_utf8(&tr);
            char path[1024];
            snprintf(path, sizeof(path), "%s/%s.truth.txt", out_dir, names[n]);
            write_text(path, text);
            free(text);
        }
        for (size_t s = 0; s < 3; s++) {
            if (sizes[s][0] == orig.width && sizes[s][1] == orig.height) {
                sk_image_resize(&scaled, orig.width, orig.height);
                memcpy(scaled.pixels, orig.pixels, (size_t)orig.pitch * orig.height);
            } else {
                ts_scale(&orig, sizes[s][0], sizes[s][1], &scaled);
            }
            for (size_t q = 0; q < 3; q++) {
                if (ts_jpeg(&scaled, qualities[q], &frame) != 0) {
                    fprintf(stderr, "bench_textrec: JPEG round trip failed\n");
                    return 1;
                }
                char base[1024];
                snprintf(base, sizeof(base), "%s/%s-%ux%u-q%d", out_dir ? out_dir : ".", names[n],
                         sizes[s][0], sizes[s][1], qualities[q]);
                if (out_dir) {
                    char path[1100];
                    snprintf(path, sizeof(path), "%s.ppm", base);
                    write_ppm(path, &frame);
                }
                struct sk_textrec_result r;
                sk_textrec_run(warm, &frame, &r); /* learns the mode */
                double times[MAX_REPS];
                for (int k = 0; k < reps; k++) {
                    int64_t u0 = sk_now_us();
                    sk_textrec_run(warm, &frame, &r);
                    times[k] = (double)(sk_now_us() - u0) / 1000.0;
                }
                double warm_ms = sk_bench_median(times, reps);
                for (int k = 0; k < reps; k++) {
                    int64_t u0 = sk_now_us();
                    sk_textrec_forget(warm);
                    sk_textrec_run(warm, &frame, &r);
                    times[k] = (double)(sk_now_us() - u0) / 1000.0;
                }
                double cold_ms = sk_bench_median(times, reps);
                sk_textrec_run(warm, &frame, &r);
                unsigned right = ts_right(&r, &truth);
                if (out_dir) {
                    char path[1100];
                    char *text = sk_textrec_utf8(&r);
                    snprintf(path, sizeof(path), "%s.ours.txt", base);
                    write_text(path, text);
                    free(text);
                }
                printf("%-8s %4ux%-4u %4d %7.2f%% %5s %-12s %6.3f %6.3f %6u %9.2f %9.2f\n",
                       names[n], sizes[s][0], sizes[s][1], qualities[q], 100.0 * right / 2000,
                       r.is_text ? "yes" : "NO", r.mode ? r.mode : "-", r.confidence, r.misfit,
                       r.refined, warm_ms, cold_ms);
                if (cells) {
                    ts_print_wrong(stdout, &r, &truth);
                }
                tally_conf(&r, &truth);
                tot_right[s][q] += right;
                tot_cells[s][q] += 2000;
                tot_ms[s] += warm_ms;
                if (warm_ms > slowest_ms) {
                    slowest_ms = warm_ms;
                    snprintf(slowest, sizeof(slowest), "%s %ux%u q%d", names[n], sizes[s][0],
                             sizes[s][1], qualities[q]);
                }
                tot_n[s]++;
            }
        }
    }
    printf("\nall screens: share of cells right (char + fg + bg)\n%-9s", "size");
    for (size_t q = 0; q < 3; q++) {
        printf("      q%d", qualities[q]);
    }
    printf("  ms/frame(warm)\n");
    for (size_t s = 0; s < 3; s++) {
        printf("%4ux%-4u", sizes[s][0], sizes[s][1]);
        for (size_t q = 0; q < 3; q++) {
            printf(" %7.3f%%", 100.0 * tot_right[s][q] / tot_cells[s][q]);
        }
        printf("  %6.2f\n", tot_ms[s] / tot_n[s]);
    }
    printf("slowest frame (warm): %.2f ms, %s\n", slowest_ms, slowest);
    printf("\nper-cell confidence: cells right / wrong in each band\n");
    for (int i = 0; i <= 10; i++) {
        printf("  %3d..%3d  %8lu %8lu\n", i * 10, i == 10 ? 100 : i * 10 + 9, conf_right[i],
               conf_wrong[i]);
    }
    int rc = fit_cost(data, reps / 4) == 0 ? 0 : 1;
    sk_textrec_free(warm);
    sk_image_free(&orig);
    sk_image_free(&scaled);
    sk_image_free(&frame);
    return rc;
}

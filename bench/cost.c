/*
 * cost: one unit of sshkvm's work, repeated, for counting its instructions.
 *
 *   build/bench/cost WHAT REPS [--clip FILE.mjpeg] [--text FILE.ppm.gz]
 *
 * WHAT is one of
 *   art16 art24 half24 text   decode a 1080p JPEG and render it to a 200x60 view in that view
 *                             mode, then diff it against the previous frame's grid (one ssh
 *                             viewer's whole path per frame; --clip, frames taken in turn);
 *                             text reads every frame, as it does frames without a capture time
 *   auto30                    the same in the auto view, the frames captured 1/30 s apart: a
 *                             screen that is not text is read every 250 ms of capture and
 *                             drawn as art between (REPS 64: a full search in 8 reads)
 *   autobig30                 a text screen too big for the view: a 1280x800 console (160x50
 *                             cells, tests/data/text/fbcon-dmesg-fixed16.ppm.gz, JPEG q75) in an
 *                             80x24 auto view at 30 fps, which shows it as art (REPS 64)
 *   text720 text1080          recognise a 720x400 or a 1920x1080 text frame, the mode already
 *                             known (a session's steady state; --text, through JPEG q75)
 *   first720 first1080        the same frame read by a command's new reader on its own (a
 *                             renderer made, its recogniser's fonts built, every mode and
 *                             grid searched, all freed): what each screen --text, wait and
 *                             MCP read cost before the server shared what it found
 *   resumed720 resumed1080    the same, the new reader started from the server's textshare
 *                             (the geometry the warm-up found; the recogniser the warm-up's
 *                             reader gave back, its fonts built): what each costs now
 *   part                      deliver one MJPEG part to one more browser: its header and one
 *                             writev of header, JPEG and trailer (to /dev/null: the kernel's
 *                             copy is not ours to count)
 *   key                       one key typed in the console: the terminal's byte parsed, the
 *                             keymap looked up, a press and a release report built and written
 *
 * Setup and one warm-up run happen first; then measure() runs the unit REPS times and
 * nothing else. bench/bench_cost.sh counts measure()'s instructions with callgrind
 * (--toggle-collect=measure) on x86-64, and under qemu-user the AArch64 build's (the
 * difference between REPS and 0 reps, counted by bench/qemu/insns.c). Prints what it did;
 * exits 1 when a unit fails (a frame that does not decode, a write that fails).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "capture/mjpeg.h"
#include "hid/hid.h"
#include "hid/keymap.h"
#include "http/multipart.h"
#include "term/grid.h"
#include "term/render.h"
#include "term/textshare.h"
#include "term/termkeys.h"
#include "term/view.h"
#include "text/textrec.h"
#include "clip.h"
#include "textscreens/screens.h"
#include "video/frame.h"
#include "video/image.h"
#include "video/jpeg.h"

#define COLS 200
#define ROWS 60

struct job {
    /* The clip's frames, for the view modes and the MJPEG part. */
    struct sk_bench_clip clip;
    struct sk_render_opts ro;
    struct sk_viewcache *vc;
    struct sk_render *r;
    struct sk_jpeg_dec *dec;
    struct sk_grid shown, next;
    struct sk_buf out;
    uint64_t seq;
    unsigned fps;        /* the view units' frames are captured this often (0: no capture time) */
    unsigned cols, rows; /* the view units' cells */
    /* The text frame and its recogniser. */
    struct sk_image img;
    struct sk_textrec *tr;
    struct sk_textshare *share; /* first/resumed: NULL, or the server's */
    /* The MJPEG part's and the key's sink. */
    int null_fd;
    struct sk_keymap *km;
    size_t bytes;
};

typedef int (*unit_fn)(struct job *j, unsigned i);

static int load_clip(struct job *j, const char *path)
{
    return sk_bench_clip_load("cost", path, &j->clip);
}

static int view_unit(struct job *j, unsigned i)
{
    size_t k = i % j->clip.n;
    struct sk_frame *f = sk_frame_new(j->clip.size[k]);
    sk_frame_set_data(f, j->clip.data + j->clip.off[k], j->clip.size[k]);
    f->width = j->clip.width;
    f->height = j->clip.height;
    f->format = SK_FRAME_JPEG;
    f->seq = ++j->seq;
    if (j->fps > 0) {
        f->captured_us = (int64_t)(j->seq * 1000000 / j->fps);
    }
    const struct sk_grid *g = sk_viewcache_get(j->vc, f, j->cols, j->rows, &j->ro, j->dec, j->r);
    if (g == NULL) {
        sk_frame_unref(f);
        return -1;
    }
    sk_grid_copy(&j->next, g);
    sk_viewcache_release(j->vc, g);
    sk_buf_reset(&j->out);
    sk_grid_diff(j->seq == 1 ? NULL : &j->shown, &j->next, 0, &j->out);
    sk_grid_copy(&j->shown, &j->next);
    j->bytes += j->out.len;
    sk_frame_unref(f);
    return 0;
}

static int text_unit(struct job *j, unsigned i)
{
    struct sk_textrec_result res;
    if (sk_textrec_run(j->tr, &j->img, &res) != 0 || !res.is_text) {
        return -1;
    }
    j->bytes += res.glyph_cells;
    return 0;
}

/* autobig30's clip: one JPEG q75 of the console at path. 0, or -1 said. */
static int console_clip(struct job *j, const char *path)
{
    struct sk_image img = {0};
    struct sk_frame *f = sk_frame_new(0);
    struct sk_jpeg_enc *enc = sk_jpeg_enc_new(75);
    int rc = ts_load_ppm_gz(path, &img) == 0 &&
                     sk_jpeg_encode_rgb(enc, img.pixels, img.width, img.height, img.pitch, f) == 0
                 ? 0
                 : -1;
    if (rc == 0) {
        j->clip.data = xmalloc(f->size);
        memcpy(j->clip.data, f->data, f->size);
        j->clip.len = f->size;
        j->clip.off = xcalloc(1, sizeof(*j->clip.off));
        j->clip.size = xmalloc(sizeof(*j->clip.size));
        j->clip.size[0] = f->size;
        j->clip.n = 1;
        j->clip.width = img.width;
        j->clip.height = img.height;
    } else {
        fprintf(stderr, "cost: cannot read %s\n", path);
    }
    sk_jpeg_enc_free(enc);
    sk_frame_unref(f);
    sk_image_free(&img);
    return rc;
}

/* One command's reading of the text frame: a new renderer, its first read, freed. */
static int command_unit(struct job *j, unsigned i)
{
    struct sk_render *r = sk_render_new();
    if (r == NULL) {
        return -1;
    }
    struct sk_textrec_result res;
    sk_render_set_text_share(r, j->share);
    int rc = sk_render_read_text(r, &j->img, &res) == 0 && res.is_text ? 0 : -1;
    if (j->share != NULL && i > 0 && res.searched) {
        rc = -1; /* after the warm-up's search, a resumed unit is a reader started from it */
    }
    if (rc == 0) {
        j->bytes += res.glyph_cells;
    }
    sk_render_free(r);
    return rc;
}

static int part_unit(struct job *j, unsigned i)
{
    size_t k = i % j->clip.n;
    char head[SK_MULTIPART_HEADER_MAX];
    size_t hlen = sk_multipart_header(head, sizeof(head), j->clip.size[k], (int64_t)i * 33333);
    struct iovec iov[3] = {
        {.iov_base = head, .iov_len = hlen},
        {.iov_base = j->clip.data + j->clip.off[k], .iov_len = j->clip.size[k]},
        {.iov_base = (void *)SK_MULTIPART_TRAILER, .iov_len = 2},
    };
    ssize_t n = writev(j->null_fd, iov, 3);
    if (hlen == 0 || n != (ssize_t)(hlen + j->clip.size[k] + 2)) {
        return -1;
    }
    j->bytes += (size_t)n;
    return 0;
}

static int key_unit(struct job *j, unsigned i)
{
    static const char typed[] = "the quick brown fox jumps over the lazy dog";
    uint8_t byte = (uint8_t)typed[i % (sizeof(typed) - 1)];
    struct sk_termkey tk;
    if (sk_termkeys_parse(&byte, 1, 0, &tk) != 1) {
        return -1;
    }
    struct sk_key keys[4];
    int nk = sk_keymap_lookup(j->km, tk.cp, keys, 4);
    if (nk <= 0) {
        return -1;
    }
    for (int s = 0; s < nk; s++) {
        uint8_t held[6] = {keys[s].usage}, none[6] = {0}, report[8];
        sk_hid_keyboard_report(keys[s].mods, held, report);
        if (write(j->null_fd, report, sizeof(report)) != (ssize_t)sizeof(report)) {
            return -1;
        }
        sk_hid_keyboard_report(0, none, report);
        if (write(j->null_fd, report, sizeof(report)) != (ssize_t)sizeof(report)) {
            return -1;
        }
        j->bytes += 2 * sizeof(report);
    }
    return 0;
}

/* What the counters count: REPS units, nothing else. Not inlined, so callgrind can name it. */
__attribute__((noinline)) static int measure(struct job *j, unit_fn fn, unsigned reps)
{
    for (unsigned i = 1; i <= reps; i++) {
        if (fn(j, i) != 0) {
            return -1;
        }
    }
    return 0;
}

static int setup_text(struct job *j, const char *path, unsigned w, unsigned h)
{
    struct sk_image orig = {0}, scaled = {0};
    if (ts_load_ppm_gz(path, &orig) != 0) {
        fprintf(stderr, "cost: cannot read %s\n", path);
        return -1;
    }
    int rc;
    if (orig.width == w && orig.height == h) {
        rc = ts_jpeg(&orig, 75, &j->img);
    } else {
        ts_scale(&orig, w, h, &scaled);
        rc = ts_jpeg(&scaled, 75, &j->img);
    }
    sk_image_free(&orig);
    sk_image_free(&scaled);
    j->tr = sk_textrec_new();
    return rc;
}

int main(int argc, char **argv)
{
    const char *clip = "build/bench-data/cost/1080p.mjpeg";
    const char *text = "tests/data/text/linux.ppm.gz";
    if (argc < 3) {
        fprintf(stderr, "usage: cost WHAT REPS [--clip FILE.mjpeg] [--text FILE.ppm.gz]\n");
        return 2;
    }
    for (int a = 3; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--clip") == 0) {
            clip = argv[a + 1];
        } else if (strcmp(argv[a], "--text") == 0) {
            text = argv[a + 1];
        }
    }
    const char *what = argv[1];
    unsigned reps = (unsigned)strtoul(argv[2], NULL, 10);
    sk_log_set_level(SK_LOG_ERROR);
    struct job j = {.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)};
    unit_fn fn = NULL;
    char err[256] = "";
    static const struct {
        const char *name, *mode, *colors;
        unsigned fps;
    } looks[] = {{"art16", "art", "16", 0},       {"art24", "art", "24bit", 0},
                 {"half24", "half", "24bit", 0},  {"text", "text", "24bit", 0},
                 {"auto30", "auto", "24bit", 30}, {"autobig30", "auto", "24bit", 30}};
    for (size_t l = 0; l < SK_ARRAY_LEN(looks); l++) {
        if (strcmp(what, looks[l].name) == 0) {
            int big = strcmp(what, "autobig30") == 0;
            if (big ? console_clip(&j, "tests/data/text/fbcon-dmesg-fixed16.ppm.gz") != 0
                    : load_clip(&j, clip) != 0) {
                return 1;
            }
            j.cols = big ? 80 : COLS;
            j.rows = big ? 24 : ROWS;
            sk_render_opts_default(&j.ro);
            if (sk_render_opts_set(&j.ro, "mode", looks[l].mode, err, sizeof(err)) != 0 ||
                sk_render_opts_set(&j.ro, "colors", looks[l].colors, err, sizeof(err)) != 0) {
                fprintf(stderr, "cost: %s\n", err);
                return 1;
            }
            j.fps = looks[l].fps;
            j.vc = sk_viewcache_new();
            j.r = sk_render_new();
            j.dec = sk_jpeg_dec_new();
            fn = view_unit;
        }
    }
    if (strcmp(what, "text720") == 0 || strcmp(what, "text1080") == 0) {
        int big = strcmp(what, "text1080") == 0;
        if (setup_text(&j, text, big ? 1920 : 720, big ? 1080 : 400) != 0) {
            return 1;
        }
        fn = text_unit;
    } else if (strncmp(what, "first", 5) == 0 || strncmp(what, "resumed", 7) == 0) {
        const char *size = what + (what[0] == 'f' ? 5 : 7);
        int big = strcmp(size, "1080") == 0;
        if ((!big && strcmp(size, "720") != 0) ||
            setup_text(&j, text, big ? 1920 : 720, big ? 1080 : 400) != 0) {
            fprintf(stderr, "cost: what is %s?\n", what);
            return 1;
        }
        /* The warm-up's read puts what it finds in the share, as a viewer's would. */
        j.share = what[0] == 'r' ? sk_textshare_new() : NULL;
        fn = command_unit;
    } else if (strcmp(what, "part") == 0) {
        if (load_clip(&j, clip) != 0) {
            return 1;
        }
        fn = part_unit;
    } else if (strcmp(what, "key") == 0) {
        j.km = sk_keymap_load("keymaps", "us", err, sizeof(err));
        if (j.km == NULL) {
            fprintf(stderr, "cost: %s\n", err);
            return 1;
        }
        fn = key_unit;
    }
    if (fn == NULL) {
        fprintf(
            stderr,
            "cost: what is %s? (art16 art24 half24 text auto30 autobig30 text720 text1080 first720 "
            "first1080 resumed720 resumed1080 part key)\n",
            what);
        return 2;
    }
    /* The warm-up: the first frame decoded, the mode found, the pages touched. */
    if (j.null_fd < 0 || fn(&j, 0) != 0 || measure(&j, fn, reps) != 0) {
        fprintf(stderr, "cost: %s: a unit failed\n", what);
        return 1;
    }
    printf("cost %s reps=%u bytes=%zu\n", what, reps, j.bytes);
    sk_grid_free(&j.shown);
    sk_grid_free(&j.next);
    sk_buf_free(&j.out);
    sk_render_free(j.r);
    sk_viewcache_free(j.vc);
    sk_jpeg_dec_free(j.dec);
    sk_textrec_free(j.tr);
    sk_textshare_free(j.share);
    sk_image_free(&j.img);
    sk_keymap_free(j.km);
    free(j.clip.data);
    free(j.clip.off);
    free(j.clip.size);
    close(j.null_fd);
    return 0;
}

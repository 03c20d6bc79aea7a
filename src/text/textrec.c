/*
 * textrec: the text-screen recogniser.
 *
 * Owns the packed glyph bitmaps of the three VGA fonts (and, for the VGA's
 * own text modes, the same with the VGA BIOS's glyphs as alternates), of
 * EDK2's (for 8x19 cells, as UEFI firmware draws them), of GRUB's
 * unicode.pf2 (for 8x16 cells, as GRUB's gfxterm draws them, and as
 * console-setup's default Fixed16 does), of console-setup's Terminus16 and
 * of Terminus Font's big sizes (at the pixels of their cells it reads), of
 * the console fonts it is given at run time (the system's, each family and
 * cell size a cell shape of its own: sk_textrec_add_console_font), the mode
 * it found last, and the result's cells. A picture passes through in these
 * steps:
 *
 *  1. For each candidate mode, a sampling map takes every pixel of the
 *     mode's own picture (720x400 for 80x25 9x16) to the point of the frame
 *     it was stretched to, read bilinearly. Only the cells looked at are
 *     sampled, so trying a mode on every third row costs a third of a pass.
 *  2. A cell's 8 glyph columns (a ninth column is the VGA's spacing) are
 *     split into two colours: the two pixels farthest apart along the
 *     cell's main colour axis, every pixel placed between them (t in 0..1).
 *     Thresholded at one half, the cell is a bitmap; the nearest glyphs by
 *     Hamming distance (both polarities at once: the inverse's distance is
 *     the pixel count minus it) are ranked again by the soft distance
 *     sum |t - bit|, which is what survives JPEG's blur. Most bitmaps are
 *     exactly a glyph's: their nearest glyphs are looked up (exact_index),
 *     not searched for.
 *  3. The glyph's ink and paper pixels give the foreground and background,
 *     snapped to the 16-colour palette; the foreground allows for chroma
 *     bleeding into the background (4:2:0 JPEG halves thin strokes' colour).
 *  4. On an unscaled picture, a cell this match is unsure of, or whose
 *     colours differ little in luma (blue on black, brown on green: their
 *     strokes survive JPEG mostly as chroma at half resolution, which the
 *     bitmap loses), is read again by least squares against a model of
 *     4:2:0 JPEG (glyphfit), whose reading replaces the first. The model
 *     knows both ninth columns of 0xB0..0xBF glyphs that
 *     draw in their eighth column (the shades): IBM's VGA draws paper there,
 *     QEMU's and VirtualBox's repeat the eighth. A font's model is built the
 *     first time such a pass needs it (font_fit).
 *
 *  5. On a pass over every cell, each cell's colours are measured in its
 *     pixels with the glyph read (cell_colours); once the mode is chosen
 *     and the picture is text, the frame is said to be on the VGA palette,
 *     on UEFI firmware's, or on neither (palette_decide). On that pass
 *     too, a cell the bitmap match read is marked unsure (conf below
 *     SK_TEXTREC_SURE) when the pixels where another character's glyph
 *     differs side with the reading only weakly (ambiguous_conf); a cell
 *     the model read keeps the model's conf.
 *  6. A font no table holds (Linux's built-in VGA font) draws some glyphs
 *     a pixel off ours, or in another design. On that full pass, a cell no
 *     glyph fits whose bitmap moved a pixel is exactly a glyph's is read as
 *     that glyph (shifted_glyph); and on an unscaled picture, the screen is
 *     taken to draw each character one way: an unsure cell's bitmap that
 *     recurs (in three cells) far from the glyph it was read as, on a
 *     screen that draws that character near its glyph elsewhere, is
 *     renamed after the nearest other character, still unsure
 *     (screen_unique).
 *
 * When the picture is searched, its own grid is found first (gridfind).
 * Where its columns or rows repeat clearly, only the modes whose cells are
 * that wide and high are tried; a grid found clearly that no mode has (a
 * UEFI shell's centred 8x19 cells) is read before them, and they are tried
 * only when it is not text. The grid is read in each cell shape, its glyph
 * at each height in the cell, then at the best shape's phase across and,
 * on a stretched picture, in quarters of a font pixel (the runner-up
 * shape's too when it fits nearly as well): a place maps the font's pixels
 * into the frame's cells, at the pitch of the display mode the cells imply
 * when they imply one (the measured pitch is a few hundredths off). That
 * grid is kept when no known mode reads as text, when its pitch or phase
 * says the best known mode's cells are the wrong ones, or when it fits far
 * better. Terminus Font's big cells (10x18 to 16x32: 1080p consoles, GRUB
 * themes) are read at the 8 columns and 16 rows of the cell its table
 * picks, tried only where the cells would make a display mode's picture;
 * their phase is judged by the misfit per cell holding a glyph (a phase a
 * pixel off reads picked pixels beside the strokes, as blanks). On a
 * screen of a few lines whose rows do not repeat clearly, the rows are
 * assumed from the columns, from the frame's top. The shapes are read on
 * a sample of the grid's rows, on all of them when the best reading of
 * the sample holds few letters (a dialog on a blank screen, whose sampled
 * rows cross its box); then only the shapes that read at least half the
 * letters any shape read rank (a wrong font fits box lines, not words),
 * and blank cells are taken from notes of the picture's flat runs of
 * pixels, not read (flat_note, as in every pass of the search). A graphics
 * mode's grid that a known mode reads as text is still tried in the other
 * fonts of its cells (a framebuffer console may be drawn in Terminus16); a
 * VGA text mode's is not. The console fonts given at run time are tried as
 * Terminus16 is, only where the cells make a display mode's picture; one
 * narrower than 8 (Terminus12x6) is read at 8 of its cell's columns, two
 * of them twice (narrow_cols). Whether the picture was drawn at the
 * frame's own size is read from its edges (softness.c): crisp, a shape
 * whose picture would be the frame's size ranks ahead (GRID_OWN_SIZE);
 * soft, behind (GRID_SOFT_OWN).
 *
 * Among the modes, the one whose cells' glyphs fit best (the least misfit,
 * the commoner modes preferred) on a sample of rows, then on all of them,
 * is kept; the frame is text when nearly all its cells fit and some hold
 * glyphs. A pass of the search stops as soon as its misfit must exceed
 * what it has to beat to count (run_mode's bound), which leaves every
 * outcome as a full pass would. The mode or grid found is kept for the next
 * picture, and can be handed to another recogniser as plain data
 * (sk_textrec_hint, sk_textrec_resume). A blinking underline on a cell's last two rows is the
 * cursor: that cell is matched without them.
 */
#include "text/textrec.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/font8x16.h"
#include "text/fontbios.h"
#include "text/fontconsole.h"
#include "text/fontedk2.h"
#include "text/fontgrub.h"
#include "text/fontterminus.h"
#include "text/vga.h"
#include "video/ycc.h"
#include "text/fonts.h"
#include "text/glyphfit.h"
#include "text/gridfind.h"
#include "text/softness.h"
#include "base/util.h"

#define GLYPH_W 8 /* a byte a row: eight rows to a uint64_t of a glyph's bits */
#define MAX_CELL_H 16
#define MAX_PIX (GLYPH_W * MAX_CELL_H)
#define MAX_MAP 4096 /* mode pixels a sampling map covers in either direction */
/* Below this colour distance (RGB, 0..441) a cell is one colour: a blank. */
#define UNIFORM_DIST 48
/*
 * A cell whose frame pixels are each within this of their run's first
 * pixel, those within this of the cell's first run's (flat_cell), has
 * every pixel read within 2 x FLAT_DIST of that, and so within 4 x
 * FLAT_DIST of their mean; with read_cell's rounding (half a step a
 * channel) and planes_fill's truncated mean (one), 20 + 2 x sqrt(3) =
 * 23.5, under UNIFORM_DIST / 2: a blank. The margin is half a step; at 6
 * it would not hold. A run is this many frame pixels of a row.
 */
#define FLAT_DIST 5
#define FLAT_RUN 8
_Static_assert(4 * FLAT_DIST + 4 <= UNIFORM_DIST / 2, "a flat cell must be a blank (FLAT_DIST)");
/* From this luma difference (0..255) between a cell's colours, glyphs are read in luma. */
#define LUMA_AXIS_MIN 16
/* ... and when luma carries this share of their difference (squared). */
#define LUMA_AXIS_SHARE 0.09
/* A cell whose best glyph fits worse than this, with less spread (RMS), is blank. */
#define BLANK_ERR 0.15
#define BLANK_RMS 24
/* A cell fits when its confidence reaches this. */
#define GOOD_CONF SK_TEXTREC_SURE
/* Glyphs within this many pixels of the best Hamming distance are ranked again. */
#define HAMMING_SLACK 3
#define MAX_RANKED 24
/*
 * A cell is read again by the model fit when its confidence is below this,
 * or its colours differ by less than this in luma (0..255).
 */
#define REFINE_BELOW 70
#define REFINE_LUMA 40
/*
 * On a full pass, a cell whose bitmap differs from its best glyph's in at
 * least SHIFT_TRY_HAM pixels, and fits it worse than SHIFT_TRY_ERR, is
 * tried against the glyphs a pixel off (shifted_glyph), and read so when
 * its bitmap moved back is exactly one of those and fits better than
 * SHIFT_GAIN times the misfit. Chosen on the corpus's tune frames: at 0.5,
 * the black-on-grey f of a dialog in Linux's built-in font (0.63 of the
 * misfit moved) stayed a [. Most cells fit: 83% are a glyph's bitmap.
 */
#define SHIFT_TRY_HAM 4
#define SHIFT_TRY_ERR 0.04
#define SHIFT_GAIN 0.75
/* The frame is text when this share of cells fits and enough hold glyphs. */
#define TEXT_SHARE 0.90
#define TEXT_GLYPH_SHARE 0.80
/* Edges in a picture read as block and line glyphs; text has letters. */
#define TEXT_MIN_LETTERS 8
/* How much worse each later mode may fit than the one before it and still lose. */
#define MODE_PRIOR 0.25
/* While the picture is not text, modes are searched on one picture in this many. */
#define SEARCH_EVERY 8

/*
 * FONT_EDK2: EDK2's glyphs (16 of their 19 rows), then the VGA 8x16 ones as
 * alternates. FONT_VGA8, FONT_VGA14 and FONT_VGA16, for the VGA's own text modes: the
 * IBM glyphs, then the VGA BIOS's (QEMU's, Bochs's, VirtualBox's) as
 * alternates. The grids found in graphics modes are read in the IBM glyphs
 * alone: with more glyphs to choose from, a font fits any cell shape a
 * little better and would win the cell-shape choice for that alone. A
 * found grid of 9-pixel cells is a VGA text mode (graphics modes draw 8
 * wide), and is read in the VGA fonts.
 * FONT_GRUB: GRUB's unicode.pf2 (GNU Unifont) alone, for GRUB's graphical
 * terminal, tried as a cell shape of its own beside FONT_16's 8x16, with
 * the heavy lines of GRUB's menu box as glyphs of their own, read as their
 * Unicode code points (CP437 has none; unread, the box fits the VGA font's
 * two-pixel lines better and the whole menu would be read in the VGA font).
 * The Terminus fonts have them too, for a menu in a grub-mkfont Terminus;
 * but bold Terminus draws its light lines as normal's heavy ones, and a
 * tie goes to the light line.
 * FONT_TER16: console-setup's Terminus16 (normal, bold as alternates), a
 * cell shape of its own, for framebuffer consoles drawn in it (its Fixed16,
 * Debian's default, draws as FONT_GRUB's Unifont does).
 * FONT_TER18 to FONT_TER32: Terminus Font at 10x18 to 16x32, normal and
 * bold, as 8 of their columns and 16 of their rows (the pixels their cells
 * are read at), for 1080p consoles and GRUB themes.
 */
enum {
    FONT_8,
    FONT_14,
    FONT_16,
    FONT_EDK2,
    FONT_GRUB,
    FONT_TER16,
    FONT_TER18,
    FONT_TER20,
    FONT_TER22,
    FONT_TER24,
    FONT_TER28,
    FONT_TER32,
    FONT_VGA8,
    FONT_VGA14,
    FONT_VGA16,
    FONT_COUNT
};

/*
 * Console fonts given at run time (sk_textrec_add_console_font, the
 * system's /usr/share/consolefonts): at most this many cell shapes, one a
 * family and cell size, each with its own font after FONT_COUNT. Debian's
 * console-setup makes 12 (Fixed's four sizes no table has, Goha's two,
 * Terminus12x6 and Terminus14, the VGA's 8x8, 8x14, 16x28 and 16x32).
 */
#define CONSOLE_SHAPES 16
/* The cell shapes built in (grid_cells). */
#define BUILTIN_SHAPES 15

/* Glyphs a font holds: its 256, and alternates from fonts added at run time. */
#define MAX_GLYPHS SK_GLYPHFIT_MAX
_Static_assert(SK_TEXTREC_MAX_GLYPHS == SK_GLYPHFIT_MAX,
               "textrec.h says how many glyphs a height holds");

struct font {
    unsigned height;
    unsigned count;               /* glyphs, in the order ties are settled */
    uint64_t bits[MAX_GLYPHS][2]; /* pixel y * 8 + x, x = 0 leftmost */
    unsigned ink[MAX_GLYPHS];     /* pixels set */
    uint8_t code[MAX_GLYPHS];     /* the CP437 code point each glyph draws */
    uint16_t unicode[MAX_GLYPHS]; /* its own code point where CP437 has none (code is then a
                                   * look-alike), else 0 */
    uint8_t ninth[MAX_GLYPHS];    /* how its ninth column is drawn: SK_GLYPHFIT_NINTH_* */
    uint8_t set[MAX_GLYPHS];      /* the set of glyphs (one font's design) it came in with */
    uint16_t by_code[256];        /* each code point's glyphs, for font_add: the last added + 1, */
    uint16_t next[MAX_GLYPHS];    /* then each one's next of the code + 1 (0: no more) */
    unsigned sets, adding;        /* sets added so far; the one font_add stamps */
    unsigned code_ink[256];       /* pixels set in each code point's first glyph */
    int model;                    /* the model fit reads its cells (font_fit) */
    struct sk_glyphfit *fit;      /* the same glyphs, in the same order, for the model fit;
                                   * NULL until needed (most readings never need it, and it is
                                   * most of a recogniser's making) */
    struct exact_index *exact;    /* the glyphs ranked for an exact bitmap; NULL until needed */
};

/*
 * Most cells' bitmaps are exactly a glyph's, or its inverse's (83% of the
 * drawn cells of the benchmark's screens). For each such bitmap, the glyphs
 * (and polarities) the match would rank for it, found once per font instead
 * of by a pass over every glyph per cell.
 */
#define EXACT_SLOTS 4096 /* a power of two, at least the keys: two per glyph */
struct exact_index {
    unsigned keys;
    uint64_t key[2 * MAX_GLYPHS][2];
    uint16_t first[2 * MAX_GLYPHS], count[2 * MAX_GLYPHS]; /* their entries in ranked[] */
    uint16_t slot[EXACT_SLOTS];                            /* key + 1; 0 for none */
    uint16_t *ranked;                                      /* glyph * 2 + (ink is colour B) */
    struct near_slot *near; /* NEAR_SLOTS, or NULL until a bitmap missed the keys */
};

/*
 * The bitmaps a screen's cells give that are no glyph's (a scaled or
 * blurred picture's) recur too: the same letter at the same phase of the
 * scaler, the same box line. The glyphs ranked for the last one seen in
 * each slot (by exact_slot) are kept, so that a recurring bitmap costs a
 * look-up, not a pass over every glyph (near_glyphs).
 */
#define NEAR_SLOTS 512 /* a power of two */
struct near_slot {
    uint64_t key[2];
    uint16_t count; /* NEAR_EMPTY: no bitmap yet */
    uint16_t cand[MAX_RANKED + 1];
};
#define NEAR_EMPTY 0xFFFF

/*
 * Where a grid the picture showed (gridfind) lies in the frame: its first
 * cell's corner and the cells' pitch in frame pixels, the size of one of
 * the font's pixels there, and the glyph's first row within the cell (a
 * cell may be taller than its font: EDK2 draws 8x19).
 */
struct place {
    double ox, oy, pitch_x, pitch_y;
    double sx, sy;
    double top;
    const uint8_t *pick_x, *pick_y; /* the cell's columns (8) and rows (its font's height) read,
                                     * or NULL: all */
};

struct mode {
    unsigned cols, rows;
    unsigned cell_w, cell_h;
    unsigned screen_w, screen_h;
    int font;
    const char *name;
    const struct place *place; /* NULL: the mode's picture is stretched over the whole frame */
};

/*
 * The modes tried, most common first (a tie keeps the earlier one;
 * sk_textrec_run puts those whose picture is the frame's size before those
 * stretched to it). The VGA's 480-line modes are the ones Linux's vga= sets
 * (80x30, 80x34, 80x60).
 */
static const struct mode modes[] = {
    {80, 25, 9, 16, 720, 400, FONT_VGA16, "80x25 9x16", NULL},
    {80, 25, 8, 16, 640, 400, FONT_VGA16, "80x25 8x16", NULL},
    {80, 50, 9, 8, 720, 400, FONT_VGA8, "80x50 9x8", NULL},
    {80, 28, 9, 14, 720, 400, FONT_VGA14, "80x28 9x14", NULL},
    {80, 43, 9, 8, 720, 350, FONT_VGA8, "80x43 9x8", NULL},
    {80, 43, 8, 8, 640, 350, FONT_VGA8, "80x43 8x8", NULL},
    {80, 30, 9, 16, 720, 480, FONT_VGA16, "80x30 9x16", NULL},
    {80, 60, 9, 8, 720, 480, FONT_VGA8, "80x60 9x8", NULL},
    {80, 34, 9, 14, 720, 480, FONT_VGA14, "80x34 9x14", NULL},
    {80, 30, 8, 16, 640, 480, FONT_16, "80x30 8x16", NULL},
    {100, 37, 8, 16, 800, 600, FONT_16, "100x37 8x16", NULL},
    {128, 48, 8, 16, 1024, 768, FONT_16, "128x48 8x16", NULL},
};
#define MODE_COUNT (sizeof(modes) / sizeof(modes[0]))

/*
 * A cell shape a found grid is tried as (grid_cells below, and the console
 * fonts a recogniser is given at run time, sk_textrec_add_console_font).
 */
struct shape {
    unsigned w, h;
    int font;
    unsigned top;
    int lead;
    int either; /* 1: the cells may start anywhere in the gap between glyphs, whose
                 * width varies (Terminus16 leaves a cell's first and last columns
                 * blank; the kernel's TER16x32 is the bold Terminus, whose left
                 * strokes start a column earlier): every lead down to 0 is tried */
    const struct sk_font_terminus *pick; /* the built-in table of a bigger cell read at picked
                                          * pixels (its cols and rows are read); NULL: none */
    const char *name;
    int console;         /* drawn in a console font (console-setup's): only a framebuffer
                          * console draws it, in a display mode's picture */
    const uint8_t *cols; /* the 8 columns read, left to right: a bigger cell's picked ones, or
                          * narrow_cols of a narrower one (some twice); NULL: all w, in order */
    const uint8_t *rows; /* a bigger cell's rows read at picked pixels, top to bottom (as many
                          * as its font's height): pick's, or a wide console font's; NULL: the
                          * font's height of rows from top (the cell is not read at picked
                          * pixels) */
};

/* Where each pixel of a mode's picture is read in the frame. */
struct map {
    unsigned x0[MAX_MAP], x1[MAX_MAP]; /* byte offsets in a row */
    unsigned y0[MAX_MAP], y1[MAX_MAP]; /* rows */
    uint16_t fx[MAX_MAP], fy[MAX_MAP]; /* weights of x1, y1 in 1/256 */
    int identity;   /* the frame is the mode's picture, unscaled, every pixel read */
    int scaled;     /* the frame is the picture scaled: a cell's pixels blend the frame's */
    uint16_t *span; /* one row of a cell's frame bytes, blended (read_cell's) */
    size_t span_cap;
};

/* What one pass over (some of) a mode's cells found. */
struct tally {
    unsigned cells, good, glyphs, good_glyphs;
    unsigned refined; /* cells the model fit read again */
    unsigned letters; /* good cells holding a letter or digit */
    double resid;     /* the sum of the cells' glyph misfits */
    int cursor_col, cursor_row;
    int cut; /* the pass stopped once its misfit was sure to exceed its bound (run_mode) */
};

/*
 * The model fit's readings of the cells of one picture, by their pixels: a
 * screen of one shade repeats few cells, pixel for pixel (as many as ways
 * its pattern meets JPEG's blocks: 14-70 for a screen of ░, ▒ or ▓), and a
 * cell read once is not read again, in that pass or a later one of the same
 * picture (a first picture reads its mode in full two or three times).
 * Open addressing, a few probes; a picture starts it empty (its fonts
 * change only between pictures), and once full it keeps what it has.
 */
#define MEMO_SLOTS 128
#define MEMO_PROBES 8
#define MEMO_BYTES ((MAX_PIX + MAX_CELL_H) * 3)
_Static_assert(MEMO_BYTES % 8 == 0, "the memo hashes its key eight bytes at a time");
struct memo_slot {
    unsigned pass;
    const struct font *font;
    uint64_t hash;
    int ninth, odd;
    uint8_t px[MEMO_BYTES];
    struct sk_glyphfit_result r;
};
struct fit_memo {
    unsigned pass; /* slots of another picture's passes are empty */
    struct memo_slot slot[MEMO_SLOTS];
};

/*
 * A cell's bitmap, its ink set (the polarity read), and its Hamming
 * distance from the glyph read; HAM_NONE when it was not read by a glyph
 * in its place (a blank, the cursor's cell, a shifted or refined one).
 */
#define HAM_NONE 255
struct cell_shape {
    uint64_t ink[2];
    uint8_t ham;
};

/* A cell far from its glyph (screen_unique): its bitmap, index and character. */
struct unique_key {
    uint64_t ink[2];
    unsigned cell;
    uint8_t ch;
};

struct sk_textrec {
    struct font fonts[FONT_COUNT + CONSOLE_SHAPES];
    struct shape shapes[BUILTIN_SHAPES + CONSOLE_SHAPES]; /* grid_cells, then the console fonts'
                                                           * (sk_textrec_add_console_font) */
    unsigned nshapes;
    char console_family[CONSOLE_SHAPES][32];
    char console_name[CONSOLE_SHAPES][48];
    uint8_t console_cols[CONSOLE_SHAPES][8];  /* a wide console font's columns read */
    uint8_t console_rows[CONSOLE_SHAPES][16]; /* and rows (shape's cols and rows) */
    struct map map;
    struct mode own; /* 8x16 cells at the picture's own size */
    char own_name[32];
    struct sk_gridfind *grid; /* finds grids of any geometry */
    struct mode found;        /* the best of the grid's readings */
    struct place found_place;
    unsigned found_k;        /* its cell shape (an index of shapes) */
    const struct mode *last; /* the mode found last (modes[] or &own) */
    unsigned last_w, last_h;
    unsigned misses; /* pictures since the last search that found no text */
    struct sk_textrec_cell *cells;
    uint16_t *glyph; /* each cell's glyph in its font, plus one (0: a blank), as read last */
    uint8_t *clear;  /* each cell's paper was measured clear of its ink (cell_colours) */
    struct cell_shape *shape;  /* each cell's bitmap as read last (cell_recognise) */
    struct unique_key *unique; /* screen_unique's */
    int measured;              /* the last run_mode measured its cells' colours (and clear) */
    double pal_ycc[16][3];     /* the palette in luma and chroma (ycc) */
    struct fit_memo *memo;
    /*
     * While the grid search reads every row (grid_search): for each run of
     * FLAT_RUN pixels of each frame row, its first pixel, and whether every
     * pixel of the run is within FLAT_DIST of it (flat_note).
     */
    uint8_t (*flat)[4]; /* R, G, B, flat */
    size_t flat_cap;    /* runs it holds */
    unsigned flat_runs; /* runs a row */
    int flat_on;        /* they are the picture's, and run_mode may use them */
};

static void glyph_pack(const uint8_t *rows, unsigned height, uint64_t bits[2], unsigned *ink)
{
    bits[0] = bits[1] = 0;
    *ink = 0;
    for (unsigned y = 0; y < height; y++) {
        for (unsigned x = 0; x < GLYPH_W; x++) {
            if (rows[y] & (0x80u >> x)) {
                unsigned i = y * GLYPH_W + x;
                bits[i >> 6] |= 1ull << (i & 63);
                (*ink)++;
            }
        }
    }
}

static void exact_free(struct exact_index *x)
{
    if (x) {
        free(x->near);
        free(x->ranked);
        free(x);
    }
}

/*
 * Add code point c's glyph to f unless f already draws c that way; ninth:
 * its ninth column (SK_GLYPHFIT_NINTH_*), which only the model fit sees.
 * Returns 1 when it was left out for lack of room, else 0.
 */
static int font_add(struct font *f, uint8_t c, const uint8_t *rows, int ninth)
{
    uint64_t bits[2];
    unsigned ink;
    glyph_pack(rows, f->height, bits, &ink);
    for (unsigned j = f->by_code[c]; j; j = f->next[j - 1]) {
        if (f->bits[j - 1][0] == bits[0] && f->bits[j - 1][1] == bits[1] &&
            f->ninth[j - 1] == ninth) {
            return 0;
        }
    }
    if (f->count >= MAX_GLYPHS) {
        return 1;
    }
    f->ninth[f->count] = (uint8_t)ninth;
    f->set[f->count] = (uint8_t)f->adding;
    exact_free(f->exact);
    f->exact = NULL;
    sk_glyphfit_free(f->fit);
    f->fit = NULL;
    f->bits[f->count][0] = bits[0];
    f->bits[f->count][1] = bits[1];
    f->ink[f->count] = ink;
    f->code[f->count] = c;
    f->unicode[f->count] = 0;
    f->next[f->count] = f->by_code[c];
    f->by_code[c] = (uint16_t)(f->count + 1);
    f->count++;
    return 0;
}

/* Add a glyph CP437 has no code point for: u, which reads as look-alike c where only CP437 is. */
static int font_add_unicode(struct font *f, uint16_t u, uint8_t c, const uint8_t *rows)
{
    unsigned before = f->count, adding = f->adding;
    f->adding = 0; /* the first set's own glyphs (GRUB's and Terminus's heavy box lines) */
    int left = font_add(f, c, rows, SK_GLYPHFIT_NINTH_VGA);
    f->adding = adding;
    if (f->count > before) {
        f->unicode[before] = u;
    }
    return left;
}

/*
 * The code points in the order ties are settled: ASCII first, then the
 * rest by Unicode value (so where a font draws two alike, the single box
 * line U+250C beats the double U+2554), blanks last.
 */
static unsigned tie_order(uint8_t order[256])
{
    unsigned n = 0;
    for (unsigned c = 0x20; c < 0x7F; c++) {
        order[n++] = (uint8_t)c;
    }
    unsigned first = n;
    for (unsigned c = 0x01; c < 0x100; c++) {
        if (c >= 0x20 && c < 0x7F) {
            continue;
        }
        /* Insertion by Unicode value: 161 entries, once per font. */
        unsigned i = n++;
        while (i > first && sk_cp437_unicode[order[i - 1]] > sk_cp437_unicode[c]) {
            order[i] = order[i - 1];
            i--;
        }
        order[i] = (uint8_t)c;
    }
    order[n++] = 0x00;
    return n;
}

/*
 * Add a font's 256 glyphs (rows: 256 x height) to f, in the order ties are
 * settled; then, for the glyphs of 0xB0..0xBF that draw in their eighth
 * column (the shades ░▒▓ in the VGA font), the same as QEMU's and VirtualBox's VGA draw
 * them, the eighth column repeated into the ninth. They come after, so
 * that a tie keeps IBM's. Returns the glyphs left out for lack of room.
 */
static unsigned font_add_set(struct font *f, const uint8_t *rows)
{
    uint8_t order[256];
    unsigned n = tie_order(order), left = 0;
    f->adding = f->sets < 255 ? f->sets++ : 255;
    for (unsigned j = 0; j < n; j++) {
        left += (unsigned)font_add(f, order[j], rows + (size_t)order[j] * f->height,
                                   SK_GLYPHFIT_NINTH_VGA);
    }
    for (unsigned c = 0xB0; c < 0xC0; c++) {
        const uint8_t *g = rows + (size_t)c * f->height;
        int eighth = 0;
        for (unsigned y = 0; y < f->height; y++) {
            eighth |= g[y] & 1;
        }
        if (eighth) {
            left += (unsigned)font_add(f, (uint8_t)c, g, SK_GLYPHFIT_NINTH_B0);
        }
    }
    return left;
}

/*
 * f's model fit, made from its glyphs when first needed (in their order:
 * the fit's indices are the font's). Building one is most of the work of
 * making a recogniser, and most readings never need one (a stretched
 * picture is never read by the model): sk_textrec_new took 11 ms when it
 * built all eight, and every screen --text makes a recogniser.
 */
static void font_fit(struct font *f)
{
    if (f->fit != NULL || !f->model) {
        return;
    }
    f->fit = sk_glyphfit_new(f->height);
    for (unsigned j = 0; f->fit != NULL && j < f->count; j++) {
        uint8_t rows[MAX_CELL_H] = {0};
        for (unsigned i = 0; i < GLYPH_W * f->height; i++) {
            if ((f->bits[j][i >> 6] >> (i & 63)) & 1) {
                rows[i / GLYPH_W] |= (uint8_t)(0x80u >> (i % GLYPH_W));
            }
        }
        sk_glyphfit_add(f->fit, f->code[j], rows, f->ninth[j]);
    }
}

/*
 * Fill f with a font's 256 glyphs; model: whether the model fit may read
 * its cells (a font read at picked pixels never is: its pixels are not
 * neighbours, and a model is 160 KB a font).
 */
static void font_fill(struct font *f, const uint8_t *rows, unsigned height, int model)
{
    f->height = height;
    f->count = 0;
    memset(f->by_code, 0, sizeof(f->by_code));
    f->sets = f->adding = 0;
    f->model = model;
    f->fit = NULL;
    font_add_set(f, rows);
    for (unsigned c = 0; c < 256; c++) {
        unsigned ink;
        uint64_t bits[2];
        glyph_pack(rows + (size_t)c * height, height, bits, &ink);
        f->code_ink[c] = ink;
    }
}

/*
 * EDK2's font, read in 8x19 cells: rows EDK2_TOP..EDK2_TOP+15 of its glyphs
 * (all their ink but the tops of six accented capitals and of the grave
 * accent), drawn that far down the cell; the VGA 8x16 glyph where EDK2 has
 * none; then the VGA glyphs as alternates, for firmware that draws the VGA
 * font in such cells.
 */
#define EDK2_TOP 2
static void font_fill_edk2(struct font *f)
{
    uint8_t rows[256][16];
    for (unsigned c = 0; c < 256; c++) {
        const uint8_t *g = sk_font_edk2_drawn(c) ? sk_font_edk2[c] + EDK2_TOP : sk_font8x16[c];
        memcpy(rows[c], g, 16);
    }
    font_fill(f, &rows[0][0], 16, 1);
    font_add_set(f, &sk_font8x16[0][0]);
}

static void shapes_init(struct sk_textrec *tr);

void sk_textrec_read_size(unsigned src_w, unsigned src_h, unsigned *w, unsigned *h)
{
    *w = src_w < SK_TEXTREC_READ_W ? src_w : SK_TEXTREC_READ_W;
    *h = src_h < SK_TEXTREC_READ_H ? src_h : SK_TEXTREC_READ_H;
}

struct sk_textrec *sk_textrec_new(void)
{
    struct sk_textrec *tr = xcalloc(1, sizeof(*tr));
    font_fill(&tr->fonts[FONT_8], &sk_font8x8[0][0], 8, 1);
    font_fill(&tr->fonts[FONT_14], &sk_font8x14[0][0], 14, 1);
    font_fill(&tr->fonts[FONT_16], &sk_font8x16[0][0], 16, 1);
    font_fill(&tr->fonts[FONT_VGA8], &sk_font8x8[0][0], 8, 1);
    font_add_set(&tr->fonts[FONT_VGA8], &sk_font_bios8[0][0]);
    font_fill(&tr->fonts[FONT_VGA14], &sk_font8x14[0][0], 14, 1);
    font_add_set(&tr->fonts[FONT_VGA14], &sk_font_bios14[0][0]);
    font_fill(&tr->fonts[FONT_VGA16], &sk_font8x16[0][0], 16, 1);
    font_add_set(&tr->fonts[FONT_VGA16], &sk_font_bios16[0][0]);
    font_fill_edk2(&tr->fonts[FONT_EDK2]);
    font_fill(&tr->fonts[FONT_GRUB], &sk_font_grub[0][0], 16, 1);
    for (unsigned i = 0; i < SK_FONT_GRUB_HEAVY; i++) {
        font_add_unicode(&tr->fonts[FONT_GRUB], sk_font_grub_heavy[i].unicode,
                         sk_font_grub_heavy[i].code, sk_font_grub_heavy[i].rows);
    }
    font_fill(&tr->fonts[FONT_TER16], &sk_font_terminus16[0][0][0], 16, 0);
    font_add_set(&tr->fonts[FONT_TER16], &sk_font_terminus16[1][0][0]);
    _Static_assert(FONT_TER32 - FONT_TER18 + 1 == SK_FONT_TERMINUS_SIZES,
                   "a font for each Terminus size");
    _Static_assert(SK_FONT_TERMINUS_HEAVY == SK_FONT_GRUB_HEAVY, "the same heavy box lines");
    for (unsigned i = 0; i < SK_FONT_TERMINUS_SIZES; i++) {
        /* Normal, then bold as alternates: console-setup offers both weights. */
        font_fill(&tr->fonts[FONT_TER18 + i], &sk_font_terminus[i].glyph[0][0][0], 16, 0);
        font_add_set(&tr->fonts[FONT_TER18 + i], &sk_font_terminus[i].glyph[1][0][0]);
        for (unsigned wt = 0; wt < 2; wt++) {
            for (unsigned j = 0; j < SK_FONT_TERMINUS_HEAVY; j++) {
                font_add_unicode(&tr->fonts[FONT_TER18 + i], sk_font_grub_heavy[j].unicode,
                                 sk_font_grub_heavy[j].code, sk_font_terminus[i].heavy[wt][j]);
            }
        }
    }
    shapes_init(tr);
    tr->cells = xcalloc((size_t)SK_TEXTREC_MAX_COLS * SK_TEXTREC_MAX_ROWS, sizeof(*tr->cells));
    tr->glyph = xcalloc((size_t)SK_TEXTREC_MAX_COLS * SK_TEXTREC_MAX_ROWS, sizeof(*tr->glyph));
    tr->clear = xcalloc((size_t)SK_TEXTREC_MAX_COLS * SK_TEXTREC_MAX_ROWS, sizeof(*tr->clear));
    tr->shape = xcalloc((size_t)SK_TEXTREC_MAX_COLS * SK_TEXTREC_MAX_ROWS, sizeof(*tr->shape));
    tr->unique = xcalloc((size_t)SK_TEXTREC_MAX_COLS * SK_TEXTREC_MAX_ROWS, sizeof(*tr->unique));
    tr->memo = xcalloc(1, sizeof(*tr->memo));
    tr->grid = sk_gridfind_new();
    for (unsigned k = 0; k < 16; k++) {
        const double p[3] = {sk_vga_palette[k][0], sk_vga_palette[k][1], sk_vga_palette[k][2]};
        sk_ycc(p[0], p[1], p[2], tr->pal_ycc[k]);
    }
    return tr;
}

void sk_textrec_forget(struct sk_textrec *tr)
{
    tr->last = NULL;
    tr->misses = 0;
}

int sk_textrec_add_font(struct sk_textrec *tr, const uint8_t *rows, unsigned height)
{
    /* The grids' font of that height and the VGA text modes' (which also holds the BIOS's). */
    int plain = height == 8 ? FONT_8 : height == 14 ? FONT_14 : height == 16 ? FONT_16 : -1;
    int vga = height == 8 ? FONT_VGA8 : height == 14 ? FONT_VGA14 : FONT_VGA16;
    if (plain < 0) {
        return -1;
    }
    unsigned left = font_add_set(&tr->fonts[plain], rows);
    unsigned v = font_add_set(&tr->fonts[vga], rows);
    return (int)(v > left ? v : left);
}

int sk_textrec_find_rom_font(const uint8_t *rom, size_t len, unsigned height, uint8_t *out)
{
    static const uint8_t *fonts[17] = {
        [8] = &sk_font8x8[0][0], [14] = &sk_font8x14[0][0], [16] = &sk_font8x16[0][0]};
    if ((height != 8 && height != 14 && height != 16) || len < 256 * height) {
        return -1;
    }
    const uint8_t *ours = fonts[height];
    size_t best_at = 0;
    unsigned best = 0;
    /* The letters and digits, which every VGA font draws much alike. */
    for (size_t at = 0; at + 256 * height <= len; at++) {
        unsigned close = 0;
        for (unsigned c = '0'; c <= 'z' && close + ('z' - c) + 1 > best; c++) {
            unsigned d = 0;
            for (unsigned y = 0; y < height; y++) {
                d += (unsigned)__builtin_popcount(rom[at + c * height + y] ^ ours[c * height + y]);
            }
            close += d <= height / 2;
        }
        if (close > best) {
            best = close;
            best_at = at;
        }
    }
    if (best < ('z' - '0' + 1) * 3 / 4) {
        return -1;
    }
    memcpy(out, rom + best_at, 256 * (size_t)height);
    return 0;
}

void sk_textrec_free(struct sk_textrec *tr)
{
    if (tr) {
        for (unsigned i = 0; i < FONT_COUNT + CONSOLE_SHAPES; i++) {
            sk_glyphfit_free(tr->fonts[i].fit);
            exact_free(tr->fonts[i].exact);
        }
        free(tr->map.span);
        free(tr->memo);
        sk_gridfind_free(tr->grid);
        free(tr->cells);
        free(tr->glyph);
        free(tr->shape);
        free(tr->unique);
        free(tr->clear);
        free(tr->flat);
        free(tr);
    }
}

/* One axis of a sampling map: n mode pixels spread over size frame pixels. */
static void map_axis(unsigned n, unsigned size, unsigned stride, unsigned *i0, unsigned *i1,
                     uint16_t *frac)
{
    for (unsigned i = 0; i < n; i++) {
        /* The centre of mode pixel i, in 1/256 frame pixels, minus half a pixel. */
        int64_t v = ((int64_t)(2 * i + 1) * size * 256) / (2 * n) - 128;
        if (v < 0) {
            v = 0;
        }
        unsigned a = (unsigned)(v >> 8);
        unsigned f = (unsigned)(v & 255);
        if (a >= size - 1) {
            a = size - 1;
            f = 0;
        }
        i0[i] = a * stride;
        i1[i] = (a + (f ? 1 : 0)) * stride;
        frac[i] = (uint16_t)f;
    }
}

/*
 * One axis of a found grid's map: pixel g of cell c (n pixels a cell) is
 * read at origin + c * pitch + (top + p + 1/2) * scale - 1/2, where p is
 * g, or pick[g] when the cell is read at picked pixels. Returns whether
 * every pixel read falls on a frame pixel exactly.
 */
static int map_grid_axis(unsigned count, unsigned n, double origin, double pitch, double scale,
                         double top, const uint8_t *pick, unsigned size, unsigned stride,
                         unsigned *i0, unsigned *i1, uint16_t *frac)
{
    int exact = scale == 1.0;
    for (unsigned c = 0; c < count; c++) {
        for (unsigned g = 0; g < n; g++) {
            double p = pick ? pick[g] : g;
            double v = (origin + c * pitch + (top + p + 0.5) * scale - 0.5) * 256;
            int64_t q = v < 0 ? 0 : (int64_t)(v + 0.5);
            unsigned a = (unsigned)(q >> 8), f = (unsigned)(q & 255);
            if (a >= size - 1) {
                a = size - 1;
                f = 0;
            }
            exact &= f == 0;
            i0[c * n + g] = a * stride;
            i1[c * n + g] = (a + (f ? 1 : 0)) * stride;
            frac[c * n + g] = (uint16_t)f;
        }
    }
    return exact;
}

static void map_build(struct map *m, const struct mode *md, const struct sk_image *img)
{
    const struct place *pl = md->place;
    if (pl) {
        int ex = map_grid_axis(md->cols, md->cell_w, pl->ox, pl->pitch_x, pl->sx, 0, pl->pick_x,
                               img->width, 3, m->x0, m->x1, m->fx);
        int ey = map_grid_axis(md->rows, md->cell_h, pl->oy, pl->pitch_y, pl->sy, pl->top,
                               pl->pick_y, img->height, 1, m->y0, m->y1, m->fy);
        /* Picked pixels are not a picture's neighbours: the model fit's blocks would be wrong. */
        m->identity = ex && ey && !pl->pick_x;
        m->scaled = !(ex && ey);
    } else {
        map_axis(md->screen_w, img->width, 3, m->x0, m->x1, m->fx);
        map_axis(md->screen_h, img->height, 1, m->y0, m->y1, m->fy);
        m->identity = img->width == md->screen_w && img->height == md->screen_h;
        m->scaled = !m->identity;
    }
    size_t need = 0;
    for (unsigned c = 0; c < md->cols; c++) {
        size_t bytes = m->x1[(c + 1) * md->cell_w - 1] + 3 - m->x0[c * md->cell_w];
        need = bytes > need ? bytes : need;
    }
    if (need > m->span_cap) {
        free(m->span);
        m->span = xcalloc(need, sizeof(*m->span));
        m->span_cap = need;
    }
}

/*
 * The functions that do a cell's work for every cell are also built for
 * x86-64 CPUs with wider instructions, chosen when the program loads (an
 * ifunc: glibc only): those that count bits for every glyph with the
 * popcount instruction (POPCOUNT_CLONES), those whose per-pixel loops the
 * compiler vectorises with AVX2 (VECTOR_CLONES: eight lanes of 32-bit
 * products, where the baseline's SSE2 has none). The same arithmetic, so
 * the same readings on every CPU (no FMA: a fused multiply-add would round
 * differently). SK_NO_TARGET_CLONES turns this off: ThreadSanitizer's
 * build defines it, as an ifunc resolver runs before TSan's runtime is up.
 */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute) &&                       \
    !defined(SK_NO_TARGET_CLONES)
#if __has_attribute(target_clones)
#define POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef POPCOUNT_CLONES
#define POPCOUNT_CLONES
#endif
#ifndef VECTOR_CLONES
#define VECTOR_CLONES
#endif

/*
 * Cell (col, row) as RGB: the glyph columns at pix[y * 8 + x], a ninth
 * column at pix[MAX_PIX + y].
 */
static void read_cell(const struct sk_image *img, const struct map *m, const struct mode *md,
                      unsigned col, unsigned row, int pix[][3])
{
    unsigned px = col * md->cell_w, py = row * md->cell_h;
    if (m->identity) {
        /* A row's glyph pixels lie in the frame as here, in the same order: copied as they lie. */
        unsigned glyph_w = md->cell_w < GLYPH_W ? md->cell_w : GLYPH_W;
        for (unsigned y = 0; y < md->cell_h; y++) {
            const uint8_t *r0 = img->pixels + (size_t)m->y0[py + y] * img->pitch + m->x0[px];
            int(*p)[3] = pix + y * GLYPH_W;
            for (unsigned x = 0; x < glyph_w; x++) {
                for (int c = 0; c < 3; c++) {
                    p[x][c] = r0[3 * x + c];
                }
            }
            if (md->cell_w > GLYPH_W) {
                const uint8_t *last = r0 + 3 * (md->cell_w - 1);
                for (int c = 0; c < 3; c++) {
                    pix[MAX_PIX + y][c] = last[c];
                }
            }
        }
        return;
    }
    /*
     * Each row of the cell's span blended between its two frame rows first,
     * then each pixel between two columns of that: the same sums as the
     * four-point formula, in half the multiplications.
     */
    unsigned lo = m->x0[px], span = m->x1[px + md->cell_w - 1] + 3 - lo;
    uint16_t *v = m->span;
    /*
     * The columns' two sources and weights, the same on every row: the
     * glyph's, then at GLYPH_W the ninth's (the cell's last column).
     */
    unsigned a[GLYPH_W + 1], b[GLYPH_W + 1], wa[GLYPH_W + 1], wb[GLYPH_W + 1];
    unsigned glyph_w = md->cell_w < GLYPH_W ? md->cell_w : GLYPH_W;
    for (unsigned x = 0; x <= glyph_w; x++) {
        unsigned at = px + (x < glyph_w ? x : md->cell_w - 1);
        a[x] = m->x0[at] - lo;
        b[x] = m->x1[at] - lo;
        wb[x] = m->fx[at];
        wa[x] = 256 - wb[x];
    }
    for (unsigned y = 0; y < md->cell_h; y++) {
        const uint8_t *r0 = img->pixels + (size_t)m->y0[py + y] * img->pitch + lo;
        const uint8_t *r1 = img->pixels + (size_t)m->y1[py + y] * img->pitch + lo;
        unsigned fy = m->fy[py + y];
        for (unsigned i = 0; i < span; i++) {
            v[i] = (uint16_t)(r0[i] * (256 - fy) + r1[i] * fy);
        }
        int(*p)[3] = pix + y * GLYPH_W;
        for (unsigned x = 0; x < glyph_w; x++) {
            /* The column's sources and weights taken once, for its three channels. */
            const uint16_t *va = v + a[x], *vb = v + b[x];
            unsigned ka = wa[x], kb = wb[x];
            for (int c = 0; c < 3; c++) {
                p[x][c] = (int)((va[c] * ka + vb[c] * kb + 32768) >> 16);
            }
        }
        if (md->cell_w > GLYPH_W) {
            for (int c = 0; c < 3; c++) {
                pix[MAX_PIX + y][c] = (int)((v[a[GLYPH_W] + c] * wa[GLYPH_W] +
                                             v[b[GLYPH_W] + c] * wb[GLYPH_W] + 32768) >>
                                            16);
            }
        }
    }
}

static int dist2(const int a[3], const int b[3])
{
    int d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
    return d0 * d0 + d1 * d1 + d2 * d2;
}

/* A cell's glyph pixels as three planes, for loops the compiler can vectorise. */
struct planes {
    int c[3][MAX_PIX];
};

/* pl from the n pixels of pix; their mean into mean. */
static void planes_fill(struct planes *pl, int pix[][3], unsigned n, int mean[3])
{
    for (int c = 0; c < 3; c++) {
        long sum = 0;
        for (unsigned i = 0; i < n; i++) {
            pl->c[c][i] = pix[i][c];
            sum += pix[i][c];
        }
        mean[c] = (int)(sum / n);
    }
}

static inline int plane_dist2(const struct planes *p, unsigned i, const int rgb[3])
{
    int d0 = p->c[0][i] - rgb[0], d1 = p->c[1][i] - rgb[1], d2 = p->c[2][i] - rgb[2];
    return d0 * d0 + d1 * d1 + d2 * d2;
}

/* The first of the n pixels furthest from rgb; *d2 its squared distance. */
static unsigned farthest(const struct planes *p, unsigned n, const int rgb[3], int *d2)
{
    /* The distance first, then where: the first loop has no branch, and vectorises. */
    int d[MAX_PIX], m = -1;
    for (unsigned i = 0; i < n; i++) {
        d[i] = plane_dist2(p, i, rgb);
        m = d[i] > m ? d[i] : m;
    }
    unsigned i = 0;
    for (; i < n; i++) {
        if (d[i] == m) {
            break;
        }
    }
    *d2 = m;
    return i;
}

/* The entry of pal nearest to rgb; *dist its RGB distance. */
static unsigned snap_in(const uint8_t (*pal)[3], const int rgb[3], double *dist)
{
    unsigned best = 0;
    int best_d = 1 << 30;
    for (unsigned k = 0; k < 16; k++) {
        const int p[3] = {pal[k][0], pal[k][1], pal[k][2]};
        int d = dist2(rgb, p);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    *dist = sqrt((double)best_d);
    return best;
}

/* The nearest VGA palette colour to rgb (the match reads in the VGA's colours). */
static unsigned snap_plain(const int rgb[3], double *dist)
{
    return snap_in(sk_vga_palette, rgb, dist);
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/*
 * The palette colour (not bg) that ink of colour rgb on background bg most
 * likely is. Thin strokes keep their brightness but, after 4:2:0 JPEG and
 * scaling, only part of their colour: the ink is modelled as
 * bg + beta (k - bg) in luma (beta 0.7..1) and bg + alpha (k - bg) in
 * chroma (alpha 0.35..1). *dist is the misfit, in RGB-like units.
 */
static unsigned snap_ink(const double pal[16][3], const int rgb[3], unsigned bg, double *dist)
{
    double m[3];
    const double mr[3] = {rgb[0], rgb[1], rgb[2]};
    const double *b = pal[bg];
    sk_ycc(mr[0], mr[1], mr[2], m);
    unsigned best = bg == 7 ? 15 : 7;
    double best_s = 1e18;
    for (unsigned k = 0; k < 16; k++) {
        if (k == bg) {
            continue;
        }
        const double *p = pal[k];
        double dyk = p[0] - b[0], dym = m[0] - b[0];
        double beta = fabs(dyk) > 1 ? clampd(dym / dyk, 0.6, 1.05) : 1.0;
        double rl = dym - beta * dyk;
        double u1 = p[1] - b[1], u2 = p[2] - b[2];
        double v1 = m[1] - b[1], v2 = m[2] - b[2];
        double uu = u1 * u1 + u2 * u2;
        double alpha = uu > 1 ? clampd((v1 * u1 + v2 * u2) / uu, 0.3, 1.05) : 1.0;
        double c1 = v1 - alpha * u1, c2 = v2 - alpha * u2;
        /*
         * Attenuation is allowed at a price, so that white ink is not read as
         * yellow at half its colour: the least attenuated reading wins a tie.
         */
        double fa = 1 - (alpha < 1 ? alpha : 1), fb = 1 - (beta < 1 ? beta : 1);
        double s =
            2 * rl * rl + c1 * c1 + c2 * c2 + 0.25 * fa * fa * uu + 0.5 * fb * fb * dyk * dyk;
        if (s < best_s) {
            best_s = s;
            best = k;
        }
    }
    *dist = sqrt(best_s);
    return best;
}

/*
 * Bits set in v, without relying on a popcount instruction being enabled
 * (GCC knows the idiom: it becomes the instruction where the target has
 * one; POPCOUNT_CLONES).
 */
static inline unsigned popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

struct match {
    unsigned glyph;
    int ink_is_a;   /* the glyph's ink is colour A (else B) */
    double err;     /* mean |t - bit|, 0..1 */
    double support; /* how far the pixels where another character's glyph differs side with
                     * this one, the weakest such: -1..1, the mean there of 2t - 1 signed
                     * toward the glyph read (t 0..1 from paper to ink); 2: none ranked */
};

/* The pixels of a cell of font f: its first n bits. */
static void cell_mask(const struct font *f, uint64_t mask[2])
{
    unsigned n = GLYPH_W * f->height;
    mask[0] = n >= 64 ? ~0ull : (1ull << n) - 1;
    mask[1] = n >= 128 ? ~0ull : n > 64 ? (1ull << (n - 64)) - 1 : 0;
}

/*
 * The glyphs worth ranking for bitmap bits over the pixels in mask (kept
 * of them), into cand[] (glyph * 2 + 1 where the ink is colour B), in the
 * order ties are settled: those within HAMMING_SLACK of the nearest, by
 * Hamming distance (the inverse's distance is kept minus the glyph's);
 * polarity -1 both, 0/1 only ink = B / ink = A.
 */
POPCOUNT_CLONES static unsigned near_glyphs(const struct font *f, const uint64_t bits[2],
                                            const uint64_t mask[2], unsigned kept, int polarity,
                                            uint16_t cand[MAX_RANKED + 1])
{
    /*
     * The glyphs within HAMMING_SLACK of the nearest so far, in order: the
     * nearest only comes nearer, so they hold every glyph ranked, and the
     * second pass is over them alone.
     */
    uint16_t near[MAX_GLYPHS];
    unsigned ham[MAX_GLYPHS][2];
    unsigned best = ~0u, nn = 0;
    for (unsigned j = 0; j < f->count; j++) {
        unsigned d = popcount64((bits[0] ^ f->bits[j][0]) & mask[0]) +
                     popcount64((bits[1] ^ f->bits[j][1]) & mask[1]);
        unsigned h0 = polarity == 0 ? ~0u : d, h1 = polarity == 1 ? ~0u : kept - d;
        unsigned m = h0 < h1 ? h0 : h1;
        best = m < best ? m : best;
        ham[nn][0] = h0;
        ham[nn][1] = h1;
        near[nn] = (uint16_t)j;
        nn += m <= best + HAMMING_SLACK;
    }
    /* Glyphs are taken while fewer than MAX_RANKED are; a glyph's two polarities together. */
    unsigned nc = 0;
    for (unsigned k = 0; k < nn && nc < MAX_RANKED; k++) {
        for (unsigned i = 0; i < 2; i++) {
            if (ham[k][i] <= best + HAMMING_SLACK) {
                cand[nc++] = (uint16_t)(2 * near[k] + i);
            }
        }
    }
    return nc;
}

static unsigned exact_slot(const uint64_t key[2])
{
    uint64_t h = key[0] * 0x9E3779B97F4A7C15ull ^ key[1] * 0xC2B2AE3D27D4EB4Full;
    return (unsigned)(h >> 53) & (EXACT_SLOTS - 1);
}

/* Font f's exact index, built on first use after a glyph was added. */
static struct exact_index *exact_index(struct font *f)
{
    if (f->exact) {
        return f->exact;
    }
    struct exact_index *x = xcalloc(1, sizeof(*x));
    uint64_t mask[2];
    cell_mask(f, mask);
    unsigned kept = popcount64(mask[0]) + popcount64(mask[1]);
    size_t used = 0, cap = 4 * MAX_GLYPHS;
    x->ranked = xcalloc(cap, sizeof(*x->ranked));
    for (unsigned i = 0; i < 2 * f->count; i++) {
        const uint64_t *g = f->bits[i / 2];
        const uint64_t key[2] = {(i & 1 ? ~g[0] : g[0]) & mask[0],
                                 (i & 1 ? ~g[1] : g[1]) & mask[1]};
        unsigned s = exact_slot(key);
        while (x->slot[s] && memcmp(x->key[x->slot[s] - 1], key, sizeof(key)) != 0) {
            s = (s + 1) & (EXACT_SLOTS - 1);
        }
        if (x->slot[s]) {
            continue; /* two glyphs draw the same */
        }
        unsigned k = x->keys++;
        x->slot[s] = (uint16_t)(k + 1);
        memcpy(x->key[k], key, sizeof(key));
        if (used + MAX_RANKED + 1 > cap) {
            cap *= 2;
            x->ranked = xrealloc(x->ranked, cap * sizeof(*x->ranked));
        }
        x->first[k] = (uint16_t)used;
        x->count[k] = (uint16_t)near_glyphs(f, key, mask, kept, -1, x->ranked + used);
        used += x->count[k];
    }
    f->exact = x;
    return x;
}

/* The key of bits in x, or -1. */
static int exact_find(const struct exact_index *x, const uint64_t bits[2])
{
    for (unsigned s = exact_slot(bits); x->slot[s]; s = (s + 1) & (EXACT_SLOTS - 1)) {
        const uint64_t *k = x->key[x->slot[s] - 1];
        if (k[0] == bits[0] && k[1] == bits[1]) {
            return x->slot[s] - 1;
        }
    }
    return -1;
}

/* The slot of x's bitmap memo (struct near_slot) for bits, made on first use. */
static struct near_slot *near_find(struct exact_index *x, const uint64_t bits[2])
{
    if (!x->near) {
        x->near = xmalloc(NEAR_SLOTS * sizeof(*x->near));
        for (unsigned i = 0; i < NEAR_SLOTS; i++) {
            x->near[i].count = NEAR_EMPTY;
        }
    }
    return &x->near[exact_slot(bits) & (NEAR_SLOTS - 1)];
}

/*
 * The glyph of font f nearest to the cell whose pixels sit at t[i] (0..256,
 * 256 = colour A) with bitmap bits, over the pixels set in keep (of the
 * first n); polarity -1 tries both, 0/1 only ink = B / ink = A. The
 * glyphs near the bitmap by Hamming distance are ranked again by the soft
 * distance sum |t - bit|. x: f's exact index, for a search over every
 * pixel in both polarities; else NULL.
 */
VECTOR_CLONES static struct match best_glyph_masked(const struct font *f, struct exact_index *x,
                                                    const uint64_t bits[2], const int *t,
                                                    unsigned n, const uint64_t keep[2],
                                                    int polarity, int paper_hint)
{
    uint64_t mask[2];
    cell_mask(f, mask);
    mask[0] &= keep[0];
    mask[1] &= keep[1];
    unsigned kept = popcount64(mask[0]) + popcount64(mask[1]);
    uint16_t own[MAX_RANKED + 1];
    const uint16_t *cand = own;
    unsigned nc;
    int k = x ? exact_find(x, bits) : -1;
    if (k >= 0) {
        cand = x->ranked + x->first[k];
        nc = x->count[k];
    } else if (x && polarity < 0) {
        struct near_slot *ns = near_find(x, bits);
        if (ns->count == NEAR_EMPTY || ns->key[0] != bits[0] || ns->key[1] != bits[1]) {
            ns->key[0] = bits[0];
            ns->key[1] = bits[1];
            ns->count = (uint16_t)near_glyphs(f, bits, mask, kept, polarity, ns->cand);
        }
        cand = ns->cand;
        nc = ns->count;
    } else {
        nc = near_glyphs(f, bits, mask, kept, polarity, own);
    }
    /* The soft distance through the sum of t under a glyph's ink: sum |t - bit| is linear in it. */
    long total = 0;
    for (unsigned i = 0; i < n; i++) {
        total += (mask[i >> 6] >> (i & 63)) & 1 ? t[i] : 0;
    }
    struct match out = {' ', 1, 2.0, 2.0};
    unsigned out_ink = ~0u;
    int out_paper_ok = 0;
    double errs[MAX_RANKED + 1];
    for (unsigned c = 0; c < nc; c++) {
        unsigned j = cand[c] >> 1;
        int ink_a = !(cand[c] & 1);
        long under = 0;
        unsigned ink_kept = 0;
        for (unsigned w = 0; w < 2; w++) {
            uint64_t v = f->bits[j][w] & mask[w];
            ink_kept += popcount64(v);
            for (; v; v &= v - 1) {
                under += t[w * 64 + (unsigned)__builtin_ctzll(v)];
            }
        }
        long sum = ink_a ? 256L * ink_kept + total - 2 * under
                         : 256L * (kept - ink_kept) - total + 2 * under;
        double err = (double)sum / (256.0 * kept);
        errs[c] = err;
        /*
         * Between a glyph and its inverse (a tie), the one whose paper is
         * the colour of the VGA's ninth column, else the one with less ink.
         */
        unsigned ink = ink_a ? f->ink[j] : n - f->ink[j];
        int paper_ok = paper_hint >= 0 && (paper_hint == 1) == !ink_a;
        int tie = err < out.err + 1e-9 && err > out.err - 1e-9;
        if (err < out.err - 1e-9 ||
            (tie && (paper_ok > out_paper_ok || (paper_ok == out_paper_ok && ink < out_ink)))) {
            out.glyph = j;
            out.ink_is_a = ink_a;
            out.err = err;
            out_ink = ink;
            out_paper_ok = paper_ok;
        }
    }
    /*
     * How near another character comes. The same character's other glyphs
     * are no other, nor one that draws the same picture (a blank and
     * U+00A0, ▀ and ▄ with the colours swapped): no picture tells those
     * apart.
     */
    const uint64_t *wb = f->bits[out.glyph];
    for (unsigned c = 0; c < nc; c++) {
        unsigned j = cand[c] >> 1;
        int same_ink = (cand[c] & 1) == !out.ink_is_a;
        uint64_t d0 = (f->bits[j][0] ^ wb[0]) & mask[0], d1 = (f->bits[j][1] ^ wb[1]) & mask[1];
        int same_picture = same_ink ? (d0 | d1) == 0 : (d0 ^ mask[0]) == 0 && (d1 ^ mask[1]) == 0;
        unsigned differ = popcount64(d0) + popcount64(d1);
        if (!same_ink) {
            differ = kept - differ;
        }
        if (same_picture || differ == 0 || f->set[j] != f->set[out.glyph] ||
            (f->code[j] == f->code[out.glyph] && f->unicode[j] == f->unicode[out.glyph])) {
            continue;
        }
        /* Each pixel where the two differ adds |t - 1 + b| - |t - b| = +-(2t - 1) to the sums. */
        double support = (errs[c] - out.err) * kept / differ;
        if (support < out.support) {
            out.support = support;
        }
    }
    return out;
}

static struct match best_glyph(const struct font *f, struct exact_index *x, const uint64_t bits[2],
                               const int *t, unsigned n, int paper_hint)
{
    const uint64_t all[2] = {~0ull, ~0ull};
    return best_glyph_masked(f, x, bits, t, n, all, -1, paper_hint);
}

/*
 * The rows (a bit each) of an underline cursor in the cell: consecutive
 * rows of the bottom quarter entirely on the ink side of match m. 0 when
 * there is none.
 */
static unsigned cursor_band(const struct font *f, const uint64_t bits[2], struct match m)
{
    unsigned band = 0;
    for (unsigned y = f->height - f->height / 4; y < f->height; y++) {
        unsigned i = y * GLYPH_W;
        unsigned row = (unsigned)((bits[i >> 6] >> (i & 63)) & 0xFF);
        if (row == (m.ink_is_a ? 0xFFu : 0x00u)) {
            band |= 1u << y;
        } else if (band) {
            break;
        }
    }
    return band;
}

/* The sum of the n pixels' squared distances from their mean mc. */
static long spread(int pix[][3], unsigned n, const int mc[3])
{
    long sum = 0;
    for (unsigned i = 0; i < n; i++) {
        sum += dist2(pix[i], mc);
    }
    return sum;
}

/* A blank cell of colour rgb; its confidence at most top, less the further rgb is from the palette.
 */
static void blank_cell(const int rgb[3], int top, struct sk_textrec_cell *out)
{
    double d;
    out->ch = ' ';
    out->unicode = 0;
    out->bg = (uint8_t)snap_plain(rgb, &d);
    out->fg = 7;
    int conf = top - (int)(d / 2);
    out->conf = (uint8_t)(conf < 0 ? 0 : conf);
}

/* Whether a and b differ so little in luma that the bitmap match reads their glyphs from chroma. */
static int low_luma(unsigned a, unsigned b)
{
    const uint8_t *p = sk_vga_palette[a], *q = sk_vga_palette[b];
    int d = (SK_YCC_YR8 * (p[0] - q[0]) + SK_YCC_YG8 * (p[1] - q[1]) + SK_YCC_YB8 * (p[2] - q[2])) /
            256;
    return d < 0 ? -d < REFINE_LUMA : d < REFINE_LUMA;
}

/* What reading a cell of one font takes besides its pixels. */
struct reader {
    const struct font *font;
    struct exact_index *exact; /* the font's (its bitmap memo is written) */
    const double (*pal)[3];    /* the palette in luma and chroma */
    struct fit_memo *memo;     /* the model fit's readings of this picture */
    int shift; /* a full pass: try a misfit cell's glyphs a pixel off, keep each cell's shape */
};

/* The fit's reading of a cell (pix, ninth, odd), from the memo or fitted and kept there. */
static void fit_cell(const struct font *f, struct fit_memo *memo, int pix[][3], int ninth, int odd,
                     struct sk_glyphfit_result *r)
{
    uint8_t px[MEMO_BYTES] = {0};
    unsigned n = 0;
    for (unsigned i = 0; i < GLYPH_W * f->height; i++) {
        px[n++] = (uint8_t)pix[i][0];
        px[n++] = (uint8_t)pix[i][1];
        px[n++] = (uint8_t)pix[i][2];
    }
    for (unsigned y = 0; ninth && y < f->height; y++) {
        px[n++] = (uint8_t)pix[MAX_PIX + y][0];
        px[n++] = (uint8_t)pix[MAX_PIX + y][1];
        px[n++] = (uint8_t)pix[MAX_PIX + y][2];
    }
    /* Eight bytes at a time (MEMO_BYTES is a multiple of 8; the rest of px is 0). */
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)(ninth * 2 + odd);
    for (unsigned i = 0; i < n; i += 8) {
        uint64_t w;
        memcpy(&w, px + i, sizeof(w));
        h = (h ^ w) * 0xC2B2AE3D27D4EB4Full;
        h ^= h >> 29;
    }
    /* So that every bit of the last word reaches the slot's low bits. */
    h ^= h >> 32;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
    struct memo_slot *s = NULL;
    for (unsigned k = 0; k < MEMO_PROBES; k++) {
        struct memo_slot *t = &memo->slot[(h + k) % MEMO_SLOTS];
        if (t->pass != memo->pass) {
            s = t; /* empty: not seen this pass */
            break;
        }
        if (t->font == f && t->hash == h && t->ninth == ninth && t->odd == odd &&
            memcmp(t->px, px, n) == 0) {
            *r = t->r;
            return;
        }
    }
    const struct sk_glyphfit_cell c = {
        .glyph = (const int(*)[3])pix,
        .ninth = ninth ? (const int(*)[3]) & pix[MAX_PIX] : NULL,
        .odd = odd,
    };
    sk_glyphfit_run(f->fit, &c, r);
    if (s == NULL) {
        return;
    }
    s->pass = memo->pass;
    s->font = f;
    s->hash = h;
    s->ninth = ninth;
    s->odd = odd;
    memcpy(s->px, px, n);
    s->r = *r;
}

/* What cell_recognise says of a cell besides its reading. */
#define CELL_CURSOR 1  /* the hardware cursor is in it */
#define CELL_REFINED 2 /* the model fit read it */
#define CELL_SHIFTED 4 /* its glyph is a pixel off its place (CELL_DX, CELL_DY) */
#define CELL_SHIFT(dx, dy) (CELL_SHIFTED | ((dx) + 1) << 3 | ((dy) + 1) << 5)
#define CELL_DX(flags) ((flags)&CELL_SHIFTED ? (((flags) >> 3) & 3) - 1 : 0)
#define CELL_DY(flags) ((flags)&CELL_SHIFTED ? (((flags) >> 5) & 3) - 1 : 0)

/* Row y of glyph bits (height h) drawn moved dx right and dy down: bit x for column x. */
static unsigned shifted_row(const uint64_t bits[2], unsigned h, unsigned y, int dx, int dy)
{
    int gy = (int)y - dy;
    if (gy < 0 || gy >= (int)h) {
        return 0;
    }
    unsigned row = (unsigned)(bits[gy >> 3] >> ((gy & 7) * GLYPH_W)) & 0xFF;
    return (dx > 0 ? row << dx : row >> -dx) & 0xFF;
}

/*
 * Read the cell the bitmap match read as *out again by the model fit
 * (glyphfit), whose reading replaces it, when the match is unsure of it:
 * its confidence is low, or it draws something (drawn) in colours that
 * differ little in luma. odd: -1 for no refit, else whether the cell's
 * first column is odd in the frame. CELL_REFINED when it was read again.
 */
static int refine_cell(const struct reader *rd, int pix[][3], int ninth, int odd, int drawn,
                       struct sk_textrec_cell *out, unsigned *glyph)
{
    const struct font *f = rd->font;
    if (odd < 0 || !f->fit ||
        (out->conf >= REFINE_BELOW && !(drawn && low_luma(out->fg, out->bg)))) {
        return 0;
    }
    struct sk_glyphfit_result r;
    fit_cell(f, rd->memo, pix, ninth, odd, &r);
    out->ch = f->code[r.glyph];
    out->unicode = f->unicode[r.glyph];
    *glyph = r.glyph + 1;
    out->fg = r.fg;
    out->bg = r.bg;
    /* The misfit against the colours' distance (a blank's against a middling one). */
    int conf = 100 - (int)(200 * r.rms / (r.contrast > 64 ? r.contrast : 64));
    out->conf = (uint8_t)(conf < 0 ? 0 : conf > 100 ? 100 : conf);
    return CELL_REFINED;
}

/*
 * A cell no glyph fits may be drawn in a font no table holds, whose glyph
 * is one of ours a pixel off its place: Linux's built-in VGA font draws f
 * a pixel right of the VGA BIOS's, and ═ a row higher. The cell (t, n
 * pixels) is moved back by each one-pixel step whose row or column moved
 * out of it is paper in its bitmap, the paper filled in on the other
 * side; where the moved bitmap (cell: the cell's, t > 128) is exactly a
 * glyph's, in m's polarity, that glyph's misfit is the moved cell's plus
 * what the pixels moved out lie off paper. Returns the best step's CELL_SHIFT flags with its match
 * in *s, or 0 when none fits SHIFT_GAIN times better than m.
 */
static int shifted_glyph(const struct font *f, struct exact_index *x, const int *t,
                         const uint64_t cell[2], unsigned n, struct match m, int paper_hint,
                         struct match *s)
{
    static const int steps[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    const uint64_t all[2] = {~0ull, ~0ull};
    const int paper = m.ink_is_a ? 0 : 256;
    const unsigned paper_row = m.ink_is_a ? 0x00 : 0xFF; /* a row of paper in the bitmap */
    const int h = (int)(n / GLYPH_W);
    uint8_t rows[MAX_CELL_H]; /* the cell's bitmap by rows, bit x for column x */
    for (int y = 0; y < h; y++) {
        rows[y] = (uint8_t)(cell[y >> 3] >> ((y & 7) * GLYPH_W));
    }
    int best = 0;
    double best_err = m.err * SHIFT_GAIN;
    for (unsigned k = 0; k < 4; k++) {
        int dx = steps[k][0], dy = steps[k][1];
        /* The row or column the step moves out of the cell is paper, or the glyph is not there. */
        unsigned out = 0;
        for (int y = 0; y < h && dx != 0; y++) {
            out |= (rows[y] ^ paper_row) & (dx > 0 ? 0x01u : 0x80u);
        }
        if (dy != 0) {
            out |= rows[dy > 0 ? 0 : h - 1] ^ paper_row;
        }
        if (out) {
            continue;
        }
        /* Glyph pixel (x, y) is drawn at cell pixel (x + dx, y + dy); what lies past the cell is
         * paper. */
        uint64_t bits[2] = {0, 0};
        for (int y = 0; y < h; y++) {
            int cy = y + dy;
            unsigned row = cy < 0 || cy >= h ? paper_row : rows[cy];
            row = dx > 0   ? row >> 1 | (paper_row & 0x80u)
                  : dx < 0 ? (row << 1 & 0xFFu) | (paper_row & 1u)
                           : row;
            bits[y >> 3] |= (uint64_t)row << ((y & 7) * GLYPH_W);
        }
        if (exact_find(x, bits) < 0) {
            continue; /* moved, the bitmap is no glyph's */
        }
        int ts[MAX_PIX];
        long lost = 0;
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < GLYPH_W; i++) {
                int cx = i + dx, cy = y + dy, gx = i - dx, gy = y - dy;
                unsigned at = (unsigned)(y * GLYPH_W + i);
                ts[at] =
                    cx >= 0 && cx < GLYPH_W && cy >= 0 && cy < h ? t[cy * GLYPH_W + cx] : paper;
                if (gx < 0 || gx >= GLYPH_W || gy < 0 || gy >= h) {
                    lost += abs(t[at] - paper);
                }
            }
        }
        struct match c = best_glyph_masked(f, x, bits, ts, n, all, m.ink_is_a, paper_hint);
        if (c.ink_is_a != m.ink_is_a) {
            continue; /* the exact index ranks both polarities; the paper filled in is m's */
        }
        c.err += (double)lost / (256.0 * n);
        if (c.err < best_err) {
            best_err = c.err;
            best = CELL_SHIFT(dx, dy);
            *s = c;
        }
    }
    return best;
}

/*
 * Recognise one cell's pixels; CELL_* flags. refine: -1,
 * or the parity of the cell's first column in the frame to read an unsure
 * cell again by the model fit. *glyph: the index of the glyph read in the
 * font plus one, 0 for a blank.
 */
VECTOR_CLONES static int cell_recognise(const struct reader *rd, int pix[][3], int ninth,
                                        int cursor_ok, int refine, struct sk_textrec_cell *out,
                                        double *resid, unsigned *glyph, double *support,
                                        struct cell_shape *shape)
{
    const struct font *f = rd->font;
    *resid = 0;
    *glyph = 0;
    *support = 2;
    shape->ham = HAM_NONE;
    unsigned n = GLYPH_W * f->height;
    struct planes pl;
    int mc[3];
    planes_fill(&pl, pix, n, mc);
    int da, dab;
    unsigned ia = farthest(&pl, n, mc, &da);
    /* No two pixels are further apart than twice the furthest from the mean. */
    if (4 * da < UNIFORM_DIST * UNIFORM_DIST) {
        blank_cell(mc, 100, out);
        return 0;
    }
    unsigned ib = farthest(&pl, n, pix[ia], &dab);
    if (dab < UNIFORM_DIST * UNIFORM_DIST) {
        blank_cell(mc, 100, out);
        return 0;
    }
    const int *a = pix[ia], *b = pix[ib];
    const int ab[3] = {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    /*
     * Pixels are placed between B and A along the colour axis, or along
     * luma when the two differ enough in brightness: JPEG keeps luma at full
     * resolution but halves chroma, so the chroma in the axis only blurs
     * the glyph (blue on black is the extreme case).
     */
    int w[3] = {ab[0], ab[1], ab[2]};
    long den = dab;
    long dy = 77L * ab[0] + 150L * ab[1] + 29L * ab[2];
    if (labs(dy) >= LUMA_AXIS_MIN * 256 && (double)dy * dy >= LUMA_AXIS_SHARE * 65536.0 * dab) {
        w[0] = 77;
        w[1] = 150;
        w[2] = 29;
        den = dy;
    }
    int t[MAX_PIX];
    uint64_t bits[2] = {0, 0};
    /* One division a cell, not one a pixel. */
    double scale = 256.0 / (double)den;
    /* In int: |dot| is at most 3 x 255 x 255 (a colour axis), so the compiler can vectorise. */
    for (unsigned i = 0; i < n; i++) {
        int dot =
            (pl.c[0][i] - b[0]) * w[0] + (pl.c[1][i] - b[1]) * w[1] + (pl.c[2][i] - b[2]) * w[2];
        int v = (int)((double)dot * scale);
        t[i] = v < 0 ? 0 : v > 256 ? 256 : v;
    }
    /* A row's eight bits at a time (n is whole rows): the compiler makes vector compares of it. */
    for (unsigned y = 0; y < n / GLYPH_W; y++) {
        const int *ty = t + y * GLYPH_W;
        unsigned row = 0;
        for (unsigned x = 0; x < GLYPH_W; x++) {
            row |= (unsigned)(ty[x] > 128) << x;
        }
        bits[y >> 3] |= (uint64_t)row << ((y & 7) * GLYPH_W);
    }
    /* The ninth column of a 9-wide cell is paper (outside 0xC0..0xDF). */
    int paper_hint = -1;
    if (ninth) {
        long sum9 = 0;
        for (unsigned y = 0; y < f->height; y++) {
            const int *p = pix[MAX_PIX + y];
            sum9 += (long)(p[0] - b[0]) * w[0] + (long)(p[1] - b[1]) * w[1] +
                    (long)(p[2] - b[2]) * w[2];
        }
        paper_hint = den > 0 ? sum9 * 2 > den * (long)f->height : sum9 * 2 < den * (long)f->height;
    }
    struct match m = best_glyph(f, rd->exact, bits, t, n, paper_hint);
    if (m.err > BLANK_ERR && spread(pix, n, mc) < (long)BLANK_RMS * BLANK_RMS * (long)n) {
        /* Nothing glyph-like, and little spread: JPEG's noise on a blank. */
        *resid = m.err;
        blank_cell(mc, 90, out);
        return refine_cell(rd, pix, ninth, refine, 0, out, glyph);
    }
    /*
     * On a full pass (the shape is for it alone: screen_unique), the cell's
     * bitmap with its ink set, and the pixels where it differs from the glyph's.
     */
    int shift = 0;
    if (rd->shift) {
        uint64_t mask[2];
        cell_mask(f, mask);
        const uint64_t *g = f->bits[m.glyph];
        for (unsigned k = 0; k < 2; k++) {
            shape->ink[k] = (m.ink_is_a ? bits[k] : ~bits[k]) & mask[k];
        }
        unsigned ham = popcount64(shape->ink[0] ^ g[0]) + popcount64(shape->ink[1] ^ g[1]);
        if (ham >= SHIFT_TRY_HAM && m.err > SHIFT_TRY_ERR) {
            struct match s = m;
            int sh = shifted_glyph(f, rd->exact, t, bits, n, m, paper_hint, &s);
            /* The same character a pixel off is no other reading: the cell keeps its place. */
            if (sh && f->code[s.glyph] != f->code[m.glyph]) {
                m = s;
                shift = sh;
            }
        }
        if (!shift) {
            shape->ham = (uint8_t)(ham < HAM_NONE ? ham : HAM_NONE - 1);
        }
    }
    int cursor = 0;
    unsigned band = 0; /* the cursor's rows, from the bottom quarter */
    /* A glyph read a pixel off fits its rows: no cursor is missing from them. */
    if (!shift && cursor_ok && f->height == 16 && m.err > 0.04) {
        band = cursor_band(f, bits, m);
    }
    if (band) {
        uint64_t keep[2] = {~0ull, ~0ull};
        for (unsigned y = 0; y < f->height; y++) {
            if (band & (1u << y)) {
                keep[(y * GLYPH_W) >> 6] &= ~(0xFFull << ((y * GLYPH_W) & 63));
            }
        }
        struct match c = best_glyph_masked(f, NULL, bits, t, n, keep, m.ink_is_a, paper_hint);
        if (c.err < m.err / 2) {
            m = c;
            cursor = (int)band;
        }
    }
    /*
     * The mean colour of the paper pixels and of the ink's, from only the
     * pixels on the right side of the midpoint (edges are mixed): ink at
     * least 3/4 of the way to its colour, paper at least half. As bytes and
     * masks, without branches, so the compiler can vectorise it.
     */
    uint8_t ink_px[MAX_PIX]; /* the glyph's, the cursor's rows inked */
    const uint64_t *g = f->bits[m.glyph];
    for (unsigned i = 0; i < n; i += GLYPH_W) {
        unsigned y = i / GLYPH_W;
        unsigned row =
            cursor & (1 << y) ? 0xFF : shifted_row(g, f->height, y, CELL_DX(shift), CELL_DY(shift));
        for (unsigned x = 0; x < GLYPH_W; x++) {
            ink_px[i + x] = (uint8_t)((row >> x) & 1);
        }
    }
    const int ink_lo = m.ink_is_a ? 192 : 0, ink_hi = m.ink_is_a ? 256 : 64;
    const int paper_lo = m.ink_is_a ? 0 : 128, paper_hi = m.ink_is_a ? 128 : 256;
    int sum[2][3] = {{0, 0, 0}, {0, 0, 0}}; /* paper, ink: at most 255 x MAX_PIX */
    int cnt[2] = {0, 0};
    for (unsigned i = 0; i < n; i++) {
        int ink = ink_px[i], ti = t[i];
        int use_ink = ink & (ti >= ink_lo) & (ti <= ink_hi);
        int use_paper = (ink ^ 1) & (ti >= paper_lo) & (ti <= paper_hi);
        for (int c = 0; c < 3; c++) {
            sum[1][c] += pl.c[c][i] & -use_ink;
            sum[0][c] += pl.c[c][i] & -use_paper;
        }
        cnt[1] += use_ink;
        cnt[0] += use_paper;
    }
    int paper[3], inkc[3];
    for (int c = 0; c < 3; c++) {
        paper[c] = cnt[0] ? (int)(sum[0][c] / cnt[0]) : (m.ink_is_a ? b[c] : a[c]);
        inkc[c] = cnt[1] ? (int)(sum[1][c] / cnt[1]) : (m.ink_is_a ? a[c] : b[c]);
    }
    double bd, fd;
    unsigned bg = snap_plain(paper, &bd);
    unsigned fg = snap_ink(rd->pal, inkc, bg, &fd);
    out->ch = f->code[m.glyph];
    out->unicode = f->unicode[m.glyph];
    out->fg = (uint8_t)fg;
    out->bg = (uint8_t)bg;
    int conf = 100 - (int)(m.err * 150) - (int)(bd / 2) - (int)(fd / 8);
    out->conf = (uint8_t)(conf < 0 ? 0 : conf > 100 ? 100 : conf);
    *resid = m.err;
    if (cursor) {
        *support = m.support; /* the match without the cursor's rows */
        shape->ham = HAM_NONE;
        return CELL_CURSOR;
    }
    *glyph = m.glyph + 1;
    if (shift) {
        *support = m.support; /* the model fit reads glyphs in their places */
        return shift;
    }
    int refined = refine_cell(rd, pix, ninth, refine, f->ink[m.glyph] != 0 && f->ink[m.glyph] != n,
                              out, glyph);
    if (!refined) {
        *support = m.support;
    } else {
        shape->ham = HAM_NONE;
    }
    return refined;
}

/*
 * A screen's colours sit on the palette when at least PALETTE_SHARE of its
 * cells (those whose paper can be told from their ink) have their paper within PALETTE_NEAR_BG (RGB
 * distance) of the entry bg names, and PALETTE_INK_SHARE of its glyph cells their ink within
 * PALETTE_NEAR_FG of fg's: JPEG leaves a wide paper's colour nearly exact,
 * a thin stroke's only roughly (4:2:0 halves its chroma).
 */
#define PALETTE_NEAR_BG 24
#define PALETTE_NEAR_FG 80
#define PALETTE_SHARE 0.9
#define PALETTE_INK_SHARE 0.7
/* A measured ink this near (RGB) one entry, and twice as far from the match's, is that entry. */
#define INK_RESNAP_NEAR 64
/*
 * An ink tells the VGA's palette from EFI's only where their entries lie
 * this far apart (RGB): brown, dark grey and the bright colours, not light
 * grey (0xAA against 0x98) nor the dark colours (0xAA against 0x98 in one
 * or two channels), which a thin stroke's measure cannot tell apart. And
 * EFI's must fit this much better: a Linux console's dark grey strokes
 * measure darker than they are.
 */
#define PALETTE_INK_TELLS 48
#define PALETTE_EFI_BETTER 0.8

static void mean_rgb(const long sum[3], long n, uint8_t out[3])
{
    for (int c = 0; c < 3; c++) {
        out[c] = (uint8_t)((sum[c] + n / 2) / n);
    }
}

/*
 * Measure the colours of a cell (pixels pix, glyph the index of its glyph
 * in font f plus one, 0 for a blank) into out->fg_rgb and out->bg_rgb.
 * cursor: the cell holds the cursor, whose underline (the bottom quarter)
 * is left out; scaled: the picture is scaled (pix blends its pixels).
 * Returns whether the paper was measured clear of the ink (not in a cell
 * of ░▒▓, whose every paper pixel touches ink).
 */
static int cell_colours(const struct font *f, unsigned glyph, int cursor, int scaled, int dx,
                        int dy, int pix[][3], struct sk_textrec_cell *out)
{
    unsigned rows = cursor ? f->height - f->height / 4 : f->height;
    unsigned n = rows * GLYPH_W;
    if (glyph == 0 || f->ink[glyph - 1] == 0) {
        /* A blank (most cells): one colour, every pixel's mean. */
        long sum[3] = {0, 0, 0};
        for (unsigned i = 0; i < n; i++) {
            sum[0] += pix[i][0];
            sum[1] += pix[i][1];
            sum[2] += pix[i][2];
        }
        mean_rgb(sum, n, out->bg_rgb);
        memcpy(out->fg_rgb, out->bg_rgb, 3);
        return 1;
    }
    uint8_t ink[MAX_CELL_H] = {0}; /* a row's ink, bit x for column x */
    for (unsigned y = 0; y < rows; y++) {
        ink[y] = (uint8_t)shifted_row(f->bits[glyph - 1], f->height, y, dx, dy);
    }
    /*
     * The paper: its pixels with no ink beside, above or below (JPEG mixes
     * those), else all of them. Every pixel's sum too, for the ink's chroma.
     */
    long ps[3] = {0, 0, 0}, as[3] = {0, 0, 0}, all[3] = {0, 0, 0}, pn = 0, an = 0;
    for (unsigned y = 0; y < rows; y++) {
        unsigned row = ink[y];
        unsigned near = (row | row << 1 | row >> 1 | (y > 0 ? ink[y - 1] : 0) |
                         (y + 1 < rows ? ink[y + 1] : 0)) &
                        0xFF;
        for (unsigned x = 0; x < GLYPH_W; x++) {
            const int *p = pix[y * GLYPH_W + x];
            int is_paper = !((row >> x) & 1), clear = is_paper && !((near >> x) & 1);
            for (int c = 0; c < 3; c++) {
                all[c] += p[c];
                as[c] += is_paper ? p[c] : 0;
                ps[c] += clear ? p[c] : 0;
            }
            an += is_paper;
            pn += clear;
        }
    }
    if (pn) {
        mean_rgb(ps, pn, out->bg_rgb);
    } else if (an) {
        mean_rgb(as, an, out->bg_rgb);
    } else {
        memcpy(out->bg_rgb, sk_vga_palette[out->bg & 15], 3);
    }
    /*
     * The ink: its luma from the glyph's pixels at least half as far in luma
     * from the paper as the furthest (a stroke's middle: JPEG keeps luma at
     * full resolution); its chroma from every pixel: JPEG's 4:2:0 blocks
     * spread a thin stroke's chroma over its paper but keep its sum, so the
     * cell's chroma beyond its paper's, over the ink's share (the glyph
     * blurred by 1 2 1 each way, for what spills out of the cell), is the
     * ink's beyond the paper's. Luma in 1/256 (SK_YCC_*8 weights).
     */
    const int yb =
        SK_YCC_YR8 * out->bg_rgb[0] + SK_YCC_YG8 * out->bg_rgb[1] + SK_YCC_YB8 * out->bg_rgb[2];
    /* Each ink pixel's luma beyond the paper's, d, and its size, ly (-1 off the ink). */
    int ly[MAX_PIX], d[MAX_PIX], dmax = -1;
    long share = 0; /* the ink's blurred share of the cell, in 1/16 */
    for (unsigned i = 0; i < n; i++) {
        unsigned x = i % GLYPH_W, y = i / GLYPH_W;
        if (!((ink[y] >> x) & 1)) {
            ly[i] = -1;
            continue;
        }
        const int *p = pix[i];
        d[i] = SK_YCC_YR8 * p[0] + SK_YCC_YG8 * p[1] + SK_YCC_YB8 * p[2] - yb;
        ly[i] = d[i] < 0 ? -d[i] : d[i];
        dmax = ly[i] > dmax ? ly[i] : dmax;
        /* The 1 2 1 kernel's weight that stays in the cell: separable, 4 of 4 inside. */
        share += (x > 0 && x + 1 < GLYPH_W ? 4 : 3) * (y > 0 && y + 1 < rows ? 4 : 3);
    }
    long ys = 0, yn = 0;
    for (unsigned i = 0; dmax >= 0 && i < n; i++) {
        if (ly[i] >= 0 && 2 * ly[i] >= dmax) {
            ys += d[i] + yb;
            yn++;
        }
    }
    if (yn == 0 || share <= 0) {
        memcpy(out->fg_rgb, out->bg_rgb, 3);
        return pn > 0;
    }
    /* Chroma is linear in RGB: the cell's sum beyond n paper pixels, over the ink's share. */
    double pb[3], ex[3];
    sk_ycc(out->bg_rgb[0], out->bg_rgb[1], out->bg_rgb[2], pb);
    for (int c = 0; c < 3; c++) {
        ex[c] = (double)(all[c] - (long)n * out->bg_rgb[c]) * 16 / (double)share;
    }
    double e[3], rgb[3];
    sk_ycc(ex[0], ex[1], ex[2], e);
    double luma = (double)ys / yn / 256;
    if (scaled && pn > 0) {
        /*
         * A scaler spreads a stroke a glyph pixel thin (a box's line) over
         * its neighbours, so no pixel of it keeps the ink's luma, but the
         * cell keeps its sum, as it keeps its chroma's: where that says the
         * ink lies further from the paper, it does (where the paper was
         * measured clear of the ink: the sum is beyond it).
         */
        double mass = pb[0] + e[0];
        if ((mass - pb[0]) * (luma - pb[0]) > 0 && fabs(mass - pb[0]) > fabs(luma - pb[0])) {
            luma = mass;
        }
    }
    sk_ycc_rgb(luma, pb[1] + e[1], pb[2] + e[2], rgb);
    for (int c = 0; c < 3; c++) {
        out->fg_rgb[c] = (uint8_t)(rgb[c] < 0 ? 0 : rgb[c] > 255 ? 255 : rgb[c] + 0.5);
    }
    return pn > 0;
}

/*
 * Recognise every step-th row of mode md (from the middle of the first
 * step) into tr->cells; with measure (a full pass only), their colours and
 * tr->clear too. A pass whose misfit (mode_misfit) would exceed bound stops
 * as soon as its cells' misfits say so: its tally is cut, and its misfit is
 * HUGE_VAL. A search passes the misfit a reading must beat to count (most
 * tries of a first frame are wrong cells, sure to lose within a few rows);
 * HUGE_VAL reads every cell.
 */
/*
 * A reading is unsure when the pixels where another character's glyph
 * differs from the one read side with it weakly: their support (struct
 * match) is below UNSURE_SUPPORT. Its conf is then below SK_TEXTREC_SURE,
 * the lower the weaker (0 when they side with neither): a look-alike that
 * JPEG's blur has left as likely, or a glyph of a font no table holds read
 * as its nearest, is marked, not passed off as sure. Else conf is as the
 * fit says. 0.3: those pixels lie on average less than 65% of the way to
 * the colour the glyph read gives them. On the corpus's tune frames at q75
 * (bench/textcorpus), it marks 0.13% of the cells read at native size and
 * 33% of the wrong ones (0.5: 0.17% and 36%, and one right 'l' of the
 * demo's BIOS screen at q80; the fit's conf alone, before: 0.03% and
 * 6.5%); stretched to 1080p, 1.5% and 74% (before: 0.20% and 6.2%).
 */
#define UNSURE_SUPPORT 0.3
static uint8_t ambiguous_conf(uint8_t conf, double support)
{
    if (!(support < UNSURE_SUPPORT)) {
        return conf;
    }
    int c = (int)((SK_TEXTREC_SURE - 1) * (support < 0 ? 0 : support / UNSURE_SUPPORT));
    return (uint8_t)(c < conf ? c : conf);
}

/*
 * A screen draws each character one way, and the same glyph recurs.
 * Where a bitmap that lies at least UNIQUE_FAR pixels from the glyph of
 * the character X it was read as recurs in UNIQUE_RECUR cells, on a
 * screen where UNIQUE_SEEN cells read as X lie within UNIQUE_NEAR pixels
 * of theirs, that bitmap is another character drawn in a font no table
 * holds: Linux's built-in VGA font draws v wider than the VGA BIOS does,
 * nearer the BIOS's w than its v. Only cells already unsure (another
 * glyph nearly fits) are taken. They are read as the nearest glyph of
 * another character (not one that is far from it too while the screen
 * draws that one near: the same reasoning; for printable ASCII, only
 * printable ASCII), still unsure, when that glyph lies at most
 * UNIQUE_WORSE times as far; else they are left as read. JPEG bends the
 * cells of one colour pair at one block alignment alike, so a bent
 * bitmap of our own glyph can recur twice (a light blue e on light
 * magenta was renamed ∟); three is the least taken. Blanks and solid cells
 * are left alone: they are no character's shape.
 */
#define UNIQUE_FAR 6
#define UNIQUE_NEAR 1
#define UNIQUE_SEEN 2
#define UNIQUE_RECUR 3
#define UNIQUE_WORSE 1.5
#define ASCII_GRAPH(c) ((c) > 0x20 && (c) < 0x7F)

static int unique_cmp(const void *pa, const void *pb)
{
    const struct unique_key *a = pa, *b = pb;
    if (a->ch != b->ch) {
        return a->ch < b->ch ? -1 : 1;
    }
    for (unsigned w = 0; w < 2; w++) {
        if (a->ink[w] != b->ink[w]) {
            return a->ink[w] < b->ink[w] ? -1 : 1;
        }
    }
    return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* The nearest glyph of f to ink[] of a character other than ch and not seen far from it; or -1. */
static int unique_rename(const struct font *f, const uint64_t ink[2], unsigned ham, uint8_t ch,
                         const uint8_t seen[256])
{
    uint64_t mask[2];
    cell_mask(f, mask);
    unsigned n = GLYPH_W * f->height, best_d = ~0u;
    int best = -1;
    for (unsigned j = 0; j < f->count; j++) {
        uint8_t c = f->code[j];
        if (c == ch || f->unicode[j] != 0 || f->ink[j] == 0 || f->ink[j] == n ||
            (ASCII_GRAPH(ch) && !ASCII_GRAPH(c))) {
            continue;
        }
        unsigned d = popcount64((ink[0] ^ f->bits[j][0]) & mask[0]) +
                     popcount64((ink[1] ^ f->bits[j][1]) & mask[1]);
        if (d < best_d && (d < UNIQUE_FAR || seen[c] < UNIQUE_SEEN)) {
            best_d = d;
            best = (int)j;
        }
    }
    return best >= 0 && best_d <= UNIQUE_WORSE * ham ? best : -1;
}

static void screen_unique(struct sk_textrec *tr, const struct mode *md)
{
    const struct font *f = &tr->fonts[md->font];
    unsigned cells = md->cols * md->rows, n = GLYPH_W * f->height;
    uint8_t seen[256] = {0};
    for (unsigned i = 0; i < cells; i++) {
        const struct sk_textrec_cell *cell = &tr->cells[i];
        if (tr->shape[i].ham <= UNIQUE_NEAR && cell->unicode == 0 && seen[cell->ch] < 255) {
            seen[cell->ch]++;
        }
    }
    /* The cells far from their glyph, by character and bitmap. */
    struct unique_key *far = tr->unique;
    unsigned nf = 0;
    for (unsigned i = 0; i < cells; i++) {
        const struct sk_textrec_cell *cell = &tr->cells[i];
        const struct cell_shape *s = &tr->shape[i];
        unsigned g = tr->glyph[i];
        if (s->ham == HAM_NONE || s->ham < UNIQUE_FAR || cell->conf >= SK_TEXTREC_SURE ||
            cell->unicode != 0 || seen[cell->ch] < UNIQUE_SEEN || g == 0 || f->ink[g - 1] == 0 ||
            f->ink[g - 1] == n) {
            continue;
        }
        far[nf++] = (struct unique_key){{s->ink[0], s->ink[1]}, i, cell->ch};
    }
    qsort(far, nf, sizeof(*far), unique_cmp);
    for (unsigned a = 0, b; a < nf; a = b) {
        b = a + 1;
        while (b < nf && far[b].ch == far[a].ch && far[b].ink[0] == far[a].ink[0] &&
               far[b].ink[1] == far[a].ink[1]) {
            b++;
        }
        if (b - a < UNIQUE_RECUR) {
            continue;
        }
        int j = unique_rename(f, far[a].ink, tr->shape[far[a].cell].ham, far[a].ch, seen);
        for (unsigned k = a; j >= 0 && k < b; k++) {
            struct sk_textrec_cell *cell = &tr->cells[far[k].cell];
            cell->ch = f->code[j]; /* unsure already: conf is below SK_TEXTREC_SURE */
            tr->glyph[far[k].cell] = (uint16_t)(j + 1);
        }
    }
}

/* Note which runs of img's rows are one colour (tr->flat), for flat_cell. */
static void flat_note(struct sk_textrec *tr, const struct sk_image *img)
{
    unsigned runs = (img->width + FLAT_RUN - 1) / FLAT_RUN;
    size_t need = (size_t)runs * img->height;
    if (need > tr->flat_cap) {
        free(tr->flat);
        tr->flat = xcalloc(need, sizeof(*tr->flat));
        tr->flat_cap = need;
    }
    tr->flat_runs = runs;
    for (unsigned y = 0; y < img->height; y++) {
        const uint8_t *row = img->pixels + (size_t)y * img->pitch;
        for (unsigned b = 0; b < runs; b++) {
            const uint8_t *first = row + 3 * b * FLAT_RUN;
            const int f[3] = {first[0], first[1], first[2]};
            unsigned end = (b + 1) * FLAT_RUN < img->width ? (b + 1) * FLAT_RUN : img->width;
            int flat = 1;
            for (unsigned x = b * FLAT_RUN + 1; x < end && flat; x++) {
                const int p[3] = {row[3 * x], row[3 * x + 1], row[3 * x + 2]};
                flat = dist2(p, f) <= FLAT_DIST * FLAT_DIST;
            }
            uint8_t *out = tr->flat[(size_t)y * runs + b];
            memcpy(out, first, 3);
            out[3] = (uint8_t)flat;
        }
    }
}

/*
 * Whether every run of frame pixels that cell (col, row) of md (as tr->map
 * reads it) draws from is flat, all of one colour (within FLAT_DIST of the
 * first's, which *rgb is then): a blank, as cell_recognise would call it.
 * Its colour and confidence come from that first pixel, not the cell's
 * mean: they may differ from cell_recognise's, and only the search's
 * passes take them (the reading it ends on is read in full). Only the
 * glyph columns need checking: on the picture's own scale read_cell reads
 * a ninth column contiguously, past a clamped first one.
 * 0 unless tr->flat_on.
 */
static int flat_cell(const struct sk_textrec *tr, const struct mode *md, unsigned col, unsigned row,
                     int rgb[3])
{
    if (!tr->flat_on) {
        return 0;
    }
    const struct map *m = &tr->map;
    unsigned px = col * md->cell_w, py = row * md->cell_h;
    unsigned b0 = m->x0[px] / 3 / FLAT_RUN, b1 = m->x1[px + md->cell_w - 1] / 3 / FLAT_RUN;
    unsigned y0 = m->y0[py], y1 = m->y1[py + md->cell_h - 1];
    const uint8_t *c0 = tr->flat[(size_t)y0 * tr->flat_runs + b0];
    const int ref[3] = {c0[0], c0[1], c0[2]};
    for (unsigned y = y0; y <= y1; y++) {
        for (unsigned b = b0; b <= b1; b++) {
            const uint8_t *c = tr->flat[(size_t)y * tr->flat_runs + b];
            const int p[3] = {c[0], c[1], c[2]};
            if (!c[3] || dist2(p, ref) > FLAT_DIST * FLAT_DIST) {
                return 0;
            }
        }
    }
    memcpy(rgb, ref, sizeof(ref));
    return 1;
}

static void run_mode(struct sk_textrec *tr, const struct sk_image *img, const struct mode *md,
                     unsigned step, int measure, double bound, struct tally *ty)
{
    const struct font *f = &tr->fonts[md->font];
    map_build(&tr->map, md, img);
    const struct reader rd = {f, exact_index(&tr->fonts[md->font]), tr->pal_ycc, tr->memo, measure};
    int pix[MAX_PIX + MAX_CELL_H][3];
    if (step == 1 && tr->map.identity) {
        font_fit(&tr->fonts[md->font]); /* for refine_cell */
    }
    memset(ty, 0, sizeof(*ty));
    ty->cursor_col = ty->cursor_row = -1;
    tr->measured = measure;
    unsigned first = step > 1 ? step / 2 : 0;
    unsigned rows = md->rows > first ? (md->rows - first + step - 1) / step : 0;
    /* The sum of misfits past which the pass's mean exceeds bound, whatever its other cells. */
    double limit = bound * ((double)rows * md->cols) * (1 + 1e-9);
    for (unsigned r = first; r < md->rows; r += step) {
        for (unsigned c = 0; c < md->cols; c++) {
            struct sk_textrec_cell *cell = &tr->cells[r * md->cols + c];
            int rgb[3];
            if (!measure && flat_cell(tr, md, c, r, rgb)) {
                blank_cell(rgb, 100, cell); /* a blank, as cell_recognise would call it */
                tr->glyph[r * md->cols + c] = 0;
                tr->shape[r * md->cols + c].ham = HAM_NONE;
                ty->cells++;
                ty->good += (unsigned)(cell->conf >= GOOD_CONF);
                continue;
            }
            read_cell(img, &tr->map, md, c, r, pix);
            double resid;
            /*
             * Only a full pass over an unscaled picture: the model's chroma
             * blocks are the frame's, and a stretched picture already gives
             * each glyph more pixels than JPEG blurs.
             */
            int refine =
                step == 1 && tr->map.identity ? (int)((tr->map.x0[c * md->cell_w] / 3) & 1) : -1;
            unsigned read_as;
            double support;
            struct cell_shape *shape = &tr->shape[r * md->cols + c];
            int flags = cell_recognise(&rd, pix, md->cell_w > GLYPH_W, ty->cursor_col < 0, refine,
                                       cell, &resid, &read_as, &support, shape);
            tr->glyph[r * md->cols + c] = (uint16_t)read_as;
            /* The pass likely kept: its colours, measured while its pixels are here. */
            if (measure) {
                tr->clear[r * md->cols + c] =
                    (uint8_t)cell_colours(f, read_as, (flags & CELL_CURSOR) != 0, tr->map.scaled,
                                          CELL_DX(flags), CELL_DY(flags), pix, cell);
            }
            ty->refined += (unsigned)((flags & CELL_REFINED) != 0);
            if (flags & CELL_CURSOR) {
                ty->cursor_col = (int)c;
                ty->cursor_row = (int)r;
            }
            int good = cell->conf >= GOOD_CONF;
            int glyph = f->code_ink[cell->ch] != 0 && f->code_ink[cell->ch] != GLYPH_W * f->height;
            ty->cells++;
            ty->resid += resid;
            ty->good += (unsigned)good;
            ty->glyphs += (unsigned)glyph;
            ty->good_glyphs += (unsigned)(good && glyph);
            ty->letters += (unsigned)(good && cell->ch < 0x80 && isalnum(cell->ch));
            if (measure) {
                cell->conf = ambiguous_conf(cell->conf, support);
            }
            /* A misfit only grows: past the limit, the pass is cut at once. */
            if (ty->resid > limit) {
                ty->cut = 1;
                return;
            }
        }
    }
    if (measure && tr->map.identity) {
        screen_unique(tr, md);
    }
}

/*
 * How badly a mode explains the picture: the mean misfit of its cells'
 * glyphs (a blank fits perfectly). Cells of a wrong size or place read
 * halves and shifted glyphs, which fit worse.
 */
static double mode_misfit(const struct tally *ty)
{
    if (ty->cut) {
        return HUGE_VAL;
    }
    return ty->cells ? ty->resid / ty->cells : 1.0;
}

/* Whether a pass over all of a mode's cells says the picture is text. */
static int tally_is_text(const struct tally *ty)
{
    return ty->cells && ty->good >= TEXT_SHARE * ty->cells && ty->letters >= TEXT_MIN_LETTERS &&
           ty->good_glyphs >= TEXT_GLYPH_SHARE * ty->glyphs;
}

/* Whether mode md's picture is img's size (read unscaled). */
static int mode_own_size(const struct mode *md, const struct sk_image *img)
{
    return md->screen_w == img->width && md->screen_h == img->height;
}

static int mode_fits(const struct mode *md, const struct sk_image *img)
{
    return md->screen_w <= MAX_MAP && md->screen_h <= MAX_MAP && md->cols <= SK_TEXTREC_MAX_COLS &&
           md->rows <= SK_TEXTREC_MAX_ROWS && img->width >= md->screen_w / 2 &&
           img->height >= md->screen_h / 2;
}

/*
 * The cells a found grid is tried as: a cell's width and height in the
 * font's own pixels, the font drawn in it, the glyph's top row in the
 * cell (EDK2's 8x19 draws its glyphs EDK2_TOP down), and how many font
 * pixels before the end of the gap between glyphs (where gridfind starts
 * a cell) the font's cells start: Unifont leaves its glyphs' first column
 * blank where the VGA font draws in it, so its cells start a pixel
 * earlier. One-pixel strokes read a pixel off miss their glyphs
 * entirely, which two-pixel strokes only half do: tried where gridfind
 * puts them, GRUB's cells would fit the VGA font better than their own.
 * A font bigger than 8x16 (Terminus's) is read at 8 of its cell's columns
 * and 16 of its rows, the ones its table picks (tools/gen-terminusfont.py
 * picks those that keep its glyphs told apart); lead and top are then in
 * the cell's pixels.
 */
static const struct shape grid_cells[] = {
    {8, 16, FONT_16, 0, 0, 0, NULL, "grid 8x16", 0, NULL, NULL},
    {9, 16, FONT_VGA16, 0, 0, 0, NULL, "grid 9x16", 0, NULL, NULL},
    {8, 16, FONT_GRUB, 0, 1, 1, NULL, "grid 8x16 unifont", 0, NULL, NULL},
    {8, 16, FONT_TER16, 0, 1, 1, NULL, "grid 8x16 terminus", 1, NULL, NULL},
    {8, 19, FONT_EDK2, EDK2_TOP, 0, 0, NULL, "grid 8x19", 0, NULL, NULL},
    {8, 14, FONT_14, 0, 0, 0, NULL, "grid 8x14", 0, NULL, NULL},
    {9, 14, FONT_VGA14, 0, 0, 0, NULL, "grid 9x14", 0, NULL, NULL},
    {8, 8, FONT_8, 0, 0, 0, NULL, "grid 8x8", 0, NULL, NULL},
    {9, 8, FONT_VGA8, 0, 0, 0, NULL, "grid 9x8", 0, NULL, NULL},
    {10, 18, FONT_TER18, 0, 1, 0, &sk_font_terminus[0], "grid 10x18 terminus", 0, NULL, NULL},
    {10, 20, FONT_TER20, 0, 1, 0, &sk_font_terminus[1], "grid 10x20 terminus", 0, NULL, NULL},
    {11, 22, FONT_TER22, 0, 1, 0, &sk_font_terminus[2], "grid 11x22 terminus", 0, NULL, NULL},
    {12, 24, FONT_TER24, 0, 1, 0, &sk_font_terminus[3], "grid 12x24 terminus", 0, NULL, NULL},
    {14, 28, FONT_TER28, 0, 1, 0, &sk_font_terminus[4], "grid 14x28 terminus", 0, NULL, NULL},
    {16, 32, FONT_TER32, 0, 2, 1, &sk_font_terminus[5], "grid 16x32 terminus", 0, NULL, NULL},
};
#define GRID_CELLS (sizeof(grid_cells) / sizeof(grid_cells[0]))
_Static_assert(GRID_CELLS == BUILTIN_SHAPES, "BUILTIN_SHAPES counts grid_cells");

static void shapes_init(struct sk_textrec *tr)
{
    memcpy(tr->shapes, grid_cells, sizeof(grid_cells));
    tr->nshapes = GRID_CELLS;
    /* A shape read at picked pixels reads its table's columns and rows. */
    for (unsigned k = 0; k < GRID_CELLS; k++) {
        if (tr->shapes[k].pick) {
            tr->shapes[k].cols = tr->shapes[k].pick->cols;
            tr->shapes[k].rows = tr->shapes[k].pick->rows;
        }
    }
}

/*
 * A console font whose printable ASCII glyphs are a built-in table's in all
 * but this many is that table's font (console-setup's VGA fonts, its
 * Terminus16, its Fixed16 as GRUB's Unifont), and is left out.
 */
#define CONSOLE_SAME_MAX 8

static int console_same(const uint8_t *rows, unsigned height, const uint8_t *table)
{
    unsigned differ = 0;
    for (unsigned c = 0x21; c < 0x7F; c++) {
        differ += memcmp(rows + (size_t)c * height, table + (size_t)c * height, height) != 0;
    }
    return differ <= CONSOLE_SAME_MAX;
}

/*
 * A console font narrower than a glyph's 8 columns (Terminus12x6) is read
 * at 8 of its cell's columns, left to right as a map reads them, some read
 * twice: the second and third of 6, the second of 7, which keep its
 * glyphs told apart best (Terminus12x6's printable ASCII has one pair of
 * glyphs a pixel apart so; four with its first column or its gap read
 * twice).
 */
static const uint8_t narrow_cols[GLYPH_W - SK_TEXTREC_CONSOLE_MIN_W][GLYPH_W] = {
    {0, 1, 1, 2, 2, 3, 4, 5}, /* 6 wide */
    {0, 1, 1, 2, 3, 4, 5, 6}, /* 7 wide */
};
_Static_assert(SK_TEXTREC_CONSOLE_MIN_W == 6, "narrow_cols has a row a width from 6");
_Static_assert(SK_TEXTREC_CONSOLE_MAX_W <= 2 * GLYPH_W, "a console font's row is one or two bytes");

/*
 * A console font wider than a glyph's 8 columns (VGA32x16) is read at 8 of
 * its cell's columns and fh of its rows (up to 16; half of a cell taller
 * than 16), each at the middle of an even share of the cell: every other
 * column and row of VGA32x16 and VGA28x16, most of whose glyphs are the
 * VGA's 8x16 and 8x14 ones doubled (read so, each of their rows once, and
 * a phase a pixel off reads the same rows).
 */
static void wide_picks(unsigned width, unsigned height, unsigned fh, uint8_t cols[GLYPH_W],
                       uint8_t rows[MAX_CELL_H])
{
    for (unsigned x = 0; x < GLYPH_W; x++) {
        cols[x] = (uint8_t)((2 * x + 1) * width / (2 * GLYPH_W));
    }
    for (unsigned y = 0; y < fh; y++) {
        rows[y] = (uint8_t)((2 * y + 1) * height / (2 * fh));
    }
}

/*
 * Row y of a console glyph (row_bytes a row, bit 7 of the first leftmost)
 * as the recogniser reads it: its columns cols[0..7] left to right, or
 * with cols NULL its first 8.
 */
static uint8_t console_row(const uint8_t *glyph, unsigned row_bytes, const uint8_t *cols,
                           unsigned y)
{
    const uint8_t *row = glyph + (size_t)y * row_bytes;
    if (cols == NULL) {
        return row[0];
    }
    unsigned read = 0;
    for (unsigned x = 0; x < GLYPH_W; x++) {
        read |= ((row[cols[x] / 8] >> (7 - cols[x] % 8)) & 1u) << (7 - x);
    }
    return (uint8_t)read;
}

/* Whether a wide console font read at table t's picked pixels is t's font (its normal or bold). */
static int console_same_picked(const uint8_t *rows, unsigned row_bytes, unsigned height,
                               const struct sk_font_terminus *t)
{
    for (unsigned wt = 0; wt < 2; wt++) {
        unsigned differ = 0;
        for (unsigned c = 0x21; c < 0x7F; c++) {
            const uint8_t *g = rows + (size_t)c * height * row_bytes;
            for (unsigned y = 0; y < MAX_CELL_H; y++) {
                if (console_row(g, row_bytes, t->cols, t->rows[y]) != t->glyph[wt][c][y]) {
                    differ++;
                    break;
                }
            }
        }
        if (differ <= CONSOLE_SAME_MAX) {
            return 1;
        }
    }
    return 0;
}

int sk_textrec_add_console_font(struct sk_textrec *tr, const char *family, const uint8_t *rows,
                                unsigned width, unsigned height)
{
    if (family == NULL || width < SK_TEXTREC_CONSOLE_MIN_W || width > SK_TEXTREC_CONSOLE_MAX_W ||
        height < 6 || height > SK_TEXTREC_CONSOLE_MAX_H) {
        return -1;
    }
    int wide = width > GLYPH_W;
    unsigned row_bytes = (width + 7) / 8;
    const uint8_t *cols = width < GLYPH_W ? narrow_cols[width - SK_TEXTREC_CONSOLE_MIN_W] : NULL;
    const uint8_t *same[5] = {NULL};
    if (wide) {
        for (unsigned i = 0; i < SK_FONT_TERMINUS_SIZES; i++) {
            if (sk_font_terminus[i].w == width && sk_font_terminus[i].h == height &&
                console_same_picked(rows, row_bytes, height, &sk_font_terminus[i])) {
                return 0;
            }
        }
    } else if (width < GLYPH_W) {
        /* No built-in font is narrower. */
    } else if (height == 8) {
        same[0] = &sk_font8x8[0][0];
        same[1] = &sk_font_bios8[0][0];
    } else if (height == 14) {
        same[0] = &sk_font8x14[0][0];
        same[1] = &sk_font_bios14[0][0];
    } else if (height == 16) {
        same[0] = &sk_font8x16[0][0];
        same[1] = &sk_font_bios16[0][0];
        same[2] = &sk_font_grub[0][0];
        same[3] = &sk_font_terminus16[0][0][0];
        same[4] = &sk_font_terminus16[1][0][0];
    }
    for (unsigned i = 0; i < 5 && same[i] != NULL; i++) {
        if (console_same(rows, height, same[i])) {
            return 0;
        }
    }
    /*
     * A cell taller than a glyph's 16 rows (Fixed18) is read in the 16 of
     * its rows that hold the most of the printable glyphs' ink, that far
     * down the cell (as EDK2's 8x19 is); another weight of a family read
     * so already is read in the family's rows.
     */
    unsigned fh = height > MAX_CELL_H ? MAX_CELL_H : height, top = 0;
    if (wide && height > MAX_CELL_H) {
        fh = (height + 1) / 2; /* every other row, as every other column (wide_picks) */
    }
    _Static_assert((SK_TEXTREC_CONSOLE_MAX_H + 1) / 2 <= MAX_CELL_H, "a wide font's rows fit");
    unsigned ink[SK_TEXTREC_CONSOLE_MAX_H] = {0};
    for (unsigned c = 0x21; !wide && c < 0x7F; c++) {
        for (unsigned y = 0; y < height; y++) {
            ink[y] += (unsigned)__builtin_popcount(rows[(size_t)c * height + y]);
        }
    }
    /* A wide font's rows are picked over its whole cell (wide_picks). */
    for (unsigned t = 0, best = 0; !wide && t + fh <= height; t++) {
        unsigned sum = 0;
        for (unsigned y = 0; y < fh; y++) {
            sum += ink[t + y];
        }
        if (t == 0 || sum > best) {
            top = t;
            best = sum;
        }
    }
    int join = -1; /* the family's shape of that size, when it has one */
    for (unsigned k = GRID_CELLS; k < tr->nshapes && join < 0; k++) {
        if (tr->shapes[k].w == width && tr->shapes[k].h == height &&
            !strcmp(tr->console_family[k - GRID_CELLS], family)) {
            join = (int)k;
            top = tr->shapes[k].top;
        }
    }
    uint8_t pick_cols[GLYPH_W], pick_rows[MAX_CELL_H];
    if (wide) {
        wide_picks(width, height, fh, pick_cols, pick_rows);
        cols = pick_cols;
    }
    uint8_t glyphs[256 * MAX_CELL_H]; /* 256 glyphs of fh rows, of the columns read */
    for (unsigned c = 0; c < 256; c++) {
        const uint8_t *g = rows + (size_t)c * height * row_bytes;
        for (unsigned y = 0; y < fh; y++) {
            glyphs[(size_t)c * fh + y] =
                console_row(g, row_bytes, cols, wide ? pick_rows[y] : top + y);
        }
    }
    if (join >= 0) {
        unsigned left = font_add_set(&tr->fonts[tr->shapes[join].font], glyphs);
        return left ? 0 : 1;
    }
    unsigned n = tr->nshapes - GRID_CELLS;
    if (n >= CONSOLE_SHAPES) {
        return 0;
    }
    int fi = FONT_COUNT + (int)n;
    /* Read at its own pixels, but not by the model fit: a framebuffer console's picture is
     * read as the other console fonts' are (FONT_TER16's). */
    font_fill(&tr->fonts[fi], glyphs, fh, 0);
    snprintf(tr->console_family[n], sizeof(tr->console_family[n]), "%s", family);
    snprintf(tr->console_name[n], sizeof(tr->console_name[n]), "grid %ux%u %s", width, height,
             family);
    const uint8_t *picked = NULL;
    if (wide) {
        memcpy(tr->console_cols[n], pick_cols, sizeof(pick_cols));
        memcpy(tr->console_rows[n], pick_rows, fh);
        cols = tr->console_cols[n];
        picked = tr->console_rows[n];
    }
    tr->shapes[tr->nshapes++] =
        (struct shape){width, height, fi, top, 1, 1, NULL, tr->console_name[n], 1, cols, picked};
    return 1;
}

/* Whether shape c is drawn in a console font, console-setup's Terminus16 or one given at run time
 * (only a console draws them). */
static int console_font(const struct shape *c)
{
    return c->console;
}

/* The columns read in a cell of shape k: its width, or the 8 its table picks or it reads. */
static unsigned shape_cols(const struct shape *c)
{
    return c->cols ? GLYPH_W : c->w;
}

/*
 * A shape read at picked pixels is tried only where its picture would be
 * a display mode's (source_mode), and on a grid at least GRID_PICKED_MIN
 * of its cell's size: half of 16x32 is 8x16, the commonest console's own
 * cells. Below GRID_SQUEEZE of its size across or down, the picture is
 * bigger than the frame and the dongle squeezed it (a 1920x1200 panel's
 * Terminus 16x32 in 1080p is 16x28.8 cells; 1920x1080's in 720p,
 * 10.7x21.3): such a reading is tried only when the frame's edges are not
 * crisp (GRID_CRISP; a scaler blends them), and ranks GRID_SQUEEZED times
 * worse. A squeezed big font fits a smaller font's picture stretched
 * about as well: Terminus16's colour table at 1024x768 in 1080p, read as
 * 16x32 cells squeezed from 2048x1536, fitted its sample of rows 0.73
 * times Terminus16's misfit, and its full reading lost to the listed
 * 128x48 mode (669 of 1,110 drawn cells wrong; 33 with Terminus16); at
 * 1.15 its dialog was read so (257 of 504 wrong, 0 before). At 1.3 the
 * ninth held-out set's frames from 1920x1200 still win by 1.6 times or
 * more at 1080p; in 720p, where 8x16 or 8x19 cells would be an odd
 * source, GRID_ODD_SOURCE is on the other side.
 * Before session 27 such shapes were tried only at 0.98 of their size or
 * more, and a 1920x1200 panel's Terminus 16x32 in 1080p was read in 9x16
 * cells (824 of 1,550 drawn cells wrong).
 */
#define GRID_PICKED_MIN 0.55
#define GRID_SQUEEZE 0.98
#define GRID_SQUEEZED 1.3

/* Whether grid g read in cells of shape c, read at picked pixels, is its picture squeezed. */
static int picked_squeezed(const struct sk_grid *g, const struct shape *c)
{
    return c->rows && (g->x.pitch < GRID_SQUEEZE * c->w || g->y.pitch < GRID_SQUEEZE * c->h);
}

/*
 * A font pixel is at most GRID_ASPECT_WIDE times wider than high, and
 * GRID_ASPECT times higher than wide. A dongle stretches a 5:4 picture
 * (1280x1024) to its 16:9 frame 64/45 = 1.42 times wider (at 1.4, such a
 * console at 1080p was read in no 8x14 or 8x16 font and lost most of its
 * cells), and the pitch is measured; a picture stretched as much higher
 * than wide is not a dongle's (16:9 into 5:4), but 8x8 cells stretched 2.1
 * times down (1.41 times higher than wide, with the rows' pitch measured
 * at 17 for 16.875) were the best fit of GRUB's 8x16 menu at 1280x1024 in
 * 1080p, which it then called not text. The margin is thin: rows measured
 * 1% shorter would let that reading in again.
 */
#define GRID_ASPECT 1.4
#define GRID_ASPECT_WIDE 1.45
/* A found grid replaces a known mode that reads as text only when it fits this much better. */
#define GRID_BETTER 0.5
/*
 * ... or this much, when it is the mode's own cells read in another font
 * table (Terminus16 or Unifont where a listed mode reads the VGA's 8x16;
 * also the VGA's glyphs without the BIOS alternates a text mode's table
 * holds), at any size: stretched, two fonts of the same cells differ in
 * strokes the blur thins out. On the tune frames, Terminus16's 1024x768
 * stretched to 1080p fits 0.50 to 0.73 of the VGA font's misfit; the
 * kernel's VGA-font consoles at 1024x768 stretched so are read best by
 * the VGA's own grid (no other font's fits better), which fits 1.00 to
 * 1.03 times the listed mode's misfit. (The grid may read one row more
 * than the mode, see GRID_EDGE, which lowers its mean a little.)
 */
#define GRID_FONT_BETTER 0.8
/*
 * On a stretched picture, the chosen grid found starting within this share
 * of a font pixel of a whole cell in starts a cell earlier (see grid_mode).
 */
#define GRID_EDGE 0.25
/* How far a found grid's last cell may overhang the frame, in font pixels (grid_mode). */
#define GRID_OVERHANG 0.5
/* A found grid's pitch agrees with a mode's cell when within this share of it. */
#define GRID_AGREE 0.03
/* A picture's columns or rows repeat clearly enough to rule out modes of other cell sizes. */
#define AXIS_CLEAR 0.2
/* The grid's phase is tried this many font pixels either way across, and down. */
#define GRID_SHIFT_X 1
#define GRID_SHIFT_Y 2
/*
 * The second-best cell shape's phase is searched too when its rank (misfit,
 * and GRID_ODD_SOURCE) is within this factor, and its source is as plausible
 * (a close but odd runner-up would win on misfit alone after its search).
 */
#define GRID_RUNNER_UP 1.5
/*
 * A cell shape whose picture, scaled to the frame as a dongle scales it,
 * would not be a display mode a source sends (see source_modes) must fit
 * this much better to be chosen over one whose picture would be.
 */
#define GRID_ODD_SOURCE 1.15
/*
 * A cell shape whose picture would be the frame's own size (no scaler
 * between) ranks this much better when the frame's edges are crisp (the
 * softer axis's softness, sk_softness_measure, at most GRID_CRISP), and
 * GRID_SOFT_OWN times worse when they are soft (above GRID_SOFT): a
 * picture drawn at the frame's size steps from paper to ink, one a scaler
 * made blends the two. 6x12 cells at 1080p are Terminus12x6 at its own
 * size or Terminus16 squeezed from 2560x1440, and fit alike: Terminus12x6's
 * dialog through 4:2:2 JPEG q75 fitted its own cells 0.0054 and the
 * squeezed Terminus16 0.0050 (72 of 504 drawn cells wrong), and Terminus16's
 * dmesg from 2560x1440 was read as Terminus12x6 (2,722 of 4,222 wrong).
 * On the corpus's seen sets, frames at their own size measured at most
 * 0.033 at q75 and 0.093 at q50, scaled ones at least 0.086 at q90 and
 * above 0.117 in 99 of 100. GRID_CRISP leaves most q50 frames out: OVMF's
 * boot maintenance pages at q50 (0.048) then won the search in their own
 * 8x19 cells on a sample of rows that read badly, and were not text, where
 * the VGA's 8x14 cells read them as text with 60% of drawn cells wrong.
 * GRID_SOFT_OWN is more than GRID_ODD_SOURCE: Terminus12x6's cells fitted
 * that dmesg, squeezed by the tests' bilinear scaler, 1.16 to 1.18 times
 * better than Terminus16's. The bonus is not for a shape read at picked
 * pixels (GRID_SOFT_OWN is, see source_factor): its phases
 * are compared by their misfit per glyph cell, and a bound raised so let a
 * phase beside the strokes through (Terminus20x10's colour table at
 * 1280x1024, 1,098 of 1,110 drawn cells wrong).
 */
#define GRID_OWN_SIZE 1.15
#define GRID_SOFT_OWN 1.3
#define GRID_CRISP 0.04
#define GRID_SOFT 0.12
/* Softness is measured on every this many rows and columns. */
#define GRID_SOFT_STEP 3
/* How near a display mode the picture's implied size must come (the pitch is measured). */
#define GRID_SOURCE_NEAR 0.012
/*
 * A shape read at picked pixels on a stretched picture has its phase
 * searched before it is ranked when, at whole pixels, it fits within this
 * factor of the best shape so far (a phase a pixel off reads it badly).
 */
#define GRID_PICKED_REFINE 2.0
/*
 * The same for a shape read at picked pixels: a sparse screen's pitch is
 * found less exactly (GRUB's Terminus menu at 1024x768 stretched to 1080p:
 * 28.5 apart for 28.125), and such a shape is tried only where its mode is.
 */
#define GRID_SOURCE_NEAR_PICKED 0.025
/*
 * A sample of rows whose best reading holds fewer letters and digits read
 * surely than this is read again in full (grid_search). A dialog's box on
 * a blank screen, TerminusBold14's at 1360x768, sampled four glyphs, which
 * every shape fits: the first shape tried won, 8x19, and 460 of its 504
 * drawn cells were wrong. Session 21 counted glyph cells, at 16 (at 64,
 * a GRUB menu stretched to 1080p became "not text"); a dialog stretched to
 * 1080p samples its box's lines, dozens of glyph cells, which every shape
 * stretched fits, and Terminus16's at 1280x1024 was read as 9x14 cells
 * (452 of 504 drawn cells wrong; docs/benchmarks-text.md, session 23).
 * The cost: a GRUB menu's sample (its box) holds no letters, and its
 * first frame at 1280x1024 reads about 1.7 G instructions more (4.3 G
 * before the search read blank cells from flat_note's notes).
 */
#define GRID_FEW_LETTERS 16
/*
 * Read on every row, a shape ranks only when it reads at least this share
 * of the most letters any shape read: a font of the wrong cells fits a
 * stretched dialog's box lines and shadow better than the right one, and
 * reads its words as symbols (Terminus16's dialog at 1280x1024 in 1080p:
 * 9x14 cells fitted 0.0093 and read 14 letters, Terminus16 0.0101 and 304).
 */
#define GRID_LETTERS_SHARE 0.5

/*
 * The display modes a text screen's source sends (VESA's and EDID's
 * common ones, UEFI GOP modes, the VGA's): width, height.
 */
static const unsigned short source_modes[][2] = {
    {640, 350},   {640, 400},   {640, 480},   {720, 350},   {720, 400},   {720, 480},
    {720, 576},   {800, 480},   {800, 600},   {832, 624},   {1024, 600},  {1024, 768},
    {1152, 864},  {1280, 720},  {1280, 768},  {1280, 800},  {1280, 960},  {1280, 1024},
    {1360, 768},  {1366, 768},  {1400, 1050}, {1440, 900},  {1600, 900},  {1600, 1200},
    {1680, 1050}, {1920, 1080}, {1920, 1200}, {2048, 1536}, {2560, 1080}, {2560, 1440},
    {2560, 1600}, {3840, 2160},
};
#define SOURCE_MODES (sizeof(source_modes) / sizeof(source_modes[0]))

/*
 * The display mode (an index of source_modes) that grid g read in cells of
 * shape k implies: the frame's size times the cell's size over the pitch
 * (the picture the dongle scaled to the frame, whatever margin it has),
 * within GRID_SOURCE_NEAR (GRID_SOURCE_NEAR_PICKED for a shape read at
 * picked pixels, tried only where it implies a mode). 8x16 cells found
 * 10x15 apart in 1280x720 mean 1024x768; 8x14 ones, 1024x672, none. Cells
 * 9 pixels wide are a VGA text mode's, whose picture is 720 wide: 9x14
 * cells 12x16.9 apart at 1080p (a 1280x1024 console's 8x16 cells) would
 * mean 1440x900, which no VGA draws in them. -1 for none.
 */
static int source_mode(const struct sk_image *img, const struct sk_grid *g, const struct shape *c)
{
    double w = c->w * img->width / g->x.pitch;
    double h = c->h * img->height / g->y.pitch;
    double near = c->rows ? GRID_SOURCE_NEAR_PICKED : GRID_SOURCE_NEAR;
    int best = -1;
    double best_d = 0;
    /* The nearest: 1360x768 and 1366x768 are both within reach of either. */
    for (size_t i = 0; i < SOURCE_MODES; i++) {
        if (c->w == 9 && source_modes[i][0] != 720) {
            continue;
        }
        double dw = fabs(w - source_modes[i][0]) / source_modes[i][0];
        double dh = fabs(h - source_modes[i][1]) / source_modes[i][1];
        if (dw <= near && dh <= near && (best < 0 || dw + dh < best_d)) {
            best = (int)i;
            best_d = dw + dh;
        }
    }
    return best;
}

/* tr->found: cols x rows cells of shape k, where tr->found_place says (its pick set here). */
static void found_mode(struct sk_textrec *tr, unsigned k, unsigned cols, unsigned rows)
{
    struct place *pl = &tr->found_place;
    unsigned fh = tr->fonts[tr->shapes[k].font].height;
    pl->pick_x = tr->shapes[k].cols;
    pl->pick_y = tr->shapes[k].rows;
    tr->found_k = k;
    tr->found = (struct mode){cols,
                              rows,
                              shape_cols(&tr->shapes[k]),
                              fh,
                              cols * shape_cols(&tr->shapes[k]),
                              rows * fh,
                              tr->shapes[k].font,
                              tr->shapes[k].name,
                              pl};
}

/*
 * tr->found: cell shape k on grid g, shifted dx font pixels across, the
 * glyph's top at top. Where the shape implies a display mode, the pitch is
 * that mode's cell scaled to the frame, not the one measured: a sparse
 * screen (GRUB's menu: ten rows of text in two runs) gives the
 * autocorrelation few teeth, and a pitch 0.3% off puts the last of 47
 * rows two pixels out. chosen: 1 for the grid the search chose, whose
 * first row or column found a hair off a whole pitch in starts at the
 * frame's edge (GRID_EDGE; a cell read at picked pixels, up to a font
 * pixel over it); 0 for the phases the search compares.
 */
static void grid_mode(struct sk_textrec *tr, const struct sk_image *img, const struct sk_grid *g,
                      unsigned k, double dx, double top, int chosen)
{
    struct place *pl = &tr->found_place;
    unsigned fh = tr->fonts[tr->shapes[k].font].height;
    pl->pitch_x = g->x.pitch;
    pl->pitch_y = g->y.pitch;
    int src = source_mode(img, g, &tr->shapes[k]);
    if (src >= 0) {
        pl->pitch_x = (double)tr->shapes[k].w * img->width / source_modes[src][0];
        pl->pitch_y = (double)tr->shapes[k].h * img->height / source_modes[src][1];
    }
    pl->sx = pl->pitch_x / tr->shapes[k].w;
    pl->sy = pl->pitch_y / tr->shapes[k].h;
    /*
     * The cell starts where the glyph's phase puts it (a glyph read above
     * the grid's origin moves the cell up with it), and as many cells are
     * read as have their glyph's rows in the frame.
     */
    /* A grid found starting within a source pixel of the frame's edge starts at it: the
     * finder's phase is measured at its own pitch, and a stretched frame's last column then
     * fits (EDK2's 640x480 at 1920x1080 was found starting a pixel in, and lost its 80th). The
     * same a pixel short of a whole pitch (the first cell lost) was tried: held-out fbcon at
     * 1080p read 9 points worse, so it is left so. Tried again in session 16 within a tenth of
     * a cell, with a listed 8x16 graphics mode giving way to another font's grid of its cells:
     * the tune set's fbcon at 1080p rose from 82% to 91% of drawn cells, the held-out set's
     * fell from 95.6% to 91.5% (3 more frames not text), so it was taken out again. Session 19
     * moves only the grid the search chose, within GRID_EDGE of a whole pitch (below): moving
     * the phases the search compares lost the same way, as a moved phase reads a row more,
     * of blank paper, which lowers its mean misfit (docs/benchmarks-text.md, session 19). */
    double gx = src >= 0 && g->x.origin < pl->sx ? 0 : g->x.origin;
    double gy = src >= 0 && g->y.origin < pl->sy ? 0 : g->y.origin;
    pl->ox = gx + dx * pl->sx;
    pl->oy = gy + (top - tr->shapes[k].top) * pl->sy;
    /*
     * A whole cell before the first one, once the glyph's phase is known,
     * is read too, in a picture at its own size (Terminus16's rows found
     * at 15, read from 16: its first line was lost). Stretched, a phase
     * that close to a pitch is JPEG's noise as often (Terminus16 at 1080p
     * was read in the wrong font): only the chosen grid, and only within
     * GRID_EDGE of a pitch, is moved (below; a cell read at picked pixels,
     * up to a font pixel over the edge).
     */
    while (pl->sx == 1 && pl->ox >= pl->pitch_x) {
        pl->ox -= pl->pitch_x;
    }
    while (pl->sy == 1 && pl->oy >= pl->pitch_y) {
        pl->oy -= pl->pitch_y;
    }
    /*
     * The chosen grid of a cell read at picked pixels starts a cell earlier
     * when that cell would overhang the frame's edge by at most a font pixel
     * (a bigger margin, a centred terminal's, is no cell) and the middle of
     * its first picked row (column) lies in the frame (that pixel is read
     * from the frame's first): a font leaves its cells' first rows or
     * columns blank, and the doubled rows of VGA32x16 and VGA28x16 leave
     * the phase measured a pixel either way. Their screens were found a
     * pixel or so past a whole pitch, the first line lost:
     * VGA32x16's dmesg at 1920x1080 at 31 of 32, VGA28x16's dialog from
     * 1280x1024 in 1080p at 29.0 of 29.53 (and across, VGA28x16's from
     * 1600x900 at 18.3 of 19.2).
     */
    const struct shape *c = &tr->shapes[k];
    if (chosen && c->rows && pl->oy - pl->pitch_y >= -pl->sy &&
        pl->oy - pl->pitch_y + (c->top + c->rows[0] + 0.5) * pl->sy >= 0) {
        pl->oy -= pl->pitch_y;
    }
    if (chosen && c->rows && c->cols && pl->ox - pl->pitch_x >= -pl->sx &&
        pl->ox - pl->pitch_x + (c->cols[0] + 0.5) * pl->sx >= 0) {
        pl->ox -= pl->pitch_x;
    }
    /*
     * Stretched, the chosen grid's phase within a quarter of a font pixel
     * of a whole pitch is a first cell at the frame's edge, measured a
     * little off: Terminus16's 1024x768 stretched to 1080p was found at
     * 22.41 for 22.5 (its first row lost), the 8x8 font's 1280x800 at 10.68
     * for 10.8.
     */
    if (chosen && pl->sy != 1 && fabs(pl->oy - pl->pitch_y) < GRID_EDGE * pl->sy) {
        pl->oy -= pl->pitch_y;
    }
    if (chosen && pl->sx != 1 && fabs(pl->ox - pl->pitch_x) < GRID_EDGE * pl->sx) {
        pl->ox -= pl->pitch_x;
    }
    pl->top = tr->shapes[k].top;
    /*
     * A cell read at picked pixels spans its whole height. A last cell
     * whose glyph overhangs the frame by under GRID_OVERHANG of a font
     * pixel is read (its edge pixels at the frame's): a phase measured a
     * fifth of a pixel down lost a 1280x1024 console's last row at 1080p.
     */
    unsigned span_h = tr->shapes[k].rows ? tr->shapes[k].h : fh;
    double end_x = img->width - pl->ox + GRID_OVERHANG * pl->sx,
           end_y = img->height - pl->oy - (pl->top + span_h - GRID_OVERHANG) * pl->sy;
    unsigned cols = end_x < pl->pitch_x ? 0 : (unsigned)(end_x / pl->pitch_x + 1e-6);
    unsigned rows = end_y < 0 ? 0 : (unsigned)(end_y / pl->pitch_y + 1e-6) + 1;
    found_mode(tr, k, cols, rows);
}

/*
 * A reading of a found grid: cell shape k at phase (dx, top), its misfit
 * (the mean over the cells read) and the score its phases are compared by.
 * The score is the misfit, except for a shape read at picked pixels, whose
 * score is the misfit per cell holding a glyph: a phase a pixel off reads
 * such a cell's picked pixels beside its strokes, as a blank (which fits
 * perfectly), and would win on the misfit alone; such a phase must also
 * read at least half the glyph cells the best one did (one clean glyph
 * would win on the score alone). The grid is the one
 * found, or for a sparse screen read at picked pixels, one with rows
 * assumed (see grid_sparse_rows).
 */
struct phase {
    int k; /* -1: none yet */
    double dx, top, misfit, score;
    unsigned glyphs;  /* cells holding a glyph */
    unsigned letters; /* cells read surely as a letter or digit */
    unsigned step;    /* rows read: one in step */
    int refined;      /* its phase was searched between pixels (grid_refine) */
    struct sk_grid grid;
};

/* Keeps the better ranked of p and *best in *best, the next in *second. */
static void rank_phase(const struct phase *p, double rank, struct phase *best, double *best_rank,
                       struct phase *second, double *second_rank)
{
    if (best->k < 0 || rank < *best_rank) {
        if (best->k >= 0) {
            *second = *best;
            *second_rank = *best_rank;
        }
        *best = *p;
        *best_rank = rank;
    } else if (second->k < 0 || rank < *second_rank) {
        *second = *p;
        *second_rank = rank;
    }
}

/*
 * Read cell shape k of grid g at phase (dx, top) on rows a step apart; keep
 * it in *best if it scores better. A shape read at whole pixels (whose
 * score is its misfit) stops reading once it is sure to score no better
 * than *best, or to fit worse than bound (the caller's: a misfit that
 * could not change the search's outcome). A shape read at picked pixels
 * (whose score is its misfit per glyph cell) is read in full, but for one
 * squeezed (GRID_SQUEEZE), which stops at bound: tried on every soft frame,
 * such shapes read in full cost a first frame of the kernel's font at
 * 1024x768 in 1080p 54% more instructions, stopped 33%. A phase so cut
 * may have scored best, and a worse one of the shape's be kept: on the
 * seen sets three frames changed, Terminus22x11's dialog from 1600x900 in
 * 720p and the kernel's colour table from 2560x1440 in 1080p read better
 * (383 and 205 drawn cells wrong to 48 and 66), Terminus24x12's dialog
 * from 1600x1200 in 1080p worse (8 to 112).
 */
static void grid_try(struct sk_textrec *tr, const struct sk_image *img, const struct sk_grid *g,
                     unsigned k, double dx, double top, unsigned step, double bound,
                     struct tally *ty, struct phase *best)
{
    grid_mode(tr, img, g, k, dx, top, 0);
    if (!mode_fits(&tr->found, img)) {
        return;
    }
    if (!tr->shapes[k].rows) {
        bound = best->k >= 0 && best->score < bound ? best->score : bound;
    } else if (!picked_squeezed(g, &tr->shapes[k])) {
        bound = HUGE_VAL;
    }
    run_mode(tr, img, &tr->found, step, 0, bound, ty);
    if (ty->cut) {
        return;
    }
    double m = mode_misfit(ty);
    double score = m;
    if (tr->shapes[k].rows) {
        score = ty->glyphs ? ty->resid / ty->glyphs : HUGE_VAL;
        if (best->k >= 0 && 2 * ty->glyphs < best->glyphs) {
            return;
        }
    }
    if (best->k < 0 || score < best->score) {
        *best = (struct phase){.k = (int)k,
                               .dx = dx,
                               .top = top,
                               .misfit = m,
                               .score = score,
                               .glyphs = ty->glyphs,
                               .letters = ty->letters,
                               .step = step,
                               .refined = best->refined,
                               .grid = *g};
    }
}

/*
 * Try the shape of phase *from shifted a pixel either way across and, on a
 * stretched picture, by quarters of a pixel, on the rows it was read on;
 * its best phase replaces *best when *best is that shape's, or when it
 * fits better. A phase searched so already is not searched again.
 */
static void grid_refine(struct sk_textrec *tr, const struct sk_image *img, const struct phase *from,
                        struct tally *ty, struct phase *best)
{
    unsigned k = (unsigned)from->k;
    struct phase local = *from;
    const struct sk_grid *g = &local.grid;
    unsigned step = from->step;
    if (from->refined) {
        if (best->k != from->k && local.misfit < best->misfit) {
            *best = local;
        }
        return;
    }
    double dx0 = from->dx, top = from->top;
    for (int dx = -GRID_SHIFT_X; dx <= GRID_SHIFT_X; dx++) {
        if (dx) {
            grid_try(tr, img, g, k, dx0 + dx, top, step, HUGE_VAL, ty, &local);
        }
    }
    double sx = g->x.pitch / tr->shapes[k].w, sy = g->y.pitch / tr->shapes[k].h;
    static const double frac[] = {-0.5, -0.25, 0.25, 0.5};
    for (unsigned i = 0; i < 4 && (sx > 1.2 || sy > 1.2); i++) {
        double dx = local.dx, t = local.top;
        grid_try(tr, img, g, k, dx + frac[i], t, step, HUGE_VAL, ty, &local);
        grid_try(tr, img, g, k, dx, t + frac[i], step, HUGE_VAL, ty, &local);
    }
    local.refined = 1;
    if (best->k == from->k || local.misfit < best->misfit) {
        *best = local;
    }
}

/* Whether grid g read in cells of shape k means a source picture of a display mode. */
static int source_plausible(const struct sk_image *img, const struct sk_grid *g,
                            const struct shape *c)
{
    return source_mode(img, g, c) >= 0;
}

/* The frame's softness (sk_softness_measure), measured once for a grid search. */
struct soft_note {
    int measured;
    struct sk_softness soft;
};

/* The softer axis's softness of the frame (sk_softness_measure), measured once; -1: no edges. */
static double frame_softness(const struct sk_image *img, struct soft_note *note)
{
    if (!note->measured) {
        (void)sk_softness_measure(img, GRID_SOFT_STEP, &note->soft); /* -1: both axes -1 */
        note->measured = 1;
    }
    return note->soft.x > note->soft.y ? note->soft.x : note->soft.y;
}

/*
 * What the rank of a shape whose picture would be display mode src (an
 * index of source_modes, or -1) is multiplied by: GRID_ODD_SOURCE for no
 * mode; for the frame's own size, 1 / GRID_OWN_SIZE when the frame's
 * edges are crisp and GRID_SOFT_OWN when they are soft; else 1. A shape
 * read at picked pixels takes GRID_SOFT_OWN but not the crisp bonus (see
 * GRID_OWN_SIZE): a 2560x1440 panel's Terminus 16x32 squeezed to 1080p
 * has cells 12x24 pixels, which Terminus 12x24 at the frame's own size
 * fits too. Without it, the tenth held-out set's colour table so and the
 * seventh set's (the kernel's 16x32 from 2560x1440) were read in 12x24 and
 * 8x16 cells (491 and 586 of 1,110 drawn cells wrong, 169 and 66 with it);
 * with it, the seventh set's GRUB help in Terminus 20 from 1600x900, 12x24
 * pixels a cell in 1080p, is read as Terminus16 from 1280x720 (173 of
 * 1,045 wrong, 86 as 12x24 Terminus; its own 10x20 wins neither way).
 */
static double source_factor(const struct sk_image *img, const struct shape *c, int src,
                            struct soft_note *note)
{
    if (src < 0) {
        return GRID_ODD_SOURCE;
    }
    if (source_modes[src][0] != img->width || source_modes[src][1] != img->height) {
        return 1;
    }
    double most = frame_softness(img, note);
    if (most < 0) {
        return 1; /* no edges to tell by */
    }
    if (c->rows) {
        return most > GRID_SOFT ? GRID_SOFT_OWN : 1;
    }
    return most <= GRID_CRISP ? 1 / GRID_OWN_SIZE : most > GRID_SOFT ? GRID_SOFT_OWN : 1;
}

/* Whether display mode src (source_mode's) is a graphics mode, not a VGA text mode. */
static int console_source(int src)
{
    return src >= 0 && !(source_modes[src][1] == 350 || source_modes[src][1] == 400);
}

/*
 * Whether a found grid's pitch is the cell size of mode md stretched over
 * img (within GRID_AGREE): when it is not, the picture's own periodicity
 * says the mode reads the wrong cells, however well they fit.
 */
/* Whether a pitch found is a pitch of cell_size stretched from screen to frame pixels. */
static int pitch_agrees(double pitch, unsigned cell_size, unsigned frame, unsigned screen)
{
    double p = (double)cell_size * frame / screen;
    return fabs(pitch - p) <= GRID_AGREE * p;
}

static int grid_agrees(double pitch_x, double pitch_y, const struct mode *md,
                       const struct sk_image *img)
{
    return pitch_agrees(pitch_x, md->cell_w, img->width, md->screen_w) &&
           pitch_agrees(pitch_y, md->cell_h, img->height, md->screen_h);
}

/*
 * Whether grid g's cells start where mode md's do (md's picture stretched
 * over the frame from its corner): each origin within GRID_PHASE of a
 * pitch of a cell's corner. GRUB's gfxterm draws 8x16 cells 10 pixels in
 * from the corner: the pitch of 128x48 8x16 at 1024x768, but not its cells.
 */
#define GRID_PHASE 0.25
static int phase_agrees(const struct sk_grid *g)
{
    double fx = fmod(g->x.origin, g->x.pitch) / g->x.pitch;
    double fy = fmod(g->y.origin, g->y.pitch) / g->y.pitch;
    return fmin(fx, 1 - fx) <= GRID_PHASE && fmin(fy, 1 - fy) <= GRID_PHASE;
}

/*
 * Whether md's cells, stretched over img, are as wide as the picture's
 * columns and as high as its rows, on each axis that repeats clearly (one
 * that does not says nothing).
 */
static int axes_agree(const struct sk_grid *g, const struct mode *md, const struct sk_image *img)
{
    int x_clear = g->x.pitch > 0 && g->x.strength >= AXIS_CLEAR;
    int y_clear = g->y.pitch > 0 && g->y.strength >= AXIS_CLEAR;
    return (!x_clear || pitch_agrees(g->x.pitch, md->cell_w, img->width, md->screen_w)) &&
           (!y_clear || pitch_agrees(g->y.pitch, md->cell_h, img->height, md->screen_h));
}

#define GRID_SPARSE_EXTENT 0.25
/*
 * A screen of a few lines (getty's prompt) gives its rows' pitch weakly
 * or as a multiple (two lines two rows apart: twice the pitch), while its
 * columns repeat clearly. For shape k (a graphics-mode console's font), such rows are
 * assumed to be the columns' source pixels square (the cell's height over
 * its width times the columns' pitch) from the frame's top, as Linux's
 * console draws from its corner: *g gets them, and 1 is returned (0 and
 * *g untouched when the rows are clear, the columns are not, or the
 * edges fill more than GRID_SPARSE_EXTENT of the frame's height: a
 * desktop's columns may repeat, and its rows would cost full passes).
 */
static int grid_sparse_rows(const struct sk_image *img, struct sk_grid *g, const struct shape *c)
{
    if (g->y.strength >= AXIS_CLEAR || g->x.strength < AXIS_CLEAR || g->x.pitch <= 0 ||
        g->y.pitch <= 0 ||
        (g->y.last - g->y.first + 1) * g->y.pitch > GRID_SPARSE_EXTENT * img->height) {
        return 0;
    }
    g->y.pitch = g->x.pitch * c->h / c->w;
    g->y.origin = 0;
    g->y.count = (unsigned)(img->height / g->y.pitch);
    return 1;
}

/* Two rows' pitches within this share of each other are one. */
#define SPARSE_SAME 0.005
/*
 * The rows' pitches a sparse screen's grid g (grid_sparse_rows) is tried
 * at, into pitch[]: square source pixels first, then each display mode as
 * wide as the columns say, its height stretched over the frame's. A dongle
 * scales a mode's width and height by different factors (1280x800 to
 * 1920x1080: 1.5 and 1.35, to 1280x720: 1 and 0.9), which square pixels
 * miss: a console of 1280x800 in 8x16 cells at 1080p was read in rows 24
 * pixels apart for 21.6, and lost its second line. Returns how many.
 */
static unsigned sparse_pitches(const struct sk_image *img, const struct sk_grid *g,
                               const struct shape *c, double pitch[1 + SOURCE_MODES])
{
    unsigned n = 0;
    pitch[n++] = g->y.pitch;
    double w = c->w * img->width / g->x.pitch;
    for (size_t i = 0; i < SOURCE_MODES; i++) {
        if (fabs(w - source_modes[i][0]) > GRID_SOURCE_NEAR * source_modes[i][0]) {
            continue;
        }
        double p = (double)c->h * img->height / source_modes[i][1];
        int seen = 0;
        for (unsigned j = 0; j < n; j++) {
            seen |= fabs(p - pitch[j]) < SPARSE_SAME * pitch[j];
        }
        if (!seen) {
            pitch[n++] = p;
        }
    }
    return n;
}

/*
 * Look for a grid of any geometry in the picture itself (gridfind), read
 * it in each cell shape and phase near the one found, and keep the best in
 * tr->found. Returns 1 when it reads as text (ty and tr->cells hold its
 * full pass), 0 when it does not (they hold something else), -1 when there
 * is no grid to try (they are untouched): none was seen, no cell shape
 * fits it, or it has the pitch and phase of known, a VGA text mode that
 * reads the picture as text (then no cell shape is tried: they are most of
 * a first frame's time; a graphics mode's known cells are tried in the
 * other fonts of their size only). Only the columns seen clearly (a sparse
 * screen's rows may not repeat) are tried with rows assumed
 * (grid_sparse_rows).
 */
static int grid_search(struct sk_textrec *tr, const struct sk_image *img, const struct mode *known,
                       const struct sk_grid *found, struct tally *ty)
{
    struct sk_grid g = *found;
    int rc = g.x.pitch > 0 || g.y.pitch > 0 ? 0 : -1;
    /* Cells start on a frame pixel (a stretched picture's phase is searched below). */
    g.x.origin = floor(g.x.origin + 0.5);
    g.y.origin = floor(g.y.origin + 0.5);
    /* Rounded, a cell may fit whole before the first (a phase of 15.5 in 16-pixel rows). */
    if (g.x.pitch > 0 && g.x.origin >= g.x.pitch) {
        g.x.origin -= g.x.pitch;
        g.x.count++;
    }
    if (g.y.pitch > 0 && g.y.origin >= g.y.pitch) {
        g.y.origin -= g.y.pitch;
        g.y.count++;
    }
    /* Clear columns alone may be a sparse screen's (grid_sparse_rows). */
    int columns_only = !g.found && g.x.pitch > 0 && g.x.strength >= AXIS_CLEAR;
    if (rc != 0 || (!g.found && !columns_only) || g.x.count < 2 || (g.found && g.y.count < 2) ||
        g.x.count > SK_TEXTREC_MAX_COLS || g.y.count > SK_TEXTREC_MAX_ROWS) {
        return -1;
    }
    /*
     * A mode that reads the picture as text at its own size, with the
     * grid's pitch and phase: a VGA text mode's grid is its own; a graphics
     * mode's console may be drawn in another font of the same cells, and
     * only those are tried.
     */
    int same_cells = 0;
    if (known && grid_agrees(g.x.pitch, g.y.pitch, known, img) && phase_agrees(&g)) {
        if (known->font == FONT_VGA8 || known->font == FONT_VGA14 || known->font == FONT_VGA16) {
            return -1;
        }
        same_cells = 1;
    }
    /* A sample of rows: enough to tell the shapes apart, few enough to be cheap. */
    unsigned step = g.y.count / 8 > 3 ? g.y.count / 8 : 3;
    /* Each shape at each height of its glyph in the cell, then the best one's phase across. */
    struct phase best = {.k = -1};
    struct phase second = {.k = -1}; /* the best of the other shapes, and its phase */
    /*
     * Shapes are ranked by misfit, times GRID_ODD_SOURCE where the source
     * would be odd, as source_factor says where it would be the frame's
     * own size, and times GRID_SQUEEZED where it would be squeezed.
     */
    double best_rank = 0, second_rank = 0;
    struct soft_note soft = {0};
    /*
     * A sample whose best reading holds few letters (a dialog on a blank
     * screen: its rows sampled may hold four glyphs, or a box's lines,
     * which every shape stretched fits) tells the shapes apart by nothing;
     * they are read again on every row, each up to GRID_RUNNER_UP times
     * the best one's rank, and kept in full[] for GRID_LETTERS_SHARE.
     */
    struct phase full[BUILTIN_SHAPES + CONSOLE_SHAPES];
    double full_rank[BUILTIN_SHAPES + CONSOLE_SHAPES];
    unsigned nfull = 0, most_letters = 0;
    /* The search reads blank cells from the notes (flat_cell); its outcome is read in full. */
    flat_note(tr, img);
    tr->flat_on = 1;
    for (int every = 0; every < 2; every++) {
        if (every) {
            if (best.k < 0 || best.step == 1 || best.letters >= GRID_FEW_LETTERS) {
                break;
            }
            step = 1;
            best = second = (struct phase){.k = -1};
            best_rank = second_rank = 0;
        }
        for (unsigned k = 0; k < tr->nshapes; k++) {
            if (same_cells && (tr->shapes[k].rows || tr->shapes[k].w != known->cell_w ||
                               tr->shapes[k].h != known->cell_h)) {
                continue;
            }
            struct sk_grid g0 = g;
            /*
             * Rows assumed for the fonts of graphics-mode consoles other than the
             * VGA's 8x16 (whose sparse screens the listed modes read): Terminus,
             * Unifont and Fixed16, the kernel's VGA8x8, the console fonts given
             * at run time. Each of sparse_pitches is tried, and the one that ranks
             * best (below) is kept.
             */
            int sparse = (tr->shapes[k].rows || console_font(&tr->shapes[k]) ||
                          tr->shapes[k].font == FONT_GRUB || tr->shapes[k].font == FONT_8) &&
                         grid_sparse_rows(img, &g0, &tr->shapes[k]);
            if (!g.found && !sparse) {
                continue;
            }
            double pitches[1 + SOURCE_MODES];
            unsigned npitch = sparse ? sparse_pitches(img, &g0, &tr->shapes[k], pitches) : 1;
            struct phase shape = {.k = -1};
            double odd = 1, shape_rank = HUGE_VAL;
            int stretched_console = 0;
            for (unsigned pi = 0; pi < npitch; pi++) {
                struct sk_grid gk = g0;
                if (sparse) {
                    gk.y.pitch = pitches[pi];
                    gk.y.count = (unsigned)(img->height / gk.y.pitch);
                }
                double sx = gk.x.pitch / tr->shapes[k].w, sy = gk.y.pitch / tr->shapes[k].h;
                if (sx < 0.5 || sy < 0.5 || sx > GRID_ASPECT_WIDE * sy || sy > GRID_ASPECT * sx) {
                    continue;
                }
                int src = source_mode(img, &gk, &tr->shapes[k]); /* -1: odd */
                if (tr->shapes[k].rows &&
                    (sx < GRID_PICKED_MIN || sy < GRID_PICKED_MIN || src < 0)) {
                    continue;
                }
                /* A picture bigger than the frame, squeezed: never crisp (GRID_SQUEEZE). */
                int squeezed = picked_squeezed(&gk, &tr->shapes[k]);
                double soft_most = squeezed ? frame_softness(img, &soft) : -1;
                if (soft_most >= 0 && soft_most <= GRID_CRISP) {
                    continue;
                }
                /*
                 * A console font is drawn by a framebuffer console, in a display
                 * mode's picture, not a VGA text mode's (setfont on the VGA's text
                 * console draws in the VGA's own modes, read in their own fonts).
                 */
                if (console_font(&tr->shapes[k]) && !console_source(src)) {
                    continue;
                }
                /*
                 * What this shape's misfit is ranked by (see below), and so the
                 * misfit past which its readings could be neither the best shape
                 * nor the runner-up: each stops there.
                 */
                int sc = (console_font(&tr->shapes[k]) || tr->shapes[k].font == FONT_GRUB) &&
                         (sx > 1.2 || sy > 1.2);
                double o =
                    source_factor(img, &tr->shapes[k], src, &soft) * (squeezed ? GRID_SQUEEZED : 1);
                double factor = o * (sc ? GRID_ODD_SOURCE : 1);
                double bound = HUGE_VAL;
                if (best.k >= 0 && (every || second.k >= 0)) {
                    bound = (every ? GRID_RUNNER_UP * best_rank : second_rank) / factor;
                }
                /* Another of sparse_pitches is kept only if it ranks better. */
                if (shape.k >= 0 && shape_rank / factor < bound) {
                    bound = shape_rank / factor;
                }
                /*
                 * A tall cell's gap between lines is taller: its rows may be found
                 * further in. Rows assumed from the frame's top are read there, on
                 * every row (a sample would miss a few lines of text).
                 */
                int up =
                    GRID_SHIFT_Y + (tr->shapes[k].h > 16 ? (int)(tr->shapes[k].h - 16) / 8 : 0);
                int down = GRID_SHIFT_Y;
                unsigned shape_step = step;
                if (sparse) {
                    up = down = 0;
                    shape_step = 1;
                }
                struct phase at = {.k = -1};
                for (int lead = tr->shapes[k].lead;
                     lead >= (tr->shapes[k].either ? 0 : tr->shapes[k].lead); lead--) {
                    for (int dy = -up; dy <= down; dy++) {
                        grid_try(tr, img, &gk, k, -lead, (double)tr->shapes[k].top + dy, shape_step,
                                 bound, ty, &at);
                    }
                }
                if (at.k >= 0 && at.misfit * factor < shape_rank) {
                    shape = at;
                    shape_rank = at.misfit * factor;
                    odd = o;
                    stretched_console = sc;
                }
            }
            if (shape.k < 0) {
                continue;
            }
            double sx = shape.grid.x.pitch / tr->shapes[k].w,
                   sy = shape.grid.y.pitch / tr->shapes[k].h;
            if (tr->shapes[k].rows && (sx > 1.2 || sy > 1.2) &&
                (best.k < 0 || shape.misfit < GRID_PICKED_REFINE * best.misfit)) {
                /*
                 * Picked pixels miss thin strokes between frame pixels: the phase
                 * is found before the shape is ranked, when it could rank (the
                 * shapes read at picked pixels are tried last).
                 */
                grid_refine(tr, img, &shape, ty, &shape);
            }
            /*
             * An odd source ranks worse (GRID_ODD_SOURCE). A console's 8x16 font
             * (Terminus16, Unifont as GRUB's and Fixed16) stretched is one
             * reading of a picture whose cells may as well be a bigger font's
             * own (fbcon at 1280x720 in Fixed16 stretched to 1080p, or at 1080p
             * in Terminus 12x24): the bigger font, read unstretched, is
             * preferred unless clearly worse.
             */
            double rank = shape.misfit * odd;
            if (stretched_console) {
                rank *= GRID_ODD_SOURCE;
            }
            rank_phase(&shape, rank, &best, &best_rank, &second, &second_rank);
            if (every) {
                full[nfull] = shape;
                full_rank[nfull++] = rank;
                most_letters = shape.letters > most_letters ? shape.letters : most_letters;
            }
        }
    }
    if (nfull) {
        /* Every row read: only readings with at least GRID_LETTERS_SHARE of the most letters rank.
         */
        best = second = (struct phase){.k = -1};
        for (unsigned i = 0; i < nfull; i++) {
            if (full[i].letters >= GRID_LETTERS_SHARE * most_letters) {
                rank_phase(&full[i], full_rank[i], &best, &best_rank, &second, &second_rank);
            }
        }
    }
    if (best.k >= 0) {
        /* A stretched picture's phase is found between its pixels: the runner-up's too when
         * close and as plausible (EDK2's 8x19 cells stretched to 1080p fit 8x16 ones at
         * whole pixels). */
        int near = second.k >= 0 && second_rank < GRID_RUNNER_UP * best_rank &&
                   source_plausible(img, &second.grid, &tr->shapes[second.k]) >=
                       source_plausible(img, &best.grid, &tr->shapes[best.k]);
        unsigned k = (unsigned)best.k;
        int stretched =
            best.grid.x.pitch / tr->shapes[k].w > 1.2 || best.grid.y.pitch / tr->shapes[k].h > 1.2;
        grid_refine(tr, img, &best, ty, &best);
        if (near && stretched) {
            grid_refine(tr, img, &second, ty, &best);
        }
    }
    tr->flat_on = 0;
    if (best.k < 0) {
        return -1; /* no shape was read: ty and tr->cells are untouched */
    }
    grid_mode(tr, img, &best.grid, (unsigned)best.k, best.dx, best.top, 1);
    if (!mode_fits(&tr->found, img)) {
        /* The rows or columns the edge added are more than a grid holds: as compared. */
        grid_mode(tr, img, &best.grid, (unsigned)best.k, best.dx, best.top, 0);
    }
    run_mode(tr, img, &tr->found, 1, 0, HUGE_VAL, ty);
    return tally_is_text(ty);
}

/*
 * How well a screen's measured colours sit on a palette, by the entries
 * the cells' indices name in it: its cells whose paper lies within
 * PALETTE_NEAR_BG of their entry, its glyph cells whose ink lies within
 * PALETTE_NEAR_FG of theirs, and, for telling which of the two palettes
 * fits better, the distances summed (each capped at its bound) of the
 * papers and of the inks that tell them apart (PALETTE_INK_TELLS).
 */
struct palette_fit {
    unsigned near_bg, near_fg;
    double sum;
};

static void palette_add(struct palette_fit *fit, const uint8_t (*pal)[3],
                        const struct sk_textrec_cell *cell, int drawn, unsigned tells)
{
    const int bg[3] = {cell->bg_rgb[0], cell->bg_rgb[1], cell->bg_rgb[2]};
    const uint8_t *pb = pal[cell->bg & 15];
    const int pbi[3] = {pb[0], pb[1], pb[2]};
    double d = sqrt((double)dist2(bg, pbi));
    fit->near_bg += d <= PALETTE_NEAR_BG;
    fit->sum += d < PALETTE_NEAR_BG ? d : PALETTE_NEAR_BG;
    if (drawn) {
        const int fg[3] = {cell->fg_rgb[0], cell->fg_rgb[1], cell->fg_rgb[2]};
        const uint8_t *pe = pal[cell->fg & 15];
        const int pfi[3] = {pe[0], pe[1], pe[2]};
        d = sqrt((double)dist2(fg, pfi));
        fit->near_fg += d <= PALETTE_NEAR_FG;
        if ((tells >> (cell->fg & 15)) & 1) {
            fit->sum += d < PALETTE_NEAR_FG ? d : PALETTE_NEAR_FG;
        }
    }
}

static int palette_holds(const struct palette_fit *fit, unsigned clear, unsigned drawn)
{
    return fit->near_bg >= PALETTE_SHARE * clear && fit->near_fg >= PALETTE_INK_SHARE * drawn;
}

/*
 * An ink the measure puts near one entry of pal and twice as far from the
 * one the cell names is that entry: the match's colour model can take
 * yellow on blue, whose strokes keep little of their chroma, for white.
 */
static void ink_resnap(struct sk_textrec_cell *cell, const uint8_t (*pal)[3])
{
    const int fg[3] = {cell->fg_rgb[0], cell->fg_rgb[1], cell->fg_rgb[2]};
    const int pfi[3] = {pal[cell->fg & 15][0], pal[cell->fg & 15][1], pal[cell->fg & 15][2]};
    double d;
    unsigned k = snap_in(pal, fg, &d);
    if (k != cell->bg && d <= INK_RESNAP_NEAR && dist2(fg, pfi) > 4 * d * d) {
        cell->fg = (uint8_t)k;
    }
}

/*
 * Which palette the cells of mode md (whose full pass tr->cells, tr->glyph
 * and tr->clear hold, their colours measured) sit on, if any (an
 * SK_TEXTREC_* palette): the VGA's, which the match reads in, or EFI's,
 * each judged by the entries the match's indices name in it (the two
 * palettes' indices name the same colours: EFI's light grey 0x98 is read
 * as the VGA's light grey 0xAA). Where both hold, the nearer; a screen of
 * black and white, which both have, stays the VGA's. On EFI's, every
 * paper measured near an entry takes that entry (the match snapped it to
 * the VGA's nearest: EFI's bright blue 0x0000FF is nearer the VGA's blue
 * than its light blue); on either, an ink measured far from its entry is
 * snapped again (ink_resnap).
 */
static int palette_decide(struct sk_textrec *tr, const struct mode *md)
{
    const struct font *f = &tr->fonts[md->font];
    unsigned cells = md->cols * md->rows;
    unsigned drawn = 0, clear = 0;
    struct palette_fit vga = {0}, efi = {0};
    unsigned tells = 0; /* the entries whose inks tell the palettes apart, bit k for entry k */
    for (unsigned k = 0; k < 16; k++) {
        const int v[3] = {sk_vga_palette[k][0], sk_vga_palette[k][1], sk_vga_palette[k][2]};
        const int e[3] = {sk_efi_palette[k][0], sk_efi_palette[k][1], sk_efi_palette[k][2]};
        tells |= (unsigned)(dist2(v, e) >= PALETTE_INK_TELLS * PALETTE_INK_TELLS) << k;
    }
    for (unsigned i = 0; i < cells; i++) {
        const struct sk_textrec_cell *cell = &tr->cells[i];
        unsigned glyph = tr->glyph[i];
        if (!tr->clear[i]) {
            continue; /* ░▒▓: neither colour is measured well enough to judge by */
        }
        clear++;
        int ink = glyph && f->ink[glyph - 1] != 0;
        drawn += (unsigned)ink;
        palette_add(&vga, sk_vga_palette, cell, ink, tells);
        palette_add(&efi, sk_efi_palette, cell, ink, tells);
    }
    int on_vga = palette_holds(&vga, clear, drawn), on_efi = palette_holds(&efi, clear, drawn);
    int palette = on_efi && (!on_vga || efi.sum < PALETTE_EFI_BETTER * vga.sum) ? SK_TEXTREC_EFI16
                  : on_vga                                                      ? SK_TEXTREC_VGA16
                                                                                : SK_TEXTREC_RGB;
    if (palette == SK_TEXTREC_RGB) {
        return palette;
    }
    const uint8_t(*pal)[3] = sk_textrec_palette_rgb(palette);
    for (unsigned i = 0; i < cells; i++) {
        struct sk_textrec_cell *cell = &tr->cells[i];
        unsigned glyph = tr->glyph[i];
        if (palette == SK_TEXTREC_EFI16 && tr->clear[i]) {
            const int bg[3] = {cell->bg_rgb[0], cell->bg_rgb[1], cell->bg_rgb[2]};
            double d;
            unsigned k = snap_in(pal, bg, &d);
            if (d <= PALETTE_NEAR_BG && (k != cell->fg || !glyph)) {
                cell->bg = (uint8_t)k;
            }
        }
        if (glyph && f->ink[glyph - 1] != 0) {
            ink_resnap(cell, pal);
        }
    }
    return palette;
}

const uint8_t (*sk_textrec_palette_rgb(int palette))[3]
{
    return palette == SK_TEXTREC_VGA16   ? sk_vga_palette
           : palette == SK_TEXTREC_EFI16 ? sk_efi_palette
                                         : NULL;
}

const char *sk_textrec_palette_name(int palette)
{
    return palette == SK_TEXTREC_VGA16 ? "vga16" : palette == SK_TEXTREC_EFI16 ? "efi16" : NULL;
}

void sk_textrec_cell_rgb(const struct sk_textrec_result *r, const struct sk_textrec_cell *c,
                         uint8_t fg[3], uint8_t bg[3])
{
    const uint8_t(*pal)[3] = sk_textrec_palette_rgb(r->palette);
    if (pal != NULL) {
        memcpy(fg, pal[c->fg & 15], 3);
        memcpy(bg, pal[c->bg & 15], 3);
    } else {
        memcpy(fg, c->fg_rgb, 3);
        memcpy(bg, c->bg_rgb, 3);
    }
}

enum { HINT_NONE, HINT_LISTED, HINT_OWN, HINT_FOUND };

int sk_textrec_hint(const struct sk_textrec *tr, struct sk_textrec_hint *h)
{
    memset(h, 0, sizeof(*h));
    if (tr->last == NULL) {
        return -1;
    }
    h->frame_w = tr->last_w;
    h->frame_h = tr->last_h;
    if (tr->last == &tr->own) {
        h->kind = HINT_OWN;
    } else if (tr->last == &tr->found) {
        const struct place *pl = &tr->found_place;
        h->kind = HINT_FOUND;
        h->index = tr->found_k;
        h->cols = tr->found.cols;
        h->rows = tr->found.rows;
        h->ox = pl->ox;
        h->oy = pl->oy;
        h->pitch_x = pl->pitch_x;
        h->pitch_y = pl->pitch_y;
        h->sx = pl->sx;
        h->sy = pl->sy;
        h->top = pl->top;
    } else {
        h->kind = HINT_LISTED;
        h->index = (unsigned)(tr->last - modes);
    }
    return 0;
}

void sk_textrec_resume(struct sk_textrec *tr, const struct sk_textrec_hint *h)
{
    switch (h->kind) {
    case HINT_LISTED:
        if (h->index >= MODE_COUNT) {
            return;
        }
        tr->last = &modes[h->index];
        break;
    case HINT_OWN:
        tr->last = &tr->own;
        break;
    case HINT_FOUND:
        if (h->index >= tr->nshapes || h->cols == 0 || h->rows == 0 ||
            h->cols > SK_TEXTREC_MAX_COLS || h->rows > SK_TEXTREC_MAX_ROWS ||
            !(h->sx > 0 && h->sx < 64 && h->sy > 0 && h->sy < 64) || !isfinite(h->ox) ||
            !isfinite(h->oy) || !(h->pitch_x > 0 && h->pitch_x < 4096) ||
            !(h->pitch_y > 0 && h->pitch_y < 4096) || !(h->top >= 0 && h->top < 32)) {
            return;
        }
        tr->found_place =
            (struct place){h->ox, h->oy, h->pitch_x, h->pitch_y, h->sx, h->sy, h->top, NULL, NULL};
        found_mode(tr, h->index, h->cols, h->rows);
        tr->last = &tr->found;
        break;
    default:
        return;
    }
    tr->last_w = h->frame_w;
    tr->last_h = h->frame_h;
    tr->misses = 0;
}

/* The figures of a result that come from the pass read: its glyphs, fit and cursor. */
static void result_figures(const struct tally *ty, struct sk_textrec_result *out)
{
    out->glyph_cells = ty->glyphs;
    out->refined = ty->refined;
    out->confidence = ty->cells ? (double)ty->good / ty->cells : 0;
    out->cursor_col = ty->cursor_col;
    out->cursor_row = ty->cursor_row;
    out->misfit = mode_misfit(ty);
}

int sk_textrec_run(struct sk_textrec *tr, const struct sk_image *img, struct sk_textrec_result *out)
{
    memset(out, 0, sizeof(*out));
    tr->memo->pass++;
    out->cursor_col = out->cursor_row = -1;
    if (img->width < 320 || img->height < 175) {
        return -1;
    }
    tr->own = (struct mode){
        img->width / 8, img->height / 16, 8,   16, img->width / 8 * 8, img->height / 16 * 16,
        FONT_16,        tr->own_name,     NULL};
    snprintf(tr->own_name, sizeof(tr->own_name), "%ux%u 8x16", tr->own.cols, tr->own.rows);
    const struct mode *cands[MODE_COUNT + 1];
    unsigned nc = 0;
    int own_is_listed = 0;
    for (unsigned pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < MODE_COUNT; i++) {
            if (mode_own_size(&modes[i], img) == !pass && mode_fits(&modes[i], img)) {
                cands[nc++] = &modes[i];
            }
        }
    }
    for (unsigned i = 0; i < MODE_COUNT; i++) {
        own_is_listed |=
            mode_own_size(&modes[i], img) && modes[i].cell_w == 8 && modes[i].cell_h == 16;
    }
    if (!own_is_listed && mode_fits(&tr->own, img)) {
        cands[nc++] = &tr->own;
    }
    if ((tr->last == &tr->own || tr->last == &tr->found) &&
        !(tr->last_w == img->width && tr->last_h == img->height)) {
        tr->last = NULL;
    }

    const struct mode *best = NULL;
    struct tally ty;
    struct sk_grid grid = {0}; /* the picture's own grid, when every mode is searched */
    int have = 0;              /* ty and tr->cells hold a full pass of best */
    int searched = 0;          /* every mode was tried on this picture */
    int grid_tried = 0;        /* the picture's grid was read first (no mode agrees with it) */
    if (tr->last && mode_fits(tr->last, img)) {
        best = tr->last;
        /* Measured while the mode keeps reading text: a picture's colours are thrown away. */
        run_mode(tr, img, best, 1, tr->misses == 0, HUGE_VAL, &ty);
        have = 1;
        /*
         * Not text in the mode found last: search again, but on a picture
         * that stays graphics only every SEARCH_EVERY pictures.
         */
        if (!tally_is_text(&ty) && tr->misses++ % SEARCH_EVERY == 0) {
            best = NULL;
        }
    }
    if (!best) {
        searched = 1;
        sk_gridfind_run(tr->grid, img, &grid);
        /*
         * A grid seen clearly whose cells no mode has (EDK2's 8x19, a
         * centred grid) is read first: the modes would only be read in the
         * wrong cells (the 8x8 ones fit a 640x480 setup page best, and
         * were half of its first frame's time). They are tried when it is
         * not text.
         */
        int agree = 0;
        for (unsigned i = 0; i < nc; i++) {
            agree |= grid_agrees(grid.x.pitch, grid.y.pitch, cands[i], img);
        }
        if (grid.found && !agree) {
            grid_tried = 1;
            if (grid_search(tr, img, NULL, &grid, &ty) > 0) {
                best = &tr->found;
                have = 1;
            }
        }
    }
    if (!best) {
        /*
         * Every candidate on a third of its rows, then the two that fit best
         * on all of them: a sparse screen can put its only text on rows the
         * sample skips.
         */
        const struct mode *top[2] = {NULL, NULL};
        double top_misfit[2] = {0, 0};
        unsigned top_rank[2] = {0, 0};
        /*
         * A mode whose cells are not as wide as the picture's columns repeat,
         * or as high as its rows, is not tried when they repeat clearly
         * (unless no mode agrees: then all are). A screen of two lines (a
         * login prompt) fits any mode about as well, mostly blank, and the
         * commonest would win; on a full one, the 8x8 modes fit 8x16 cells
         * nearly as well, and their full passes were half a first frame.
         */
        unsigned agreeing = 0;
        for (unsigned i = 0; i < nc; i++) {
            agreeing += axes_agree(&grid, cands[i], img);
        }
        /*
         * Rows that repeat too weakly to rule a mode out (a screen of a few
         * lines in 8-pixel cells, whose glyphs leave little gap) still put
         * the modes whose rows are that high before the others.
         */
        if (grid.y.pitch > 0 && grid.y.strength < AXIS_CLEAR) {
            const struct mode *sorted[MODE_COUNT + 1] = {NULL};
            unsigned n = 0;
            for (int agrees = 1; agrees >= 0; agrees--) {
                for (unsigned i = 0; i < nc; i++) {
                    if (pitch_agrees(grid.y.pitch, cands[i]->cell_h, img->height,
                                     cands[i]->screen_h) == agrees) {
                        sorted[n++] = cands[i];
                    }
                }
            }
            memcpy(cands, sorted, nc * sizeof(*cands));
        }
        for (unsigned i = 0; i < nc; i++) {
            if (agreeing > 0 && !axes_agree(&grid, cands[i], img)) {
                continue;
            }
            /* Only the two that fit best are read again: a mode sure to fit worse stops. */
            double bound = top[1] ? top_misfit[1] / (1 + MODE_PRIOR * i) : HUGE_VAL;
            run_mode(tr, img, cands[i], 3, 0, bound, &ty);
            /*
             * The commoner modes are preferred unless another fits clearly
             * better: 8x8 glyphs can read halves of a sparse 8x16 screen
             * about as well as the 8x16 glyphs read all of it.
             */
            double m = mode_misfit(&ty) * (1 + MODE_PRIOR * i);
            if (!top[0] || m < top_misfit[0]) {
                top[1] = top[0];
                top_misfit[1] = top_misfit[0];
                top_rank[1] = top_rank[0];
                top[0] = cands[i];
                top_misfit[0] = m;
                top_rank[0] = i;
            } else if (!top[1] || m < top_misfit[1]) {
                top[1] = cands[i];
                top_misfit[1] = m;
                top_rank[1] = i;
            }
        }
        /*
         * The runner-up first: the better sample's pass, read last, is then
         * the one in ty and tr->cells when it wins (as it mostly does), and
         * need not be read again. It still wins a tie, as when it was read first.
         */
        double best_misfit = 0;
        for (int i = 1; i >= 0; i--) {
            if (!top[i]) {
                continue;
            }
            run_mode(tr, img, top[i], 1, 0, HUGE_VAL, &ty);
            double m = mode_misfit(&ty) * (1 + MODE_PRIOR * top_rank[i]);
            if (!best || m < best_misfit || (i == 0 && m == best_misfit)) {
                best = top[i];
                best_misfit = m;
            }
        }
        have = best == top[0];
    }
    if (!best) {
        return -1;
    }
    if (!have) {
        run_mode(tr, img, best, 1, 0, HUGE_VAL, &ty);
    }
    if (searched && !grid_tried) {
        /*
         * A grid of the picture's own geometry, when it reads as text and
         * better than the known modes; else what the best of those read.
         */
        struct tally known = ty;
        /* A mode read at its own size as text: a grid of its pitch is its cells (grid_search). */
        int unscaled = mode_own_size(best, img);
        int found =
            grid_search(tr, img, tally_is_text(&known) && unscaled ? best : NULL, &grid, &ty);
        /* The grid read at the picture's own size, where the known mode is stretched to it. */
        int own_size =
            tr->found_place.sx == 1 && tr->found_place.sy == 1 && !mode_own_size(best, img);
        /* The known mode's cells, read in another font's glyphs (a shape read at picked pixels
         * is wider than any listed mode's cell). */
        const unsigned fk = tr->found_k;
        int other_font = found > 0 && tr->shapes[fk].w == best->cell_w &&
                         tr->shapes[fk].h == best->cell_h && tr->shapes[fk].font != best->font;
        double better = own_size ? 1 : other_font ? GRID_FONT_BETTER : GRID_BETTER;
        if (found > 0 &&
            (!tally_is_text(&known) ||
             !grid_agrees(tr->found_place.pitch_x, tr->found_place.pitch_y, best, img) ||
             mode_misfit(&ty) < better * mode_misfit(&known))) {
            best = &tr->found;
        } else if (found >= 0) {
            /* The pass known read again, kept: measured when it is text (it reads the same). */
            run_mode(tr, img, best, 1, tally_is_text(&known), HUGE_VAL, &ty);
        }
    }
    if (tally_is_text(&ty)) {
        tr->misses = 0;
    }
    tr->last = best;
    tr->last_w = img->width;
    tr->last_h = img->height;
    out->cols = best->cols;
    out->rows = best->rows;
    out->cell_w = best->cell_w;
    out->cell_h = best->cell_h;
    out->mode_w = best->screen_w;
    out->mode_h = best->screen_h;
    out->mode = best->name;
    out->cells = tr->cells;
    result_figures(&ty, out);
    out->is_text = tally_is_text(&ty);
    out->image_w = img->width;
    out->image_h = img->height;
    out->searched = searched;
    if (best->place) {
        out->origin_x = best->place->ox;
        out->origin_y = best->place->oy;
        out->pitch_x = best->place->pitch_x;
        out->pitch_y = best->place->pitch_y;
    } else {
        out->pitch_x = (double)best->cell_w * img->width / best->screen_w;
        out->pitch_y = (double)best->cell_h * img->height / best->screen_h;
    }
    if (out->is_text) {
        if (!tr->measured) {
            /*
             * The same mode on the same picture, now measured: it reads the
             * same cells but for those only a measured pass reads (a glyph a
             * pixel off, a shape the screen draws otherwise), so the figures
             * are taken from it; whether the picture is text stays decided.
             */
            run_mode(tr, img, best, 1, 1, HUGE_VAL, &ty);
            result_figures(&ty, out);
        }
        out->palette = palette_decide(tr, best);
    } else {
        /* The colours are measured for text only (the header says zero otherwise). */
        for (size_t i = 0; i < (size_t)best->cols * best->rows; i++) {
            memset(tr->cells[i].fg_rgb, 0, 3);
            memset(tr->cells[i].bg_rgb, 0, 3);
        }
    }
    return 0;
}

uint32_t sk_textrec_cell_unicode(const struct sk_textrec_cell *c)
{
    return c->unicode ? c->unicode : sk_cp437_unicode[c->ch];
}

char *sk_textrec_utf8(const struct sk_textrec_result *r)
{
    struct sk_buf b = {0};
    for (unsigned y = 0; y < r->rows; y++) {
        unsigned end = r->cols;
        while (end > 0 && (r->cells[y * r->cols + end - 1].ch == ' ' ||
                           r->cells[y * r->cols + end - 1].ch == 0)) {
            end--;
        }
        for (unsigned x = 0; x < end; x++) {
            char u[4];
            sk_buf_append(&b, u,
                          sk_utf8_encode(sk_textrec_cell_unicode(&r->cells[y * r->cols + x]), u));
        }
        sk_buf_append(&b, "\n", 1);
    }
    if (!b.data) {
        sk_buf_puts(&b, "");
    }
    return b.data;
}

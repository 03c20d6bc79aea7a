/*
 * consolefonts: the system's Linux console fonts, read at start, so that
 * the text recogniser reads a framebuffer console drawn in a font it has
 * no table for (console-setup's Fixed18, Terminus14, TerminusBold14 ...).
 *
 * A Debian or Raspberry Pi OS machine keeps them in /usr/share/consolefonts
 * (console-setup-linux), one face in many files, one a character set:
 * Uni2-Fixed18.psf.gz, Lat15-Fixed18.psf.gz ... Every PSF file there 6
 * to 16 pixels wide (Terminus12x6 is 6, VGA32x16 16) is read
 * (sk_text_console_font_parse), and a face's files are merged into one
 * font in CP437 order, each code point from the first file (by name) that
 * draws it. The recogniser leaves out the faces its own tables hold
 * (Terminus16, and Terminus 10x18 to 16x32 at the pixels it reads).
 */
#ifndef SK_TEXT_CONSOLEFONTS_H
#define SK_TEXT_CONSOLEFONTS_H

#include <stddef.h>
#include <stdint.h>

struct sk_textrec;

/* Where sshkvm looks by default (--text-font-dir). */
#define SK_CONSOLEFONTS_DIR "/usr/share/consolefonts"
/* Faces kept at most, and entries of the folder (in name order) looked at at most. */
#define SK_CONSOLEFONTS_FACES_MAX 64
#define SK_CONSOLEFONTS_FILES_MAX 4096

struct sk_consolefonts;

/*
 * One face: its name ("TerminusBold14"), family ("Terminus"), width (6 to
 * 16), height and 256 x height rows of SK_TEXT_FONT_ROW_BYTES(width) bytes
 * (bit 7 of the first leftmost).
 */
struct sk_consolefont {
    const char *name, *family;
    unsigned width, height;
    const uint8_t *rows;
    unsigned files; /* the files merged into it */
};

/*
 * Read dir's console fonts. An entry that is not a regular file holding a
 * console font 6 to 16 wide, under a PSF font's name of letters, digits, '-'
 * and '_', is passed over (counted in *skipped when not NULL). NULL with
 * err set ("DIR: why") when dir cannot be read.
 */
struct sk_consolefonts *sk_consolefonts_load(const char *dir, unsigned *skipped, char *err,
                                             size_t errlen);
void sk_consolefonts_free(struct sk_consolefonts *cf);

/*
 * The faces read (0 for NULL), and face i of them, in the order they teach
 * a recogniser; its pointers are cf's, valid while cf is.
 */
unsigned sk_consolefonts_count(const struct sk_consolefonts *cf);
void sk_consolefonts_face(const struct sk_consolefonts *cf, unsigned i, struct sk_consolefont *out);

/* Teach tr every face (sk_textrec_add_console_font); cf may be NULL. Returns the faces taken. */
unsigned sk_consolefonts_teach(const struct sk_consolefonts *cf, struct sk_textrec *tr);

/*
 * A file name's face and family (pure): "Uni2-TerminusBold14.psf.gz" is
 * face "TerminusBold14" of family "Terminus" (a weight or variant, Bold,
 * BoldVGA or Classic, is the family's; the size is not). Returns 0, or -1
 * when the name is not a PSF font's (.psf, .psfu, either with .gz) or its
 * face holds other characters than letters, digits, '-' and '_'.
 */
int sk_consolefonts_name(const char *file, char *face, size_t face_len, char *family,
                         size_t family_len);

#endif

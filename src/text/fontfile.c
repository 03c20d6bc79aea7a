/*
 * fontfile: reads --text-font files (a VGA BIOS ROM, or a raw 8x16 font)
 * into fonts the recogniser adds as alternates. Owns nothing after the
 * call; the file is read once, whole (at most 256 KiB).
 */
#include "text/fontfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/textrec.h"
#include "util.h"

/* Video BIOS ROMs are 32-64 KiB; the font search reads at most this. */
#define FONT_FILE_MAX (256 * 1024)
#define RAW_8X16 (256 * 16)

int sk_text_font_load(const char *path, struct sk_text_font out[3], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    uint8_t *data = xmalloc(FONT_FILE_MAX);
    size_t len = fread(data, 1, FONT_FILE_MAX, f);
    int bad = ferror(f);
    fclose(f);
    int n = 0;
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        n = -1;
    } else if (len == RAW_8X16) {
        out[0].height = 16;
        memcpy(out[0].rows, data, RAW_8X16);
        n = 1;
    } else {
        static const unsigned heights[] = {16, 14, 8};
        for (int i = 0; i < 3; i++) {
            if (sk_textrec_find_rom_font(data, len, heights[i], out[n].rows) == 0) {
                out[n++].height = heights[i];
            }
        }
        if (n == 0) {
            snprintf(err, errlen,
                     "%s: neither a raw 8x16 font (4096 bytes) nor a VGA BIOS ROM with a font", path);
            n = -1;
        }
    }
    free(data);
    return n;
}

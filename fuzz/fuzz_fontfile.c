/*
 * fuzz_fontfile: --text-font files (PSF1/PSF2, plain or gzip, GRUB PF2,
 * raw 8x16, VGA BIOS ROM) through sk_text_font_parse. A file is refused with an
 * error or gives 1 to 3 fonts of a height the recogniser takes, no more
 * code points mapped than 256, and no more glyphs differing from the
 * built-in font than the file mapped; never a read past the input. The
 * same bytes as a system console font (sk_text_console_font_parse): an
 * error, or a font SK_TEXT_FONT_MIN_W to SK_TEXT_FONT_MAX_W wide and 6 to
 * SK_TEXT_FONT_MAX_H high whose drawn[] code points are as many as it
 * mapped, whose others are blank, and whose rows' bits past its width are
 * clear.
 */
#include "text/font8x16.h"
#include "fuzz.h"
#include "text/fontfile.h"
#include "text/fonts.h"

static const uint8_t *builtin(unsigned height)
{
    return height == 8 ? &sk_font8x8[0][0] : height == 14 ? &sk_font8x14[0][0] : &sk_font8x16[0][0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = sk_fuzz_copy(data, size);
    static struct sk_text_font fonts[3];
    char err[256] = "";
    int n = sk_text_font_parse(copy, size, fonts, err, sizeof(err));
    SK_FUZZ_CHECK(n == -1 || (n >= 1 && n <= 3));
    if (n < 0) {
        SK_FUZZ_CHECK(err[0] != '\0');
    }
    for (int i = 0; i < n; i++) {
        unsigned h = fonts[i].height;
        SK_FUZZ_CHECK(h == 8 || h == 14 || h == 16);
        SK_FUZZ_CHECK(fonts[i].format != NULL);
        SK_FUZZ_CHECK(fonts[i].mapped >= 1 && fonts[i].mapped <= 256);
        unsigned differ = 0;
        for (unsigned c = 0; c < 256; c++) {
            differ += memcmp(fonts[i].rows + c * h, builtin(h) + c * h, h) != 0;
        }
        SK_FUZZ_CHECK(differ <= fonts[i].mapped);
    }
    uint8_t drawn[256];
    if (sk_text_console_font_parse(copy, size, &fonts[0], drawn, err, sizeof(err)) == 0) {
        unsigned h = fonts[0].height, w = fonts[0].width, count = 0;
        SK_FUZZ_CHECK(h >= 6 && h <= SK_TEXT_FONT_MAX_H);
        SK_FUZZ_CHECK(w >= SK_TEXT_FONT_MIN_W && w <= SK_TEXT_FONT_MAX_W);
        unsigned rb = SK_TEXT_FONT_ROW_BYTES(w);
        for (unsigned c = 0; c < 256; c++) {
            count += drawn[c];
            for (unsigned i = 0; i < h * rb; i++) {
                uint8_t b = fonts[0].rows[(c * h) * rb + i];
                unsigned in = w - (i % rb) * 8 < 8 ? w - (i % rb) * 8 : 8;
                SK_FUZZ_CHECK(drawn[c] ? (b & (0xFFu >> in)) == 0 : b == 0);
            }
        }
        SK_FUZZ_CHECK(count == fonts[0].mapped && count >= 1);
    } else {
        SK_FUZZ_CHECK(err[0] != '\0');
    }
    free(copy);
    return 0;
}

/*
 * fuzz_jpeg: one hostile "frame" through the decoder the ssh view uses
 * (truncated JPEGs, absurd dimensions, random bytes). A decode either
 * fails cleanly or yields a picture no bigger than SK_JPEG_MAX_SIDE.
 */
#include "fuzz.h"
#include "video/image.h"
#include "video/jpeg.h"

static struct sk_jpeg_dec *dec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dec == NULL) {
        dec = sk_jpeg_dec_new();
    }
    struct sk_image img = {0};
    /* The first byte picks the size the view asks for (0: smallest scale). */
    unsigned want = size > 0 ? data[0] * 8u : 0;
    if (sk_jpeg_decode(dec, data, size, want, want, &img) == 0) {
        SK_FUZZ_CHECK(img.width > 0 && img.width <= SK_JPEG_MAX_SIDE);
        SK_FUZZ_CHECK(img.height > 0 && img.height <= SK_JPEG_MAX_SIDE);
    }
    sk_image_free(&img);
    return 0;
}

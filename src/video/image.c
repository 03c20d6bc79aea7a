/*
 * image: grow-only RGB24 buffers.
 */
#include "video/image.h"

#include <stdlib.h>

#include "base/util.h"

void sk_image_resize(struct sk_image *img, unsigned width, unsigned height)
{
    size_t need = (size_t)width * height * 3;
    if (need > img->capacity) {
        img->pixels = xrealloc(img->pixels, need);
        img->capacity = need;
    }
    img->width = width;
    img->height = height;
    img->pitch = width * 3;
}

void sk_image_free(struct sk_image *img)
{
    free(img->pixels);
    img->pixels = NULL;
    img->capacity = 0;
    img->width = img->height = img->pitch = 0;
}

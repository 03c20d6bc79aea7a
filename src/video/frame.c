/*
 * frame: allocation and reference counting of published pictures.
 */
#include "video/frame.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct sk_frame *sk_frame_new(size_t capacity)
{
    struct sk_frame *f = xcalloc(1, sizeof(*f));
    f->data = xmalloc(capacity ? capacity : 1);
    f->capacity = capacity;
    atomic_init(&f->refs, 1);
    return f;
}

struct sk_frame *sk_frame_ref(struct sk_frame *f)
{
    atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
    return f;
}

void sk_frame_unref(struct sk_frame *f)
{
    if (f == NULL) {
        return;
    }
    if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1) {
        sk_frame_unref(f->raw);
        free(f->data);
        free(f);
    }
}

void sk_frame_reserve(struct sk_frame *f, size_t capacity)
{
    if (capacity > f->capacity) {
        f->data = xrealloc(f->data, capacity);
        f->capacity = capacity;
    }
}

void sk_frame_set_data(struct sk_frame *f, const void *data, size_t size)
{
    sk_frame_reserve(f, size);
    memcpy(f->data, data, size);
    f->size = size;
}

/*
 * ycc: RGB as luma and chroma, ITU-R BT.601 as JPEG (JFIF) uses it, chroma
 * centred on 0. The one place its coefficients are written: the text
 * recogniser compares colours in this space, in doubles where it fits a
 * palette and in floats where it fits pixels, and its integer distances use
 * the luma weights in 8-bit fixed point.
 */
#ifndef SK_VIDEO_YCC_H
#define SK_VIDEO_YCC_H

#define SK_YCC_YR 0.299
#define SK_YCC_YG 0.587
#define SK_YCC_YB 0.114
#define SK_YCC_CBR (-0.168736)
#define SK_YCC_CBG (-0.331264)
#define SK_YCC_CBB 0.5
#define SK_YCC_CRR 0.5
#define SK_YCC_CRG (-0.418688)
#define SK_YCC_CRB (-0.081312)

/* The luma weights times 256, rounded (77 + 150 + 29 = 256). */
#define SK_YCC_YR8 77
#define SK_YCC_YG8 150
#define SK_YCC_YB8 29
_Static_assert(SK_YCC_YR8 + SK_YCC_YG8 + SK_YCC_YB8 == 256, "luma weights sum to one");

/* The luma (0..255) of the RGB24 pixel at p, in 8-bit fixed point. */
static inline unsigned sk_ycc_luma8(const unsigned char *p)
{
    return (SK_YCC_YR8 * p[0] + SK_YCC_YG8 * p[1] + SK_YCC_YB8 * p[2]) >> 8;
}

static inline void sk_ycc(double r, double g, double b, double out[3])
{
    out[0] = SK_YCC_YR * r + SK_YCC_YG * g + SK_YCC_YB * b;
    out[1] = SK_YCC_CBR * r + SK_YCC_CBG * g + SK_YCC_CBB * b;
    out[2] = SK_YCC_CRR * r + SK_YCC_CRG * g + SK_YCC_CRB * b;
}

/* The inverse of sk_ycc: luma and chroma back to RGB (not clamped). */
static inline void sk_ycc_rgb(double y, double cb, double cr, double out[3])
{
    out[0] = y + 1.402 * cr;
    out[1] = y - 0.344136 * cb - 0.714136 * cr;
    out[2] = y + 1.772 * cb;
}

/* The same in float, for per-pixel loops that vectorise. */
static inline void sk_ycc_f(float r, float g, float b, float *y, float *cb, float *cr)
{
    *y = (float)SK_YCC_YR * r + (float)SK_YCC_YG * g + (float)SK_YCC_YB * b;
    *cb = (float)SK_YCC_CBR * r + (float)SK_YCC_CBG * g + (float)SK_YCC_CBB * b;
    *cr = (float)SK_YCC_CRR * r + (float)SK_YCC_CRG * g + (float)SK_YCC_CRB * b;
}

#endif

/*
 * screenjson: a recognised text screen as one JSON document.
 *
 * Builds the document with jansson from the recogniser's result: the
 * frame's size, the grid (cells and their size and origin, scaled from
 * the picture the recogniser read to the captured frame), the palette,
 * the cursor, and one object a row holding parallel arrays, one entry a
 * cell: "text" (the row's characters, every cell's, blanks kept, so that
 * character i is cell i's), "fg" and "bg" ("#rrggbb"), "conf" (0..1) and
 * "unsure" (the columns of cells read with low confidence). Owns nothing
 * beyond the call.
 */
#include "cmd/screenjson.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "text/textrec.h"

/* v rounded to hundredths: an integer when it is one, so "16" and not "16.0". */
static json_t *number(double v)
{
    double r = round(v * 100) / 100;
    if (r == floor(r) && fabs(r) < 1e9) {
        return json_integer((json_int_t)r);
    }
    return json_real(r);
}

static json_t *colour(const uint8_t rgb[3])
{
    char s[8];
    snprintf(s, sizeof(s), "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return json_string(s);
}

/* Row y of r: its characters and each cell's colours and confidence. */
static json_t *row_json(const struct sk_textrec_result *r, unsigned y)
{
    struct sk_buf text = {0};
    json_t *fg = json_array(), *bg = json_array(), *conf = json_array(), *unsure = json_array();
    for (unsigned x = 0; x < r->cols; x++) {
        const struct sk_textrec_cell *c = &r->cells[(size_t)y * r->cols + x];
        char u[4];
        uint32_t cp = sk_textrec_cell_unicode(c);
        sk_buf_append(&text, u, sk_utf8_encode(cp, u));
        uint8_t f[3], b[3];
        sk_textrec_cell_rgb(r, c, f, b);
        json_array_append_new(fg, colour(f));
        json_array_append_new(bg, colour(b));
        json_array_append_new(conf, number(c->conf / 100.0));
        if (c->conf < SK_TEXTREC_SURE) {
            json_array_append_new(unsure, json_integer(x));
        }
    }
    json_t *row = json_pack("{s:s%, s:o, s:o, s:o, s:o}", "text", text.data ? text.data : "",
                            text.len, "fg", fg, "bg", bg, "conf", conf, "unsure", unsure);
    sk_buf_free(&text);
    return row;
}

void sk_screenjson_grid(const struct sk_textrec_result *r, unsigned frame_w, unsigned frame_h,
                        struct sk_screenjson_grid *g)
{
    /* The recogniser read a picture scaled from the frame: its pixels to the frame's. */
    double sx = r->image_w ? (double)frame_w / r->image_w : 1;
    double sy = r->image_h ? (double)frame_h / r->image_h : 1;
    g->cell_w = r->pitch_x * sx;
    g->cell_h = r->pitch_y * sy;
    g->origin_x = r->origin_x * sx;
    g->origin_y = r->origin_y * sy;
}

json_t *sk_screenjson_doc(const struct sk_textrec_result *r, unsigned frame_w, unsigned frame_h)
{
    json_t *doc =
        json_pack("{s:b, s:{s:i, s:i}, s:o, s:o}", "is_text", r->is_text, "frame", "width", frame_w,
                  "height", frame_h, "mode", r->mode ? json_string(r->mode) : json_null(),
                  "confidence", number(r->confidence));
    if (r->is_text) {
        struct sk_screenjson_grid g;
        sk_screenjson_grid(r, frame_w, frame_h, &g);
        json_object_set_new(doc, "grid",
                            json_pack("{s:i, s:i, s:o, s:o, s:o, s:o}", "cols", r->cols, "rows",
                                      r->rows, "cell_width", number(g.cell_w), "cell_height",
                                      number(g.cell_h), "origin_x", number(g.origin_x), "origin_y",
                                      number(g.origin_y)));
        const char *palette = sk_textrec_palette_name(r->palette);
        json_object_set_new(doc, "palette", palette ? json_string(palette) : json_null());
        json_object_set_new(
            doc, "cursor",
            r->cursor_col >= 0 ? json_pack("{s:i, s:i}", "col", r->cursor_col, "row", r->cursor_row)
                               : json_null());
    } else {
        json_object_set_new(doc, "grid", json_null());
        json_object_set_new(doc, "palette", json_null());
        json_object_set_new(doc, "cursor", json_null());
    }
    json_t *rows = json_array();
    for (unsigned y = 0; r->is_text && y < r->rows; y++) {
        json_array_append_new(rows, row_json(r, y));
    }
    json_object_set_new(doc, "rows", rows);
    return doc;
}

char *sk_screenjson(const struct sk_textrec_result *r, unsigned frame_w, unsigned frame_h)
{
    json_t *doc = sk_screenjson_doc(r, frame_w, frame_h);
    char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(doc);
    if (s == NULL) {
        abort(); /* only out of memory makes jansson fail on a tree it built */
    }
    /* With a newline, as a line of output; xmalloc'd so the caller frees with free(). */
    size_t n = strlen(s);
    char *out = xmalloc(n + 2);
    memcpy(out, s, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    free(s);
    return out;
}

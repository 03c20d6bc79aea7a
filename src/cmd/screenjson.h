/*
 * screenjson: a text screen as recognised (text/textrec.h) as one JSON
 * document, for `screen --text --json` and the MCP server's read_screen.
 *
 * Pure: a recogniser's result and the captured frame's size in, a string
 * out. The document holds the grid's geometry in the frame's pixels,
 * whether the screen is text, the palette its colours sit on, and per row
 * its characters and per cell their colours and confidence (docs/text-json.md).
 */
#ifndef SK_CMD_SCREENJSON_H
#define SK_CMD_SCREENJSON_H

struct json_t;
struct sk_textrec_result;

/* A text grid's geometry in the captured frame's pixels. */
struct sk_screenjson_grid {
    double cell_w, cell_h;     /* a cell's size */
    double origin_x, origin_y; /* the first cell's top left corner */
};

/*
 * r's grid (its pitch and origin in the picture of r->image_w x
 * r->image_h it was read from) scaled to a frame of frame_w x frame_h.
 */
void sk_screenjson_grid(const struct sk_textrec_result *r, unsigned frame_w, unsigned frame_h,
                        struct sk_screenjson_grid *g);

/*
 * The document sk_screenjson prints, as a jansson tree: the caller owns
 * the reference (json_decref).
 */
struct json_t *sk_screenjson_doc(const struct sk_textrec_result *r, unsigned frame_w,
                                 unsigned frame_h);

/*
 * r as JSON (compact, one line, ending in '\n'): r was read from a picture
 * of r->image_w x r->image_h scaled from a frame of frame_w x frame_h, so
 * the geometry is given in the frame's pixels. A result that is not text
 * gives "is_text":false, no grid and no rows. Returns a string the caller
 * frees.
 */
char *sk_screenjson(const struct sk_textrec_result *r, unsigned frame_w, unsigned frame_h);

#endif

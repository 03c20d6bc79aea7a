/*
 * screenjson: a text screen as recognised (text/textrec.h) as one JSON
 * document, for `screen --text --json` and the MCP server's read_screen.
 *
 * Pure: a recogniser's result and the captured frame's size in, a string
 * out. The document holds the grid's geometry in the frame's pixels,
 * whether the screen is text, the palette its colours sit on, and per row
 * its characters and per cell their colours and confidence (docs/text.md).
 */
#ifndef SK_CMD_SCREENJSON_H
#define SK_CMD_SCREENJSON_H

struct sk_textrec_result;

/*
 * r as JSON (compact, one line, ending in '\n'): r was read from a picture
 * of r->image_w x r->image_h scaled from a frame of frame_w x frame_h, so
 * the geometry is given in the frame's pixels. A result that is not text
 * gives "is_text":false, no grid and no rows. Returns a string the caller
 * frees.
 */
char *sk_screenjson(const struct sk_textrec_result *r, unsigned frame_w, unsigned frame_h);

#endif

/*
 * serialterm: the interactive serial session (ssh -t ... serial NAME).
 */
#ifndef SK_SERIALTERM_H
#define SK_SERIALTERM_H

struct sk_app;
struct sk_port;
struct sk_cmd_io;
struct sk_buf;

/*
 * Attach the client's terminal (io with cols and rows set, and poll_in) to
 * port until the client quits (Ctrl+] q) or goes. Returns the exit status.
 */
int sk_serialterm_run(struct sk_app *app, struct sk_port *port, const struct sk_cmd_io *io);

/*
 * The port's last screenful for a terminal of rows x cols: at most
 * rows * cols bytes of its recent output, from the start of the line rows
 * newlines back when there are that many, appended to out. Shared with the
 * web page's terminal (http/serialapi.c).
 */
void sk_serialterm_replay(struct sk_port *port, unsigned rows, unsigned cols, struct sk_buf *out);

#endif

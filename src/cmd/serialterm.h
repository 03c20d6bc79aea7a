/*
 * serialterm: the interactive serial session (ssh -t ... serial NAME).
 */
#ifndef SK_SERIALTERM_H
#define SK_SERIALTERM_H

struct sk_app;
struct sk_port;
struct sk_cmd_io;

/*
 * Attach the client's terminal (io with cols and rows set, and poll_in) to
 * port until the client quits (Ctrl+] q) or goes. Returns the exit status.
 */
int sk_serialterm_run(struct sk_app *app, struct sk_port *port, const struct sk_cmd_io *io);

#endif

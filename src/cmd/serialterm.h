/*
 * serialterm: the interactive serial session (ssh -t ... serial NAME).
 */
#ifndef SK_SERIALTERM_H
#define SK_SERIALTERM_H

#include <stddef.h>
#include <stdint.h>

struct sk_app;
struct sk_port;
struct sk_cmd_io;
struct sk_buf;
struct sk_port_stats;

#define SK_SERIALTERM_STATE_LEN 160 /* room for sk_serialterm_state's line */

/*
 * Attach the client's terminal (io with cols and rows set, and poll_in) to
 * port until the client quits (Ctrl+] q) or goes. Returns the exit status.
 */
int sk_serialterm_run(struct sk_app *app, struct sk_port *port, const struct sk_cmd_io *io);

/*
 * The port's state for a person, written to buf (SK_SERIALTERM_STATE_LEN
 * bytes hold any): "open", or "absent (why)" when there is an error.
 * Returns buf. Shared with `serial` (cmd/serialcmd.c) and the web page's
 * terminal (http/serialapi.c).
 */
const char *sk_serialterm_state(const struct sk_port_stats *st, char *buf, size_t len);

/*
 * The port's last screenful for a terminal of rows x cols: at most
 * rows * cols bytes of its recent output, from the start of the line rows
 * newlines back when there are that many, appended to out. Shared with the
 * web page's terminal (http/serialapi.c).
 */
void sk_serialterm_replay(struct sk_port *port, unsigned rows, unsigned cols, struct sk_buf *out);

/*
 * The port's output after *pos without waiting (sk_port_read), except for
 * a burst: 1 KiB or more at once (BURST_MIN) waits 5 ms for the rest, so that it goes
 * out in big writes; a few keys' echo goes at once. *lost as for
 * sk_port_read (summed). Returns the bytes in buf, 0, or SK_E_CLOSED.
 */
long sk_serialterm_read(struct sk_port *port, uint64_t *pos, uint8_t *buf, size_t len,
                        uint64_t *lost);

/*
 * Wait for the client's keys or the port's output, whichever comes first:
 * with io->poll_in_fd and a watch fd (sk_port_watch) both at once, up to
 * max_ms; else the keys alone for a slice of 10 ms. io->poll_in's answer
 * (1 keys or end of input ready, 0 not, -1 the client has gone).
 */
int sk_serialterm_wait(const struct sk_cmd_io *io, int watch_fd, int max_ms);

#endif

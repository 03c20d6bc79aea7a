/*
 * telnetport: a serial port reached over telnet (`--serial NAME=telnet:HOST:PORT`),
 * the transport port.c uses instead of a tty for such a port.
 *
 * It owns one TCP connection and its telnet state (libtelnet): binary mode
 * asked for both ways, 0xff doubled on the way out and undone on the way
 * in, every other option refused, a break sent as IAC BREAK. When the
 * server agrees to RFC 2217 (COM-PORT-OPTION), the line settings are sent
 * to it on connect and on every speed change; otherwise the speed cannot
 * be changed from here. Bytes that the socket cannot take at once wait in
 * a bounded queue that the port's thread drains (sk_telnetport_flush).
 *
 * Threads: the port's thread connects, disconnects, feeds what it reads
 * (sk_telnetport_recv) and flushes; writers call sk_telnetport_write,
 * _break and _set_speed from their own threads while port.c keeps the
 * connection from being closed under them (its fd_lock). An internal lock
 * guards the telnet state and the queue.
 */
#ifndef SK_TELNETPORT_H
#define SK_TELNETPORT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "serial/serialspec.h"

struct sk_telnetport;

/* spec (copied) must be a telnet spec (spec->telnet). */
struct sk_telnetport *sk_telnetport_new(const struct sk_serialspec *spec);
/* Disconnects if connected, then frees. NULL is a no-op. */
void sk_telnetport_free(struct sk_telnetport *tp);

/*
 * Connect to the spec's host and port (giving up after a few seconds, or
 * as soon as *stop is set) and start the telnet negotiation. Returns the
 * socket (owned by tp: poll and read it, never close it), or -1 with why
 * set to one line ("connection refused", "no such host ...").
 */
int sk_telnetport_connect(struct sk_telnetport *tp, const atomic_int *stop, char *why,
                          size_t whylen);
/* Close the connection and forget its telnet state. Idempotent. */
void sk_telnetport_disconnect(struct sk_telnetport *tp);

/*
 * Take len bytes read from the socket: the serial data among them (commands
 * and negotiations taken out, IAC IAC made one 0xff) is copied to out, which
 * has room for len bytes, and any answers are queued and flushed. Returns
 * the data bytes, or -1 with why set when the stream is broken or the
 * socket failed.
 */
long sk_telnetport_recv(struct sk_telnetport *tp, const uint8_t *in, size_t len, uint8_t *out,
                        char *why, size_t whylen);

/* Are bytes waiting for the socket to take them? 1 or 0. */
int sk_telnetport_pending(struct sk_telnetport *tp);
/* Write what is waiting, as much as the socket takes now. 0, or -1 when the socket failed. */
int sk_telnetport_flush(struct sk_telnetport *tp);

/*
 * Send len serial bytes (escaped as telnet wants), waiting at most
 * timeout_ms for room. Returns the bytes taken (they reach the socket in
 * order even if some still wait in the queue), or SK_E_NODEV when not
 * connected or the socket failed.
 */
long sk_telnetport_write(struct sk_telnetport *tp, const void *data, size_t len, int timeout_ms);

/* Send IAC BREAK. 0, or SK_E_NODEV. */
int sk_telnetport_break(struct sk_telnetport *tp);

/*
 * Send spec's line settings (RFC 2217 SET-BAUDRATE, -DATASIZE, -PARITY,
 * -STOPSIZE, -CONTROL). 0, or SK_E_NODEV when not connected, or -1 when the
 * server has not agreed to COM-PORT-OPTION (the speed cannot be changed).
 */
int sk_telnetport_set_line(struct sk_telnetport *tp, const struct sk_serialspec *spec);

#endif

/*
 * port: one serial port, kept open (and reopened) by its own thread.
 *
 * sk_port_open starts a thread named "serial" that opens the tty in raw
 * mode with the settings asked for (8-bit clean, no echo, no line
 * discipline), reads everything it says into a bounded ring (recent output,
 * for replay), and wakes any number of readers. Readers never hold the
 * thread back: each keeps its own position in the stream, and one that
 * falls more than a ring behind is moved up and told how many bytes it
 * lost. When the device is missing or vanishes (a USB adapter unplugged),
 * the state says so and the thread tries again every retry_ms. Callers
 * write bytes and send breaks from their own threads. A telnet:HOST:PORT
 * device is a TCP connection instead (telnetport), connected, read and
 * reconnected by the same thread in the same way.
 */
#ifndef SK_PORT_H
#define SK_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "serial/serialspec.h"

struct sk_port;

struct sk_port_opts {
    struct sk_serialspec spec; /* copied */
    size_t ring_size;          /* bytes of recent output kept; 0: 256 KiB */
    int retry_ms;              /* how often a missing device is looked for; 0: 1000 */
    const char *log_dir; /* copied: log every byte read to LOG_DIR/NAME.log (serlog); NULL: none */
};

enum sk_port_state {
    SK_PORT_CLOSED = 0, /* not opened, or closed */
    SK_PORT_OPEN,       /* the device is open */
    SK_PORT_ABSENT,     /* the device is not there (yet, or any more): retried */
    SK_PORT_ERROR,      /* it is there but cannot be used (permissions, not a tty): retried */
};

struct sk_port_stats {
    const char *name; /* the port's name and device (valid for the port's life) */
    const char *device;
    char settings[SK_SERIAL_SETTINGS_MAX]; /* "115200 8n1" (sk_serialspec_settings) */
    const char *state;                     /* "closed", "open", "absent" or "error" */
    char error[128];                       /* why it is absent or in error, else "" */
    unsigned long long rx;                 /* bytes read from the device */
    unsigned long long tx;                 /* bytes written to it */
    unsigned long long
        errors; /* failed opens, reads and writes (each failure once until it changes) */
    unsigned long long reopens;    /* times the device came back after it was gone */
    unsigned long long breaks;     /* breaks sent */
    int logging;                   /* a log is kept (--serial-log-dir) */
    unsigned long long logged;     /* bytes written to the log (stamps included) */
    unsigned long long log_errors; /* failed log writes and syncs */
};

struct sk_port *sk_port_new(const struct sk_port_opts *opts);
/* Closes the port if open, then frees it. NULL is a no-op. */
void sk_port_free(struct sk_port *port);

/*
 * Start the port's thread, which opens the device at once and keeps it
 * open. A device that cannot be opened yet is no failure: it is retried.
 * Returns 0, or -1 with err set when the thread cannot start.
 */
int sk_port_open(struct sk_port *port, char *err, size_t errlen);
/* Stop and join the thread, close the device, wake every reader. Idempotent. */
void sk_port_close(struct sk_port *port);

/* The port's settings as given (valid for the port's life). */
const struct sk_serialspec *sk_port_spec(const struct sk_port *port);
enum sk_port_state sk_port_state(struct sk_port *port);
void sk_port_stats(struct sk_port *port, struct sk_port_stats *out);
/*
 * The start of the port's JSON object, appended to out:
 * {"name":..,"device":..,"settings":..,"state":..,"error":.. with no closing brace, so that the
 * caller (status's "serial", the web page's port list) adds its own fields and the "}".
 */
void sk_port_stats_json(const struct sk_port_stats *st, struct sk_buf *out);

/*
 * A reader's starting position: `back` bytes before the newest (0: only
 * what arrives from now on), at most what the ring still holds.
 */
uint64_t sk_port_position(struct sk_port *port, size_t back);

/*
 * Wait up to timeout_ms (0: do not wait, -1: forever) for output after *pos
 * and copy up to len bytes of it to buf, advancing *pos. When *pos has
 * fallen out of the ring, *lost is set to the bytes skipped (else 0) and
 * reading goes on from the oldest byte held. Returns the bytes copied, 0
 * on timeout, or SK_E_CLOSED once the port is closed.
 */
long sk_port_read(struct sk_port *port, uint64_t *pos, void *buf, size_t len, int timeout_ms,
                  uint64_t *lost);

/*
 * A descriptor that becomes readable whenever output arrives after it is
 * made (or the port closes), for a reader that waits for the port and
 * something else at once (poll it with the session's socket, then call
 * sk_port_read with timeout 0). Clear it (sk_port_watch_clear) before
 * reading, so that nothing arriving after the read is missed. Returns the
 * fd (owned by the caller until sk_port_unwatch), or -1 (no eventfd).
 */
int sk_port_watch(struct sk_port *port);
/* Stop signalling fd and close it. -1 is a no-op. */
void sk_port_unwatch(struct sk_port *port, int fd);
/* Reset fd's signal (nonblocking; -1 and an unsignalled fd are no-ops). */
void sk_port_watch_clear(int fd);

/*
 * Write up to len bytes, waiting at most timeout_ms (0: no wait) for the
 * device to take them. Returns the bytes written (maybe fewer than len, 0
 * when it took none in time), or SK_E_NODEV when the device is not open.
 */
long sk_port_write(struct sk_port *port, const void *data, size_t len, int timeout_ms);

/*
 * The port's logged output (sk_serlog_history): lines with their times at
 * or after since (NULL: all), the last `lines` (0: all), appended to out.
 * 0, or -1 with err set (no log kept, or it cannot be read).
 */
int sk_port_history(struct sk_port *port, const char *since, size_t lines, struct sk_buf *out,
                    char *err, size_t errlen);

/*
 * Change the port's speed (one serialspec accepts), now if it is open and
 * on every later reopen. 0, or -1 when the speed is not supported, the
 * device refuses it, or a telnet port's server has not agreed to RFC 2217
 * (the old speed stays).
 */
int sk_port_set_speed(struct sk_port *port, unsigned speed);

/* Send a break (tcsendbreak; on a telnet port, IAC BREAK). 0, or SK_E_NODEV / -1. */
int sk_port_break(struct sk_port *port);

#endif

/*
 * porttest: what the serial port tests share (test_serial with ptys, test_telnetport with
 * a telnet server on a socket): reading a descriptor or a port until a count of bytes has
 * come, and waiting for a port's state. Static helpers, for tests/unit only.
 */
#ifndef SK_PORTTEST_H
#define SK_PORTTEST_H

#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>

#include "base/util.h"
#include "serial/port.h"

/* Read exactly len bytes from fd within 5 s; the count read. */
static size_t read_all(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    int64_t until = sk_now_ms() + 5000;
    while (got < len && sk_now_ms() < until) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0) {
            ssize_t n = read(fd, buf + got, len - got);
            if (n > 0) {
                got += (size_t)n;
            }
        }
    }
    return got;
}

static int wait_state(struct sk_port *port, enum sk_port_state want, int ms)
{
    for (int64_t until = sk_now_ms() + ms; sk_now_ms() < until; sk_sleep_ms(10)) {
        if (sk_port_state(port) == want) {
            return 1;
        }
    }
    return sk_port_state(port) == want;
}

/* Read len bytes from the port at *pos within 5 s; the count read. */
static size_t port_read_all(struct sk_port *port, uint64_t *pos, uint8_t *buf, size_t len,
                            uint64_t *lost_total)
{
    size_t got = 0;
    int64_t until = sk_now_ms() + 5000;
    while (got < len && sk_now_ms() < until) {
        uint64_t lost;
        long n = sk_port_read(port, pos, buf + got, len - got, 100, &lost);
        if (n < 0) {
            break;
        }
        got += (size_t)n;
        if (lost_total != NULL) {
            *lost_total += lost;
        }
    }
    return got;
}

/* A port on device with settings (",9600,7e1" or "") opened, its thread started; NULL when
 * the spec is refused (said on stderr) or the thread cannot start. */
static struct sk_port *open_port(const char *device, const char *settings, size_t ring,
                                 int retry_ms)
{
    char text[512], err[256];
    snprintf(text, sizeof(text), "t=%s%s", device, settings);
    struct sk_port_opts opts = {.ring_size = ring, .retry_ms = retry_ms};
    if (sk_serialspec_parse(text, &opts.spec, err, sizeof(err)) != 0) {
        fprintf(stderr, "  %s\n", err);
        return NULL;
    }
    struct sk_port *port = sk_port_new(&opts);
    if (sk_port_open(port, err, sizeof(err)) != 0) {
        sk_port_free(port);
        return NULL;
    }
    return port;
}

#endif

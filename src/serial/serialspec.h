/*
 * serialspec: what `--serial NAME=DEVICE[,SETTINGS]` says about one port.
 *
 * A pure parser (no I/O, no globals, no clock): the port's name (a-z, 0-9
 * and '-', used in commands: `serial --send com1 ...`), its device (any tty:
 * /dev/ttyUSB0, /dev/ttyAMA0, a pty's link) and its line settings, comma
 * separated after the device in any order: the speed (115200), the framing
 * as data bits, parity and stop bits (8n1, 7e1, 8o2) and the flow control
 * (rtscts, xonxoff, none). Anything not given is 115200 8n1 without flow
 * control. sk_serialspec_settings writes the settings back in that form.
 *
 * The device may instead be `telnet:HOST:PORT`, a serial port reached over
 * the network (a terminal server, ser2net, a QEMU or libvirt console):
 * HOST a host name, an IPv4 address or an IPv6 address in brackets
 * ([::1]), PORT 1 to 65535. The address is checked for its form only; it is
 * looked up when the port connects.
 */
#ifndef SK_SERIALSPEC_H
#define SK_SERIALSPEC_H

#include <stddef.h>

#define SK_SERIAL_NAME_MAX 32     /* a name's length, its NUL included */
#define SK_SERIAL_DEVICE_MAX 256  /* a device path's length, its NUL included */
#define SK_SERIAL_SETTINGS_MAX 32 /* what sk_serialspec_settings writes, NUL included */
#define SK_SERIAL_HOST_MAX 254    /* a telnet host's length, its NUL included */

enum sk_serial_flow {
    SK_SERIAL_FLOW_NONE = 0,
    SK_SERIAL_FLOW_RTSCTS,
    SK_SERIAL_FLOW_XONXOFF,
};

struct sk_serialspec {
    char name[SK_SERIAL_NAME_MAX];
    char device[SK_SERIAL_DEVICE_MAX];
    unsigned speed;     /* bits a second: one of the standard tty speeds, 50 to 4000000 */
    unsigned data_bits; /* 5 to 8 */
    char parity;        /* 'n' none, 'e' even, 'o' odd */
    unsigned stop_bits; /* 1 or 2 */
    enum sk_serial_flow flow;
    int telnet;                    /* 1: device is telnet:HOST:PORT, reached over TCP */
    char host[SK_SERIAL_HOST_MAX]; /* telnet only: the host, without an IPv6 address's brackets */
    unsigned tcp_port;             /* telnet only: 1 to 65535 */
};

/*
 * Parse "NAME=DEVICE[,SETTING...]" into out. Returns 0, or -1 with err
 * set to one line saying what is wrong (without the option's name, which
 * the caller puts in front: "--serial: ...").
 */
int sk_serialspec_parse(const char *text, struct sk_serialspec *out, char *err, size_t errlen);

/* Is speed one a tty can be set to (50, 75, ..., 115200, ..., 4000000)? 1 or 0. */
int sk_serialspec_speed_ok(unsigned speed);

/* The settings as "115200 8n1", with " rtscts" or " xonxoff" after when asked for. */
void sk_serialspec_settings(const struct sk_serialspec *spec, char *buf, size_t len);

#endif

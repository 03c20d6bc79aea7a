/*
 * test_telnetport: a serial port reached over telnet (--serial NAME=telnet:HOST:PORT),
 * against a telnet server played by this test on a loopback socket, so that every byte on
 * the wire is seen: the parser's telnet devices and their errors; the negotiation sshkvm
 * opens with, and options it refuses or accepts; serial bytes exact both ways (0xff
 * doubled on the wire, 0x00 and CR untouched, commands taken out); IAC BREAK for a break;
 * RFC 2217 settings only once the server agrees; a server that stops reading, whose
 * writer is told what was taken; a server that hangs up, reported absent with the reason
 * and connected again; a server that is not there.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "porttest.h"
#include "base/log.h"
#include "base/util.h"
#include "serial/port.h"
#include "serial/serialspec.h"

#define IAC 0xff

static void test_parse_telnet(void)
{
    struct sk_serialspec s;
    char err[256], set[SK_SERIAL_SETTINGS_MAX];
    CHECK_EQ_INT(sk_serialspec_parse("vm=telnet:127.0.0.1:4555", &s, err, sizeof(err)), 0);
    CHECK_EQ_INT(s.telnet, 1);
    CHECK_STR(s.host, "127.0.0.1");
    CHECK_EQ_INT(s.tcp_port, 4555);
    CHECK_STR(s.device, "telnet:127.0.0.1:4555");
    CHECK_EQ_INT(
        sk_serialspec_parse("sw=telnet:ts-1.lab.example:2003,9600,7e1", &s, err, sizeof(err)), 0);
    CHECK_STR(s.host, "ts-1.lab.example");
    CHECK_EQ_INT(s.tcp_port, 2003);
    sk_serialspec_settings(&s, set, sizeof(set));
    CHECK_STR(set, "9600 7e1");
    CHECK_EQ_INT(sk_serialspec_parse("v6=telnet:[::1]:65535", &s, err, sizeof(err)), 0);
    CHECK_STR(s.host, "::1");
    CHECK_EQ_INT(s.tcp_port, 65535);
    CHECK_EQ_INT(sk_serialspec_parse("tty=/dev/ttyUSB0", &s, err, sizeof(err)), 0);
    CHECK_EQ_INT(s.telnet, 0);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"a=telnet:", "not telnet:HOST:PORT"},
        {"a=telnet:host", "not telnet:HOST:PORT"},
        {"a=telnet::23", "not telnet:HOST:PORT"},
        {"a=telnet:host:", "not telnet:HOST:PORT"},
        {"a=telnet:host:2x", "not telnet:HOST:PORT"},
        {"a=telnet:host:0", "TCP port is not 1 to 65535"},
        {"a=telnet:host:65536", "TCP port is not 1 to 65535"},
        {"a=telnet:host:1234567", "TCP port is not 1 to 65535"},
        {"a=telnet:ho st:23", "the host is not"},
        {"a=telnet:-host:23", "the host is not"},
        {"a=telnet:host-:23", "the host is not"},
        {"a=telnet:a..b:23", "the host is not"},
        {"a=telnet:host/x:23", "the host is not"},
        {"a=telnet:$(id):23", "the host is not"},
        {"a=telnet:::1:23", "the host is not"},
        {"a=telnet:[::1:23", "the host is not"},
        {"a=telnet:[zz::1]:23", "the host is not"},
        {"a=telnet:[]:23", "the host is not"},
        {"a=telnetx:host:23", "not a path"},
        {"a=telnet:host:23,9601", "'9601' is not a serial speed"},
    };
    for (size_t i = 0; i < SK_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        int rc = sk_serialspec_parse(bad[i].text, &s, err, sizeof(err));
        if (rc != -1 || strstr(err, bad[i].want) == NULL) {
            fprintf(stderr, "  '%s': rc %d, '%s' lacks '%s'\n", bad[i].text, rc, err, bad[i].want);
            sk_check_failed_now++;
        }
    }
}

/* A listening socket on 127.0.0.1 at a port the kernel picks (so parallel runs never
 * collide); its port in *port. */
static int listen_any(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int accept_within(int lfd, int ms)
{
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};
    return poll(&pfd, 1, ms) > 0 ? accept(lfd, NULL, NULL) : -1;
}

/* The next len bytes on the wire are want, exactly; a mismatch is shown in hex. */
#define EXPECT_WIRE(fd, ...)                                                                       \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        expect_wire(fd, want_, sizeof(want_), __LINE__);                                           \
    } while (0)

static void expect_wire(int fd, const uint8_t *want, size_t len, int line)
{
    uint8_t got[256];
    size_t n = read_all(fd, got, len);
    if (n != len || memcmp(got, want, len) != 0) {
        fprintf(stderr, "  line %d: on the wire:", line);
        for (size_t i = 0; i < n; i++) {
            fprintf(stderr, " %02x", got[i]);
        }
        fprintf(stderr, "\n  wanted:");
        for (size_t i = 0; i < len; i++) {
            fprintf(stderr, " %02x", want[i]);
        }
        fprintf(stderr, "\n");
        sk_check_failed_now++;
    }
}

/* Nothing more arrives on the wire within ms. */
static int quiet(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) == 0;
}

static struct sk_port *telnet_port(unsigned tcp_port, const char *settings)
{
    char device[64];
    snprintf(device, sizeof(device), "telnet:127.0.0.1:%u", tcp_port);
    return open_port(device, settings, 0, 100);
}

/* What sshkvm says first: WILL and DO BINARY, WILL and DO SUPPRESS-GO-AHEAD, WILL
 * COM-PORT-OPTION (44). */
#define OPENING IAC, 251, 0, IAC, 253, 0, IAC, 251, 3, IAC, 253, 3, IAC, 251, 44

/* A port connected to a server of this test, past the opening negotiation: the listening
 * socket in *lfd (its port in *tcp_port), the server's end of the connection in *fd. */
static struct sk_port *connected(const char *settings, unsigned *tcp_port, int *lfd, int *fd)
{
    *lfd = listen_any(tcp_port);
    CHECK(*lfd >= 0);
    struct sk_port *port = telnet_port(*tcp_port, settings);
    CHECK(port != NULL);
    *fd = accept_within(*lfd, 5000);
    CHECK(*fd >= 0);
    EXPECT_WIRE(*fd, OPENING);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    return port;
}

static void test_bytes_both_ways(void)
{
    unsigned tcp_port;
    int lfd, fd;
    struct sk_port *port = connected("", &tcp_port, &lfd, &fd);

    /* The server agrees to binary both ways (no answer due: sshkvm asked), offers to echo
     * (accepted: DO ECHO) and asks for NAWS (31) and offers TTYPE (24): refused. */
    static const uint8_t neg[] = {IAC, 253, 0,   IAC, 251, 0,   IAC, 251,
                                  1,   IAC, 253, 31,  IAC, 251, 24};
    CHECK_EQ_INT(write(fd, neg, sizeof(neg)), (long)sizeof(neg));
    EXPECT_WIRE(fd, IAC, 253, 1, IAC, 252, 31, IAC, 254, 24);
    CHECK(quiet(fd, 200));

    /* Server to port: IAC IAC is one 0xff, IAC NOP vanishes, 0x00 and CR LF stay. */
    uint64_t pos = sk_port_position(port, 0);
    static const uint8_t wire[] = {'a', IAC, IAC, 'b', 0x00, IAC, 241, 'c', '\r', 0x00, '\r', '\n'};
    static const uint8_t data[] = {'a', 0xff, 'b', 0x00, 'c', '\r', 0x00, '\r', '\n'};
    CHECK_EQ_INT(write(fd, wire, sizeof(wire)), (long)sizeof(wire));
    uint8_t got[1024];
    CHECK_EQ_INT(port_read_all(port, &pos, got, sizeof(data), NULL), sizeof(data));
    CHECK_MEM(got, data, sizeof(data));

    /* Every byte value, both ways. */
    uint8_t all[256], enc[512];
    size_t elen = 0;
    for (size_t i = 0; i < sizeof(all); i++) {
        all[i] = (uint8_t)i;
        enc[elen++] = (uint8_t)i;
        if (i == 0xff) {
            enc[elen++] = 0xff;
        }
    }
    CHECK_EQ_INT(write(fd, enc, elen), (long)elen);
    CHECK_EQ_INT(port_read_all(port, &pos, got, sizeof(all), NULL), sizeof(all));
    CHECK_MEM(got, all, sizeof(all));
    CHECK_EQ_INT(sk_port_write(port, all, sizeof(all), 1000), (long)sizeof(all));
    CHECK_EQ_INT(read_all(fd, got, elen), elen);
    CHECK_MEM(got, enc, elen);
    CHECK_EQ_INT(sk_port_write(port, "x\xffy\0\r", 5, 1000), 5);
    EXPECT_WIRE(fd, 'x', IAC, IAC, 'y', 0x00, '\r');

    /* A break is IAC BREAK (243), after the bytes written before it. */
    CHECK_EQ_INT(sk_port_write(port, "k", 1, 1000), 1);
    CHECK_EQ_INT(sk_port_break(port), 0);
    EXPECT_WIRE(fd, 'k', IAC, 243);

    struct sk_port_stats st;
    sk_port_stats(port, &st);
    CHECK_STR(st.state, "open");
    CHECK(strncmp(st.device, "telnet:127.0.0.1:", 17) == 0);
    CHECK_EQ_INT(st.rx, sizeof(data) + sizeof(all));
    CHECK_EQ_INT(st.tx, sizeof(all) + 5 + 1);
    CHECK_EQ_INT(st.breaks, 1);
    sk_port_free(port);
    close(fd);
    close(lfd);
}

static void test_rfc2217(void)
{
    unsigned tcp_port;
    int lfd, fd;
    struct sk_port *port = connected(",115200,7e2,rtscts", &tcp_port, &lfd, &fd);
    /* Until the server agrees to COM-PORT-OPTION, the speed cannot change. */
    CHECK_EQ_INT(sk_port_set_speed(port, 9600), -1);
    CHECK_EQ_INT(sk_port_spec(port)->speed, 115200);
    CHECK(quiet(fd, 200));
    /* It agrees: the settings follow, each an SB COM-PORT-OPTION command. */
    static const uint8_t agree[] = {IAC, 253, 44};
    CHECK_EQ_INT(write(fd, agree, sizeof(agree)), 3);
    EXPECT_WIRE(fd, IAC, 250, 44, 1, 0x00, 0x01, 0xc2, 0x00, IAC, 240, /* 115200 */
                IAC, 250, 44, 2, 7, IAC, 240,                          /* 7 data bits */
                IAC, 250, 44, 3, 3, IAC, 240,                          /* even parity */
                IAC, 250, 44, 4, 2, IAC, 240,                          /* 2 stop bits */
                IAC, 250, 44, 5, 3, IAC, 240);                         /* RTS/CTS */
    CHECK_EQ_INT(sk_port_set_speed(port, 9600), 0);
    CHECK_EQ_INT(sk_port_spec(port)->speed, 9600);
    EXPECT_WIRE(fd, IAC, 250, 44, 1, 0x00, 0x00, 0x25, 0x80, IAC, 240);
    sk_port_free(port);
    close(fd);
    close(lfd);
}

static void test_stalled_server(void)
{
    unsigned tcp_port;
    int lfd, fd;
    struct sk_port *port = connected("", &tcp_port, &lfd, &fd);
    /* The server reads nothing: a 16 MiB write of 0xff gives up in its time, saying how much
     * was taken; every byte taken then reaches the server, in order, none more. */
    size_t len = 16u << 20;
    uint8_t *big = xmalloc(len);
    memset(big, 0xff, len);
    int64_t t0 = sk_now_ms();
    long taken = sk_port_write(port, big, len, 300);
    int64_t took = sk_now_ms() - t0;
    CHECK(taken > 0 && (size_t)taken < len);
    CHECK(took >= 300 && took < 2000);
    /* Meanwhile the port still reads. */
    uint64_t pos = sk_port_position(port, 0);
    CHECK_EQ_INT(write(fd, "up", 2), 2);
    uint8_t got[4];
    CHECK_EQ_INT(port_read_all(port, &pos, got, 2, NULL), 2);
    CHECK_MEM(got, "up", 2);
    /* The server reads again: exactly 2 * taken bytes of 0xff arrive (the port's thread
     * sends what waited in its queue), then nothing; a byte written after comes after. */
    size_t want = 2 * (size_t)taken, n = 0;
    uint8_t *wire = xmalloc(want + 16);
    int64_t until = sk_now_ms() + 10000;
    while (n < want + 16 && sk_now_ms() < until) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, n >= want ? 500 : 100) <= 0) {
            if (n >= want) {
                break;
            }
            continue;
        }
        ssize_t r = read(fd, wire + n, want + 16 - n);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
    }
    CHECK_EQ_INT(n, want);
    size_t ffs = 0;
    while (ffs < n && wire[ffs] == 0xff) {
        ffs++;
    }
    CHECK_EQ_INT(ffs, want);
    CHECK_EQ_INT(sk_port_write(port, "M", 1, 1000), 1);
    EXPECT_WIRE(fd, 'M');
    free(wire);
    free(big);
    sk_port_free(port);
    close(fd);
    close(lfd);
}

/* A server that starts COMPRESS2 unasked (libtelnet inflates it anyway): 85 bytes that
 * inflate to 64 KiB must not overrun the port's read buffer; the port drops the server. */
static void test_compressed_stream(void)
{
    unsigned tcp_port;
    int lfd, fd;
    struct sk_port *port = connected("", &tcp_port, &lfd, &fd);
    uint64_t pos = sk_port_position(port, 0);
    /* IAC SB COMPRESS2 IAC SE, then zlib's stream of 65536 'A's (python3 zlib.compress, 9). */
    static const uint8_t head[] = {IAC, 250, 86, IAC,  240,  0x78, 0xda, 0xed, 0xc1, 0x81, 0,
                                   0,   0,   0,  0x80, 0x20, 0xb6, 0xfd, 0xa5, 0x16, 0xa9, 0x0a};
    static const uint8_t tail[] = {0x6a, 0x1e, 0x87, 0x03, 0xd0};
    uint8_t wire[sizeof(head) + 63 + sizeof(tail)] = {0};
    memcpy(wire, head, sizeof(head));
    memcpy(wire + sizeof(head) + 63, tail, sizeof(tail));
    CHECK_EQ_INT(write(fd, wire, sizeof(wire)), (long)sizeof(wire));
    CHECK(wait_state(port, SK_PORT_ABSENT, 3000));
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    CHECK(strstr(st.error, "compressed") != NULL);
    uint8_t got[16];
    uint64_t lost = 0;
    CHECK_EQ_INT(sk_port_read(port, &pos, got, sizeof(got), 0, &lost), 0);
    sk_port_free(port);
    close(fd);
    close(lfd);
}

/* A server that keeps asking (WILL 99, refused with DONT each time) and never reads: the
 * answers are not kept without bound; the port drops the server, saying why. */
static void test_asking_server(void)
{
    unsigned tcp_port;
    int lfd, fd;
    struct sk_port *port = connected("", &tcp_port, &lfd, &fd);
    uint8_t ask[3 * 1024];
    for (size_t i = 0; i < sizeof(ask); i += 3) {
        ask[i] = IAC;
        ask[i + 1] = 251;
        ask[i + 2] = 99;
    }
    size_t sent = 0;
    int64_t until = sk_now_ms() + 20000;
    while (sk_port_state(port) == SK_PORT_OPEN && sk_now_ms() < until && sent < (256u << 20)) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, 50) > 0) {
            ssize_t n = send(fd, ask, sizeof(ask), MSG_DONTWAIT | MSG_NOSIGNAL);
            sent += n > 0 ? (size_t)n : 0;
        }
    }
    CHECK(wait_state(port, SK_PORT_ABSENT, 3000));
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    CHECK_STR(st.error, "the telnet server does not read what it asks for");
    sk_port_free(port);
    close(fd);
    close(lfd);
}

static void test_hangup_and_absent(void)
{
    unsigned tcp_port;
    int lfd, fd;
    struct sk_port *port = connected("", &tcp_port, &lfd, &fd);
    /* The server hangs up: absent, with the reason; a write is refused, not lost silently. */
    close(fd);
    CHECK(wait_state(port, SK_PORT_ABSENT, 3000));
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    CHECK_STR(st.state, "absent");
    CHECK_STR(st.error, "the server closed the connection");
    CHECK_EQ_INT(sk_port_write(port, "x", 1, 100), SK_E_NODEV);
    CHECK_EQ_INT(sk_port_break(port), SK_E_NODEV);
    /* It comes back: connected again, the negotiation anew, counted as a reopen. */
    fd = accept_within(lfd, 5000);
    CHECK(fd >= 0);
    EXPECT_WIRE(fd, OPENING);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    uint64_t pos = sk_port_position(port, 0);
    CHECK_EQ_INT(write(fd, "back", 4), 4);
    uint8_t got[4];
    CHECK_EQ_INT(port_read_all(port, &pos, got, 4, NULL), 4);
    CHECK_MEM(got, "back", 4);
    sk_port_stats(port, &st);
    CHECK_EQ_INT(st.reopens, 1);
    sk_port_free(port);
    close(fd);

    /* Nobody listening: absent, saying the connection was refused, and retried. */
    close(lfd);
    port = telnet_port(tcp_port, "");
    CHECK(wait_state(port, SK_PORT_ABSENT, 3000));
    sk_port_stats(port, &st);
    CHECK(strstr(st.error, "cannot connect to 127.0.0.1 port") != NULL);
    CHECK(strstr(st.error, "refused") != NULL);
    CHECK_EQ_INT(sk_port_write(port, "x", 1, 100), SK_E_NODEV);
    sk_port_free(port);

    /* A name that does not resolve is absent too, with the lookup's reason. */
    char err[256];
    struct sk_port_opts opts = {.retry_ms = 100};
    CHECK_EQ_INT(
        sk_serialspec_parse("t=telnet:no-such-host.invalid:23", &opts.spec, err, sizeof(err)), 0);
    port = sk_port_new(&opts);
    CHECK_EQ_INT(sk_port_open(port, err, sizeof(err)), 0);
    CHECK(wait_state(port, SK_PORT_ABSENT, 5000));
    sk_port_stats(port, &st);
    CHECK(strstr(st.error, "cannot look up no-such-host.invalid") != NULL);
    sk_port_free(port);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_parse_telnet);
    SK_RUN(test_bytes_both_ways);
    SK_RUN(test_rfc2217);
    SK_RUN(test_stalled_server);
    SK_RUN(test_compressed_stream);
    SK_RUN(test_asking_server);
    SK_RUN(test_hangup_and_absent);
    return SK_CHECK_EXIT();
}

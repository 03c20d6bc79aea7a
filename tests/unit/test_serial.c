/*
 * test_serial: the --serial parser, and a port driven through real ptys
 * (openpty): bytes exact both ways, the termios settings asked for, the
 * ring's replay, a stalled reader that holds back nobody, and a device that
 * vanishes and comes back under the same link.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "porttest.h"
#include "base/log.h"
#include "base/util.h"
#include "serial/port.h"
#include "serial/serialspec.h"

static void test_parse_defaults(void)
{
    struct sk_serialspec s;
    char err[256], set[SK_SERIAL_SETTINGS_MAX];
    CHECK_EQ_INT(sk_serialspec_parse("com1=/dev/ttyUSB0", &s, err, sizeof(err)), 0);
    CHECK_STR(s.name, "com1");
    CHECK_STR(s.device, "/dev/ttyUSB0");
    sk_serialspec_settings(&s, set, sizeof(set));
    CHECK_STR(set, "115200 8n1");
    CHECK_EQ_INT(sk_serialspec_parse("con-2=/dev/ttyAMA0,9600,7e1", &s, err, sizeof(err)), 0);
    sk_serialspec_settings(&s, set, sizeof(set));
    CHECK_STR(set, "9600 7e1");
    CHECK_EQ_INT(sk_serialspec_parse("a=/dev/x,rtscts,8o2,4000000", &s, err, sizeof(err)), 0);
    sk_serialspec_settings(&s, set, sizeof(set));
    CHECK_STR(set, "4000000 8o2 rtscts");
    CHECK_EQ_INT(s.flow, SK_SERIAL_FLOW_RTSCTS);
    CHECK_EQ_INT(sk_serialspec_parse("a=/dev/x,xonxoff", &s, err, sizeof(err)), 0);
    CHECK_EQ_INT(s.flow, SK_SERIAL_FLOW_XONXOFF);
}

/* Each bad value is refused with a message holding `want`. */
static void refused(const char *text, const char *want)
{
    struct sk_serialspec s;
    char err[256] = "";
    int rc = sk_serialspec_parse(text, &s, err, sizeof(err));
    CHECK_EQ_INT(rc, -1);
    if (strstr(err, want) == NULL) {
        fprintf(stderr, "  '%s': '%s' lacks '%s'\n", text, err, want);
        sk_check_failed_now++;
    }
}

static void test_parse_errors(void)
{
    refused("/dev/ttyUSB0", "NAME=DEVICE");
    refused("=/dev/ttyUSB0", "NAME=DEVICE");
    refused("Com1=/dev/ttyUSB0", "a-z, 0-9");
    refused("com_1=/dev/ttyUSB0", "a-z, 0-9");
    refused("abcdefghijabcdefghijabcdefghijabc=/dev/x", "longer than 31");
    refused("com1=", "not a path");
    refused("com1=ttyUSB0", "not a path");
    refused("com1=/dev/x,9601", "'9601' is not a serial speed");
    refused("com1=/dev/x,123456789012", "not a serial speed");
    refused("com1=/dev/x,9n1", "'9n1' is not a framing");
    refused("com1=/dev/x,8x1", "not a framing");
    refused("com1=/dev/x,8n3", "not a framing");
    refused("com1=/dev/x,fast", "'fast' is not a setting");
    refused("com1=/dev/x,,9600", "empty setting");
    refused("com1=/dev/x,9600,", "empty setting");
    refused("com1=/dev/x,9600,115200", "speed is given twice");
    refused("com1=/dev/x,8n1,7e1", "framing is given twice");
    refused("com1=/dev/x,rtscts,none", "flow control is given twice");
}

/* A pty pair: *master for the test, the slave's path in name (the slave fd is closed). */
static int make_pty(int *master, char *name, size_t len)
{
    int slave;
    if (openpty(master, &slave, NULL, NULL, NULL) != 0) {
        return -1;
    }
    snprintf(name, len, "%s", ptsname(*master));
    /* The master side raw too, so the test sees exactly the bytes written. */
    struct termios t;
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    close(slave);
    return 0;
}

static void test_port_bytes_both_ways(void)
{
    int master;
    char name[128];
    CHECK_EQ_INT(make_pty(&master, name, sizeof(name)), 0);
    struct sk_port *port = open_port(name, ",9600,7e2,rtscts", 0, 100);
    CHECK(port != NULL);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    /* The settings asked for are the tty's (a pty keeps the speed, stop bits and flow control
     * asked for, but its driver always makes the data bits 8 and clears parity). */
    int fd = open(name, O_RDWR | O_NOCTTY);
    struct termios t;
    CHECK_EQ_INT(tcgetattr(fd, &t), 0);
    CHECK_EQ_INT(cfgetospeed(&t), B9600);
    CHECK((t.c_cflag & CSTOPB) && (t.c_cflag & CRTSCTS) && (t.c_cflag & CLOCAL));
    CHECK(!(t.c_lflag & (ECHO | ICANON | ISIG)) && !(t.c_oflag & OPOST));
    close(fd);

    uint8_t all[512], got[512];
    for (size_t i = 0; i < sizeof(all); i++) {
        all[i] = (uint8_t)i;
    }
    /* Target to port: every byte value, exact (no CR/LF mapping, no ^C, no XON/XOFF eaten). */
    uint64_t pos = sk_port_position(port, 0);
    CHECK_EQ_INT(write(master, all, sizeof(all)), (long)sizeof(all));
    CHECK_EQ_INT(port_read_all(port, &pos, got, sizeof(got), NULL), sizeof(got));
    CHECK_MEM(got, all, sizeof(all));
    /* Port to target. */
    CHECK_EQ_INT(sk_port_write(port, all, sizeof(all), 1000), (long)sizeof(all));
    CHECK_EQ_INT(read_all(master, got, sizeof(got)), sizeof(got));
    CHECK_MEM(got, all, sizeof(all));
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    CHECK_STR(st.state, "open");
    CHECK_EQ_INT(st.rx, 512);
    CHECK_EQ_INT(st.tx, 512);
    CHECK_EQ_INT(sk_port_break(port), 0);
    /*
     * Watch fds: readable once output arrives after they were cleared (two watchers, each
     * told), not before; readable when the port closes; unwatched, no longer signalled.
     */
    int wa = sk_port_watch(port), wb = sk_port_watch(port);
    CHECK(wa >= 0 && wb >= 0 && wa != wb);
    struct pollfd pa = {.fd = wa, .events = POLLIN}, pb = {.fd = wb, .events = POLLIN};
    CHECK_EQ_INT(poll(&pa, 1, 100), 0);
    CHECK_EQ_INT(write(master, "hi", 2), 2);
    CHECK_EQ_INT(poll(&pa, 1, 2000), 1);
    CHECK_EQ_INT(poll(&pb, 1, 2000), 1);
    sk_port_watch_clear(wa);
    CHECK_EQ_INT(poll(&pa, 1, 0), 0);
    CHECK_EQ_INT(poll(&pb, 1, 0), 1); /* b's signal is its own */
    sk_port_unwatch(port, wb);
    CHECK_EQ_INT(write(master, "x", 1), 1);
    CHECK_EQ_INT(poll(&pa, 1, 2000), 1);
    sk_port_watch_clear(wa);
    sk_port_close(port);
    CHECK_EQ_INT(poll(&pa, 1, 0), 1);
    sk_port_unwatch(port, wa);
    sk_port_close(port); /* idempotent */
    /* A reader of a closed port gets what it held, then is told so at once. */
    uint64_t lost;
    CHECK_EQ_INT(sk_port_read(port, &pos, got, sizeof(got), -1, &lost), 3);
    CHECK_MEM(got, "hix", 3);
    CHECK_EQ_INT(sk_port_read(port, &pos, got, sizeof(got), -1, &lost), SK_E_CLOSED);
    CHECK_EQ_INT(sk_port_write(port, all, 1, 0), SK_E_NODEV);
    sk_port_free(port);
    close(master);
}

static void test_port_ring_replay_and_slow_reader(void)
{
    int master;
    char name[128];
    CHECK_EQ_INT(make_pty(&master, name, sizeof(name)), 0);
    struct sk_port *port = open_port(name, "", 1024, 100);
    CHECK(port != NULL);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    uint64_t slow = sk_port_position(port, 0); /* a reader that never reads until the end */
    uint64_t fast = slow;
    uint8_t data[3000], got[3000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7 + i / 256);
    }
    /* The fast reader keeps up chunk by chunk while the slow one sleeps: nothing waits for it. */
    for (size_t off = 0; off < sizeof(data); off += 500) {
        CHECK_EQ_INT(write(master, data + off, 500), 500);
        uint64_t lost = 0;
        CHECK_EQ_INT(port_read_all(port, &fast, got + off, 500, &lost), 500);
        CHECK_EQ_INT(lost, 0);
    }
    CHECK_MEM(got, data, sizeof(data));
    /* The slow reader lost all but the ring's 1024 bytes, and is told how many. */
    uint64_t lost = 0;
    long n = sk_port_read(port, &slow, got, sizeof(got), 0, &lost);
    CHECK_EQ_INT(lost, sizeof(data) - 1024);
    CHECK_EQ_INT(n, 1024);
    CHECK_MEM(got, data + sizeof(data) - 1024, 1024);
    /* Replay: a newcomer starting 100 bytes back sees the last 100 bytes; more than held is capped.
     */
    uint64_t back = sk_port_position(port, 100);
    CHECK_EQ_INT(sk_port_read(port, &back, got, sizeof(got), 0, &lost), 100);
    CHECK_MEM(got, data + sizeof(data) - 100, 100);
    back = sk_port_position(port, 100000);
    CHECK_EQ_INT(sk_port_read(port, &back, got, sizeof(got), 0, &lost), 1024);
    CHECK_EQ_INT(lost, 0);
    /* Nothing new: a zero timeout returns 0 at once. */
    CHECK_EQ_INT(sk_port_read(port, &back, got, sizeof(got), 0, &lost), 0);
    sk_port_free(port);
    close(master);
}

static void test_port_absent_then_plugged(void)
{
    char dir[] = "/tmp/sk-serial-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char link[256];
    snprintf(link, sizeof(link), "%s/tty", dir);
    /* Missing at start: no failure, the state says absent. */
    struct sk_port *port = open_port(link, "", 0, 100);
    CHECK(port != NULL);
    CHECK(wait_state(port, SK_PORT_ABSENT, 3000));
    CHECK_EQ_INT(sk_port_write(port, "x", 1, 0), SK_E_NODEV);
    struct sk_port_stats st;
    sk_port_stats(port, &st);
    CHECK_STR(st.state, "absent");
    CHECK(strstr(st.error, "No such file") != NULL);

    /* Plugged in: the link appears and the port comes up. */
    int master;
    char name[128];
    CHECK_EQ_INT(make_pty(&master, name, sizeof(name)), 0);
    CHECK_EQ_INT(symlink(name, link), 0);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    uint64_t pos = sk_port_position(port, 0);
    uint8_t got[8];
    CHECK_EQ_INT(write(master, "one", 3), 3);
    CHECK_EQ_INT(port_read_all(port, &pos, got, 3, NULL), 3);
    CHECK_MEM(got, "one", 3);

    /* Unplugged: the other end goes, the port notices and says absent. */
    close(master);
    unlink(link);
    CHECK(wait_state(port, SK_PORT_ABSENT, 3000));
    /* And back, under the same link, a new device behind it. */
    CHECK_EQ_INT(make_pty(&master, name, sizeof(name)), 0);
    CHECK_EQ_INT(symlink(name, link), 0);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    CHECK_EQ_INT(write(master, "two", 3), 3);
    CHECK_EQ_INT(port_read_all(port, &pos, got, 3, NULL), 3);
    CHECK_MEM(got, "two", 3);
    CHECK_EQ_INT(sk_port_write(port, "back", 4, 1000), 4);
    CHECK_EQ_INT(read_all(master, got, 4), 4);
    CHECK_MEM(got, "back", 4);
    sk_port_stats(port, &st);
    CHECK_EQ_INT(st.reopens, 1);
    CHECK_EQ_INT(st.rx, 6);
    sk_port_free(port);
    close(master);
    unlink(link);
    rmdir(dir);
}

/* A reader waiting with no timeout is woken by close. */
static void *close_later(void *arg)
{
    sk_sleep_ms(100);
    sk_port_close(arg);
    return NULL;
}

static void test_port_close_wakes_reader(void)
{
    int master;
    char name[128];
    CHECK_EQ_INT(make_pty(&master, name, sizeof(name)), 0);
    struct sk_port *port = open_port(name, "", 0, 100);
    CHECK(port != NULL);
    CHECK(wait_state(port, SK_PORT_OPEN, 3000));
    pthread_t t;
    pthread_create(&t, NULL, close_later, port);
    uint64_t pos = sk_port_position(port, 0), lost;
    uint8_t b[4];
    int64_t t0 = sk_now_ms();
    CHECK_EQ_INT(sk_port_read(port, &pos, b, sizeof(b), -1, &lost), SK_E_CLOSED);
    CHECK(sk_now_ms() - t0 < 2000);
    pthread_join(t, NULL);
    sk_port_free(port);
    close(master);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    SK_RUN(test_parse_defaults);
    SK_RUN(test_parse_errors);
    SK_RUN(test_port_bytes_both_ways);
    SK_RUN(test_port_ring_replay_and_slow_reader);
    SK_RUN(test_port_absent_then_plugged);
    SK_RUN(test_port_close_wakes_reader);
    return SK_CHECK_EXIT();
}

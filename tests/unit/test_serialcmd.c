/*
 * test_serialcmd: the serial script command against real ports on ptys
 * (openpty; the test holds the target's end): --list, --send's bytes as
 * received, --wait seen and timed out, the raw pipe both ways with every
 * byte value, a client too slow for the port's output told what it lost,
 * view-only refused, exit codes and usage.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "serial/port.h"

static struct sk_buf out, err;
static const uint8_t *stdin_data; /* what the client sends, then its end of input */
static size_t stdin_len, stdin_pos;
static int64_t stdin_open_until; /* the end of input comes no earlier than this */
static int slow_ms;              /* the client's first read of output takes this long */

static int w_out(void *ctx, const void *d, size_t n)
{
    if (slow_ms > 0) {
        sk_sleep_ms(slow_ms);
        slow_ms = 0;
    }
    sk_buf_append(&out, d, n);
    return 0;
}

static int w_err(void *ctx, const void *d, size_t n)
{
    sk_buf_append(&err, d, n);
    return 0;
}

static long r_in(void *ctx, void *buf, size_t len)
{
    size_t n = SK_MIN(len, SK_MIN(stdin_len - stdin_pos, (size_t)100));
    memcpy(buf, stdin_data + stdin_pos, n);
    stdin_pos += n;
    return (long)n;
}

static int r_poll(void *ctx, int timeout_ms)
{
    if (stdin_pos < stdin_len || sk_now_ms() >= stdin_open_until) {
        return 1;
    }
    sk_sleep_ms(timeout_ms);
    return 0;
}

static struct sk_cmd_io io = {.out = w_out, .err = w_err, .in = r_in, .poll_in = r_poll};
static struct sk_app app;
static int target; /* the test's end of port "com1" */

static int run(const char *line)
{
    sk_buf_reset(&out);
    sk_buf_reset(&err);
    if (out.data != NULL) {
        out.data[0] = '\0';
    }
    if (err.data != NULL) {
        err.data[0] = '\0';
    }
    return sk_cmd_run(&app, line, &io);
}

static struct sk_port *pty_port(const char *name, int *master, size_t ring)
{
    int slave;
    char spec[256], why[256];
    if (openpty(master, &slave, NULL, NULL, NULL) != 0) {
        return NULL;
    }
    struct termios t;
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    snprintf(spec, sizeof(spec), "%s=%s", name, ptsname(*master));
    close(slave);
    struct sk_port_opts opts = {.ring_size = ring, .retry_ms = 100};
    sk_serialspec_parse(spec, &opts.spec, why, sizeof(why));
    struct sk_port *port = sk_port_new(&opts);
    sk_port_open(port, why, sizeof(why));
    for (int i = 0; i < 300 && sk_port_state(port) != SK_PORT_OPEN; i++) {
        sk_sleep_ms(10);
    }
    return port;
}

/* Read what the target got within 2 s, up to len bytes. */
static size_t target_read(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (got < len && poll(&pfd, 1, 2000) > 0) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    return got;
}

static void test_list_and_usage(void)
{
    CHECK_EQ_INT(run("serial --list"), 0);
    CHECK(strstr(out.data, "com1\t/dev/pts/") != NULL);
    CHECK(strstr(out.data, "\t115200 8n1\topen\n") != NULL);
    CHECK(strstr(out.data,
                 "gone\t/nonexistent/tty\t115200 8n1\tabsent (No such file or directory)\n") !=
          NULL);
    CHECK_EQ_INT(run("serial"), 2);
    CHECK_EQ_INT(run("serial --list x"), 2);
    CHECK_EQ_INT(run("serial --bogus com1"), 2);
    CHECK_EQ_INT(run("serial --send"), 2);
    CHECK_EQ_INT(run("serial --send com1"), 2);
    CHECK(strstr(err.data, "nothing to send") != NULL);
    CHECK_EQ_INT(run("serial --send nosuch hi"), 2);
    CHECK(strstr(err.data, "no port 'nosuch'") != NULL);
    CHECK_EQ_INT(run("serial com1 extra"), 2);
    CHECK_EQ_INT(run("serial --wait com1"), 2);
    CHECK_EQ_INT(run("serial --break"), 2);
    CHECK_EQ_INT(run("serial --break com1 now"), 2);
    CHECK_EQ_INT(run("serial --break gone"), 1);
    CHECK(strstr(err.data, "is absent (No such file or directory): no break sent") != NULL);
    CHECK_EQ_INT(run("serial --send gone hi"), 1);
    CHECK(strstr(err.data, "gone (/nonexistent/tty) is absent") != NULL);
}

/* With a terminal (cols set): the banner, keys to the port up to Ctrl+], its menu's q quits. */
static void test_terminal_keys_and_quit(void)
{
    io.cols = 80;
    io.rows = 24;
    stdin_data = (const uint8_t *)"abc\x1dq";
    stdin_len = 5;
    stdin_pos = 0;
    stdin_open_until = sk_now_ms() + 60000; /* only q ends it */
    CHECK_EQ_INT(run("serial com1"), 0);
    CHECK(out.data != NULL && strstr(out.data, "Ctrl+] for the menu]") != NULL);
    CHECK(out.data != NULL && strstr(out.data, "b break, s speed") != NULL);
    uint8_t got[8];
    CHECK_EQ_INT(target_read(target, got, 3), 3);
    CHECK_MEM(got, "abc", 3);
    io.cols = 0;
    io.rows = 0;
    stdin_open_until = 0;
}

static void test_send_as_received(void)
{
    uint8_t got[64];
    CHECK_EQ_INT(run("serial --send com1 echo \"a  b\" 'c'\\"), 0);
    const char want[] = "echo \"a  b\" 'c'\\\r";
    CHECK_EQ_INT(target_read(target, got, sizeof(want) - 1), sizeof(want) - 1);
    CHECK_MEM(got, want, sizeof(want) - 1);
    /* View-only: refused, nothing written. */
    io.role = 1;
    CHECK_EQ_INT(run("serial --send com1 no"), 1);
    CHECK(strstr(err.data, "view-only") != NULL);
    CHECK_EQ_INT(run("serial com1"), 1);
    CHECK_EQ_INT(run("serial --break com1"), 1);
    io.role = 0;
    struct sk_port_stats st;
    sk_port_stats(app.serial[0], &st);
    CHECK_EQ_INT(st.breaks, 0);
    CHECK_EQ_INT(run("serial --break com1"), 0);
    sk_port_stats(app.serial[0], &st);
    CHECK_EQ_INT(st.breaks, 1);
    struct pollfd pfd = {.fd = target, .events = POLLIN};
    CHECK_EQ_INT(poll(&pfd, 1, 200), 0);
}

static void *print_later(void *arg)
{
    sk_sleep_ms(150);
    const char *text = arg;
    if (write(target, text, strlen(text)) < 0) {
        return NULL;
    }
    return NULL;
}

/* The text arrives in two pieces, the cut inside the word looked for. */
static void *print_in_two(void *arg)
{
    sk_sleep_ms(100);
    if (write(target, "line one\r\nhost lo", 17) != 17) {
        return NULL;
    }
    sk_sleep_ms(300);
    if (write(target, "gin: ", 5) != 5) {
        return NULL;
    }
    return NULL;
}

static void test_wait(void)
{
    /* Output before the wait does not count. */
    CHECK_EQ_INT(write(target, "login: ", 7), 7);
    sk_sleep_ms(100);
    CHECK_EQ_INT(run("serial --wait com1 --timeout 0.3 login:"), 1);
    pthread_t t;
    pthread_create(&t, NULL, print_later, "\r\nDebian 12\r\nhost login: ");
    CHECK_EQ_INT(run("serial --wait com1 --timeout 5 login:"), 0);
    CHECK_STR(out.data, "host login: \n");
    pthread_join(t, NULL);
    pthread_create(&t, NULL, print_later, "Linux version 6.1.0 (gcc)\r\n");
    CHECK_EQ_INT(run("serial --wait com1 --regex --timeout 5 version [0-9]+\\.[0-9]"), 0);
    CHECK_STR(out.data, "Linux version 6.1.0 (gcc)\n");
    pthread_join(t, NULL);
    pthread_create(&t, NULL, print_in_two, NULL);
    CHECK_EQ_INT(run("serial --wait com1 --timeout 5 host login:"), 0);
    CHECK_STR(out.data, "host login: \n");
    pthread_join(t, NULL);
    int64_t t0 = sk_now_ms();
    CHECK_EQ_INT(run("serial --wait com1 --timeout 0.3 nothing"), 1);
    CHECK(sk_now_ms() - t0 >= 300);
    CHECK(strstr(err.data, "'nothing' did not appear in com1's output within 0.3 s") != NULL);
}

static void *target_sends(void *arg)
{
    sk_sleep_ms(200);
    const struct sk_buf *b = arg;
    for (size_t done = 0; done < b->len;) {
        ssize_t n = write(target, b->data + done, b->len - done);
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    return NULL;
}

static void test_pipe_both_ways(void)
{
    uint8_t all[512], got[512];
    for (size_t i = 0; i < sizeof(all); i++) {
        all[i] = (uint8_t)i;
    }
    /* Client to port: stdin's bytes exactly, then its end ends the pipe with 0. */
    stdin_data = all;
    stdin_len = sizeof(all);
    stdin_pos = 0;
    stdin_open_until = 0;
    CHECK_EQ_INT(run("serial com1"), 0);
    CHECK_EQ_INT(target_read(target, got, sizeof(got)), sizeof(got));
    CHECK_MEM(got, all, sizeof(all));
    /* Port to client, while stdin stays open without a byte for a second. */
    struct sk_buf b = {0};
    sk_buf_append(&b, all, sizeof(all));
    pthread_t t;
    pthread_create(&t, NULL, target_sends, &b);
    stdin_len = stdin_pos = 0;
    stdin_open_until = sk_now_ms() + 1000;
    CHECK_EQ_INT(run("serial com1"), 0);
    pthread_join(t, NULL);
    CHECK_EQ_INT(out.len, sizeof(all));
    CHECK_MEM(out.data, all, sizeof(all));
    sk_buf_free(&b);
}

static void test_pipe_slow_client_told(void)
{
    /* A client that stalls while the port says more than its ring holds loses the excess. */
    int master;
    struct sk_port *port = pty_port("small", &master, 1024);
    struct sk_port **old = app.serial;
    size_t old_count = app.serial_count;
    app.serial = &port;
    app.serial_count = 1;
    struct sk_buf b = {0};
    for (int i = 0; i < 4000; i++) {
        uint8_t c = (uint8_t)('a' + i % 26);
        sk_buf_append(&b, &c, 1);
    }
    int saved = target;
    target = master;
    pthread_t t;
    pthread_create(&t, NULL, target_sends, &b);
    stdin_len = stdin_pos = 0;
    stdin_open_until = sk_now_ms() + 1000;
    slow_ms = 500;
    /* The first read may catch a few bytes before the stall; the rest beyond 1024 are lost. */
    CHECK_EQ_INT(run("serial small"), 1);
    pthread_join(t, NULL);
    target = saved;
    CHECK(strstr(err.data, "bytes of small's output were lost") != NULL);
    CHECK(out.len < b.len && out.len >= 1024);
    app.serial = old;
    app.serial_count = old_count;
    sk_port_free(port);
    close(master);
    sk_buf_free(&b);
}

int main(void)
{
    sk_log_set_level(SK_LOG_ERROR);
    struct sk_port *ports[2];
    ports[0] = pty_port("com1", &target, 0);
    struct sk_port_opts gone = {.retry_ms = 100};
    char why[256];
    sk_serialspec_parse("gone=/nonexistent/tty", &gone.spec, why, sizeof(why));
    ports[1] = sk_port_new(&gone);
    sk_port_open(ports[1], why, sizeof(why));
    for (int i = 0; i < 300 && sk_port_state(ports[1]) != SK_PORT_ABSENT; i++) {
        sk_sleep_ms(10);
    }
    app.serial = ports;
    app.serial_count = 2;
    SK_RUN(test_list_and_usage);
    SK_RUN(test_terminal_keys_and_quit);
    SK_RUN(test_send_as_received);
    SK_RUN(test_wait);
    SK_RUN(test_pipe_both_ways);
    SK_RUN(test_pipe_slow_client_told);
    sk_port_free(ports[0]);
    sk_port_free(ports[1]);
    close(target);
    sk_buf_free(&out);
    sk_buf_free(&err);
    return SK_CHECK_EXIT();
}

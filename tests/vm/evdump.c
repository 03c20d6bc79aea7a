/*
 * evdump: the VM test's view from the USB host side (guest only, static).
 *
 *   evdump TTY PHYS_KBD PHYS_MOUSE
 *
 * Finds the gadget's keyboard and mouse evdev nodes by their phys string
 * (never by number: the AT keyboard and vivid's RC devices come first),
 * opens both at once and keeps them open: usbhid polls an interrupt
 * endpoint only while someone reads it, so without this the gadget's
 * writes would stall. Every EV_KEY, EV_ABS and EV_REL event goes to TTY
 * (the second serial port, read on the host) as one line, "EV KEY 35 1",
 * and each SYN_REPORT that closes a report with such events as "SYN"; so
 * the host sees which keys each HID report changed.
 *
 * Commands come back on the same TTY, one per line:
 *   caps 0|1   write EV_LED LED_CAPSL to the keyboard node; usbhid turns
 *              it into an output report that sshkvm reads from /dev/hidg0
 *   mark N     print every event already queued, then "MARK N": the host
 *              uses marks to cut the log into one segment per command
 *   run ID CMD run CMD with /bin/sh in the background (the VM tests' way to
 *              change the guest: rmmod a driver, switch vivid's timings);
 *              when it exits its output comes as "OUT ID line" lines and
 *              then "RAN ID STATUS"
 *   quit       exit (the guest's /init then powers off)
 * The first line is "EVDUMP READY kbd=... mouse=..."; errors are "EVDUMP
 * ERROR ..." and exit 1.
 *
 * The serial port is much slower than a paste, and evdev keeps only a few
 * dozen events per reader before it throws them away (SYN_DROPPED). So the
 * nodes are drained at once into a memory buffer that goes out to TTY as
 * fast as the port takes it; if evdev ever drops events anyway the line
 * "DROPPED" says so, and the host's comparison fails on it. To be first
 * in line when a burst of reports arrives (a 10,000-character paste on a
 * busy host), evdump runs SCHED_FIFO with its memory locked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/wait.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { DEV_KBD, DEV_MOUSE, NDEV };

static int tty = -1;
static char *obuf; /* lines not yet written to tty */
static size_t olen, ocap;

static void say(const char *fmt, ...)
{
    char line[320];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n > sizeof(line) - 2) {
        n = (int)sizeof(line) - 2;
    }
    line[n++] = '\n';
    if (olen + (size_t)n > ocap) {
        size_t cap = ocap ? ocap * 2 : 1 << 16;
        while (cap < olen + (size_t)n) {
            cap *= 2;
        }
        char *b = realloc(obuf, cap);
        if (b == NULL) {
            abort();
        }
        obuf = b;
        ocap = cap;
    }
    memcpy(obuf + olen, line, (size_t)n);
    olen += (size_t)n;
}

/* Write what the port takes now (tty is non-blocking); all of it if wait. */
static void flush_out(int wait)
{
    while (olen > 0) {
        ssize_t n = write(tty, obuf, olen);
        if (n > 0) {
            memmove(obuf, obuf + n, olen - (size_t)n);
            olen -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR) && wait) {
            struct pollfd p = {.fd = tty, .events = POLLOUT};
            poll(&p, 1, 1000);
            continue;
        }
        return;
    }
}

/* The /dev/input/eventN whose device has this phys, or -1 (path in buf). */
static int find_phys(const char *phys, char *buf, size_t cap)
{
    DIR *d = opendir("/sys/class/input");
    if (d == NULL) {
        return -1;
    }
    struct dirent *e;
    int found = -1;
    while (found < 0 && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "event", 5) != 0) {
            continue;
        }
        char p[512], val[256] = "";
        snprintf(p, sizeof(p), "/sys/class/input/%s/device/phys", e->d_name);
        FILE *fp = fopen(p, "r");
        if (fp == NULL) {
            continue;
        }
        if (fgets(val, sizeof(val), fp) != NULL) {
            val[strcspn(val, "\n")] = '\0';
            if (strcmp(val, phys) == 0) {
                snprintf(buf, cap, "/dev/input/%s", e->d_name);
                found = 0;
            }
        }
        fclose(fp);
    }
    closedir(d);
    return found;
}

static const char *type_name(unsigned type)
{
    switch (type) {
    case EV_KEY:
        return "KEY";
    case EV_ABS:
        return "ABS";
    case EV_REL:
        return "REL";
    default:
        return NULL;
    }
}

/* Read and print what one node has queued; -1 when the node is gone. */
static int drain(int fd, int *pending)
{
    struct input_event ev[64];
    for (;;) {
        ssize_t n = read(fd, ev, sizeof(ev));
        if (n < 0) {
            return errno == EAGAIN ? 0 : -1;
        }
        if (n == 0) {
            return -1;
        }
        for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
            const char *t = type_name(ev[i].type);
            if (t != NULL) {
                say("EV %s %u %d", t, ev[i].code, ev[i].value);
                *pending = 1;
            } else if (ev[i].type == EV_SYN && ev[i].code == SYN_REPORT && *pending) {
                say("SYN");
                *pending = 0;
            } else if (ev[i].type == EV_SYN && ev[i].code == SYN_DROPPED) {
                say("DROPPED");
            }
        }
    }
}

static int write_led(int fd, int code, int value)
{
    struct input_event ev[2] = {
        {.type = EV_LED, .code = (unsigned short)code, .value = value},
        {.type = EV_SYN, .code = SYN_REPORT, .value = 0},
    };
    return write(fd, ev, sizeof(ev)) == (ssize_t)sizeof(ev) ? 0 : -1;
}


/* Commands started by "run", reported when they exit. */
#define MAX_RUNS 8
static struct {
    pid_t pid;
    char id[32];
} runs[MAX_RUNS];

static void start_run(const char *args)
{
    char id[32];
    int n = 0;
    if (sscanf(args, "%31s %n", id, &n) != 1 || n == 0) {
        say("EVDUMP ERROR run: no id");
        return;
    }
    int slot = -1;
    for (int k = 0; k < MAX_RUNS; k++) {
        if (runs[k].pid == 0) {
            slot = k;
            break;
        }
    }
    if (slot < 0) {
        say("RAN %s busy", id);
        return;
    }
    char out[64];
    snprintf(out, sizeof(out), "/tmp/run.%s", id);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl("/bin/sh", "sh", "-c", args + n, (char *)NULL);
        _exit(127);
    }
    if (pid < 0) {
        say("RAN %s fork-failed", id);
        return;
    }
    runs[slot].pid = pid;
    snprintf(runs[slot].id, sizeof(runs[slot].id), "%s", id);
}

/* Report every finished "run": its output, then its exit status. */
static void reap_runs(void)
{
    for (int k = 0; k < MAX_RUNS; k++) {
        int status;
        if (runs[k].pid == 0 || waitpid(runs[k].pid, &status, WNOHANG) != runs[k].pid) {
            continue;
        }
        char path[64], line[512];
        snprintf(path, sizeof(path), "/tmp/run.%s", runs[k].id);
        FILE *f = fopen(path, "r");
        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            say("OUT %s %s", runs[k].id, line);
        }
        if (f != NULL) {
            fclose(f);
        }
        say("RAN %s %d", runs[k].id, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
        runs[k].pid = 0;
    }
}

static int runs_pending(void)
{
    for (int k = 0; k < MAX_RUNS; k++) {
        if (runs[k].pid != 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: evdump TTY PHYS_KBD PHYS_MOUSE\n");
        return 2;
    }
    tty = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (tty < 0) {
        perror(argv[1]);
        return 1;
    }
    struct sched_param sp = {.sched_priority = 50};
    sched_setscheduler(0, SCHED_FIFO, &sp); /* best effort: the guest runs us as root */
    mlockall(MCL_CURRENT | MCL_FUTURE);
    /* Raw: no echo of the host's commands, no \n -> \r\n on our lines. */
    struct termios tio;
    if (tcgetattr(tty, &tio) == 0) {
        cfmakeraw(&tio);
        cfsetspeed(&tio, B115200);
        tcsetattr(tty, TCSANOW, &tio);
    }

    char path[NDEV][300];
    int fd[NDEV] = {-1, -1};
    /* The host side enumerates the gadget a little after the UDC is bound: usually within a
     * second, but a loaded machine's TCG once took more than 10 s (test_vm_hdmi in CI).
     * An eventN shows in sysfs a moment before its /dev/input node is made (one boot in
     * 25 here ended "VM ERROR evdump exited" so): a node not made yet is looked for again,
     * any other error ends it at once. */
    for (int tries = 0; tries < 600; tries++) {
        if (find_phys(argv[2], path[DEV_KBD], sizeof(path[0])) == 0 &&
            find_phys(argv[3], path[DEV_MOUSE], sizeof(path[0])) == 0) {
            int i = 0;
            for (; i < NDEV; i++) {
                fd[i] = open(path[i], O_RDWR | O_NONBLOCK);
                if (fd[i] < 0) {
                    break;
                }
            }
            if (i == NDEV) {
                break;
            }
            int err = errno;
            for (int j = 0; j < i; j++) {
                close(fd[j]);
                fd[j] = -1;
            }
            if (err != ENOENT && err != ENXIO) {
                say("EVDUMP ERROR %s: %s", path[i], strerror(err));
                flush_out(1);
                return 1;
            }
        }
        struct timespec ts = {.tv_nsec = 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (fd[DEV_KBD] < 0 || fd[DEV_MOUSE] < 0) {
        say("EVDUMP ERROR no evdev node with phys %s and %s that opens", argv[2], argv[3]);
        flush_out(1);
        return 1;
    }
    say("EVDUMP READY kbd=%s mouse=%s", path[DEV_KBD], path[DEV_MOUSE]);

    char line[1024];
    size_t len = 0;
    int pending[NDEV] = {0, 0};
    for (;;) {
        flush_out(0);
        struct pollfd p[3] = {
            {.fd = fd[DEV_KBD], .events = POLLIN},
            {.fd = fd[DEV_MOUSE], .events = POLLIN},
            {.fd = tty, .events = (short)(POLLIN | (olen > 0 ? POLLOUT : 0))},
        };
        int prc = poll(p, 3, runs_pending() ? 50 : -1);
        reap_runs();
        if (prc < 0) {
            if (errno == EINTR) {
                continue;
            }
            say("EVDUMP ERROR poll: %s", strerror(errno));
            flush_out(1);
            return 1;
        }
        for (int i = 0; i < NDEV; i++) {
            if (fd[i] >= 0 && p[i].revents != 0 && drain(fd[i], &pending[i]) != 0) {
                /* The gadget was unbound (boot media's insert and eject do it): carry on
                 * without the node, so that "run" keeps working; the HID checks come first. */
                say("EVDUMP GONE %s", path[i]);
                close(fd[i]);
                fd[i] = -1;
            }
        }
        if (!(p[2].revents & POLLIN)) {
            continue;
        }
        ssize_t n = read(tty, line + len, sizeof(line) - 1 - len);
        if (n <= 0) {
            continue;
        }
        len += (size_t)n;
        char *nl;
        while ((nl = memchr(line, '\n', len)) != NULL) {
            *nl = '\0';
            char *cmd = line;
            cmd[strcspn(cmd, "\r")] = '\0';
            int v;
            if (sscanf(cmd, "caps %d", &v) == 1) {
                if (write_led(fd[DEV_KBD], LED_CAPSL, v) == 0) {
                    say("ACK caps %d", v);
                } else {
                    say("EVDUMP ERROR EV_LED write: %s", strerror(errno));
                }
            } else if (strncmp(cmd, "mark ", 5) == 0) {
                /* Whatever the devices queued before the mark belongs before it. */
                for (int i = 0; i < NDEV; i++) {
                    if (fd[i] >= 0) {
                        drain(fd[i], &pending[i]);
                    }
                }
                say("MARK %s", cmd + 5);
            } else if (strncmp(cmd, "run ", 4) == 0) {
                start_run(cmd + 4);
            } else if (strcmp(cmd, "quit") == 0) {
                say("EVDUMP BYE");
                flush_out(1);
                return 0;
            }
            size_t used = (size_t)(nl - line) + 1;
            memmove(line, nl + 1, len - used);
            len -= used;
        }
        if (len == sizeof(line) - 1) {
            len = 0; /* a line that long is noise, not a command */
        }
    }
}

/*
 * power: the press sequencer for the ATX buttons, the LED read-back, and
 * Wake-on-LAN's send.
 *
 * Two locks: `lock` guards the line handle and the counters (held for a
 * set or a get only, never across a sleep); `busy` (under lock, with the
 * condition variable `idle`) says a press is in progress, so that a second
 * press waits for the first one's release instead of overlapping it. The
 * press itself sleeps in short slices, asking the caller whether its client
 * is still there and whether sshkvm is stopping: either way the line is
 * released at once. Levels: the backend deals in physical levels; a line's
 * active-low flag is applied here.
 */
#include "power/power.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "power/gpio.h"

#define SLICE_MS 10          /* how often a press looks at its client and at stopping */
#define REOPEN_EVERY_MS 1000 /* a missing chip is looked for at most this often */

struct sk_power {
    struct sk_power_opts opts;
    struct sk_powerspec gpio;
    struct sk_wolspec wol;
    struct sk_power_backend backend;
    struct sk_gpio *chip; /* the real backend's handle */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int open;     /* the backend's lines are requested */
    int busy;     /* a press (or a cycle) is in progress */
    int stopping; /* sk_power_close was called */
    const char *pressing;
    int64_t next_open_ms;
    char error[192];
    unsigned long long presses;
    unsigned long long wakes;
};

/* The real backend: the lines of --power-gpio's chip through gpio.c. */
static int chip_open(void *ctx, const struct sk_powerspec *spec, char *err, size_t errlen)
{
    struct sk_power *p = ctx;
    unsigned offsets[SK_POWER_NLINES];
    int output[SK_POWER_NLINES], initial[SK_POWER_NLINES], n = 0;
    for (int i = 0; i < SK_POWER_NLINES; i++) {
        if (spec->line[i].used) {
            offsets[n] = spec->line[i].offset;
            output[n] = i == SK_POWER_BUTTON || i == SK_POWER_RESET;
            initial[n] = spec->line[i].active_low; /* released */
            n++;
        }
    }
    p->chip = sk_gpio_open(spec->chip, offsets, output, initial, n, err, errlen);
    if (p->chip == NULL) {
        return -1;
    }
    sk_log(SK_LOG_INFO, "power", "GPIO chip %s: %d lines through %s", spec->chip, n, sk_gpio_api());
    return 0;
}

/* The index gpio.c knows line by: its place among the used lines. */
static int chip_index(const struct sk_power *p, enum sk_power_line line)
{
    int idx = 0;
    for (int i = 0; i < (int)line; i++) {
        idx += p->gpio.line[i].used;
    }
    return p->gpio.line[line].used ? idx : -1;
}

static int chip_set(void *ctx, enum sk_power_line line, int level)
{
    struct sk_power *p = ctx;
    return sk_gpio_set(p->chip, chip_index(p, line), level);
}

static int chip_get(void *ctx, enum sk_power_line line)
{
    struct sk_power *p = ctx;
    return sk_gpio_get(p->chip, chip_index(p, line));
}

static void chip_close(void *ctx)
{
    struct sk_power *p = ctx;
    sk_gpio_close(p->chip);
    p->chip = NULL;
}

const char *sk_power_action_name(enum sk_power_action action)
{
    static const char *const names[] = {"on", "off", "reset", "cycle"};
    return action >= 0 && action <= SK_POWER_ACT_CYCLE ? names[action] : "?";
}

/* Open the lines if they are not, at most once a second; with lock held. 0 when open. */
static int ensure_open(struct sk_power *p)
{
    if (p->open) {
        return 0;
    }
    if (!p->opts.gpio || p->stopping || sk_now_ms() < p->next_open_ms) {
        return -1;
    }
    char err[sizeof(p->error)];
    p->next_open_ms = sk_now_ms() + REOPEN_EVERY_MS;
    if (p->backend.open(p->backend.ctx, &p->gpio, err, sizeof(err)) != 0) {
        /* Logged when the reason changes, not on every look. */
        if (strcmp(err, p->error) != 0) {
            sk_log(SK_LOG_ERROR, "power", "power buttons unavailable: %s", err);
            snprintf(p->error, sizeof(p->error), "%s", err);
        }
        return -1;
    }
    if (p->error[0]) {
        sk_log(SK_LOG_INFO, "power", "GPIO chip %s is back", p->gpio.chip);
    }
    p->error[0] = '\0';
    p->open = 1;
    return 0;
}

/* A line's logical value (1 pressed / lit), or -1; with lock held. */
static int get_logical(struct sk_power *p, enum sk_power_line line)
{
    if (!p->gpio.line[line].used || ensure_open(p) != 0) {
        return -1;
    }
    int v = p->backend.get(p->backend.ctx, line);
    return v < 0 ? -1 : v ^ p->gpio.line[line].active_low;
}

static int set_logical(struct sk_power *p, enum sk_power_line line, int on)
{
    return p->backend.set(p->backend.ctx, line, on ^ p->gpio.line[line].active_low);
}

struct sk_power *sk_power_new(const struct sk_power_opts *opts)
{
    struct sk_power *p = xcalloc(1, sizeof(*p));
    p->opts = *opts;
    p->opts.press_ms = opts->press_ms > 0 ? opts->press_ms : 500;
    p->opts.hold_ms = opts->hold_ms > 0 ? opts->hold_ms : 5000;
    p->opts.cycle_wait_ms = opts->cycle_wait_ms > 0 ? opts->cycle_wait_ms : 3000;
    if (opts->gpio != NULL) {
        p->gpio = *opts->gpio;
        p->opts.gpio = &p->gpio;
    }
    if (opts->wol != NULL) {
        p->wol = *opts->wol;
        p->opts.wol = &p->wol;
    }
    if (opts->backend != NULL) {
        p->backend = *opts->backend;
    } else {
        p->backend = (struct sk_power_backend){
            .ctx = p, .open = chip_open, .set = chip_set, .get = chip_get, .close = chip_close};
    }
    pthread_mutex_init(&p->lock, NULL);
    sk_cond_init_monotonic(&p->idle);
    p->pressing = "";
    pthread_mutex_lock(&p->lock);
    ensure_open(p);
    pthread_mutex_unlock(&p->lock);
    return p;
}

void sk_power_close(struct sk_power *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    /* A press in progress sees stopping within a slice and releases its line. */
    while (p->busy) {
        pthread_cond_wait(&p->idle, &p->lock);
    }
    if (p->open) {
        for (int i = SK_POWER_BUTTON; i <= SK_POWER_RESET; i++) {
            if (p->gpio.line[i].used) {
                set_logical(p, (enum sk_power_line)i, 0);
            }
        }
        p->backend.close(p->backend.ctx);
        p->open = 0;
    }
    pthread_mutex_unlock(&p->lock);
}

void sk_power_free(struct sk_power *p)
{
    if (p == NULL) {
        return;
    }
    sk_power_close(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->idle);
    free(p);
}

void sk_power_stats(struct sk_power *p, struct sk_power_stats *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&p->lock);
    out->wired = p->opts.gpio != NULL;
    out->wol = p->opts.wol != NULL;
    out->disk = -1;
    out->state = "unknown";
    if (out->wired) {
        snprintf(out->chip, sizeof(out->chip), "%s", p->gpio.chip);
        int led = get_logical(p, SK_POWER_LED);
        out->state = !p->open ? "absent" : led < 0 ? "unknown" : led ? "on" : "off";
        out->disk = get_logical(p, SK_POWER_HDD);
    }
    out->pressing = p->pressing;
    out->presses = p->presses;
    out->wakes = p->wakes;
    snprintf(out->error, sizeof(out->error), "%s", p->error);
    pthread_mutex_unlock(&p->lock);
}

struct press_ctx {
    int (*cancelled)(void *);
    void *cctx;
};

/* Sleep ms in slices; 0, or -1 as soon as the client left or sshkvm is stopping. */
static int wait_ms(struct sk_power *p, int ms, const struct press_ctx *pc)
{
    int64_t until = sk_now_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        int stop = p->stopping;
        pthread_mutex_unlock(&p->lock);
        if (stop || (pc->cancelled != NULL && pc->cancelled(pc->cctx))) {
            return -1;
        }
        int64_t left = until - sk_now_ms();
        if (left <= 0) {
            return 0;
        }
        sk_sleep_ms(SK_MIN(left, (int64_t)SLICE_MS));
    }
}

/* Hold line active for ms, then release it (always). 0, or a negative SK_POWER_E_*. */
static int press(struct sk_power *p, enum sk_power_line line, int ms, const struct press_ctx *pc)
{
    pthread_mutex_lock(&p->lock);
    int rc = ensure_open(p) == 0 ? set_logical(p, line, 1) : -1;
    if (rc == 0) {
        p->pressing = sk_powerspec_line_name(line);
        p->presses++;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc != 0) {
        return SK_POWER_E_ABSENT;
    }
    sk_log(SK_LOG_INFO, "power", "pressing %s (line %u) for %d ms", sk_powerspec_line_name(line),
           p->gpio.line[line].offset, ms);
    int waited = wait_ms(p, ms, pc);
    pthread_mutex_lock(&p->lock);
    int rel = set_logical(p, line, 0);
    if (rel != 0 && p->open) {
        /* The line may still be driven: give the lines back and ask for them again at once,
         * which requests them released (a held power button forces the target off). */
        p->backend.close(p->backend.ctx);
        p->open = 0;
        p->next_open_ms = 0;
        ensure_open(p);
    }
    p->pressing = "";
    pthread_mutex_unlock(&p->lock);
    if (rel != 0) {
        sk_log(SK_LOG_ERROR, "power", "releasing %s (line %u) failed", sk_powerspec_line_name(line),
               p->gpio.line[line].offset);
        return SK_POWER_E_ABSENT;
    }
    return waited == 0 ? 0 : SK_POWER_E_STOPPED;
}

/* Wait for a press in progress to end (or the client to leave): 0 with busy taken, or -1. */
static int take_turn(struct sk_power *p, const struct press_ctx *pc)
{
    pthread_mutex_lock(&p->lock);
    while (p->busy && !p->stopping) {
        struct timespec ts = sk_deadline_after_ms(SLICE_MS * 5);
        pthread_cond_timedwait(&p->idle, &p->lock, &ts);
        if (pc->cancelled != NULL && pc->cancelled(pc->cctx)) {
            break;
        }
    }
    int ok = !p->busy && !p->stopping;
    if (ok) {
        p->busy = 1;
    }
    pthread_mutex_unlock(&p->lock);
    return ok ? 0 : -1;
}

static void end_turn(struct sk_power *p)
{
    pthread_mutex_lock(&p->lock);
    p->busy = 0;
    pthread_cond_broadcast(&p->idle);
    pthread_mutex_unlock(&p->lock);
}

static int led_now(struct sk_power *p)
{
    pthread_mutex_lock(&p->lock);
    int v = get_logical(p, SK_POWER_LED);
    pthread_mutex_unlock(&p->lock);
    return v;
}

/* The steps of one action, with the turn taken. */
static int run_action(struct sk_power *p, enum sk_power_action action, int force,
                      const struct press_ctx *pc, char *msg, size_t msglen)
{
    int led = led_now(p);
    int rc;
    switch (action) {
    case SK_POWER_ACT_ON:
    case SK_POWER_ACT_OFF: {
        int want_on = action == SK_POWER_ACT_ON;
        if (!force && led == want_on) {
            snprintf(msg, msglen,
                     "the target is already %s (power LED %s); nothing pressed "
                     "(--force presses anyway)",
                     want_on ? "on" : "off", led ? "lit" : "dark");
            return SK_POWER_ALREADY;
        }
        int ms = !want_on && force ? p->opts.hold_ms : p->opts.press_ms;
        rc = press(p, SK_POWER_BUTTON, ms, pc);
        if (rc == 0) {
            snprintf(msg, msglen, "pressed power for %d ms", ms);
        }
        break;
    }
    case SK_POWER_ACT_RESET:
        if (!p->gpio.line[SK_POWER_RESET].used) {
            snprintf(msg, msglen, "no reset line (--power-gpio has reset=none)");
            return SK_POWER_E_NONE;
        }
        rc = press(p, SK_POWER_RESET, p->opts.press_ms, pc);
        if (rc == 0) {
            snprintf(msg, msglen, "pressed reset for %d ms", p->opts.press_ms);
        }
        break;
    case SK_POWER_ACT_CYCLE:
    default:
        /* Off (held, so that an OS that ignores a short press goes off too), a pause, on. */
        rc = 0;
        if (force || led != 0) {
            rc = press(p, SK_POWER_BUTTON, p->opts.hold_ms, pc);
            if (rc == 0 && wait_ms(p, p->opts.cycle_wait_ms, pc) != 0) {
                rc = SK_POWER_E_STOPPED;
            }
        }
        if (rc == 0) {
            rc = press(p, SK_POWER_BUTTON, p->opts.press_ms, pc);
        }
        if (rc == 0) {
            snprintf(msg, msglen, "%spressed power for %d ms",
                     force || led != 0 ? "held power off, waited, " : "was off; ",
                     p->opts.press_ms);
        }
        break;
    }
    if (rc == SK_POWER_E_STOPPED) {
        snprintf(msg, msglen, "stopped early: the button was released");
    } else if (rc != 0) {
        pthread_mutex_lock(&p->lock);
        snprintf(msg, msglen, "the GPIO lines are not available (%s)",
                 p->error[0] ? p->error : "setting a line failed");
        pthread_mutex_unlock(&p->lock);
    }
    return rc;
}

int sk_power_act(struct sk_power *p, enum sk_power_action action, int force,
                 int (*cancelled)(void *), void *cctx, char *msg, size_t msglen)
{
    if (p == NULL || p->opts.gpio == NULL) {
        snprintf(msg, msglen, "no power buttons wired (start sshkvm with --power-gpio CHIP)");
        return SK_POWER_E_NONE;
    }
    pthread_mutex_lock(&p->lock);
    int open = ensure_open(p) == 0;
    if (!open) {
        snprintf(msg, msglen, "the GPIO lines are not available (%s)",
                 p->error[0] ? p->error : "sshkvm is stopping");
    }
    pthread_mutex_unlock(&p->lock);
    if (!open) {
        return SK_POWER_E_ABSENT;
    }
    const struct press_ctx pc = {cancelled, cctx};
    if (take_turn(p, &pc) != 0) {
        snprintf(msg, msglen, "stopped while waiting for another press to end; nothing pressed");
        return SK_POWER_E_STOPPED;
    }
    int rc = run_action(p, action, force, &pc, msg, msglen);
    end_turn(p);
    return rc;
}

int sk_power_wake(struct sk_power *p, char *msg, size_t msglen)
{
    if (p == NULL || p->opts.wol == NULL) {
        snprintf(msg, msglen, "no Wake-on-LAN target (start sshkvm with --wol MAC)");
        return SK_POWER_E_NONE;
    }
    uint8_t packet[SK_WOL_PACKET_LEN];
    sk_wol_packet(p->wol.mac, packet);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(p->wol.port)};
    inet_pton(AF_INET, p->wol.addr, &to.sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int yes = 1;
    ssize_t n = -1;
    if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &yes, sizeof(yes)) == 0) {
        n = sendto(fd, packet, sizeof(packet), 0, (struct sockaddr *)&to, sizeof(to));
    }
    int e = errno;
    if (fd >= 0) {
        close(fd);
    }
    const uint8_t *m = p->wol.mac;
    if (n != (ssize_t)sizeof(packet)) {
        snprintf(msg, msglen, "sending the magic packet to %s:%u failed: %s", p->wol.addr,
                 p->wol.port, strerror(e));
        return -1;
    }
    pthread_mutex_lock(&p->lock);
    p->wakes++;
    pthread_mutex_unlock(&p->lock);
    snprintf(msg, msglen, "sent the magic packet for %02x:%02x:%02x:%02x:%02x:%02x to %s:%u", m[0],
             m[1], m[2], m[3], m[4], m[5], p->wol.addr, p->wol.port);
    return 0;
}

void sk_power_json(const struct sk_power_stats *st, struct sk_buf *out)
{
    sk_buf_printf(out, "{\"wired\":%s,\"state\":\"%s\",\"disk\":%s,\"pressing\":\"%s\"",
                  st->wired ? "true" : "false", st->wired ? st->state : "unknown",
                  st->disk < 0 ? "null"
                  : st->disk   ? "true"
                               : "false",
                  st->pressing);
    sk_buf_printf(out, ",\"presses\":%llu,\"wol\":%s,\"wakes\":%llu,\"chip\":", st->presses,
                  st->wol ? "true" : "false", st->wakes);
    sk_buf_json_string(out, st->chip);
    sk_buf_puts(out, ",\"error\":");
    sk_buf_json_string(out, st->error);
    sk_buf_puts(out, "}");
}

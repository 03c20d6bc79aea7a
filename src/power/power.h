/*
 * power: the target's ATX power and reset buttons and LEDs, and
 * Wake-on-LAN.
 *
 * main makes one sk_power from --power-gpio and --wol; the `power` command,
 * the status JSON, /metrics and the web page use it. A press is a button
 * line held active for a time, then released: one press at a time (a
 * second caller waits for the first to end, never overlapping it), and the
 * line is released whatever happens: the client leaving, sshkvm stopping
 * (sk_power_close), an error. The chip is opened at start and, while it is
 * missing, looked for again at most once a second when someone asks.
 */
#ifndef SK_POWER_H
#define SK_POWER_H

#include <stddef.h>

#include "base/util.h"
#include "power/powerspec.h"

/* Physical line access: power.c's tests give a fake one; NULL in opts: the chip (gpio.c). */
struct sk_power_backend {
    void *ctx;
    /* Open the lines (outputs released); 0, or -1 with err set. */
    int (*open)(void *ctx, const struct sk_powerspec *spec, char *err, size_t errlen);
    /* Set output line to level (1 high): 0 or -1. */
    int (*set)(void *ctx, enum sk_power_line line, int level);
    /* Read line's level: 0, 1 or -1. */
    int (*get)(void *ctx, enum sk_power_line line);
    void (*close)(void *ctx);
};

struct sk_power_opts {
    const struct sk_powerspec *gpio;        /* --power-gpio, or NULL: no buttons */
    const struct sk_wolspec *wol;           /* --wol, or NULL */
    const struct sk_power_backend *backend; /* NULL: the real chip */
    int press_ms;                           /* a short press; 0: 500 */
    int hold_ms;                            /* off --force; 0: 5000 */
    int cycle_wait_ms;                      /* cycle: between off and on; 0: 3000 */
};

struct sk_power;

/* A handle (copies opts); opens the chip at once (sk_power_stats tells how that went). */
struct sk_power *sk_power_new(const struct sk_power_opts *opts);
/* Stop: a press in progress ends now (its line released), later ones are refused; lines released.
 */
void sk_power_close(struct sk_power *p);
/* sk_power_close, then free; NULL is a no-op. */
void sk_power_free(struct sk_power *p);

struct sk_power_stats {
    int wired;            /* --power-gpio given */
    int wol;              /* --wol given */
    const char *state;    /* "on" | "off" | "unknown" (no LED line) | "absent" (chip not open) */
    int disk;             /* the disk LED: 1 lit, 0 dark, -1 no line or unreadable */
    const char *pressing; /* the button being pressed now ("power", "reset") or "" */
    unsigned long long presses; /* presses made */
    unsigned long long wakes;   /* magic packets sent */
    char chip[128];
    char error[192]; /* why the chip is absent, else "" */
};
/* The state now (reads the LED lines). */
void sk_power_stats(struct sk_power *p, struct sk_power_stats *out);

enum sk_power_action { SK_POWER_ACT_ON, SK_POWER_ACT_OFF, SK_POWER_ACT_RESET, SK_POWER_ACT_CYCLE };

/* Results of sk_power_act besides 0 (done). */
#define SK_POWER_ALREADY 1      /* already in the state asked for: nothing pressed */
#define SK_POWER_E_NONE (-2)    /* no --power-gpio, or no reset line */
#define SK_POWER_E_ABSENT (-3)  /* the chip or a line could not be used */
#define SK_POWER_E_STOPPED (-4) /* cancelled, or sshkvm is stopping: released early */

/*
 * Carry out action (force: press even when the LED says it is done
 * already; off --force holds the button hold_ms). Waits for a press in
 * progress first. cancelled(cctx) is asked every few ms (NULL: never): when
 * it says yes the line is released at once. Returns 0, SK_POWER_ALREADY, or
 * a negative SK_POWER_E_*; msg gets one line for the person either way.
 */
int sk_power_act(struct sk_power *p, enum sk_power_action action, int force,
                 int (*cancelled)(void *), void *cctx, char *msg, size_t msglen);

/* Send the magic packet to --wol's MAC and address: 0, or -1 (or SK_POWER_E_NONE) with msg set. */
int sk_power_wake(struct sk_power *p, char *msg, size_t msglen);

/*
 * The state as JSON (what `power status --json` prints and status's "power" holds):
 * {"wired":BOOL,"state":"on|off|unknown|absent","disk":BOOL|null,"pressing":"power|reset|",
 *  "presses":N,"wol":BOOL,"wakes":N,"chip":"gpiochip0","error":"..."}
 */
void sk_power_json(const struct sk_power_stats *st, struct sk_buf *out);

/* The action's name ("on", "off", "reset", "cycle"). */
const char *sk_power_action_name(enum sk_power_action action);

#endif

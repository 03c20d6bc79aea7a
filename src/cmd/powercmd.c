/*
 * powercmd: the `power` script command, the target's power buttons and
 * Wake-on-LAN for scripts.
 *
 *   power [status] [--json]        on/off from the power LED, disk activity from the disk LED
 *   power [--take] on|off [--force]  a short press (off --force: held 5 s); nothing when the
 *                                  LED says it is done already, unless --force
 *   power [--take] reset           a short press of reset
 *   power [--take] cycle [--force] off (held), a pause, on
 *   power [--take] wake            the Wake-on-LAN magic packet to --wol's MAC
 *
 * Pressing and waking need control, as keys do (view-only keys get status
 * only); the dispatcher's audit line names the action, and a second line
 * here says what came of it. The press itself, one at a time and always
 * released, is src/power/power.c's.
 */
#include <string.h>

#include "base/util.h"
#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/commands.h"
#include "policy/audit.h"
#include "power/power.h"

#define DISK_SAMPLES 10   /* status looks at the disk LED this many times */
#define DISK_SAMPLE_MS 20 /* this far apart: activity is a flicker, not a level */

static int io_cancelled(void *ctx)
{
    return sk_cmd_cancelled(ctx);
}

static const struct {
    const char *name;
    enum sk_power_action action;
} actions[] = {
    {"on", SK_POWER_ACT_ON},
    {"off", SK_POWER_ACT_OFF},
    {"reset", SK_POWER_ACT_RESET},
    {"cycle", SK_POWER_ACT_CYCLE},
};

static int status(struct sk_app *app, int json, const struct sk_cmd_io *io)
{
    struct sk_power_stats st;
    sk_power_stats(app->power, &st);
    /* Any lit sample over 200 ms counts as disk activity. */
    int disk = st.disk;
    for (int i = 1; i < DISK_SAMPLES && disk == 0; i++) {
        sk_sleep_ms(DISK_SAMPLE_MS);
        struct sk_power_stats again;
        sk_power_stats(app->power, &again);
        disk = again.disk;
    }
    st.disk = disk;
    int absent = st.wired && strcmp(st.state, "absent") == 0;
    if (json) {
        struct sk_buf b = {0};
        sk_power_json(&st, &b);
        sk_buf_puts(&b, "\n");
        io->out(io->ctx, b.data, b.len);
        sk_buf_free(&b);
    } else if (!st.wired) {
        sk_cmd_say(io, 0, "power: unknown (no --power-gpio; power wake sends Wake-on-LAN)\n");
    } else if (absent) {
        sk_cmd_say(io, 0, "power: absent (%s)\n", st.error);
    } else {
        sk_cmd_say(io, 0, "power: %s%s\ndisk: %s\n", st.state,
                   strcmp(st.state, "unknown") == 0 ? " (no power LED line)" : "",
                   st.disk < 0 ? "unknown (no disk LED line)"
                   : st.disk   ? "active"
                               : "idle");
    }
    return absent ? SK_CMD_FAIL : SK_CMD_OK;
}

int sk_powercmd_run(struct sk_app *app, char **argv, int argc, const struct sk_cmd_io *io)
{
    const char *verb = NULL;
    int take = 0, force = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--take") == 0) {
            take = 1;
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (argv[i][0] == '-') {
            return sk_cmd_usage_error(io, "power: unknown option '%s'", argv[i]);
        } else if (verb != NULL) {
            return sk_cmd_usage_error(io, "power: unexpected argument '%s'", argv[i]);
        } else {
            verb = argv[i];
        }
    }
    if (verb == NULL) {
        verb = "status";
    }
    int act = -1;
    for (size_t i = 0; i < SK_ARRAY_LEN(actions); i++) {
        if (strcmp(verb, actions[i].name) == 0) {
            act = (int)actions[i].action;
        }
    }
    int wake = strcmp(verb, "wake") == 0;
    if (act < 0 && !wake && strcmp(verb, "status") != 0) {
        return sk_cmd_usage_error(io,
                                  "power: unknown action '%s' (status, on, off, reset, cycle "
                                  "or wake)",
                                  verb);
    }
    if ((force && (act < 0 || act == SK_POWER_ACT_RESET)) || (json && act >= 0) || (json && wake)) {
        return sk_cmd_usage_error(io, "power %s: %s does not apply", verb,
                                  force ? "--force" : "--json");
    }
    if (app->power == NULL) {
        sk_cmd_say(io, 1,
                   "sshkvm: power: no power control (start sshkvm with --power-gpio CHIP "
                   "or --wol MAC)\n");
        return SK_CMD_FAIL;
    }
    if (act < 0 && !wake) {
        return status(app, json, io);
    }
    if (sk_cmd_needs_control(app, "power", take, io) != 0) {
        return SK_CMD_FAIL;
    }
    char msg[256];
    int rc = wake ? sk_power_wake(app->power, msg, sizeof(msg))
                  : sk_power_act(app->power, (enum sk_power_action)act, force, io_cancelled,
                                 (void *)io, msg, sizeof(msg));
    char q[sizeof(msg) * 2];
    sk_audit(app->audit, "power", io->name, io->addr, "action=%s%s result=%s detail=%s", verb,
             force ? " force=1" : "",
             rc == 0                  ? "done"
             : rc == SK_POWER_ALREADY ? "nothing"
                                      : "failed",
             sk_audit_quote(msg, q, sizeof(q)));
    sk_cmd_say(io, rc >= 0 ? 0 : 1, "%s%s\n", rc >= 0 ? "" : "sshkvm: power: ", msg);
    return rc >= 0 ? SK_CMD_OK : SK_CMD_FAIL;
}

/*
 * gpio: the lines of one GPIO chip through libgpiod, 1.x or 2.x chosen at
 * build time (SK_GPIOD_MAJOR, from pkg-config --modversion libgpiod).
 * Owns the chip handle and the line request; the caller (power.c) keeps it
 * behind its own mutex, so nothing here locks.
 */
#include "power/gpio.h"

#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#ifndef SK_GPIOD_MAJOR
#define SK_GPIOD_MAJOR 1
#endif

struct sk_gpio {
    struct gpiod_chip *chip;
    int n;
    unsigned offsets[SK_GPIO_MAX_LINES];
#if SK_GPIOD_MAJOR >= 2
    struct gpiod_line_request *req;
#else
    struct gpiod_line *lines[SK_GPIO_MAX_LINES];
#endif
};

const char *sk_gpio_api(void)
{
    return SK_GPIOD_MAJOR >= 2 ? "libgpiod 2.x" : "libgpiod 1.x";
}

/* gpiochip0 -> /dev/gpiochip0, 3 -> /dev/gpiochip3, a path as it is. */
static void chip_path(const char *chip, char *out, size_t len)
{
    if (chip[0] == '/') {
        snprintf(out, len, "%s", chip);
    } else if (chip[0] >= '0' && chip[0] <= '9') {
        snprintf(out, len, "/dev/gpiochip%s", chip);
    } else {
        snprintf(out, len, "/dev/%s", chip);
    }
}

struct sk_gpio *sk_gpio_open(const char *chip, const unsigned *offsets, const int *output,
                             const int *initial, int n, char *err, size_t errlen)
{
    char path[256];
    chip_path(chip, path, sizeof(path));
    if (n < 1 || n > SK_GPIO_MAX_LINES) {
        sk_set_err(err, errlen, "%s: %d lines asked for", path, n);
        return NULL;
    }
    struct sk_gpio *g = xcalloc(1, sizeof(*g));
    g->n = n;
    memcpy(g->offsets, offsets, (size_t)n * sizeof(*offsets));
    g->chip = gpiod_chip_open(path);
    if (g->chip == NULL) {
        sk_set_err(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
#if SK_GPIOD_MAJOR >= 2
    {
        struct gpiod_line_config *lcfg = gpiod_line_config_new();
        struct gpiod_request_config *rcfg = gpiod_request_config_new();
        int bad = lcfg == NULL || rcfg == NULL;
        for (int i = 0; i < n && !bad; i++) {
            struct gpiod_line_settings *ls = gpiod_line_settings_new();
            bad = ls == NULL || gpiod_line_settings_set_direction(
                                    ls, output[i] ? GPIOD_LINE_DIRECTION_OUTPUT
                                                  : GPIOD_LINE_DIRECTION_INPUT) != 0;
            if (!bad && output[i]) {
                bad =
                    gpiod_line_settings_set_output_value(
                        ls, initial[i] ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) != 0;
            }
            bad = bad || gpiod_line_config_add_line_settings(lcfg, &offsets[i], 1, ls) != 0;
            gpiod_line_settings_free(ls);
        }
        if (!bad) {
            gpiod_request_config_set_consumer(rcfg, "sshkvm");
            g->req = gpiod_chip_request_lines(g->chip, rcfg, lcfg);
        }
        int e = errno;
        gpiod_line_config_free(lcfg);
        gpiod_request_config_free(rcfg);
        if (g->req == NULL) {
            sk_set_err(err, errlen, "%s: requesting lines: %s", path, strerror(e));
            goto fail;
        }
    }
#else
    for (int i = 0; i < n; i++) {
        g->lines[i] = gpiod_chip_get_line(g->chip, offsets[i]);
        if (g->lines[i] == NULL) {
            sk_set_err(err, errlen, "%s: no line %u (%s)", path, offsets[i], strerror(errno));
            goto fail;
        }
        int rc = output[i] ? gpiod_line_request_output(g->lines[i], "sshkvm", initial[i])
                           : gpiod_line_request_input(g->lines[i], "sshkvm");
        if (rc != 0) {
            sk_set_err(err, errlen, "%s: line %u: %s", path, offsets[i], strerror(errno));
            goto fail;
        }
    }
#endif
    return g;
fail:
    sk_gpio_close(g);
    return NULL;
}

int sk_gpio_set(struct sk_gpio *g, int i, int value)
{
    if (g == NULL || i < 0 || i >= g->n) {
        return -1;
    }
#if SK_GPIOD_MAJOR >= 2
    return gpiod_line_request_set_value(g->req, g->offsets[i],
                                        value ? GPIOD_LINE_VALUE_ACTIVE
                                              : GPIOD_LINE_VALUE_INACTIVE) == 0
               ? 0
               : -1;
#else
    return gpiod_line_set_value(g->lines[i], value ? 1 : 0) == 0 ? 0 : -1;
#endif
}

int sk_gpio_get(struct sk_gpio *g, int i)
{
    if (g == NULL || i < 0 || i >= g->n) {
        return -1;
    }
#if SK_GPIOD_MAJOR >= 2
    enum gpiod_line_value v = gpiod_line_request_get_value(g->req, g->offsets[i]);
    return v == GPIOD_LINE_VALUE_ACTIVE ? 1 : v == GPIOD_LINE_VALUE_INACTIVE ? 0 : -1;
#else
    int v = gpiod_line_get_value(g->lines[i]);
    return v < 0 ? -1 : v ? 1 : 0;
#endif
}

void sk_gpio_close(struct sk_gpio *g)
{
    if (g == NULL) {
        return;
    }
#if SK_GPIOD_MAJOR >= 2
    if (g->req != NULL) {
        gpiod_line_request_release(g->req);
    }
#else
    for (int i = 0; i < g->n; i++) {
        if (g->lines[i] != NULL && gpiod_line_is_requested(g->lines[i])) {
            gpiod_line_release(g->lines[i]);
        }
    }
#endif
    if (g->chip != NULL) {
        gpiod_chip_close(g->chip);
    }
    free(g);
}

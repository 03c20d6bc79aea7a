/*
 * gpio: a few GPIO lines of one chip through the kernel's character
 * device (libgpiod; never the deprecated sysfs interface). libgpiod 1.x
 * (Debian 12, Raspberry Pi OS 12) and 2.x (Debian 13) have different APIs:
 * the Makefile sets SK_GPIOD_MAJOR from pkg-config's version and this one
 * module hides which. Values here are the lines' physical levels (1 high);
 * active-low is power.c's business.
 */
#ifndef SK_GPIO_H
#define SK_GPIO_H

#include <stddef.h>

#define SK_GPIO_MAX_LINES 8

struct sk_gpio;

/*
 * Open chip (a name like gpiochip0, a number, or a /dev path) and request
 * n lines at offsets[i], as outputs at level initial[i] where output[i],
 * else as inputs, for consumer "sshkvm". Returns the handle, or NULL with
 * err set (one line: the chip, the line, the reason).
 */
struct sk_gpio *sk_gpio_open(const char *chip, const unsigned *offsets, const int *output,
                             const int *initial, int n, char *err, size_t errlen);
/* Set output line i (index into offsets) to level value: 0 or -1. */
int sk_gpio_set(struct sk_gpio *g, int i, int value);
/* Read line i's level: 0, 1, or -1. */
int sk_gpio_get(struct sk_gpio *g, int i);
/* Release the lines and close the chip; NULL is a no-op. */
void sk_gpio_close(struct sk_gpio *g);
/* Which libgpiod API this was built against: "libgpiod 1.x" or "libgpiod 2.x". */
const char *sk_gpio_api(void);

#endif

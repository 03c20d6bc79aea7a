/*
 * powerspec: what --power-gpio and --wol say, parsed (pure: no I/O), and
 * the Wake-on-LAN magic packet.
 *
 *   --power-gpio CHIP[,power=N[:low]][,reset=N[:low]|none][,led=N[:low]|none][,hdd=N[:low]|none]
 *   --wol MAC[,BROADCAST[:PORT]]
 *
 * CHIP is a gpiochip's name (gpiochip0), path (/dev/gpiochip0) or number;
 * the lines default to PiKVM's wiring (power button 23, reset 27, power
 * LED 24, disk LED 22), active-high. ":low" makes a line active-low.
 */
#ifndef SK_POWERSPEC_H
#define SK_POWERSPEC_H

#include <stddef.h>
#include <stdint.h>

/* The four lines, in this order everywhere. */
enum sk_power_line { SK_POWER_BUTTON, SK_POWER_RESET, SK_POWER_LED, SK_POWER_HDD, SK_POWER_NLINES };

/* PiKVM's wiring (kvmd's ATX GPIO defaults). */
#define SK_POWER_DEFAULT_BUTTON 23
#define SK_POWER_DEFAULT_RESET 27
#define SK_POWER_DEFAULT_LED 24
#define SK_POWER_DEFAULT_HDD 22

struct sk_power_linespec {
    int used;        /* 0: "none" (the power button is always used) */
    unsigned offset; /* the line's offset on the chip */
    int active_low;  /* ":low": pressed / lit is the low level */
};

struct sk_powerspec {
    char chip[128];
    struct sk_power_linespec line[SK_POWER_NLINES];
};

/* The option's name for each line ("power", "reset", "led", "hdd"). */
const char *sk_powerspec_line_name(enum sk_power_line line);

/* Parse --power-gpio's value into out: 0, or -1 with why set. */
int sk_powerspec_parse(const char *text, struct sk_powerspec *out, char *why, size_t whylen);

#define SK_WOL_PORT 9
#define SK_WOL_PACKET_LEN 102

struct sk_wolspec {
    uint8_t mac[6];
    char addr[64]; /* an IPv4 address, default 255.255.255.255 */
    uint16_t port; /* default 9 (discard) */
};

/* Parse --wol's value (MAC as aa:bb:cc:dd:ee:ff or with '-'): 0, or -1 with why set. */
int sk_wolspec_parse(const char *text, struct sk_wolspec *out, char *why, size_t whylen);

/* The magic packet: six 0xFF bytes, then mac sixteen times. */
void sk_wol_packet(const uint8_t mac[6], uint8_t out[SK_WOL_PACKET_LEN]);

#endif

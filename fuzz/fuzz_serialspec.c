/*
 * fuzz_serialspec: --serial values through sk_serialspec_parse. What parses
 * has a valid name, device (a path, or telnet: with a host and a TCP port)
 * and settings, and its settings written back (sk_serialspec_settings)
 * parse again to the same port.
 */
#include "fuzz.h"
#include "serial/serialspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = sk_fuzz_cstr(data, size);
    struct sk_serialspec spec, again;
    char err[512], set[SK_SERIAL_SETTINGS_MAX];
    if (sk_serialspec_parse(s, &spec, err, sizeof(err)) == 0) {
        SK_FUZZ_CHECK(spec.name[0] != '\0');
        SK_FUZZ_CHECK(spec.telnet
                          ? strncmp(spec.device, "telnet:", 7) == 0 && spec.host[0] != '\0' &&
                                spec.tcp_port >= 1 && spec.tcp_port <= 65535
                          : spec.device[0] == '/');
        SK_FUZZ_CHECK(sk_serialspec_speed_ok(spec.speed));
        SK_FUZZ_CHECK(spec.data_bits >= 5 && spec.data_bits <= 8);
        SK_FUZZ_CHECK(spec.stop_bits == 1 || spec.stop_bits == 2);
        sk_serialspec_settings(&spec, set, sizeof(set));
        for (char *p = set; *p != '\0'; p++) {
            *p = *p == ' ' ? ',' : *p;
        }
        char *text = xasprintf("%s=%s,%s", spec.name, spec.device, set);
        SK_FUZZ_CHECK(sk_serialspec_parse(text, &again, err, sizeof(err)) == 0);
        SK_FUZZ_CHECK(strcmp(spec.name, again.name) == 0 && strcmp(spec.device, again.device) == 0);
        SK_FUZZ_CHECK(spec.speed == again.speed && spec.data_bits == again.data_bits &&
                      spec.parity == again.parity && spec.stop_bits == again.stop_bits &&
                      spec.flow == again.flow);
        SK_FUZZ_CHECK(spec.telnet == again.telnet && strcmp(spec.host, again.host) == 0 &&
                      spec.tcp_port == again.tcp_port);
        free(text);
    } else {
        SK_FUZZ_CHECK(strlen(err) < sizeof(err));
    }
    free(s);
    return 0;
}

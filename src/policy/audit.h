/*
 * audit: the audit log, one line per event that matters for who did what.
 *
 * Events: login, login-failed, logout, control (acquired, taken, released
 * at logout), refused (a view-only member tried to send input, or control
 * is held by another), command (a script command: its name and non-text
 * arguments). Each line carries the event, the identity and the source
 * address, then key=value details; the file sink starts it with the UTC
 * time (syslog and the logger stamp their own):
 *   2026-11-23T13:05:00Z sshkvm-audit event=login who="laptop" addr="10.0.0.5:51234" kind=ssh
 * role=view Never typed or pasted text, never a password: callers pass only names. The sink is a
 * file (appended, one write(2) per line), syslog (facility authpriv), the logger (stderr, the
 * journal under systemd), or nothing. Thread-safe.
 */
#ifndef SK_AUDIT_H
#define SK_AUDIT_H

#include <stddef.h>

struct sk_audit;

/*
 * Open the audit log: "off", "syslog", "stderr" (through the logger) or a
 * file path (created 0600 if missing, appended). NULL with err set when
 * the file cannot be opened.
 */
struct sk_audit *sk_audit_new(const char *spec, char *err, size_t errlen);
void sk_audit_free(struct sk_audit *a);

/*
 * Record one event. who and addr are quoted as needed; fmt (may be NULL)
 * adds "key=value" details: any value that comes from a client (a name, a
 * keymap, a command's arguments) goes in through sk_audit_quote, so that it
 * can neither end the line nor add a key of its own. A NULL audit is a no-op.
 */
void sk_audit(struct sk_audit *a, const char *event, const char *who, const char *addr,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * s as one audit value: "..." with backslash, quote and control characters
 * escaped, cut to fit buf (len bytes, at least 3). Returns buf.
 */
const char *sk_audit_quote(const char *s, char *buf, size_t len);

#endif

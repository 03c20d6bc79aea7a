#!/usr/bin/env bash
# authorized_keys options with the real OpenSSH client: from= and expiry-time=
# are honoured as sshd honours them, and a key carrying a restriction sshkvm
# does not carry out (command=, permitopen=, an unknown option, ...) is refused with a
# log line, never let in without it. The file is re-read at every login. A
# file that grants access (authorized keys, the password file) and that
# others could write is refused, as OpenSSH's StrictModes does.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
start_sshkvm --hid "file:$KBD" || exit 1
KEY=$(cat "$T/id.pub")
# with OPTIONS: the test key alone in the file, behind OPTIONS.
with() { printf '%s %s\n' "$1" "$KEY" >"$T/authorized_keys"; }
# ok NAME: the key logs in and a command runs; no NAME: the login is refused.
logs_in() { kssh status >/dev/null 2>&1; }
refused() { ! kssh status >/dev/null 2>&1; }
ok() { check "$1" logs_in; }
no() { check "$1" refused; }

with ''
ok plain_key_logs_in
# The finding: a key restricted to another host, a forced command and a long-past
# expiry typed from 127.0.0.1.
with 'from="10.9.9.9",command="/bin/false",expiry-time="20000101"'
no restricted_key_refused
before=$(stat -c %s "$KBD" 2>/dev/null || echo 0)
kssh type hello >/dev/null 2>&1
check restricted_key_typed_nothing test "$(stat -c %s "$KBD" 2>/dev/null || echo 0)" = "$before"

with 'from="10.9.9.9"'
no from_other_host_refused
with 'from="10.9.9.9,127.0.0.0/8"'
ok from_loopback_cidr_logs_in
with 'from="127.0.0.*"'
ok from_wildcard_logs_in
with 'from="!127.0.0.1,*"'
no from_negated_refused
with 'expiry-time="20000101"'
no expired_key_refused
with "expiry-time=\"$(date -u -d '+1 day' +%Y%m%d)Z\""
ok unexpired_key_logs_in
with 'command="/bin/false"'
no command_refused
with 'permitopen="localhost:22"'
no permitopen_refused
with 'no-pty'
ok no_pty_logs_in
with 'no-ptyx'
no unknown_option_refused
with 'restrict,sshkvm-role=view'
ok restrict_view_logs_in
with 'no-port-forwarding,no-agent-forwarding,no-X11-forwarding'
ok forwarding_limits_log_in
# A file others could write lets nobody in (OpenSSH's StrictModes), until it is mended.
with ''
chmod 0664 "$T/authorized_keys"
no group_writable_file_refused
chmod 0646 "$T/authorized_keys"
no world_writable_file_refused
chmod 0644 "$T/authorized_keys"
ok mended_file_logs_in
check writable_file_logged grep -q "authorized_keys is writable by its group; refusing it" "$T/sshkvm.log"
check refusal_logged grep -q "refused: option 'command' is a restriction sshkvm does not carry out" "$T/sshkvm.log"
check from_refusal_logged grep -q 'refused: from="10.9.9.9" does not allow 127.0.0.1' "$T/sshkvm.log"

# The web side's password file likewise: a group-writable one stops the start, named.
printf 'alice:%s\n' "$(openssl passwd -6 -salt saltsalt 'x')" >"$T/passwd"
chmod 0664 "$T/passwd"
out=$("$BIN" --ssh-listen "127.0.0.1:$(free_port)" --http-listen "127.0.0.1:$(free_port)" \
  --hostkeys "$T/hostkeys2" --http-passwd "$T/passwd" 2>&1 >/dev/null)
rc=$?
check writable_passwd_stops_start test "$rc" -ne 0
check writable_passwd_named grep -qF -- "--http-passwd: $T/passwd is writable by its group" <<<"$out"
finish

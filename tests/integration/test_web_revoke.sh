#!/usr/bin/env bash
# A browser session follows the key that opened it (`ssh kvm@host web`): turned
# view-only in the authorized keys, its session may watch but no longer type
# (at its next request that types: the key is looked at again then); taken out,
# its session ends (within the 5 s between looks); another key's session is
# untouched. A logout ends a session; a view-only login's paste is refused
# before its body is read.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/other" >/dev/null
cat "$T/id.pub" "$T/other.pub" >"$T/authorized_keys"
start_sshkvm --http-auth always --hid "file:$KBD" || exit 1
B=http://127.0.0.1:$HTTP_PORT
code() { curl -s -m $((5 * SLOW)) -o /dev/null -w '%{http_code}' "$@"; }
post_keys() { code -b "$1" -X POST -H 'X-Sshkvm: 1' --data-binary $'d KeyA\nu KeyA' "$B/api/keys"; }
# within SECONDS COMMAND...: COMMAND succeeds within SECONDS (the key is looked at again
# every 5 s while a session lives).
within() { local t=$1; shift; for _ in $(seq $((t * 10 * SLOW))); do "$@" && return 0; sleep 0.1; done; return 1; }
is() { [ "$("${@:2}")" = "$1" ]; }

curl -s -m 5 -c "$T/jar" -o /dev/null "$(kssh web 2>/dev/null)"
ssh "${SSH_OPTS[@]}" -i "$T/other" -p "$SSH_PORT" kvm@127.0.0.1 web >"$T/other.url" 2>/dev/null
curl -s -m 5 -c "$T/ojar" -o /dev/null "$(cat "$T/other.url")"
check session_types test "$(post_keys "$T/jar")" = 200

# The key turns view-only.
{ echo "sshkvm-role=view $(cat "$T/id.pub")"; cat "$T/other.pub"; } >"$T/authorized_keys"
check view_only_key_refused_at_once test "$(post_keys "$T/jar")" = 403
check view_only_session_still_watches test "$(code -b "$T/jar" "$B/snapshot")" = 200

# The key is taken out.
cat "$T/other.pub" >"$T/authorized_keys"
check removed_key_session_ends_within_8s within 8 is 401 code -b "$T/jar" "$B/snapshot"
check removed_key_logged grep -q "web sessions of key SHA256:[^ ]* end: the key is no longer in" "$T/sshkvm.log"
check other_session_untouched test "$(code -b "$T/ojar" "$B/snapshot")" = 200

# Logout: the cookie is cleared and the session is gone on the server.
curl -s -m 5 -b "$T/ojar" -D "$T/out.h" -o /dev/null -X POST -H 'X-Sshkvm: 1' "$B/api/logout"
check logout_clears_cookie grep -qi '^Set-Cookie: sshkvm_session=; Path=/; Max-Age=0' "$T/out.h"
check logged_out_session_401 test "$(code -b "$T/ojar" "$B/snapshot")" = 401

# A view-only login pasting 1 MB: 403 before the body is read.
{ echo "sshkvm-role=view $(cat "$T/other.pub")"; } >"$T/authorized_keys"
ssh "${SSH_OPTS[@]}" -i "$T/other" -p "$SSH_PORT" kvm@127.0.0.1 web >"$T/v.url" 2>/dev/null
curl -s -m 5 -c "$T/vjar" -o /dev/null "$(cat "$T/v.url")"
head -c 1000000 /dev/zero | tr '\0' 'a' >"$T/big"
got=$(code -b "$T/vjar" -X POST -H 'X-Sshkvm: 1' --data-binary @"$T/big" "$B/api/paste")
check view_only_paste_403 test "$got" = 403
check view_only_paste_audited grep -q 'event=refused .*what=paste reason=view-only' "$T/sshkvm.log"
finish

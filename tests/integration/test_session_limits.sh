#!/usr/bin/env bash
# One key cannot take every session: a view-only key gets at most 16 sessions at
# once (the 17th is refused with a log line naming why), while a control key
# still logs in and types; the places come back when the sessions end.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
{ echo "sshkvm-role=view $(cat "$T/viewer.pub")"; cat "$T/id.pub"; } >"$T/authorized_keys"
start_sshkvm --hid "file:$KBD" --mouse none || exit 1
as_viewer() { ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
logged_in() { kssh status | grep -o '"role":"view"' | wc -l; }

# One after another: sixteen logins at once would trip the separate limit on connections
# waiting to log in (--max-startups).
pids=()
for i in $(seq 16); do
  # ssh itself in the background (not a function's subshell), so that kill reaches it.
  ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 wait --timeout 60 \
    'text that never shows' >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq $((100 * SLOW))); do [ "$(logged_in)" -ge "$i" ] && break; sleep 0.05; done
done
check sixteen_view_sessions test "$(logged_in)" -eq 16
as_viewer status >/dev/null 2>&1; rc=$?
check seventeenth_refused test "$rc" -eq 255
check refusal_logged grep -q 'refused: too-many-sessions-of-key (at most 16 sessions a key' "$T/sshkvm.log"
kssh type ok; rc=$?
check control_key_still_types test "$rc" -eq 0
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
for _ in $(seq $((100 * SLOW))); do [ "$(logged_in)" -eq 0 ] && break; sleep 0.1; done
as_viewer status >/dev/null 2>&1
check places_come_back test $? -eq 0
finish

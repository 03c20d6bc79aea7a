#!/usr/bin/env bash
# Taking control stops the old holder's running commands: a paced paste and a
# held key end at once with exit 1 and a message naming the taker, and nothing
# more of theirs reaches the target after the taker's keystrokes; the old
# holder's ending releases none of the new holder's keys.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
for k in alice bob; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$T/$k" >/dev/null; done
cat "$T/alice.pub" "$T/bob.pub" >"$T/authorized_keys"
as() { local who=$1; shift; ssh "${SSH_OPTS[@]}" -i "$T/$who" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
size() { stat -c %s "$KBD" 2>/dev/null || echo 0; }
# wait_until SECONDS COMMAND...: poll until COMMAND succeeds (1) or time is up (0).
wait_until() { local t=$1; shift; for _ in $(seq $((t * 20 * SLOW))); do "$@" && return 0; sleep 0.05; done; return 1; }
grew() { [ "$(size)" -gt "$1" ]; }

start_sshkvm --hid "file:$KBD" --mouse none --paste-rate 50 || exit 1

# A paste of 300 characters at 50 a second (6 s); bob takes control after it has begun.
head -c 300 /dev/zero | tr '\0' 'a' >"$T/text"
base=$(size) # the keyboard's first, all-released report may be there already
as alice paste <"$T/text" >"$T/alice.out" 2>"$T/alice.err" &
apid=$!
check paste_began wait_until 5 grew $((base + 16))
start=$(date +%s%N)
as bob type --take x
check take_typed test $? -eq 0
wait "$apid"; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check paste_exit_1 test "$rc" -eq 1
check paste_names_taker grep -q 'bob took control after [0-9]* of 300 keystrokes' "$T/alice.err"
check paste_stopped_quickly test "$ms" -lt $((2000 * SLOW))
after=$(size)
sleep 1
check nothing_after_take test "$(size)" = "$after"
check not_all_pasted test "$after" -lt $((300 * 16))

# alice holds a key; bob takes control and holds his own: alice's hold ends at once and
# leaves bob's key down until bob's hold ends.
as alice type --take y >/dev/null
held_from=$(size)
as alice key --hold 5s f >"$T/a2.out" 2>"$T/a2.err" &
apid=$!
check hold_began wait_until 5 grew "$held_from"
mark=$(size)
as bob key --take --hold 1500ms g &
bpid=$!
wait "$apid"; rc=$?
check hold_exit_1 test "$rc" -eq 1
check hold_names_taker grep -q 'bob took control; hold ended' "$T/a2.err"
wait "$bpid"
check bob_hold_ok test $? -eq 0
# After the take: bob's g (usage 0a) goes down once and up once at the end; no report in
# between lets go of it (every report while it is held still has 0a).
reports=$(tail -c +$((mark + 1)) "$KBD" | od -An -v -tx1 -w8 | sed 's/^ //')
held=0 broke=0
while read -r line; do
  [ -z "$line" ] && continue
  if grep -q ' 0a' <<<" $line"; then held=1; elif [ "$held" = 1 ] && [ "$line" != "00 00 00 00 00 00 00 00" ]; then broke=1; fi
  if [ "$held" = 1 ] && ! grep -q ' 0a' <<<" $line"; then break; fi
done <<<"$reports"
check bob_key_was_held test "$held" = 1
check bob_key_not_released_early test "$broke" = 0
finish

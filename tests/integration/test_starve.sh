#!/usr/bin/env bash
# One view-only key tries every way to starve the others at once: all the
# sessions it can get, consoles with huge windows, hostile --regex waits, 1 MB
# web pastes, and web login churn. Meanwhile a control key keeps typing (every
# keystroke arrives), its web session stays valid, and the server's memory
# stays under 96 MB throughout (plus the sanitizer builds' allowance): about
# 20 MB at rest and up to 4 MB a console of the largest picture (400x200).
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
ssh-keygen -q -t ed25519 -N '' -C mallory -f "$T/mallory" >/dev/null
{ echo "sshkvm-role=view $(cat "$T/mallory.pub")"; cat "$T/id.pub"; } >"$T/authorized_keys"
start_sshkvm --hid "file:$KBD" --mouse none || exit 1
B=http://127.0.0.1:$HTTP_PORT
M=(ssh "${SSH_OPTS[@]}" -i "$T/mallory" -p "$SSH_PORT" kvm@127.0.0.1)
peak=0
sample() { local r; r=$(rss_kb "$SK_PID"); [ "$r" -gt "$peak" ] && peak=$r; }
viewers() { kssh status | grep -o '"role":"view"' | wc -l; }
# Functions, so that wait_until asks again on every try.
viewers_at_least() { [ "$(viewers)" -ge "$1" ]; }
viewers_at_most() { [ "$(viewers)" -le "$1" ]; }

# The control key's web session, to check it survives the churn.
curl -s -m 5 -c "$T/cjar" -o /dev/null "$(kssh web 2>/dev/null)"

pids=()
# Every session the key may have: consoles with 1000x1000 windows, and hostile waits.
for i in $(seq 4); do
  script -qfc "stty cols 1000 rows 1000; ${M[*]} -tt" /dev/null </dev/null >/dev/null 2>&1 &
  pids+=($!)
  wait_until 10 viewers_at_least "$i"
  sample
done
for i in $(seq 12); do
  "${M[@]}" wait --timeout 60 'never shown' >/dev/null 2>&1 &
  pids+=($!)
  wait_until 10 viewers_at_least $((4 + i))
  sample
done
check mallory_has_sixteen test "$(viewers)" -eq 16
"${M[@]}" status >/dev/null 2>&1
check mallory_seventeenth_refused test $? -eq 255

# Hostile patterns, refused at once; web pastes of 1 MB, refused before their body; login churn.
head -c 1000000 /dev/zero | tr '\0' 'a' >"$T/big"
before=$(stat -c %s "$KBD" 2>/dev/null || echo 0)
typed=0
for round in $(seq 5); do
  "${M[@]}" status >/dev/null 2>&1 # refused: no place left
  kssh wait --regex "'( *)( *)( *)\\3\\2\\1X'" --timeout 5 >/dev/null 2>&1
  for _ in $(seq 6); do kssh web >/dev/null 2>&1; done
  curl -s -m 5 -o /dev/null -b "$T/cjar" "$B/snapshot"
  kssh type "r$round" && typed=$((typed + 1))
  sample
done
# mallory's web login for the pastes needs a place: free one of its sessions first.
kill "${pids[0]}" 2>/dev/null
wait_until 10 viewers_at_most 15
curl -s -m 5 -c "$T/mjar" -o /dev/null "$("${M[@]}" web 2>/dev/null)"
for _ in $(seq 5); do
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -b "$T/mjar" -X POST -H 'X-Sshkvm: 1' \
    --data-binary @"$T/big" "$B/api/paste")
  [ "$code" = 403 ] || echo "paste answered $code"
  sample
done
check control_typed_every_round test "$typed" -eq 5
check control_keystrokes_arrived test "$(stat -c %s "$KBD")" -gt "$before"
check control_web_session_survives test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -b "$T/cjar" "$B/snapshot")" = 200
echo "peak RSS: $peak KiB"
check rss_under_96mb test "$peak" -le $((98304 + RSS_SLACK))
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
finish

#!/usr/bin/env bash
# test_hold_paste: held keys (`key --hold`), paste pacing (--paste-rate),
# Ctrl+C on the client cancelling a hold or a long paste with every key
# released, and paste progress on a pty. Exact report bytes (file: sink).
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
size() { stat -c %s "$KBD"; }
since() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
last() { tail -c 8 "$KBD" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# bg_ssh ARGS...: the ssh client itself in the background (CPID is its pid, not a subshell's).
# Ctrl+C makes ssh exit and drop the connection; a background job ignores SIGINT, so TERM stands in.
# Its standard input is the caller's (<&0): without a redirection of its own, a background job's
# is /dev/null.
bg_ssh() { (exec ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 "$@") <&0 & CPID=$!; }
rep() { printf '%02x 00 %02x %02x 00 00 00 00' "0x$1" "0x${2:-0}" "0x${3:-0}"; }

start_sshkvm --hid "file:$KBD" --mouse none || exit 1

o=$(size); t0=$(ms)
kssh key --hold 1s shift+f8
rc=$?; t1=$(ms)
check hold_exit_0 test "$rc" -eq 0
check hold_reports test "$(since "$o")" = "$(rep 02 41) $ZERO"
check hold_lasts_1s test $((t1 - t0)) -ge 1000

o=$(size)
kssh key --hold 300ms shift a b
check hold_combination test "$(since "$o")" = "$(rep 02) $(rep 02 04) $(rep 02 04 05) $(rep 02 04) $(rep 02) $ZERO"

kssh key --hold 2m f1 2>/dev/null
check hold_bad_duration_exit_2 test $? -eq 2
kssh key --hold 61s f1 2>/dev/null
check hold_too_long_exit_2 test $? -eq 2
kssh key --hold 1s a b c d e f g 2>/dev/null
check hold_seven_keys_refused test $? -eq 1
check hold_seven_keys_released test "$(last)" = "$ZERO"

# Ctrl+C on the client (the ssh process killed) ends a hold at once, released.
o=$(size)
bg_ssh key --hold 20s f12 </dev/null
wait_until 10 size_at_least "$KBD" $((o + 8))
check hold_is_down test "$(since "$o")" = "$(rep 0 45)"
kill -TERM $CPID; wait $CPID 2>/dev/null
t0=$(ms)
for _ in $(seq 40); do [ "$(last)" = "$ZERO" ] && break; sleep 0.05; done
check hold_cancel_releases test "$(last)" = "$ZERO"
check hold_cancel_quick test $(($(ms) - t0)) -lt 1500
stop_sshkvm

# --paste-rate: 200 keystrokes at 100/s take at least ~2 s and all arrive.
start_sshkvm --hid "file:$KBD" --mouse none --paste-rate 100 || exit 1
head -c 200 /dev/zero | tr '\0' 'x' >"$T/200.txt"
o=$(size); t0=$(ms)
kssh paste <"$T/200.txt"
t1=$(ms)
check paste_rate_all_reports test $(( $(size) - o )) -eq $((200 * 16))
check paste_rate_paced test $((t1 - t0)) -ge 1900
# Ctrl+C cancels a long paste: it stops, and the last report releases everything.
head -c 3000 /dev/zero | tr '\0' 'y' >"$T/3000.txt"
o=$(size)
bg_ssh paste <"$T/3000.txt" 2>"$T/cancel.err"
# Cancelled under way: once 100 of its keystrokes have arrived (about a second at 100/s).
wait_until 20 size_at_least "$KBD" $((o + 100 * 16))
kill -TERM $CPID; wait $CPID 2>/dev/null
sleep 0.5
n1=$(size); sleep 0.5
check paste_cancel_stops test "$(size)" -eq "$n1"
check paste_cancel_partial test $(( n1 - o )) -lt $((3000 * 16))
check paste_cancel_releases test "$(last)" = "$ZERO"
stop_sshkvm

# Progress on a pty, unpaced.
start_sshkvm --hid "file:$KBD" --mouse none || exit 1
head -c 1500 /dev/zero | tr '\0' 'z' >"$T/1500.txt"
o=$(size)
kssh -tt paste <"$T/1500.txt" >"$T/progress.out" 2>&1
check paste_pty_all_reports test $(( $(size) - o )) -eq $((1500 * 16))
check paste_pty_progress grep -q 'typed 1500 of 1500 keystrokes (100%)' "$T/progress.out"
out=$("$BIN" --paste-rate fast 2>&1); rc=$?
check paste_rate_bad_value test "$rc" -ne 0 -a -n "$(grep -- '--paste-rate' <<<"$out")"
finish

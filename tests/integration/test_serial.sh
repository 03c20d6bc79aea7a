#!/usr/bin/env bash
# The serial console's script side, with the real binary, OpenSSH and a
# socat pty pair standing in for a serial line: sshkvm opens one end as
# --serial com1, the test plays the target on the other. serial --list,
# --send (bytes exact on the other end), --wait (0 when the target prints
# the text, 1 on timeout), the raw pipe (all 256 byte values both ways,
# compared byte for byte), a view-only key refused, status JSON's state
# and byte counts, a port whose device is missing at start coming up when
# the device appears, and one unplugged and plugged in again.
. "$(dirname "$0")/lib.sh"

command -v socat >/dev/null || { echo "FAIL serial_socat: socat is not installed (scripts/deps.sh test)"; exit 1; }

SOCAT_PIDS=()
# pair A B: a pty pair, its two ends linked at A (for sshkvm) and B (the target's side).
pair() {
  socat -d -d "pty,raw,echo=0,link=$1" "pty,raw,echo=0,link=$2" 2>>"$T/socat.log" &
  SOCAT_PIDS+=($!)
  for _ in $(seq 50); do [ -e "$1" ] && [ -e "$2" ] && return 0; sleep 0.1; done
  return 1
}
stop_pairs() { for p in "${SOCAT_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap 'stop_pairs; cleanup' EXIT

pair "$T/com1" "$T/target1"
ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
viewer() { ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }

start_sshkvm --serial "com1=$T/com1,9600" --serial "late=$T/late,57600,7e1,rtscts" \
  --audit-log "$T/audit.log" || exit 1
# until_true TRIES CMD...: retry every 0.1 s.
until_true() { local n=$1; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
listed() { kssh serial --list | grep -qx "$1"; }

check list_shows_ports until_true 50 listed "com1	$T/com1	9600 8n1	open"
check list_shows_absent until_true 50 listed "late	$T/late	57600 7e1 rtscts	absent (No such file or directory)"

# The target's side, read into a file from now on.
cat "$T/target1" >"$T/got.send" &
CAT=$!
sleep 0.3
kssh serial --send com1 'hello   "world"' ; rc=$?
check send_exit_0 [ "$rc" -eq 0 ]
# A function, so that until_true reads the file again on every try.
got_send_is() { [ "$(hex "$T/got.send")" = "$(printf '%s\r' "$1" | hex)" ]; }
until_true 30 got_send_is 'hello   "world"'
check send_bytes_exact [ "$(hex "$T/got.send")" = "$(printf 'hello   "world"\r' | hex)" ]
kill $CAT; wait $CAT 2>/dev/null

viewer serial --send com1 nope 2>"$T/viewer.err"; rc=$?
check view_only_cannot_send [ "$rc" -eq 1 ] && grep -q "view-only" "$T/viewer.err"
viewer serial com1 </dev/null 2>"$T/viewer2.err"; rc=$?
check view_only_cannot_pipe [ "$rc" -eq 1 ] && grep -q "view-only" "$T/viewer2.err"
viewer serial --break com1 2>/dev/null; rc=$?
check view_only_cannot_break [ "$rc" -eq 1 ]
kssh serial --break com1; rc=$?
check break_sent [ "$rc" -eq 0 ] && kssh status | grep -q '"name":"com1",[^}]*"breaks":1}'
check audit_names_no_text grep -q 'cmd=serial args="--send com1"' "$T/audit.log"
check audit_never_the_text bash -c "! grep -q 'world' '$T/audit.log'"

# --wait: 0 when the target prints the text after the wait began, the line printed.
(sleep 1; printf 'booting\r\nDebian GNU/Linux 12 pi ttyS0\r\n\r\npi login: ' >"$T/target1") &
out=$(kssh serial --wait com1 --timeout 10 'login:'); rc=$?
check wait_seen [ "$rc" -eq 0 ] && [ "$out" = "pi login: " ]
(sleep 0.5; printf 'kernel: version 6.1.0-13\r\n' >"$T/target1") &
out=$(kssh serial --wait com1 --regex --timeout 10 'version [0-9]+\.[0-9]+'); rc=$?
check wait_regex [ "$rc" -eq 0 ] && [ "$out" = "kernel: version 6.1.0-13" ]
# Text printed before the wait began does not count; nothing new: 1 after the timeout.
start=$(date +%s%N)
kssh serial --wait com1 --timeout 1 'login:' 2>"$T/wait.err"; rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
check wait_timeout [ "$rc" -eq 1 ] && [ "$took" -ge 1000 ] && grep -q "did not appear" "$T/wait.err"
kssh serial --wait com1 --timeout 0 x 2>/dev/null; rc=$?
check wait_usage [ "$rc" -eq 2 ]
kssh serial --send nosuch hi 2>"$T/nosuch.err"; rc=$?
check unknown_port [ "$rc" -eq 2 ] && grep -q "no port 'nosuch'" "$T/nosuch.err"

# The pipe, client to port: every byte value, twice, through ssh's stdin.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 2)' >"$T/bin"
timeout 10 head -c 512 "$T/target1" >"$T/got.pipe" &
HEAD=$!
sleep 0.3
kssh serial com1 <"$T/bin"; rc=$?
wait $HEAD
check pipe_in_exit_0 [ "$rc" -eq 0 ]
check pipe_in_exact cmp -s "$T/bin" "$T/got.pipe"

# Port to client: the target sends the same bytes while the client's stdin stays open.
(sleep 3) | kssh serial com1 >"$T/got.out" &
SSHP=$!
sleep 1
cat "$T/bin" >"$T/target1"
wait $SSHP
check pipe_out_exact cmp -s "$T/bin" "$T/got.out"

# status: the ports, their state and bytes each way.
st=$(kssh status)
check status_serial bash -c "grep -q '\"serial\":\[{\"name\":\"com1\",\"device\":\"$T/com1\",\"settings\":\"9600 8n1\",\"state\":\"open\",\"error\":\"\",\"rx\":' <<<'$st'"
rx=$(sed 's/.*"name":"com1"[^}]*"rx":\([0-9]*\).*/\1/' <<<"$st")
tx=$(sed 's/.*"name":"com1"[^}]*"tx":\([0-9]*\).*/\1/' <<<"$st")
# rx: the --wait texts (51 + 26 bytes) and 512 from the pipe; tx: --send's 16 and the pipe's 512.
check status_rx [ "$rx" -eq $((51 + 26 + 512)) ]
check status_tx [ "$tx" -eq $((16 + 512)) ]
check status_absent bash -c "grep -q '\"name\":\"late\",[^}]*\"state\":\"absent\"' <<<'$st'"

# The missing device appears: the port comes up within its retry, and works.
pair "$T/late" "$T/target2"
check late_comes_up until_true 50 listed "late	$T/late	57600 7e1 rtscts	open"
timeout 10 head -c 3 "$T/target2" >"$T/got.late" &
HEAD=$!
sleep 0.3
kssh serial --send late ok
wait $HEAD
check late_works [ "$(cat "$T/got.late")" = "$(printf 'ok\r')" ]

# Unplugged while running (the pair's socat gone, its links with it): absent; plugged in
# again under the same link: open, and the same bytes get through.
kill "${SOCAT_PIDS[0]}"; wait "${SOCAT_PIDS[0]}" 2>/dev/null
absent() { kssh serial --list | grep -q "^com1	$T/com1	9600 8n1	absent ("; }
check unplugged_absent until_true 50 absent
kssh serial --send com1 lost 2>"$T/unplugged.err"; rc=$?
check unplugged_send_fails [ "$rc" -eq 1 ] && grep -q "is absent" "$T/unplugged.err"
pair "$T/com1" "$T/target1"
check replugged_open until_true 50 listed "com1	$T/com1	9600 8n1	open"
timeout 10 head -c 5 "$T/target1" >"$T/got.back" &
HEAD=$!
sleep 0.3
kssh serial --send com1 back
wait $HEAD
check replugged_works [ "$(cat "$T/got.back")" = "$(printf 'back\r')" ]
check status_reopens bash -c "kssh() { ssh ${SSH_OPTS[*]} -i '$T/id' -p $SSH_PORT kvm@127.0.0.1 \"\$@\"; }; kssh status | grep -q '\"name\":\"com1\",[^}]*\"reopens\":1,'"

finish

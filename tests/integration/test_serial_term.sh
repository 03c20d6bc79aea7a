#!/usr/bin/env bash
# The serial console's log and its terminal, with the real binary, OpenSSH
# (ssh -tt) and a socat pty pair standing in for the target's serial line.
# The log: each line stamped, --lines, --since (an age, a time, a bad one),
# the file on disk, /metrics' figures. The terminal: the last screenful
# replayed on attach, the port's output seen by every session at once, keys
# written by the one holding control only (a second control key refused
# until Ctrl+] t takes it, a view-only key never), the port name as the ssh
# user (kvm:com1), the menu's break and speed, ssh's ~B break request (and no break from a
# client other than OpenSSH: PuTTY's winadj requests look the same to libssh), and the audit
# log's attach, detach and control lines without the bytes typed. The log directory: a
# group-writable one refused at start; a link or FIFO planted in it neither read nor waited on.
# Under --control shared, two terminals type on one port and neither is told it lost control.
. "$(dirname "$0")/lib.sh"

command -v socat >/dev/null || { echo "FAIL serial_socat: socat is not installed (scripts/deps.sh test)"; exit 1; }

socat -d -d "pty,raw,echo=0,link=$T/com1" "pty,raw,echo=0,link=$T/target1" 2>>"$T/socat.log" &
SOCAT=$!
SSHS=()
stop_all() { for p in "${SSHS[@]}" $SOCAT; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap 'stop_all; cleanup' EXIT
wait_until 5 test -e "$T/target1" || { echo "FAIL serial_pty: socat made no pty"; exit 1; }

ssh-keygen -q -t ed25519 -N '' -C bob -f "$T/bob" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
cat "$T/bob.pub" >>"$T/authorized_keys"
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"

# A log directory others may write is refused at start, with one clear line.
mkdir -m 0770 "$T/badlog"
timeout 20 "$BIN" --ssh-listen "127.0.0.1:$(free_port)" --http-listen "127.0.0.1:$(free_port)" \
  --hostkeys "$T/hostkeys" --authorized-keys "$T/authorized_keys" --serial "com1=$T/com1" \
  --serial-log-dir "$T/badlog" >/dev/null 2>"$T/badlog.err"; rc=$?
badlog_refused() { [ "$rc" -eq 1 ] && grep -q -- "--serial-log-dir: $T/badlog: writable by others" "$T/badlog.err"; }
check log_dir_group_writable_refused badlog_refused

start_sshkvm --serial "com1=$T/com1" --serial-log-dir "$T/serlog" --audit-log "$T/audit.log" || exit 1
open_port() { kssh serial --list | grep -q "	open$"; }
wait_until 10 open_port

# The target's side: what the port writes, read into a file from now on.
cat "$T/target1" >"$T/got.target" &
SSHS+=($!)
printf 'first boot line\r\nsecond\r\nrouter login: ' >"$T/target1"

# ---- the log ----
logged() { kssh serial --log com1 2>/dev/null | grep -q 'router login: '; }
check log_has_output wait_until 10 logged
kssh serial --log com1 >"$T/log.all"
check log_stamped grep -qE $'^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z first boot line\r$' "$T/log.all"
check log_three_lines [ "$(grep -c 'Z ' "$T/log.all")" -eq 3 ]
kssh serial --log com1 --lines 1 >"$T/log.one"
check log_lines bash -c "grep -q 'router login: ' '$T/log.one' && ! grep -q first '$T/log.one'"
out=$(kssh serial --log com1 --since 2099-01-01); rc=$?
check log_since_future test "$rc" -eq 0 -a -z "$out"
check log_since_age bash -c "ssh ${SSH_OPTS[*]} -i '$T/id' -p $SSH_PORT kvm@127.0.0.1 serial --log com1 --since 5m | grep -q 'first boot line'"
kssh serial --log com1 --since yesterday 2>"$T/since.err"; rc=$?
bad_since_said() { [ "$rc" -eq 2 ] && grep -q "give an age" "$T/since.err"; }
check log_bad_since bad_since_said
check log_file grep -q 'Z second' "$T/serlog/com1.log"
check log_dir_0700 test "$(stat -c %a "$T/serlog")" = 700
# Planted in the directory: a link to a secret as an old log, and a FIFO nobody writes.
echo "SECRET-NOT-A-LOG" >"$T/secret"
ln -s "$T/secret" "$T/serlog/com1.log.3"
mkfifo "$T/serlog/com1.log.2"
timeout 20 ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 serial --log com1 >"$T/log.planted" 2>&1; rc=$?
check log_fifo_no_hang test "$rc" -eq 0
check log_link_not_followed bash -c "! grep -q SECRET '$T/log.planted' && grep -q 'router login: ' '$T/log.planted'"
rm -f "$T/serlog/com1.log.3" "$T/serlog/com1.log.2"
curl -s -m 5 "http://127.0.0.1:$HTTP_PORT/metrics" >"$T/metrics"
check metrics_serial grep -q '^sshkvm_serial_up{port="com1"} 1$' "$T/metrics"
check metrics_rx grep -q '^sshkvm_serial_rx_bytes_total{port="com1"} 39$' "$T/metrics"

# ---- the terminal ----
tty_attach a id kvm "serial com1"
tty_attach b bob kvm:com1
tty_attach v viewer kvm "serial com1"
for s in a b v; do check "attach_banner_$s" wait_until 10 has "$T/$s.out" 'Ctrl+] for the menu]'; done
check attach_replays_screen has "$T/a.out" 'router login: '
check user_names_port has "$T/b.out" 'router login: '

printf 'hello A\r' >&"$FD_a"
typed_a() { has "$T/got.target" 'hello A'; }
check writer_keys_arrive wait_until 10 typed_a
printf 'from B\r' >&"$FD_b"
check second_writer_refused wait_until 10 has "$T/b.out" 'sshkvm-test has control of com1; nothing sent (Ctrl+] t takes control)'
printf 'viewer\r' >&"$FD_v"
check viewer_refused wait_until 10 has "$T/v.out" 'view-only key'
printf 'target says hi\r\n' >"$T/target1"
for s in a b v; do check "all_see_output_$s" wait_until 10 has "$T/$s.out" 'target says hi'; done
printf '\035t' >&"$FD_b"
check take_control wait_until 10 has "$T/b.out" 'you have control'
printf 'B now\r' >&"$FD_b"
typed_b() { has "$T/got.target" 'B now'; }
check taker_keys_arrive wait_until 10 typed_b
printf 'A again\r' >&"$FD_a"
check old_writer_refused wait_until 10 has "$T/a.out" 'bob has control of com1; nothing sent'
printf '\035b' >&"$FD_b"
check menu_break wait_until 10 has "$T/b.out" 'break sent'
# OpenSSH's own break request (~B at the start of a line, RFC 4335), from the writer.
printf '\r~B' >&"$FD_b"
check ssh_break_request wait_until 10 has "$T/b.out" 'break sent (~B)'
printf '\035s3' >&"$FD_b"
check menu_speed wait_until 10 has "$T/b.out" 'now 38400 baud'
check speed_listed bash -c "ssh ${SSH_OPTS[*]} -i '$T/id' -p $SSH_PORT kvm@127.0.0.1 serial --list | grep -q '38400 8n1	open'"
printf '\035w' >&"$FD_a"
check menu_who wait_until 10 has "$T/a.out" 'viewer'
for s in a b v; do printf '\035q' >&"$(eval echo \$FD_$s)"; done
for p in "${SSHS[@]:1}"; do wait "$p"; done
SSHS=("${SSHS[0]}")
sleep 0.3
check target_got_only_writers bash -c "! grep -q 'from B' '$T/got.target' && ! grep -q 'viewer' '$T/got.target' && ! grep -q 'A again' '$T/got.target'"
# A client other than OpenSSH (libssh's, as PuTTY) sends a channel request libssh does not
# name: it is not taken as a break, while its keys still reach the port.
"$HELPERS/ssh_rawuser" "$SSH_PORT" "$T/id" kvm "serial com1" $'raw keys\r\035q' >"$T/raw.out" 2>&1
check other_client_attached has "$T/raw.out" 'Ctrl+] for the menu]'
check other_client_no_break bash -c "! grep -q 'break sent' '$T/raw.out'"
typed_raw() { has "$T/got.target" 'raw keys'; }
check other_client_keys_arrive wait_until 10 typed_raw
check status_break bash -c "ssh ${SSH_OPTS[*]} -i '$T/id' -p $SSH_PORT kvm@127.0.0.1 status | grep -q '\"name\":\"com1\",[^}]*\"breaks\":2,\"logged\":[1-9]'"
check audit_attach [ "$(grep -c 'port=com1 action=attach' "$T/audit.log")" -eq 4 ]
check audit_detach [ "$(grep -c 'port=com1 action=detach' "$T/audit.log")" -eq 4 ]
check audit_control grep -q 'event=control .*action=taken' "$T/audit.log"
check audit_no_bytes bash -c "! grep -qE 'hello|B now|from B' '$T/audit.log'"

# ---- a stalled reader ----
# One watcher's ssh client is stopped (SIGSTOP: it reads nothing) while 1 MB goes by at
# 2.5 Mbit/s (250 KB/s, a fast UART; a pty alone has no speed): a second watcher
# gets all of it, and so does the log; the stopped one, let go, catches up (ssh's 2 MB
# window holds 1 MB) or skips ahead saying so, and quits.
tty_attach stall id kvm "serial com1"
check stall_attached wait_until 10 has "$T/stall.out" 'Ctrl+] for the menu]'
STALLED=${SSHS[-1]}
kill -STOP "$STALLED"
tty_attach fast id kvm "serial com1"
check fast_attached wait_until 10 has "$T/fast.out" 'Ctrl+] for the menu]'
start=$(date +%s%N)
python3 -c '
import sys, time
out = open(sys.argv[1], "wb", buffering=0)
t0 = time.monotonic()
for i in range(1000):
    out.write(b"flood %04d %s\r\n" % (i, b"x" * 1000))
    # 250 lines a second: 250 KB/s.
    time.sleep(max(0, t0 + (i + 1) / 250 - time.monotonic()))
out.write(b"END-OF-FLOOD\r\n")' "$T/target1"
flooded() { has "$T/fast.out" 'END-OF-FLOOD'; }
check fast_reader_gets_all wait_until 30 flooded
took=$(( ($(date +%s%N) - start) / 1000000 ))
echo "  (1 MB through the port to a watching terminal in $took ms, a stalled one attached)"
check fast_reader_lost_nothing [ "$(grep -c '^flood [0-9]* x' "$T/fast.out")" -eq 1000 ]
check fast_reader_no_skip bash -c "! grep -q 'bytes skipped' '$T/fast.out'"
kssh serial --log com1 >"$T/log.flood"
check log_lost_nothing [ "$(grep -cE 'Z flood [0-9]{4} x{1000}.$' "$T/log.flood")" -eq 1000 ]
printf '\035q' >&"$FD_fast"
kill -CONT "$STALLED"
caught_up() { has "$T/stall.out" 'END-OF-FLOOD' || has "$T/stall.out" 'bytes skipped: this terminal'; }
check stalled_reader_resumes wait_until 20 caught_up
printf '\035q' >&"$FD_stall"
wait "$STALLED"
# ---- --control shared: nobody holds the port, so nobody is told they lost it ----
# Two sessions type on com1 at once; every key of both arrives, and neither terminal says
# its control was lost or is someone else's (it once said "control of com1 lost" per key).
stop_sshkvm
start_sshkvm --control shared --serial "com1=$T/com1" || exit 1
wait_until 10 open_port
tty_attach sa id kvm:com1
tty_attach sb bob kvm:com1
for s in sa sb; do check "shared_attached_$s" wait_until 10 has "$T/$s.out" 'Ctrl+] for the menu]'; done
printf 'shared one A\r' >&"$FD_sa"
printf 'shared one B\r' >&"$FD_sb"
printf 'shared two A\r' >&"$FD_sa"
printf 'shared two B\r' >&"$FD_sb"
check shared_keys_a wait_until 10 has "$T/got.target" 'shared two A'
check shared_keys_b wait_until 10 has "$T/got.target" 'shared two B'
for s in sa sb; do
  check "shared_no_control_lost_$s" bash -c "! grep -aq 'control of com1 lost' '$T/$s.out'"
  check "shared_no_refusal_$s" bash -c "! grep -aq 'has control of com1' '$T/$s.out'"
done
for s in sa sb; do printf '\035q' >&"$(eval echo \$FD_$s)"; done
finish

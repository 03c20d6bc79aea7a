#!/usr/bin/env bash
# Serial ports' writers, one per port, with the real binary, OpenSSH (ssh -tt) and two socat
# pty pairs standing in for two targets' serial lines. A console holding the video control
# blocks no serial writer; bob writes on com1 and carol on com2 at the same time; a third
# session is refused on com1 (named holder, exit 1, nothing sent) until it takes control,
# which takes com1 only (carol keeps com2, the console keeps the keyboard, bob is refused);
# status and the menu's who-is-on name each port's writer; a pipe ends once its port is taken;
# the audit log has each port's control changes. Then a terminal too slow for the port: its ssh
# client stopped while 4 MB go by (more than ssh's 2 MB window and the port's 256 KiB ring), it
# skips ahead with the marker once let go, while the port's log holds every byte.
. "$(dirname "$0")/lib.sh"

command -v socat >/dev/null || { echo "FAIL serial_socat: socat is not installed (scripts/deps.sh test)"; exit 1; }

PIDS=()
SSHS=()
for n in 1 2; do
  socat "pty,raw,echo=0,link=$T/com$n" "pty,raw,echo=0,link=$T/target$n" 2>>"$T/socat.log" &
  PIDS+=($!)
done
stop_all() { for p in "${SSHS[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap 'stop_all; cleanup' EXIT
ptys() { test -e "$T/target1" && test -e "$T/target2"; }
wait_until 5 ptys || { echo "FAIL serial_pty: socat made no pty"; exit 1; }

for k in bob carol; do
  ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$T/$k" >/dev/null
  cat "$T/$k.pub" >>"$T/authorized_keys"
done
start_sshkvm --serial "com1=$T/com1" --serial "com2=$T/com2" --serial-log-dir "$T/serlog" \
  --audit-log "$T/audit.log" || exit 1
both_open() { [ "$(kssh serial --list | grep -c '	open$')" -eq 2 ]; }
wait_until 10 both_open

# What each target receives, from now on.
for n in 1 2; do
  cat "$T/target$n" >"$T/got$n" &
  PIDS+=($!)
done

# The video console, holding the keyboard.
tty_attach con id kvm
check console_attached wait_until 10 has "$T/con.out" $'\033[?1049h'
printf 'x' >&"$FD_con"
check console_holds_video wait_until 10 status_has '"holder":"sshkvm-test"'

tty_attach b bob kvm "serial com1"
tty_attach c carol kvm:com2
for s in b c; do check "attached_$s" wait_until 10 has "$T/$s.out" 'Ctrl+] for the menu]'; done
printf 'bob one\r' >&"$FD_b"
printf 'carol one\r' >&"$FD_c"
printf 'bob two\r' >&"$FD_b"
printf 'carol two\r' >&"$FD_c"
got() { has "$T/got$1" "$2"; }
check video_holder_blocks_no_serial_writer wait_until 10 got 1 'bob one'
check writer_on_each_port_com1 wait_until 10 got 1 'bob two'
check writer_on_each_port_com2 wait_until 10 got 2 'carol two'
check no_refusal_b bash -c "! grep -q 'has control' '$T/b.out'"
check no_refusal_c bash -c "! grep -q 'has control' '$T/c.out'"
check status_port_writer_com1 status_has '"ports":\{[^}]*"com1":"bob"'
check status_port_writer_com2 status_has '"ports":\{[^}]*"com2":"carol"'
check status_video_kept status_has '"holder":"sshkvm-test"'
printf '\035w' >&"$FD_b"
check who_names_writers wait_until 10 has "$T/b.out" 'carol from'
check who_bob_writes wait_until 10 bash -c "grep -a 'command bob from' '$T/b.out' | grep -q 'writes com1'"
check who_carol_writes wait_until 10 bash -c "grep -a 'command carol from' '$T/b.out' | grep -q 'writes com2'"

# A third session: refused on the held port, then takes it.
kssh serial --send com1 third try >"$T/third.out" 2>"$T/third.err"; rc=$?
third_refused() { [ "$rc" -eq 1 ] && grep -q 'bob has control of com1; nothing sent' "$T/third.err"; }
check third_refused third_refused
kssh serial --break com1 2>"$T/third.err"; rc=$?
check third_break_refused third_refused
check third_sent_nothing bash -c "sleep 0.3; ! grep -q 'third try' '$T/got1'"
# A third terminal: refused too, until Ctrl+] t takes com1 (and com1 only).
tty_attach d id kvm "serial com1"
check attached_d wait_until 10 has "$T/d.out" 'Ctrl+] for the menu]'
printf 'dave one\r' >&"$FD_d"
check third_terminal_refused wait_until 10 has "$T/d.out" 'bob has control of com1; nothing sent (Ctrl+] t takes control)'
printf '\035t' >&"$FD_d"
check third_takes wait_until 10 has "$T/d.out" 'you have control'
printf 'dave two\r' >&"$FD_d"
check third_keys_arrive wait_until 10 got 1 'dave two'
check old_writer_told wait_until 10 has "$T/b.out" 'sshkvm-test took control of com1 (Ctrl+] t takes it back)'
printf 'bob three\r' >&"$FD_b"
check old_writer_refused wait_until 10 has "$T/b.out" 'sshkvm-test has control of com1; nothing sent'
printf 'carol three\r' >&"$FD_c"
check other_port_kept wait_until 10 got 2 'carol three'
check video_not_taken status_has '"holder":"sshkvm-test"'
check refused_never_sent bash -c "! grep -qE 'bob three|dave one' '$T/got1'"
# The taker leaves: com1 is free, and bob writes again; a command takes it with --take.
printf '\035q' >&"$FD_d"
com1_left() { ! status_has '"com1":"sshkvm-test"'; }
check taker_left wait_until 10 com1_left
# (bob was refused a moment ago: his keys still go as soon as the port is free)
printf 'bob four\r' >&"$FD_b"
check port_free_after_leaving wait_until 10 got 1 'bob four'
check command_takes kssh serial --take --send com1 third taken
check command_bytes_arrive wait_until 10 got 1 'third taken'
# A pipe (no pty) that took com1 ends once a terminal takes it: told who, exit 1, its later
# input never sent.
mkfifo "$T/pipe.in"
ssh "${SSH_OPTS[@]}" -i "$T/bob" -p "$SSH_PORT" kvm@127.0.0.1 serial --take com1 <"$T/pipe.in" \
  >"$T/pipe.out" 2>"$T/pipe.err" &
PIPE=$!
exec {FD_pipe}>"$T/pipe.in"
printf 'pipe one\r' >&"$FD_pipe"
check pipe_writes wait_until 10 got 1 'pipe one'
tty_attach e id kvm "serial com1"
check attached_e wait_until 10 has "$T/e.out" 'Ctrl+] for the menu]'
printf '\035t' >&"$FD_e"
check pipe_taken wait_until 10 has "$T/e.out" 'you have control'
printf 'pipe two\r' >&"$FD_pipe"
pipe_ended() { ! kill -0 "$PIPE" 2>/dev/null; }
check pipe_ends_when_taken wait_until 10 pipe_ended
kill "$PIPE" 2>/dev/null
wait "$PIPE"; rc=$?
exec {FD_pipe}>&-
check pipe_exit_1 [ "$rc" -eq 1 ]
check pipe_says_holder grep -q 'sshkvm-test has control of com1; nothing sent' "$T/pipe.err"
check pipe_sent_nothing_more bash -c "sleep 0.3; ! grep -q 'pipe two' '$T/got1'"
printf '\035q' >&"$FD_e"
check audit_port_taken grep -q 'event=control who="sshkvm-test" addr="[^"]*" port="com1" action=taken from="bob"' "$T/audit.log"
check audit_port_acquired grep -q 'event=control who="carol" addr="[^"]*" port="com2" action=acquired' "$T/audit.log"
check audit_port_refused grep -q 'event=refused who="sshkvm-test" addr="[^"]*" what=serial port="com1" reason=held holder="bob"' "$T/audit.log"
check audit_no_bytes bash -c "! grep -qE 'bob one|carol two|third' '$T/audit.log'"

# ---- a terminal too slow for the port ----
# bob's client stops reading (SIGSTOP) while 4 MB of lines go by on com1.
STALLED=${SSHS[1]}
kill -STOP "$STALLED"
python3 -c '
import sys
out = open(sys.argv[1], "wb", buffering=0)
for i in range(4000):
    out.write(b"flood %04d %s\r\n" % (i, b"y" * 1000))
out.write(b"END-OF-FLOOD\r\n")' "$T/target1"
logged_all() { kssh serial --log com1 --lines 5 2>/dev/null | grep -q 'END-OF-FLOOD'; }
check flood_logged wait_until 20 logged_all
kill -CONT "$STALLED"
skipped() { grep -aq 'bytes skipped: this terminal was too slow (the log has them)' "$T/b.out"; }
check slow_terminal_marker wait_until 20 skipped
check slow_terminal_resumes wait_until 20 has "$T/b.out" 'END-OF-FLOOD'
check slow_terminal_skipped_lines [ "$(grep -ac '^flood [0-9]* y' "$T/b.out")" -lt 4000 ]
kssh serial --log com1 >"$T/log.all"
check log_holds_every_byte [ "$(grep -cE 'Z flood [0-9]{4} y{1000}.$' "$T/log.all")" -eq 4000 ]
check log_in_order bash -c "grep -oE 'Z flood [0-9]{4}' '$T/log.all' | awk '{print \$3}' | awk 'NR != \$1 + 1 {exit 1}'"
for s in b c; do printf '\035q' >&"$(eval echo \$FD_$s)"; done
console_quit "$T/con.out" >&"$FD_con"
finish

#!/usr/bin/env bash
# sshkvm killed with SIGKILL while a key is held: nothing runs at exit, so
# the key stays down on the target. The next start releases it: the first
# report it writes is all-zero. Through a file: sink (the reports land in
# the file, appended) and a FIFO (a reader sees exactly what a gadget
# would), each with a key held by `key --hold` at the moment of the kill.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
# report_at FILE OFFSET: the 8 bytes at OFFSET as hex.
report_at() { tail -c +$(($2 + 1)) "$1" | head -c 8 | hex; }

start_sshkvm --hid "file:$KBD" --mouse none || exit 1
kssh key --hold 30s shift+a >/dev/null 2>&1 &
hold=$!
for _ in $(seq 100); do [ "$(last_report "$KBD")" = "02 00 04 00 00 00 00 00" ] && break; sleep 0.1; done
check key_held_before_kill test "$(last_report "$KBD")" = "02 00 04 00 00 00 00 00"
kill -KILL "$SK_PID"
wait "$SK_PID" 2>/dev/null
SK_PID=
wait "$hold" 2>/dev/null
check still_held_after_kill test "$(last_report "$KBD")" = "02 00 04 00 00 00 00 00"
size=$(stat -c %s "$KBD")

start_sshkvm --hid "file:$KBD" --mouse none || exit 1
check restart_first_report_all_zero test "$(report_at "$KBD" "$size")" = "$ZERO"
check restart_nothing_held test "$(last_report "$KBD")" = "$ZERO"
stop_sshkvm

# The same through a FIFO, read by a process standing in for the gadget.
mkfifo "$T/hid.fifo"
cat "$T/hid.fifo" >"$T/fifo1.bin" &
reader=$!
start_sshkvm --hid "file:$T/hid.fifo" --mouse none || exit 1
kssh key --hold 30s ctrl+alt+delete >/dev/null 2>&1 &
hold=$!
for _ in $(seq 100); do [ "$(last_report "$T/fifo1.bin")" = "05 00 4c 00 00 00 00 00" ] && break; sleep 0.1; done
check fifo_key_held_before_kill test "$(last_report "$T/fifo1.bin")" = "05 00 4c 00 00 00 00 00"
kill -KILL "$SK_PID"
wait "$SK_PID" 2>/dev/null
SK_PID=
wait "$hold" "$reader" 2>/dev/null
cat "$T/hid.fifo" >"$T/fifo2.bin" &
reader=$!
start_sshkvm --hid "file:$T/hid.fifo" --mouse none || exit 1
for _ in $(seq 50); do [ -s "$T/fifo2.bin" ] && break; sleep 0.1; done
check fifo_restart_first_report_all_zero test "$(report_at "$T/fifo2.bin" 0)" = "$ZERO"
stop_sshkvm
wait "$reader" 2>/dev/null
finish

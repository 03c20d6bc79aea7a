#!/usr/bin/env bash
# A target that stops reading reports (asleep, unplugged, a BIOS ignoring
# the interface) must give the user a clear message and block nothing.
# The "device" is a FIFO whose buffer is already full, opened through the
# device sink (dev:PATH), exactly as /dev/hidg0 behaves when the host does
# not poll: non-blocking writes return EAGAIN.
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 5
mkfifo "$T/hidg0"
exec 7<>"$T/hidg0"                  # hold it open; nobody reads
head -c 65536 /dev/zero >&7         # the pipe's whole buffer: the next write would block
start_sshkvm --video "file:$T/in.mjpeg" --hid "dev:$T/hidg0" --mouse none || exit 1

start=$SECONDS
err=$(kssh type hello 2>&1); rc=$?
took=$((SECONDS - start))
check stalled_type_exits_1 test "$rc" -eq 1
echo "  message: $err"
check stalled_type_says_why grep -q "not reading" <<<"$err"
check stalled_type_returns_promptly test "$took" -le 8
status=$(kssh status)
check stalled_state_in_status grep -q '"state":"stalled"' <<<"$status"
# Everything else keeps working meanwhile.
kssh snapshot >"$T/snap.jpg"
check snapshot_works_while_stalled test -s "$T/snap.jpg"
check http_works_while_stalled test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/snapshot")" = 200

# The target comes back: the pipe is drained. The sink recovers, and the
# newest report it gets is "nothing pressed", whatever was dropped.
cat <&7 >"$T/drained.bin" &
reader=$!
for _ in $(seq 60); do grep -q '"state":"ok"' <<<"$(kssh status)" && break; sleep 0.2; done
check recovers_when_target_reads grep -q '"state":"ok"' <<<"$(kssh status)"
kssh key a
check keys_flow_again test $? -eq 0
sleep 0.3
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
last=$(tail -c 8 "$T/drained.bin" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
check last_report_after_recovery_all_released test "$last" = "$ZERO"
finish

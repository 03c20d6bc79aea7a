#!/usr/bin/env bash
# Clients that stopped reading: a snapshot far larger than the client's SSH
# window goes to an ssh whose standard output nobody reads. The session must
# give up on such a client after a bounded time, and a SIGTERM meanwhile must
# end sshkvm promptly and cleanly (every session thread joined, exit 0).
. "$(dirname "$0")/lib.sh"

# One 2560x1440 frame of noise at top quality: about 4 MB, twice what the
# client's window and the pipe behind it hold.
ffmpeg -loglevel error -f lavfi -i "nullsrc=s=2560x1440,geq=random(1)*255:random(2)*255:random(3)*255" \
  -frames:v 1 -q:v 1 -f mjpeg -y "$T/big.mjpeg"
start_sshkvm --video "file:$T/big.mjpeg" --hid "file:$T/kbd.bin" || exit 1

HELD=()
# stalled_snapshot N: ssh snapshot into a FIFO that a sleeping process holds
# open but never reads; waits until the server has run the N-th command.
stalled_snapshot() {
  mkfifo "$T/out$1"
  sleep $((120 * SLOW)) <"$T/out$1" &
  HELD+=($!)
  kssh snapshot >"$T/out$1" 2>/dev/null &
  HELD+=($!)
  for _ in $(seq $((100 * SLOW))); do
    [ "$(grep -c "command 'snapshot'" "$T/sshkvm.log")" -ge "$1" ] && break
    sleep 0.1
  done
  # Loopback fills the window in milliseconds; leave it time to.
  sleep 1
}
release_clients() {
  kill "${HELD[@]}" 2>/dev/null
  wait "${HELD[@]}" 2>/dev/null
  HELD=()
}

# A client that accepts nothing is disconnected after 10 s, with one line in the log.
stalled_snapshot 1
for _ in $(seq $((150 * SLOW))); do
  grep -q 'accepted nothing' "$T/sshkvm.log" && break
  sleep 0.1
done
check stalled_client_disconnected test "$(grep -c 'accepted nothing for 10 s' "$T/sshkvm.log")" -eq 1
release_clients

# SIGTERM while a session is stuck writing to such a client.
stalled_snapshot 2
start=$(date +%s%N)
kill -TERM "$SK_PID"
for _ in $(seq $((100 * SLOW))); do kill -0 "$SK_PID" 2>/dev/null || break; sleep 0.05; done
took_ms=$((($(date +%s%N) - start) / 1000000))
kill -0 "$SK_PID" 2>/dev/null && kill -KILL "$SK_PID"
wait "$SK_PID"
status=$?
SK_PID=
release_clients
echo "sshkvm exited $status after $took_ms ms"
check sigterm_exits_within_2s test "$took_ms" -lt $((2000 * SLOW))
check sigterm_exit_status_0 test "$status" -eq 0
check no_session_left_closing bash -c "! grep -E 'still closing|did not end' '$T/sshkvm.log'"
check shutdown_logged grep -q 'shutting down' "$T/sshkvm.log"
finish

#!/usr/bin/env bash
# Network abuse on loopback, bounded in count and time:
#  - 500 connections that never speak, to each port: the server limits the
#    ones waiting (the oldest dropped), times out the rest, and serves a
#    real ssh command and curl meanwhile; its descriptors come back;
#  - 100 failed ssh logins: throttled, each logged, a legitimate login
#    works during and after;
#  - an HTTP client and an ssh console that stop reading: other clients
#    still get frames, the server's memory stays bounded;
#  - an ssh console fed 1 MB of random bytes, and a paste of 1 MB of
#    garbage: no crash, and no key is left pressed (the keyboard sink's
#    last report is all-zero).
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 30
KBD=$T/kbd.bin
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$KBD" --mouse none || exit 1
URL=http://127.0.0.1:$HTTP_PORT
curl -s -m 5 -o /dev/null "$URL/snapshot"
kssh status >/dev/null
sleep 1
base_fds=$(fds "$SK_PID")
base_rss=$(rss_kb "$SK_PID")

# ---- 500 silent connections to each port ----
python3 "$ROOT/tests/helpers/flood.py" 127.0.0.1 "$SSH_PORT" 500 25 "$T/ready-ssh" >"$T/flood-ssh" &
fs=$!
python3 "$ROOT/tests/helpers/flood.py" 127.0.0.1 "$HTTP_PORT" 500 25 "$T/ready-http" >"$T/flood-http" &
fh=$!
for _ in $(seq 600); do [ -e "$T/ready-ssh" ] && [ -e "$T/ready-http" ] && break; sleep 0.1; done
check flood_all_connected test -e "$T/ready-ssh" -a -e "$T/ready-http"
# The least of a few looks a moment apart: a connection being refused holds
# a descriptor for an instant, which a loaded machine can catch many of; the
# 500 held ones would show in every look.
flood_fds=$(fds "$SK_PID")
for _ in 1 2 3 4; do
  sleep 0.2
  n=$(fds "$SK_PID")
  [ "$n" -lt "$flood_fds" ] && flood_fds=$n
done
out=$(timeout 20 ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 status); rc=$?
check flood_ssh_command_still_served test "$rc" -eq 0 -a -n "$out"
code=$(curl -s -m 20 -o "$T/flood-snap.jpg" -w '%{http_code}' "$URL/snapshot")
check flood_curl_still_served test "$code" = 200 -a -s "$T/flood-snap.jpg"
# Held: at most twice the 16 waiting ssh logins, and libmicrohttpd's 256 connections (a
# connection is dropped only once it has been silent for half a second and another
# arrives, so a flood faster than that is held up to the cap), plus the two above.
echo "fds: $base_fds before, $flood_fds during the flood"
check flood_descriptors_bounded test "$flood_fds" -le $((base_fds + 2 * 16 + 256 + 16))
wait "$fs" "$fh"
read -r _ o1 _ c1 <"$T/flood-ssh"
read -r _ o2 _ c2 <"$T/flood-http"
echo "ssh flood: opened $o1, closed by the server $c1; http flood: opened $o2, closed $c2"
check flood_ssh_all_closed_by_server test "$o1" -eq 500 -a "$c1" -eq 500
check flood_http_all_closed_by_server test "$o2" -eq 500 -a "$c2" -eq 500
check flood_logged grep -q 'dropping the oldest' "$T/sshkvm.log"
# fds_at_most N: the server holds N descriptors or fewer.
fds_at_most() { [ "$(fds "$SK_PID")" -le "$1" ]; }
wait_until 10 fds_at_most $((base_fds + 2))
after_fds=$(fds "$SK_PID")
echo "fds after the flood: $after_fds"
check flood_descriptors_back test "$after_fds" -le $((base_fds + 2))

# ---- 100 failed logins ----
ssh-keygen -q -t ed25519 -N '' -C intruder -f "$T/bad" >/dev/null
before_failed=$(grep -c 'failed login' "$T/sshkvm.log")
start=$SECONDS
(
  for i in $(seq 100); do
    ssh "${SSH_OPTS[@]}" -i "$T/bad" -p "$SSH_PORT" kvm@127.0.0.1 status >/dev/null 2>&1 &
    [ $((i % 10)) -eq 0 ] && wait
  done
  wait
) &
bad_pid=$!
good=0 tries=0
while kill -0 "$bad_pid" 2>/dev/null; do
  tries=$((tries + 1))
  kssh status >/dev/null 2>&1 && good=$((good + 1))
  sleep 0.5
done
wait "$bad_pid"
elapsed=$((SECONDS - start))
failed=$(($(grep -c 'failed login' "$T/sshkvm.log") - before_failed))
echo "100 failed logins took ${elapsed}s; $good of $tries legitimate logins meanwhile succeeded"
check failed_logins_each_logged test "$failed" -eq 100
check failed_logins_throttled test "$elapsed" -ge 3
check legit_login_during_failures test "$tries" -ge 1 -a "$good" -eq "$tries"
quiet_status() { kssh status >/dev/null; }
check legit_login_after_failures quiet_status

# ---- clients that stop reading ----
python3 - "$HTTP_PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b"GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
time.sleep(12)  # never reads
PY
stalled_http=$!
# The console's input stays open as long as the HTTP client stalls: at EOF
# the session would end before it could be stopped.
sleep 12 | ssh "${SSH_OPTS[@]}" -tt -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 >/dev/null 2>&1 &
# Stopped once its console is up (a session of kind ssh; commands are of kind command).
wait_until 20 status_has '"kind":"ssh"'
stalled_ssh=$(pgrep -n -f "ssh .*-tt -i $T/id -p $SSH_PORT")
check stalled_readers_ssh_console_stopped test -n "$stalled_ssh"
[ -n "$stalled_ssh" ] && kill -STOP "$stalled_ssh"
sleep 4
curl -s -m 2 -o "$T/others.body" "$URL/stream"
mkdir -p "$T/parts"
n=$("$HELPERS/multipart_split" "$T/others.body" "$T/parts")
check stalled_readers_other_stream_flows test "${n:-0}" -ge 20
kssh snapshot >"$T/stall-snap.jpg"
check stalled_readers_ssh_snapshot test -s "$T/stall-snap.jpg"
stall_rss=$(rss_kb "$SK_PID")
echo "rss: $base_rss KiB before, $stall_rss KiB with two stalled readers"
check stalled_readers_memory_bounded test "$stall_rss" -lt $((base_rss + 32 * 1024 + RSS_SLACK))
[ -n "$stalled_ssh" ] && kill -CONT "$stalled_ssh" && kill "$stalled_ssh" 2>/dev/null
kill "$stalled_http" 2>/dev/null
wait "$stalled_http" 2>/dev/null

# ---- 1 MB of garbage keys ----
: >"$KBD"
head -c 1048576 /dev/urandom >"$T/garbage"
n=$(logouts)
timeout 120 ssh "${SSH_OPTS[@]}" -tt -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 <"$T/garbage" >/dev/null 2>&1
check garbage_keys_server_alive kill -0 "$SK_PID"
# The session's end releases every key.
wait_until 10 ended_since "$n"
last=$(last_report "$KBD")
echo "keyboard reports after the garbage: $(($(stat -c %s "$KBD") / 8)), last: $last"
check garbage_keys_typed test "$(stat -c %s "$KBD")" -gt 0
check garbage_keys_none_held test "$last" = "$ZERO"
size=$(stat -c %s "$KBD")
timeout 60 ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 paste <"$T/garbage" >/dev/null 2>&1
rc=$?
check garbage_paste_refused test "$rc" -ne 0 -a "$rc" -ne 124
check garbage_paste_nothing_typed test "$(stat -c %s "$KBD")" -eq "$size"
check still_serving_after_abuse quiet_status
finish

#!/usr/bin/env bash
# The soak: SOAK_SECONDS (default 600) of viewers and writers joining and
# leaving while frames flow and a script pastes known text:
#   - HTTP viewers: /stream for 2 s, then /snapshot, over and over;
#   - ssh consoles in tmux (a real terminal), each open for 2 s;
#   - ssh commands: snapshot, status, screen;
#   - a writer pasting numbered lines of known text through a file: sink.
# Before and after (once every client has left), it reads the server's
# RSS, descriptors and threads from /proc. PASS when descriptors and
# threads are back exactly, RSS is within SOAK_RSS_SLACK_KB (default 8 MiB:
# glibc keeps per-thread arenas), every paste decodes back to exactly the
# text sent (tests/helpers/xkb_decode.py plays the reports into xkbcommon,
# as a Linux target would) and the last report releases every key.
# Prints the figures. `make soak` runs it; test_soak runs 60 s of it.
. "$(dirname "$0")/integration/lib.sh"

SECONDS_WANTED=${SOAK_SECONDS:-600}
SLACK=${SOAK_RSS_SLACK_KB:-8192}
KBD=$T/kbd.bin
make_mjpeg "$T/in.mjpeg" 60 640x360
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$KBD" --mouse none || exit 1
URL=http://127.0.0.1:$HTTP_PORT
SOCK=sk-soak-$$

http_viewer() {
  while [ ! -e "$T/stop" ]; do
    curl -s -m 2 -o /dev/null "$URL/stream"
    curl -s -m 5 -o /dev/null "$URL/snapshot"
  done
}
ssh_console() {
  local i=0
  while [ ! -e "$T/stop" ]; do
    i=$((i + 1))
    tmux -L "$SOCK" new-session -d -s "c$1-$i" -x 100 -y 30 \
      "ssh ${SSH_OPTS[*]} -t -i $T/id -p $SSH_PORT kvm@127.0.0.1"
    sleep 2
    tmux -L "$SOCK" kill-session -t "c$1-$i" 2>/dev/null
  done
}
ssh_commands() {
  while [ ! -e "$T/stop" ]; do
    kssh snapshot >/dev/null 2>&1
    kssh status >/dev/null 2>&1
    kssh screen >/dev/null 2>&1
  done
}
writer() {
  local n=0
  : >"$T/sent.txt"
  while [ ! -e "$T/stop" ]; do
    n=$((n + 1))
    printf 'paste %d: The quick brown fox jumps over the lazy dog. 0123456789 ~!@#$%%^&*()_+-={}[]|\\:;"<>,.?/\n' "$n" >"$T/one.txt"
    if kssh paste <"$T/one.txt" >/dev/null 2>"$T/paste.err"; then
      cat "$T/one.txt" >>"$T/sent.txt"
    else
      echo "paste $n failed: $(cat "$T/paste.err")" >>"$T/paste-failures"
    fi
  done
  echo "$n" >"$T/pastes"
}

# Warm up every path once, then take the baseline.
curl -s -m 1 -o /dev/null "$URL/stream"
kssh snapshot >/dev/null
kssh screen >/dev/null
printf 'warm up\n' | kssh paste >/dev/null
sleep 2
rss0=$(rss_kb "$SK_PID") fds0=$(fds "$SK_PID") thr0=$(threads "$SK_PID")
: >"$KBD"
echo "soak: ${SECONDS_WANTED}s; before: rss ${rss0} KiB, ${fds0} fds, ${thr0} threads"

pids=()
http_viewer & pids+=($!)
http_viewer & pids+=($!)
ssh_console 1 & pids+=($!)
ssh_console 2 & pids+=($!)
ssh_commands & pids+=($!)
writer & pids+=($!)
peak_rss=0 peak_thr=0
end=$((SECONDS + SECONDS_WANTED))
while [ "$SECONDS" -lt "$end" ] && kill -0 "$SK_PID" 2>/dev/null; do
  r=$(rss_kb "$SK_PID") t=$(threads "$SK_PID")
  [ "${r:-0}" -gt "$peak_rss" ] && peak_rss=$r
  [ "${t:-0}" -gt "$peak_thr" ] && peak_thr=$t
  sleep 1
done
touch "$T/stop"
wait "${pids[@]}"
tmux -L "$SOCK" kill-server 2>/dev/null
check soak_server_alive kill -0 "$SK_PID"
# Let every session notice its client left.
for _ in $(seq 100); do
  [ "$(fds "$SK_PID")" -le "$fds0" ] && [ "$(threads "$SK_PID")" -le "$thr0" ] && break
  sleep 0.1
done
sleep 1
rss1=$(rss_kb "$SK_PID") fds1=$(fds "$SK_PID") thr1=$(threads "$SK_PID")
pastes=$(cat "$T/pastes")
echo "after: rss ${rss1} KiB (peak ${peak_rss}), ${fds1} fds, ${thr1} threads (peak ${peak_thr});" \
  "${pastes} pastes, $(stat -c %s "$KBD") bytes of reports"
check soak_fds_back test "$fds1" -eq "$fds0"
check soak_threads_back test "$thr1" -eq "$thr0"
check soak_rss_back test "$rss1" -le $((rss0 + SLACK + RSS_SLACK))
check soak_no_paste_failed test ! -e "$T/paste-failures"
python3 "$ROOT/tests/helpers/xkb_decode.py" type us "" "$KBD" >"$T/typed.txt"
check soak_pastes_exact cmp -s "$T/sent.txt" "$T/typed.txt"
check soak_pastes_many test "$pastes" -ge 3
check soak_no_key_held test "$(last_report "$KBD")" = "$ZERO"
if ! cmp -s "$T/sent.txt" "$T/typed.txt"; then
  diff <(head -c 2000 "$T/sent.txt") <(head -c 2000 "$T/typed.txt") | head -10
fi
finish

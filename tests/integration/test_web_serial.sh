#!/usr/bin/env bash
# The web page's serial console: the real binary, a socat pty pair standing
# in for the target's serial line, curl and headless Chromium (driven
# through tests/integration/cdp.py) with xterm.js as shipped in web/vendor.
# curl: no login, no port (401 before anything); the stream's bytes exact
# (0x00 and 0xff included), the last screenful first; written bytes exact
# at the device; a view-only login's write and break refused with 403 and
# nothing arriving; a reader that keeps reading gets every byte, then (one
# after the other, not at once) a reader that stops reading skips ahead with
# a marker; the audit log's attach, detach and break without the bytes. The
# page: the port's output in xterm's buffer (read through its JS API), keys
# typed on the page at the device exact, the view-only page saying so with
# nothing arriving.
. "$(dirname "$0")/lib.sh"
export PYTHONPATH=$ROOT/tests/integration

command -v socat >/dev/null || { echo "FAIL web_serial_socat: socat is not installed (scripts/deps.sh test)"; exit 1; }
command -v chromium >/dev/null || { echo "FAIL web_serial_chromium: chromium is not installed (scripts/deps.sh test)"; exit 1; }

socat -d -d "pty,raw,echo=0,link=$T/com1" "pty,raw,echo=0,link=$T/target1" 2>>"$T/socat.log" &
SOCAT=$!
# com2 stays quiet: its stream must outlive the server's 15 s idle timeout.
socat -d -d "pty,raw,echo=0,link=$T/com2" "pty,raw,echo=0,link=$T/target2" 2>>"$T/socat.log" &
SOCAT2=$!
BG=()
stop_all() { for p in "${BG[@]}" $SOCAT $SOCAT2; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap 'stop_all; cleanup' EXIT
ptys() { test -e "$T/target1" && test -e "$T/target2"; }
wait_until 5 ptys || { echo "FAIL web_serial_pty: socat made no pty"; exit 1; }

ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -C bob -f "$T/bob" >/dev/null
cat "$T/bob.pub" >>"$T/authorized_keys"

start_sshkvm --serial "com1=$T/com1" --serial "com2=$T/com2" --http-auth always --audit-log "$T/audit.log" || exit 1
open_ports() { [ "$(kssh serial --list | grep -c "	open$")" -eq 2 ]; }
wait_until 10 open_ports
B=http://127.0.0.1:$HTTP_PORT
# The target's side: everything written to the port, from now on.
cat "$T/target1" >"$T/got.target" &
BG+=($!)

# ---- authentication: nothing without a login ----
code() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$@"; }
check list_needs_login [ "$(code "$B/api/serial")" = 401 ]
check stream_needs_login [ "$(code "$B/api/serial/com1/stream")" = 401 ]
check write_needs_login [ "$(code -H 'X-Sshkvm: 1' --data-binary x "$B/api/serial/com1/write")" = 401 ]
check break_needs_login [ "$(code -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/break")" = 401 ]

curl -s -m 5 -c "$T/jar" -o /dev/null "$(kssh web 2>/dev/null)"
curl -s -m 5 -c "$T/vjar" -o /dev/null "$(ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 web 2>/dev/null)"
C=(-s -m 5 -b "$T/jar")
V=(-s -m 5 -b "$T/vjar")
curl -s -N -b "$T/jar" "$B/api/serial/com2/stream" >>"$T/quiet.bin" &
BG+=($!)
QUIET_START=$SECONDS
check list_ports bash -c "curl ${C[*]} '$B/api/serial' | grep -q '^{\"role\":\"control\",\"ports\":\[{\"name\":\"com1\",\"device\":\"$T/com1\",\"settings\":\"115200 8n1\",\"state\":\"open\",\"error\":\"\",\"holder\":null},{\"name\":\"com2\",[^]]*}\]}$'"
check list_viewer_role bash -c "curl ${V[*]} '$B/api/serial' | grep -q '^{\"role\":\"view\"'"
check unknown_port_404 [ "$(code -b "$T/jar" "$B/api/serial/nope/stream")" = 404 ]
check write_cross_site_refused [ "$(code -b "$T/jar" --data-binary x "$B/api/serial/com1/write")" = 403 ]
check stream_post_405 [ "$(code -b "$T/jar" -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/stream")" = 405 ]

# ---- the stream: the last screenful, then every byte exact ----
printf 'boot line one\r\nrouter login: ' >"$T/target1"
rx_is() { kssh status | grep -qE "\"name\":\"com1\",[^}]*\"rx\":$1,"; }
wait_until 10 rx_is 29
curl -s -N -b "$T/jar" "$B/api/serial/com1/stream" >>"$T/stream.bin" &
BG+=($!)
replayed() { size_at_least "$T/stream.bin" 29; }
wait_until 10 replayed
printf 'a\000b\377c\r\n\033[1mbold\033[0m\xc3\xa9' >"$T/target1"
want_hex="$(printf 'boot line one\r\nrouter login: a\000b\377c\r\n\033[1mbold\033[0m\xc3\xa9' | hex)"
stream_exact() { [ "$(hex "$T/stream.bin")" = "$want_hex" ]; }
check stream_bytes_exact wait_until 10 stream_exact
# A stream asked for a one-row screen replays from the last line only.
curl -s -m 1 -b "$T/jar" "$B/api/serial/com1/stream?rows=1&cols=80" >"$T/stream1.bin"
replay_one_row() { [ "$(hex "$T/stream1.bin")" = "$(printf '\033[1mbold\033[0m\xc3\xa9' | hex)" ]; }
check stream_replay_rows replay_one_row

# ---- writes and breaks: control only, bytes exact ----
printf 'ls\000\377\r' >"$T/want.bin"
check write_ok [ "$(curl "${C[@]}" -H 'X-Sshkvm: 1' --data-binary @"$T/want.bin" "$B/api/serial/com1/write")" = ok ]
wrote() { [ "$(hex "$T/got.target")" = "$(hex "$T/want.bin")" ]; }
check write_bytes_exact wait_until 10 wrote
check viewer_write_403 [ "$(code -b "$T/vjar" -H 'X-Sshkvm: 1' --data-binary 'rm -rf /' "$B/api/serial/com1/write")" = 403 ]
check viewer_write_says_why bash -c "curl ${V[*]} -H 'X-Sshkvm: 1' --data-binary x '$B/api/serial/com1/write' | grep -q 'view-only'"
check viewer_break_403 [ "$(code -b "$T/vjar" -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/break")" = 403 ]
check break_sent [ "$(curl "${C[@]}" -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/break")" = "break sent" ]
check status_break status_has '"name":"com1",[^}]*"breaks":1'
# A second control login while the first holds control: told who has it, refused with 409.
curl -s -m 5 -c "$T/bjar" -o /dev/null "$(ssh "${SSH_OPTS[@]}" -i "$T/bob" -p "$SSH_PORT" kvm@127.0.0.1 web 2>/dev/null)"
check list_names_holder bash -c "curl -s -m 5 -b '$T/bjar' '$B/api/serial' | grep -q '^{\"role\":\"control\",\"ports\":\[{\"name\":\"com1\",[^}]*\"holder\":\"[^\"]\+\"}'"
check other_writer_409 [ "$(code -b "$T/bjar" -H 'X-Sshkvm: 1' --data-binary 'bob' "$B/api/serial/com1/write")" = 409 ]
sleep 0.3
check viewer_and_other_nothing_arrived wrote
# Take: bob takes com1 from the first login, writes, and the first is refused until it takes it back.
check viewer_take_403 [ "$(code -b "$T/vjar" -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/take")" = 403 ]
check other_takes [ "$(code -b "$T/bjar" -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/take")" = 200 ]
cp "$T/got.target" "$T/got.target.before"
check other_writes_after_take [ "$(code -b "$T/bjar" -H 'X-Sshkvm: 1' --data-binary 'bob' "$B/api/serial/com1/write")" = 200 ]
bob_arrived() { [ "$(hex "$T/got.target")" = "$({ cat "$T/got.target.before"; printf bob; } | hex)" ]; }
check other_bytes_arrive wait_until 10 bob_arrived
check first_refused_after_take [ "$(code "${C[@]}" -H 'X-Sshkvm: 1' --data-binary 'x' "$B/api/serial/com1/write")" = 409 ]
check audit_port_taken grep -q 'event=control .*port="\?com1"\? action=taken' "$T/audit.log"
check first_takes_back [ "$(code "${C[@]}" -H 'X-Sshkvm: 1' -X POST "$B/api/serial/com1/take")" = 200 ]

# ---- a reader that keeps reading gets every byte; one that stops skips ahead ----
# About 1.6 MB at 400 KB/s (a fast UART; a pty alone has no speed), so that the reader
# keeps up on a busy machine too.
: >"$T/stream.bin"
head -c 1200000 /dev/urandom | base64 -w 76 >"$T/big.txt"
pace() {
  python3 - "$1" "$2" <<'PY'
import sys, time
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb", buffering=0) as dev:
    for i in range(0, len(data), 8192):
        dev.write(data[i:i + 8192])
        time.sleep(0.02)
PY
}
pace "$T/big.txt" "$T/target1"
fast_got_all() { size_at_least "$T/stream.bin" "$(stat -c %s "$T/big.txt")"; }
check fast_reader_gets_all wait_until 10 fast_got_all
check fast_reader_exact cmp -s "$T/stream.bin" "$T/big.txt"

# A reader that stops reading (a small receive buffer, then nothing read) while 8 MB go by
# at the pty's own speed, more than the kernel's socket buffers (4 MB at most) and the
# port's ring (256 KiB) hold: the port reads all of it meanwhile, and the reader, let go,
# finds a marker and then the newest output.
python3 - "$HTTP_PORT" "$T" >"$T/slow.out" 2>&1 <<'PY' &
import os, socket, sys, time
port, tmp = int(sys.argv[1]), sys.argv[2]
cookie = [l.split("\t") for l in open(tmp + "/jar") if "sshkvm_session" in l][0][-1].strip()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(("GET /api/serial/com1/stream HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: sshkvm_session=%s\r\n\r\n" % cookie).encode())
open(tmp + "/slow.ready", "w").close()
while not os.path.exists(tmp + "/slow.go"):
    time.sleep(0.1)
# Read until the newest output has come (the last bytes of what the device wrote), or 10 s
# pass with nothing new, or 20 s in all: a loaded machine may pause the stream for a while.
tail = open(tmp + "/big2.txt", "rb").read()[-1000:]
data = b""
s.settimeout(10)
end = time.time() + 20
try:
    while time.time() < end and not data.endswith(tail):
        c = s.recv(65536)
        if not c:
            break
        data += c
except socket.timeout:
    pass
# Whole or not at all: the test goes on as soon as slow.bin exists (written straight to it,
# it was once read half written, and both checks below failed).
open(tmp + "/slow.part", "wb").write(data)
os.replace(tmp + "/slow.part", tmp + "/slow.bin")
PY
BG+=($!)
wait_until 10 test -e "$T/slow.ready"
sleep 0.3
rx_now() { kssh status | grep -o '"name":"com1",[^}]*' | sed -n 's/.*"rx":\([0-9]*\).*/\1/p'; }
rx0=$(rx_now)
head -c 6000000 /dev/urandom | base64 -w 76 >"$T/big2.txt"
cat "$T/big2.txt" >"$T/target1"
port_read_all() { [ "$(rx_now)" -ge $((rx0 + $(stat -c %s "$T/big2.txt"))) ]; }
check port_not_slowed_by_stopped_reader wait_until 10 port_read_all
touch "$T/slow.go"
wait_until 25 test -e "$T/slow.bin" # the reader gives up after 20 s
check slow_reader_marker grep -aq 'bytes skipped: this browser was too slow (the log has them)' "$T/slow.bin"
slow_ends_current() { [ "$(tail -c 1000 "$T/slow.bin" | hex)" = "$(tail -c 1000 "$T/big2.txt" | hex)" ]; }
check slow_reader_ends_current slow_ends_current

# ---- the page: xterm.js on the stream, typing to the port ----
: >"$T/stream.bin"
python3 - "$(kssh web 2>/dev/null)" "$T" "chromium1" >"$T/page.out" 2>&1 <<'PY'
import sys, time
from cdp import Browser
url, tmp, prof = sys.argv[1], sys.argv[2], sys.argv[3]
b = Browser(url, tmp + "/" + prof)
print("button_shown", b.wait_for("location.pathname === '/' && !document.getElementById('serial-open').hidden"))
b.eval("document.getElementById('serial-open').click(), true")
print("term_open", b.wait_for("window.sshkvmSerial.terminal() !== null && !document.getElementById('serial').hidden"))
time.sleep(0.5)
with open(tmp + "/target1", "wb") as dev:
    dev.write(b"\r\nDebian GNU/Linux 12 host ttyS0\r\n\r\nhost login: ")
line = """(function () { var t = window.sshkvmSerial.terminal(), buf = t.buffer.active, out = [];
  for (var i = 0; i < buf.length; i++) { out.push(buf.getLine(i).translateToString(true)); }
  return out.join("\\n"); })()"""
print("target_text", b.wait_for("(%s).indexOf('Debian GNU/Linux 12 host ttyS0') >= 0" % line))
print("lines", repr(b.eval(line).rstrip("\n").split("\n")[-3:]))
print("state", repr(b.eval("document.getElementById('serial-state').textContent")))
b.eval("window.sshkvmSerial.terminal().focus(), true")
for ch, code, vk in (("r", "KeyR", 82), ("o", "KeyO", 79), ("o", "KeyO", 79), ("t", "KeyT", 84)):
    b.key("down", code, ch, vk, ch)
    b.key("up", code, ch, vk)
b.key("down", "Enter", "Enter", 13, "\r")
b.key("up", "Enter", "Enter", 13)
time.sleep(1)
b.close()
PY
cat "$T/page.out" >&2
check page_serial_button grep -q '^button_shown True' "$T/page.out"
check page_terminal_open grep -q '^term_open True' "$T/page.out"
typed() { [ "$(tail -c 5 "$T/got.target" | hex)" = "$(printf 'root\r' | hex)" ]; }
check page_keys_arrive_exact wait_until 20 typed
check page_shows_output grep -q '^target_text True' "$T/page.out"
check page_lines_exact grep -qF "lines ['Debian GNU/Linux 12 host ttyS0', '', 'host login: ']" "$T/page.out"
check page_state_says_port grep -q "^state 'com1: .* 115200 8n1 open'" "$T/page.out"

# The view-only page: its typing is refused, it says so, and nothing arrives.
cp "$T/got.target" "$T/got.before.viewer"
python3 - "$(ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 web 2>/dev/null)" "$T" >"$T/vpage.out" 2>&1 <<'PY'
import sys, time
from cdp import Browser
url, tmp = sys.argv[1], sys.argv[2]
b = Browser(url, tmp + "/chromium2")
b.wait_for("location.pathname === '/' && !document.getElementById('serial-open').hidden")
b.eval("document.getElementById('serial-open').click(), true")
print("term_open", b.wait_for("window.sshkvmSerial.terminal() !== null"))
print("break_disabled", b.wait_for("document.getElementById('serial-break').disabled"))
b.eval("window.sshkvmSerial.terminal().focus(), true")
b.key("down", "KeyX", "x", 88, "x")
b.key("up", "KeyX", "x", 88)
print("says_view_only", b.wait_for("document.getElementById('serial-state').textContent.indexOf('view only') >= 0"))
b.close()
PY
cat "$T/vpage.out" >&2
check viewer_page_open grep -q '^term_open True' "$T/vpage.out"
check viewer_page_break_disabled grep -q '^break_disabled True' "$T/vpage.out"
check viewer_page_says_view_only grep -q '^says_view_only True' "$T/vpage.out"
sleep 0.3
check viewer_page_nothing_arrived cmp -s "$T/got.target" "$T/got.before.viewer"

# ---- a stream on a port quiet for longer than the HTTP idle timeout (15 s) lives on ----
while [ $((SECONDS - QUIET_START)) -lt 17 ]; do sleep 0.5; done
printf 'after the quiet\r\n' >"$T/target2"
quiet_ok() { [ "$(hex "$T/quiet.bin")" = "$(printf 'after the quiet\r\n' | hex)" ]; }
check quiet_stream_lives wait_until 10 quiet_ok

# ---- the server stops with a stream open (the first curl's): promptly, cleanly ----
kill -TERM "$SK_PID"
gone() { ! kill -0 "$SK_PID" 2>/dev/null; }
check stop_with_stream_prompt wait_until 5 gone
wait "$SK_PID"; rc=$?
SK_PID=
check stop_with_stream_exit_0 [ "$rc" -eq 0 ]
stop_all
BG=()

# ---- the audit log: attach, detach, break; never the bytes ----
detached() { [ "$(grep -c 'port=com1 action=detach web=1' "$T/audit.log")" -ge 4 ]; }
check audit_detach wait_until 10 detached
check audit_attach [ "$(grep -c 'port=com1 action=attach web=1' "$T/audit.log")" -ge 4 ]
check audit_break grep -q 'event=serial .*port=com1 action=break web=1' "$T/audit.log"
check audit_viewer_refused grep -q 'event=refused .*what=serial port="\?com1"\? reason=view-only' "$T/audit.log"
# (the keys' fingerprints are random base64, which held "ls" once: they are left out)
check audit_no_bytes bash -c "! sed -E 's/SHA256:[A-Za-z0-9+\/]+//g' '$T/audit.log' | grep -qE 'root|rm -rf|ls'"
finish

#!/usr/bin/env bash
# The power command with the real binary over real OpenSSH: Wake-on-LAN's
# magic packet received on a loopback UDP socket and checked byte for byte
# against one built here; pressing needs control (a view-only key gets the
# status only); the audit names each action and its outcome; `power`
# without any wiring says so (exit 1); a bad --power-gpio or --wol is one
# clear line and exit 2; a GPIO chip that is missing is one log line,
# sshkvm keeps running and `power status`, status JSON and /metrics say
# "absent". Real GPIO lines are tests/vm's (gpio-sim).
. "$(dirname "$0")/lib.sh"
# expect NAME: PASS when the command before it (a chain of && tests) succeeded.
expect() { if [ $? -eq 0 ]; then pass "$1"; else fail "$1"; fi; }

ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
viewer() { ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
MAC=52:54:00:12:ab:CD

# Bad options: one line naming the option, exit 2, nothing started.
"$BIN" --power-gpio gpiochip0,fan=3 >/dev/null 2>"$T/bad1.err"; rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$T/bad1.err")" -eq 1 ] && grep -q "^sshkvm: --power-gpio: unknown line 'fan'" "$T/bad1.err"; expect bad_power_gpio
"$BIN" --wol 52:54:00:12:ab >/dev/null 2>"$T/bad2.err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "^sshkvm: --wol: '52:54:00:12:ab' is not a MAC address" "$T/bad2.err"; expect bad_wol
printf 'power-gpio = gpiochip0,led=23\n' >"$T/bad.conf"
"$BIN" --config "$T/bad.conf" >/dev/null 2>"$T/bad3.err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "power and led are both line 23" "$T/bad3.err"; expect bad_power_gpio_in_config

# No wiring at all: power says so.
start_sshkvm || exit 1
kssh power 2>"$T/none.err"; rc=$?
[ "$rc" -eq 1 ] && grep -q "no power control (start sshkvm with --power-gpio CHIP or --wol MAC)" "$T/none.err"; expect power_without_wiring
check_all status_without_power 's=$(kssh status) && grep -q "\"source\"" <<<"$s" && ! grep -q "\"power\"" <<<"$s"'
stop_sshkvm

# A UDP socket on loopback that writes the first datagram it gets to a file.
python3 - "$T/udp.port" "$T/udp.got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(60)
data, _ = s.recvfrom(4096)
open(sys.argv[2], "wb").write(data)
PY
UDP=$!
wait_until 10 test -s "$T/udp.port"
UDP_PORT=$(cat "$T/udp.port")

start_sshkvm --wol "$MAC,127.0.0.1:$UDP_PORT" --audit-log "$T/audit.log" || exit 1
viewer power wake 2>"$T/vwake.err"; rc=$?
[ "$rc" -eq 1 ] && grep -q "view-only" "$T/vwake.err"; expect view_only_cannot_wake
out=$(viewer power status); rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "power: unknown (no --power-gpio; power wake sends Wake-on-LAN)" ]; expect view_only_reads_status
kssh power on 2>"$T/on.err"; rc=$?
[ "$rc" -eq 1 ] && grep -q "no power buttons wired" "$T/on.err"; expect on_without_gpio
kssh power jump 2>"$T/usage.err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown action 'jump'" "$T/usage.err"; expect unknown_action_usage
kssh power reset --force 2>/dev/null; rc=$?
check force_on_reset_usage [ "$rc" -eq 2 ]
out=$(kssh power wake); rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "sent the magic packet for 52:54:00:12:ab:cd to 127.0.0.1:$UDP_PORT" ]; expect wake_exit_0
wait_until 10 test -s "$T/udp.got"
wait "$UDP" 2>/dev/null
# The expected bytes, built here: six 0xff, then the MAC sixteen times.
python3 -c 'import sys; sys.stdout.buffer.write(b"\xff" * 6 + bytes.fromhex("525400" "12abcd") * 16)' >"$T/udp.want"
check wake_packet_bytes cmp -s "$T/udp.got" "$T/udp.want"
check wake_packet_len [ "$(stat -c %s "$T/udp.got")" -eq 102 ]
# The page's buttons: POST /api/power runs the same command (loopback: the control role here).
api() { curl -s -o "$T/api.out" -w '%{http_code}' -H 'X-Sshkvm: 1' -H 'Content-Type: text/plain' "$@"; }
code=$(api --data-binary wake "http://127.0.0.1:$HTTP_PORT/api/power")
[ "$code" = 200 ] && grep -q "^sent the magic packet for 52:54:00:12:ab:cd" "$T/api.out"; expect web_wake
code=$(api --data-binary jump "http://127.0.0.1:$HTTP_PORT/api/power")
[ "$code" = 400 ]; expect web_bad_action
code=$(api --data-binary on "http://127.0.0.1:$HTTP_PORT/api/power")
[ "$code" = 409 ] && grep -q "no power buttons wired" "$T/api.out"; expect web_on_without_gpio
# A view-only key's web login: refused before anything runs.
url=$(viewer web 2>/dev/null)
curl -s -c "$T/vcookies" -o /dev/null "$url"
code=$(api -b "$T/vcookies" --data-binary wake "http://127.0.0.1:$HTTP_PORT/api/power")
[ "$code" = 403 ] && grep -q "view-only" "$T/api.out"; expect web_view_only_refused
check status_json_power status_has '"power":\{"wired":false,"state":"unknown","disk":null,"pressing":"","presses":0,"wol":true,"wakes":2,'
check metrics_wakes bash -c "curl -s http://127.0.0.1:$HTTP_PORT/metrics | grep -qx 'sshkvm_power_wakes_total 2'"
check audit_wake grep -q 'event=power who="sshkvm-test" .*action=wake result=done' "$T/audit.log"
check audit_refused_wake grep -q 'who="viewer".*view-only' "$T/audit.log"
check audit_on_failed grep -q 'event=power who="sshkvm-test" .*action=on result=failed' "$T/audit.log"
stop_sshkvm

# A GPIO chip that is not there: one clear line, and sshkvm keeps running.
start_sshkvm --power-gpio "$T/gpiochip-missing,reset=none" || exit 1
check missing_chip_one_line [ "$(grep -c "power buttons unavailable: $T/gpiochip-missing: No such file or directory" "$T/sshkvm.log")" -eq 1 ]
out=$(kssh power status); rc=$?
[ "$rc" -eq 1 ] && [ "$out" = "power: absent ($T/gpiochip-missing: No such file or directory)" ]; expect missing_chip_status
kssh power on 2>"$T/mon.err"; rc=$?
[ "$rc" -eq 1 ] && grep -q "the GPIO lines are not available ($T/gpiochip-missing: No such file" "$T/mon.err"; expect missing_chip_on_fails
out=$(kssh power status --json); rc=$?
[ "$rc" -eq 1 ] && grep -q '^{"wired":true,"state":"absent",' <<<"$out"; expect missing_chip_json
check missing_chip_status_json status_has '"power":\{"wired":true,"state":"absent"'
serving() { kssh status >/dev/null; }
check missing_chip_still_serving serving
check missing_chip_logged_once [ "$(grep -c "power buttons unavailable" "$T/sshkvm.log")" -eq 1 ]
check still_running kill -0 "$SK_PID"

finish

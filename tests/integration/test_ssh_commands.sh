#!/usr/bin/env bash
# Script commands over the real OpenSSH client, checked by the exact HID
# report bytes they produce (file: sink) and the exact frame bytes they
# return (file: source). Also: what the server must refuse.
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 12
mkdir -p "$T/frames"
"$HELPERS/mjpeg_frames" "$T/in.mjpeg" "$T/frames" >/dev/null
(cd "$T/frames" && md5sum *.jpg | awk '{print $1}' | sort) >"$T/frames.md5"

KBD=$T/kbd.bin
MOUSE=$T/mouse.bin
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$KBD" --mouse "file:$MOUSE" || exit 1

# reports_since OFFSET: the reports written after OFFSET bytes, as hex.
reports_since() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
size() { stat -c %s "$KBD"; }
expect_reports() { # NAME OFFSET EXPECTED-HEX
  local got; got=$(reports_since "$2")
  if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "got [$got] want [$3]"; fi
}

check startup_all_released test "$(hex "$KBD")" = "$ZERO"

o=$(size)
kssh type 'Hello, World!'
check type_exit_0 test $? -eq 0
expect_reports type_hello_world_bytes "$o" "$(press 02 0b) $(press 0 08) $(press 0 0f) $(press 0 0f) $(press 0 12) $(press 0 36) $(press 0 2c) $(press 02 1a) $(press 0 12) $(press 0 15) $(press 0 0f) $(press 0 07) $(press 02 1e)"

o=$(size)
kssh type 'a  b'
expect_reports type_keeps_spaces "$o" "$(press 0 04) $(press 0 2c) $(press 0 2c) $(press 0 05)"

o=$(size)
kssh key ctrl+alt+delete f2 enter shift+tab
check key_exit_0 test $? -eq 0
expect_reports key_combo_bytes "$o" "$(press 05 4c) $(press 0 3b) $(press 0 28) $(press 02 2b)"

o=$(size)
printf 'ab\ncd\r\nx' | kssh paste
check paste_exit_0 test $? -eq 0
expect_reports paste_newlines_as_enter "$o" "$(press 0 04) $(press 0 05) $(press 0 28) $(press 0 06) $(press 0 07) $(press 0 28) $(press 0 1b)"

o=$(size)
seq 1 200 | kssh paste
check paste_long_exit_0 test $? -eq 0
check paste_long_all_reports test $(( $(size) - o )) -eq $(( $(seq 1 200 | wc -c) * 16 ))

o=$(size)
err=$(kssh type 'café €' 2>&1); rc=$?
check untypable_exit_1 test "$rc" -eq 1
names_both() { grep -qF "'é' (U+00E9)" <<<"$err" && grep -qF "'€' (U+20AC)" <<<"$err"; }
check untypable_named names_both
check untypable_nothing_typed test "$(size)" -eq "$o"

err=$(kssh key ctrl+nosuchkey 2>&1); rc=$?
check bad_key_exit_2 test "$rc" -eq 2
check bad_key_named grep -q "nosuchkey" <<<"$err"
check bad_key_nothing_typed test "$(size)" -eq "$o"

err=$(kssh frobnicate 2>&1 >/dev/null); rc=$?
check unknown_command_exit_2 test "$rc" -eq 2
check unknown_command_usage_on_stderr grep -q "usage:" <<<"$err"

kssh snapshot >"$T/snap.jpg"
check snapshot_exit_0 test $? -eq 0
check snapshot_is_a_captured_frame in_set "$T/snap.jpg" "$T/frames.md5"

kssh screen --cols 60 --rows 20 >"$T/screen.txt"
check screen_exit_0 test $? -eq 0
check screen_20_lines test "$(wc -l <"$T/screen.txt")" -eq 20
check screen_has_colour grep -q $'\033\\[' "$T/screen.txt"
width=$(sed 's/\x1b\[[0-9;]*m//g' "$T/screen.txt" | awk '{ if (length($0) > m) m = length($0) } END { print m }')
check screen_fits_60_cols test "$width" -le 60

status=$(kssh status)
check status_exit_0 test $? -eq 0
check status_one_line test "$(printf '%s\n' "$status" | wc -l)" -eq 1
check status_source grep -q "\"source\":\"file:$T/in.mjpeg\"" <<<"$status"
check status_resolution grep -q '"resolution":"320x240"' <<<"$status"
check status_hid_ok grep -q '"state":"ok"' <<<"$status"
check status_leds grep -q '"leds":{"num":false,"caps":false' <<<"$status"

# The absolute mouse: 6-byte reports [buttons, x lo, x hi, y lo, y hi, wheel], x/y 0..32767.
kssh mouse 50% 50% click
check mouse_exit_0 test $? -eq 0
kssh mouse 319 239 && kssh mouse click right && kssh mouse scroll -3
check mouse_reports_exact test "$(hex "$MOUSE")" = "00 00 40 00 40 00 01 00 40 00 40 00 00 00 40 00 40 00 00 ff 7f ff 7f 00 02 ff 7f ff 7f 00 00 ff 7f ff 7f 00 00 ff 7f ff 7f fd"
kssh mouse 400 10 2>/dev/null
check mouse_off_screen_exit_2 test $? -eq 2
# Not numbers, not positions: nothing sent (UBSan would stop a NaN turned into a coordinate).
before=$(stat -c %s "$MOUSE")
for pos in 'nan nan' 'inf 10' '10 -nan' 'NAN% 5'; do
  kssh mouse $pos 2>/dev/null
  check "mouse_${pos//[^a-zA-Z0-9]/_}_exit_2" test $? -eq 2
done
check mouse_nan_sent_nothing test "$(stat -c %s "$MOUSE")" = "$before"
check mouse_in_status grep -q '"pointer":{"x":32767,"y":32767,"buttons":0}' <<<"$(kssh status)"

# What must be refused.
ssh-keygen -q -t ed25519 -N '' -f "$T/other" >/dev/null
ssh "${SSH_OPTS[@]}" -i "$T/other" -p "$SSH_PORT" kvm@127.0.0.1 status >/dev/null 2>&1
check unauthorized_key_refused test $? -eq 255
# Authentication attempts are bounded: a client offering many wrong keys is cut off.
ids=()
for i in 1 2 3 4 5 6 7 8; do ssh-keygen -q -t ed25519 -N '' -f "$T/wrong$i" >/dev/null; ids+=(-i "$T/wrong$i"); done
out=$(ssh "${SSH_OPTS[@]}" -o LogLevel=INFO "${ids[@]}" -p "$SSH_PORT" kvm@127.0.0.1 status 2>&1); rc=$?
check auth_attempts_bounded test "$rc" -eq 255
check auth_failures_logged grep -q "too many authentication failures" "$T/sshkvm.log"
kssh -W 127.0.0.1:"$HTTP_PORT" </dev/null >/dev/null 2>&1
check direct_tcpip_refused test $? -ne 0
fwd_port=$(free_port)
kssh -o ExitOnForwardFailure=yes -R "$fwd_port:127.0.0.1:$HTTP_PORT" status >/dev/null 2>&1
check remote_forward_refused test $? -ne 0
kssh -L "$fwd_port:127.0.0.1:$HTTP_PORT" -N -f -o ExitOnForwardFailure=yes 2>/dev/null
# listening PORT: something listens on 127.0.0.1:PORT (the client's end of the forward).
listening() { ss -Hltn "sport = :$1" | grep -q .; }
wait_until 10 listening "$fwd_port"
curl -s -m 3 -o /dev/null "http://127.0.0.1:$fwd_port/snapshot"
check local_forward_carries_nothing test $? -ne 0
pkill -f "ssh.*-L $fwd_port:" 2>/dev/null
echo put "$T/in.mjpeg" | sftp "${SSH_OPTS[@]}" -i "$T/id" -P "$SSH_PORT" -b - kvm@127.0.0.1 >/dev/null 2>&1
check sftp_refused test $? -ne 0
scp -O "${SSH_OPTS[@]}" -i "$T/id" -P "$SSH_PORT" "$T/in.mjpeg" kvm@127.0.0.1:/tmp/x >/dev/null 2>&1
check scp_refused test $? -ne 0
out=$(kssh -T </dev/null 2>&1); rc=$?
check shell_without_pty_refused test "$rc" -eq 2
check no_shell_ever bash -c "! kssh 'sh -c id' 2>/dev/null | grep -q uid="

# Nothing above left a key pressed: the last report is all-released.
check last_report_all_released test "$(tail -c 8 "$KBD" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')" = "$ZERO"
finish

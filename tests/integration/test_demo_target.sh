#!/usr/bin/env bash
# The built-in demo target end to end: it runs at 30 fps, our reports reach
# it as a USB host would decode them, its Caps Lock LED comes back through
# the HID, and typing changes what it shows.
. "$(dirname "$0")/lib.sh"

start_sshkvm || exit 1
# The rate is measured over a second: wait for the first measurement.
wait_until 20 status_has '"fps":[1-9]'
status=$(kssh status)
check demo_resolution grep -q '"resolution":"720x400"' <<<"$status"
fps=$(sed -n 's/.*"fps":\([0-9.]*\).*/\1/p' <<<"$status")
check demo_about_30fps awk -v f="$fps" 'BEGIN { exit !(f >= 25 && f <= 35) }'
check demo_source grep -q '"source":"demo"' <<<"$status"

kssh snapshot >"$T/a.jpg"
check demo_snapshot_is_jpeg bash -c "djpeg '$T/a.jpg' >/dev/null 2>&1 || ffmpeg -loglevel error -i '$T/a.jpg' -f null - </dev/null"

kssh key capslock
wait_until 10 status_has '"caps":true'
check caps_led_on grep -q '"caps":true' <<<"$(kssh status)"
kssh key capslock
wait_until 10 status_has '"caps":false'
check caps_led_off grep -q '"caps":false' <<<"$(kssh status)"

# Typing into the System Name field changes that text row, and only typing
# does: the row's decoded pixels (text row 11 = pixel rows 176..191, one
# JPEG MCU row, away from the ticking clock) are compared exactly.
name_row() { djpeg -pnm "$1" | tail -c +16 | tail -c +$((176 * 2160 + 1)) | head -c $((16 * 2160)); }
kssh key down down                 # from System Time to System Name
sleep 0.3
kssh snapshot >"$T/s1.jpg"; sleep 1.2; kssh snapshot >"$T/s2.jpg"
check name_row_stable_without_typing cmp -s <(name_row "$T/s1.jpg") <(name_row "$T/s2.jpg")
kssh key enter && kssh type 'sshkvm-demo' && kssh key enter
sleep 0.3
kssh snapshot >"$T/s3.jpg"
check typing_changes_the_name_row bash -c "! cmp -s <(djpeg -pnm '$T/s2.jpg' | tail -c +16 | tail -c +$((176 * 2160 + 1)) | head -c $((16 * 2160))) <(djpeg -pnm '$T/s3.jpg' | tail -c +16 | tail -c +$((176 * 2160 + 1)) | head -c $((16 * 2160)))"

# HTTP shows the same demo.
curl -s -m 2 -o "$T/demo.body" "http://127.0.0.1:$HTTP_PORT/stream"
mkdir -p "$T/parts"
n=$("$HELPERS/multipart_split" "$T/demo.body" "$T/parts")
check demo_stream_flows test "${n:-0}" -ge 20
finish

#!/usr/bin/env bash
# test_caps_lock: `type` and `paste` give the text asked for whatever the
# target's Caps Lock says. The built-in demo target owns the lock (its LED
# comes back through the HID like a real host's output report); the System
# Name field it shows is compared pixel for pixel with Caps Lock off and on.
. "$(dirname "$0")/lib.sh"

start_sshkvm || exit 1
wait_until 20 captured
# Text row 11 of the demo (pixel rows 176..191), where the System Name is shown.
name_row() { djpeg -pnm "$1" | tail -c +16 | tail -c +$((176 * 2160 + 1)) | head -c $((16 * 2160)); }
bs=$(printf 'backspace %.0s' $(seq 40))
# set_name HOW TEXT: edit the System Name field, clear it, enter TEXT with `type` or `paste`.
set_name() {
  kssh key enter $bs >/dev/null
  if [ "$1" = type ]; then kssh type "$2"; else printf '%s' "$2" | kssh paste; fi
  kssh key enter
  # The demo has drawn the field with TEXT (read back as text) before a snapshot is taken.
  wait_until 10 name_shown "$2"
}
# name_shown TEXT: the demo's System Name field shows TEXT.
name_shown() { kssh screen --text | grep -qF "System Name               [$1]"; }
kssh key down down # to System Name
sleep 0.3
set_name type 'Caps Test 9x'
kssh snapshot >"$T/off.jpg"
set_name type 'cAPS tEST 9X'
kssh snapshot >"$T/inverted.jpg"
# The control: the row shows case, so a wrong case would be seen.
rows_differ() { ! cmp -s <(name_row "$1") <(name_row "$2"); }
check row_shows_case rows_differ "$T/off.jpg" "$T/inverted.jpg"

kssh key capslock
wait_until 10 status_has '"caps":true'
check caps_led_on grep -q '"caps":true' <<<"$(kssh status)"
set_name type 'Caps Test 9x'
kssh snapshot >"$T/on.jpg"
check type_same_text_caps_on cmp -s <(name_row "$T/off.jpg") <(name_row "$T/on.jpg")
set_name type 'x'
set_name paste 'Caps Test 9x'
kssh snapshot >"$T/paste.jpg"
check paste_same_text_caps_on cmp -s <(name_row "$T/off.jpg") <(name_row "$T/paste.jpg")
kssh key capslock
wait_until 10 status_has '"caps":false'
check caps_led_off grep -q '"caps":false' <<<"$(kssh status)"
finish

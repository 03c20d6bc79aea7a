#!/usr/bin/env bash
# The page as a KVM console in headless Chromium, driven through the
# DevTools protocol (tests/integration/cdp.py) with real mouse and key
# events. First against file sinks, whose bytes must be exactly the HID
# reports the events stand for (KeyboardEvent.code to usages, the click's
# position relative to the displayed picture, release on blur, the
# Ctrl+Alt+Del button, the paste box through the keymap); then against
# the demo target, whose screen must change when the page types into it.
. "$(dirname "$0")/lib.sh"
export PYTHONPATH=$ROOT/tests/integration

KBD=$T/kbd.bin
MOUSE=$T/mouse.bin
start_sshkvm --hid "file:$KBD" --mouse "file:$MOUSE" --http-auth always || exit 1
url=$(kssh web 2>/dev/null)

# Log in through the one-time URL like a user, then act on the page.
python3 - "$url" "$T" >"$T/page1.out" 2>&1 <<'PY'
import os, sys, time
from cdp import Browser, picture_point, wait_size
url, tmp = sys.argv[1], sys.argv[2]
kbd, mouse = tmp + "/kbd.bin", tmp + "/mouse.bin"
b = Browser(url, tmp + "/chromium1")
ok = b.wait_for("location.pathname === '/' && document.getElementById('stream').naturalWidth > 0")
print("stream_shown", ok)
print("picture", b.eval("[document.getElementById('stream').naturalWidth, document.getElementById('stream').naturalHeight]"))
x, y, hx, hy = picture_point(b, 100, 184)
print("expect_mouse", hx, hy)
# Each step goes once the reports of the one before have arrived (8 bytes a keyboard report,
# 6 a mouse report): the click's press and release at least.
m0 = os.path.getsize(mouse)
b.click(x, y)
wait_size(mouse, m0 + 12)
k0 = os.path.getsize(kbd)
b.key("down", "ShiftLeft", "Shift", 16)
b.key("down", "KeyH", "H", 72, "H")
b.key("up", "KeyH", "H", 72)
b.key("up", "ShiftLeft", "Shift", 16)
b.key("down", "KeyI", "i", 73, "i")
b.key("up", "KeyI", "i", 73)
b.key("down", "KeyA", "a", 65, "a")
wait_size(kbd, k0 + 7 * 8)
# The window loses focus with A still held: the page must release it.
b.eval("window.dispatchEvent(new Event('blur')), true")
wait_size(kbd, k0 + 8 * 8)
b.eval("document.getElementById('cad').click(), true")
wait_size(kbd, k0 + 14 * 8)
b.eval("document.getElementById('paste-text').value = 'Hi!', document.getElementById('paste-send').click(), true")
print("paste_result", b.wait_for("document.getElementById('paste-result').textContent === 'typed'"))
print("errors", repr(b.eval("document.getElementById('err').textContent")))
b.close()
PY
cat "$T/page1.out" >&2
check page_shows_stream grep -q '^stream_shown True' "$T/page1.out"
check page_picture_is_720x400 grep -q '^picture \[720, 400\]' "$T/page1.out"
check paste_box_typed grep -q '^paste_result True' "$T/page1.out"
check page_no_errors grep -q "^errors ''" "$T/page1.out"
sleep 0.3

k() { printf '%02x 00 %02x 00 00 00 00 00' "0x$1" "0x$2"; }
want="$ZERO $(k 02 00) $(k 02 0b) $(k 02 00) $ZERO $(k 00 0c) $ZERO $(k 00 04) $ZERO"
want="$want $(k 01 00) $(k 05 00) $(k 05 4c) $(k 05 00) $(k 01 00) $ZERO"
want="$want $(k 02 0b) $ZERO $(k 00 0c) $ZERO $(k 02 1e) $ZERO"
got=$(hex "$KBD")
# Closing the browser hides the page and blurs it, each of which may release everything
# once more: all-zero reports after the expected ones are harmless.
while [ "${#got}" -gt "${#want}" ] && [ "${got% $ZERO}" != "$got" ]; do got=${got% $ZERO}; done
if [ "$got" = "$want" ]; then pass page_keyboard_exact_reports; else fail page_keyboard_exact_reports "got [$got] want [$want]"; fi

read -r _ hx hy < <(grep '^expect_mouse' "$T/page1.out")
m() { printf '%02x %02x %02x %02x %02x 00' "$1" $(($2 & 255)) $(($2 >> 8)) $(($3 & 255)) $(($3 >> 8)); }
mouse_tail=$(tail -c 18 "$MOUSE" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
want_mouse="$(m 0 "$hx" "$hy") $(m 1 "$hx" "$hy") $(m 0 "$hx" "$hy")"
if [ "$mouse_tail" = "$want_mouse" ]; then pass click_lands_where_made; else fail click_lands_where_made "got [$mouse_tail] want [$want_mouse]"; fi
stop_sshkvm

# The demo target: a double click on its System Name item opens the field,
# typing on the page fills it in, and the pointer is where the click was.
start_sshkvm || exit 1
sleep 1
name_row() { djpeg -pnm "$1" | tail -c +16 | tail -c +$((176 * 2160 + 1)) | head -c $((16 * 2160)); }
kssh snapshot >"$T/before.jpg"
python3 - "http://127.0.0.1:$HTTP_PORT/" "$T" >"$T/page2.out" 2>&1 <<'PY'
import sys, time
from cdp import Browser, picture_point
url, tmp = sys.argv[1], sys.argv[2]
b = Browser(url, tmp + "/chromium2")
print("stream_shown", b.wait_for("document.getElementById('stream').naturalWidth > 0"))
# Text row 11 (pixels 176..191), column 10: the System Name item.
x, y, hx, hy = picture_point(b, 10 * 9 + 4, 11 * 16 + 8)
print("expect_pointer", hx, hy)
b.click(x, y)
time.sleep(0.3)
b.click(x, y)
time.sleep(0.3)
for code, key, vk in (("KeyW", "w", 87), ("KeyE", "e", 69), ("KeyB", "b", 66)):
    b.key("down", code, key, vk, key)
    b.key("up", code, key, vk)
b.key("down", "Enter", "Enter", 13, "\r")
b.key("up", "Enter", "Enter", 13)
time.sleep(0.5)
b.close()
PY
cat "$T/page2.out" >&2
check demo_page_shows_stream grep -q '^stream_shown True' "$T/page2.out"
kssh snapshot >"$T/after.jpg"
name_row_changed() { ! cmp -s <(name_row "$T/before.jpg") <(name_row "$T/after.jpg"); }
check page_typing_changes_demo_screen name_row_changed
read -r _ px py < <(grep '^expect_pointer' "$T/page2.out")
check demo_pointer_where_clicked grep -q "\"pointer\":{\"x\":$px,\"y\":$py,\"buttons\":0}" <<<"$(kssh status)"
finish

#!/usr/bin/env bash
# test_console_mouse: the console's mouse and its menu entries. SGR mouse
# reports on the picture become absolute mouse reports at that point of the
# target's screen (letterboxing accounted for), drags hold the button, the
# wheel scrolls, clicks on the bars do nothing; the menu turns the mouse
# off, holds a key for N seconds and changes the session's keymap. Exact
# report bytes (file: sinks).
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 5 320x240
KBD=$T/kbd.bin
MOUSE=$T/mouse.bin
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$KBD" --mouse "file:$MOUSE" || exit 1
msize() { stat -c %s "$MOUSE"; }
ksize() { stat -c %s "$KBD"; }
msince() { tail -c +$(($1 + 1)) "$MOUSE" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
ksince() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
# An ssh -tt client with piped input gets an 80x24 console: the picture is
# 80x23 cells; 320x240 fills 23 rows and 61 columns, centred from column 10.
# mrep BUTTONS COL ROW WHEEL: the report for a cell's centre.
mrep() {
  awk -v b="$1" -v c="$2" -v r="$3" -v w="$4" 'BEGIN {
    x = int((c - 10 + 0.5) / 61 * 32767 + 0.5); y = int((r - 1 + 0.5) / 23 * 32767 + 0.5)
    printf "%02x %02x %02x %02x %02x %02x", b, x % 256, int(x / 256), y % 256, int(y / 256), (w + 256) % 256 }'
}
o=$(msize)
{ sleep 0.5
  printf '\033[<0;41;12M'; sleep 0.1   # left press at the centre
  printf '\033[<32;45;14M'; sleep 0.1  # drag
  printf '\033[<0;45;14m'; sleep 0.1   # release
  printf '\033[<2;10;1M\033[<2;10;1m'; sleep 0.1 # right click, top left cell of the picture
  printf '\033[<64;41;12M'; sleep 0.1  # wheel up
  printf '\033[<65;41;12M'; sleep 0.1  # wheel down
  printf '\033[<0;5;12M\033[<0;5;12m'; sleep 0.1 # a click on the left bar: nothing
  printf '\033[<0;41;24M\033[<0;41;24m'; sleep 0.1 # a click on the status line: nothing
  printf '\035'; sleep 0.2; printf '7'; sleep 0.3    # menu: mouse off
  printf '\033[<0;41;12M\033[<0;41;12m'; sleep 0.2  # (a terminal would not send it now; ignored)
  printf '\035'; sleep 0.2; printf q; sleep 0.3
} | kssh -tt >"$T/out" 2>&1
want="$(mrep 1 41 12 0) $(mrep 1 45 14 0) $(mrep 0 45 14 0) $(mrep 2 10 1 0) $(mrep 0 10 1 0) $(mrep 0 41 12 1) $(mrep 0 41 12 -1)"
got=$(msince "$o")
if [ "$got" = "$want" ]; then pass mouse_reports_exact; else fail mouse_reports_exact "got [$got] want [$want]"; fi
check mouse_reporting_on grep -qF $'\033[?1000h\033[?1002h\033[?1006h' "$T/out"
check mouse_reporting_off grep -qF $'\033[?1006l\033[?1002l\033[?1000l' "$T/out"

# Menu 5: hold F12 for 1 s. Menu 6: keymap de, then z types the de z (US y position).
o=$(ksize)
{ sleep 0.5; printf '\035'; sleep 0.2; printf '5'; sleep 0.2; printf 'f12 1\r'; sleep 0.5
  s=$(ksize); echo "$s" >"$T/mid"; sleep 1
  printf '\035'; sleep 0.2; printf '6'; sleep 0.2; printf 'de\r'; sleep 0.3; printf 'z'; sleep 0.3
  printf '\035'; sleep 0.2; printf q; sleep 0.3
} | kssh -tt >"$T/out2" 2>&1
check menu_hold_down_at_half_second test "$(tail -c +$((o + 1)) "$KBD" | head -c $(($(cat "$T/mid") - o)) | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')" = "$(press 0 45 | cut -c1-23)"
check menu_hold_then_keymap test "$(ksince "$o")" = "$(press 0 45) $(press 0 1c) $ZERO"
check menu_lists_entries grep -q 'hold a key for N s' "$T/out2"

# Script forms: mouse move X Y, mouse click [BUTTON] [X Y] (pixels of the 320x240 frame).
o=$(msize)
kssh mouse move 0 0 && kssh mouse click right 319 239 && kssh mouse click middle && kssh mouse click 50% 50%
check mouse_script_exit_0 test $? -eq 0
check mouse_script_reports test "$(msince "$o")" = "00 00 00 00 00 00 00 ff 7f ff 7f 00 02 ff 7f ff 7f 00 00 ff 7f ff 7f 00 04 ff 7f ff 7f 00 00 ff 7f ff 7f 00 00 00 40 00 40 00 01 00 40 00 40 00 00 00 40 00 40 00"
kssh mouse click sideways 2>/dev/null
check mouse_click_bad_button_exit_2 test $? -eq 2
kssh mouse move 10 2>/dev/null
check mouse_move_needs_x_y_exit_2 test $? -eq 2
finish

#!/usr/bin/env bash
# test_console_mouse: the console's mouse and its menu entries. SGR mouse
# reports on the picture become absolute mouse reports at that point of the
# target's screen (letterboxing accounted for), drags hold the button, the
# wheel scrolls, clicks on the bars do nothing; the menu turns the mouse
# off, holds a key for N seconds and changes the session's keymap. Exact
# report bytes (file: sinks). In the text view (and auto showing text) a
# click on a character of the demo's screen goes to the centre of that
# character's pixels, wherever the screen is drawn in the terminal; the
# demo target, clicked on a tab in the text view, opens that tab.
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
# Each piped console is typed into once its status line (drawn after the first picture) is out.
{ wait_until 20 has "$T/out" 'sshkvm |'
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
  console_quit "$T/out"
} | kssh -tt >"$T/out" 2>&1
want="$(mrep 1 41 12 0) $(mrep 1 45 14 0) $(mrep 0 45 14 0) $(mrep 2 10 1 0) $(mrep 0 10 1 0) $(mrep 0 41 12 1) $(mrep 0 41 12 -1)"
got=$(msince "$o")
if [ "$got" = "$want" ]; then pass mouse_reports_exact; else fail mouse_reports_exact "got [$got] want [$want]"; fi
check mouse_reporting_on grep -qF $'\033[?1000h\033[?1002h\033[?1006h' "$T/out"
check mouse_reporting_off grep -qF $'\033[?1006l\033[?1002l\033[?1000l' "$T/out"

# Menu 5: hold F12 for 1 s. Menu 6: keymap de, then z types the de z (US y position).
o=$(ksize)
{ wait_until 20 has "$T/out2" 'sshkvm |'; printf '\035'; sleep 0.2; printf '5'; sleep 0.2; printf 'f12 1\r'; sleep 0.5
  s=$(ksize); echo "$s" >"$T/mid"; sleep 1
  printf '\035'; sleep 0.2; printf '6'; sleep 0.2; printf 'de\r'; sleep 0.3; printf 'z'; sleep 0.3
  console_quit "$T/out2"
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
# ---- The text view: the demo's 80x25 9x16 screen (720x400), drawn cell for cell. ----
stop_sshkvm
MOUSE=$T/mouse-text.bin
start_sshkvm --mouse "file:$MOUSE" || exit 1
# trep BUTTONS COL ROW WHEEL [LEFT TOP]: the report for the centre of the character drawn at
# terminal cell COL,ROW (1-based) when the text screen starts at cell LEFT,TOP (default 1,1).
trep() {
  awk -v b="$1" -v c="$2" -v r="$3" -v w="$4" -v l="${5:-1}" -v t="${6:-1}" 'BEGIN {
    x = int((c - l + 0.5) * 9 / 720 * 32767 + 0.5); y = int((r - t + 0.5) * 16 / 400 * 32767 + 0.5)
    printf "%02x %02x %02x %02x %02x %02x", b, x % 256, int(x / 256), y % 256, int(y / 256), (w + 256) % 256 }'
}
# arep BUTTONS COL ROW WHEEL: the art view's report in an 80x26 terminal: 720x400 fills 80x22
# of the 25 picture rows, from row 2.
arep() {
  awk -v b="$1" -v c="$2" -v r="$3" -v w="$4" 'BEGIN {
    x = int((c - 1 + 0.5) / 80 * 32767 + 0.5); y = int((r - 2 + 0.5) / 22 * 32767 + 0.5)
    printf "%02x %02x %02x %02x %02x %02x", b, x % 256, int(x / 256), y % 256, int(y / 256), (w + 256) % 256 }'
}
# console_tmux NAME MODE [COLSxROWS]: a console in a tmux of that size (80x26: the status line
# under the 80x25 screen), waited for until its status line shows WANT (default: sshkvm |).
console_tmux() {
  local size=${3:-80x26}
  tmux -L "$1$$" new-session -d -x "${size%x*}" -y "${size#*x}" \
    "ssh ${SSH_OPTS[*]} -t -o SetEnv=SSHKVM_MODE=$2 -i $T/id -p $SSH_PORT kvm@127.0.0.1"
  wait_status "$1" "${4:-sshkvm |}"
}
wait_status() {
  for _ in $(seq $((100 * SLOW))); do
    tmux -L "$1$$" capture-pane -p | tail -1 | grep -q -- "$2" && return 0
    sleep 0.1
  done
  return 1
}
# sgr NAME SEQ...: type SGR mouse reports into the console, as a terminal does for the mouse.
sgr() {
  local n=$1 q
  shift
  for q in "$@"; do tmux -L "$n$$" send-keys -l $'\033'"[<$q"; sleep 0.1; done
}
# reports_are NAME OFFSET WANT: once the sink holds as many bytes since OFFSET as WANT names
# (and a moment for any more), they are exactly WANT.
reports_are() {
  local n=$(($(wc -w <<<"$3")))
  for _ in $(seq $((50 * SLOW))); do [ "$(msize)" -ge $(($2 + n)) ] && break; sleep 0.1; done
  sleep 0.3
  local got
  got=$(msince "$2")
  if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "got [$got] want [$3]"; fi
}

console_tmux tt text 80x26 'text 80x25'
check text_view_shows_text test $? -eq 0
o=$(msize)
# Press on the character at column 41, row 13 (the screen's middle), drag to 46,15, release;
# a right click on the top-left character; the wheel on the bottom-right one; a click on the
# status line (row 26) goes nowhere.
sgr tt '0;41;13M' '32;46;15M' '0;46;15m' '2;1;1M' '2;1;1m' '64;80;25M' '0;41;26M' '0;41;26m'
reports_are text_view_reports_exact "$o" \
  "$(trep 1 41 13 0) $(trep 1 46 15 0) $(trep 0 46 15 0) $(trep 2 1 1 0) $(trep 0 1 1 0) $(trep 0 80 25 1)"
# Bigger than the screen: 100x30 centres it at columns 11..90, rows 3..27 (29 picture rows);
# the margins go nowhere, the top-left and bottom-right characters are where they are drawn.
tmux -L "tt$$" resize-window -x 100 -y 30
for _ in $(seq $((50 * SLOW))); do
  tmux -L "tt$$" capture-pane -p | sed -n 4p | grep -Eq '^ {13}Main   Advanced' && break
  sleep 0.1
done
o=$(msize)
sgr tt '0;10;3M' '0;10;3m' '0;11;2M' '0;11;2m' '0;91;27M' '0;91;27m' '0;90;28M' '0;90;28m' \
  '0;11;3M' '0;11;3m' '0;90;27M' '0;90;27m'
reports_are text_view_centred_reports_exact "$o" \
  "$(trep 1 11 3 0 11 3) $(trep 0 11 3 0 11 3) $(trep 1 90 27 0 11 3) $(trep 0 90 27 0 11 3)"
tmux -L "tt$$" kill-server

# auto shows the demo as text: the same mapping. art: the same click maps as the picture's.
console_tmux ta auto 80x26 'text 80x25'
o=$(msize)
sgr ta '0;41;13M' '0;41;13m'
reports_are auto_view_text_reports_exact "$o" "$(trep 1 41 13 0) $(trep 0 41 13 0)"
tmux -L "ta$$" kill-server
console_tmux tg art 80x26
o=$(msize)
# Rows 1, 24 and 25 are the letterbox's bars.
sgr tg '0;41;13M' '0;41;13m' '0;41;1M' '0;41;1m' '0;41;23M' '0;41;23m' '0;41;24M' '0;41;24m'
reports_are art_view_reports_exact "$o" \
  "$(arep 1 41 13 0) $(arep 0 41 13 0) $(arep 1 41 23 0) $(arep 0 41 23 0)"
tmux -L "tg$$" kill-server
stop_sshkvm

# As a user: the demo target reads the mouse. A click on the Boot tab (row 2, columns 21..26
# of the screen) in the text view opens the Boot page; in the art view the same cell is above
# the tabs.
start_sshkvm || exit 1
console_tmux tu text 80x26 'text 80x25'
kssh screen --text >"$T/before-click.txt"
check demo_starts_on_main_tab bash -c "! grep -q 'Boot Priority Order' '$T/before-click.txt'"
sgr tu '0;23;2M' '0;23;2m'
for _ in $(seq $((50 * SLOW))); do
  kssh screen --text >"$T/after-click.txt"
  grep -q 'Boot Priority Order' "$T/after-click.txt" && break
  sleep 0.1
done
check text_view_click_opens_boot_tab grep -q 'Boot Priority Order' "$T/after-click.txt"
tmux -L "tu$$" kill-server
stop_sshkvm

# A black screen that changes shape (320x240, then 640x240, looped at 2 frames a second): the
# cells drawn stay all black, but clicks follow the picture now shown. The same terminal cell
# (column 15, the picture's middle row) must reach two points of the target's screen, the
# 320x240 one (mrep) among them; a console that kept the first picture's placement sent one.
ffmpeg -loglevel error -f lavfi -i "color=black:size=320x240:rate=2" -frames:v 2 -q:v 5 -f mjpeg -y "$T/b1.mjpeg"
ffmpeg -loglevel error -f lavfi -i "color=black:size=640x240:rate=2" -frames:v 2 -q:v 5 -f mjpeg -y "$T/b2.mjpeg"
cat "$T/b1.mjpeg" "$T/b2.mjpeg" >"$T/black.mjpeg"
start_sshkvm --video "file:$T/black.mjpeg" --fps 2 --mouse "file:$MOUSE" || exit 1
o=$(msize)
{ wait_until 20 has "$T/out-black" 'sshkvm |'
  for _ in $(seq 16); do printf '\033[<0;15;12M\033[<0;15;12m'; sleep 0.25; done
  console_quit "$T/out-black"
} | kssh -tt >"$T/out-black" 2>&1
# The presses' x (bytes 2-3 of each 6-byte report), one line each, the distinct ones.
xs=$(msince "$o" | tr ' ' '\n' | paste - - - - - - | awk '$1 == "01" { print $2 $3 }' | sort -u)
echo "  presses at column 15 reached x = $(echo $xs)"
check black_reshape_clicks_follow_picture test "$(echo "$xs" | grep -c .)" -eq 2
check black_reshape_clicks_320x240 grep -qx "$(mrep 1 15 12 0 | cut -d' ' -f2-3 | tr -d ' ')" <<<"$xs"
stop_sshkvm
finish

#!/usr/bin/env bash
# The terminal view over a real OpenSSH client: a static screen sends no
# bytes after its first frame; the colour depth follows TERM, COLORTERM and
# SSHKVM_COLORS (SetEnv), half blocks on request, bad settings reported in
# the status line; a client that stops reading never makes the server hold
# more than one frame for it while another viewer keeps its frame rate; in
# tmux the picture is letterboxed and re-fits when the window changes.
. "$(dirname "$0")/lib.sh"

# One picture, played in a loop: every frame is new to the hub, none changes the screen.
ffmpeg -loglevel error -f lavfi -i "testsrc=size=320x240:rate=1" -frames:v 1 -q:v 5 -f mjpeg -y "$T/still.mjpeg"
start_sshkvm --video "file:$T/still.mjpeg" --hid none --mouse none --fps 30 || exit 1

# A static screen: after the first frame (and the status line), nothing more.
# Each client's input is held open (by a sleep longer than it is needed) until it is killed;
# a process substitution, so that waiting for the killed client does not wait for the sleep.
kssh -tt < <(sleep 9) >"$T/static.out" 2>&1 &
CL=$!
sleep 3
a=$(stat -c %s "$T/static.out")
sleep 5
b=$(stat -c %s "$T/static.out")
kill "$CL" 2>/dev/null; wait "$CL" 2>/dev/null
check static_first_frame_drawn grep -q $'\033\\[?2026h' "$T/static.out"
check static_screen_sends_nothing test "$a" -gt 2000 -a "$b" -eq "$a"
[ "$b" -eq "$a" ] || echo "  static screen: $((b - a)) bytes in 5 s"

# Colour depth. ssh -tt sends the local TERM in pty-req; SetEnv sends the rest.
# drawn FILE: the console's output in FILE holds a whole first update and, after it, the
# status line (reverse video) that follows it.
drawn() { tr -d '\n' 2>/dev/null <"$1" | grep -q $'\033\\[?2026l.*\033\\[0;7m'; }
view() { # view NAME TERM [ssh options...]: the console into $T/NAME.out until its first screen is drawn
  local name=$1 term=$2; shift 2
  { wait_until 20 drawn "$T/$name.out"; } | TERM=$term kssh -tt "$@" >"$T/$name.out" 2>&1
}
view c16 xterm
view c256 xterm-256color
view ct xterm-256color -o SetEnv=COLORTERM=truecolor
view cenv xterm -o SetEnv=SSHKVM_COLORS=24bit
view half xterm-256color -o "SetEnv=SSHKVM_MODE=half SSHKVM_COLORS=256"
view bad xterm -o SetEnv=SSHKVM_COLORS=17
check colors_16_for_xterm bash -c "grep -q $'\033\\[3[0-7]' '$T/c16.out' && ! grep -q '[34]8;[25];' '$T/c16.out'"
check colors_256_for_256color bash -c "grep -q '48;5;' '$T/c256.out' && ! grep -q '[34]8;2;' '$T/c256.out'"
check colors_24bit_for_colorterm grep -q '48;2;' "$T/ct.out"
check colors_24bit_from_setenv grep -q '48;2;' "$T/cenv.out"
check half_blocks_from_setenv bash -c "grep -q $'\xe2\x96\x80' '$T/half.out' && grep -q '48;5;' '$T/half.out'"
check bad_setting_in_status_line grep -q "SSHKVM_COLORS: colors: '17' is not" "$T/bad.out"
check bad_setting_falls_back bash -c "grep -q $'\033\\[3[0-7]' '$T/bad.out' && ! grep -q '[34]8;[25];' '$T/bad.out'"
# The screen command takes the same looks.
kssh screen --cols 60 --rows 20 --mode half --colors 24bit >"$T/screen.txt"
check screen_half_24bit bash -c "test \$(wc -l <'$T/screen.txt') -eq 20 && grep -q $'\xe2\x96\x80' '$T/screen.txt' && grep -q '48;2;' '$T/screen.txt'"
kssh screen --colors 17 >/dev/null 2>"$T/screen.err"
check screen_bad_colors_exit_2 test $? -eq 2
check screen_bad_colors_says_why grep -q 'screen: --colors needs 16, 256 or 24bit' "$T/screen.err"
stop_sshkvm

# Full motion, many bytes a frame (art in 24-bit, 60 updates a second), and clients that stall.
make_mjpeg "$T/motion.mjpeg" 60
start_sshkvm --video "file:$T/motion.mjpeg" --hid "file:$T/kbd.bin" --mouse none --fps 30 || exit 1
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SK_PID/status"; }
status_field() { kssh status | sed -n "s/.*\"view\":{[^}]*\"$1\":\\([0-9.]*\\).*/\\1/p"; }
# deferring: the server is deferring updates (its count grows over half a second).
deferring() {
  local d0 d1
  d0=$(status_field deferred); sleep 0.5; d1=$(status_field deferred)
  [ "${d1:-0}" -gt "${d0:-0}" ]
}
# stall_checks NAME SETTLE...: with the stalled client $STALLED running, once the command SETTLE
# returns, measure the server's memory and deferrals and another viewer's byte rate over a few
# seconds, then stop both clients.
stall_checks() {
  local name=$1 r1 r2 d1 d2 f1 f2 max
  shift
  "$@"
  r1=$(rss); d1=$(status_field deferred)
  kssh -tt -o SetEnv="SSHKVM_MODE=art SSHKVM_COLORS=24bit SSHKVM_FPS=60" < <(sleep 8) >"$T/$name-fast.out" 2>&1 &
  local fast=$!
  sleep 2
  f1=$(stat -c %s "$T/$name-fast.out")
  sleep 4
  f2=$(stat -c %s "$T/$name-fast.out")
  r2=$(rss); d2=$(status_field deferred); max=$(status_field max_update)
  kill "$fast" "$STALLED" 2>/dev/null; wait "$fast" "$STALLED" 2>/dev/null
  echo "  $name: rss ${r1} -> ${r2} kB, deferred ${d1} -> ${d2}, largest update ${max} B; other viewer $(((f2 - f1) / 4)) B/s"
  # The stalled session keeps waiting (deferrals grow) and the server's memory stays put: it
  # holds at most the one frame it rendered, not the seconds of updates the reader missed.
  check "${name}_is_deferred" test "${d2:-0}" -gt "${d1:-0}"
  check "${name}_server_memory_flat" test $((r2 - r1)) -lt $((2 * ${max:-1} / 1024 + 1024 + RSS_SLACK))
  # The other viewer still gets full motion: at least 20 half-size updates' worth a second.
  check "${name}_other_viewer_keeps_rate" test $((f2 - f1)) -gt $((4 * 20 * ${max:-1} / 2))
}

# A reader that stops: ssh's stdout into a pipe nobody drains; the channel's window closes.
mkfifo "$T/stall"
kssh -tt -o SetEnv="SSHKVM_MODE=art SSHKVM_COLORS=24bit SSHKVM_FPS=60" < <(sleep 25) >"$T/stall" 2>&1 &
STALLED=$!
exec 7<>"$T/stall" # held open, never read: the pipe fills, then ssh stops reading the channel
stall_checks slow_reader wait_until 30 deferring
exec 7<&-

# A link that goes quiet (the client's proxy stops reading the socket after 3 s): the server's
# socket fills instead of the window. It types 'x' once stalled: its session must still read
# input, not hang in a write.
kssh -tt -o SetEnv="SSHKVM_MODE=art SSHKVM_COLORS=24bit SSHKVM_FPS=60" < <(sleep 7; printf x; sleep 13) \
  -o ProxyCommand="$ROOT/tests/integration/stall_proxy.py $SSH_PORT 3" >/dev/null 2>&1 &
STALLED=$!
# The link goes quiet 3 s in and 'x' comes at 7 s: the times are the test's own.
stall_checks quiet_link sleep 6
check quiet_link_session_still_reads_keys bash -c "od -An -v -tx1 '$T/kbd.bin' | tr -s ' \n' ' ' | grep -q '00 00 1b 00'"
stop_sshkvm

# tmux: letterboxed (black columns each side of a 4:3 picture), and re-fitted after a resize.
start_sshkvm --video "file:$T/still.mjpeg" --hid none --mouse none || exit 1
export TMUX_TMPDIR=$T
# tmux_has TEXT: the pane shows TEXT.
tmux_has() { tmux -L tv capture-pane -p | grep -q "$1"; }
tmux -L tv new-session -d -x 100 -y 30 "ssh ${SSH_OPTS[*]} -t -i $T/id -p $SSH_PORT kvm@127.0.0.1"
wait_until 20 tmux_has 'sshkvm |'
# picture_columns ROWS: "first last" columns holding a non-black cell in the picture rows.
picture_columns() {
  tmux -L tv capture-pane -p -e -S 0 -E $(($1 - 1)) | python3 -c '
import re, sys
def black(bg): return bg in (None, "40", "48;5;0", "48;2;0;0;0", "49")
cols = set()
for line in sys.stdin.read().split("\n"):
    bg, x, i = None, 0, 0
    while i < len(line):
        m = re.match(r"\x1b\[([0-9;]*)m", line[i:])
        if m:
            ps = m.group(1).split(";") if m.group(1) else ["0"]
            k = 0
            while k < len(ps):
                p = ps[k]
                if p in ("0", "49") or p == "": bg = None
                elif p in ("38", "48"):
                    n = 3 if ps[k + 1] == "5" else 5
                    if p == "48": bg = ";".join(ps[k:k + n])
                    k += n - 1
                elif 40 <= int(p) <= 47 or 100 <= int(p) <= 107: bg = p
                k += 1
            i += len(m.group(0)); continue
        if line[i] == "\x1b": i += 1; continue
        if not black(bg) or line[i] != " ": cols.add(x)
        x += 1; i += 1
print(min(cols), max(cols))'
}
# picture_drawn ROWS: some cell of the picture rows is not black.
picture_drawn() { [ -n "$(picture_columns "$1" 2>/dev/null)" ]; }
# 320x240 into 100x29 cells (100 x 58 units): 29 rows of 77 columns, from column 11.
wait_until 20 picture_drawn 29
got=$(picture_columns 29)
check tmux_letterboxed test "$got" = "11 87"
tmux -L tv resize-window -x 70 -y 20
sleep 1.5
# 70x19 cells: 19 rows of 51 columns, from column 9.
got2=$(picture_columns 19)
check tmux_refits_on_resize test "$got2" = "9 59"
echo "  picture columns: [$got] at 100x30, [$got2] at 70x20"
# The menu changes the look live: the default auto (the test pattern is not text: art), m m
# (art, half blocks), then Esc back to the picture.
check tmux_art_before_menu bash -c "! tmux -L tv capture-pane -p | grep -q $'\xe2\x96\x80'"
tmux -L tv send-keys C-]
wait_until 10 tmux_has 'mode      auto'
check tmux_menu_shows_view bash -c "tmux -L tv capture-pane -p | grep -q 'mode      auto'"
tmux -L tv send-keys m
wait_until 10 tmux_has 'mode      art'
tmux -L tv send-keys m
wait_until 10 tmux_has 'mode      half blocks'
check tmux_menu_mode_changed bash -c "tmux -L tv capture-pane -p | grep -q 'mode      half blocks'"
tmux -L tv send-keys Escape
wait_until 10 tmux_has $'\xe2\x96\x80'
check tmux_half_blocks_after_menu bash -c "tmux -L tv capture-pane -p | grep -q $'\xe2\x96\x80'"
tmux -L tv kill-server
finish

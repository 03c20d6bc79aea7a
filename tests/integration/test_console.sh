#!/usr/bin/env bash
# The interactive console: keystrokes from a real terminal (tmux running
# the OpenSSH client) and from ssh -tt with piped bytes become exact HID
# reports; the screen shows the picture and a status line; Ctrl+] opens
# the menu; the session's end leaves no key pressed.
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 10
KBD=$T/kbd.bin
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$KBD" --mouse none || exit 1
size() { stat -c %s "$KBD"; }
reports_since() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
expect_reports() {
  local got; got=$(reports_since "$2")
  if [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "got [$got] want [$3]"; fi
}

# ssh -tt with piped bytes: letters, Enter, an xterm arrow, F5, Ctrl+C, Alt+x,
# a lone Esc (resolved by the escape time), Up in application cursor mode,
# the Linux console's F1, Delete, then Ctrl+] q.
o=$(size)
{ printf 'aB\r'; sleep 0.3; printf '\033[A'; sleep 0.3; printf '\033[15~'; sleep 0.3
  printf '\003'; sleep 0.3; printf '\033x'; sleep 0.3; printf '\033'; sleep 0.3; printf '\033OA'; sleep 0.3
  printf '\033[[A'; sleep 0.3; printf '\033[3~'; sleep 0.3; printf '\035'; sleep 0.3; printf 'q'
  wait_until 10 grep -q $'\033\\[?1049l' "$T/tt.out"; } |
  kssh -tt >"$T/tt.out" 2>&1
check tt_session_quits_from_menu test $? -eq 0
expect_reports tt_keys_exact "$o" "$(press 0 04) $(press 02 05) $(press 0 28) $(press 0 52) $(press 0 3e) $(press 01 06) $(press 04 1b) $(press 0 29) $(press 0 52) $(press 0 3a) $(press 0 4c) $ZERO"
check tt_status_line_drawn grep -q 'sshkvm | file:' "$T/tt.out"
check tt_menu_drawn grep -q 'send Ctrl+Alt+Del' "$T/tt.out"
check tt_restores_terminal grep -q $'\033\\[?1049l' "$T/tt.out"

# A real terminal: tmux running ssh.
export TMUX_TMPDIR=$T
tmux -L sk new-session -d -x 100 -y 30 "ssh ${SSH_OPTS[*]} -t -i $T/id -p $SSH_PORT kvm@127.0.0.1"
# tmux_has TEXT: the pane shows TEXT.
tmux_has() { tmux -L sk capture-pane -p | grep -q "$1"; }
wait_until 20 tmux_has 'sshkvm |'
check_all tmux_status_line "tmux -L sk capture-pane -p -S 29 -E 29 | grep -q 'sshkvm | file:'"
# The picture fills the rows above the status line, in colour (flat areas are coloured spaces).
coloured=$(tmux -L sk capture-pane -p -e -S 0 -E 28 | grep -c $'\033\\[[0-9;]*[34][0-9]')
check tmux_picture_drawn test "$coloured" -ge 25
o=$(size)
tmux -L sk send-keys 'x' Enter Left F2 Home
wait_until 10 size_at_least "$KBD" $((o + 5 * 16))
expect_reports tmux_keys_exact "$o" "$(press 0 1b) $(press 0 28) $(press 0 50) $(press 0 3b) $(press 0 4a)"
# Window change: the status line follows the new size.
tmux -L sk resize-window -x 70 -y 20
# No event tells the redraw at the new size from the old status line that tmux moves up.
sleep 1
check tmux_refits_on_resize bash -c "tmux -L sk capture-pane -p -S 19 -E 19 | grep -q 'sshkvm |'"
# Menu: Ctrl+] then 1 sends Ctrl+Alt+Del.
o=$(size)
tmux -L sk send-keys C-]
wait_until 10 tmux_has 'send Ctrl+Alt+Del'
check tmux_menu_opens tmux_has 'send Ctrl+Alt+Del'
tmux -L sk send-keys 1
wait_until 10 size_at_least "$KBD" $((o + 16))
expect_reports tmux_menu_ctrl_alt_del "$o" "$(press 05 4c)"
# Closing the terminal ends the session; the last report releases everything.
# The session's end releases every key.
n=$(logouts)
tmux -L sk kill-server
wait_until 10 ended_since "$n"
check session_end_releases_keys test "$(tail -c 8 "$KBD" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')" = "$ZERO"
finish

#!/usr/bin/env bash
# test_terminfo_keys: the terminal-key parser against what real terminals
# send, as the ncurses terminfo database lists it (infocmp -x), for xterm,
# xterm-256color, screen, tmux-256color, linux, rxvt-unicode, vt220, putty,
# kitty, xterm-kitty, alacritty and foot: every key capability, checked by
# tests/helpers/terminfo_keys.py (expected key from the capability's name).
# Then a sample from each family goes through the real binary's console
# (ssh -tt, piped bytes) and must give exact HID reports.
. "$(dirname "$0")/lib.sh"

python3 "$ROOT/tests/helpers/terminfo_keys.py" "$HELPERS/termkeys_dump" \
  xterm xterm-256color screen tmux-256color linux rxvt-unicode vt220 putty kitty xterm-kitty \
  alacritty foot || FAILS=$((FAILS + 1))

KBD=$T/kbd.bin
start_sshkvm --hid "file:$KBD" --mouse none || exit 1
# Each sequence alone, with a pause longer than the escape time between them.
seqs=(
  '\033[1;2P'     # xterm kf13: Shift+F1
  '\033[1;5A'     # xterm kUP5: Ctrl+Up
  '\033OM'        # xterm kent: keypad Enter
  '\033[25~'      # rxvt/linux/vt220 kf13: F13
  '\033[34~'      # kf20: F20
  '\033[3@'       # rxvt kDC6: Ctrl+Shift+Delete
  '\033[a'        # rxvt kUP: Shift+Up
  '\033[2^'       # rxvt kIC5: Ctrl+Insert
  '\033[[E'       # linux kf5: F5
  '\033[G'        # linux kb2: keypad 5
  '\033[11~'      # putty kf1: F1
  '\033[28~'      # vt220 khlp: F15
  '\033[1;3H'     # kHOM3: Alt+Home
  '\033Ow'        # ka1: keypad 7
  '\033[27;5;105~' # modifyOtherKeys: Ctrl+i
  '\033[105;5u'   # CSI u: Ctrl+i
  '\033[24;2~'    # xterm kf24: Shift+F12
)
o=$(stat -c %s "$KBD")
# One sequence a read: the next once this one's press and release are written.
{ n=$o
  for s in "${seqs[@]}"; do printf "$s"; n=$((n + 16)); wait_until 5 size_at_least "$KBD" "$n"; done
  console_quit "$T/console.out"; } | kssh -tt >"$T/console.out" 2>&1
got=$(tail -c +$((o + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
want="$(press 02 3a) $(press 01 52) $(press 0 58) $(press 0 68) $(press 0 6f) $(press 03 4c) $(press 02 52) $(press 01 49) $(press 0 3e) $(press 0 5d) $(press 0 3a) $(press 0 6a) $(press 04 4a) $(press 0 5f) $(press 01 0c) $(press 01 0c) $(press 02 45) $ZERO"
if [ "$got" = "$want" ]; then pass console_terminfo_sample_exact; else fail console_terminfo_sample_exact "got [$got] want [$want]"; fi
finish

#!/usr/bin/env bash
# test_kitty: the kitty keyboard protocol in the console. A client that
# answers the CSI ? u probe gets the flags pushed and then sends recorded
# kitty sequences (press, repeat, release; modifier keys; Super; Ctrl+I);
# each must give exact HID reports, a key held in the terminal is held on
# the target, a press whose release never comes is released by the
# watchdog, and the flags are popped at the end. A client that answers only
# DA1 stays in legacy mode.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
start_sshkvm --hid "file:$KBD" --mouse none || exit 1
size() { stat -c %s "$KBD"; }
since() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
rep() { printf '%02x 00 %02x 00 00 00 00 00' "0x$1" "0x${2:-0}"; }
E=$'\033'
# answer_kitty OUT: once the console (its output in OUT) has probed the terminal, answer as
# a kitty-protocol terminal does, and wait for the console to push its flags.
answer_kitty() {
  wait_until 10 has "$1" "${E}[?u${E}[c"
  printf '\033[?0u\033[?62;22c'
  wait_until 10 has "$1" "${E}[>15u"
}


# Shift held, F8 pressed, repeated, released, Shift released (holding Shift+F8 at boot).
o=$(size)
{ answer_kitty "$T/out1"
  printf '\033[57441;2:1u'; sleep 0.1; printf '\033[19;2:1~'; sleep 0.3
  printf '\033[19;2:2~\033[19;2:2~'; sleep 0.3; printf '\033[19;2:3~'; sleep 0.1
  printf '\033[57441;1:3u'; sleep 0.1
  # Ctrl+I is not Tab: Ctrl down, i down/up, Ctrl up; then Tab.
  printf '\033[57442;5:1u\033[105;5:1u\033[105;5:3u\033[57442;1:3u'; sleep 0.1
  printf '\033[9u\033[9;1:3u'; sleep 0.1
  # Super: press and release.
  printf '\033[57444;9:1u\033[57444;1:3u'; sleep 0.1
  # A German keyboard's z key (base layout key y): the y position is pressed.
  printf '\033[122::121;1:1u\033[122::121;1:3u'; sleep 0.1
  # Ctrl+] opens the menu (legacy input there), q quits.
  printf '\033[93;5:1u'; sleep 0.3; printf 'q'; wait_until 10 has "$T/out1" "${E}[?1049l"
} | kssh -tt >"$T/out1" 2>&1
check kitty_probe_sent grep -qF "${E}[?u${E}[c" "$T/out1"
check kitty_flags_pushed grep -qF "${E}[>15u" "$T/out1"
check kitty_flags_popped grep -qF "${E}[<u" "$T/out1"
want="$(rep 02) $(rep 02 41) $(rep 02) $ZERO $(rep 01) $(rep 01 0c) $(rep 01) $ZERO $(rep 0 2b) $ZERO $(rep 08) $ZERO $(rep 0 1c) $ZERO"
got=$(since "$o")
# The session's end adds one more all-released report.
if [ "$got" = "$want $ZERO" ]; then pass kitty_reports_exact; else fail kitty_reports_exact "got [$got] want [$want $ZERO]"; fi

# Held for a second in the terminal (repeats arriving): held on the target, one press.
o=$(size)
{ answer_kitty "$T/out-hold"
  printf '\033[97;1:1u'
  for _ in $(seq 10); do sleep 0.1; printf '\033[97;1:2u'; done
  printf '\033[97;1:3u'; sleep 0.2; console_quit "$T/out-hold"
} | kssh -tt >"$T/out-hold" 2>&1
check kitty_hold_one_press test "$(since "$o")" = "$(rep 0 04) $ZERO $ZERO"

# The watchdog: a press with no repeat and no release is released after 1.5 s.
o=$(size)
{ answer_kitty "$T/out-watchdog"
  printf '\033[98;1:1u'; sleep 1
  s1=$(size); echo "$s1" >"$T/s1"
  sleep 1.5; console_quit "$T/out-watchdog"
} | kssh -tt >"$T/out-watchdog" 2>&1
check kitty_watchdog_held_at_1s test "$(tail -c +$((o + 1)) "$KBD" | head -c 8 | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')" = "$(rep 0 05)"
check kitty_watchdog_released test "$(since "$o")" = "$(rep 0 05) $ZERO $ZERO"

# A terminal that answers only DA1: no flags pushed, legacy keys still work.
o=$(size)
{ wait_until 10 has "$T/out2" "${E}[?u${E}[c"
  printf '\033[?62;22c'; sleep 0.3; printf 'a\033[A'; sleep 0.3; console_quit "$T/out2"
} | kssh -tt >"$T/out2" 2>&1
check legacy_no_push bash -c "! grep -qF $'\033[>15u' '$T/out2'"
check legacy_keys test "$(since "$o")" = "$(rep 0 04) $ZERO $(rep 0 52) $ZERO $ZERO"
finish

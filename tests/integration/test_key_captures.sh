#!/usr/bin/env bash
# test_key_captures: keys as real terminals send them, captured from the
# terminals themselves (not from terminfo): Debian's xterm under Xvfb with
# keys pressed through XTEST, and tmux with send-keys, each in normal and
# application cursor/keypad mode (tests/helpers/capture_keys.sh). The
# committed tables (tests/data/keycaps/*.tsv) and a capture made now from
# the installed xterm and tmux go through the parser; then the captured
# bytes go through the real console over ssh and must give the exact HID
# reports, key by key.
. "$(dirname "$0")/lib.sh"
CHECK=$ROOT/tests/helpers/keycaps_check.py
python3 "$CHECK" "$HELPERS/termkeys_dump" "$ROOT"/tests/data/keycaps/*.tsv || FAILS=$((FAILS + 1))

for term in xterm tmux; do
  for mode in normal app; do
    live=$T/$term-$mode-now.tsv
    if "$ROOT/tests/helpers/capture_keys.sh" "$term" "$mode" "$live" 2>"$T/cap.err"; then
      python3 "$CHECK" "$HELPERS/termkeys_dump" "$live" | sed 's/-now / (captured now) /' |
        tee "$T/check.out"
      grep -q '^PASS' "$T/check.out" || FAILS=$((FAILS + 1))
    else
      fail "capture_${term}_$mode" "$(cat "$T/cap.err")"
    fi
  done
done

KBD=$T/kbd.bin
start_sshkvm --hid "file:$KBD" --mouse none || exit 1
for table in xterm-normal xterm-app tmux-normal tmux-app; do
  tsv=$ROOT/tests/data/keycaps/$table.tsv
  o=$(stat -c %s "$KBD")
  # One key at a time, each in its own read: the next once this one's two reports (press,
  # release) are written.
  { n=$o
    while IFS=$'\t' read -r _ _ hex; do
      printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')"
      n=$((n + 16))
      wait_until 5 size_at_least "$KBD" "$n"
    done <"$tsv"
    console_quit "$T/$table.out"; } | kssh -tt >"$T/$table.out" 2>&1
  got=$(hex_from "$KBD" "$o")
  want="$(python3 "$CHECK" --reports "$tsv") $ZERO"
  if [ "$got" = "$want" ]; then
    pass "console_${table}_reports_exact"
  else
    fail "console_${table}_reports_exact" "got [$got] want [$want]"
  fi
done
finish

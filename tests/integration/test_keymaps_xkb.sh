#!/usr/bin/env bash
# test_keymaps_xkb: every shipped keymap types every character it lists,
# checked against the xkb layout it was generated from.
#
# For each keymap, all its characters are pasted through the real binary
# (`paste --keymap NAME` over ssh) into a file sink; tests/helpers/
# xkb_decode.py plays the reports into libxkbcommon's state machine and
# compose state, as a Linux target with that layout would, and the text
# that comes out must equal the text that went in. A second check presses
# every character key with no modifier, Shift, AltGr and AltGr+Shift in xkb
# and requires each printable result to be listed, so nothing the layout
# types directly is missing. Neither check uses scripts/gen-keymaps.
. "$(dirname "$0")/lib.sh"
DEC="python3 $ROOT/tests/helpers/xkb_decode.py"

if ! python3 -c 'import ctypes.util,sys; sys.exit(ctypes.util.find_library("xkbcommon") is None)' ||
  [ ! -d /usr/share/X11/xkb/symbols ] || [ ! -f /usr/share/X11/locale/en_US.UTF-8/Compose ]; then
  fail xkb_available "needs libxkbcommon0, xkb-data and libx11-data (scripts/deps.sh test)"
  exit 1
fi

# name -> xkb layout, variant, ISO (1) or ANSI (0); kept apart from the generator's table.
declare -A XKB=(
  [us]="us - 0" [uk]="gb - 1" [de]="de - 1" [fr]="fr - 1" [es]="es - 1" [it]="it - 1"
  [pt]="pt - 1" [se]="se - 1" [no]="no - 1" [dk]="dk - 1" [fi]="fi - 1" [ch-de]="ch - 1"
  [ch-fr]="ch fr 1" [be]="be - 1" [nl]="nl - 1" [pl]="pl - 1" [cz]="cz - 1" [hu]="hu - 1"
  [jp]="jp - 1" [br]="br - 1" [us-intl]="us intl 0" [dvorak]="us dvorak 0" [colemak]="us colemak 0"
)

# Every required layout is shipped, and every shipped keymap is checked.
for name in "${!XKB[@]}"; do
  check "shipped_$name" test -f "$ROOT/keymaps/$name"
done
for f in "$ROOT"/keymaps/*; do
  n=$(basename "$f")
  check "known_$n" test -n "${XKB[$n]:-}"
done

start_sshkvm --hid "file:$T/kb.bin" --keymap us || exit 1
for name in $(printf '%s\n' "${!XKB[@]}" | sort); do
  read -r layout variant iso <<<"${XKB[$name]}"
  [ "$variant" = - ] && variant=
  $DEC chars "$ROOT/keymaps/$name" >"$T/in.txt"
  : >"$T/kb.bin"
  if ! kssh paste --keymap "$name" <"$T/in.txt" 2>"$T/err"; then
    fail "types_all_$name" "paste failed: $(cat "$T/err")"
    continue
  fi
  $DEC type "$layout" "$variant" "$T/kb.bin" >"$T/out.txt"
  count=$(python3 -c 'import sys; print(len(open(sys.argv[1], encoding="utf-8").read()))' "$T/in.txt")
  if cmp -s "$T/in.txt" "$T/out.txt"; then
    pass "types_all_$name ($count characters)"
  else
    fail "types_all_$name" "xkb decodes something else:"
    diff <(fold -w1 <"$T/in.txt") <(fold -w1 <"$T/out.txt") | head -10
  fi
  # The file ends with everything released.
  check "ends_released_$name" test "$(tail -c 8 "$T/kb.bin" | od -An -tx1 | tr -d ' \n')" = 0000000000000000
  missing=$($DEC cover "$layout" "$variant" "$iso" "$ROOT/keymaps/$name")
  check "complete_$name" test -z "$missing"
  [ -n "$missing" ] && echo "  missing from $name: $(echo "$missing" | head -5 | tr '\n' ' ')"
done
# A cross-layout sanity check: the same keystrokes mean different things.
printf 'zy' >"$T/in.txt"
: >"$T/kb.bin"
kssh paste --keymap de <"$T/in.txt"
check de_is_qwertz test "$($DEC type us "" "$T/kb.bin")" = "yz"
finish

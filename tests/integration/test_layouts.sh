#!/usr/bin/env bash
# test_layouts: choosing a keymap per server, per session and per command,
# checked by the exact HID report bytes (file: sink); AltGr, dead keys, the
# ISO and JIS keys; and a character the layout cannot type is named, exits
# non-zero and types nothing.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
start_sshkvm --hid "file:$KBD" --keymap us || exit 1
size() { stat -c %s "$KBD"; }
since() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
# typed NAME KEYMAP TEXT EXPECTED-HEX: `type --keymap KEYMAP TEXT` gives exactly these reports.
typed() {
  local o; o=$(size)
  if ! kssh type --keymap "$2" "$3"; then fail "$1" "exit $?"; return; fi
  local got; got=$(since "$o")
  if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "got [$got] want [$4]"; fi
}
S=02 G=40 GS=42 # shift, altgr, altgr+shift

typed fr_e_acute fr 'é' "$(press 0 1f)"
typed fr_e_circumflex_dead fr 'ê' "$(press 0 2f) $(press 0 08)"
typed fr_a_is_q fr 'aq' "$(press 0 14) $(press 0 04)"
typed fr_at_altgr fr '@' "$(press $G 27)"
typed fr_euro fr '€' "$(press $G 08)"
typed de_euro de '€' "$(press $G 08)"
typed de_z_is_y de 'zy' "$(press 0 1c) $(press 0 1d)"
typed de_hash_nonushash de '#' "$(press 0 32)"
typed de_less_nonusbackslash de '<>' "$(press 0 64) $(press $S 64)"
typed de_bare_circumflex_dead_space de '^' "$(press 0 35) $(press 0 2c)"
typed de_sharp_s de 'ß' "$(press 0 2d)"
typed es_n_tilde es 'ñÑ' "$(press 0 33) $(press $S 33)"
typed es_a_acute_dead es 'á' "$(press 0 34) $(press 0 04)"
typed uk_pound uk '£' "$(press $S 20)"
typed uk_backslash uk '\' "$(press 0 64)"
typed us_intl_tilde_altgr_shift us-intl '~' "$(press $GS 35)"
typed us_intl_a_diaeresis us-intl 'ä' "$(press $G 14)"
typed jp_backslash_ro jp '\_' "$(press 0 87) $(press $S 87)"
typed dvorak_hello dvorak 'hello' "$(press 0 0d) $(press 0 07) $(press 0 13) $(press 0 13) $(press 0 16)"
typed colemak_arst colemak 'arst' "$(press 0 04) $(press 0 16) $(press 0 07) $(press 0 09)"
typed ch_fr_e_grave ch-fr 'è' "$(press 0 2f)"
typed pl_a_ogonek pl 'ą' "$(press $G 04)"

# A character the layout cannot type: named, exit 1, nothing typed.
o=$(size)
err=$(kssh type --keymap de 'x☃y' 2>&1); rc=$?
check untypable_exit_1 test "$rc" -eq 1
check untypable_named grep -qF "keymap de cannot type '☃' (U+2603)" <<<"$err"
check untypable_nothing_typed test "$(size)" -eq "$o"
err=$(printf 'ok ñ' | kssh paste --keymap us 2>&1); rc=$?
check paste_untypable_exit_1 test "$rc" -eq 1
check paste_untypable_named grep -qF "'ñ' (U+00F1)" <<<"$err"
check paste_untypable_nothing_typed test "$(size)" -eq "$o"
err=$(kssh type --keymap nosuchmap x 2>&1); rc=$?
check unknown_keymap_exit_2 test "$rc" -eq 2
check unknown_keymap_named grep -q nosuchmap <<<"$err"

# Per command: paste --keymap.
o=$(size)
printf 'é\n' | kssh paste --keymap fr
check paste_keymap_fr test "$(since "$o")" = "$(press 0 1f) $(press 0 28)"

# Per session: SSHKVM_KEYMAP from the client's environment; --keymap still wins.
o=$(size)
kssh -o SetEnv=SSHKVM_KEYMAP=de type 'zé'
check session_env_de test "$(since "$o")" = "$(press 0 1c) $(press 0 2e) $(press 0 08)"
o=$(size)
kssh -o SetEnv=SSHKVM_KEYMAP=de type --keymap fr 'z'
check command_beats_session test "$(since "$o")" = "$(press 0 1a)"
err=$(kssh -o SetEnv=SSHKVM_KEYMAP=nosuchmap type z 2>&1); rc=$?
check session_env_unknown_named test "$rc" -ne 0 -a -n "$(grep nosuchmap <<<"$err")"
stop_sshkvm

# Per server: --keymap fr.
start_sshkvm --hid "file:$KBD" --keymap fr || exit 1
o=$(size)
kssh type 'a'
check server_keymap_fr test "$(since "$o")" = "$(press 0 14)"
finish

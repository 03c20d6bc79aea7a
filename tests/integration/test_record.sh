#!/usr/bin/env bash
# Recordings: `record` writes the demo target's screen as an asciicast v2
# file that the real asciinema (Debian's) plays and prints, showing what
# `screen --text` reads, with the words greppable; --record-dir records an
# interactive console session (tmux running OpenSSH) to a 0600 file in a
# 0700 directory, with resizes and markers naming the keys but never the
# typed text, and asciinema shows what the user's terminal showed; a
# recording stops at --record-max; a view-only key may record; bad options
# are usage errors.
. "$(dirname "$0")/lib.sh"

ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
# A record directory others may write is refused at start, with one line saying why.
mkdir -m 0775 "$T/shared"
timeout 10 "$BIN" --record-dir "$T/shared" --ssh-listen "127.0.0.1:$(free_port)" --http-listen off --hostkeys "$T/hk0" \
  --authorized-keys "$T/authorized_keys" >/dev/null 2>"$T/shared.err"
rc=$?
check record_dir_group_writable_refused bash -c "[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'writable by others' '$T/shared.err'"
REC=$T/rec
start_sshkvm --record-dir "$REC" --record-max 1 || exit 1
export TMUX_TMPDIR=$T

# valid_cast FILE: a header line with version 2, then events [t, type, text], in time order.
valid_cast() {
  python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "no newline at the end"
h = json.loads(lines[0])
assert h["version"] == 2 and h["width"] > 0 and h["height"] > 0 and h["timestamp"] > 0, h
last = 0.0
for l in lines[1:-1]:
    t, kind, data = json.loads(l)
    assert kind in ("o", "r", "m"), kind
    assert t >= last, (t, last)
    last = t
PY
}
# field FILE KEY: a header field.
field() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]])' "$1" "$2"; }
# markers FILE: the markers' labels, one a line.
markers() { python3 -c '
import json,sys
for l in open(sys.argv[1]).read().splitlines()[1:]:
    e = json.loads(l)
    if e[1] == "m": print(e[2])' "$1"; }
# pane NAME: what the tmux window NAME shows, trailing blanks cut.
pane() { tmux -L rec capture-pane -p -t "$1" | sed 's/ *$//'; }
# same_text A B: the two screens agree on every row but the demo's ticking clock.
same_text() { diff <(grep -v 'System Time' "$1") <(grep -v 'System Time' "$2") >"$T/diff.out"; }
# shows NAME WORD: tmux window NAME shows WORD.
shows() { pane "$1" | grep -q "$2"; }
# cat_matches CHECK CAST WxH WORD EXPECTED: `asciinema cat CAST` in a real terminal of that size,
# once WORD is on it, shows EXPECTED's rows.
cat_matches() {
  local name=$1 cast=$2 w=${3%x*} h=${3#*x}
  tmux -L rec new-session -d -s "$name" -x "$w" -y "$h" "asciinema cat $cast; sleep 120"
  wait_until 20 shows "$name" "$4"
  sleep 0.5
  pane "$name" | head -"$((h - 1))" >"$T/$name.txt"
  check "$name" same_text <(head -"$((h - 1))" "$5") "$T/$name.txt"
  [ -s "$T/diff.out" ] && head -20 "$T/diff.out"
}

# ---- record: the screen, to stdout ----
kssh screen --text | sed 's/ *$//' >"$T/screen.txt"
kssh record --seconds 3 --mode text >"$T/a.cast"
check record_exit_0 test $? -eq 0
check record_is_asciicast_v2 valid_cast "$T/a.cast"
check record_size_is_text_screen test "$(field "$T/a.cast" width)x$(field "$T/a.cast" height)" = 80x25
check record_greppable grep -q 'Setup Utility' "$T/a.cast"
check record_no_markers test -z "$(markers "$T/a.cast")"
# The players read the file, not the server: once, in the plain build's run (not again under
# the sanitizers, SSHKVM_SLOW > 1).
if [ "$SLOW" = 1 ]; then
  # asciinema cat and play in a real terminal (tmux) show what screen --text read.
  cat_matches asciinema_cat_shows_screen "$T/a.cast" 80x25 'Setup Utility' "$T/screen.txt"
  tmux -L rec new-session -d -s play -x 80 -y 25 "asciinema play -i 0.2 $T/a.cast && echo PLAYED-OK >$T/played; sleep 120"
  wait_until 30 test -f "$T/played"
  check asciinema_play_exit_0 grep -q PLAYED-OK "$T/played"
  pane play | head -25 >"$T/play.txt"
  check asciinema_play_shows_screen same_text "$T/screen.txt" "$T/play.txt"
  # asciinema's web player (npm asciinema-player, fetched once into build/npm/) in headless
  # Chromium shows every row but the clock.
  PLAYER=$ROOT/build/npm/asciinema-player/package
  if [ ! -f "$PLAYER/dist/bundle/asciinema-player.min.js" ]; then
    mkdir -p "$ROOT/build/npm/asciinema-player"
    (cd "$ROOT/build/npm/asciinema-player" && npm pack --silent asciinema-player@3 >/dev/null 2>&1 &&
      tar xzf asciinema-player-*.tgz)
  fi
  web_rows_once() {
    python3 "$ROOT/tests/helpers/cast_web_player.py" "$PLAYER" "$T/a.cast" "$T" >"$T/web.txt" || return 1
    local line missing=0
    while IFS= read -r line; do
      [ -z "$line" ] || grep -qF -- "$line" "$T/web.txt" || { echo "web player lacks: $line"; missing=1; }
    done < <(grep -v 'System Time' "$T/screen.txt")
    return $missing
  }
  # Headless Chromium's virtual time runs short on a loaded machine: up to three tries.
  web_shows_rows() { web_rows_once >/dev/null || web_rows_once >/dev/null || web_rows_once; }
  check asciinema_web_player_shows_screen web_shows_rows
fi
# Interrupted (the client killed): what came is whole events.
timeout 2 ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 record >"$T/b.cast"
check record_interrupted_valid valid_cast "$T/b.cast"
# A view-only key may record; the art mode has the size asked for.
ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 record --seconds 1 --mode art --cols 60 --rows 20 >"$T/c.cast"
check record_view_only_allowed test $? -eq 0
check record_art_size test "$(field "$T/c.cast" width)x$(field "$T/c.cast" height)" = 60x20
check record_art_valid valid_cast "$T/c.cast"
for bad in "--mode photo" "--seconds 0" "--cols 9999" "--fps" "--bogus 1"; do
  # shellcheck disable=SC2086
  kssh record $bad >/dev/null 2>"$T/err"
  rc=$?
  check "record_usage_$(echo "$bad" | tr -dc 'a-z')" test "$rc" -eq 2
done
check record_usage_says_why grep -q 'sshkvm: record: --bogus\|unexpected argument' "$T/err"

# ---- --record-dir: an interactive session ----
check record_dir_made_0700 test "$(stat -c %a "$REC")" = 700
tmux -L rec new-session -d -s con -x 100 -y 30 "ssh ${SSH_OPTS[*]} -t -i $T/id -p $SSH_PORT kvm@127.0.0.1"
wait_until 20 shows con 'sshkvm |'
f=$(ls "$REC"/*.cast 2>/dev/null | head -1)
check session_file_made test -n "$f"
check session_file_0600 test "$(stat -c %a "$f")" = 600
check session_file_named_by_user_and_time grep -Eq '/[0-9]{8}-[0-9]{6}-sshkvm-test(-[0-9]+)?\.cast$' <<<"$f"
# Typed letters (the demo's main page ignores them), a key, a combination, a resize.
tmux -L rec send-keys -t con -l 'zqxz'
sleep 0.3
tmux -L rec send-keys -t con Right
sleep 0.3
tmux -L rec send-keys -t con C-x
sleep 0.3
tmux -L rec resize-window -t con -x 90 -y 28
wait_until 10 shows con 'CPU Configuration' # the Advanced page: Right was read
sleep 1.5 # a frame or two at the new size, and the typing counted
pane con | head -27 >"$T/live.txt"
tmux -L rec send-keys -t con C-]
sleep 0.3
tmux -L rec send-keys -t con q
session_ended() { markers "$f" 2>/dev/null | grep -q '^session ended'; }
wait_until 10 session_ended
check session_valid_cast valid_cast "$f"
check session_header_size test "$(field "$f" width)x$(field "$f" height)" = 100x30
markers "$f" >"$T/markers"
check session_marker_typed_count grep -qx 'typed 4 characters' "$T/markers"
check session_marker_key grep -qx 'key right' "$T/markers"
check session_marker_combo grep -qx 'key ctrl+x' "$T/markers"
check session_marker_end grep -qx 'session ended' "$T/markers"
check session_resize_event grep -q '"r", "90x28"' "$f"
check session_typed_text_absent_from_markers bash -c "! grep -q zqxz '$T/markers'"
check session_typed_text_absent_from_file bash -c "! grep -q zqxz '$f'"
check session_no_input_events bash -c "! grep -q '\"i\"' '$f'"
# The file up to the menu, played back, shows what the user's terminal did.
python3 - "$f" "$T/cut.cast" <<'PY'
import json, sys
out = []
for i, l in enumerate(open(sys.argv[1]).read().splitlines()):
    if i and json.loads(l)[1] == "o" and "send Ctrl+Alt+Del" in json.loads(l)[2]:
        break
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
cat_matches session_playback_matches_terminal "$T/cut.cast" 90x28 'CPU Configuration' "$T/live.txt"

# ---- the size bound: a huge window's redraws pass 1 MB ----
tmux -L rec new-session -d -s big -x 400 -y 200 "ssh ${SSH_OPTS[*]} -t -i $T/id -p $SSH_PORT kvm@127.0.0.1 2>/dev/null"
n0=$(ls "$REC" | wc -l)
big_up() { [ "$(ls "$REC" | wc -l)" -gt "$n0" ]; }
wait_until 20 big_up
big=$(ls -t "$REC"/*.cast | head -1)
bound_hit() { grep -q 'size bound of 1048576 bytes reached' "$big"; }
# Each resize redraws everything (about 300 KB here); resize until the bound is passed.
for w in $(seq 399 -1 370); do
  tmux -L rec resize-window -t big -x "$w" -y 200
  wait_until 2 bound_hit && break
done
check bound_marker_written bound_hit
check bound_file_within_bound test "$(stat -c %s "$big")" -le 1048576
# The session goes on past its recording's bound: its picture still changes (a key, the clock).
pane big | md5sum >"$T/big.before"
tmux -L rec send-keys -t big Right
big_changed() { ! pane big | md5sum | cmp -s - "$T/big.before"; }
check bound_session_went_on wait_until 10 big_changed
tmux -L rec kill-session -t big
check bound_still_valid valid_cast "$big"
tmux -L rec kill-server 2>/dev/null
finish

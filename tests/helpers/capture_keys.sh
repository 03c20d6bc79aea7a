#!/usr/bin/env bash
# capture_keys: the bytes a real terminal sends for each key of
# tests/data/keycaps/keys.txt, as a table for test_key_captures.
#
#   capture_keys.sh xterm|tmux normal|app OUT.tsv
#
# xterm (Debian's, under Xvfb, keys pressed with xdotool through XTEST, with
# metaSendsEscape as most distributions' xterm profiles set it) or tmux
# (keys sent with send-keys to a pane) runs tests/helpers/keyrec.py, which
# records each key's bytes; "app" has the recorder turn on application
# cursor keys and keypad first. OUT gets one line per key:
#   SENT<TAB>EXPECTED<TAB>HEX    (EXPECTED already chosen for the mode)
# Needs xterm, xvfb, xdotool (xterm) or tmux. Exits 1 if the terminal
# cannot be started or a key produced nothing.
set -u
term=$1 mode=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
keys=$here/../data/keycaps/keys.txt
T=$(mktemp -d)
rec=$T/rec
cleanup() {
  [ -n "${xpid:-}" ] && kill "$xpid" 2>/dev/null
  [ -n "${vpid:-}" ] && kill "$vpid" 2>/dev/null
  [ "$term" = tmux ] && tmux -S "$T/tmux.sock" kill-server 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
recmode=$([ "$mode" = app ] && echo app)

case $term in
tmux)
  col=2
  tmux -S "$T/tmux.sock" -f /dev/null new-session -d -x 80 -y 24 \
    "python3 '$here/keyrec.py' '$rec' $recmode" || exit 1
  send() { tmux -S "$T/tmux.sock" send-keys -t 0 "$1"; }
  ;;
xterm)
  col=1
  d=$((90 + RANDOM % 400))
  Xvfb ":$d" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 & vpid=$!
  export DISPLAY=":$d"
  for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
  xterm -xrm 'XTerm*metaSendsEscape: true' -e python3 "$here/keyrec.py" "$rec" $recmode & xpid=$!
  ;;
*) echo "capture_keys: unknown terminal $term" >&2; exit 2 ;;
esac
for _ in $(seq 100); do [ -e "$rec.ready" ] && break; sleep 0.1; done
[ -e "$rec.ready" ] || { echo "capture_keys: $term did not start the recorder" >&2; exit 1; }
if [ "$term" = xterm ]; then
  wid=$(xdotool search --sync --onlyvisible --class xterm | head -1)
  xdotool windowfocus --sync "$wid" || exit 1
  send() { xdotool key --clearmodifiers "$1"; }
fi
sleep 0.3
: >"$rec"
: >"$out"
rc=0
while read -r xk tk want; do
  case $xk in '#'* | '') continue ;; esac
  sent=$([ "$col" = 1 ] && echo "$xk" || echo "$tk")
  [ "$sent" = - ] && continue
  case $want in *'|'*) [ "$mode" = app ] && want=${want#*|} || want=${want%|*} ;; esac
  n=$(wc -l <"$rec")
  send "$sent"
  for _ in $(seq 40); do [ "$(wc -l <"$rec")" -gt "$n" ] && break; sleep 0.05; done
  sleep 0.05 # a key's bytes in more than one read are joined
  hex=$(tail -n +$((n + 1)) "$rec" | tr -d '\n')
  [ -n "$hex" ] || { echo "capture_keys: $term sent nothing for $sent" >&2; rc=1; }
  printf '%s\t%s\t%s\n' "$sent" "$want" "$hex" >>"$out"
done <"$keys"
exit $rc

# Shared by the integration tests: start the real sshkvm on loopback with a
# throw-away client key, talk to it with the real OpenSSH client and curl,
# and report "PASS name" / "FAIL name" lines that tests/run.sh counts.
# Every server started here is stopped on exit.
#   SSHKVM_BIN=build/asan/sshkvm   test another build (make test-asan)
#   SSHKVM_WRAP="valgrind ..."     run the server under a wrapper (make test-valgrind)
#   SSHKVM_SLOW=N                  multiply start/stop waits (sanitizers, valgrind)
#   SSHKVM_RSS_SLACK_KB=N          extra RSS allowance for "memory stays flat" checks,
#                                  for builds whose allocator holds memory (ASan's
#                                  caches and shadow; LeakSanitizer checks leaks there)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${SSHKVM_BIN:-$ROOT/build/sshkvm}
read -r -a WRAP <<<"${SSHKVM_WRAP:-}"
SLOW=${SSHKVM_SLOW:-1}
RSS_SLACK=${SSHKVM_RSS_SLACK_KB:-0}
HELPERS=$ROOT/build/tests
T=$(mktemp -d /tmp/sshkvm-test.XXXXXX)
SK_PID=
FAILS=0

cleanup() {
  stop_sshkvm
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILS=$((FAILS + 1)); }
# check NAME COMMAND...: PASS when the command succeeds.
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
# check_all NAME 'COMMANDS': PASS when the shell line COMMANDS succeeds as a whole (&&, pipes,
# functions: `check NAME a && b` would assert a alone, and `check NAME a | b` nothing).
check_all() { if eval "$2"; then pass "$1"; else fail "$1"; fi; }

# A client key pair and an authorized_keys file holding it.
ssh-keygen -q -t ed25519 -N '' -C sshkvm-test -f "$T/id" >/dev/null
cp "$T/id.pub" "$T/authorized_keys"

. "$(dirname "${BASH_SOURCE[0]}")/../ports.sh"

# start_sshkvm [options...]: start on free ports; sets SSH_PORT, HTTP_PORT, SK_PID.
# A port taken between the choice and the bind (another test on the machine) is
# chosen again, up to three times.
start_sshkvm() {
  local try
  for try in 1 2 3; do
    start_sshkvm_once "$@" && return 0
    grep -q 'Address already in use' "$T/sshkvm.log" 2>/dev/null || break
  done
  echo "sshkvm did not start:"; cat "$T/sshkvm.out" "$T/sshkvm.log"
  return 1
}

start_sshkvm_once() {
  SSH_PORT=$(free_port)
  HTTP_PORT=$(free_port)
  ${WRAP[@]+"${WRAP[@]}"} "$BIN" --ssh-listen "127.0.0.1:$SSH_PORT" --http-listen "127.0.0.1:$HTTP_PORT" \
    --hostkeys "$T/hostkeys" --authorized-keys "$T/authorized_keys" "$@" \
    >"$T/sshkvm.out" 2>"$T/sshkvm.log" &
  SK_PID=$!
  for _ in $(seq $((100 * SLOW))); do
    if grep -q 'console:' "$T/sshkvm.out" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SK_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  stop_sshkvm # a server that did not come up in time must not stay behind
  return 1
}

stop_sshkvm() {
  if [ -n "$SK_PID" ]; then
    kill -TERM "$SK_PID" 2>/dev/null
    for _ in $(seq $((50 * SLOW))); do kill -0 "$SK_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SK_PID" 2>/dev/null
    wait "$SK_PID" 2>/dev/null
    SK_PID=
  fi
}

# wait_until TIMEOUT_S COMMAND...: runs COMMAND every 0.1 s until it succeeds
# (returns 0) or TIMEOUT_S seconds, times SSHKVM_SLOW, have passed (returns 1).
# Waits for the event a test needs (a line in a log, a file's size, a field of
# the status JSON) instead of sleeping for as long as it usually takes.
wait_until() {
  local tries=$(($1 * SLOW * 10))
  shift
  until "$@"; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}
# size_at_least FILE BYTES: FILE holds at least BYTES bytes.
size_at_least() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
# has FILE TEXT: FILE holds TEXT (a fixed string, escape sequences and all).
has() { grep -qF -- "$2" "$1" 2>/dev/null; }
# tty_attach NAME KEY USER [COMMAND]: ssh -tt as USER with the key $T/KEY, its stdin the fifo
# $T/NAME.in held open on the fd in FD_NAME, its output in $T/NAME.out; its pid is appended
# to the caller's SSHS array (the caller kills them).
tty_attach() {
  mkfifo "$T/$1.in"
  ssh "${SSH_OPTS[@]}" -tt -i "$T/$2" -p "$SSH_PORT" "$3@127.0.0.1" ${4:+"$4"} \
    <"$T/$1.in" >"$T/$1.out" 2>&1 &
  SSHS+=($!)
  eval "exec {FD_$1}>\"$T/$1.in\""
}
# status_has REGEX: the status JSON (ssh ... status) matches the extended REGEX.
status_has() { kssh status 2>/dev/null | grep -Eq -- "$1"; }
# logouts: how many sessions have ended, from the audit log (the server's stderr
# unless --audit-log says otherwise). ended_since N: more than N have, and the HID
# has taken every report queued (a session's last, all released, among them).
logouts() { grep -c 'event=logout' "$T/sshkvm.log"; }
ended_since() { [ "$(logouts)" -gt "$1" ] && status_has '"queued":0,'; }
# console_quit OUT: typed into a console's piped input: Ctrl+] q, then waits until the
# console (its output in OUT) has restored the terminal, so the input ends after it quit.
console_quit() { printf '\035'; sleep 0.2; printf q; wait_until 10 has "$1" $'\033[?1049l'; }
# captured: the capture has delivered a frame since the start.
captured() { status_has '"capture":\{[^}]*"frames":[1-9]'; }

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
  -o LogLevel=ERROR -o ConnectTimeout=10 -o IdentitiesOnly=yes -o IdentityAgent=none)

# kssh ARGS...: the real OpenSSH client with the test key.
kssh() { ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }

# hex [FILE]: the file (standard input without one) as one line of hex bytes.
hex() { od -An -v -tx1 "${1:--}" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
# hex_from FILE OFFSET: the file's bytes from OFFSET on, as hex (what a sink got since).
hex_from() { tail -c +$(($2 + 1)) "$1" | hex; }
# last_report FILE: the last 8-byte keyboard report written to FILE, as hex.
last_report() { tail -c 8 "$1" | hex; }

# The 8-byte keyboard reports for pressing and releasing one key: press MODS USAGE.
press() { printf '%02x 00 %02x 00 00 00 00 00 00 00 00 00 00 00 00 00' "0x$1" "0x$2"; }
ZERO='00 00 00 00 00 00 00 00'

# archive_mid_sync LOG: apt's LOG says Debian's archive (or the mirror it reaches) is
# inconsistent (an index of the wrong size, mid-sync): no package set can be installed from
# it, whatever sshkvm's code does. Tests that need packages then say SKIP, naming it.
archive_mid_sync() { grep -q 'Mirror sync in progress' "$1"; }

# An MJPEG file of N distinct frames (ffmpeg's test pattern with a frame counter).
make_mjpeg() {
  ffmpeg -loglevel error -f lavfi -i "testsrc=size=${3:-320x240}:rate=30" -frames:v "$2" \
    -q:v 5 -f mjpeg -y "$1"
}

finish() {
  [ "$FAILS" -eq 0 ]
}

# rss_kb / fds / threads PID: the process's resident memory (KiB), open file
# descriptors and threads, from /proc.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }

# in_set FILE SETFILE: the file's md5 is one of the lines of SETFILE.
in_set() { grep -qx "$(md5sum <"$1" | awk '{print $1}')" "$2"; }

#!/usr/bin/env bash
# bench_media: the upload rate of `ssh kvm@pi media put NAME < FILE` against
# scp of the same file to the same disk, in the same run: a user-mode OpenSSH
# sshd on a loopback port with its own host key and authorized key (no
# system sshd is touched). Each is run RUNS times, alternating (scp, then
# media put, RUNS pairs); each pair's ratio is taken (the two ran seconds
# apart, under the same load from whatever else this machine runs) and the
# median of the ratios is the figure, with their range, next to each side's
# median time; the goal is media put at >= 90% of scp's rate. Both end with
# the file on disk: media put also hashes it (SHA-256) and syncs it before
# naming it; scp does neither.
#   bench/bench_media.sh [MIB] [RUNS]      (default 256 MiB, 7 runs)
# BENCH_SMOKE=1: 8 MiB, 1 run (make test's check that it runs).
# Exits non-zero when an upload fails or the stored bytes differ.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh" >/dev/null
. "$ROOT/bench/lib.sh"
MIB=${1:-256}
RUNS=${2:-7}
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  MIB=${1:-8}
  RUNS=1
fi
# sshd: the system's, else the one in Debian's openssh-server package, unpacked (not installed:
# its postinst would start a system sshd) and cached under build/sshd.
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if [ ! -x "$SSHD" ]; then
  SSHD=$ROOT/build/sshd/x/usr/sbin/sshd
  if [ ! -x "$SSHD" ]; then
    mkdir -p "$ROOT/build/sshd"
    (cd "$ROOT/build/sshd" && apt-get download -q openssh-server >/dev/null 2>&1 &&
      dpkg-deb -x openssh-server_*.deb x)
  fi
  [ -x "$SSHD" ] || { echo "bench_media: no sshd (apt-get download openssh-server failed)"; exit 1; }
fi

mkdir -p "$T/media" "$T/scp"
head -c $((MIB << 20)) /dev/urandom >"$T/file"
want=$(sha256sum <"$T/file" | cut -c1-64)

# A private sshd: its own host key, config and port; root may log in with the test key only.
ssh-keygen -q -t ed25519 -N '' -f "$T/sshd_hk" >/dev/null
SSHD_PORT=$(free_port)
cat >"$T/sshd_config" <<CFG
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $T/sshd_hk
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
CFG
chmod 600 "$T/authorized_keys"
# sshd as root needs its privilege-separation user: without one on this machine, it runs in a
# mount namespace of its own that sees a copy of /etc/passwd with the user added.
mkdir -p /run/sshd 2>/dev/null
if getent passwd sshd >/dev/null; then
  "$SSHD" -D -e -f "$T/sshd_config" 2>"$T/sshd.log" &
else
  { cat /etc/passwd; echo 'sshd:x:64999:65534::/run/sshd:/usr/sbin/nologin'; } >"$T/passwd"
  unshare -m sh -c 'mount --bind "$1" /etc/passwd && exec "$2" -D -e -f "$3"' _ \
    "$T/passwd" "$SSHD" "$T/sshd_config" 2>"$T/sshd.log" &
fi
SSHD_PID=$!
trap 'kill "$SSHD_PID" 2>/dev/null; cleanup' EXIT
start_sshkvm --media-dir "$T/media" --http-listen off >/dev/null || exit 1
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$SSHD_PORT") 2>/dev/null && break; sleep 0.1; done

now() { date +%s%N; }
# put / scp: one upload each; prints its seconds.
put() {
  local t0 t1
  t0=$(now)
  out=$(kssh media put bench.img <"$T/file") || { echo "media put failed" >&2; return 1; }
  t1=$(now)
  [ "$out" = "$want  bench.img" ] || { echo "media put: wrong SHA-256" >&2; return 1; }
  echo "$(((t1 - t0) / 1000))"
}
scp_up() {
  local t0 t1
  t0=$(now)
  scp -q "${SSH_OPTS[@]}" -i "$T/id" -P "$SSHD_PORT" "$T/file" "root@127.0.0.1:$T/scp/bench.img" ||
    { echo "scp failed: $(cat "$T/sshd.log")" >&2; return 1; }
  t1=$(now)
  echo "$(((t1 - t0) / 1000))"
}

: >"$T/put.us"; : >"$T/scp.us"
for _ in $(seq "$RUNS"); do
  scp_up >>"$T/scp.us" || exit 1
  put >>"$T/put.us" || exit 1
done
cmp -s "$T/file" "$T/media/bench.img" || { echo "media put: the stored bytes differ"; exit 1; }
cmp -s "$T/file" "$T/scp/bench.img" || { echo "scp: the stored bytes differ"; exit 1; }
put_us=$(median <"$T/put.us")
scp_us=$(median <"$T/scp.us")
# Each pair's rate ratio (scp's time over put's), sorted: the median and the range.
paste "$T/scp.us" "$T/put.us" | awk '{printf "%.4f\n", $1 / $2}' | sort -n >"$T/ratios"
awk -v mib="$MIB" -v p="$put_us" -v s="$scp_us" -v runs="$RUNS" 'BEGIN {
  printf "media put: %d MiB in %.2f s, %.1f MiB/s (median of %d)\n", mib, p / 1e6, mib / (p / 1e6), runs
  printf "scp:       %d MiB in %.2f s, %.1f MiB/s (median of %d)\n", mib, s / 1e6, mib / (s / 1e6), runs
}'
awk -v m="$(median <"$T/ratios")" '{r[NR] = $1} END {
  printf "media put / scp: %.2f (median of %d pairs, range %.2f-%.2f; goal >= 0.90)\n", m, NR, r[1], r[NR]
}' "$T/ratios"

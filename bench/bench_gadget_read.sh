#!/usr/bin/env bash
# bench_gadget_read: the read rate the target gets from boot media, against
# reading the same bytes straight from the Pi's own storage, in the same run.
# One boot of the VM harness (tests/vm/lib.sh: Debian's kernel under QEMU
# TCG; the gadget on dummy_hcd, and the same guest is the USB host): an image
# is put over ssh (media put), inserted as a disk, then as a CD-ROM, and the
# guest reads the USB device with dd bs=1M, with iflag=direct and buffered
# (caches dropped first). The baseline is the backing file itself, read with
# dd from the guest's tmpfs (the media dir): what the gadget's reads cost
# when nothing goes through USB. Each figure is the median of RUNS reads;
# each device is first read back and compared by SHA-256 with the file put.
# dummy_hcd is no real UDC: no USB 2.0 wire and no bus limit, the figures are
# CPU-bound under emulation. What they show is the share of the backing
# store's rate that the gadget path (f_mass_storage, dummy_hcd, usb-storage,
# sd/sr) keeps on one machine, not a Pi's USB rate.
#   bench/bench_gadget_read.sh [MIB] [RUNS]     (default 64 MiB, 3 runs; MIB at most 128)
# BENCH_SMOKE=1: 8 MiB, 1 run (make test's check that it runs).
# Exits non-zero when the VM does not come up, an insert or a read fails, or
# the bytes read differ from the image.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIB=${1:-64}
RUNS=${2:-3}
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  MIB=${1:-8}
  RUNS=1
fi
# The guest has 512 MiB; its tmpfs (the media dir) half of it, less the store's 64 MiB reserve.
if [ "$MIB" -gt 128 ] 2>/dev/null || ! [ "$MIB" -gt 0 ] 2>/dev/null; then
  echo "bench_gadget_read: MIB must be 1 to 128 (the guest's tmpfs holds the image)"
  exit 2
fi
# QEMU's lifetime (tests/vm/lib.sh): the reads of the largest image take minutes under TCG.
VM_TIMEOUT=${VM_TIMEOUT:-900}
SSHKVM_ARGS="--media-dir /tmp/media"
. "$ROOT/tests/vm/lib.sh"
. "$ROOT/bench/lib.sh"

vm_require bench_gadget_read qemu-system-x86_64 gcc strings
vm_up bench_gadget_read

head -c $((MIB << 20)) /dev/urandom >"$T/bench.img"
want=$(sha256sum <"$T/bench.img" | cut -c1-64)
t0=$(date +%s%N)
out=$(kssh media put bench.img <"$T/bench.img")
t1=$(date +%s%N)
[ "$out" = "$want  bench.img" ] || { echo "bench_gadget_read: media put failed: $out"; exit 1; }
put_ms=$(((t1 - t0) / 1000000))

# read_us FILE FLAGS: the guest reads MIB MiB of FILE with dd bs=1M FLAGS after
# dropping its caches; prints the microseconds, from the guest's own monotonic
# clock ("now at N nsecs" in /proc/timer_list: busybox's date has no %N).
read_us() {
  guest "sync; echo 3 >/proc/sys/vm/drop_caches; t() { sed -n '/^now at/{s/[^0-9]//g;p;q}' /proc/timer_list; }; a=\$(t);" \
    "dd if=$1 of=/dev/null bs=1M count=$MIB $2 2>/tmp/dd.err || { cat /tmp/dd.err; exit 1; };" \
    "b=\$(t); echo \$(((b - a) / 1000))"
}
# measure NAME FILE FLAGS: RUNS reads, their median in microseconds into $T/NAME.
measure() {
  local us
  : >"$T/$1.runs"
  for _ in $(seq "$RUNS"); do
    if ! us=$(read_us "$2" "$3") || ! [ "$us" -gt 0 ] 2>/dev/null; then
      echo "bench_gadget_read: $1: $us"
      exit 1
    fi
    echo "$us" >>"$T/$1.runs"
  done
  median <"$T/$1.runs" >"$T/$1"
}
# insert_read MODE PREFIX: insert the image as MODE, wait for the device,
# check its bytes, measure direct and buffered reads, eject.
insert_read() {
  local dev got
  kssh media insert bench.img "--$1" || { echo "bench_gadget_read: media insert --$1 failed"; exit 1; }
  wait_until 30 has_dev "$2" || { echo "bench_gadget_read: no /dev/$2* after insert --$1"; exit 1; }
  dev=$(block_dev "$2")
  got=$(guest "head -c $((MIB << 20)) /dev/$dev | sha256sum" | cut -c1-64)
  [ "$got" = "$want" ] || { echo "bench_gadget_read: /dev/$dev ($1) reads other bytes than the image"; exit 1; }
  measure "$1.direct" "/dev/$dev" iflag=direct
  measure "$1.buffered" "/dev/$dev" ""
  kssh media eject || { echo "bench_gadget_read: media eject failed"; exit 1; }
  wait_until 30 no_dev "$2" || { echo "bench_gadget_read: /dev/$dev still there after eject"; exit 1; }
}

# The baseline before and after the USB reads: the figure is the median of both sets.
measure base.before /tmp/media/bench.img ""
insert_read disk sd
insert_read cdrom sr
measure base.after /tmp/media/bench.img ""
cat "$T/base.before.runs" "$T/base.after.runs" | median >"$T/base"

f() { cat "$T/$1"; }
awk -v mib="$MIB" -v runs="$RUNS" -v put="$put_ms" -v b="$(f base)" -v b1="$(f base.before)" -v b2="$(f base.after)" \
  -v dd="$(f disk.direct)" -v db="$(f disk.buffered)" -v cd="$(f cdrom.direct)" -v cb="$(f cdrom.buffered)" '
  function row(what, us) { printf "  %-40s %8.1f MiB/s  %5.3f of the baseline (%d us)\n", what, mib / (us / 1e6), b / us, us }
  BEGIN {
    printf "gadget read: %d MiB image, dd bs=1M in the guest, median of %d reads (QEMU TCG; dummy_hcd, no real UDC)\n", mib, runs
    printf "  %-40s %8.1f MiB/s  (%d us; medians before and after the USB reads: %d, %d us)\n", "baseline: the backing file on tmpfs", mib / (b / 1e6), b, b1, b2
    row("USB disk, iflag=direct", dd)
    row("USB disk, buffered", db)
    row("USB CD-ROM, iflag=direct", cd)
    row("USB CD-ROM, buffered", cb)
    printf "  (media put of the image over ssh: %.1f MiB/s; compared with scp by bench_media.sh)\n", mib / (put / 1000)
  }'

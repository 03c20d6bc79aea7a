#!/usr/bin/env bash
# Build v4l2loopback for the VM test's kernel, once, and keep it under build/vm/.
#   tests/vm/loopback.sh KDIR   prints the path of v4l2loopback.ko on stdout
# KDIR is the directory tests/vm/kernel.sh made (it holds kver). The kernel's
# headers and kbuild and the v4l2loopback-dkms source are fetched with
# apt-get download and unpacked here, never installed: installing the dkms
# package would try to build for the host's running kernel, and the headers
# are for the guest's. The module is built out of tree with the host's gcc
# (bookworm's gcc-12 is the one Debian built the kernel with).
set -euo pipefail
KDIR=$(cd "$1" && pwd)
kver=$(cat "$KDIR/kver")
OUT=$KDIR/v4l2loopback
if [ -f "$OUT/v4l2loopback.ko" ]; then
  echo "$OUT/v4l2loopback.ko"
  exit 0
fi
rm -rf "$OUT" && mkdir -p "$OUT/dl" "$OUT/x"
flavour=${kver##*-}          # amd64
abi=${kver%-"$flavour"}      # 6.1.0-56
kbuild=$(apt-cache depends "linux-headers-$kver" 2>/dev/null | sed -n 's/^ *Depends: \(linux-kbuild-[0-9.]*\)$/\1/p' | head -1)
pkgs=("linux-headers-$kver" "linux-headers-$abi-common" "${kbuild:-linux-kbuild-6.1}" v4l2loopback-dkms)
(cd "$OUT/dl" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1) || {
  echo "loopback.sh: apt-get download ${pkgs[*]} failed" >&2
  exit 1
}
for d in "$OUT"/dl/*.deb; do dpkg-deb -x "$d" "$OUT/x"; done
hdr=$(bash "$(dirname "$0")/headers.sh" "$OUT/x" "$kver")
src=$(ls -d "$OUT"/x/usr/src/v4l2loopback-*)
make -s -C "$hdr" M="$src" KERNELRELEASE="$kver" modules >"$OUT/build.log" 2>&1 || {
  echo "loopback.sh: building v4l2loopback failed (see $OUT/build.log)" >&2
  tail -20 "$OUT/build.log" >&2
  exit 1
}
cp "$src/v4l2loopback.ko" "$OUT/v4l2loopback.ko"
rm -rf "$OUT/dl" "$OUT/x"
echo "$OUT/v4l2loopback.ko"

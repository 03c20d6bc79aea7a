#!/usr/bin/env bash
# sshkvm built against Debian 13 (trixie), whose libgpiod is 2.x (Debian 12's
# is 1.6: src/power/gpio.c's other API), for test_vm_power to run in its guest.
#   tests/vm/trixie.sh     prints the path of a tarball on stdout
# The tarball is a small root file system: usr/bin/sshkvm, the libraries
# its ldd names inside trixie (at their paths there, the loader included),
# the keymaps and web page; the guest unpacks it and runs sshkvm chrooted in
# it. A minimal trixie with the build dependencies is made once with
# mmdebstrap (minutes; needs root and deb.debian.org) and kept under
# build/vm/trixie/ by what it includes; the sources are copied in with their
# times, so make rebuilds only what changed (seconds when nothing did). It is
# built with -Werror, as make check builds here, with trixie's gcc 14.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/vm/trixie
# The build packages are scripts/deps.sh's own list, so a new library is in the root too.
INCLUDE=$(bash "$ROOT/scripts/deps.sh" list),libc6-dev,libcrypt-dev
R=$OUT/root-$(printf '%s' "$INCLUDE" | md5sum | cut -c1-8)
mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "trixie.sh: needs root (mmdebstrap, chroot)" >&2; exit 1; }
if [ ! -f "$R/.complete" ]; then
  rm -rf "$R" "$R.tar"
  mmdebstrap --quiet --variant=minbase --include="$INCLUDE" trixie "$R.tar" >"$OUT/mmdebstrap.log" 2>&1 || {
    echo "trixie.sh: mmdebstrap trixie failed (see $OUT/mmdebstrap.log)" >&2
    tail -5 "$OUT/mmdebstrap.log" >&2
    rm -f "$R.tar"
    exit 1
  }
  mkdir -p "$R" && tar -C "$R" -xf "$R.tar" && rm -f "$R.tar"
  touch "$R/.complete"
fi
major=$(chroot "$R" pkg-config --modversion libgpiod | cut -d. -f1)
[ "$major" -ge 2 ] || { echo "trixie.sh: trixie's libgpiod is $major.x, not 2.x" >&2; exit 1; }

# The sources as they are here (with their times: an unchanged file is not rebuilt); a file
# removed here is removed there too (the Makefile builds every src/*.c it finds).
mkdir -p "$R/sshkvm"
tar -C "$ROOT" -cf - src Makefile keymaps web | tar -C "$R/sshkvm" -xf -
(cd "$R/sshkvm" && find src keymaps web -type f) | while IFS= read -r f; do
  [ -e "$ROOT/$f" ] || rm -f "$R/sshkvm/$f"
done
chroot "$R" sh -c 'cd /sshkvm && make -s -j2 build/sshkvm CFLAGS="-O2 -g -Werror"' >"$OUT/build.log" 2>&1 || {
  echo "trixie.sh: make in trixie failed (see $OUT/build.log)" >&2
  tail -20 "$OUT/build.log" >&2
  exit 1
}
grep -q -- '-DSK_GPIOD_MAJOR=2' <(chroot "$R" sh -c 'cd /sshkvm && make -n -B build/src/power/gpio.o') || {
  echo "trixie.sh: src/power/gpio.c is not built for libgpiod 2.x" >&2
  exit 1
}

B=$OUT/bundle
rm -rf "$B" && mkdir -p "$B/usr/bin" "$B/usr/share/sshkvm" "$B/etc" "$B/dev" "$B/proc" "$B/sys" "$B/tmp"
cp "$R/sshkvm/build/sshkvm" "$B/usr/bin/sshkvm"
for lib in $(chroot "$R" ldd /sshkvm/build/sshkvm | awk '/=> \//{print $3} /^\t\//{print $1}'); do
  mkdir -p "$B$(dirname "$lib")"
  cp -L "$R$lib" "$B$lib"
done
cp -r "$R/sshkvm/keymaps" "$R/sshkvm/web" "$B/usr/share/sshkvm/"
tar -C "$B" -cf "$OUT/sshkvm-trixie.tar" .
rm -rf "$B"
echo "$OUT/sshkvm-trixie.tar"

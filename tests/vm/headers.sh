#!/usr/bin/env bash
# Make unpacked kernel headers usable where they are (for loopback.sh and gpiosim.sh).
#   tests/vm/headers.sh X KVER   prints the headers' directory, X/usr/src/linux-headers-KVER
# X holds linux-headers-KVER, its -common and linux-kbuild unpacked with dpkg-deb -x. Their
# symlinks are absolute (/usr/lib/linux-kbuild-6.1/..., /usr/src/linux-headers-...-common) and
# the Makefile includes the common tree by absolute path too: all are pointed into X.
set -euo pipefail
X=$1
find "$X" -type l | while read -r l; do
  t=$(readlink "$l")
  case $t in /*) ln -sfn "$X$t" "$l" ;; esac
done
hdr=$X/usr/src/linux-headers-$2
grep -rlI '/usr/src/linux-headers-\|/usr/lib/linux-kbuild-' "$hdr" --include=Makefile* | while read -r f; do
  sed -i "s|/usr/src/linux-headers-|$X/usr/src/linux-headers-|g; s|/usr/lib/linux-kbuild-|$X/usr/lib/linux-kbuild-|g" "$f"
done
echo "$hdr"

#!/usr/bin/env bash
# Build the kernel's gpio-sim for the VM test's kernel, once, and keep it under build/vm/.
#   tests/vm/gpiosim.sh KDIR   prints the path of gpio-sim.ko on stdout
# KDIR is the directory tests/vm/kernel.sh made (it holds kver). Debian's
# kernels do not build gpio-sim (CONFIG_GPIO_SIM is not set, nor the
# IRQ_SIM it selects), so its source and irq_sim.c are taken from the
# linux-source package of the same version as the kernel, and built as one
# out-of-tree module against the matching headers and kbuild: all fetched
# with apt-get download and unpacked, never installed (as loopback.sh).
set -euo pipefail
KDIR=$(cd "$1" && pwd)
kver=$(cat "$KDIR/kver")
OUT=$KDIR/gpio-sim
if [ -f "$OUT/gpio-sim.ko" ]; then
  echo "$OUT/gpio-sim.ko"
  exit 0
fi
rm -rf "$OUT" && mkdir -p "$OUT/dl" "$OUT/x" "$OUT/mod"
flavour=${kver##*-}          # amd64
abi=${kver%-"$flavour"}      # 6.1.0-57
# The image's version (6.1.192-3) is the source package's.
ver=$(apt-cache show "linux-headers-$kver" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
series=${kver%%.*}.$(echo "$kver" | cut -d. -f2)  # 6.1
kbuild=$(apt-cache depends "linux-headers-$kver" 2>/dev/null | sed -n 's/^ *Depends: \(linux-kbuild-[0-9.]*\)$/\1/p' | head -1)
pkgs=("linux-headers-$kver" "linux-headers-$abi-common" "${kbuild:-linux-kbuild-$series}" "linux-source-$series=$ver")
(cd "$OUT/dl" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1) || {
  echo "gpiosim.sh: apt-get download ${pkgs[*]} failed" >&2
  exit 1
}
for d in "$OUT"/dl/linux-headers-*.deb "$OUT"/dl/linux-kbuild-*.deb; do dpkg-deb -x "$d" "$OUT/x"; done
# Three files of the source tarball: gpio-sim, gpiolib's private header, irq_sim.
t=linux-source-$series
dpkg-deb --fsys-tarfile "$OUT"/dl/linux-source-*.deb | tar -xO "./usr/src/$t.tar.xz" | xz -dc |
  tar -x -C "$OUT" --wildcards "$t/drivers/gpio/gpio-sim.c" "$t/drivers/gpio/gpiolib.h" "$t/kernel/irq/irq_sim.c"
cp "$OUT/$t/drivers/gpio/gpio-sim.c" "$OUT/mod/gpio-sim-main.c"
cp "$OUT/$t/drivers/gpio/gpiolib.h" "$OUT/$t/kernel/irq/irq_sim.c" "$OUT/mod/"
# irq_to_desc is not exported to modules: generic_handle_irq reaches the same handler
# (handle_simple_irq, which irq_sim's domain sets for each of its interrupts).
sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$OUT/mod/irq_sim.c"
grep -q 'generic_handle_irq(irqnum)' "$OUT/mod/irq_sim.c" || { echo "gpiosim.sh: irq_sim.c is not as expected" >&2; exit 1; }
printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' >"$OUT/mod/Kbuild"
hdr=$(bash "$(dirname "$0")/headers.sh" "$OUT/x" "$kver")
make -s -C "$hdr" M="$OUT/mod" KERNELRELEASE="$kver" modules >"$OUT/build.log" 2>&1 || {
  echo "gpiosim.sh: building gpio-sim failed (see $OUT/build.log)" >&2
  tail -20 "$OUT/build.log" >&2
  exit 1
}
cp "$OUT/mod/gpio-sim.ko" "$OUT/gpio-sim.ko"
rm -rf "$OUT/dl" "$OUT/x" "$OUT/mod" "$OUT/$t"
echo "$OUT/gpio-sim.ko"

#!/usr/bin/env bash
# Fetch Debian's kernel once and keep what the VM test needs under build/vm/.
#   tests/vm/kernel.sh MODULE...   prints the cache directory on stdout
# The package is the one linux-image-amd64 depends on (KPKG= overrides), so
# the test follows Debian's security updates instead of pinning an ABI. The
# .deb is fetched with apt-get download (no install: its postinst would run
# depmod and update-initramfs for a kernel that is not running) and only
# vmlinuz plus the module trees the test loads are unpacked.
#
# The .deb has no modules.dep (depmod runs in postinst), so the load order is
# worked out here: the depends= field of each .ko, walked depth-first, gives
# DIR/modules.load, one path per line, dependencies before their users; the
# guest's /init then needs only insmod.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$ROOT/build/vm
mkdir -p "$CACHE"

if [ -z "${KPKG:-}" ]; then
  KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
  if [ -z "$KPKG" ]; then
    echo "kernel.sh: apt-cache knows no linux-image-amd64 (run apt-get update, or set KPKG=)" >&2
    exit 1
  fi
fi
DIR=$CACHE/$KPKG
# The trees extracted: everything the gadget, evdev, vivid, e1000 and
# v4l2loopback's dependencies live in; 60 MB instead of 400.
TREES=(drivers/usb drivers/hid drivers/input drivers/media fs/configfs drivers/net/ethernet/intel/e1000
  drivers/scsi drivers/cdrom fs/isofs block lib crypto) # the last line: boot media (test_vm_gadget)

# A cache unpacked with other trees is unpacked again.
if [ -f "$DIR/.done" ] && [ "$(cat "$DIR/.trees" 2>/dev/null)" != "${TREES[*]}" ]; then
  rm -f "$DIR/.done"
fi
if [ ! -f "$DIR/.done" ]; then
  rm -rf "$DIR" && mkdir -p "$DIR/dl"
  (cd "$DIR/dl" && apt-get download -q "$KPKG" >/dev/null 2>&1) || {
    echo "kernel.sh: apt-get download $KPKG failed" >&2
    exit 1
  }
  pats=('./boot/vmlinuz-*' './lib/modules/*/modules.order')
  for t in "${TREES[@]}"; do pats+=("./lib/modules/*/kernel/$t/*"); done
  dpkg-deb --fsys-tarfile "$DIR"/dl/*.deb | tar -x -C "$DIR" --wildcards "${pats[@]}"
  rm -rf "$DIR/dl"
  mv "$DIR"/boot/vmlinuz-* "$DIR/vmlinuz"
  kver=$(ls "$DIR/lib/modules")
  mv "$DIR/lib/modules/$kver" "$DIR/modules"
  rm -rf "$DIR/boot" "$DIR/lib"
  echo "$kver" >"$DIR/kver"
  echo "${TREES[*]}" >"$DIR/.trees"
  touch "$DIR/.done"
fi

# The order is kept for the same list of wanted modules.
if [ -f "$DIR/modules.load" ] && [ "$(cat "$DIR/modules.want" 2>/dev/null)" = "$*" ]; then
  echo "$DIR"
  exit 0
fi

# Module name (dashes as underscores, as the kernel spells them) -> path.
declare -A path_of=()
while read -r f p; do
  n=${f%.ko}
  path_of[${n//-/_}]=$p
done < <(cd "$DIR/modules" && find kernel -name '*.ko' -printf '%f %p\n')

declare -A seen=()
order=()
visit() {
  local n=${1//-/_} dep deps
  [ -n "${seen[$n]:-}" ] && return 0
  seen[$n]=1
  if [ -z "${path_of[$n]:-}" ]; then
    echo "kernel.sh: module $n is not in the extracted trees (${TREES[*]})" >&2
    return 1
  fi
  deps=$(strings -a "$DIR/modules/${path_of[$n]}" | sed -n 's/^depends=//p' | head -1)
  for dep in ${deps//,/ }; do visit "$dep" || return 1; done
  order+=("${path_of[$n]}")
}
for m in "$@"; do visit "$m"; done
printf '%s\n' "${order[@]}" >"$DIR/modules.load"
echo "$*" >"$DIR/modules.want"
echo "$DIR"

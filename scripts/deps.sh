#!/usr/bin/env bash
# Install the Debian / Raspberry Pi OS packages sshkvm needs, only those missing.
#   scripts/deps.sh build   what `make` needs
#   scripts/deps.sh test    plus what `make test` drives (real clients: ssh, curl, ffmpeg, tmux)
#   scripts/deps.sh gen     what scripts/gen-keymaps needs to regenerate keymaps/ from xkb-data
#   scripts/deps.sh bench   plus what `make bench` compares against (img2txt, chafa)
#   scripts/deps.sh list    the build packages, comma-separated (installs nothing)
#   scripts/deps.sh cross   the arm64 and armhf cross-compilers, libraries and qemu-user
#                           (make CROSS=aarch64-linux-gnu-, test_arm); adds the two architectures
set -euo pipefail

build=(gcc make pkg-config libssh-dev libssl-dev libcaca-dev libv4l-dev libturbojpeg0-dev libmicrohttpd-dev zlib1g-dev openssh-client
  libjansson-dev libgpiod-dev) # jansson: the MCP server's JSON (src/mcp/); libgpiod: the power buttons' GPIO lines (src/power/gpio.c)
# libtelnet: serial ports reached over telnet (--serial NAME=telnet:HOST:PORT, src/serial/telnetport.c;
# tests: test_telnetport, test_vm_serial's QEMU telnet console).
build+=(libtelnet-dev)
# mpv, VLC and Firefox: test_players plays the stream in them. openssl: test certificates and hashes.
# test_key_captures: xterm under Xvfb, keys pressed with xdotool.
# clang and its runtime (libclang-rt-14-dev): the libFuzzer targets in fuzz/; clang-format:
# test_format (make format-check).
# valgrind: make test-valgrind.
# socat: test_serial's pty pairs, a serial line with both ends in reach (test_web_serial's too).
# asciinema: test_record plays the recordings with the real player.
# nodejs, npm: test_mcp runs the official MCP SDK's client and inspector (npm, under build/npm-mcp);
# npm only when no npm is there (NodeSource's nodejs carries its own, and conflicts with Debian's).
# npm also refreshes web/vendor's xterm.js (scripts/vendor-xterm.sh; no test runs it).
# debhelper, dpkg-dev, lintian: make deb and test_deb's lintian check; mmdebstrap: the fresh
# Debian test_deb and test_ansible install the package in, and test_vm_power's Debian 13 chroot
# that builds sshkvm against libgpiod 2.x (tests/vm/trixie.sh); ansible: test_ansible's ansible-playbook
# (Debian's ansible ships community.general and its chroot connection).
# console-setup-linux: Debian's console fonts (/usr/share/consolefonts) that --text-font
# loads in test_fontfile and test_text, and --text-font-dir reads by default (test_consolefonts,
# test_textrec's not-text pictures, test_text); kbd: psfgettable, the unit test's own reading of
# their Unicode tables. grub-common: GRUB's unicode.pf2 (GNU Unifont), the PF2 font
# --text-font loads in test_fontfile and test_text.
# The VM test (tests/vm): QEMU, a static busybox for the guest, strings for
# the module dependencies, libc6-dev for the static evdump and v4l2util,
# gcc-12 (the compiler Debian built the guest's kernel with) for the
# out-of-tree v4l2loopback; its headers and source are fetched by
# tests/vm/loopback.sh with apt-get download, never installed.
test=(curl ffmpeg tmux clang clang-format libclang-rt-14-dev valgrind libjpeg-turbo-progs procps iproute2 chromium
  qemu-system-x86 seabios ovmf busybox-static binutils libc6-dev gcc-12 openssl mpv vlc-bin vlc-plugin-base firefox-esr
  python3 libxkbcommon0 xkb-data libx11-data ncurses-base ncurses-term ncurses-bin
  foot-terminfo kitty-terminfo xterm xvfb xdotool console-setup-linux kbd grub-common socat asciinema nodejs
  debhelper dpkg-dev mmdebstrap lintian ansible)
# Boot media: test_vm_gadget makes its ISO 9660 image with xorriso.
test+=(xorriso)
# test_unit_sandbox: strace records what sshkvm opens and calls, systemd (systemd-analyze) expands
# the unit's syscall filter and rates it; util-linux: unshare.
test+=(strace systemd util-linux)
# The keymap generator (not run by `make test`; its output is committed).
gen=(python3 libxkbcommon0 xkb-data libx11-data)

# make bench: the frames come from ffmpeg; libcaca's img2txt and chafa are the baselines;
# Tesseract is text mode's, and seabios's VGA ROM has the fonts its captures are drawn in.
# valgrind (callgrind): bench_cost's instruction counts.
# bench_textcorpus's corpus (bench/corpus/gen.py): QEMU with SeaBIOS's VGA ROMs and OVMF, a
# static busybox for the vgacon and fbcon guests, GRUB for EFI (grub-mkrescue needs xorriso and
# mtools; grub-mkfont makes its fonts from Terminus), pyte and numpy for the truth, cjpeg for
# the JPEGs.
bench=(ffmpeg caca-utils chafa procps python3 bc openssh-client tesseract-ocr seabios valgrind
  qemu-system-x86 ovmf busybox-static grub-common grub-efi-amd64-bin xorriso mtools fonts-terminus-otb
  python3-pyte python3-numpy libjpeg-turbo-progs)
# bench_media's baseline is scp to a private sshd: openssh-server is fetched with apt-get download
# and unpacked under build/sshd, never installed (its postinst would start a system sshd).

# make CROSS=aarch64-linux-gnu- / arm-linux-gnueabihf- and test_arm: Debian's cross-compilers,
# the -dev package of every library in the Makefile's PKGS for each architecture (multiarch),
# and qemu-user, which runs the ARM unit tests and the ARM server here.
cross=(qemu-user crossbuild-essential-arm64 crossbuild-essential-armhf)
for a in arm64 armhf; do
  cross+=("libssh-dev:$a" "libssl-dev:$a" "libcaca-dev:$a" "libv4l-dev:$a" "libturbojpeg0-dev:$a"
    "libmicrohttpd-dev:$a" "zlib1g-dev:$a" "libcrypt-dev:$a" "libjansson-dev:$a" "libgpiod-dev:$a"
    "libtelnet-dev:$a")
done

# scripts/deps.sh list: the build packages, comma-separated, installing nothing (tests/vm/trixie.sh
# builds sshkvm in a Debian 13 root made with them).
if [ "${1:-}" = list ]; then
  (IFS=,; echo "${build[*]}")
  exit 0
fi

want=("${build[@]}")
[ "${1:-build}" = test ] && want+=("${test[@]}")
[ "${1:-build}" = test ] && ! command -v npm >/dev/null && want+=(npm)
[ "${1:-build}" = gen ] && want=("${gen[@]}")
[ "${1:-build}" = bench ] && want+=("${bench[@]}")
[ "${1:-build}" = cross ] && want=("${cross[@]}")

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "sshkvm: installing missing packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "sshkvm: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${1:-build}" = cross ]; then
  for a in arm64 armhf; do
    dpkg --print-foreign-architectures | grep -qx "$a" || "${sudo[@]}" dpkg --add-architecture "$a"
  done
fi
# A fresh machine may have no package lists yet; an old list may miss a version.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=900 update -qq || true
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

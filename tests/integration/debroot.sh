# Shared by test_deb and test_ansible: the package built by `make deb`, and a
# fresh minimal Debian (mmdebstrap --variant=minbase) to install it in, as a
# root directory under the test's $T. The system is made once and kept as a
# tarball under build/deb/cache/, named by what it includes (a new list makes
# a new one). It includes the package's run-time libraries, so that apt
# resolves the .deb's dependencies without downloading anything; python3,
# python3-apt and systemd are there for Ansible (its apt and systemd modules),
# as on Raspberry Pi OS. Needs root (chroot, device nodes in the tarball).
# Sourced after lib.sh.

DEB_SUITE=bookworm
DEB_INCLUDE=adduser,kmod,python3,python3-apt,systemd,libssh-4,libcaca0,libv4l-0,libturbojpeg0,libmicrohttpd12,libssl3,zlib1g,libcrypt1
DEB_CACHE=$ROOT/build/deb/cache
DEB_ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB_VERSION=$(sed -n 's/^#define SK_VERSION "\(.*\)"$/\1/p' "$ROOT/src/main.c")
DEB_FILE=$ROOT/build/deb/sshkvm_${DEB_VERSION}_${DEB_ARCH}.deb

# deb_build: make deb (rebuilt only when a file changed); 1 with its log on failure.
deb_build() {
  make -C "$ROOT" --no-print-directory deb >"$T/make-deb.log" 2>&1 || { cat "$T/make-deb.log"; return 1; }
  [ -f "$DEB_FILE" ]
}

# debroot_make DIR: a fresh Debian in DIR, from the cached tarball (made first if missing).
debroot_make() {
  local tar
  tar=$DEB_CACHE/$DEB_SUITE-$DEB_ARCH-$(printf '%s' "$DEB_INCLUDE" | md5sum | cut -c1-8).tar
  if [ ! -f "$tar" ]; then
    mkdir -p "$DEB_CACHE"
    mmdebstrap --quiet --variant=minbase --include="$DEB_INCLUDE" --skip=cleanup/apt/lists \
      "$DEB_SUITE" "${tar%.tar}.tmp$$.tar" >"$T/mmdebstrap.log" 2>&1 || { cat "$T/mmdebstrap.log"; return 1; }
    mv "${tar%.tar}.tmp$$.tar" "$tar"
  fi
  mkdir -p "$1" && tar -C "$1" -xf "$tar"
}

# in_root DIR COMMAND...: COMMAND run as root inside DIR, apt and dpkg asking nothing
# (from /: apt cannot install a local .deb from a working directory outside the root).
in_root() {
  local dir=$1
  shift
  (cd / && DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    chroot "$dir" "$@")
}

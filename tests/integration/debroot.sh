# Shared by test_deb and test_ansible: the package built by `make deb`, and a
# fresh minimal Debian (mmdebstrap --variant=minbase) to install it in, as a
# root directory under the test's $T. The system is made once and kept as a
# tarball under build/deb/cache/, named by what it includes (a new list makes
# a new one). It includes the package's run-time libraries, so that apt
# resolves the .deb's dependencies without downloading anything; python3,
# python3-apt and systemd are there for Ansible (its apt and systemd modules),
# as on Raspberry Pi OS. Needs root (chroot, device nodes in the tarball).
# Sourced after lib.sh.

# make test-asan, test-tsan and test-valgrind run the integration tests against another build
# (SSHKVM_BIN); these test the package's own binary, which that build is not: they say so, once.
if [ -n "${SSHKVM_BIN:-}" ]; then
  echo "skipped: $(basename "$0") tests the packaged binary, not SSHKVM_BIN=$SSHKVM_BIN"
  exit 0
fi

DEB_SUITE=bookworm
DEB_INCLUDE=adduser,kmod,python3,python3-apt,systemd,libssh-4,libcaca0,libv4l-0,libturbojpeg0,libmicrohttpd12,libssl3,zlib1g,libcrypt1,libjansson4,libgpiod2,libtelnet2
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

# unit_get KEY: the value of KEY= in the installed sshkvm.service (in $R).
unit_get() { sed -n "s/^$1=//p" "$R/lib/systemd/system/sshkvm.service"; }

# start_in_root: in $R, the unit's ExecStart, as its User and groups, in its WorkingDirectory, with its UMask.
start_in_root() {
  local groups
  rm -f "$T/sshkvm.out"
  groups=$(unit_get Group),$(unit_get SupplementaryGroups | tr ' ' ,)
  # /proc as systemd gives it (sshkvm finds its keymaps from /proc/self/exe), mounted in a
  # mount namespace of the server's own, so nothing stays mounted under $T when it ends.
  unshare --mount --propagation private /bin/sh -c 'mount -t proc proc "$1/proc" && shift && exec "$@"' \
    sh "$R" chroot --userspec="$(unit_get User):$(unit_get Group)" --groups="$groups" "$R" \
    /bin/sh -c "umask $(unit_get UMask) && cd $(unit_get WorkingDirectory) && exec $(unit_get ExecStart)" \
    >"$T/sshkvm.out" 2>"$T/sshkvm.log" &
  SK_PID=$!
  wait_until 10 has "$T/sshkvm.out" 'console:' || { cat "$T/sshkvm.out" "$T/sshkvm.log"; return 1; }
}

#!/usr/bin/env bash
# test_deb: the Debian package as a Raspberry Pi OS user gets it. `make deb`
# builds it (lintian must have nothing to say but what debian/ explains); a
# fresh minimal Debian made with mmdebstrap (debroot.sh) installs it with
# `apt-get install ./sshkvm_*.deb`; sshkvm is started there on the demo
# target as the unit starts it (its ExecStart line, as its User and groups:
# systemd itself does not run in a chroot), and the real OpenSSH client on
# this machine types through it, read back with `screen --text`. Then an
# upgrade (the same package with a higher version) keeps the host key and the
# edited configuration, remove keeps the key, and purge takes away what the
# package added. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/debroot.sh"
not() { ! "$@"; }

[ "$(id -u)" -eq 0 ] || { fail needs_root "chroot and the package's maintainer scripts"; exit 1; }
deb_build || { fail deb_builds; exit 1; }
pass deb_builds
check deb_version_is_programs [ "$(dpkg-deb -f "$DEB_FILE" Version)" = "$DEB_VERSION" ]
check man_page_version grep -q "\"sshkvm $DEB_VERSION\"" "$ROOT/docs/sshkvm.8"
# Warnings and errors fail; the informational tags debian/ accepts are overridden there, with why.
lintian --fail-on error,warning "$DEB_FILE" >"$T/lintian.log" 2>&1
check lintian_clean [ $? -eq 0 ]
sed 's/^/  lintian: /' "$T/lintian.log" | grep -v 'running with root' | head -20

R=$T/root
debroot_make "$R" || { fail debroot; exit 1; }
cp "$DEB_FILE" "$R/tmp/"
deb=/tmp/$(basename "$DEB_FILE")
in_root "$R" apt-get install -y "$deb" >"$T/install.log" 2>&1 || { fail apt_install; cat "$T/install.log"; exit 1; }
pass apt_install
# The dependencies were resolved from the system's own packages: nothing was downloaded.
check apt_no_download not grep -q '^Get:.*http' "$T/install.log"
check binary_version [ "$(in_root "$R" sshkvm --version)" = "sshkvm $DEB_VERSION" ]
check conffile grep -q '/etc/sshkvm.conf' <<<"$(in_root "$R" dpkg-query -W -f='${Conffiles}' sshkvm)"
check user_groups grep -qw video <<<"$(in_root "$R" id -nG sshkvm)"
check state_dir [ "$(stat -c '%a %U' "$R/var/lib/sshkvm" | sed "s/ .*//")" = 700 ]
check state_dir_owner [ "$(in_root "$R" stat -c %U /var/lib/sshkvm)" = sshkvm ]
check unit_enabled [ -L "$R/etc/systemd/system/multi-user.target.wants/sshkvm.service" ]
check man_page [ -f "$R/usr/share/man/man8/sshkvm.8.gz" ]
# sshkvm(8) names every option the installed binary's --help names.
man_lists_options() {
  local o missing=0
  for o in $(in_root "$R" sshkvm --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
    zgrep -qF -- "${o//-/\\-}" "$R/usr/share/man/man8/sshkvm.8.gz" || { echo "sshkvm(8) lacks $o"; missing=1; }
  done
  return $missing
}
check man_lists_options man_lists_options
check udev_rule grep -q 'GROUP="sshkvm"' "$R/lib/udev/rules.d/60-sshkvm.rules"
keymaps_web() { [ -f "$R/usr/share/sshkvm/keymaps/de" ] && [ -f "$R/usr/share/sshkvm/web/index.html" ]; }
check keymaps_web keymaps_web

unit=$R/lib/systemd/system/sshkvm.service
check unit_runs_as_sshkvm [ "$(unit_get User)" = sshkvm ]

# The administrator's edits: the demo target instead of the devices, loopback ports, a key.
SSH_PORT=$(free_port)
HTTP_PORT=$(free_port)
sed -i -e 's|^video = .*|video = demo|' -e 's|^hid = .*|hid = demo|' -e 's|^mouse = .*|mouse = demo|' \
  -e "s|^ssh-listen = .*|ssh-listen = 127.0.0.1:$SSH_PORT|" \
  -e "s|^http-listen = .*|http-listen = 127.0.0.1:$HTTP_PORT|" "$R/etc/sshkvm.conf"
install -m 0644 "$T/id.pub" "$R/etc/sshkvm/authorized_keys"

start_in_root || { fail starts; exit 1; }
check starts_as_user [ "$(awk '/^Uid:/ {print $2}' /proc/$SK_PID/status)" = "$(in_root "$R" id -u sshkvm)" ]
key=$R/var/lib/sshkvm/ssh_host_ed25519_key
host_key_made() {
  [ "$(in_root "$R" stat -c '%a %U' /var/lib/sshkvm/ssh_host_ed25519_key 2>/dev/null)" = '600 sshkvm' ]
}
check host_key_made host_key_made
key_sum=$(sha256sum <"$key")
same_key() { [ -n "$key_sum" ] && [ "$(sha256sum <"$key" 2>/dev/null)" = "$key_sum" ]; }

# Typed with the real ssh client into the demo's System Name field, read back as text.
bs=$(printf 'backspace %.0s' $(seq 40))
name_shown() { kssh screen --text | grep -qF "System Name               [$1]"; }
wait_until 20 captured
kssh key down down >/dev/null && sleep 0.3
kssh key enter $bs >/dev/null
kssh type 'From the deb 1'
check typed_rc [ $? -eq 0 ]
kssh key enter
check target_saw_text wait_until 10 name_shown 'From the deb 1'
stop_sshkvm

# An upgrade: the same package, a higher version.
up=$T/up
dpkg-deb -R "$DEB_FILE" "$up"
sed -i "s/^Version: .*/Version: $DEB_VERSION+up1/" "$up/DEBIAN/control"
dpkg-deb -b "$up" "$R/tmp/sshkvm-up.deb" >/dev/null
in_root "$R" apt-get install -y /tmp/sshkvm-up.deb >"$T/upgrade.log" 2>&1 || cat "$T/upgrade.log"
check upgrade_installs grep -q "^Setting up sshkvm ($DEB_VERSION+up1)" "$T/upgrade.log"
check upgrade_version [ "$(in_root "$R" dpkg-query -W -f='${Version}' sshkvm)" = "$DEB_VERSION+up1" ]
check upgrade_keeps_host_key same_key
check upgrade_keeps_config grep -qx "ssh-listen = 127.0.0.1:$SSH_PORT" "$R/etc/sshkvm.conf"
check upgrade_no_dpkg_dist [ ! -e "$R/etc/sshkvm.conf.dpkg-dist" ]
start_in_root
check upgraded_serves status_has '"source":'
stop_sshkvm

removed() { in_root "$R" apt-get remove -y sshkvm >"$T/remove.log" 2>&1 && [ ! -e "$R/usr/bin/sshkvm" ] && [ ! -e "$unit" ]; }
check remove removed
check remove_keeps_host_key same_key
check remove_keeps_config [ -f "$R/etc/sshkvm.conf" ]
in_root "$R" dpkg --purge sshkvm >"$T/purge.log" 2>&1
check purge [ $? -eq 0 ]
check purge_host_keys_gone [ ! -e "$R/var/lib/sshkvm" ]
check purge_config_gone [ ! -e "$R/etc/sshkvm.conf" ]
check purge_unit_link_gone [ ! -e "$R/etc/systemd/system/multi-user.target.wants/sshkvm.service" ]
files_gone() { [ ! -e "$R/usr/share/sshkvm" ] && [ ! -e "$R/usr/lib/sshkvm" ]; }
check purge_files_gone files_gone
check purge_keeps_admins_keys [ -f "$R/etc/sshkvm/authorized_keys" ]

# The ARM packages, cross-built (scripts/deps.sh cross: the arm64 and armhf -dev packages): each
# says its architecture, and its sshkvm is an ARM program that runs (qemu-user) and says its version.
arches="arm64 armhf"
if ! bash "$ROOT/scripts/deps.sh" cross >"$T/deps-cross.log" 2>&1; then
  if archive_mid_sync "$T/deps-cross.log"; then
    echo "SKIP deb_arm: the cross packages cannot be installed, the archive is mid-sync: $(grep -m1 'Mirror sync' "$T/deps-cross.log")"
    arches=""
  else
    fail arm_deps
    cat "$T/deps-cross.log"
  fi
fi
for arch in $arches; do
  f=$ROOT/build/deb/sshkvm_${DEB_VERSION}_$arch.deb
  if ! make -C "$ROOT" --no-print-directory deb DEB_ARCH=$arch >"$T/make-deb-$arch.log" 2>&1; then
    fail "deb_builds_$arch"
    tail -20 "$T/make-deb-$arch.log"
    continue
  fi
  pass "deb_builds_$arch"
  check "deb_${arch}_architecture" [ "$(dpkg-deb -f "$f" Architecture)" = "$arch" ]
  rm -rf "$T/x-$arch" && dpkg-deb -x "$f" "$T/x-$arch"
  want=$([ $arch = arm64 ] && echo AArch64 || echo ARM)
  check "deb_${arch}_binary_is_arm" bash -c "readelf -h '$T/x-$arch/usr/bin/sshkvm' | grep -q 'Machine: *$want\$'"
  triplet=$([ $arch = arm64 ] && echo aarch64-linux-gnu || echo arm-linux-gnueabihf)
  qemu=$([ $arch = arm64 ] && echo qemu-aarch64 || echo qemu-arm)
  check "deb_${arch}_binary_runs" [ "$(QEMU_LD_PREFIX=/usr/$triplet $qemu "$T/x-$arch/usr/bin/sshkvm" --version 2>&1)" = "sshkvm $DEB_VERSION" ]
done
exit $((FAILS > 0))

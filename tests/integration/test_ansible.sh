#!/usr/bin/env bash
# test_ansible: the Ansible role in ansible/ (roles/sshkvm, the sample site.yml)
# run with Debian's ansible-playbook against a fresh minimal Debian made with
# mmdebstrap (debroot.sh), through community.general's chroot connection:
# it installs the package from the .deb `make deb` built, writes the
# configuration, the authorized keys and a trusted user CA, and enables the
# unit. The first run converges, the second changes nothing; then sshkvm is
# started there as the unit starts it, and the real OpenSSH client logs in
# with the listed key and with a certificate from the CA. Last, the role installs the
# package from an apt repository instead of a .deb. Needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/debroot.sh"

[ "$(id -u)" -eq 0 ] || { fail needs_root "chroot"; exit 1; }
deb_build || { fail deb_builds; exit 1; }
R=$T/root
debroot_make "$R" || { fail debroot; exit 1; }

# A CA and a user certificate it signs for the principal kvm.
ssh-keygen -q -t ed25519 -N '' -C test-ca -f "$T/ca"
ssh-keygen -q -t ed25519 -N '' -C cert-user -f "$T/cid"
ssh-keygen -q -s "$T/ca" -I cert-user -n kvm -V +1h "$T/cid.pub"

SSH_PORT=$(free_port)
HTTP_PORT=$(free_port)
cat >"$T/inventory.ini" <<INV
[kvms]
testkvm ansible_connection=community.general.chroot ansible_host=$R ansible_become=false ansible_python_interpreter=/usr/bin/python3
INV
cat >"$T/vars.yml" <<VARS
sshkvm_deb: $DEB_FILE
sshkvm_start: false
sshkvm_settings:
  video: demo
  hid: demo
  mouse: demo
  ssh-listen: 127.0.0.1:$SSH_PORT
  http-listen: 127.0.0.1:$HTTP_PORT
sshkvm_authorized_keys:
  - "sshkvm-role=control $(cat "$T/id.pub")"
sshkvm_trusted_user_ca_keys:
  - "sshkvm-role=view $(cat "$T/ca.pub")"
VARS
play() {
  ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP=$T/ansible-tmp \
    ANSIBLE_COLLECTIONS_PATH=/usr/lib/python3/dist-packages/ansible_collections \
    ansible-playbook -i "$T/inventory.ini" -e "@$T/vars.yml" "$ROOT/ansible/site.yml" >"$T/play$1.log" 2>&1
}
# recap N: run N's PLAY RECAP line for the host.
recap() { grep -E '^testkvm +:' "$T/play$1.log"; }
play 1
check first_run_converges grep -q 'failed=0' <<<"$(recap 1)"
recap 1
play 2
check second_run_unchanged grep -qE 'changed=0 .*failed=0' <<<"$(recap 2)"
recap 2
grep -B3 -E '^fatal' "$T/play1.log" "$T/play2.log" | head -20

check installed [ "$(in_root "$R" dpkg-query -W -f='${Status}' sshkvm)" = 'install ok installed' ]
check unit_enabled [ -L "$R/etc/systemd/system/multi-user.target.wants/sshkvm.service" ]
check modules_load grep -qx libcomposite "$R/etc/modules-load.d/sshkvm.conf"
check config_written grep -qx 'trusted-user-ca-keys = /etc/sshkvm/trusted_ca' "$R/etc/sshkvm.conf"

start_in_root || { fail starts; exit 1; }
check listed_key_logs_in status_has '"source":"demo"'
cssh() { ssh "${SSH_OPTS[@]}" -i "$T/cid" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
check certificate_logs_in grep -q '"source":"demo"' <<<"$(cssh status)"
# The CA line's option gives its certificates the view role: typing is refused.
cssh type x >/dev/null 2>"$T/view.err"
check certificate_role_view [ $? -eq 1 ]
check certificate_role_view_said grep -q 'view-only' "$T/view.err"
stop_sshkvm

# From a repository instead: the same package in a flat apt repository (file:, trusted), the
# package purged first. Debian's own sources are set aside for this run, so that apt-get
# update reads only that repository (the run needs no network).
in_root "$R" dpkg --purge sshkvm >"$T/purge.log" 2>&1
mkdir -p "$R/srv/sshkvm"
cp "$DEB_FILE" "$R/srv/sshkvm/"
(cd "$R/srv/sshkvm" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages)
mv "$R/etc/apt/sources.list" "$T/debian-sources.list"
cat >>"$T/vars.yml" <<VARS
sshkvm_deb: ""
sshkvm_apt_repository: "deb [trusted=yes] file:/srv/sshkvm ./"
VARS
play 3
check repository_run_converges grep -q 'failed=0' <<<"$(recap 3)"
recap 3
check repository_installed [ "$(in_root "$R" dpkg-query -W -f='${Status}' sshkvm)" = 'install ok installed' ]
exit $((FAILS > 0))

#!/usr/bin/env bash
# SSH user certificates signed by a trusted CA (--trusted-user-ca-keys), with
# certificates made here by ssh-keygen -s and the real OpenSSH client: a
# valid one logs in (named by its key id, with the role the CA line gives);
# expired, not yet valid, another principal, an untrusted CA, a critical
# option and a non-Ed25519 CA are refused, each with a
# log line saying why; without the option no certificate logs in.
. "$(dirname "$0")/lib.sh"

kg() { ssh-keygen -q -N '' "$@" >/dev/null; }
kg -t ed25519 -C ca -f "$T/ca"
kg -t ed25519 -C viewca -f "$T/viewca"
kg -t ed25519 -C otherca -f "$T/otherca"
kg -t ecdsa -C ecdsaca -f "$T/ecdsaca"
# user NAME SIGNER [ssh-keygen -s options...]: a key NAME and its certificate NAME-cert.pub.
user() {
  local name=$1 ca=$2; shift 2
  kg -t ed25519 -C "$name-plain" -f "$T/$name"
  ssh-keygen -q -s "$T/$ca" -I "$name-id" "$@" "$T/$name.pub" 2>/dev/null
}
user good ca -n kvm,other -V -5m:+1h
user viewer viewca -n kvm -V -5m:+1h
user expired ca -n kvm -V 20200101:20200102
user future ca -n kvm -V +1d:+2d
user wrongname ca -n root -V -5m:+1h
user untrusted otherca -n kvm -V -5m:+1h
user forced ca -n kvm -V -5m:+1h -O force-command=/bin/true
user byecdsa ecdsaca -n kvm -V -5m:+1h
{
  cat "$T/ca.pub"
  echo "sshkvm-role=view $(cat "$T/viewca.pub")"
  cat "$T/ecdsaca.pub"
} >"$T/trusted_ca"
: >"$T/authorized_keys" # no plain key may log in: only certificates
as() { ssh "${SSH_OPTS[@]}" -i "$T/$1" -p "$SSH_PORT" kvm@127.0.0.1 "${@:2}"; }

start_sshkvm --hid "file:$T/kbd.bin" --trusted-user-ca-keys "$T/trusted_ca" --audit-log "$T/audit" || exit 1
as good status >"$T/good.json"; rc=$?
check valid_cert_logs_in test "$rc" -eq 0
check cert_named_by_key_id grep -q '"kind":"command","name":"good-id","addr":"127.0.0.1:[0-9]*","role":"control"' "$T/good.json"
as good type hi; check cert_control_role_types test $? -eq 0
# kvm:NAME (a serial port's terminal as the ssh user) logs in as the principal kvm: no port
# named NAME here, so the session says so, after the login.
ssh "${SSH_OPTS[@]}" -i "$T/good" -p "$SSH_PORT" kvm:com1@127.0.0.1 </dev/null >"$T/portuser.out" 2>&1
check cert_kvm_port_user_logs_in bash -c "! grep -qi 'permission denied' '$T/portuser.out' && grep -q 'com1' '$T/portuser.out'"
as viewer status >"$T/viewer.json"
check ca_line_role_view grep -q '"name":"viewer-id","addr":"127.0.0.1:[0-9]*","role":"view"' "$T/viewer.json"
as viewer type hi 2>"$T/viewer.err"; rc=$?
check ca_line_view_refused_input bash -c "[ $rc -eq 1 ] && grep -q 'view-only key: viewer-id' '$T/viewer.err'"
refused() { # refused TEST KEY REASON
  as "$2" status >/dev/null 2>&1; local rc=$?
  if [ "$rc" -eq 255 ] && grep -q "certificate SHA256:[^ ]* refused: $3" "$T/sshkvm.log"; then pass "$1"
  else fail "$1" "exit $rc; log: $(grep -c refused "$T/sshkvm.log") refusals"; fi
}
refused expired_refused expired 'expired'
refused not_yet_valid_refused future 'not valid yet'
refused wrong_principal_refused wrongname "'kvm' is not among its principals"
refused untrusted_ca_refused untrusted 'signed by a CA that is not trusted'
refused critical_option_refused forced 'it has critical options'
refused ecdsa_ca_refused byecdsa 'CA key type ecdsa-sha2-nistp256: only ssh-ed25519 CAs are supported'
# (A tampered certificate and a host certificate are refused in tests/unit/test_usercert.c:
# OpenSSH's client itself will not offer either.)
check audit_cert_login grep -q 'event=login who="good-id" addr="127.0.0.1:[0-9]*" kind=command role=control key=SHA256:[^ ]* cert_serial=0' "$T/audit"
check audit_cert_refused grep -q 'event=login-failed who="SHA256:[^"]*" addr="127.0.0.1:[0-9]*" reason=bad-certificate' "$T/audit"
stop_sshkvm

# Without --trusted-user-ca-keys no certificate logs in, and a cert-authority line does not help.
echo "cert-authority $(cat "$T/ca.pub")" >"$T/authorized_keys"
start_sshkvm || exit 1
as good status >/dev/null 2>&1; rc=$?
check no_ca_option_no_cert_login test "$rc" -eq 255
check no_ca_option_logged grep -q 'refused: no --trusted-user-ca-keys' "$T/sshkvm.log"
finish

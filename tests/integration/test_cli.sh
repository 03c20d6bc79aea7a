#!/usr/bin/env bash
# The command line is a contract: bad values stop start-up with one clear
# line naming the option; good ones start the server; host keys are made
# on first start with mode 0600 and reused after.
. "$(dirname "$0")/lib.sh"

bad() { # bad NAME EXPECTED-SUBSTRING ARGS...
  local name=$1 want=$2; shift 2
  local out rc
  out=$("$BIN" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [[ "$out" == *"$want"* ]]; then
    pass "$name"
  else
    fail "$name" "exit $rc, said: $out"
  fi
}

bad bad_video "--video: 'foo' is not" --video foo
bad bad_hid "--hid:" --hid bar
bad bad_mouse "--mouse:" --mouse bar
bad bad_ssh_listen "--ssh-listen:" --ssh-listen nonsense
bad bad_port "--ssh-listen:" --ssh-listen 127.0.0.1:99999
bad bad_fps "--fps: 'abc' is not a number" --fps abc
bad unknown_option "--frobnicate: unknown option" --frobnicate
bad missing_value "--keymap: needs a value" --keymap
bad tls_cert_without_key "--tls-cert: needs --tls-key as well" --tls-cert x.pem
bad bad_http_auth "--http-auth: 'none' is not remote or always" --http-auth none
printf 'video = demo\nfps = 500\n' >"$T/bad.conf"
bad config_file_line "bad.conf:2: --fps:" --config "$T/bad.conf"

out=$("$BIN" --keymap nosuchmap --hostkeys "$T/hk0" --authorized-keys "$T/authorized_keys" 2>&1 >/dev/null); rc=$?
check unknown_keymap_exits_nonzero test "$rc" -ne 0
check unknown_keymap_names_it grep -q 'nosuchmap' <<<"$out"

check help_lists_options bash -c "'$BIN' --help | grep -q -- '--authorized-keys'"

# First start: a host key is generated, 0600, and its fingerprint printed.
start_sshkvm --video demo --hid demo
key=$T/hostkeys/ssh_host_ed25519_key
check hostkey_created test -f "$key"
check hostkey_mode_0600 test "$(stat -c %a "$key")" = 600
fp=$(ssh-keygen -lf "$key" | awk '{print $2}')
check fingerprint_printed grep -q "$fp" "$T/sshkvm.out"
check fingerprint_is_what_clients_see bash -c "ssh-keyscan -p $SSH_PORT -t ed25519 127.0.0.1 2>/dev/null | ssh-keygen -lf - | grep -q '$fp'"
check listens_on_loopback_only bash -c "ss -ltn | grep -q '127.0.0.1:$SSH_PORT' && ! ss -ltn | grep -q '0.0.0.0:$SSH_PORT'"
stop_sshkvm
# Second start: the same key is reused.
start_sshkvm --video demo --hid demo
check hostkey_reused grep -q "$fp" "$T/sshkvm.out"
stop_sshkvm
# A key readable by others is refused, as sshd refuses it.
chmod 644 "$key"
out=$("$BIN" --hostkeys "$T/hostkeys" --authorized-keys "$T/authorized_keys" --ssh-listen 127.0.0.1:$(free_port) --http-listen off 2>&1 >/dev/null); rc=$?
check hostkey_world_readable_refused bash -c "[ $rc -ne 0 ] && grep -q 'readable by others' <<<'$out'"
finish

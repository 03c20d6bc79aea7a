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
bad bad_resolution "--resolution: '1920' is not WIDTHxHEIGHT" --resolution 1920
bad bad_format "--format: 'h264' is not one of auto, mjpeg, jpeg, yuyv, rgb24" --format h264
bad bad_input "--input: 'hdmi' is not an input number" --input hdmi
bad bad_capture "--capture: 'lazy' is not on-demand or always" --capture lazy
printf 'format = mjpeg\ncapture = never\n' >"$T/cap.conf"
bad config_file_capture_line "cap.conf:2: --capture: 'never'" --config "$T/cap.conf"
printf 'list-video = /dev/video0\n' >"$T/lv.conf"
bad config_file_list_video "lv.conf:1: list-video is a command-line action" --config "$T/lv.conf"

# --list-video on this host, which has no V4L2 device: one clear line each.
lv() { # lv NAME EXIT EXPECTED-LINE ARGS...
  local name=$1 want_rc=$2 want=$3; shift 3
  local out rc
  out=$("$BIN" "$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want_rc" ] && [ "$out" = "$want" ]; then pass "$name"; else fail "$name" "exit $rc, said: $out"; fi
}
lv list_video_needs_a_device 2 "sshkvm: --list-video: 'demo' is not a V4L2 device; name one, e.g. --list-video /dev/video0" --list-video
lv list_video_missing 1 "sshkvm: --list-video: /dev/video-sk-none: No such file or directory" --list-video /dev/video-sk-none
lv list_video_not_v4l2 1 "sshkvm: --list-video: /dev/null: not a V4L2 device: Inappropriate ioctl for device" --list-video /dev/null
lv list_video_takes_video 1 "sshkvm: --list-video: /dev/video-sk-none: No such file or directory" --video /dev/video-sk-none --list-video
ln -s /dev/video-sk-none "$T/usb-dongle-video-index0"
lv list_video_by_id_link 1 "sshkvm: --list-video: $T/usb-dongle-video-index0: No such file or directory" --list-video "$T/usb-dongle-video-index0"
out=$("$BIN" --video /dev/null --hostkeys "$T/hk1" --authorized-keys "$T/authorized_keys" 2>&1 >/dev/null); rc=$?
check video_not_a_capture_device_exit_1 test "$rc" -eq 1
check video_not_a_capture_device_says_so test "$(tail -1 <<<"$out")" = "sshkvm: --video: /dev/null: not a V4L2 device: Inappropriate ioctl for device"
check help_lists_capture_options bash -c "'$BIN' --help | grep -q -- '--capture MODE'"

# A capture device not plugged in yet does not stop the KVM: it starts, says
# so, types, and shows NO SIGNAL to whoever looks until the device comes.
if start_sshkvm --video /dev/video-sk-none --hid "file:$T/keys.bin"; then
  pass video_missing_at_start_runs
  check video_missing_logged grep -q '/dev/video-sk-none: no device: /dev/video-sk-none: No such file or directory' "$T/sshkvm.log"
  check video_missing_status grep -qF '"capture":{"state":"no-device","format":""' <<<"$(kssh status)"
  kssh snapshot >"$T/nosignal.jpg"
  check video_missing_snapshot_is_no_signal_jpeg test "$(head -c 2 "$T/nosignal.jpg" | od -An -tx1 | tr -d ' ')" = ffd8
  check video_missing_signal_false grep -qF '"signal":false' <<<"$(kssh status)"
  kssh type 'ok'
  check video_missing_keyboard_works test "$(stat -c %s "$T/keys.bin" 2>/dev/null)" -ge 32
  # The file holds keystrokes: readable by sshkvm's user alone.
  check hid_file_mode_0600 test "$(stat -c %a "$T/keys.bin")" = 600
  stop_sshkvm
else
  fail video_missing_at_start_runs
fi

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

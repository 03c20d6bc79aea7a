#!/usr/bin/env bash
# What a Raspberry Pi install is made of, checked on this machine:
#   - scripts/sshkvm-gadget against a *simulated* configfs (a plain directory,
#     SSHKVM_CONFIGFS): the exact report descriptor bytes, the HID attributes,
#     strings, links, the UDC binding, idempotent up, complete down, and the
#     documented errors and exit codes. It runs under dash and, if present,
#     busybox ash. The real kernel's configfs is exercised by the VM test.
#   - dist/sshkvm.conf parses and mentions every option; dist/sshkvm.service
#     passes systemd-analyze verify (when available).
#   - make install DESTDIR=... PREFIX=...: files, modes, the unit's paths, the
#     config not overwritten, and the installed binary finding its keymaps and
#     web page under PREFIX/share/sshkvm; make uninstall.
. "$(dirname "$0")/lib.sh"

GADGET=$ROOT/scripts/sshkvm-gadget

# The descriptors of the project's VM gadget recipe, section (c): the 63-byte
# boot keyboard and the 64-byte absolute mouse, written out here independently
# of the script.
KBD_HEX='05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 03 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 03 95 06 75 08 15 00 25 65 05 07 19 00 29 65 81 00 c0'
MOUSE_HEX='05 01 09 02 a1 01 09 01 a1 00 05 09 19 01 29 05 15 00 25 01 95 05 75 01 81 02 95 01 75 03 81 03 05 01 09 30 09 31 16 00 00 26 ff 7f 75 10 95 02 81 02 09 38 15 81 25 7f 75 08 95 01 81 06 c0 c0'
NO_UDC_MSG='no USB device controller: on a Raspberry Pi add dtoverlay=dwc2 to /boot/firmware/config.txt and reboot; the OTG port is the USB-C port on a Pi 4, the inner micro-USB on a Zero'
NO_CFS_MSG='is the libcomposite module loaded? modprobe libcomposite'

# eq NAME WANT GOT: PASS when equal, else FAIL showing both.
eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2', got '$3'"; fi
}
# has NAME NEEDLE TEXT: PASS when TEXT contains NEEDLE.
has() {
  if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1" "'$2' not in: $3"; fi
}

# A tree listing with modification times, to see that nothing was touched.
snapshot_tree() { find "$1" -printf '%p %y %T@\n' | sort; }

# gadget_suite SHELL...: the whole simulated-configfs suite under one shell.
gadget_suite() {
  local sh=("$@") tag
  tag=$(basename "${sh[0]}")
  [ "${#sh[@]}" -gt 1 ] && tag="$tag-${sh[1]}"
  local d=$T/g-$tag
  local cfs=$d/cfs udc=$d/udc dev=$d/dev
  mkdir -p "$cfs/usb_gadget" "$udc/dummy_udc.0" "$dev"
  local G=$cfs/usb_gadget/sshkvm
  local out rc
  # gadget ARGS...: the script under this shell against the simulation.
  gadget() {
    env SSHKVM_CONFIGFS="$cfs" SSHKVM_UDC_DIR="$udc" SSHKVM_DEV_DIR="$dev" \
      SSHKVM_SERIAL=sk-test-42 "$@"
  }
  run() { out=$(gadget "$@" 2>&1); rc=$?; }

  run "${sh[@]}" "$GADGET" up
  eq "gadget_up_exit[$tag]" 0 "$rc"
  has "gadget_up_says[$tag]" "gadget sshkvm up on dummy_udc.0" "$out"
  eq "gadget_kbd_report_desc[$tag]" "$KBD_HEX" "$(hex "$G/functions/hid.usb0/report_desc")"
  eq "gadget_kbd_desc_63_bytes[$tag]" 63 "$(stat -c %s "$G/functions/hid.usb0/report_desc")"
  eq "gadget_mouse_report_desc[$tag]" "$MOUSE_HEX" "$(hex "$G/functions/hid.usb1/report_desc")"
  eq "gadget_mouse_desc_64_bytes[$tag]" 64 "$(stat -c %s "$G/functions/hid.usb1/report_desc")"
  eq "gadget_kbd_attrs[$tag]" "1 1 8" "$(cat "$G/functions/hid.usb0/"{protocol,subclass,report_length} | tr '\n' ' ' | sed 's/ $//')"
  eq "gadget_mouse_attrs[$tag]" "0 0 6" "$(cat "$G/functions/hid.usb1/"{protocol,subclass,report_length} | tr '\n' ' ' | sed 's/ $//')"
  eq "gadget_ids[$tag]" "0x1d6b 0x0104 0x0100 0x0200" "$(cat "$G/"{idVendor,idProduct,bcdDevice,bcdUSB} | tr '\n' ' ' | sed 's/ $//')"
  eq "gadget_strings[$tag]" "sshkvm|sshkvm HID|sk-test-42" \
    "$(cat "$G/strings/0x409/"{manufacturer,product,serialnumber} | paste -sd'|')"
  eq "gadget_config[$tag]" "250" "$(cat "$G/configs/c.1/MaxPower")"
  check "gadget_config_string[$tag]" test -s "$G/configs/c.1/strings/0x409/configuration"
  local ok=0
  for fn in hid.usb0 hid.usb1; do
    [ -L "$G/configs/c.1/$fn" ] && [ "$(readlink -f "$G/configs/c.1/$fn")" = "$(readlink -f "$G/functions/$fn")" ] || ok=1
  done
  check "gadget_functions_linked[$tag]" test "$ok" -eq 0
  eq "gadget_bound[$tag]" dummy_udc.0 "$(cat "$G/UDC")"

  # Up again: already bound with our layout, so nothing is written.
  local before after
  before=$(snapshot_tree "$cfs")
  sleep 0.05
  run "${sh[@]}" "$GADGET" up
  after=$(snapshot_tree "$cfs")
  eq "gadget_up_twice_exit[$tag]" 0 "$rc"
  has "gadget_up_twice_says[$tag]" "already up on dummy_udc.0" "$out"
  check "gadget_up_twice_touches_nothing[$tag]" test "$before" = "$after"

  # Status: which /dev/hidgN is which comes from each function's dev
  # (major:minor), which the kernel fills in; the simulation writes it, and
  # swaps the minors to show the mapping is read, not assumed.
  echo 236:1 >"$G/functions/hid.usb0/dev"
  echo 236:0 >"$G/functions/hid.usb1/dev"
  echo configured >"$udc/dummy_udc.0/state"
  run "${sh[@]}" "$GADGET" status
  eq "gadget_status_exit[$tag]" 0 "$rc"
  has "gadget_status_bound[$tag]" "gadget sshkvm: bound to dummy_udc.0, state configured" "$out"
  check "gadget_status_keyboard_node[$tag]" grep -Eq "hid\.usb0 +$dev/hidg1 .*keyboard" <<<"$out"
  check "gadget_status_mouse_node[$tag]" grep -Eq "hid\.usb1 +$dev/hidg0 .*mouse" <<<"$out"
  check "gadget_status_missing_node[$tag]" grep -q "$dev/hidg1 (missing)" <<<"$out"
  if [ "$(id -u)" = 0 ]; then
    mknod "$dev/hidg0" c 1 3
    run "${sh[@]}" "$GADGET" status
    check "gadget_status_present_node[$tag]" grep -Eq "hid\.usb1 +$dev/hidg0 +mouse" <<<"$out"
  fi
  echo "not attached" >"$udc/dummy_udc.0/state"
  run "${sh[@]}" "$GADGET" status
  has "gadget_status_hint_not_attached[$tag]" "is the cable in the OTG port" "$out"

  # An unbound leftover (an interrupted up) is rebuilt and bound.
  : >"$G/UDC"
  run "${sh[@]}" "$GADGET" status
  eq "gadget_status_unbound_exit[$tag]" 1 "$rc"
  run "${sh[@]}" "$GADGET" up
  eq "gadget_rebuild_exit[$tag]" 0 "$rc"
  eq "gadget_rebuild_bound[$tag]" dummy_udc.0 "$(cat "$G/UDC")"
  eq "gadget_rebuild_desc[$tag]" "$MOUSE_HEX" "$(hex "$G/functions/hid.usb1/report_desc")"

  # A bound gadget with a different layout is not silently accepted.
  printf '\001\002' >"$G/functions/hid.usb1/report_desc"
  run "${sh[@]}" "$GADGET" up
  eq "gadget_foreign_layout_exit[$tag]" 1 "$rc"
  has "gadget_foreign_layout_says[$tag]" "not sshkvm's keyboard + mouse" "$out"

  # The serial function on request (SSHKVM_GADGET_SERIAL=1): acm.usb0, linked
  # after the two HID functions; its /dev/ttyGSN from port_num (the kernel's,
  # written here); a bound gadget without it is not taken for one with it.
  run "${sh[@]}" "$GADGET" down
  run env SSHKVM_GADGET_SERIAL=1 "${sh[@]}" "$GADGET" up
  eq "gadget_acm_up_exit[$tag]" 0 "$rc"
  check "gadget_acm_function[$tag]" test -d "$G/functions/acm.usb0"
  check "gadget_acm_linked[$tag]" test "$(readlink -f "$G/configs/c.1/acm.usb0")" = "$(readlink -f "$G/functions/acm.usb0")"
  eq "gadget_acm_bound[$tag]" dummy_udc.0 "$(cat "$G/UDC")"
  echo 0 >"$G/functions/acm.usb0/port_num"
  run "${sh[@]}" "$GADGET" status
  check "gadget_acm_status[$tag]" grep -Eq "acm\.usb0 +$dev/ttyGS0 \(missing\) +serial \(CDC-ACM" <<<"$out"
  run env SSHKVM_GADGET_SERIAL=1 "${sh[@]}" "$GADGET" up
  has "gadget_acm_up_twice[$tag]" "already up" "$out"
  run "${sh[@]}" "$GADGET" down
  check "gadget_acm_down_removes_all[$tag]" test -z "$(find "$cfs/usb_gadget" -mindepth 1)"
  run "${sh[@]}" "$GADGET" up
  check "gadget_no_acm_by_default[$tag]" test ! -e "$G/functions/acm.usb0"
  run env SSHKVM_GADGET_SERIAL=1 "${sh[@]}" "$GADGET" up
  eq "gadget_acm_on_hid_only_exit[$tag]" 1 "$rc"
  has "gadget_acm_on_hid_only_says[$tag]" "(SSHKVM_GADGET_SERIAL=1); run 'sshkvm-gadget down' first" "$out"
  run env SSHKVM_GADGET_SERIAL=yes "${sh[@]}" "$GADGET" up
  eq "gadget_acm_bad_value_exit[$tag]" 2 "$rc"
  has "gadget_acm_bad_value_says[$tag]" "SSHKVM_GADGET_SERIAL must be 0 or 1" "$out"

  # Down removes everything, and is fine when there is nothing.
  run "${sh[@]}" "$GADGET" down
  eq "gadget_down_exit[$tag]" 0 "$rc"
  check "gadget_down_removes_all[$tag]" test -z "$(find "$cfs/usb_gadget" -mindepth 1)"
  run "${sh[@]}" "$GADGET" down
  eq "gadget_down_again_exit[$tag]" 0 "$rc"
  has "gadget_down_again_says[$tag]" "nothing to remove" "$out"
  run "${sh[@]}" "$GADGET" status
  eq "gadget_status_down_exit[$tag]" 1 "$rc"
  has "gadget_status_down_says[$tag]" "not set up" "$out"

  # up --user: the mass-storage function made, not linked, its attributes
  # (and UDC, c.1) chowned to the user; down removes it with the rest.
  local me
  me=$(id -un)
  run "${sh[@]}" "$GADGET" up --user "$me"
  eq "gadget_up_user_exit[$tag]" 0 "$rc"
  has "gadget_up_user_says[$tag]" "boot media for $me" "$out"
  check "gadget_up_user_function_made[$tag]" test -f "$G/functions/mass_storage.usb0/lun.0/file"
  check "gadget_up_user_function_not_linked[$tag]" test ! -e "$G/configs/c.1/mass_storage.usb0"
  run "${sh[@]}" "$GADGET" up --user "$me"
  has "gadget_up_user_again_says[$tag]" "already up on dummy_udc.0; boot media for $me" "$out"
  run "${sh[@]}" "$GADGET" down
  check "gadget_up_user_down_removes_all[$tag]" test -z "$(find "$cfs/usb_gadget" -mindepth 1)"
  run "${sh[@]}" "$GADGET" up --user no-such-user-sk
  eq "gadget_up_user_unknown_exit_2[$tag]" 2 "$rc"
  check "gadget_up_user_unknown_made_nothing[$tag]" test ! -e "$G"
  run "${sh[@]}" "$GADGET" up --bogus
  eq "gadget_up_bad_option_exit_2[$tag]" 2 "$rc"

  # Another name, another controller.
  mkdir -p "$udc/other_udc.1"
  run env SSHKVM_GADGET_NAME=kvm2 SSHKVM_UDC=other_udc.1 SSHKVM_MANUFACTURER=Acme "${sh[@]}" "$GADGET" up
  eq "gadget_named_udc_exit[$tag]" 0 "$rc"
  eq "gadget_named_udc_bound[$tag]" other_udc.1 "$(cat "$cfs/usb_gadget/kvm2/UDC" 2>/dev/null)"
  eq "gadget_named_manufacturer[$tag]" Acme "$(cat "$cfs/usb_gadget/kvm2/strings/0x409/manufacturer" 2>/dev/null)"
  run env SSHKVM_GADGET_NAME=kvm2 "${sh[@]}" "$GADGET" down
  check "gadget_named_down[$tag]" test ! -e "$cfs/usb_gadget/kvm2"
  rmdir "$udc/other_udc.1"

  # Errors: exact text, exit status, nothing left behind.
  run env SSHKVM_UDC=nope.0 "${sh[@]}" "$GADGET" up
  eq "gadget_unknown_udc_exit[$tag]" 5 "$rc"
  has "gadget_unknown_udc_says[$tag]" "no USB device controller nope.0 in $udc (there: dummy_udc.0" "$out"
  rmdir "$udc/dummy_udc.0" 2>/dev/null || rm -rf "${udc:?}/dummy_udc.0"
  run "${sh[@]}" "$GADGET" up
  eq "gadget_no_udc_exit[$tag]" 5 "$rc"
  eq "gadget_no_udc_message[$tag]" "sshkvm-gadget: $NO_UDC_MSG" "$out"
  check "gadget_no_udc_leaves_nothing[$tag]" test -z "$(find "$cfs/usb_gadget" -mindepth 1)"
  mkdir -p "$d/nocfs"
  out=$(env SSHKVM_CONFIGFS="$d/nocfs" SSHKVM_UDC_DIR="$udc" "${sh[@]}" "$GADGET" up 2>&1); rc=$?
  eq "gadget_no_configfs_exit[$tag]" 4 "$rc"
  has "gadget_no_configfs_says[$tag]" "$NO_CFS_MSG" "$out"
  out=$(env SSHKVM_CONFIGFS="$d/nocfs" "${sh[@]}" "$GADGET" down 2>&1); rc=$?
  eq "gadget_no_configfs_down_ok[$tag]" 0 "$rc"
  out=$("${sh[@]}" "$GADGET" 2>&1); rc=$?
  eq "gadget_usage_exit[$tag]" 2 "$rc"
  out=$("${sh[@]}" "$GADGET" sideways 2>&1); rc=$?
  eq "gadget_bad_command_exit[$tag]" 2 "$rc"

  # Not root, on the real configfs path: refused before touching anything.
  if [ "$(id -u)" != 0 ]; then
    out=$(env -u SSHKVM_CONFIGFS "${sh[@]}" "$GADGET" up 2>&1); rc=$?
  elif command -v setpriv >/dev/null; then
    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env -u SSHKVM_CONFIGFS "${sh[@]}" "$GADGET" up 2>&1); rc=$?
  else
    rc=skip
  fi
  if [ "$rc" != skip ]; then
    eq "gadget_not_root_exit[$tag]" 3 "$rc"
    has "gadget_not_root_says[$tag]" "must be run as root" "$out"
  fi
}

gadget_suite dash
if busybox ash -c true 2>/dev/null; then
  gadget_suite busybox ash
else
  echo "INFO busybox not installed: the busybox ash run is skipped here (the VM test uses it)"
fi
if command -v shellcheck >/dev/null; then
  check gadget_shellcheck_posix shellcheck -s sh "$GADGET"
fi

# ---- dist/sshkvm.conf: parses, and mirrors every option ----
out=$("$BIN" --config "$ROOT/dist/sshkvm.conf" --help 2>&1 >/dev/null); rc=$?
eq conf_parses_exit 0 "$rc"
eq conf_parses_silently "" "$out"
missing=
for opt in $("$BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  name=${opt#--}
  case $name in config | help | version | list-video) continue ;; esac
  grep -Eq "^#?$name = " "$ROOT/dist/sshkvm.conf" || missing="$missing $name"
done
eq conf_mentions_every_option "" "$missing"
for line in 'video = /dev/video0' 'hid = /dev/hidg0' 'mouse = /dev/hidg1' \
  'hostkeys = /var/lib/sshkvm' 'authorized-keys = /etc/sshkvm/authorized_keys' \
  'ssh-listen = 0.0.0.0:2222' 'http-listen = 127.0.0.1:8080'; do
  check "conf_has[$line]" grep -qxF "$line" "$ROOT/dist/sshkvm.conf"
done

# ---- dist/sshkvm.service ----
unit=$ROOT/dist/sshkvm.service
check unit_gadget_pre grep -qx 'ExecStartPre=+/usr/local/lib/sshkvm/sshkvm-gadget up --user sshkvm' "$unit"
# Boot media without root: only the gadget's directory is writable in /sys.
check unit_media_rw_gadget_only test "$(grep '^ReadWritePaths=' "$unit")" = 'ReadWritePaths=-/sys/kernel/config/usb_gadget/sshkvm'
check unit_exec_start grep -qx 'ExecStart=/usr/local/bin/sshkvm --config /etc/sshkvm.conf' "$unit"
# Either would make the devices unreachable (see the comment in the unit).
check unit_no_device_allowlist bash -c "! grep -Eq '^(ProtectClock|PrivateDevices|DeviceAllow|DevicePolicy)=' '$unit'"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$T/unit"
  sed "s|/usr/local/lib/sshkvm/sshkvm-gadget|$GADGET|; s|/usr/local/bin/sshkvm|$BIN|" "$unit" >"$T/unit/sshkvm.service"
  out=$(systemd-analyze verify "$T/unit/sshkvm.service" 2>&1); rc=$?
  if [ "$rc" -eq 0 ] && [ -z "$out" ]; then pass unit_verifies; else fail unit_verifies "$out"; fi
fi

# ---- make install / uninstall ----
inst=$T/inst
P=$inst/usr/local
out=$(make -s --no-print-directory -C "$ROOT" install DESTDIR="$inst" PREFIX=/usr/local 2>&1); rc=$?
eq install_exit 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" | sed 's/^/  /'
mode() { stat -c %a "$1" 2>/dev/null; }
eq install_bin_mode 755 "$(mode "$P/bin/sshkvm")"
eq install_gadget_mode 755 "$(mode "$P/lib/sshkvm/sshkvm-gadget")"
check install_gadget_same cmp -s "$GADGET" "$P/lib/sshkvm/sshkvm-gadget"
check install_gadget_sbin_link test "$(readlink -f "$P/sbin/sshkvm-gadget")" = "$(readlink -f "$P/lib/sshkvm/sshkvm-gadget")"
eq install_keymap_mode 644 "$(mode "$P/share/sshkvm/keymaps/us")"
eq install_web_mode 644 "$(mode "$P/share/sshkvm/web/index.html")"
eq install_unit_mode 644 "$(mode "$P/lib/systemd/system/sshkvm.service")"
check install_unit_same cmp -s "$unit" "$P/lib/systemd/system/sshkvm.service"
eq install_doc_mode 644 "$(mode "$P/share/doc/sshkvm/raspberry-pi.md")"
eq install_man_mode 644 "$(mode "$P/share/man/man8/sshkvm.8")"
eq install_conf_mode 644 "$(mode "$inst/etc/sshkvm.conf")"
check install_conf_same cmp -s "$ROOT/dist/sshkvm.conf" "$inst/etc/sshkvm.conf"
check install_etc_dir test -d "$inst/etc/sshkvm"
out=$("$P/bin/sshkvm" --help 2>&1); rc=$?
eq installed_help_exit 0 "$rc"
has installed_help_usage "usage: sshkvm" "$out"

# The installed binary finds keymaps and web under PREFIX/share/sshkvm: run it
# from an empty directory (the fallback is ./keymaps) and fetch the page.
mkdir -p "$T/empty"
SAVED_BIN=$BIN
BIN=$P/bin/sshkvm
cd "$T/empty" || exit 1
if start_sshkvm --video demo --hid demo --mouse demo; then
  pass installed_starts_with_keymaps
  page=$(curl -s --max-time 5 "http://127.0.0.1:$HTTP_PORT/")
  check installed_serves_web_page test "$page" = "$(cat "$ROOT/web/index.html")"
  stop_sshkvm
else
  fail installed_starts_with_keymaps
fi
cd "$ROOT" || exit 1
BIN=$SAVED_BIN

# A second install keeps a local edit of /etc/sshkvm.conf.
echo '# local edit' >>"$inst/etc/sshkvm.conf"
out=$(make -s --no-print-directory -C "$ROOT" install DESTDIR="$inst" PREFIX=/usr/local 2>&1); rc=$?
eq reinstall_exit 0 "$rc"
check reinstall_keeps_conf grep -qx '# local edit' "$inst/etc/sshkvm.conf"
has reinstall_says_kept "kept $inst/etc/sshkvm.conf" "$out"

# PREFIX=/usr: the unit points at /usr paths.
out=$(make -s --no-print-directory -C "$ROOT" install DESTDIR="$T/inst2" PREFIX=/usr 2>&1); rc=$?
eq install_usr_exit 0 "$rc"
u2=$T/inst2/usr/lib/systemd/system/sshkvm.service
check install_usr_unit_paths grep -qx 'ExecStartPre=+/usr/lib/sshkvm/sshkvm-gadget up --user sshkvm' "$u2"
check install_usr_unit_bin grep -qx 'ExecStart=/usr/bin/sshkvm --config /etc/sshkvm.conf' "$u2"
check install_usr_no_local bash -c "! grep -q /usr/local '$u2'"

out=$(make -s --no-print-directory -C "$ROOT" uninstall DESTDIR="$inst" PREFIX=/usr/local 2>&1); rc=$?
eq uninstall_exit 0 "$rc"
check uninstall_removes test ! -e "$P/bin/sshkvm" -a ! -e "$P/lib/sshkvm" -a ! -e "$P/share/sshkvm" \
  -a ! -e "$P/lib/systemd/system/sshkvm.service" -a ! -L "$P/sbin/sshkvm-gadget"
check uninstall_keeps_conf test -f "$inst/etc/sshkvm.conf"

[ "$FAILS" -eq 0 ]

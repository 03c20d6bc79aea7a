#!/usr/bin/env bash
# The hardware paths end to end on a real Linux kernel (Debian's, under
# QEMU TCG): sshkvm in the guest writes to a real USB HID gadget (f_hid on
# dummy_hcd) and captures from a real V4L2 driver (vivid, YUYV, so sshkvm
# encodes JPEG). The same guest is the USB host: its usbhid/hid-generic turn
# the gadget's reports into evdev events, which evdump sends to the host on
# the second serial port. The host drives sshkvm with the real OpenSSH
# client and curl through QEMU's port forwarding, and checks the exact key,
# pointer and button events the guest's kernel saw.
# Boot media (section 7): the store in the guest's tmpfs.
SSHKVM_ARGS="${SSHKVM_ARGS:-} --media-dir /tmp/media"
# The gadget's serial function (section 6b): sshkvm-gadget adds acm.usb0 and
# sshkvm opens its /dev/ttyGS0 as an ordinary port.
SSHKVM_ARGS="$SSHKVM_ARGS --serial usb=/dev/ttyGS0"
VM_GADGET_ENV='export SSHKVM_GADGET_SERIAL=1'
. "$(dirname "$0")/lib.sh"
# What the guest sends back over ttyACM0 (section 6b), in its /data.
head -c 8192 /dev/urandom >"$T/acm2.bin"
VM_FILES=("$T/acm2.bin")
START=$SECONDS

vm_require vm qemu-system-x86_64 gcc strings djpeg curl

if ! vm_prepare; then fail vm_prepare "kernel, modules or initramfs"; exit 1; fi
note "prepared in $((SECONDS - START))s: $(basename "$KDIR"), initrd $(stat -c %s "$T/initrd") bytes"

# ---- 1. boot ----
if ! vm_start; then fail vm_boot "no 'VM READY' on the console ($(boot_why))"; exit 1; fi
pass vm_boot
note "booted to READY in ${VM_BOOT_S}s"
console | grep -E '^VM (up|modules|gadget|enumerated|READY)'
check vm_modules_loaded grep -q '^VM modules loaded' <(console)
check vm_evdev_nodes_found grep -q '^EVDUMP READY kbd=/dev/input/event[0-9]* mouse=/dev/input/event[0-9]*' <(tr -d '\r' <"$T/events.log")
if ! wait_ssh; then fail vm_ssh_answers "no answer through hostfwd"; exit 1; fi
pass vm_ssh_answers

# ---- 2. status: the real sinks and the real capture device ----
status=$(kssh status)
check vm_status_hid_sinks grep -qF '"hid":{"keyboard":"/dev/hidg0","mouse":"/dev/hidg1","state":"ok"' <<<"$status"
check vm_status_source grep -qF '"source":"/dev/video0"' <<<"$status"
# Capture is on demand and status does not watch: nobody has looked yet.
check vm_status_capture_idle grep -qF '"capture":{"state":"idle","format":"yuyv","frames":0' <<<"$status"
# A snapshot watches for a moment: vivid's webcam input gives 640x480 YUYV.
kssh snapshot >/dev/null
for _ in $(seq 20); do grep -qF '"signal":true' <<<"$status" && break; sleep 0.5; status=$(kssh status); done
res=$(sed -n 's/.*"resolution":"\([0-9]*x[0-9]*\)".*/\1/p' <<<"$status")
check vm_status_resolution test -n "$res"
check vm_status_signal grep -qF '"signal":true' <<<"$status"
check vm_status_caps_off grep -qF '"caps":false' <<<"$status"
note "status: $status"

# ---- 3. keyboard: reports through f_hid, usbhid and evdev ----
mark; a=$MARK
kssh type 'Hello, World!'
check vm_type_exit_0 test $? -eq 0
printf 'Hello, World!' | us_reports 0 | key_groups >"$T/want.type"
wait_events "$a" "$(tr ' ' '\n' <"$T/want.type" | grep -c .)"
mark; b=$MARK
expect_groups vm_type_hello_world_events "$a" "$b" "$T/want.type"

mark; a=$MARK
kssh key ctrl+shift+a f2 enter shift+tab
check vm_key_exit_0 test $? -eq 0
printf '%s\n' '03 04' '00 00' '00 3b' '00 00' '00 28' '00 00' '02 2b' '00 00' | key_groups >"$T/want.key"
wait_events "$a" "$(tr ' ' '\n' <"$T/want.key" | grep -c .)"
mark; b=$MARK
expect_groups vm_key_combo_events "$a" "$b" "$T/want.key"

# A long paste: 10,000 characters of mixed text in lines of up to 60, every
# key event exact and in order, nothing lost or repeated; its speed is noted.
awk 'BEGIN {
  srand(4242); cs = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?-_()[]{}<>/\\|@#$%^&*+=~`\"'"'"'"
  n = 0; line = ""
  while (n < 10000) {
    if (length(line) >= 20 + int(rand() * 40)) { print line; n++; line = ""; continue }
    line = line substr(cs, 1 + int(rand() * length(cs)), 1); n++
  }
  if (line != "") print line }' >"$T/paste.txt"
note "paste: $(wc -c <"$T/paste.txt") bytes, $(wc -l <"$T/paste.txt") lines"
us_reports <"$T/paste.txt" | key_groups >"$T/want.paste"
mark; a=$MARK
t0=$(date +%s%N)
kssh paste <"$T/paste.txt"
check vm_paste_exit_0 test $? -eq 0
t1=$(date +%s%N)
note "paste: $(wc -c <"$T/paste.txt") characters in $(((t1 - t0) / 1000000)) ms, $(($(wc -c <"$T/paste.txt") * 1000000000 / (t1 - t0))) characters/s"
wait_events "$a" "$(tr ' ' '\n' <"$T/want.paste" | grep -c .)" 300
mark; b=$MARK
expect_groups vm_paste_10000_chars_events "$a" "$b" "$T/want.paste"

# ---- 4. LEDs: the target's Caps Lock reaches sshkvm ----
# evdump writes EV_LED LED_CAPSL to the keyboard's evdev node; usbhid sends
# the output report to the gadget; sshkvm reads it from /dev/hidg0.
echo 'caps 1' >"$T/s1.in"
wait_status vm_caps_on_seen '"leds":{"num":false,"caps":true,"scroll":false}'
echo 'caps 0' >"$T/s1.in"
wait_status vm_caps_off_seen '"leds":{"num":false,"caps":false,"scroll":false}'

# ---- 5. the absolute mouse: f_hid -> hid-generic -> EV_ABS 0..32767 ----
mark; a=$MARK
kssh mouse 50% 50% click
check vm_mouse_exit_0 test $? -eq 0
kssh mouse 25% 75% click right
kssh mouse scroll -2
printf '%s\n' 'A0=16384 A1=16384' '272+' '272-' 'A0=8192 A1=24575' '273+' '273-' 'R8=-2' >"$T/want.mouse"
wait_events "$a" 9
mark; b=$MARK
expect_groups vm_mouse_events "$a" "$b" "$T/want.mouse"
check vm_mouse_in_status grep -qF '"pointer":{"x":8192,"y":24575,"buttons":0}' <<<"$(kssh status)"

# ---- 6. capture from vivid (YUYV, encoded by sshkvm) ----
kssh snapshot >"$T/snap.jpg"
check vm_snapshot_exit_0 test $? -eq 0
check vm_snapshot_is_jpeg_at_status_resolution test "$(jpeg_size "$T/snap.jpg")" = "$res"
kssh screen --cols 80 --rows 24 >"$T/screen.txt"
check vm_screen_exit_0 test $? -eq 0
check vm_screen_24_lines test "$(wc -l <"$T/screen.txt")" -eq 24
check vm_screen_has_colour grep -q $'\033\\[' "$T/screen.txt"
# /stream through hostfwd -> the guest's loopback relay -> sshkvm's 127.0.0.1:8080.
curl -s -m 6 -o "$T/stream.body" "http://127.0.0.1:$HTTP_PORT/stream"
mkdir -p "$T/parts"
nparts=$("$SPLIT" "$T/stream.body" "$T/parts" 2>&1)
check vm_stream_parts_well_formed test $? -eq 0
check vm_stream_at_least_3_parts test "${nparts:-0}" -ge 3 2>/dev/null
bad=0
for p in "$T"/parts/*.jpg; do
  [ "$(jpeg_size "$p")" = "$res" ] || bad=$((bad + 1))
done
check vm_stream_parts_decode_at_resolution test "$bad" -eq 0
note "stream: $nparts parts in 6 s"

# Nothing above left a key or button held: sshkvm's state is all released.
check vm_nothing_held grep -qF '"buttons":0}' <<<"$(kssh status)"
# ---- 6b. the gadget's serial function: CDC-ACM ----
# sshkvm's port usb is the gadget side, /dev/ttyGS0; the same guest's USB host
# side sees it as /dev/ttyACM0 (cdc_acm). Bytes exact both ways, through
# serial --send / --wait and the raw pipe over the real ssh client. Before the
# media block, whose inserts unplug the gadget.
t_acm=$SECONDS
sha() { sha256sum <"$1" | cut -c1-64; }
check vm_acm_gadget_status guest "sshkvm-gadget status | grep -Eq 'acm[.]usb0 +/dev/ttyGS0 +serial'"
acm_open() { kssh serial --list | grep -q '^usb.*/dev/ttyGS0.*open$'; }
check vm_acm_port_open wait_until 20 acm_open
guest_acm() { guest "test -c /dev/ttyACM0"; }
check vm_acm_guest_ttyACM0 wait_until 30 guest_acm
# The guest's reader: ttyACM0 raw, no echo, appended to /tmp/acm.in.
guest "(stty raw -echo; exec cat) </dev/ttyACM0 >>/tmp/acm.in 2>/tmp/acm.err & echo \$! >/tmp/acm.pid"
reader_on() { guest "ls -l /proc/\$(cat /tmp/acm.pid)/fd/0 | grep -q ttyACM0"; }
check vm_acm_guest_reader wait_until 20 reader_on
# acm_in_is SHA: what the guest's reader got so far has this SHA-256.
acm_in_is() { [ "$(guest "sha256sum </tmp/acm.in" | cut -c1-64)" = "$1" ]; }
check vm_acm_send_exit_0 kssh serial --send usb 'hello from sshkvm'
check vm_acm_send_arrives_exact wait_until 20 acm_in_is "$(printf 'hello from sshkvm\r' | sha256sum | cut -c1-64)"
guest ": >/tmp/acm.in"
head -c 8192 /dev/urandom >"$T/acm.bin"
check vm_acm_pipe_to_guest_exit_0 kssh serial usb <"$T/acm.bin"
check vm_acm_pipe_to_guest_8192_bytes_exact wait_until 30 acm_in_is "$(sha "$T/acm.bin")"
# The guest says a line every half second until serial --wait has seen it.
kssh serial --wait usb --timeout 40 'hello from the target' >"$T/acm.wait" &
wpid=$!
guest "(while :; do printf 'hello from the target\r\n'; sleep 0.5; done) >/dev/ttyACM0 2>/dev/null & echo \$! >/tmp/acm.w"
wait "$wpid"
check vm_acm_wait_sees_guest_line test $? -eq 0
check vm_acm_wait_prints_line grep -q 'hello from the target' "$T/acm.wait"
guest "kill \$(cat /tmp/acm.w)"
sleep 1
# A binary file back through the pipe: the guest writes it once the pipe's
# first bytes (go) reached it, so the pipe is reading by then.
guest ": >/tmp/acm.in; (while ! grep -q go /tmp/acm.in; do sleep 0.1; done; cat /data/acm2.bin >/dev/ttyACM0) >/dev/null 2>&1 &"
mkfifo "$T/acm.fifo"
kssh serial usb <"$T/acm.fifo" >"$T/acm.back" &
ppid=$!
exec {AF}>"$T/acm.fifo"
printf 'go\n' >&"$AF"
got_back() { [ "$(stat -c %s "$T/acm.back")" -ge 8192 ]; }
wait_until 30 got_back
sleep 0.5
exec {AF}>&-
wait "$ppid"
check vm_acm_pipe_from_guest_exit_0 test $? -eq 0
check vm_acm_pipe_from_guest_8192_bytes_exact cmp -s "$T/acm.back" "$T/acm2.bin"
# status counts the bytes each way: 18 + 8192 + 3 to the guest (exactly), the
# 8192 and at least one line from it.
st=$(kssh status)
check vm_acm_status_open grep -qF '"name":"usb","device":"/dev/ttyGS0","settings":"115200 8n1","state":"open","error":"","rx":' <<<"$st"
tx=$(sed -n 's/.*"name":"usb",[^}]*"tx":\([0-9]*\).*/\1/p' <<<"$st")
rx=$(sed -n 's/.*"name":"usb",[^}]*"rx":\([0-9]*\).*/\1/p' <<<"$st")
check vm_acm_status_tx_8213 test "${tx:-0}" -eq 8213
check vm_acm_status_rx_at_least_8215 test "${rx:-0}" -ge 8215
guest "kill \$(cat /tmp/acm.pid)"
note "acm: $((SECONDS - t_acm))s"

# ---- 7. boot media: the mass-storage function on the same gadget ----
# Last: every insert and eject unplugs and replugs the gadget, HID included.
# An image put over ssh appears on the guest as a USB disk and as a CD-ROM,
# read back bit for bit, the ISO 9660 file system mounted; eject removes it;
# the function is in the gadget only while something is inserted.
GA=/sys/kernel/config/usb_gadget/sshkvm
MS=$GA/functions/mass_storage.usb0
head -c 2097152 /dev/urandom >"$T/disk.img"
mkdir -p "$T/iso"
head -c 700000 /dev/urandom >"$T/iso/pad.bin"
echo "hello from sshkvm media" >"$T/iso/hello.txt"
xorriso -as mkisofs -quiet -V SSHKVM -o "$T/cd.iso" "$T/iso" 2>/dev/null
isz=$(stat -c %s "$T/cd.iso")
# guest_sha DEV BYTES: the SHA-256 of the first BYTES of the guest's /dev/DEV.
guest_sha() { guest "head -c $2 /dev/$1 | sha256sum" | cut -c1-64; }
t_media=$SECONDS
check vm_media_put_disk test "$(kssh media put disk.img <"$T/disk.img")" = "$(sha "$T/disk.img")  disk.img"
check vm_media_put_iso test "$(kssh media put cd.iso <"$T/cd.iso")" = "$(sha "$T/cd.iso")  cd.iso"
check vm_media_no_function_before_insert guest "test ! -e $MS"
check vm_media_insert_disk kssh media insert disk.img --disk
check vm_media_function_while_inserted guest "test -e $MS && test -L $GA/configs/c.1/mass_storage.usb0"
if wait_until 30 has_dev sd; then
  pass vm_media_disk_appears
  dev=$(block_dev sd)
  check vm_media_disk_bit_for_bit test "$(guest_sha "$dev" 2097152)" = "$(sha "$T/disk.img")"
  check vm_media_disk_read_only guest "test \$(cat /sys/block/$dev/ro) = 1"
else
  fail vm_media_disk_appears "$(guest "ls /sys/block; dmesg | tail -5")"
fi
kssh media insert disk.img --cdrom 2>"$T/err"
check vm_media_switch_refused_before_eject test $? -eq 1
check vm_media_switch_says_eject grep -q "eject first" "$T/err"
check vm_media_eject_disk kssh media eject
check vm_media_disk_gone wait_until 30 no_dev sd
check vm_media_no_function_after_eject guest "test ! -e $MS && test ! -e $GA/configs/c.1/mass_storage.usb0"
check vm_media_insert_cdrom kssh media insert cd.iso
if wait_until 30 has_dev sr; then
  pass vm_media_cdrom_appears
  check vm_media_cdrom_bit_for_bit test "$(guest_sha sr0 "$isz")" = "$(sha "$T/cd.iso")"
  check vm_media_iso9660_mounts test "$(guest "mkdir -p /mnt/cd && mount -t iso9660 -o ro /dev/sr0 /mnt/cd && cat /mnt/cd/hello.txt; umount /mnt/cd")" = "hello from sshkvm media"
else
  fail vm_media_cdrom_appears "$(guest "ls /sys/block; dmesg | tail -5")"
fi
check vm_media_eject_cdrom kssh media eject
check vm_media_cdrom_gone wait_until 30 no_dev sr
check vm_media_iso_as_disk_after_eject kssh media insert cd.iso --disk
if wait_until 30 has_dev sd; then
  check vm_media_iso_as_disk_bit_for_bit test "$(guest_sha "$(block_dev sd)" "$isz")" = "$(sha "$T/cd.iso")"
else
  fail vm_media_iso_as_disk_bit_for_bit "no disk"
fi
check vm_media_eject_last kssh media eject
check vm_media_absent_at_end guest "test ! -e $MS"
# The serial port outlived those unplugs: still open, and the guest's ttyACM0
# (cdc_acm saw the device go and come back) takes bytes from it again.
check vm_acm_open_after_replugs acm_open
check vm_acm_guest_ttyACM0_after_replugs wait_until 30 guest_acm
guest "(stty raw -echo; exec cat) </dev/ttyACM0 >/tmp/acm.in 2>/tmp/acm.err & echo \$! >/tmp/acm.pid"
wait_until 20 reader_on
check vm_acm_send_after_replugs kssh serial --send usb 'after the replugs'
check vm_acm_after_replugs_exact wait_until 20 acm_in_is "$(printf 'after the replugs\r' | sha256sum | cut -c1-64)"
note "media: $((SECONDS - t_media))s"

# ---- 8. boot media without root, as the shipped unit runs it ----
# `sshkvm-gadget up --user` (root) prepares the unlinked function and hands
# exactly what an insert writes to the user; sshkvm, restarted as that
# unprivileged user, puts, inserts, has the guest read it back, ejects.
t_user=$SECONDS
U=kvmu
guest "echo '$U:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd && echo '$U:x:1000:' >>/etc/group"
check vm_media_user_gadget_up guest "SSHKVM_HID_GROUP=$U sshkvm-gadget up --user $U"
# owner PATH...: the numeric owners, one line.
owners() { guest "stat -c %u $*" | tr '\n' ' ' | sed 's/ $//'; }
check vm_media_user_owns_what_insert_writes test "$(owners $GA/UDC $GA/configs/c.1 $MS/stall $MS/lun.0/file $MS/lun.0/cdrom $MS/lun.0/ro $MS/lun.0/removable $MS/lun.0/nofua)" = "1000 1000 1000 1000 1000 1000 1000 1000"
check vm_media_user_owns_nothing_else test "$(owners $GA $GA/functions $GA/idVendor $GA/functions/hid.usb0/protocol $GA/configs/c.1/MaxPower $MS)" = "0 0 0 0 0 0"
check vm_media_user_function_prepared_unlinked guest "test -d $MS && test ! -e $GA/configs/c.1/mass_storage.usb0"
# The user cannot touch the keyboard's function or make functions of its own
# (the attribute and directory are there, and su as the user writes what it owns).
check vm_media_user_su_writes_own guest "su -s /bin/sh $U -c 'cat $MS/stall >$MS/stall'"
check vm_media_user_cannot_write_hid guest "test -f $GA/functions/hid.usb0/protocol && ! su -s /bin/sh $U -c 'echo 0 >$GA/functions/hid.usb0/protocol' 2>/dev/null"
check vm_media_user_cannot_mkdir_function guest "test -d $GA/functions && ! su -s /bin/sh $U -c 'mkdir $GA/functions/mass_storage.x' 2>/dev/null"
# Why up --user pre-creates the function: in a gadget whose functions/ the
# user owns, what the user creates is still root's (noted, a kernel fact).
P=/sys/kernel/config/usb_gadget/sk_probe
note "configfs: a function $U makes has lun.0/file owned by uid $(guest "mkdir $P && chown $U $P/functions && su -s /bin/sh $U -c 'mkdir $P/functions/mass_storage.p' && stat -c %u $P/functions/mass_storage.p/lun.0/file; rmdir $P/functions/mass_storage.p $P/strings/* $P 2>/dev/null; rmdir $P 2>/dev/null")"
check vm_media_probe_gadget_removed guest "test ! -e $P"
# sshkvm_uid: the uid sshkvm runs as ("" when it does not run).
sshkvm_uid() { guest "p=\$(pidof sshkvm) && sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/\$p/status"; }
guest "kill \$(pidof sshkvm)"
check vm_media_user_root_sshkvm_stopped wait_until 10 sshkvm_gone
guest "chown -R $U /tmp/hk /tmp/media && chgrp $U /dev/video0 && chmod 0660 /dev/video0"
guest "su -s /bin/sh $U -c 'cd /tmp && sshkvm --video /dev/video0 --hid /dev/hidg0 --mouse /dev/hidg1 --ssh-listen 0.0.0.0:2222 --hostkeys /tmp/hk --authorized-keys /authorized_keys \$(cat /sshkvm.args) </dev/null >/tmp/sshkvm2.out 2>&1 &'"
if wait_ssh; then
  check vm_media_user_sshkvm_unprivileged test "$(sshkvm_uid)" = 1000
  head -c 1048576 /dev/urandom >"$T/user.img"
  check vm_media_user_put test "$(kssh media put user.img <"$T/user.img")" = "$(sha "$T/user.img")  user.img"
  kssh media insert user.img --disk 2>"$T/err"
  check vm_media_user_insert_disk test $? -eq 0
  if wait_until 30 has_dev sd; then
    check vm_media_user_disk_bit_for_bit test "$(guest_sha "$(block_dev sd)" 1048576)" = "$(sha "$T/user.img")"
  else
    fail vm_media_user_disk_bit_for_bit "no disk: $(cat "$T/err"; guest "cat /tmp/sshkvm2.out | tail -5")"
  fi
  check vm_media_user_list_says_inserted grep -q 'user.img.*inserted disk' <<<"$(kssh media list)"
  check vm_media_user_eject kssh media eject
  check vm_media_user_disk_gone wait_until 30 no_dev sd
  check vm_media_user_unlinked_no_medium guest "test ! -e $GA/configs/c.1/mass_storage.usb0 && test -f $MS/lun.0/file && test -z \"\$(cat $MS/lun.0/file)\""
  check vm_media_user_insert_cdrom kssh media insert cd.iso
  if wait_until 30 has_dev sr; then
    check vm_media_user_cdrom_bit_for_bit test "$(guest_sha sr0 "$isz")" = "$(sha "$T/cd.iso")"
  else
    fail vm_media_user_cdrom_bit_for_bit "no CD-ROM"
  fi
  check vm_media_user_eject_cdrom kssh media eject
  check vm_media_user_cdrom_gone wait_until 30 no_dev sr
  # listed_not_inserted: media list answers, names user.img, and nothing is inserted.
  listed_not_inserted() { local l; l=$(kssh media list) && grep -q '^user\.img[[:space:]]' <<<"$l" && ! grep -q inserted <<<"$l"; }
  check vm_media_user_list_not_inserted listed_not_inserted
else
  fail vm_media_user_sshkvm_unprivileged "no answer: $(guest "tail -5 /tmp/sshkvm2.out")"
fi
note "media as user $U: $((SECONDS - t_user))s"
note "total $((SECONDS - START))s"
[ "$FAILS" -eq 0 ]

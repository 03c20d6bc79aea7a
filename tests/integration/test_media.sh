#!/usr/bin/env bash
# Boot media over ssh, with the real binary and OpenSSH: media put / list /
# get / rm / new with the bytes compared (cmp) and the SHA-256 checked
# against sha256sum; bad names refused; a truncated upload (the client
# killed, or fewer bytes than --size) leaves nothing; two uploads of one
# name do not interleave; a full disk (a small tmpfs, or --media-max-bytes
# without root) refuses cleanly and sshkvm keeps running; insert and eject
# against a gadget that sshkvm-gadget made in a simulated configfs (a plain
# directory): the mass-storage function is there only while something is
# inserted, CD/disk switching only after eject, the CD-ROM limit names
# --disk; view-only keys may only list; the audit log records each change.
# Names of invalid UTF-8 or with C1 controls are refused; a link planted in
# the store is not followed (get, insert); a put refused before it reads
# (inserted, would not fit) exits 1 while the client still sends, and one
# refused while writing lets go of its name at once; sparse
# blank images count at their size against --media-max-bytes; a media
# directory others may write is refused like an unusable one.
. "$(dirname "$0")/lib.sh"

MD=$T/media
mkdir -p "$MD" "$T/cfs/usb_gadget" "$T/udc/dummy_udc.0"
LIMIT=()
if mount -t tmpfs -o size=32m,mode=0700 sshkvm-media-test "$MD" 2>/dev/null; then
  echo "# the store is a 32 MiB tmpfs"
else
  LIMIT=(--media-max-bytes 32M)
  echo "# no tmpfs (not root): --media-max-bytes 32M stands in for a full disk"
fi
trap 'stop_sshkvm; umount "$MD" 2>/dev/null; cleanup' EXIT

export SSHKVM_CONFIGFS=$T/cfs SSHKVM_UDC_DIR=$T/udc
G=$T/cfs/usb_gadget/sshkvm
F=$G/functions/mass_storage.usb0
"$ROOT/scripts/sshkvm-gadget" up >"$T/gadget.out" 2>&1; rc=$?
check "gadget up (simulated configfs)" [ "$rc" -eq 0 ]

ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
AUDIT=$T/audit.log
start_sshkvm --media-dir "$MD" --media-gadget "$G" --audit-log "$AUDIT" ${LIMIT[@]+"${LIMIT[@]}"} ||
  exit 1
# fails CMD...: CMD exits non-zero; usage CMD...: CMD exits 2 (a usage error).
# quiet CMD...: CMD succeeds (its output dropped).
quiet() { local o; o=$("$@" 2>&1) || { printf "%s\n" "$o" | head -5 >&2; return 1; }; }
fails() { ! "$@" >/dev/null 2>&1; }
usage() { "$@" >/dev/null 2>&1; [ $? -eq 2 ]; }
viewer() { ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
# only_images NAMES...: the store holds exactly these images (and no temporary file).
only_images() { [ "$(ls -A "$MD" | grep -v '^\..*\.sha256$' | sort | tr '\n' ' ')" = "$* " ]; }

# put, list, get: the bytes and the digest.
head -c 5000000 /dev/urandom >"$T/a.img"
want=$(sha256sum <"$T/a.img" | awk '{print $1}')
out=$(kssh media put a.img <"$T/a.img" 2>"$T/err"); rc=$?
check "put: exit 0" [ "$rc" -eq 0 ]
check "put: prints the SHA-256 as sha256sum does" [ "$out" = "$want  a.img" ]
check "put: the stored bytes" cmp -s "$T/a.img" "$MD/a.img"
kssh media get a.img >"$T/a.back"
check "get: the same bytes" cmp -s "$T/a.img" "$T/a.back"
check "list: name, size, SHA-256" [ "$(kssh media list)" = "a.img	5000000	$want	-" ]
check "list --json" python3 -c '
import json, sys
l = json.loads(sys.argv[1])
assert l == [{"name": "a.img", "size": 5000000, "sha256": sys.argv[2], "inserted": None}], l
' "$(kssh media list --json)" "$want"
check "list: a sidecar keeps the SHA-256" grep -q "^$want 5000000 " "$MD/.a.img.sha256"
echo same >"$T/small"
kssh media put a.img <"$T/small" >/dev/null
check "put over an image replaces it" cmp -s "$T/small" "$MD/a.img"
check_all "list: the new SHA-256" 'kssh media list 2>/dev/null | grep -q "$(sha256sum <"$T/small" | cut -c1-64)"'

# With ssh -tt (and -e none, or ssh would take "~." in the data as its escape): progress on
# stderr, the same bytes stored.
ssh "${SSH_OPTS[@]}" -tt -e none -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 media put tty.img <"$T/a.img" >"$T/tty.out" 2>&1
check "put -tt: the bytes" cmp -s "$T/a.img" "$MD/tty.img"
check "put -tt: progress on the terminal" grep -q "tty.img: 4 MiB" "$T/tty.out"
kssh media rm tty.img

# Bad names: usage errors, nothing created.
for n in ../x a/b .hidden .. $'bad\001name' $'bad\xffname' $'bad\xc2\x9bname'; do
  kssh media put "'$n'" <"$T/small" >/dev/null 2>"$T/err"; rc=$?
  check "bad name refused: $(printf %q "$n")" [ "$rc" -eq 2 ]
done
check "bad names: nothing created" only_images a.img
check "bad names: said why" grep -q "plain file name" <(kssh media put a/b </dev/null 2>&1)

# A truncated upload: the client killed in the middle, or fewer bytes than --size.
mkfifo "$T/pipe"
# exec: $! is ssh itself, which the kill must reach.
(exec ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 media put cut.img <"$T/pipe" \
  >/dev/null 2>&1) &
cpid=$!
exec 7>"$T/pipe"
head -c 3000000 /dev/urandom >&7
sleep 0.5
kill -KILL "$cpid"; wait "$cpid" 2>/dev/null
exec 7>&-
check "killed upload: nothing left" wait_until 10 only_images a.img
head -c 1000 /dev/urandom | kssh media put short.img --size 2000 >/dev/null 2>"$T/err"; rc=$?
check "short upload (--size): exit 1" [ "$rc" -eq 1 ]
check "short upload: said so" grep -q "got 1000 bytes, not the 2000" "$T/err"
check "short upload: nothing left" only_images a.img

# Two uploads of one name at once: the second is refused, the first completes.
kssh media put two.img <"$T/pipe" >"$T/first.out" 2>&1 &
cpid=$!
exec 7>"$T/pipe"
printf first >&7
# The first upload has begun when sshkvm holds its temporary file (O_TMPFILE: "$MD/#N (deleted)"
# in its descriptors, else .two.img.upload-X): only then can a second one be refused.
first_begun() { ls -l "/proc/$SK_PID/fd" 2>/dev/null | grep -q -e "$MD/#" -e "$MD/.two.img.upload-"; }
check "first upload under way" wait_until 10 first_begun
in_progress() { kssh media put two.img <"$T/small" 2>&1 >/dev/null | grep -q "already in progress"; }
check "second upload of one name refused" wait_until 10 in_progress
printf ' upload\n' >&7
exec 7>&-
wait "$cpid"; rc=$?
check "first upload completes" [ "$rc" -eq 0 ]
check "first upload's bytes only" [ "$(cat "$MD/two.img")" = "first upload" ]

# The disk would fill: refused at once with --size, and while writing without; sshkvm runs on.
head -c 40000000 /dev/zero | kssh media put big.img --size 40000000 >/dev/null 2>"$T/err"; rc=$?
check "full (--size): refused" [ "$rc" -eq 1 ]
check "full: said so" grep -q "would fill" "$T/err"
head -c 40000000 /dev/zero | kssh media put big.img >/dev/null 2>"$T/err"; rc=$?
check "full (streaming): refused" [ "$rc" -eq 1 ]
check "full (streaming): said so" grep -q "would fill" "$T/err"
check "full: nothing left" only_images a.img two.img
head -c 40000000 /dev/urandom >"$T/big40"
kssh media put big.img --size 40000000 <"$T/big40" >/dev/null 2>"$T/err"; rc=$?
check_all "full (--size), 40 MB still coming: exit 1" '[ "$rc" -eq 1 ] && grep -q "would fill" "$T/err"'
check "full: sshkvm still answers" quiet kssh media list
# Refused while writing, with its client still connected: the name (and the temporary file, the
# room reserved, the writer thread) is let go at once, not when the client stops sending.
mkfifo "$T/pipe2"
kssh media put held.img <"$T/pipe2" >/dev/null 2>"$T/held.err" &
hpid=$!
exec 8>"$T/pipe2"
head -c 40000000 /dev/zero >&8
said_full() { grep -q "would fill" "$T/held.err"; }
check "full, client still sending: said so" wait_until 10 said_full
check "full, client still sending: the name is free" quiet kssh media put held.img <"$T/small"
exec 8>&-
wait "$hpid"; rc=$?
check "full, client still sending: exit 1 once it stops" [ "$rc" -eq 1 ]
check "full, client still sending: the second put stored" cmp -s "$T/small" "$MD/held.img"
quiet kssh media rm held.img

# A blank disk: sparse, its SHA-256 that of zeros.
check "new: exit 0" quiet kssh media new blank.img 16M
check "new: the size" [ "$(stat -c %s "$MD/blank.img")" -eq 16777216 ]
check "new: sparse" [ "$(stat -c %b "$MD/blank.img")" -lt 1024 ]
zeros=$(head -c 16777216 /dev/zero | sha256sum | cut -c1-64)
check_all "new: listed with the SHA-256 of zeros" 'kssh media list 2>/dev/null | grep -qP "^blank.img\t16777216\t$zeros\t"'
check "new: an existing name refused" fails kssh media new blank.img 1M
check "new: a bad size is a usage error" usage kssh media new x.img 12Q

# Insert and eject in the (simulated) gadget.
head -c 1000000 /dev/urandom >"$T/cd.iso"
kssh media put cd.iso <"$T/cd.iso" >/dev/null
check "no function while nothing is inserted" [ ! -e "$F" ]
check "insert .iso: exit 0" quiet kssh media insert cd.iso
check "insert: the image" [ "$(cat "$F/lun.0/file")" = "$MD/cd.iso" ]
check "insert: a CD-ROM, read-only" [ "$(cat "$F/lun.0/cdrom")$(cat "$F/lun.0/ro")" = 11 ]
check "insert: removable, nofua, stall=0" \
  [ "$(cat "$F/lun.0/removable")$(cat "$F/lun.0/nofua")$(cat "$F/stall")" = 110 ]
check "insert: linked into the configuration" [ -L "$G/configs/c.1/mass_storage.usb0" ]
check "insert: bound to the UDC again" [ "$(cat "$G/UDC")" = dummy_udc.0 ]
metrics() { curl -s "http://127.0.0.1:$HTTP_PORT/metrics"; }
check "metrics: inserted, images" bash -c 'grep -qx "sshkvm_media_inserted 1" <<<"$0" && grep -qx "sshkvm_media_images 4" <<<"$0" && grep -q "^sshkvm_media_free_bytes [0-9]" <<<"$0"' "$(metrics)"
check "status: inserted" status_has '"media":\{"images":4,[^}]*"inserted":"cd.iso","mode":"cdrom","ro":true\}'
check "list: inserted" grep -qP "^cd.iso\t1000000\t.*\tinserted cdrom$" <(kssh media list)
kssh media insert cd.iso --disk >/dev/null 2>"$T/err"; rc=$?
SSHKVM_CONFIGFS=$T/cfs SSHKVM_UDC_DIR=$T/udc "$ROOT/scripts/sshkvm-gadget" status >"$T/gstatus" 2>&1
check "sshkvm-gadget status names the medium" grep -qF "mass_storage.usb0 cdrom, read-only: $MD/cd.iso" "$T/gstatus"
check "switching modes before eject: refused" [ "$rc" -eq 1 ]
check "switching: said eject first" grep -q "media eject first to switch" "$T/err"
check "rm of the inserted image refused" fails kssh media rm cd.iso
kssh media put cd.iso <"$T/small" >/dev/null 2>&1; rc=$?
check "put over the inserted image refused" [ "$rc" -eq 1 ]
head -c 24000000 /dev/urandom >"$T/big"
kssh media put cd.iso <"$T/big" >/dev/null 2>"$T/err"; rc=$?
check_all "put over the inserted image, 24 MB still coming: exit 1" '[ "$rc" -eq 1 ] && grep -q "is inserted" "$T/err"'
head -c 100000000 /dev/zero | kssh media put cd.iso >/dev/null 2>"$T/err"; rc=$?
check_all "put over the inserted image, 100 MB piped: exit 1" '[ "$rc" -eq 1 ] && grep -q "is inserted" "$T/err"'
check "eject: exit 0" quiet kssh media eject
check "eject: the function is gone" [ ! -e "$F" ]
check "eject: unlinked" [ ! -L "$G/configs/c.1/mass_storage.usb0" ]
check "eject: bound to the UDC again" [ "$(cat "$G/UDC")" = dummy_udc.0 ]
check "status: nothing inserted" status_has '"inserted":null'
check "metrics: nothing inserted" grep -qx "sshkvm_media_inserted 0" <(metrics)
check "insert --disk --rw after eject" quiet kssh media insert cd.iso --disk --rw
check "--disk --rw: a writable disk" [ "$(cat "$F/lun.0/cdrom")$(cat "$F/lun.0/ro")" = 00 ]
check "eject again" quiet kssh media eject
check "eject with nothing inserted: exit 0" quiet kssh media eject
check "--cdrom --rw is a usage error" usage kssh media insert cd.iso --cdrom --rw
# A CD image over the kernel's limit (sparse, its sidecar written so list need not hash 3 GB).
truncate -s 2359296000 "$MD/huge.iso"
echo "$zeros 2359296000 $(stat -c '%Y' "$MD/huge.iso") $(stat -c '%y' "$MD/huge.iso" | sed 's/.*\.\([0-9]*\).*/\1/;s/^0*//;s/^$/0/')" >"$MD/.huge.iso.sha256"
kssh media insert huge.iso >/dev/null 2>"$T/err"; rc=$?
check "CD-ROM over the limit refused" [ "$rc" -eq 1 ]
check "CD-ROM over the limit: names --disk and the figure" grep -q "limit of 2359293952 bytes; insert it with --disk" "$T/err"
check "CD-ROM over the limit: nothing inserted" [ ! -e "$F" ]
check "the same as a disk" quiet kssh media insert huge.iso --disk
check "eject the disk" quiet kssh media eject
check "rm" quiet kssh media rm huge.iso
check_all "rm: gone with its sidecar" '[ ! -e "$MD/huge.iso" ] && [ ! -e "$MD/.huge.iso.sha256" ]'
check "rm of a missing image: exit 1" fails kssh media rm huge.iso

# A link planted in the store: not followed by get or insert, not listed.
echo secret >"$T/secret"
ln -s "$T/secret" "$MD/link.img"
kssh media get link.img >"$T/link.out" 2>"$T/err"; rc=$?
check_all "planted link: get refused" '[ "$rc" -eq 1 ] && [ ! -s "$T/link.out" ]'
check "planted link: insert refused" fails kssh media insert link.img --disk
check "planted link: not inserted" [ ! -e "$F" ]
check "planted link: not listed" bash -c '! grep -q link.img <<<"$0"' "$(kssh media list)"
rm -f "$MD/link.img"

# Roles: view-only keys may list only.
check "view key: list" quiet viewer media list
viewer media put v.img <"$T/small" >/dev/null 2>"$T/err"; rc=$?
check_all "view key: put refused" '[ "$rc" -eq 1 ] && grep -q "view-only" "$T/err"'
check "view key: insert refused" fails viewer media insert cd.iso
check "view key: get refused" fails viewer media get a.img
check "view key: nothing inserted" [ ! -e "$F" ]

# The audit log.
check "audit: put" grep -q 'event=media .*action=put name="a.img" bytes=5000000 sha256='"$want" "$AUDIT"
check "audit: insert and eject" bash -c 'grep -q "action=insert name=\"cd.iso\" mode=cdrom" "$0" && grep -q "action=eject name=\"cd.iso\"" "$0"' "$AUDIT"
check "sshkvm still running" kill -0 "$SK_PID"
"$ROOT/scripts/sshkvm-gadget" down >"$T/gadget.out" 2>&1; rc=$?
check "gadget down: exit 0" [ "$rc" -eq 0 ]
check "gadget down removes everything" [ ! -e "$G" ]

# A media directory that cannot be used: one line in the log, sshkvm runs, media says so.
stop_sshkvm
start_sshkvm --media-dir /proc/sshkvm-no-such-dir || exit 1
check "unusable store: one log line" [ "$(grep -c 'media.*/proc/sshkvm-no-such-dir' "$T/sshkvm.log")" -eq 1 ]
kssh media list >/dev/null 2>"$T/err"; rc=$?
check_all "unusable store: media fails" '[ "$rc" -eq 1 ] && grep -q "no media store" "$T/err"'
check "unusable store: the rest works" quiet kssh status

# A media directory others may write: refused the same way.
stop_sshkvm
mkdir -m 0770 "$T/gw"
chmod 0770 "$T/gw"
start_sshkvm --media-dir "$T/gw" || exit 1
gw_logged() { [ "$(grep -c "media.*$T/gw.*writable by others" "$T/sshkvm.log")" -eq 1 ]; }
check "group-writable store: one log line" wait_until 10 gw_logged
check "group-writable store: media fails" fails kssh media list

# Sparse blank images count at their size against --media-max-bytes.
stop_sshkvm
mkdir -m 0700 "$T/md2"
start_sshkvm --media-dir "$T/md2" --media-max-bytes 32M || exit 1
check "limit: a 20M blank image" quiet kssh media new one.img 20M
kssh media new two.img 20M >/dev/null 2>"$T/err"; rc=$?
check_all "limit: a second 20M blank image refused" '[ "$rc" -eq 1 ] && grep -q "would fill" "$T/err"'
check "limit: only the first" [ "$(ls "$T/md2")" = one.img ]
finish

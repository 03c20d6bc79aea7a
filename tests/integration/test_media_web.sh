#!/usr/bin/env bash
# Boot media from the web page's side, with the real binary and curl:
# GET /api/media lists the images as JSON; POST /api/media/upload streams a
# 20 MB image whose SHA-256 matches (the bytes compared too); an upload cut
# off mid-body leaves nothing; a bad name is refused; a view-only login may
# list and is refused (403) upload, insert and eject; insert and eject
# against a simulated gadget (a plain directory, as test_media.sh makes it);
# without a gadget insert gives one clear error; the audit log names each.
. "$(dirname "$0")/lib.sh"

MD=$T/media
mkdir -p "$MD" "$T/cfs/usb_gadget" "$T/udc/dummy_udc.0"
export SSHKVM_CONFIGFS=$T/cfs SSHKVM_UDC_DIR=$T/udc
G=$T/cfs/usb_gadget/sshkvm
F=$G/functions/mass_storage.usb0
"$ROOT/scripts/sshkvm-gadget" up >"$T/gadget.out" 2>&1
check "gadget up (simulated configfs)" [ $? -eq 0 ]

ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
viewer() { ssh "${SSH_OPTS[@]}" -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
AUDIT=$T/audit.log
start_sshkvm --media-dir "$MD" --media-gadget "$G" --audit-log "$AUDIT" || exit 1
# Loopback without a login is the control role; POSTs carry the page's header.
api() { curl -s -o "$T/api.out" -w '%{http_code}' -H 'X-Sshkvm: 1' "$@"; }
U=http://127.0.0.1:$HTTP_PORT
# only_images NAMES...: the store holds exactly these images (and no temporary file).
only_images() { [ "$(ls -A "$MD" | grep -v '^\..*\.sha256$' | sort | tr '\n' ' ')" = "$* " ]; }

code=$(api "$U/api/media")
check_all "list: empty" '[ "$code" = 200 ] && [ "$(cat "$T/api.out")" = "[]" ]'
check "list: JSON content type" bash -c "curl -s -D - -o /dev/null '$U/api/media' | grep -qi '^content-type: application/json'"

# A 20 MB upload, streamed; the answer is sha256sum's line.
head -c 20000000 /dev/urandom >"$T/big.img"
want=$(sha256sum <"$T/big.img" | awk '{print $1}')
t0=$(date +%s%N)
code=$(api -H 'Content-Type: application/octet-stream' --data-binary @"$T/big.img" "$U/api/media/upload?name=big.img")
t1=$(date +%s%N)
echo "# 20 MB upload: $(((t1 - t0) / 1000000)) ms"
check "upload: 200" [ "$code" = 200 ]
check "upload: answers the SHA-256 as sha256sum does" [ "$(cat "$T/api.out")" = "$want  big.img" ]
check "upload: the stored bytes" cmp -s "$T/big.img" "$MD/big.img"
code=$(api "$U/api/media")
check "list: name, size, SHA-256, not inserted" python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
assert l == [{"name": "big.img", "size": 20000000, "sha256": sys.argv[2], "inserted": None}], l
' "$T/api.out" "$want"
check "ssh sees the same list" [ "$(kssh media list --json)" = "$(cat "$T/api.out")" ]
check "audit: the upload" grep -q "event=media who=\"loopback\" .*action=put name=\"big.img\" bytes=20000000 sha256=$want" "$AUDIT"

# Cut off: a body of 8 MB promised, 1 MB sent, then the client is gone.
python3 - "$HTTP_PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /api/media/upload?name=cut.img HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Sshkvm: 1\r\n"
          b"Content-Type: application/octet-stream\r\nContent-Length: 8000000\r\n\r\n")
s.sendall(b"\x55" * 1000000)
time.sleep(0.5)
s.close()
PY
sleep 1
check "cut-off upload: nothing stored" only_images big.img
check "cut-off upload: not listed" bash -c "! curl -s '$U/api/media' | grep -q cut.img"
check "cut-off upload: not audited" bash -c "! grep -q 'name=\"cut.img\"' '$AUDIT'"
# The name is free again: a whole upload of it goes through.
code=$(api --data-binary 'small image' "$U/api/media/upload?name=cut.img")
check "after the cut: the name uploads" [ "$code" = 200 ]
code=$(api -X POST "$U/api/media?op=rm&name=cut.img")
check_all "rm: 200" '[ "$code" = 200 ] && only_images big.img'

# Bad names: refused before a byte is stored.
for n in '..' '../evil' 'a%2Fb' '.hidden' ''; do
  code=$(api --data-binary x "$U/api/media/upload?name=$n")
  check "bad name '$n': 400" [ "$code" = 400 ]
done
check "bad names: nothing stored" only_images big.img
grep -q "name" "$T/api.out"; check "bad name: says why" [ -s "$T/api.out" ]

# A view-only login lists, and is refused everything else before it runs.
url=$(viewer web 2>/dev/null)
curl -s -c "$T/vcookies" -o /dev/null "$url"
code=$(api -b "$T/vcookies" "$U/api/media")
check_all "view-only: list 200" '[ "$code" = 200 ] && grep -q '\''"big.img"'\'' "$T/api.out"'
code=$(api -b "$T/vcookies" --data-binary @"$T/big.img" "$U/api/media/upload?name=v.img")
check_all "view-only: upload 403" '[ "$code" = 403 ] && grep -q "view-only" "$T/api.out"'
code=$(api -b "$T/vcookies" -X POST "$U/api/media?op=insert&name=big.img")
check "view-only: insert 403" [ "$code" = 403 ]
code=$(api -b "$T/vcookies" -X POST "$U/api/media?op=eject")
check "view-only: eject 403" [ "$code" = 403 ]
code=$(api -b "$T/vcookies" -X POST "$U/api/media?op=rm&name=big.img")
check_all "view-only: rm 403" '[ "$code" = 403 ] && only_images big.img'
check "view-only: nothing inserted" [ ! -e "$F" ]

# Insert and eject through the (simulated) gadget.
code=$(api -X POST "$U/api/media?op=insert&name=big.img&mode=disk&rw=1")
check_all "insert disk rw: 200" '[ "$code" = 200 ] && grep -q "inserted as a disk (read-write)" "$T/api.out"'
check "insert: the image in the gadget" [ "$(cat "$F/lun.0/file" 2>/dev/null)" = "$MD/big.img" ]
check "insert: a writable disk" [ "$(cat "$F/lun.0/cdrom")$(cat "$F/lun.0/ro")" = 00 ]
code=$(api "$U/api/media")
check "list: shows it inserted" grep -q '"inserted":"disk-rw"' "$T/api.out"
code=$(api -X POST "$U/api/media?op=insert&name=big.img&mode=cdrom")
check_all "switch mode before eject: 409" '[ "$code" = 409 ] && grep -q "eject first" "$T/api.out"'
code=$(api --data-binary x "$U/api/media/upload?name=big.img")
check_all "upload over the inserted image: 409" '[ "$code" = 409 ] && cmp -s "$T/big.img" "$MD/big.img"'
code=$(api -X POST "$U/api/media?op=insert&name=big.img&mode=floppy")
check "bad mode: 400" [ "$code" = 400 ]
code=$(api -X POST "$U/api/media?op=fly")
check "bad op: 400" [ "$code" = 400 ]
code=$(api -X POST "$U/api/media?op=eject")
check_all "eject: 200" '[ "$code" = 200 ] && [ ! -e "$F" ]'
check "audit: insert and eject" bash -c "grep -q 'action=insert name=\"big.img\" mode=disk-rw' '$AUDIT' && grep -q 'action=eject name=\"big.img\"' '$AUDIT'"
# The page in headless Chromium, driven as a user would: the dialog lists
# the images, uploads a file chosen in its file input, inserts and ejects.
export PYTHONPATH=$ROOT/tests/integration
python3 - "$U/" "$T" >"$T/page.out" 2>&1 <<'PY'
import sys
from cdp import Browser
url, tmp = sys.argv[1], sys.argv[2]
b = Browser(url, tmp + "/chromium")
# The button is in the HTML before app.js gives it its handler: click until the dialog is open.
b.wait_for("document.getElementById('media').open || (document.getElementById('media-open').click(), false)")
print("listed", b.wait_for("document.getElementById('media-list').tBodies[0].rows.length === 1 && "
                           "document.getElementById('media-list').tBodies[0].rows[0].cells[0].textContent === 'big.img'"))
b.eval("""(function () {
    var dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(700000).fill(7)], 'page.iso'));
    document.getElementById('media-file').files = dt.files;
    document.getElementById('media-upload').click();
    return true;
})()""")
print("uploaded", b.wait_for("/^[0-9a-f]{64}  page.iso$/.test(document.getElementById('media-result').textContent)"))
print("relisted", b.wait_for("document.getElementById('media-list').tBodies[0].rows.length === 2"))
b.eval("document.getElementById('media-name').value = 'page.iso', document.getElementById('media-insert').click(), true")
print("inserted", b.wait_for("/inserted as a CD-ROM/.test(document.getElementById('media-result').textContent)"))
print("shown_inserted", b.wait_for("document.getElementById('media-list').tBodies[0].rows[1].cells[3].textContent === 'cdrom'"))
b.eval("document.getElementById('media-eject').click(), true")
print("ejected", b.wait_for("/page.iso ejected/.test(document.getElementById('media-result').textContent)"))
b.close()
PY
cat "$T/page.out" >&2
for w in listed uploaded relisted inserted shown_inserted ejected; do
  check "page: $w" grep -q "^$w True" "$T/page.out"
done
check "page: the uploaded bytes" bash -c "head -c 700000 /dev/zero | tr '\\0' '\\7' | cmp -s - '$MD/page.iso'"
check "page: ejected from the gadget" [ ! -e "$F" ]

code=$(api -X POST "$U/api/media?op=insert&name=nope.img")
check_all "insert a missing image: 409" '[ "$code" = 409 ] && [ -s "$T/api.out" ]'
stop_sshkvm

# Without a gadget: one clear error.
start_sshkvm --media-dir "$MD" || exit 1
U=http://127.0.0.1:$HTTP_PORT
code=$(api -X POST "$U/api/media?op=insert&name=big.img")
check_all "no gadget: insert 409" '[ "$code" = 409 ] && grep -q "no USB gadget" "$T/api.out"'
check "no gadget: still serving" bash -c "curl -s '$U/api/media' | grep -q big.img"
check still_running kill -0 "$SK_PID"
finish

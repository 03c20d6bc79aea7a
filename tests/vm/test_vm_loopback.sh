#!/usr/bin/env bash
# MJPEG capture against a real kernel driver: v4l2loopback (built out of
# tree for the guest's kernel by tests/vm/loopback.sh) with a producer in the
# guest (tests/vm/v4l2util feed) writing known JPEGs, one per write, among
# them deliberately broken frames as cheap dongles send them: a truncated
# JPEG (no EOI), random bytes, and a good JPEG followed by junk after its
# EOI. sshkvm must pass the good ones through to /stream byte for byte, cut
# the junk tail off, drop and count the broken ones, and show NO SIGNAL when
# the producer stops (no frames for 2 s), then frames again when it resumes.
. "$(dirname "$0")/lib.sh"
START=$SECONDS

vm_require vm_loop qemu-system-x86_64 gcc strings ffmpeg curl make

kdir=$(bash "$VM_DIR/kernel.sh" "${VM_MODULES[@]}") || { fail vm_loop_kernel "kernel.sh"; exit 1; }
KO=$(bash "$VM_DIR/loopback.sh" "$kdir") || { fail vm_loop_module_built "tests/vm/loopback.sh"; exit 1; }
pass vm_loop_module_built

# The producer's frames: four distinct 640x480 JPEGs and three broken ones.
D=$T/frames
mkdir -p "$D"
ffmpeg -loglevel error -f lavfi -i testsrc=size=640x480:rate=1 -frames:v 4 -q:v 6 "$D/good%d.jpg" || {
  fail vm_loop_frames "ffmpeg"; exit 1; }
head -c "$(($(stat -c %s "$D/good1.jpg") / 2))" "$D/good1.jpg" >"$D/truncated.jpg"
head -c 6000 /dev/urandom | tr '\377' '\001' >"$D/random.bin"
{ cat "$D/good3.jpg"; printf 'JUNK after the EOI, as cheap dongles append %.0s' $(seq 20); } >"$D/good3tail.jpg"
md5sum "$D"/good[1-4].jpg | awk '{print $1}' >"$T/good.md5"
VM_FILES=("$KO" "$D/good1.jpg" "$D/truncated.jpg" "$D/good2.jpg" "$D/good3tail.jpg" "$D/random.bin" "$D/good4.jpg")
FEED='v4l2util feed /dev/video10 640x480 100 /data/good1.jpg /data/truncated.jpg /data/good2.jpg /data/good3tail.jpg /data/random.bin /data/good4.jpg'
VM_PRE="insmod /data/v4l2loopback.ko video_nr=10 card_label=sshkvm-loop && ($FEED >/dev/console 2>&1 &) && sleep 0.5"
SSHKVM_ARGS="--video /dev/video10"
vm_up vm_loop

# ---- 1. MJPEG negotiated, passed through byte for byte ----
check vm_loop_idle_until_watched wait_capture state idle
curl -s -m 8 -o "$T/stream.body" "http://127.0.0.1:$HTTP_PORT/stream"
check vm_loop_format_mjpeg test "$(capture_field format)" = mjpeg
mkdir -p "$T/parts"
nparts=$("$SPLIT" "$T/stream.body" "$T/parts" 2>&1)
check vm_loop_stream_well_formed test $? -eq 0
check vm_loop_stream_at_least_10_parts test "${nparts:-0}" -ge 10
# sshkvm's NO SIGNAL picture (dark blue-grey, RGB 12,12,20 behind the text): published when
# the producer in the emulated guest stalls for 2 s, which a loaded host can make happen.
is_no_signal() {
  local r g b
  read -r r g b <<<"$(ffmpeg -loglevel error -i "$1" -vf crop=1:1:2:2 -f rawvideo -pix_fmt rgb24 - |
    od -An -tu1)"
  [ "${r:-255}" -lt 40 ] && [ "${g:-255}" -lt 40 ] && [ "${b:-255}" -lt 50 ]
}
bad=0
nosig=0
: >"$T/seen.md5"
for p in "$T"/parts/*.jpg; do
  sum=$(md5sum <"$p" | awk '{print $1}')
  if grep -qx "$sum" "$T/good.md5"; then
    echo "$sum" >>"$T/seen.md5"
  elif is_no_signal "$p"; then
    nosig=$((nosig + 1))
  else
    bad=$((bad + 1))
  fi
done
check vm_loop_every_part_is_a_producer_jpeg_byte_for_byte test "$bad" -eq 0
distinct=$(sort -u "$T/seen.md5" | wc -l)
check vm_loop_all_four_jpegs_seen test "$distinct" -eq 4
[ "$nosig" -gt 0 ] && note "stream: $nosig NO SIGNAL parts while the guest's producer stalled"
g3=$(md5sum <"$D/good3.jpg" | awk '{print $1}')
check vm_loop_junk_after_eoi_cut_off grep -qx "$g3" <(md5sum "$T"/parts/*.jpg | awk '{print $1}')
dropped=$(capture_field dropped)
note "stream: $nparts parts, $distinct distinct; dropped $dropped"
check vm_loop_broken_frames_dropped_and_counted test "${dropped:-0}" -ge 2
check vm_loop_drop_logged grep -q 'dropping broken frames' <(console)

# ---- 2. the producer stops: NO SIGNAL while watched; it resumes: frames again ----
curl -s -m 30 -o "$T/stream2.body" "http://127.0.0.1:$HTTP_PORT/stream" &
CURL=$!
check vm_loop_streaming wait_capture state streaming
guest 'kill $(pidof v4l2util)'
check vm_loop_no_signal_when_producer_stops wait_capture state no-signal
check vm_loop_no_signal_in_status grep -qF '"signal":false' <<<"$(kssh status)"
guest "($FEED >/dev/null 2>&1 &)"
check vm_loop_frames_again wait_capture state streaming 40
wait_status vm_loop_signal_true_again '"signal":true'
kill "$CURL" 2>/dev/null
wait "$CURL" 2>/dev/null
check vm_loop_idle_after_viewer_left wait_capture state idle 20
# ---- 2b. idle means closed: the module can be removed; a viewer then sees
# NO SIGNAL (no device) until it is loaded again, and frames after ----
guest 'kill $(pidof v4l2util)'
sleep 3.5   # the 3 s grace after the last viewer left
guest rmmod v4l2loopback
check vm_loop_rmmod_while_idle_device_closed test $? -eq 0
curl -s -m 30 -o "$T/stream3.body" "http://127.0.0.1:$HTTP_PORT/stream" &
CURL=$!
check vm_loop_no_device_while_module_gone wait_capture state no-device
guest "insmod /data/v4l2loopback.ko video_nr=10 card_label=sshkvm-loop && ($FEED >/dev/null 2>&1 &)"
check vm_loop_insmod_again test $? -eq 0
check vm_loop_frames_after_insmod wait_capture state streaming 40
sleep 2
kill "$CURL" 2>/dev/null
wait "$CURL" 2>/dev/null
mkdir -p "$T/parts3"
"$SPLIT" "$T/stream3.body" "$T/parts3" >/dev/null 2>&1
good3=0
for p in "$T"/parts3/*.jpg; do
  grep -qx "$(md5sum <"$p" | awk '{print $1}')" "$T/good.md5" && good3=$((good3 + 1))
done
check vm_loop_producer_jpegs_after_insmod test "$good3" -ge 3
check vm_loop_reconnects_counted test "$(capture_field reconnects)" -ge 2

# ---- 3. vivid (free in this guest) through a stable name, other formats ----
# A second sshkvm in the guest, never reached from the host: its log and a
# snapshot fetched with busybox wget say what it did.
guest 'mkdir -p /dev/v4l/by-id && ln -sf ../../video0 /dev/v4l/by-id/platform-vivid-video-index0'
SECOND='sshkvm --video /dev/v4l/by-id/platform-vivid-video-index0 --hid file:/tmp/h2 --mouse none --ssh-listen 127.0.0.1:2223 --http-listen 127.0.0.1:8090 --hostkeys /tmp/hk2 --authorized-keys /authorized_keys'
out=$(guest "$SECOND --format mjpeg 2>&1 | tail -1")
check vm_loop_format_refused_one_line test "$out" = "sshkvm: --video: /dev/v4l/by-id/platform-vivid-video-index0: --format mjpeg refused, the driver chose YUYV"
guest "($SECOND --format rgb24 --resolution 320x180 --fps 15 --capture always >/tmp/second.log 2>&1 &) ; sleep 4; wget -q -O /tmp/rgb.jpg http://127.0.0.1:8090/snapshot; od -An -tx1 -N2 /tmp/rgb.jpg; kill \$(pidof sshkvm | tr ' ' '\n' | sort -n | tail -1)" >"$T/second.out"
guest cat /tmp/second.log >"$T/second.log"
check vm_loop_by_id_resolved grep -q 'platform-vivid-video-index0 is /dev/video0 (vivid)' "$T/second.log"
check vm_loop_rgb24_size_and_rate_negotiated grep -q 'platform-vivid-video-index0: RGB3 320x180 at 15.00 fps' "$T/second.log"
check vm_loop_rgb24_snapshot_is_jpeg grep -q 'ff d8' "$T/second.out"
note "status: $(kssh status)"
note "total $((SECONDS - START))s"
[ -n "${DEBUG_SECOND:-}" ] && { cat "$T/second.out" "$T/second.log"; }
[ "$FAILS" -eq 0 ]

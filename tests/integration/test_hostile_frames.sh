#!/usr/bin/env bash
# Hostile frames from a file: source: a truncated JPEG, 64 KiB of random
# bytes, a zero-size JPEG, one claiming 60000 x 60000 pixels and a 100 MiB
# "frame" sit between ten good frames. The server skips them with a log
# line, keeps every good frame, serves only good frames over ssh and HTTP,
# and its memory stays near that of a server playing the good frames alone.
# Then the file is truncated and removed while playing (the source vanishes
# mid-stream): the server keeps serving.
. "$(dirname "$0")/lib.sh"

BIG_MIB=${HOSTILE_BIG_MIB:-100}
make_mjpeg "$T/good.mjpeg" 10
mkdir -p "$T/frames"
"$HELPERS/mjpeg_frames" "$T/good.mjpeg" "$T/frames" >/dev/null
(cd "$T/frames" && md5sum *.jpg | awk '{print $1}' | sort -u) >"$T/frames.md5"
python3 "$ROOT/tests/helpers/hostile_mjpeg.py" "$T/good.mjpeg" "$T/hostile.mjpeg" "$BIG_MIB" >/dev/null

# The baseline: the same frames without the hostile ones, measured in this run.
start_sshkvm --video "file:$T/good.mjpeg" --hid "file:$T/kbd0.bin" || exit 1
curl -s -m 5 -o /dev/null "http://127.0.0.1:$HTTP_PORT/snapshot"
base_rss=$(rss_kb "$SK_PID")
stop_sshkvm

start_sshkvm --video "file:$T/hostile.mjpeg" --hid "file:$T/kbd.bin" || exit 1
URL=http://127.0.0.1:$HTTP_PORT
check hostile_frames_skipped_with_log_line grep -q 'hostile.mjpeg: skipped [0-9]* invalid frame' "$T/sshkvm.log"
check every_good_frame_kept grep -q 'hostile.mjpeg: 10 frames of 320x240' "$T/sshkvm.log"

# stream_parts: 2 s of /stream split into $T/parts; sets rc (the splitter's
# status), n (parts), bad (parts that are no good frame), distinct (parts that differ).
stream_parts() {
  rm -rf "$T/parts"
  mkdir -p "$T/parts"
  curl -s -m 2 -o "$T/stream.body" "$URL/stream"
  n=$("$HELPERS/multipart_split" "$T/stream.body" "$T/parts"); rc=$?
  bad=0
  for p in "$T"/parts/*.jpg; do in_set "$p" "$T/frames.md5" || bad=$((bad + 1)); done
  distinct=$(md5sum "$T"/parts/*.jpg | awk '{print $1}' | sort -u | wc -l)
}

stream_parts
check stream_well_formed test "$rc" -eq 0 -a "${n:-0}" -ge 10
check stream_serves_only_good_frames test "$bad" -eq 0
check stream_plays_every_good_frame test "$distinct" -eq 10

curl -s -m 5 -o "$T/snap.jpg" "$URL/snapshot"
check http_snapshot_is_a_good_frame in_set "$T/snap.jpg" "$T/frames.md5"
kssh snapshot >"$T/ssnap.jpg"
check ssh_snapshot_is_a_good_frame in_set "$T/ssnap.jpg" "$T/frames.md5"
kssh screen >"$T/screen.txt"
check ssh_screen_renders test $? -eq 0 -a -s "$T/screen.txt"
kssh type ok
check ssh_typing_works test "$(stat -c %s "$T/kbd.bin")" -gt 0

rss=$(rss_kb "$SK_PID")
echo "rss: ${rss} KiB with a $((BIG_MIB)) MiB hostile file, ${base_rss} KiB with the good frames alone"
check memory_bounded_despite_big_frame test "$rss" -lt $((base_rss + 32 * 1024 + RSS_SLACK))

# The source vanishes while playing: truncated mid-frame, then removed. The
# file: source reads the whole file at open, so this shows that it never goes
# back to the file (the playback loops several times meanwhile): a snapshot
# alone could still be the hub's last frame, so the stream must go on playing
# every good frame too.
truncate -s 1000 "$T/hostile.mjpeg"
sleep 0.5
rm -f "$T/hostile.mjpeg"
sleep 0.5
stream_parts
check source_removed_stream_plays_only_good_frames test "$rc" -eq 0 -a "${n:-0}" -ge 10 -a "$bad" -eq 0
check source_removed_stream_plays_every_good_frame test "$distinct" -eq 10
curl -s -m 5 -o "$T/snap3.jpg" "$URL/snapshot"
check source_truncated_while_playing_http_serves in_set "$T/snap3.jpg" "$T/frames.md5"
kssh snapshot >"$T/ssnap3.jpg"
check source_truncated_while_playing_ssh_serves in_set "$T/ssnap3.jpg" "$T/frames.md5"
check server_alive kill -0 "$SK_PID"
stop_sshkvm

# A file of nothing but hostile frames is refused at start with a clear error.
python3 - "$T/only-bad.mjpeg" <<'PY'
import sys, random
r = random.Random(3)
open(sys.argv[1], 'wb').write(b'\xff\xd8\xff\xd9' + bytes(r.randrange(256) for _ in range(4096)) + b'\xff\xd8')
PY
out=$("$BIN" --video "file:$T/only-bad.mjpeg" --hostkeys "$T/hostkeys" --authorized-keys \
  "$T/authorized_keys" --ssh-listen "127.0.0.1:$(free_port)" --http-listen off 2>&1 >/dev/null); rc=$?
check only_hostile_frames_refused test "$rc" -ne 0
check only_hostile_frames_error_named grep -q 'no JPEG frames' <<<"$out"
finish

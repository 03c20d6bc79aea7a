#!/usr/bin/env bash
# The browser side with real clients: curl and ffmpeg. Stream parts and
# snapshots must be the captured JPEG bytes exactly.
. "$(dirname "$0")/lib.sh"

make_mjpeg "$T/in.mjpeg" 15
mkdir -p "$T/frames" "$T/parts"
"$HELPERS/mjpeg_frames" "$T/in.mjpeg" "$T/frames" >/dev/null
(cd "$T/frames" && md5sum *.jpg | awk '{print $1}' | sort -u) >"$T/frames.md5"
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$T/kbd.bin" || exit 1
URL=http://127.0.0.1:$HTTP_PORT

curl -s -m 2 -D "$T/stream.h" -o "$T/stream.body" "$URL/stream"
check stream_content_type grep -qi '^Content-Type: multipart/x-mixed-replace;boundary=' "$T/stream.h"
n=$("$HELPERS/multipart_split" "$T/stream.body" "$T/parts"); rc=$?
check stream_parts_well_formed test "$rc" -eq 0
check stream_about_30fps test "${n:-0}" -ge 20
bad=0
for p in "$T"/parts/*.jpg; do
  in_set "$p" "$T/frames.md5" || bad=$((bad + 1))
done
check stream_parts_byte_identical_to_captured_frames test "$bad" -eq 0
distinct=$(md5sum "$T"/parts/*.jpg | awk '{print $1}' | sort -u | wc -l)
check stream_plays_every_frame test "$distinct" -eq 15

curl -s -m 5 -D "$T/snap.h" -o "$T/snap.jpg" "$URL/snapshot"
check snapshot_content_type grep -qi '^Content-Type: image/jpeg' "$T/snap.h"
check snapshot_is_a_captured_frame in_set "$T/snap.jpg" "$T/frames.md5"
curl -s -m 5 -o "$T/snap2.jpg" "$URL/?action=snapshot"
check mjpg_streamer_snapshot_url in_set "$T/snap2.jpg" "$T/frames.md5"

ffmpeg -loglevel error -i "$URL/stream" -frames:v 10 -f null - </dev/null
check ffmpeg_reads_stream test $? -eq 0
ffmpeg -loglevel error -i "$URL/?action=stream" -frames:v 3 -f null - </dev/null
check ffmpeg_reads_mjpg_streamer_url test $? -eq 0

check page_served bash -c "curl -s -m 5 '$URL/' | grep -qi '<img[^>]*stream'"
check status_json bash -c "curl -s -m 5 '$URL/status' | grep -q '\"resolution\":\"320x240\"'"
check unknown_path_404 test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/nope")" = 404
check traversal_404 test "$(curl -s -m 5 --path-as-is -o /dev/null -w '%{http_code}' "$URL/../../etc/passwd")" = 404
check post_refused test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "$URL/snapshot")" = 405

# A client that never reads does not slow a reading one.
exec 5<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
printf 'GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n' >&5
sleep 1
rm -f "$T"/parts/*
curl -s -m 2 -o "$T/stream2.body" "$URL/stream"
n2=$("$HELPERS/multipart_split" "$T/stream2.body" "$T/parts")
check stalled_client_does_not_slow_others test "${n2:-0}" -ge 20
exec 5>&-
finish

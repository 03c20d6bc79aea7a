#!/usr/bin/env bash
# V4L2 capture against a real kernel driver, the way an HDMI bridge behaves:
# vivid's "HDMI 0" input (--input 3) has DV timings. sshkvm in the guest
# must query and apply them, follow SOURCE_CHANGE when the timings change,
# show NO SIGNAL while the source has none, survive the capture device
# being unplugged (the driver unbound from the device in sysfs, so the
# /dev/video0 node disappears under the open file) and pick it up again
# when it returns, keep typing meanwhile, and stream only while someone
# watches. The guest is changed through evdump's "run" (tests/vm/lib.sh
# guest) with tests/vm/v4l2util, which sets vivid's controls.
. "$(dirname "$0")/lib.sh"
START=$SECONDS

vm_require vm_hdmi qemu-system-x86_64 gcc strings djpeg curl

# Before sshkvm starts: vivid's HDMI input sends 640x480 (its default
# 1280x720p60 costs too much CPU under TCG). vivid's controls act on the
# current input, which it keeps after close.
VM_PRE='v4l2util input /dev/video0 3 &&
v4l2util ctrl /dev/video0 "DV Timings" 640x480p59 &&
v4l2util ctrl /dev/video0 "DV Timings Signal Mode" "Selected DV Timings"'
SSHKVM_ARGS="--input 3"
vm_up vm_hdmi

status_res() { kssh status | sed -n 's/.*"resolution":"\([0-9]*x[0-9]*\)".*/\1/p'; }

# ---- 1. --list-video in the guest: inputs, DV timings, formats ----
guest sshkvm --list-video /dev/video0 >"$T/list.txt"
check vm_list_video_exit_0 test $? -eq 0
check vm_list_video_hdmi_timings grep -qx 'input 3: HDMI 0 (current), DV timings 640x480p' "$T/list.txt"
check vm_list_video_yuyv grep -q "^format YUYV 'YUYV 4:2:2', --format yuyv" "$T/list.txt"
check vm_list_video_sizes grep -q '^    16x16 to ' "$T/list.txt"

# ---- 2. on demand: nothing streams while nobody watches ----
check vm_hdmi_idle_before_anyone_watches wait_capture state idle
check vm_hdmi_no_frames_while_idle test "$(capture_field frames)" = 0
check vm_hdmi_dv_timings_applied_logged grep -q "input 'HDMI 0' DV timings 640x480p" <(console)

# ---- 3. frames at the DV timings' size ----
kssh snapshot >"$T/snap1.jpg"
check vm_hdmi_snapshot_640x480 test "$(jpeg_size "$T/snap1.jpg")" = 640x480
kssh screen --cols 80 --rows 24 >"$T/screen.txt"
check vm_hdmi_screen_from_raw_pixels test "$(wc -l <"$T/screen.txt")" -eq 24

# The browser's /snapshot while idle: the newest frame is over a second
# old, so a fresh one is captured for it.
before=$(capture_field frames)
sleep 1.5
curl -s -m 10 -o "$T/snap-http.jpg" "http://127.0.0.1:$HTTP_PORT/snapshot"
check vm_hdmi_http_snapshot_640x480 test "$(jpeg_size "$T/snap-http.jpg")" = 640x480
check vm_hdmi_http_snapshot_captured_fresh test "$(capture_field frames)" -gt "$before"

# A viewer for the rest of the test: /stream through the guest's relay.
curl -s -m 60 -o "$T/stream.body" "http://127.0.0.1:$HTTP_PORT/stream" &
CURL=$!
check vm_hdmi_streaming_while_watched wait_capture state streaming
check vm_hdmi_format_yuyv test "$(capture_field format)" = yuyv

# ---- 4. the source changes its timings: SOURCE_CHANGE, restart at the new size ----
guest v4l2util ctrl /dev/video0 '"DV Timings"' 800x600p60 >/dev/null
check vm_hdmi_timings_changed_in_guest test "$(guest v4l2util timings /dev/video0)" = 800x600
for _ in $(seq 30); do [ "$(status_res)" = 800x600 ] && break; sleep 0.5; done
check vm_hdmi_follows_source_change_to_800x600 test "$(status_res)" = 800x600
check vm_hdmi_restart_counted test "$(capture_field restarts)" -ge 1
check vm_hdmi_source_change_logged grep -q 'source changed, restarting' <(console)
kssh snapshot >"$T/snap2.jpg"
check vm_hdmi_snapshot_800x600 test "$(jpeg_size "$T/snap2.jpg")" = 800x600

# ---- 5. no signal: NO SIGNAL to the viewer, then frames again ----
guest v4l2util ctrl /dev/video0 '"DV Timings Signal Mode"' '"No Signal"' >/dev/null
check vm_hdmi_no_signal_state wait_capture state no-signal
check vm_hdmi_no_signal_in_status grep -qF '"signal":false' <<<"$(kssh status)"
guest v4l2util ctrl /dev/video0 '"DV Timings Signal Mode"' '"Selected DV Timings"' >/dev/null
check vm_hdmi_signal_back wait_capture state streaming
wait_status vm_hdmi_signal_true_again '"signal":true'

# ---- 6. unplugged: the driver leaves, /dev/video0 vanishes, then returns ----
guest 'echo vivid.0 >/sys/bus/platform/drivers/vivid/unbind'
check vm_hdmi_unbind_ok test $? -eq 0
check vm_hdmi_no_device_state wait_capture state no-device
check vm_hdmi_no_device_no_signal grep -qF '"signal":false' <<<"$(kssh status)"
# Typing goes on while the capture device is gone.
mark; a=$MARK
kssh type 'still here'
printf 'still here' | us_reports 0 | key_groups >"$T/want.type"
wait_events "$a" "$(tr ' ' '\n' <"$T/want.type" | grep -c .)"
mark; b=$MARK
expect_groups vm_hdmi_typing_while_unplugged "$a" "$b" "$T/want.type"
# Back: a new vivid instance starts at its defaults, so pick 640x480 again
# before sshkvm's next retry can take the 1280x720 default.
# (One line: the event port takes one command per line.)
guest 'echo vivid.0 >/sys/bus/platform/drivers/vivid/bind && v4l2util input /dev/video0 3 && v4l2util ctrl /dev/video0 "DV Timings" 640x480p59 >/dev/null && v4l2util ctrl /dev/video0 "DV Timings Signal Mode" "Selected DV Timings" >/dev/null'
check vm_hdmi_rebind_ok test $? -eq 0
check vm_hdmi_resumes_by_itself wait_capture state streaming 40
check vm_hdmi_reconnect_counted test "$(capture_field reconnects)" -ge 1
wait_status vm_hdmi_frames_after_replug '"signal":true'

# ---- 7. the viewer leaves: capture goes idle again ----
kill "$CURL" 2>/dev/null
wait "$CURL" 2>/dev/null
check vm_hdmi_idle_after_viewer_left wait_capture state idle 20
mkdir -p "$T/parts"
nparts=$("$SPLIT" "$T/stream.body" "$T/parts" 2>&1)
check vm_hdmi_stream_well_formed test $? -eq 0
# The viewer saw all of it: 640x480, 800x600, NO SIGNAL pictures and frames again.
sizes=$(for p in "$T"/parts/*.jpg; do jpeg_size "$p"; done | sort | uniq -c | awk '{print $2}' | tr '\n' ' ')
note "stream: $nparts parts, sizes: $sizes"
check vm_hdmi_stream_had_640x480 grep -q 640x480 <<<"$sizes"
check vm_hdmi_stream_had_800x600 grep -q 800x600 <<<"$sizes"
note "status: $(kssh status)"
note "total $((SECONDS - START))s"
[ "$FAILS" -eq 0 ]

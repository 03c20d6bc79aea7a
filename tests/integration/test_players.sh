#!/usr/bin/env bash
# The stream in the players people already use: mpv and VLC decode the
# demo target's screen from /stream and /?action=stream. Each writes what
# it decoded as PNG files; the pictures must be the demo's 720x400 screen
# with its blue title bar.
. "$(dirname "$0")/lib.sh"

start_sshkvm || exit 1
URL=http://127.0.0.1:$HTTP_PORT

# is_demo_screen PNG [HEIGHT]: 720x400 (VLC's snapshots are padded to
# 16-line macroblocks: 416), the title bar (y 8) VGA blue.
is_demo_screen() {
  local size rgb
  size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$1")
  [ "$size" = "720,${2:-400}" ] || return 1
  rgb=$(ffmpeg -loglevel error -i "$1" -vf "crop=1:1:100:8" -f rawvideo -pix_fmt rgb24 - | od -An -tu1)
  read -r r g b <<<"$rgb"
  [ "${b:-0}" -gt 120 ] && [ "${r:-255}" -lt 80 ] && [ "${g:-255}" -lt 80 ]
}

mkdir -p "$T/mpv"
(cd "$T" && timeout 30 mpv --no-config --really-quiet --no-audio --vo=image --vo-image-format=png \
  --vo-image-outdir="$T/mpv" --frames=5 "$URL/stream" </dev/null >"$T/mpv.log" 2>&1)
check mpv_exit_0 test $? -eq 0
check mpv_decoded_5_frames test "$(ls "$T/mpv" | wc -l)" -eq 5
check mpv_sees_demo_screen is_demo_screen "$T/mpv/00000005.png"

# VLC refuses to run as root; run it as nobody when we are root.
as_user=()
[ "$(id -u)" -eq 0 ] && as_user=(runuser -u nobody --)
mkdir -p "$T/vlc"
chmod 0777 "$T/vlc"
chmod o+x "$T"
# A live stream never ends, so VLC runs until the time-out; the scene filter saves every frame.
timeout 8 "${as_user[@]}" cvlc -I dummy --no-audio --vout=dummy --video-filter=scene \
  --scene-path="$T/vlc" --scene-ratio=1 --scene-prefix=f --scene-format=png \
  "$URL/?action=stream" </dev/null >"$T/vlc.log" 2>&1
n=$(ls "$T/vlc" | wc -l)
check vlc_decoded_frames test "$n" -ge 20
last=$(ls "$T/vlc" | sort | tail -1)
check vlc_sees_demo_screen is_demo_screen "$T/vlc/$last" 416
finish

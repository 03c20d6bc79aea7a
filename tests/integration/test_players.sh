#!/usr/bin/env bash
# The stream in the players people already use: mpv and VLC decode the
# demo target's screen from /stream and /?action=stream. Each writes what
# it decoded as PNG files; the pictures must be the demo's 720x400 screen
# with its blue title bar. Firefox (Debian's ESR, headless) shows /stream
# in a page's <img> and the web page itself; its screenshots must too.
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

# pixel PNG X Y: "R G B" of one pixel.
pixel() {
  ffmpeg -loglevel error -i "$1" -vf "crop=1:1:$2:$3" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 |
    tr -s ' ' | sed 's/^ //'
}
is_blue() { read -r r g b <<<"$(pixel "$@")"; [ "${b:-0}" -gt 120 ] && [ "${r:-255}" -lt 80 ] && [ "${g:-255}" -lt 80 ]; }
is_grey() {
  read -r r g b <<<"$(pixel "$@")"
  [ "${r:-0}" -gt 140 ] && [ "$r" -lt 200 ] && [ $((r - g)) -le 8 ] && [ $((g - r)) -le 8 ] &&
    [ $((b - g)) -le 8 ] && [ $((g - b)) -le 8 ]
}
is_white() { [ "$(pixel "$@")" = "255 255 255" ]; }

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
# Firefox: a screenshot is taken once the page has loaded, which for a
# multipart stream is once its first part is shown.
FF=$T/ff
mkdir -p "$FF/profile"
printf '<html><body style="margin:0;background:#fff"><img src="%s/stream"></body></html>\n' "$URL" >"$FF/img.html"
firefox_shot() { # OUT URL
  HOME=$FF timeout 60 firefox-esr --headless --no-remote --profile "$FF/profile" --window-size 800,500 \
    --screenshot "$1" "$2" </dev/null >>"$FF/log" 2>&1
}
firefox_shot "$FF/img.png" "file://$FF/img.html"
check firefox_img_exit_0 test $? -eq 0
# The stream at the page's top left, its natural 720x400, white page beyond.
check firefox_img_shows_demo_screen is_blue "$FF/img.png" 100 8
check firefox_img_natural_size is_white "$FF/img.png" 760 450
firefox_shot "$FF/page.png" "$URL/"
check firefox_page_exit_0 test $? -eq 0
# The page scales the stream to the window under its toolbar: the title bar, then the grey body.
check firefox_page_shows_title_bar is_blue "$FF/page.png" 100 40
check firefox_page_shows_grey_body is_grey "$FF/page.png" 300 330
finish

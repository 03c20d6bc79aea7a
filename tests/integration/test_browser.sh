#!/usr/bin/env bash
# The page plays the MJPEG stream in a real browser (headless Chromium):
# pixels of the screenshot where the demo's blue title bar and grey body
# are drawn must have those colours; a blank or broken page fails.
. "$(dirname "$0")/lib.sh"

start_sshkvm || exit 1
shot=$T/page.png
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$T/chromium" --window-size=1000,650 --screenshot="$shot" \
  "http://127.0.0.1:$HTTP_PORT/" >"$T/chromium.log" 2>&1
check chromium_screenshot test -s "$shot"

# pixel X Y: "R G B" of the screenshot at (X, Y).
pixel() {
  ffmpeg -loglevel error -i "$shot" -vf "crop=1:1:$1:$2" -f rawvideo -pix_fmt rgb24 - | od -An -tu1 |
    tr -s ' ' ' ' | sed 's/^ //'
}
# The page letterboxes the 720x400 stream between its tool row and status
# bar: at 1000x650 the title bar (VGA blue) runs across y ~ 55 and the body
# (VGA grey) fills the middle.
read -r r g b <<<"$(pixel 100 57)"
check title_bar_is_blue test "${b:-0}" -gt 120 -a "${r:-255}" -lt 80 -a "${g:-255}" -lt 80
read -r r g b <<<"$(pixel 300 434)"
check body_is_grey test "${r:-0}" -gt 140 -a "${g:-0}" -gt 140 -a "${b:-0}" -gt 140
check http_client_counted grep -q '"http":' <<<"$(kssh status)"
finish

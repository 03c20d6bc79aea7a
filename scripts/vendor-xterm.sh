#!/usr/bin/env bash
# Refreshes the web page's terminal emulator, xterm.js and its fit addon,
# from the npm registry: the packages are fetched into build/xterm (npm
# pack, nothing installed globally) and their built files copied to
# web/vendor/ with their LICENSE files. Usage: scripts/vendor-xterm.sh
# [XTERM_VERSION [FIT_VERSION]]; commit web/vendor/ afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
XTERM_VERSION=${1:-6.0.0}
FIT_VERSION=${2:-0.11.0}
work=build/xterm
rm -rf "$work"
mkdir -p "$work" web/vendor
(cd "$work" && npm pack --silent "@xterm/xterm@$XTERM_VERSION" "@xterm/addon-fit@$FIT_VERSION" >/dev/null)
tar -xzf "$work/xterm-xterm-$XTERM_VERSION.tgz" -C "$work" --transform 's,^package,xterm,'
tar -xzf "$work/xterm-addon-fit-$FIT_VERSION.tgz" -C "$work" --transform 's,^package,fit,'
cp "$work/xterm/lib/xterm.js" web/vendor/xterm.js
cp "$work/xterm/css/xterm.css" web/vendor/xterm.css
cp "$work/xterm/LICENSE" web/vendor/LICENSE.xterm
cp "$work/fit/lib/addon-fit.js" web/vendor/addon-fit.js
cp "$work/fit/LICENSE" web/vendor/LICENSE.addon-fit
# src/http/pages.c serves page files up to 1 MiB (SK_PAGES_MAX_FILE).
for f in web/vendor/*.js web/vendor/*.css; do
  [ "$(stat -c %s "$f")" -le 1048576 ] || { echo "$f is over 1 MiB: raise SK_PAGES_MAX_FILE" >&2; exit 1; }
done
printf '@xterm/xterm %s\n@xterm/addon-fit %s\n' "$XTERM_VERSION" "$FIT_VERSION" >web/vendor/VERSIONS
echo "web/vendor: @xterm/xterm $XTERM_VERSION, @xterm/addon-fit $FIT_VERSION"

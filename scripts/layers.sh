#!/usr/bin/env bash
# make layers: check that src/ keeps its layers.
#
# Each folder of src/ is a layer with a rank; a file may include headers from
# its own folder and from folders of a lower rank, never from its own rank or
# above. Production code never includes the demo target (demo/), which is a
# device like any other: only main.c, which wires it in, may. Every include is
# written from src/ ("video/hub.h"), so that it names its layer.
#
#   scripts/layers.sh [SRCDIR]    default src; prints each violation as
#                                 file:line: what is wrong, and exits 1 if any
set -u
src=${1:-src}

# The layers, lowest first. Keep in step with README.md's source map.
declare -A rank=(
  [base]=0                       # allocation, buffers, clocks, the logger
  [video]=1                      # frames, the hub, images, JPEG, pictures
  [capture]=2 [text]=2 [hid]=2   # devices: video sources, the text recogniser, keyboard and mouse
  [serial]=2                     # devices: serial ports
  [media]=2                      # devices: the boot-media store and the USB mass-storage function
  [power]=2                      # devices: ATX power buttons (GPIO) and Wake-on-LAN
  [term]=3 [demo]=3              # terminal rendering and keys; the demo target
  [policy]=4                     # who may connect, type, and what is audited
  [cmd]=5                        # the commands scripts run, and what they share (app)
  [console]=6                    # the interactive console, behind an I/O interface
  [mcp]=6                        # the Model Context Protocol server, behind the same I/O as cmd
  [ssh]=7 [http]=7               # the doors
  [.]=8                          # main.c, config.c: the program
)

bad=0
complain() { echo "$1"; bad=1; }

while IFS= read -r -d '' file; do
  rel=${file#"$src"/}
  dir=$(dirname "$rel")
  if [ -z "${rank[$dir]+x}" ]; then
    complain "$file: folder '$dir' has no layer: add it to scripts/layers.sh and README.md's source map"
    continue
  fi
  me=${rank[$dir]}
  while IFS=: read -r line inc; do
    inc=${inc#*\"}
    inc=${inc%%\"*}
    if [ ! -f "$src/$inc" ]; then
      complain "$file:$line: \"$inc\" is not a path from src/ (write includes as \"folder/name.h\")"
      continue
    fi
    idir=$(dirname "$inc")
    [ "$idir" = "$dir" ] && continue
    them=${rank[$idir]:-}
    if [ -z "$them" ]; then
      complain "$file:$line: \"$inc\" is in folder '$idir', which has no layer"
    elif [ "$idir" = demo ] && [ "$rel" != main.c ]; then
      complain "$file:$line: production code includes the demo target (\"$inc\"); only main.c may"
    elif [ "$them" -ge "$me" ]; then
      complain "$file:$line: \"$inc\" is in $idir (layer $them), not below $dir (layer $me)"
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file")
done < <(find "$src" -name '*.[ch]' -print0 | sort -z)

[ "$bad" -eq 0 ] && echo "layers: ok ($(find "$src" -name '*.[ch]' | wc -l) files)"
exit "$bad"

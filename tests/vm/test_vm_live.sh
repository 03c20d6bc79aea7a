#!/usr/bin/env bash
# `wait` and `screen --text` on live targets, through the whole KVM path: a
# QEMU guest on the host (OVMF's UEFI shell and front page, then Linux's
# framebuffer console) is the target; tests/vm/livescreen.py screendumps it
# as a dongle would and sends the JPEGs into the VM, where `v4l2util relay`
# writes them into v4l2loopback, sshkvm's /dev/video10. What sshkvm types
# goes out through its real HID gadget, is read by the VM's USB host side
# (evdump on the event port) and typed on the guest by livescreen.py. The
# truth of each screen is the guest's own serial console.
# Nothing here is told to sshkvm about the screens: no font, no geometry.
. "$(dirname "$0")/lib.sh"
START=$SECONDS

vm_require vm_live qemu-system-x86_64 gcc strings curl make cjpeg python3
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { fail vm_live_tool_ovmf "no /usr/share/OVMF (make deps-test)"; exit 1; }

kdir=$(bash "$VM_DIR/kernel.sh" "${VM_MODULES[@]}") || { fail vm_live_kernel "kernel.sh"; exit 1; }
KO=$(bash "$VM_DIR/loopback.sh" "$kdir") || { fail vm_live_module_built "tests/vm/loopback.sh"; exit 1; }

LIVE_PORT=$(free_port)
LIVE_PID=
live_start() {
  python3 "$VM_DIR/livescreen.py" "$LIVE_PORT" "$T/events.log" "$T/live" "$@" >>"$T/live.log" 2>&1 &
  LIVE_PID=$!
}
live_stop() {
  [ -n "$LIVE_PID" ] || return 0
  kill -TERM "$LIVE_PID" 2>/dev/null
  wait "$LIVE_PID" 2>/dev/null
  LIVE_PID=
}
trap 'live_stop; [ "$FAILS" -gt 0 ] && tail -5 "$T/live.log"; cleanup' EXIT
# The guest's serial console, its escape sequences dropped: what the target wrote.
truth() { sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$T/live/$1.serial" 2>/dev/null | tr -d '\r'; }
# waits NAME RC SECONDS TEXT...: `wait` exits with RC, and when it is 0, TEXT took how long.
waits() {
  local name=$1 want=$2 secs=$3 t0=$SECONDS rc
  shift 3
  kssh wait --timeout "$secs" "$@"
  rc=$?
  if [ "$rc" = "$want" ]; then pass "$name"; else fail "$name" "exit $rc, not $want"; fi
  [ "$want" != 0 ] || note "$name: $* seen after $((SECONDS - t0)) s"
}

VM_FILES=("$KO")
# sshkvm starts once the first frame is in: v4l2loopback has no capture format before.
VM_PRE="insmod /data/v4l2loopback.ko video_nr=10 card_label=sshkvm-live &&
(v4l2util relay /dev/video10 800x600 10.0.2.2 $LIVE_PORT >/tmp/relay.log 2>&1 &) &&
for i in \$(seq 300); do grep -q 'first frame' /tmp/relay.log && break; sleep 0.2; done; cat /tmp/relay.log"
SSHKVM_ARGS="--video /dev/video10"
# Two targets boot under TCG while the VM runs: more than lib.sh's 240 s, and more than the
# waits' budgets together (663 s) with the VM's boot.
VM_TIMEOUT=900

# ---- 1. OVMF: the UEFI shell, then the front page through the keyboard ----
# The target is on before the VM boots: the dongle has a picture when sshkvm starts.
mkdir -p "$T/live"
live_start ovmf
vm_up vm_live
waits vm_live_ovmf_shell 0 180 'Shell>'
kssh screen --text >"$T/shell.txt"
banner=$(truth ovmf | grep -o 'UEFI Interactive Shell v[0-9.]*' | head -1)
check vm_live_ovmf_banner_in_truth test -n "$banner"
check vm_live_ovmf_banner_read grep -qF "$banner" "$T/shell.txt"
# Honest exit codes: what is not on the screen times out with 1.
waits vm_live_ovmf_not_yet 1 3 'Boot Manager'
kssh type exit && kssh key enter
waits vm_live_ovmf_boot_manager 0 120 'Boot Manager'
check vm_live_ovmf_front_page_in_truth grep -q 'Boot Maintenance Manager' <(truth ovmf)
kssh screen --text >"$T/front.txt"
for item in 'Device Manager' 'Boot Maintenance Manager'; do
  check "vm_live_ovmf_read_${item// /_}" grep -qF "$item" "$T/front.txt"
done
# palette FILE: the JSON's palette; UEFI firmware draws in its own 16 colours, not the VGA's.
palette() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["palette"])' "$1"; }
kssh screen --text --json >"$T/front.json"
check vm_live_ovmf_palette_efi16 test "$(palette "$T/front.json")" = efi16
live_stop

# ---- 2. Linux's framebuffer console: login:, then a command typed and its answer read ----
live_start linux "$kdir/vmlinuz"
waits vm_live_fbcon_login 0 240 'login:'
kssh screen --text >"$T/login.txt"
# (The host is "target": the kernel's own 8x16 font draws 'v' as our fonts draw 'w', and
# it reads so; issue 18's note.)
check vm_live_fbcon_login_read grep -q 'target login:' "$T/login.txt"
kssh screen --text --json >"$T/login.json"
check vm_live_fbcon_palette_vga16 test "$(palette "$T/login.json")" = vga16
printf 'root\n' | kssh paste
# login flushes what was typed ahead of it: the command waits for the shell's banner.
waits vm_live_fbcon_shell 0 60 'BusyBox'
printf 'echo answer-$((6*7))\n' | kssh paste
# The typed line shows $((6*7)); only the shell's answer reads answer-42.
waits vm_live_fbcon_answer 0 60 'answer-42'
live_stop

note "total $((SECONDS - START))s"
[ "$FAILS" -eq 0 ]

# Shared by the VM tests: boot Debian's kernel under QEMU (TCG) with a
# busybox initramfs that holds the real build/sshkvm and its libraries, the
# gadget (dummy_hcd + f_hid) and vivid; talk to it from the host with the
# real OpenSSH client and curl through QEMU's hostfwd, and read what the
# guest's USB host side saw on the second serial port (tests/vm/evdump.c).
# Prints "PASS name" / "FAIL name" lines that tests/run.sh counts; QEMU is
# always stopped on exit.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/sshkvm
VM_DIR=$ROOT/tests/vm
CACHE=$ROOT/build/vm
T=$(mktemp -d /tmp/sshkvm-vm.XXXXXX)
QEMU_PID=
EVCAT_PID=
FAILS=0
. "$VM_DIR/modules.sh"

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; FAILS=$((FAILS + 1)); }
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
note() { echo "INFO $*"; }
# wait_until SECONDS CMD...: retry CMD (a function or command, never "$(...)") every half second.
wait_until() { local n=$(($1 * 2)); shift; until "$@"; do n=$((n - 1)) && [ "$n" -gt 0 ] || return 1; sleep 0.5; done; }

# The serial logs, CR stripped; the tails of both when something failed.
console() { tr -d '\r' 2>/dev/null <"$T/console.log"; }
dump_logs() {
  echo "---- last 40 lines of the guest console (ttyS0) ----"
  console | tail -40
  echo "---- last 40 lines of the event port (ttyS1) ----"
  tail -40 "$T/events.log" 2>/dev/null
}

vm_stop() {
  if [ -n "$QEMU_PID" ]; then
    # Ask evdump to quit (init then stops sshkvm and powers off), then insist.
    if kill -0 "$QEMU_PID" 2>/dev/null; then
      echo quit >"$T/s1.in" 2>/dev/null
      for _ in $(seq 30); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
      kill -TERM "$QEMU_PID" 2>/dev/null
      for _ in $(seq 20); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$QEMU_PID" 2>/dev/null
    fi
    wait "$QEMU_PID" 2>/dev/null
    QEMU_PID=
  fi
  if [ -n "$EVCAT_PID" ]; then
    kill "$EVCAT_PID" 2>/dev/null
    wait "$EVCAT_PID" 2>/dev/null
    EVCAT_PID=
  fi
}

cleanup() {
  vm_stop
  [ "$FAILS" -gt 0 ] && dump_logs
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$(dirname "${BASH_SOURCE[0]}")/../ports.sh"

# A client key pair; its public half goes into the initramfs.
ssh-keygen -q -t ed25519 -N '' -C sshkvm-vm-test -f "$T/id" >/dev/null

# vm_prepare: kernel and modules (cached), evdump (cached), the initramfs.
vm_prepare() {
  local kdir root lib
  kdir=$(bash "$VM_DIR/kernel.sh" "${VM_MODULES[@]}") || return 1
  KDIR=$kdir
  if [ ! -x "$CACHE/evdump" ] || [ "$VM_DIR/evdump.c" -nt "$CACHE/evdump" ]; then
    gcc -static -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$CACHE/evdump" "$VM_DIR/evdump.c" || return 1
  fi
  if [ ! -x "$CACHE/v4l2util" ] || [ "$VM_DIR/v4l2util.c" -nt "$CACHE/v4l2util" ]; then
    gcc -static -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$CACHE/v4l2util" "$VM_DIR/v4l2util.c" || return 1
  fi
  if ! ldd /bin/busybox 2>&1 | grep -q 'not a dynamic'; then
    echo "vm: /bin/busybox is not static (apt-get install busybox-static)" >&2
    return 1
  fi
  root=$T/root
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/share/sshkvm,etc,proc,sys,dev,tmp,root,modules}
  cp /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
  done
  cp "$VM_DIR/init.sh" "$root/init"
  chmod 755 "$root/init"
  cp "$CACHE/evdump" "$root/usr/bin/evdump"
  cp "$CACHE/v4l2util" "$root/usr/bin/v4l2util"
  # A test's own files (/data) and a script /init runs before sshkvm starts.
  mkdir -p "$root/data"
  for f in ${VM_FILES[@]+"${VM_FILES[@]}"}; do cp "$f" "$root/data/"; done
  if [ -n "${VM_PRE:-}" ]; then printf '%s\n' "$VM_PRE" >"$root/pre.sh"; fi
  # Settings for sshkvm-gadget up, sourced by /init (e.g. export SSHKVM_GADGET_SERIAL=1).
  if [ -n "${VM_GADGET_ENV:-}" ]; then printf '%s\n' "$VM_GADGET_ENV" >"$root/gadget.env"; fi
  cp "$BIN" "$root/usr/bin/sshkvm"
  # sshkvm is dynamically linked: the libraries ldd resolves, and the loader.
  for lib in $(ldd "$BIN" | awk '/=> \//{print $3} /^\t\//{print $1}'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp -r "$ROOT/keymaps" "$ROOT/web" "$root/usr/share/sshkvm/"
  cp "$ROOT/scripts/sshkvm-gadget" "$root/usr/bin/sshkvm-gadget"
  chmod +x "$root/usr/bin/sshkvm-gadget"
  while IFS= read -r m; do
    mkdir -p "$root/modules/$(dirname "$m")"
    cp "$kdir/modules/$m" "$root/modules/$m"
  done <"$kdir/modules.load"
  cp "$kdir/modules.load" "$root/modules.load"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  cp "$T/id.pub" "$root/authorized_keys"
  echo "${SSHKVM_ARGS:-}" >"$root/sshkvm.args"
  (cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$T/initrd" || return 1
}

# vm_require PREFIX TOOL...: the built binary, the host tools and the
# stream splitter (SPLIT), or a FAIL line and exit.
vm_require() {
  local prefix=$1 tool
  shift
  if [ ! -x "$BIN" ]; then
    fail "${prefix}_sshkvm_built" "no $BIN (make all)"
    exit 1
  fi
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { fail "${prefix}_tool_$tool" "not installed (make deps-test)"; exit 1; }
  done
  SPLIT=$ROOT/build/tests/multipart_split
  if [ ! -x "$SPLIT" ]; then make -s -C "$ROOT" build/tests/multipart_split >/dev/null; fi
}

# vm_up PREFIX: prepare, boot and reach sshkvm over ssh, or a FAIL line and exit.
vm_up() {
  local p=$1
  if ! vm_prepare; then fail "${p}_prepare" "kernel, modules or initramfs"; exit 1; fi
  if ! vm_start; then fail "${p}_boot" "no 'VM READY' on the console ($(boot_why))"; exit 1; fi
  pass "${p}_boot"
  note "booted to READY in ${VM_BOOT_S}s"
  if ! wait_ssh; then fail "${p}_ssh_answers" "no answer through hostfwd"; exit 1; fi
  pass "${p}_ssh_answers"
}

# boot_why: why vm_start gave up, in one line for the FAIL message (a CI
# summary may show nothing else): the guest's "VM ERROR" line and the line
# before it (sshkvm's last words, when it exited) and evdump's error from the
# event port, a kernel panic or oops, QEMU's last words when it ended, or the
# last step the guest reached.
boot_why() {
  local why
  why=$(console | grep -m1 -B1 '^VM ERROR'; tr -d '\r' 2>/dev/null <"$T/events.log" | grep -m1 '^EVDUMP ERROR')
  [ -n "$why" ] || why=$(console | grep -m1 -E 'Kernel panic|BUG:|Oops|general protection')
  if [ -z "$why" ] && ! kill -0 "$QEMU_PID" 2>/dev/null; then
    why="QEMU ended: $(tail -2 "$T/qemu.out" 2>/dev/null)"
  elif [ -z "$why" ]; then
    why=$(console | grep '^VM ' | tail -1)
    why="timed out after ${VM_BOOT_TIMEOUT:-90} s; the guest's last step: ${why:-none}"
  fi
  printf '%s\n' "$why" | paste -sd '/' | tr -c '[:print:]\n' ' ' | cut -c1-300
}

# vm_start: boot; sets SSH_PORT, HTTP_PORT, QEMU_PID. Returns 0 at "VM READY".
# A forwarded port taken between free_port and QEMU's bind (other tests run
# on this machine too) is retried with new ports, up to 3 times.
vm_start() {
  local attempt
  for attempt in 1 2 3; do
    vm_start_once && return 0
    grep -q 'Could not set up host forwarding' "$T/qemu.out" 2>/dev/null || return 1
    note "forwarded port taken (attempt $attempt), trying other ports"
    vm_stop
  done
  return 1
}

vm_start_once() {
  local boot_timeout=${VM_BOOT_TIMEOUT:-90}
  SSH_PORT=$(free_port)
  HTTP_PORT=$(free_port)
  rm -f "$T/s1.in" "$T/s1.out" "$T/console.log" "$T/events.log"
  mkfifo "$T/s1.in" "$T/s1.out"
  # The event port: QEMU opens both FIFOs read-write; this reader keeps the
  # guest's writes flowing and saves them.
  cat "$T/s1.out" >"$T/events.log" &
  EVCAT_PID=$!
  # TCG: KVM here is a PVM nested hypervisor that cannot run a stock kernel.
  # -no-reboot + panic=-1 make a guest panic end QEMU; timeout bounds the rest.
  # romfile= skips the e1000's iPXE ROM (a second of TCG for nothing).
  timeout "${VM_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg -m 512 -nodefaults -no-user-config \
    -display none -monitor none -no-reboot \
    -kernel "$KDIR/vmlinuz" -initrd "$T/initrd" -append "console=ttyS0 panic=-1 loglevel=4" \
    -serial "file:$T/console.log" -chardev "pipe,id=ev,path=$T/s1" -serial chardev:ev \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$SSH_PORT-:2222,hostfwd=tcp:127.0.0.1:$HTTP_PORT-:8081" \
    -device e1000,netdev=n0,romfile= \
    >"$T/qemu.out" 2>&1 &
  QEMU_PID=$!
  local start=$SECONDS
  while [ $((SECONDS - start)) -lt "$boot_timeout" ]; do
    if console | grep -q '^VM READY'; then
      VM_BOOT_S=$((SECONDS - start))
      return 0
    fi
    if console | grep -q '^VM ERROR'; then break; fi
    if ! kill -0 "$QEMU_PID" 2>/dev/null; then cat "$T/qemu.out"; break; fi
    sleep 0.2
  done
  return 1
}

SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
  -o LogLevel=ERROR -o ConnectTimeout=20 -o IdentitiesOnly=yes -o IdentityAgent=none)
kssh() { ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }

# wait_ssh: the server answers `status` through hostfwd (bounded retries).
wait_ssh() {
  for _ in $(seq 20); do
    if kssh status >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  return 1
}

# ---- the event port ----
MARKS=0
# mark: a new mark in the event log, its number in MARK once evdump echoed
# it. (Not "a=$(mark)": a subshell would lose the count.)
mark() {
  MARKS=$((MARKS + 1))
  MARK=$MARKS
  echo "mark $MARKS" >"$T/s1.in"
  for _ in $(seq 100); do
    if tr -d '\r' <"$T/events.log" | grep -qx "MARK $MARKS"; then return 0; fi
    sleep 0.1
  done
  return 1
}
# between A B: the event lines between MARK A and MARK B.
between() {
  tr -d '\r' <"$T/events.log" | awk -v a="MARK $1" -v b="MARK $2" '$0 == a {on = 1; next} $0 == b {on = 0} on'
}
# since A: the event lines after MARK A.
since() { tr -d '\r' <"$T/events.log" | awk -v a="MARK $1" '$0 == a {on = 1; next} on'; }
# wait_events A N: until at least N lines of EV KEY/ABS/REL (not repeats) follow MARK A.
wait_events() {
  for _ in $(seq "${3:-300}"); do
    [ "$(since "$1" | grep -c '^EV [A-Z]* [0-9]* [-01-9]')" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# guest CMD...: run CMD with sh in the guest (through evdump's "run"),
# print its output, return its exit status (1 after 60 s without an end, or
# at once when QEMU is gone, so that a retried check does not wait 60 s a try).
# The id is the clock, not a counter: out=$(guest ...) runs in a subshell.
guest() {
  local id=r$(date +%s%N) rc
  echo "run $id $*" >"$T/s1.in"
  for _ in $(seq 600); do
    rc=$(tr -d '\r' <"$T/events.log" | sed -n "s/^RAN $id //p")
    if [ -n "$rc" ]; then
      tr -d '\r' <"$T/events.log" | sed -n "s/^OUT $id //p"
      return "$rc"
    fi
    kill -0 "$QEMU_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# block_dev PREFIX: the guest's block device whose name starts with PREFIX (sd,
# sr), if any; "?" when the guest did not answer, so that is never "none".
block_dev() {
  local l
  l=$(guest "ls /sys/block; echo END") && grep -qx END <<<"$l" || { echo "?"; return; }
  grep -m1 "^$1" <<<"$l"
}
has_dev() { local d; d=$(block_dev "$1"); [ -n "$d" ] && [ "$d" != "?" ]; }
no_dev() { [ -z "$(block_dev "$1")" ]; }
# sshkvm_gone: no sshkvm runs in the guest (and the guest answered).
sshkvm_gone() { [ "$(guest 'pidof sshkvm || echo gone')" = gone ]; }

# wait_status NAME STRING: PASS when `status` shows STRING within 10 s.
wait_status() {
  for _ in $(seq 20); do
    if kssh status | grep -qF "$2"; then pass "$1"; return; fi
    sleep 0.5
  done
  fail "$1" "$(kssh status)"
}

# jpeg_size FILE: "WxH" of a JPEG, as djpeg decodes it.
jpeg_size() { djpeg -pnm "$1" 2>/dev/null | head -c 20 | tr '\n' ' ' | awk '{print $2 "x" $3}'; }

# capture_field NAME: a number or string field of `status`'s capture object.
capture_field() {
  kssh status | sed -n "s/.*\"capture\":{[^}]*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}
# wait_capture FIELD VALUE [TRIES]: until status's capture.FIELD is VALUE (0.5 s apart).
wait_capture() {
  for _ in $(seq "${3:-30}"); do
    [ "$(capture_field "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  return 1
}

# groups: event lines on stdin -> one line per input report (SYN), the
# changes in it sorted: "35+ 42+", "A0=16384 A1=16384", "272-", "R8=-2".
# Key repeats (value 2) come from the input core, not the device: dropped;
# so is the wheel's high-resolution twin (REL 11), which the kernel derives.
groups() {
  awk '
    $1 == "EV" && $2 == "KEY" && $4 != 2 { g[n++] = $3 ($4 == 1 ? "+" : "-") }
    $1 == "EV" && $2 == "ABS" { g[n++] = "A" $3 "=" $4 }
    $1 == "EV" && $2 == "REL" && $3 != 11 { g[n++] = "R" $3 "=" $4 }
    $1 == "DROPPED" { print "DROPPED (evdev threw events away)" }
    $1 == "SYN" && n > 0 {
      for (i = 1; i < n; i++) { v = g[i]; for (j = i - 1; j >= 0 && g[j] > v; j--) g[j + 1] = g[j]; g[j + 1] = v }
      s = g[0]; for (i = 1; i < n; i++) s = s " " g[i]; print s; n = 0
    }'
}

# expect_groups NAME A B EXPECTED-GROUPS-FILE: the events between marks A and B.
expect_groups() {
  local got
  got=$(between "$2" "$3" | groups)
  if [ "$got" = "$(cat "$4")" ]; then
    pass "$1"
  else
    fail "$1" "first difference (got < > want):"
    diff <(printf "%s\n" "$got") "$4" >"$T/diff.$1"; head -6 "$T/diff.$1" | sed 's/^/  /'
  fi
}

# ---- the expected side, from keyboard reports ----
# us_reports [NL]: text on stdin -> "MODS USAGE" (hex) per character, a US
# keyboard as the target's layout (the oracle is this table, not sshkvm's
# keymap files): one press report per character, each followed by release;
# each line ends with Enter unless NL is 0 (text typed on one line).
us_reports() {
  LC_ALL=C awk 'BEGIN {
      lower = "abcdefghijklmnopqrstuvwxyz"; digits = "1234567890"
      plain = "-=[]\\;'"'"'`,./"; shifted = "_+{}|:\"~<>?"; pu = "2d 2e 2f 30 31 33 34 35 36 37 38"
      split(pu, pus, " "); bang = "!@#$%^&*()"
      for (i = 1; i <= 26; i++) { c = substr(lower, i, 1); m[c] = "00 " sprintf("%02x", 3 + i); m[toupper(c)] = "02 " sprintf("%02x", 3 + i) }
      for (i = 1; i <= 10; i++) { m[substr(digits, i, 1)] = "00 " sprintf("%02x", 29 + i); m[substr(bang, i, 1)] = "02 " sprintf("%02x", 29 + i) }
      for (i = 1; i <= 11; i++) { m[substr(plain, i, 1)] = "00 " pus[i]; m[substr(shifted, i, 1)] = "02 " pus[i] }
      m[" "] = "00 2c"
    }
    {
      for (i = 1; i <= length($0); i++) { c = substr($0, i, 1); if (!(c in m)) { print "no US key for [" c "]" > "/dev/stderr"; exit 1 } print m[c]; print "00 00" }
      if (nl) { print "00 28"; print "00 00" }
    }' nl="${1:-1}"
}
# key_groups: "MODS USAGE" reports on stdin -> the groups the kernel's
# hid-input makes of them (usbhid's boot keyboard: modifier bits are
# keycodes 29 42 56 125 97 54 100 126; usages through its hid_keyboard table).
key_groups() {
  awk 'function hex(s,  i, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
    BEGIN {
      t = "0 0 0 0 30 48 46 32 18 33 34 35 23 36 37 38 50 49 24 25 16 19 31 20 22 47 17 45 21 44 2 3 " \
          "4 5 6 7 8 9 10 11 28 1 14 15 57 12 13 26 27 43 43 39 40 41 51 52 53 58 59 60 61 62 63 64 " \
          "65 66 67 68 87 88 99 70 119 110 102 104 111 107 109 106 105 108 103"
      n = split(t, kc, " "); for (i = 1; i <= n; i++) code[i - 1] = kc[i]
      split("29 42 56 125 97 54 100 126", mod, " ")
    }
    {
      mods = hex($1); delete now
      for (b = 0; b < 8; b++) if (int(mods / 2 ^ b) % 2) now[mod[b + 1]] = 1
      for (f = 2; f <= NF; f++) { u = hex($f); if (u) now[code[u]] = 1 }
      k = 0
      for (c in prev) if (!(c in now)) g[k++] = c "-"
      for (c in now) if (!(c in prev)) g[k++] = c "+"
      if (k > 0) {
        for (i = 1; i < k; i++) { v = g[i]; for (j = i - 1; j >= 0 && g[j] > v; j--) g[j + 1] = g[j]; g[j + 1] = v }
        s = g[0]; for (i = 1; i < k; i++) s = s " " g[i]; print s
      }
      delete prev; for (c in now) prev[c] = 1
    }'
}

#!/usr/bin/env bash
# The shipped unit's sandbox (dist/sshkvm.service) against what sshkvm really
# does. No systemd runs on this machine (nor in the VM guest, which boots
# busybox), so the unit cannot be started for real; instead sshkvm runs under
# strace with the shipped config's devices and every door a user opens
# (power on GPIO, Wake-on-LAN, a serial port, media put/insert/eject,
# snapshot), and each file, device, syscall, socket family and memory
# mapping it used is checked against the unit's settings:
#   devices   every /dev node it opens stays reachable: no PrivateDevices=, and
#             a DevicePolicy=closed/strict or DeviceAllow= list must name it;
#   writes    every path it writes is writable under ProtectSystem=strict and
#             ProtectKernelTunables= (ReadWritePaths=, StateDirectory=, /tmp);
#   reads     nothing it reads is hidden (ProtectHome=, InaccessiblePaths=,
#             ProtectKernelLogs=);
#   syscalls  every syscall is in SystemCallFilter= (expanded by
#             systemd-analyze syscall-filter);
#   families  every socket family is in RestrictAddressFamilies=;
#   wx        no writable and executable memory (MemoryDenyWriteExecute=).
# Paths the test points elsewhere (media dir, gadget, host keys, keys) are
# mapped back to the defaults and the shipped config's, read from sshkvm
# --help and dist/sshkvm.conf. Each check is also run on a copy of the unit
# broken in its own way and must then fail, so none passes by accident (wx:
# on the trace of a program that maps memory writable and executable).
# Not verified here: the unit's user, groups and file modes (the test runs
# as root), capabilities, and devices that exist only on a Pi (the opens are
# seen, ENOENT; what the kernel does with them is the VM tests' part).
# Under make test-valgrind the server runs under strace here, not valgrind: nothing to add.
if [ -n "${SSHKVM_WRAP:-}" ]; then
  echo "test_unit_sandbox: runs sshkvm under strace, not under $SSHKVM_WRAP: nothing to run"
  exit 0
fi
# LeakSanitizer refuses to run under ptrace (make test-asan); ASan's other checks still run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
UNIT=$ROOT/dist/sshkvm.service
CONF=$ROOT/dist/sshkvm.conf
for tool in strace systemd-analyze; do
  command -v "$tool" >/dev/null || { fail "unit_sandbox_tool_$tool" "not installed (make deps-test)"; exit 1; }
done

# ---- what sshkvm does ----
conf() { sed -n "s/^$1 *= *//p" "$CONF"; }
help_default() { "$BIN" --help 2>&1 | tr -s ' \n' ' ' | sed -n "s/.*--$1 DIR [^/]*default \(\/[^ ;]*\).*/\1/p"; }
MEDIA_DEFAULT=$(help_default media-dir)
GADGET_DEFAULT=$(help_default media-gadget)
check unit_sandbox_defaults_from_help test -n "$MEDIA_DEFAULT" -a -n "$GADGET_DEFAULT"
# A simulated gadget (a plain directory, as massstorage does without configfs), bound.
G=$T/gadget
mkdir -p "$G/configs/c.1" "$G/functions" "$T/media" && echo dummy_udc.0 >"$G/UDC"
WOL_PORT=$(free_port)
# sshkvm will not start without its keyboard's node: it runs in mount and pid
# namespaces of its own (all of it killed with unshare) whose /dev is a tmpfs
# with the usual nodes and /dev/hidg0, /dev/hidg1 as null devices.
cat >"$T/ns.sh" <<'NS'
mount --make-rprivate / && mount -t tmpfs -o mode=755 none /dev || exit 1
for n in null:3 zero:5 full:7 random:8 urandom:9; do mknod -m 666 "/dev/${n%:*}" c 1 "${n#*:}"; done
mknod -m 666 /dev/tty c 5 0
mknod -m 660 /dev/hidg0 c 1 3 && mknod -m 660 /dev/hidg1 c 1 3 || exit 1
exec "$@"
NS
# shellcheck disable=SC2034 # lib.sh's start_sshkvm runs the server under WRAP
WRAP=(unshare -m -p -f --kill-child=SIGKILL --mount-proc sh "$T/ns.sh" strace -f -qq -o "$T/strace" -s 256)
# From the tree's top, as the other tests (a build without keymaps beside it finds ./keymaps).
cd "$ROOT" || exit 1
start_sshkvm --config "$CONF" --media-dir "$T/media" --media-gadget "$G" \
  --power-gpio gpiochip0 --wol "00:11:22:33:44:55,127.0.0.1:$WOL_PORT" --serial usb=/dev/ttyGS0 ||
  exit 1
head -c 65536 /dev/urandom >"$T/img"
kssh media put s.img <"$T/img" >/dev/null
check unit_sandbox_media_insert kssh media insert s.img --disk
check unit_sandbox_media_eject kssh media eject
kssh power status >/dev/null
check unit_sandbox_power_wake kssh power wake
kssh serial --list >/dev/null
kssh snapshot >/dev/null
kssh status >/dev/null
sleep 1.5 # the serial port's reopen tick
# sshkvm itself is stopped (unshare -> strace -> sshkvm), so that it exits as it would.
sk=$(pgrep -P "$(pgrep -P "$SK_PID")")
[ -n "$sk" ] && kill -TERM "$sk"
for _ in $(seq 50); do kill -0 "$SK_PID" 2>/dev/null || break; sleep 0.1; done
stop_sshkvm
cd "$ROOT" || exit 1

# Paths as the unit's sshkvm would see them: the test's directories mapped
# back to the defaults and the shipped config's (the unit's WorkingDirectory
# for relative ones).
WD=$(sed -n 's/^WorkingDirectory=//p' "$UNIT")
mapped() {
  sed -e "s|^$T/media|$MEDIA_DEFAULT|" -e "s|^$G|$GADGET_DEFAULT|" \
    -e "s|^$T/hostkeys|$(conf hostkeys)|" -e "s|^$T/authorized_keys|$(conf authorized-keys)|" \
    -e "s|^$CONF|/etc/sshkvm.conf|" -e "s|^\([^/]\)|$WD/\1|"
}
# The syscalls whose quoted arguments are paths.
FILECALLS='^(open|openat|openat2|creat|stat|lstat|newfstatat|statx|statfs|access|faccessat|faccessat2|readlink|readlinkat|mkdir|mkdirat|unlink|unlinkat|rmdir|rename|renameat|renameat2|link|linkat|symlink|symlinkat|chmod|fchmodat|chown|fchownat|lchown|truncate|execve|chdir|utimensat|mknod|mknodat|inotify_add_watch)$'
# What strace saw: "call NAME" for each syscall, "path PATH W" (W 1: written)
# for each path, "family AF_X" for each socket, "wx CALL" for W+X memory.
# strace_seen TRACE: those lines for strace's output TRACE.
# Under make test-asan the sanitizers' runtime makes its log_path= directory
# and each one above it (mkdir) at start: not sshkvm's doing, and no
# unit's, so those mkdirs are left out (a report written there fails the run anyway).
SAN_DIRS=$(printf '%s\n' "${ASAN_OPTIONS:-}" "${UBSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's|^log_path=\(.*\)/[^/]*$|\1|p' | tr '\n' ' ')
strace_seen() {
  awk '
  function sanitizer_dir(d,   k, n, a) {
    n = split(SAN_DIRS, a, " ")
    for (k = 1; k <= n; k++) if (d != "" && (a[k] == d || index(a[k], d "/") == 1)) return 1
    return 0
  }
  { sub(/^[0-9]+ +/, "") }
  /^<\.\.\. [a-z0-9_]+ resumed>/ { print "call " $2; next }
  !/^[a-z0-9_]+\(/ { next }
  {
    name = $0; sub(/\(.*/, "", name); print "call " name
    n = 0; s = $0
    while (match(s, /"[^"]*"/)) { p[++n] = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
    w = 0
    if (name ~ /^open/ && $0 ~ /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_TMPFILE/) w = 1
    if (name ~ /^(mkdir|unlink|rmdir|rename|link|symlink|chmod|fchmodat|chown|fchownat|truncate|utime|mknod)/) w = 1
    first = (name ~ /^(symlink|symlinkat)$/) ? n : 1
    # A relative path after a directory descriptor: that directory was opened by its own path.
    dirfd = name ~ /at2?$/ && $0 !~ /^[a-z0-9_]+\(AT_FDCWD/
    for (i = first; i <= n; i++) if (name ~ /^mkdir/ && sanitizer_dir(p[i])) next
    if (name ~ FILECALLS) for (i = first; i <= n; i++) if (p[i] != "" && (w || i == 1) && !(dirfd && p[i] !~ /^\//)) print "path " p[i] " " w
    if (name == "socket" && match($0, /AF_[A-Z0-9]+/)) print "family " substr($0, RSTART, RLENGTH)
    if (name ~ /^(mmap|mprotect|pkey_mprotect)$/ && $0 ~ /PROT_WRITE/ && $0 ~ /PROT_EXEC/) print "wx " $0
    if (name ~ /^(mprotect|pkey_mprotect)$/ && $0 ~ /PROT_EXEC/) print "wx " $0
  }' FILECALLS="$FILECALLS" SAN_DIRS="$SAN_DIRS" "$1"
}
strace_seen "$T/strace" >"$T/seen"
sed -n 's/^path \(.*\) \([01]\)$/\1 \2/p' "$T/seen" | while read -r p w; do echo "$(mapped <<<"$p") $w"; done |
  sort -u >"$T/paths"
sed -n 's/^call //p' "$T/seen" | sort -u >"$T/calls"
sed -n 's/^family //p' "$T/seen" | sort -u >"$T/families"

# The run did what the checks below judge: the devices, the gadget and the
# media dir were used, and a datagram socket sent the Wake-on-LAN packet.
seen_path() { grep -q "^$1 $2\$" "$T/paths"; }
check unit_sandbox_saw_hidg0 seen_path /dev/hidg0 1
check unit_sandbox_saw_hidg1 seen_path /dev/hidg1 1
check unit_sandbox_saw_video0 seen_path /dev/video0 1
check unit_sandbox_saw_gpiochip0 seen_path /dev/gpiochip0 '[01]'
check unit_sandbox_saw_ttyGS0 seen_path /dev/ttyGS0 1
check unit_sandbox_saw_gadget_file seen_path "$GADGET_DEFAULT/functions/mass_storage.usb0/lun.0/file" 1
check unit_sandbox_saw_media_dir_write grep -q "^${MEDIA_DEFAULT}[/ ].* 1\$" "$T/paths"
check unit_sandbox_saw_udp grep -q 'socket(AF_INET, SOCK_DGRAM' "$T/strace"

# ---- the unit's settings ----
# get FILE KEY: the values of KEY, every line of it, space-separated.
get() { sed -n "s/^$2=//p" "$1" | tr '\n' ' ' | sed 's/ *$//'; }
# depth PATH DIR...: the length of the longest DIR that PATH is or is inside ("-" and "+"
# prefixes dropped; "/" counts 1), 0 for none. systemd's deepest mount wins, and so here.
depth() {
  local p=$1 d best=0
  shift
  for d in "$@"; do
    d=${d#-}; d=${d#+}
    [ "$d" = / ] && { [ "$best" -ge 1 ] || best=1; } && continue
    d=${d%/}
    if [ -n "$d" ] && { [ "$p" = "$d" ] || [ "${p#"$d"/}" != "$p" ]; } && [ ${#d} -gt "$best" ]; then best=${#d}; fi
  done
  echo "$best"
}
under() { [ "$(depth "$@")" -gt 0 ]; }
# The device classes systemd names (DeviceAllow=char-NAME, /proc/devices' names).
dev_class() {
  case $1 in
  /dev/hidg*) echo hidg ;; /dev/video*) echo video4linux ;; /dev/gpiochip*) echo gpiochip ;;
  /dev/ttyGS*) echo ttyGS ;; /dev/ttyUSB*) echo ttyUSB ;; /dev/ttyACM*) echo ttyACM ;;
  /dev/ttyAMA*) echo ttyAMA ;; /dev/ttyS*) echo ttyS ;; *) echo unknown ;;
  esac
}
# problems UNIT: one line per thing the unit would stop, "KIND: what".
problems() {
  local u=$1 p w d policy allow protect rw=() ro=() hidden=() extra=()
  policy=$(get "$u" DevicePolicy)
  allow=$(get "$u" DeviceAllow)
  # Writable whatever ProtectSystem= says: the unit's own directories and the API file systems.
  read -r -a rw <<<"$(get "$u" ReadWritePaths) /tmp /var/tmp /dev /proc/self /proc/thread-self"
  for d in $(get "$u" StateDirectory); do rw+=("/var/lib/$d"); done
  for d in $(get "$u" RuntimeDirectory); do rw+=("/run/$d"); done
  for d in $(get "$u" LogsDirectory); do rw+=("/var/log/$d"); done
  for d in $(get "$u" CacheDirectory); do rw+=("/var/cache/$d"); done
  # Read-only: ProtectSystem='s share of the tree, ProtectKernelTunables='s, ReadOnlyPaths=.
  protect=$(get "$u" ProtectSystem)
  case $protect in
  strict) ro=(/) ;; full) ro=(/usr /boot /efi /etc) ;; yes | true) ro=(/usr /boot /efi) ;;
  esac
  [ "$(get "$u" ProtectKernelTunables)" = yes ] && ro+=(/sys /proc/sys)
  read -r -a extra <<<"$(get "$u" ReadOnlyPaths)"
  ro+=(${extra[@]+"${extra[@]}"})
  read -r -a hidden <<<"$(get "$u" InaccessiblePaths)"
  [ "$(get "$u" ProtectHome)" = yes ] && hidden+=(/home /root /run/user)
  [ "$(get "$u" ProtectKernelLogs)" = yes ] && hidden+=(/dev/kmsg /proc/kmsg)
  while read -r p w; do
    case $p in
    /dev/null | /dev/zero | /dev/full | /dev/random | /dev/urandom | /dev/tty | /dev/ptmx | /dev/pts/*) ;;
    /dev/*)
      if [ "$(get "$u" PrivateDevices)" = yes ]; then
        echo "devices: $p (PrivateDevices=yes)"
      elif [ "$policy" = closed ] || [ "$policy" = strict ] || [ -n "$allow" ]; then
        grep -Eq "(^| )($p|char-$(dev_class "$p"))( |$)" <<<"$allow" || echo "devices: $p (not in DeviceAllow=$allow)"
      fi
      ;;
    esac
    # Written where the deepest rule says read-only (ReadWritePaths= under a read-only /sys wins).
    if [ "$w" = 1 ] && [ "$(depth "$p" ${ro[@]+"${ro[@]}"})" -gt "$(depth "$p" "${rw[@]}")" ]; then
      echo "writes: $p (read-only: ProtectSystem=$protect, ProtectKernelTunables=, ReadOnlyPaths=)"
    fi
    if under "$p" ${hidden[@]+"${hidden[@]}"}; then echo "reads: $p (hidden)"; fi
  done <"$T/paths"
  local filter ok
  filter=$(get "$u" SystemCallFilter)
  if [ -n "$filter" ]; then
    local memo
    memo=$T/filter.$(md5sum <<<"$filter" | cut -c1-12)
    # shellcheck disable=SC2086
    [ -f "$memo" ] || expand_filter $filter >"$memo"
    ok=$(cat "$memo")
    while read -r c; do
      grep -qx "$c" <<<"$ok" || echo "syscalls: $c (not in SystemCallFilter=$filter)"
    done <"$T/calls"
  fi
  local fam
  fam=$(get "$u" RestrictAddressFamilies)
  if [ -n "$fam" ]; then
    while read -r f; do
      grep -qw "$f" <<<"$fam" || echo "families: $f (not in RestrictAddressFamilies=$fam)"
    done <"$T/families"
  fi
  if [ "$(get "$u" MemoryDenyWriteExecute)" = yes ]; then
    sed -n 's/^wx /wx: /p' "$T/seen"
  fi
}
# expand_filter ITEM...: the syscall names, groups expanded (systemd-analyze syscall-filter).
expand_filter() {
  local i
  for i in "$@"; do
    case $i in
    @*) systemd-analyze syscall-filter "$i" | sed -n 's/^ *\([-@a-z0-9_]*\)$/\1/p' | grep -vx "$i" |
      while read -r j; do expand_filter "$j"; done ;;
    *) echo "$i" ;;
    esac
  done | sort -u
}

problems "$UNIT" >"$T/problems"
for kind in devices writes reads syscalls families wx; do
  if grep -q "^$kind:" "$T/problems"; then
    fail "unit_sandbox_$kind" "$(grep "^$kind:" "$T/problems" | head -5 | tr '\n' ';')"
  else
    pass "unit_sandbox_$kind"
  fi
done
echo "  $(wc -l <"$T/paths") paths, $(wc -l <"$T/calls") syscalls, families: $(tr '\n' ' ' <"$T/families")"

# ---- each check fails on a unit broken its way ----
# broken KIND SED: the unit edited by SED must give a KIND problem.
broken() {
  sed "$2" "$UNIT" >"$T/broken.service"
  problems "$T/broken.service" | grep -q "^$1:"
}
check unit_sandbox_catches_device_allowlist broken devices 's/^PrivateTmp=yes/&\nDevicePolicy=closed\nDeviceAllow=char-video4linux rw/'
check unit_sandbox_catches_private_devices broken devices 's/^PrivateTmp=yes/&\nPrivateDevices=yes/'
check unit_sandbox_catches_gadget_read_only broken writes '/^ReadWritePaths=/d'
check unit_sandbox_catches_no_state_dir broken writes 's/^StateDirectory=.*/StateDirectory=other/'
check unit_sandbox_catches_read_only_media broken writes 's/^PrivateTmp=yes/&\nReadOnlyPaths=\/var\/lib\/sshkvm\/media/'
check unit_sandbox_catches_hidden_etc broken reads 's/^PrivateTmp=yes/&\nInaccessiblePaths=\/etc\/sshkvm/'
check unit_sandbox_catches_narrow_filter broken syscalls 's/^SystemCallFilter=.*/SystemCallFilter=@basic-io/'
check unit_sandbox_catches_no_inet broken families 's/^RestrictAddressFamilies=.*/RestrictAddressFamilies=AF_UNIX/'
# No unit can be broken into a W+X mapping: a program that makes one must be seen making it.
strace -f -qq -o "$T/strace.wx" python3 -c 'import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)'
check unit_sandbox_catches_wx grep -q '^wx mmap(' <(strace_seen "$T/strace.wx")

# ---- systemd's own view: the unit loads, and its exposure ----
mkdir -p "$T/unit"
sed "s|/usr/local/lib/sshkvm/sshkvm-gadget|$ROOT/scripts/sshkvm-gadget|; s|/usr/local/bin/sshkvm|$BIN|" "$UNIT" >"$T/unit/sshkvm.service"
out=$(systemd-analyze security --offline=yes "$T/unit/sshkvm.service" 2>&1 | tail -1)
check unit_sandbox_security_offline grep -q 'Overall exposure level' <<<"$out"
echo "  systemd-analyze security --offline: ${out#→ }"
finish

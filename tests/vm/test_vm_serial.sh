#!/usr/bin/env bash
# The serial console against a real kernel's serial ports: Debian's kernel
# boots under QEMU (TCG) with a busybox initramfs whose console is ttyS0.
# ttyS0 is QEMU's telnet server (a socket chardev with telnet=on), which the
# host's sshkvm reaches with --serial vm=telnet:127.0.0.1:PORT; ttyS1 is a
# host pty (-serial pty) that sshkvm opens with --serial pty=PTY; both with
# --serial-log-dir. Checks: the log holds the guest's boot messages; serial
# --wait 'login:' returns 0; a name and a command typed through ssh -tt ...
# serial vm reach the guest's shell and its output comes back; OpenSSH's ~B
# then h is a break (telnet's IAC BREAK, a break on the guest's UART) and a
# SysRq that the guest's kernel answers with its help, which serial --wait and
# the log see; serial --break then a letter is a SysRq too; the guest's ttyS1
# (the pty) answers a line sent to it; two watchers see the same bytes
# while a third writer is refused until it takes control, then its command
# runs on the guest. One boot for all.
. "$(dirname "$0")/../integration/lib.sh"

command -v qemu-system-x86_64 >/dev/null || { echo "FAIL vmserial_qemu: not installed (make deps-test)"; exit 1; }
ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' || { echo "FAIL vmserial_busybox: /bin/busybox is not static"; exit 1; }
# The same module list as the other VM tests, so that the shared cache's load order stays as it is.
. "$ROOT/tests/vm/modules.sh"
KDIR=$(bash "$ROOT/tests/vm/kernel.sh" "${VM_MODULES[@]}") ||
  { echo "FAIL vmserial_kernel: tests/vm/kernel.sh"; exit 1; }

# The guest: busybox, and an /init that says it is up, asks for a login on its console
# (ttyS0) and gives a shell to whatever name is typed.
root=$T/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp}
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
cat >"$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
echo 1 >/proc/sys/kernel/sysrq
# ttyS1 (the host's pty): says it is up, then answers each line it reads.
(
    exec 3<>/dev/ttyS1
    echo "VM TTYS1 up" >&3
    while read -r line <&3; do echo "ttyS1 got [$line]" >&3; done
) &
echo "VM SERIAL up"
while :; do
    printf 'sshkvm-vm login: '
    read -r user || sleep 1
    [ -n "$user" ] && setsid cttyhack sh -i
done
INIT
chmod 755 "$root/init"
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$T/initrd"

# -S: the guest waits, so that its first boot message finds sshkvm connected and reading
# (QEMU drops a pty's output while nobody has it open, and a telnet port's while nobody is
# connected); "cont" on the monitor starts it.
TELNET_PORT=$(free_port)
timeout 300 qemu-system-x86_64 -accel tcg -m 256 -nodefaults -no-user-config -display none \
  -S -monitor "unix:$T/monitor,server=on,wait=off" -no-reboot -kernel "$KDIR/vmlinuz" -initrd "$T/initrd" \
  -append "console=ttyS0 panic=-1 loglevel=7 sysrq_always_enabled=1" \
  -chardev "socket,id=s0,host=127.0.0.1,port=$TELNET_PORT,server=on,wait=off,telnet=on" \
  -serial chardev:s0 -serial pty >"$T/qemu.out" 2>&1 &
QEMU=$!
trap 'kill $QEMU 2>/dev/null; wait $QEMU 2>/dev/null; cleanup' EXIT
pty_named() { grep -q 'char device redirected to /dev/pts/' "$T/qemu.out"; }
wait_until 20 pty_named || { echo "FAIL vmserial_pty: $(cat "$T/qemu.out")"; exit 1; }
PTY=$(sed -n 's|.*char device redirected to \(/dev/pts/[0-9]*\).*|\1|p' "$T/qemu.out" | head -1)

start_sshkvm --serial "vm=telnet:127.0.0.1:$TELNET_PORT" --serial "pty=$PTY" \
  --serial-log-dir "$T/serlog" || exit 1
ports_open() { [ "$(kssh serial --list | grep -c '	open$')" -eq 2 ]; }
check vmserial_ports_open wait_until 10 ports_open
echo cont | socat - "UNIX-CONNECT:$T/monitor" >/dev/null
start=$SECONDS
kssh serial --wait vm --timeout 150 'login:' >"$T/wait.out"; rc=$?
check vmserial_wait_login [ "$rc" -eq 0 ]
echo "  (the guest asked for a login $((SECONDS - start)) s after it started)"
kssh serial --log vm >"$T/boot.log"
check vmserial_log_boot grep -qE 'Z \[ *0\.0+\] Linux version [0-9]' "$T/boot.log"
check vmserial_log_up grep -q 'Z VM SERIAL up' "$T/boot.log"

# A login and a command, typed through the terminal.
mkfifo "$T/term.in"
ssh "${SSH_OPTS[@]}" -tt -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 serial vm <"$T/term.in" >"$T/term.out" 2>&1 &
TERM_SSH=$!
exec {FD}>"$T/term.in"
wait_until 20 has "$T/term.out" 'Ctrl+] for the menu]'
printf 'root\r' >&"$FD"
sleep 2
printf 'echo sum=$((6*7))\r' >&"$FD"
summed() { has "$T/term.out" 'sum=42'; }
check vmserial_command_runs wait_until 60 summed

# A break from OpenSSH's escape (~B at the start of a line), then h: the SysRq help. The
# Enter before ~B goes a second ahead: QEMU's UART takes a break that comes while the
# guest has not yet read a byte as a break on that byte (the byte is lost and the SysRq
# window closed by the break's NUL), which a person typing never meets.
kssh serial --wait vm --timeout 60 'sysrq: HELP' >"$T/help.out" &
HELP_WAIT=$!
printf '\r' >&"$FD"
sleep 1
printf '~B' >&"$FD"
sent_break() { has "$T/term.out" 'break sent (~B)'; }
check vmserial_ssh_break_sent wait_until 10 sent_break
sleep 0.5
printf 'h' >&"$FD"
wait "$HELP_WAIT"; rc=$?
check vmserial_break_sysrq_help [ "$rc" -eq 0 ]
check vmserial_sysrq_help_on_terminal wait_until 10 has "$T/term.out" 'sysrq: HELP'
printf '\035q' >&"$FD"
wait "$TERM_SSH"

# serial --break, then a letter (m: show memory) taken as a SysRq; its CR goes to the shell.
kssh serial --wait vm --timeout 60 'sysrq: Show Memory' >"$T/mem.out" &
MEM_WAIT=$!
sleep 1
kssh serial --break vm; rc=$?
check vmserial_break_command [ "$rc" -eq 0 ]
kssh serial --send vm m
wait "$MEM_WAIT"; rc=$?
check vmserial_break_sysrq_memory [ "$rc" -eq 0 ]
kssh serial --log vm >"$T/after.log"
check vmserial_log_sysrq grep -q 'Z .*sysrq: HELP' "$T/after.log"
check vmserial_status_breaks status_has '"name":"vm",[^}]*"breaks":2'

# The pty port: the guest's ttyS1 said it was up, and answers a line.
pty_up() { kssh serial --log pty | grep -q 'Z VM TTYS1 up'; }
check vmserial_pty_up wait_until 10 pty_up
kssh serial --wait pty --timeout 30 'ttyS1 got [hello pty]' >"$T/pty.out" &
PTY_WAIT=$!
sleep 1
kssh serial --send pty 'hello pty'
wait "$PTY_WAIT"; rc=$?
check vmserial_pty_answers [ "$rc" -eq 0 ]

# ---- two watchers and a third writer (issue 19: one writer per port) ----
# w1 (this test's key) writes and holds vm; w2 (a view-only key) watches; carol's terminal
# is refused until Ctrl+] t takes vm, then her command runs on the guest, and both watchers
# got the same bytes of its output.
ssh-keygen -q -t ed25519 -N '' -C carol -f "$T/carol" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C watcher -f "$T/watcher" >/dev/null
cat "$T/carol.pub" >>"$T/authorized_keys"
echo "sshkvm-role=view $(cat "$T/watcher.pub")" >>"$T/authorized_keys"
SSHS=()
trap 'for p in "${SSHS[@]}"; do kill "$p" 2>/dev/null; done; kill $QEMU 2>/dev/null; wait $QEMU 2>/dev/null; cleanup' EXIT
tty_attach w1 id kvm "serial vm"
tty_attach w2 watcher kvm "serial vm"
tty_attach c3 carol kvm:vm
for s in w1 w2 c3; do wait_until 20 has "$T/$s.out" 'Ctrl+] for the menu]'; done
printf 'echo w1=$((2+3))\r' >&"$FD_w1"
w1_ran() { has "$T/w1.out" 'w1=5'; }
check vmserial_first_writer_runs wait_until 30 w1_ran
printf 'echo c3=$((3*5))\r' >&"$FD_c3"
check vmserial_third_writer_refused wait_until 10 has "$T/c3.out" 'sshkvm-test has control of vm; nothing sent'
check vmserial_refused_not_run bash -c "sleep 1; ! grep -q 'c3=15' '$T/w1.out'"
printf '\035t' >&"$FD_c3"
check vmserial_third_takes wait_until 10 has "$T/c3.out" 'you have control'
printf 'echo BEGIN-$((1+1)); seq 1 300; echo END-$((2+2))\r' >&"$FD_c3"
ended() { has "$T/w1.out" 'END-4' && has "$T/w2.out" 'END-4' && has "$T/c3.out" 'END-4'; }
check vmserial_third_command_runs wait_until 60 ended
for s in w1 w2; do awk '/^BEGIN-2/,/^END-4/' "$T/$s.out" >"$T/$s.seg"; done
check vmserial_watchers_same_bytes cmp -s "$T/w1.seg" "$T/w2.seg"
check vmserial_watchers_all_lines [ "$(grep -c '^[0-9]*.$' "$T/w1.seg")" -eq 300 ]
for s in w1 w2 c3; do printf '\035q' >&"$(eval echo \$FD_$s)"; done
for p in "${SSHS[@]}"; do wait "$p"; done
finish

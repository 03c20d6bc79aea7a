#!/bin/sh
# /init of the VM test's initramfs (busybox ash, PID 1).
# Loads the modules in the order tests/vm/kernel.sh worked out, brings up
# the network for QEMU's user-mode hostfwd, builds the USB HID gadget
# (keyboard + absolute mouse) on dummy_hcd, starts evdump on ttyS1 so the
# host side's evdev nodes are open and read from the start, then sshkvm on
# the real /dev/hidg0, /dev/hidg1 and vivid's /dev/video0. Everything here
# goes to the console (ttyS0), sshkvm's own log included; the host waits for
# the line "VM READY" and reads it on failure. Ends with poweroff when
# evdump exits (the host sends "quit"), or when something fails.

# The first line is glued to SeaBIOS's escape codes: start with a fresh one.
echo
export PATH=/usr/bin:/bin:/sbin HOME=/root
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
mount -t tmpfs none /tmp
say() { echo "VM $*"; }
die() { say "ERROR $*"; dmesg | tail -30; poweroff -f; }
say "up at $(cut -d' ' -f1 /proc/uptime)s"

for m in $(cat /modules.load); do
    insmod "/modules/$m" || die "insmod $m"
done
say "modules loaded at $(cut -d' ' -f1 /proc/uptime)s"

ip link set lo up
ip link set eth0 up || die "no eth0"
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2

mount -t configfs none /sys/kernel/config
# The project's own gadget script (scripts/sshkvm-gadget), as on a Pi; a
# test's settings for it (tests/vm/lib.sh VM_GADGET_ENV) in /gadget.env.
[ -f /gadget.env ] && . /gadget.env
sshkvm-gadget up || die "sshkvm-gadget up"
say "gadget: $(sshkvm-gadget status 2>&1 | tr '\n' ' ')"
[ -c /dev/hidg0 ] && [ -c /dev/hidg1 ] || die "no /dev/hidg0 and /dev/hidg1"

# evdump finds the enumerated nodes itself and says READY on ttyS1; wait for
# the nodes to be open before sshkvm writes its first all-released report.
evdump /dev/ttyS1 usb-dummy_hcd.0-1/input0 usb-dummy_hcd.0-1/input1 2>/dev/console &
EVDUMP=$!
i=0
while [ "$(ls -l /proc/$EVDUMP/fd 2>/dev/null | grep -c /dev/input/event)" -lt 2 ]; do
    kill -0 $EVDUMP 2>/dev/null || die "evdump exited"
    i=$((i + 1)); [ $i -gt 600 ] && die "evdump did not open the evdev nodes"
    sleep 0.05
done
say "enumerated, evdev open at $(cut -d' ' -f1 /proc/uptime)s"
[ -c /dev/video0 ] || die "no /dev/video0 (vivid)"

# A test's own preparation (tests/vm/lib.sh VM_PRE): e.g. insmod
# v4l2loopback and start a producer, or pick vivid's DV timings.
if [ -f /pre.sh ]; then
    sh /pre.sh || die "pre.sh failed"
fi

mkdir -p /tmp/hk
# sshkvm's stderr (its log) goes to the console, so a failure can be read
# in the host's console log.
sshkvm --video /dev/video0 --hid /dev/hidg0 --mouse /dev/hidg1 \
    --ssh-listen 0.0.0.0:2222 --hostkeys /tmp/hk --authorized-keys /authorized_keys \
    $(cat /sshkvm.args) >/tmp/sshkvm.out 2>/dev/console &
SSHKVM=$!

# The web side stays on loopback (sshkvm refuses a wider bind without
# authentication, and the test must not weaken that). QEMU's hostfwd can
# only reach 10.0.2.15, so a test-only relay inside the VM carries
# 10.0.2.15:8081 to 127.0.0.1:8080, one busybox nc per connection.
printf '#!/bin/sh\nexec nc 127.0.0.1 8080\n' > /tmp/relay
chmod +x /tmp/relay
nc -ll -p 8081 -e /tmp/relay &

i=0
while ! grep -q 'console:' /tmp/sshkvm.out 2>/dev/null; do
    kill -0 $SSHKVM 2>/dev/null || die "sshkvm exited: $(cat /tmp/sshkvm.out)"
    i=$((i + 1)); [ $i -gt 600 ] && die "sshkvm did not start"
    sleep 0.1
done
say "READY at $(cut -d' ' -f1 /proc/uptime)s"

wait $EVDUMP
say "evdump ended; stopping sshkvm"
kill -TERM $SSHKVM
i=0
while kill -0 $SSHKVM 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
say "END"
poweroff -f

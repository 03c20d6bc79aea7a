#!/bin/sh
# In the guest (test_vm_power, once the Debian 12 sshkvm has stopped): start
# the sshkvm built against Debian 13's libgpiod 2.x (tests/vm/trixie.sh's
# tarball in /data), chrooted in the root file system the tarball holds, on
# the same devices, ports and arguments /init gave the first one, its audit
# log in /tmp/audit2.log. /dev, /proc, /sys and /tmp are the guest's
# (libgpiod 2.x checks a chip in sysfs). Its log is /tmp/sshkvm2.log.
# Exits 0 once it listens, 1 with its log when it does not.
R=/trixie
if [ ! -x $R/usr/bin/sshkvm ]; then
    mkdir -p $R && tar -xf /data/sshkvm-trixie.tar -C $R || exit 1
    cp /etc/passwd /etc/group $R/etc/ && cp /authorized_keys $R/authorized_keys || exit 1
    mount --bind /dev $R/dev && mount -t proc none $R/proc && mount -t sysfs none $R/sys &&
        mount --bind /tmp $R/tmp || exit 1
fi
# The first sshkvm, stopped by the test, must have let go of its ports and lines.
i=0
while pidof sshkvm >/dev/null; do
    [ $i -gt 100 ] && { echo "the first sshkvm is still running"; exit 1; }
    i=$((i + 1))
    sleep 0.1
done
# /init's arguments, the audit log moved aside so that each binary's presses are its own.
args=$(sed 's|--audit-log /tmp/audit.log|--audit-log /tmp/audit2.log|' /sshkvm.args)
chroot $R /usr/bin/sshkvm --video /dev/video0 --hid /dev/hidg0 --mouse /dev/hidg1 \
    --ssh-listen 0.0.0.0:2222 --hostkeys /tmp/hk --authorized-keys /authorized_keys \
    $args </dev/null >/tmp/sshkvm2.out 2>/tmp/sshkvm2.log &
pid=$!
i=0
while ! grep -q 'console:' /tmp/sshkvm2.out 2>/dev/null; do
    if ! kill -0 $pid 2>/dev/null || [ $i -gt 300 ]; then
        echo "sshkvm (trixie) did not start:"
        cat /tmp/sshkvm2.out /tmp/sshkvm2.log
        exit 1
    fi
    i=$((i + 1))
    sleep 0.1
done
echo "sshkvm (trixie) $pid listening"

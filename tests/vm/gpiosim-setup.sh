#!/bin/sh
# In the guest (test_vm_power's VM_PRE): load gpio-sim, make one chip of 32
# lines through configfs (gpiochip0: the guest has no other), link its
# sysfs directory (each line's value and pull) at /tmp/sim, and start a
# watcher that logs every change of the button lines 23 (power) and 27
# (reset) to /tmp/gpio.log as "UPTIME POWER RESET", about every 10 ms.
# The watcher sees levels only, and when a line's owner lets it go gpio-sim
# sets it to its pull, whatever was driven last; so the kernel's gpio_value
# trace event (tracefs) records every value a program sets on the chip's
# lines: "GPIO set VALUE", GPIO the global number, the chip's base (in
# /tmp/gpio.base, from debugfs) plus the line.
insmod /data/gpio-sim.ko || exit 1
C=/sys/kernel/config/gpio-sim/kvm
mkdir $C && mkdir $C/bank0 && echo 32 >$C/bank0/num_lines && echo 1 >$C/live || exit 1
chip=$(cat $C/bank0/chip_name)
dev=$(cat $C/dev_name)
echo "VM gpio-sim: $dev $chip"
[ "$chip" = gpiochip0 ] || { echo "VM gpio-sim made $chip, not gpiochip0"; exit 1; }
S=/sys/devices/platform/$dev/$chip
[ -f $S/sim_gpio23/value ] || { echo "VM gpio-sim: no $S/sim_gpio23/value"; exit 1; }
ln -s $S /tmp/sim
mount -t debugfs none /sys/kernel/debug || exit 1
sed -n "s/^ *$chip: GPIOs \([0-9]*\)-.*/\1/p" /sys/kernel/debug/gpio >/tmp/gpio.base
[ -s /tmp/gpio.base ] || { echo "VM gpio-sim: no base for $chip in debugfs"; exit 1; }
TR=/sys/kernel/tracing
mount -t tracefs none $TR || exit 1
echo 'get == 0' >$TR/events/gpio/gpio_value/filter &&
    echo 1 >$TR/events/gpio/gpio_value/enable || { echo "VM gpio-sim: no gpio_value trace event"; exit 1; }
: >/tmp/gpio.log
(
    prev=
    while :; do
        v="$(cat $S/sim_gpio23/value) $(cat $S/sim_gpio27/value)"
        if [ "$v" != "$prev" ]; then
            echo "$(cut -d' ' -f1 /proc/uptime) $v" >>/tmp/gpio.log
            prev=$v
        fi
        sleep 0.01
    done
) </dev/null >/dev/null 2>&1 &

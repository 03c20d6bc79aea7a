#!/usr/bin/env bash
# The power buttons on real GPIO lines: the kernel's gpio-sim (built out of
# tree for the guest's kernel by tests/vm/gpiosim.sh; Debian does not ship
# it) gives a chip of 32 lines through configfs; sshkvm in the guest runs
# with --power-gpio gpiochip0 (PiKVM's default lines). Each action must
# drive the right line for the right time, read back from the simulator's
# sysfs value by a watcher in the guest (tests/vm/gpiosim-setup.sh); the
# LED lines, set with the simulator's pull, must be read back as the state.
# A client that leaves mid-press and sshkvm stopped mid-press both leave
# the line released; for the stop, sshkvm's own last write is read from the
# kernel's gpio trace, since the line's level after exit is gpio-sim's pull.
# All of it twice in one boot: with build/sshkvm (this machine's libgpiod,
# 1.6 on Debian 12), then with sshkvm built against Debian 13's libgpiod 2.x
# in a cached trixie chroot (tests/vm/trixie.sh: minutes the first time,
# seconds after), chrooted in the guest with its own libraries
# (tests/vm/trixie-start.sh); its checks are named vm_power_gpiod2_*.
. "$(dirname "$0")/lib.sh"
# expect NAME: PASS when the command before it (a chain of && tests) succeeded.
expect() { if [ $? -eq 0 ]; then pass "$1"; else fail "$1"; fi; }
START=$SECONDS

vm_require vm_power qemu-system-x86_64 gcc strings curl make mmdebstrap

# The trixie build (minutes when not cached: mostly downloads) alongside the kernel and gpio-sim.
t0=$SECONDS
bash "$VM_DIR/trixie.sh" >"$T/trixie.out" 2>"$T/trixie.err" &
TRIXIE_PID=$!
kdir=$(bash "$VM_DIR/kernel.sh" "${VM_MODULES[@]}") || { fail vm_power_kernel "kernel.sh"; kill "$TRIXIE_PID"; exit 1; }
KO=$(bash "$VM_DIR/gpiosim.sh" "$kdir") || { fail vm_power_gpiosim_built "tests/vm/gpiosim.sh"; kill "$TRIXIE_PID"; exit 1; }
pass vm_power_gpiosim_built
wait "$TRIXIE_PID" || { fail vm_power_gpiod2_built "tests/vm/trixie.sh: $(cat "$T/trixie.err")"; exit 1; }
TRIXIE=$(cat "$T/trixie.out")
pass vm_power_gpiod2_built
note "trixie build (libgpiod 2.x) ready after $((SECONDS - t0))s"
VM_FILES=("$KO" "$VM_DIR/gpiosim-setup.sh" "$TRIXIE" "$VM_DIR/trixie-start.sh")
VM_PRE="sh /data/gpiosim-setup.sh"
SSHKVM_ARGS="--power-gpio gpiochip0 --audit-log /tmp/audit.log"
vm_up vm_power
GPIO_BASE=$(guest "cat /tmp/gpio.base")
note "prepared and booted in $((SECONDS - START))s"

# pull LINE up|down: the simulated LED input's level.
pull() { guest "echo pull-$2 >/tmp/sim/sim_gpio$1/pull"; }
# log_lines: how many changes the watcher has logged.
log_lines() { guest "wc -l </tmp/gpio.log" | tr -d ' '; }
# press_ms FROM COL: after the watcher's line FROM, how long column COL (2 power, 3 reset)
# was 1, in ms, and whether it went back to 0 ("MS released" or "MS held").
press_ms() {
  guest "cat /tmp/gpio.log" | awk -v from="$1" -v c="$2" '
    NR > from && on == "" && $c == 1 { on = $1 }
    NR > from && on != "" && off == "" && $c == 0 { off = $1 }
    END { if (on == "") print "none"; else if (off == "") print "held"; else printf "%d released\n", (off - on) * 1000 }'
}
# settled FROM COL: press_ms once the watcher (slow under TCG) has seen the release, or after 5 s.
settled() {
  local r
  for _ in $(seq 25); do r=$(press_ms "$1" "$2"); [ "$r" = held ] || break; sleep 0.2; done
  echo "$r"
}
# within "MS released" LO HI: released after LO to HI ms.
within() { local ms=${1%% *}; [ "${1#* }" = released ] && [ "$ms" -ge "$2" ] && [ "$ms" -le "$3" ]; }
# pressed RC OUT WANT R LO HI: the command's exit 0, its output WANT (unless empty), R within LO..HI.
pressed() { [ "$1" -eq 0 ] && { [ -z "$3" ] || [ "$2" = "$3" ]; } && within "$4" "$5" "$6"; }
# sets LINE: the values programs set on LINE since the kernel's gpio_value trace was
# cleared (tests/vm/gpiosim-setup.sh), one line: what sshkvm drove, not the level seen.
# GPIO_BASE: the chip's first global line number (read once the guest is up).
sets() {
  guest "cat /sys/kernel/tracing/trace" | awk -v g=$((GPIO_BASE + $1)) \
    'NF >= 4 && $(NF - 3) == "gpio_value:" && $(NF - 2) == g && $(NF - 1) == "set" { printf "%s%s", sep, $NF; sep = " " }'
}
# bg_power ARGS...: power ARGS with ssh itself in the background (its pid in $!, for kill).
bg_power() { ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 power "$@" >/dev/null 2>&1 & }

# power_checks P AUDIT: every check, named P_..., against the sshkvm running in the guest
# (its audit log AUDIT); ends with that sshkvm stopped mid-press.
power_checks() {
  local P=$1 AUDIT=$2 out rc n r SSHP
  # Both LEDs off to begin with (the previous round left the power LED lit).
  pull 24 down
  pull 22 down
  # ---- 1. the LEDs read back as the state ----
  out=$(kssh power status); rc=$?
  [ "$rc" -eq 0 ] && [ "$out" = $'power: off\ndisk: idle' ]; expect ${P}_status_off
  pull 24 up
  pull 22 up
  out=$(kssh power status --json)
  check ${P}_status_on_json grep -q '^{"wired":true,"state":"on","disk":true,"pressing":"","presses":0,' <<<"$out"
  check ${P}_status_in_status_json grep -q '"power":{"wired":true,"state":"on","disk":true' <(kssh status)
  check ${P}_metrics_on bash -c "curl -s http://127.0.0.1:$HTTP_PORT/metrics | grep -qx 'sshkvm_power_on 1'"
  pull 22 down

  # ---- 2. on when on: nothing pressed ----
  n=$(log_lines)
  guest ": >/sys/kernel/tracing/trace"
  out=$(kssh power on); rc=$?
  [ "$rc" -eq 0 ] && grep -q "already on" <<<"$out" && [ "$(log_lines)" = "$n" ] && [ -z "$(sets 23)" ]; expect ${P}_on_when_on_nothing

  # ---- 3. each action drives its line for its time ----
  pull 24 down
  n=$(log_lines)
  out=$(kssh power on); rc=$?
  r=$(settled "$n" 2); note "power on: $r"
  check ${P}_on_press_500ms pressed "$rc" "$out" 'pressed power for 500 ms' "$r" 350 1000
  n=$(log_lines)
  guest ": >/sys/kernel/tracing/trace"
  kssh power reset >/dev/null; rc=$?
  r=$(settled "$n" 3); note "power reset: $r"
  check ${P}_reset_press_500ms pressed "$rc" "" "" "$r" 350 1000
  # The reset line was set 1 then 0 (so the trace works here), the power line never.
  check ${P}_reset_traced [ "$(sets 27)" = "1 0" ]
  power_untouched() { [ "$(press_ms "$n" 2)" = none ] && [ -z "$(sets 23)" ]; }
  check ${P}_reset_leaves_power power_untouched
  pull 24 up
  n=$(log_lines)
  kssh power off --force >/dev/null; rc=$?
  r=$(settled "$n" 2); note "power off --force: $r"
  check ${P}_off_force_5s pressed "$rc" "" "" "$r" 4600 5800

  # ---- 4. a client that leaves mid-press: released at once ----
  n=$(log_lines)
  bg_power off --force
  SSHP=$!
  for _ in $(seq 50); do [ "$(press_ms "$n" 2)" = held ] && break; sleep 0.1; done
  sleep 1
  kill "$SSHP"; wait "$SSHP" 2>/dev/null
  r=$(settled "$n" 2); note "client gone mid-press: $r"
  check ${P}_client_gone_released within "$r" 800 3000
  check ${P}_audited guest "grep -q 'event=power .*action=on result=done' $AUDIT"

  # ---- 5. sshkvm stopped mid-press: released ----
  # The watcher cannot tell this apart from a crash: once sshkvm exits, the
  # kernel frees its lines and gpio-sim puts each at its pull (down: 0),
  # whatever sshkvm drove last. So the values sshkvm set are read from the kernel's
  # gpio_value trace (tests/vm/gpiosim-setup.sh): the power line's last value
  # set must be 0, set after the press's 1, before sshkvm was gone.
  guest ": >/sys/kernel/tracing/trace"
  n=$(log_lines)
  bg_power off --force
  SSHP=$!
  for _ in $(seq 50); do [ "$(press_ms "$n" 2)" = held ] && break; sleep 0.1; done
  sleep 1
  check ${P}_stop_was_held [ "$(press_ms "$n" 2)" = held ]
  s=$(sets 23)
  [ "$s" = 1 ] || note "gpio trace: $(guest 'tail -5 /sys/kernel/tracing/trace')"
  check ${P}_stop_was_set_1 [ "$s" = 1 ]
  guest 'kill -TERM $(pidof sshkvm)'
  wait "$SSHP" 2>/dev/null
  check ${P}_stop_sshkvm_exited wait_until 10 sshkvm_gone
  s=$(sets 23); note "sshkvm stopped mid-press: power line set to $s"
  # pressed_then_released: the first value set was 1 (the press), the last 0.
  pressed_then_released() { [ "${s%% *}" = 1 ] && [ "${s##* }" = 0 ]; }
  check ${P}_stopped_released_by_sshkvm pressed_then_released
  # What the watcher saw is noted only: after exit the level is the pull's, whoever set it.
  note "sshkvm stopped mid-press, as the watcher saw it: $(settled "$n" 2)"
}

power_checks vm_power /tmp/audit.log

# ---- the same with libgpiod 2.x ----
check vm_power_lib_1x grep -q 'through libgpiod 1.x' <(console)
if out=$(guest 'sh /data/trixie-start.sh'); then
  note "$out"
  pass vm_power_gpiod2_starts
  power_checks vm_power_gpiod2 /tmp/audit2.log
  check vm_power_gpiod2_lib_2x guest "grep -q 'through libgpiod 2.x' /tmp/sshkvm2.log"
else
  fail vm_power_gpiod2_starts "$(guest 'cat /tmp/sshkvm2.log')"
fi

note "total ${SECONDS}s"
[ "$FAILS" -eq 0 ]

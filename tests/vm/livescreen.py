#!/usr/bin/env python3
"""livescreen: a live target for the VM tests, as an HDMI dongle and a USB port see it.

    livescreen.py PORT EVENTS WORKDIR ovmf
    livescreen.py PORT EVENTS WORKDIR linux KERNEL

Boots a QEMU guest on the host (TCG, OVMF on q35; `ovmf`: no disk, so the
firmware ends in its UEFI shell; `linux`: KERNEL with a busybox initramfs
whose getty waits on tty1, drawn by fbcon on the firmware's framebuffer) and:
- screen: takes a screendump of it every FRAME_S, JPEG-compresses it with
  cjpeg and sends it to whoever connects to 127.0.0.1:PORT (the VM's
  `v4l2util relay`, which writes it into v4l2loopback for sshkvm), each frame
  a 4-byte big-endian length and the JPEG;
- keyboard: follows EVENTS, the log of what the VM test's USB host side saw
  (tests/vm/evdump.c: "EV KEY 30 1"), and types each key press on the guest
  with the monitor's sendkey, with the modifiers held at the time. So what
  sshkvm types through its real HID gadget reaches the live target.
The guest's serial console goes to WORKDIR/NAME.serial (the truth of what
it shows); the newest screendump is WORKDIR/NAME.ppm. Runs until SIGTERM or
SIGINT, then quits QEMU. Standard library only.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../bench/textscreens"))
import capture  # noqa: E402  (its HMP monitor and busybox initramfs)

FRAME_S = 0.25
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# Linux key codes (input-event-codes.h) to QEMU's sendkey names.
KEYS = {1: "esc", 14: "backspace", 15: "tab", 28: "ret", 57: "spc", 12: "minus", 13: "equal",
        26: "bracket_left", 27: "bracket_right", 39: "semicolon", 40: "apostrophe", 41: "grave_accent",
        43: "backslash", 51: "comma", 52: "dot", 53: "slash", 103: "up", 108: "down", 105: "left",
        106: "right", 102: "home", 107: "end", 104: "pgup", 109: "pgdn", 110: "insert", 111: "delete"}
KEYS.update({2 + i: str((i + 1) % 10) for i in range(10)})
KEYS.update({59 + i: "f%d" % (i + 1) for i in range(10)})
KEYS.update({87: "f11", 88: "f12"})
for row, first in (("qwertyuiop", 16), ("asdfghjkl", 30), ("zxcvbnm", 44)):
    KEYS.update({first + i: c for i, c in enumerate(row)})
MODS = {42: "shift", 54: "shift", 29: "ctrl", 97: "ctrl", 56: "alt", 100: "alt"}

LINUX_INIT = """/bin/busybox mount -t sysfs sys /sys
/bin/busybox mkdir -p /etc /root /usr/bin /sbin
/bin/busybox --install -s
echo 'root::0:0:root:/root:/bin/sh' >/etc/passwd
echo 'root:x:0:' >/etc/group
hostname target
echo GETTY >/dev/ttyS0
while true; do setsid getty 0 tty1 linux; done
"""


class Target:
    def __init__(self, port, events, work, kind, kernel=None):
        self.events, self.work, self.kind = events, work, kind
        self.lock = threading.Lock()
        self.stop = threading.Event()
        vars_fd = os.path.join(work, kind + ".vars")
        shutil.copy(OVMF_VARS, vars_fd)
        args = ["-machine", "q35", "-device", "VGA,xres=800,yres=600",
                "-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                "-drive", "if=pflash,format=raw,file=" + vars_fd]
        if kind == "linux":
            initrd = capture.initramfs(work, {}, LINUX_INIT)
            args += ["-kernel", kernel, "-initrd", initrd,
                     "-append", "console=ttyS0 loglevel=4 vt.global_cursor_default=0"]
        # The port first: a taken port ends here, before there is a guest to leave behind.
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen(1)
        self.server.settimeout(0.5)
        # Keys typed for an earlier target are not this one's: an events log that exists
        # already is read from its end (a new one, from its start).
        try:
            st = os.stat(events)
            self.events_from = (st.st_dev, st.st_ino, st.st_size)
        except OSError:
            self.events_from = None
        sock = os.path.join(work, kind + ".mon")
        self.q = subprocess.Popen(["qemu-system-x86_64", "-accel", "tcg", "-nodefaults", "-display", "none",
                                   "-m", "256", "-nic", "none", "-monitor", "unix:%s,server,nowait" % sock,
                                   "-serial", "file:" + os.path.join(work, kind + ".serial")] + args)
        try:
            self.mon = capture.Monitor(sock, tries=200, who="livescreen")
        except BaseException:
            self.q.kill()
            self.q.wait()
            raise

    def monitor(self, line):
        with self.lock:
            return self.mon.cmd(line)

    def frames(self):
        """Accept the relay, then send it a JPEG every FRAME_S until it goes away."""
        ppm = os.path.join(self.work, self.kind + ".ppm")
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except socket.timeout:
                continue
            sent = 0
            try:
                while not self.stop.is_set():
                    due = time.monotonic() + FRAME_S
                    self.monitor("screendump %s.tmp" % ppm)
                    os.replace(ppm + ".tmp", ppm)
                    jpeg = subprocess.run(["cjpeg", "-quality", "85", ppm], capture_output=True,
                                          check=True).stdout
                    conn.sendall(len(jpeg).to_bytes(4, "big") + jpeg)
                    sent += 1
                    time.sleep(max(0.0, due - time.monotonic()))
            except (OSError, subprocess.CalledProcessError, SystemExit) as e:
                print("livescreen: %s after %d frames" % (e, sent), flush=True)
            finally:
                conn.close()
            print("livescreen: relay went away after %d frames" % sent, flush=True)

    def keys(self):
        """Type what the USB host side saw: each press, with the modifiers then down.

        EVENTS may not exist yet and may be made anew (the VM test starts its
        log at each boot): a new file is read from its start, the one there
        when this target started from where it then ended."""
        f, held, buf = None, set(), b""
        while not self.stop.is_set():
            try:
                st = os.stat(self.events)
                fs = os.fstat(f.fileno()) if f is not None else None
                if fs is None or (st.st_dev, st.st_ino) != (fs.st_dev, fs.st_ino) or st.st_size < f.tell():
                    if f is not None:
                        f.close()
                    f, buf, held = open(self.events, "rb"), b"", set()
                    if self.events_from and self.events_from[:2] == (st.st_dev, st.st_ino):
                        f.seek(min(self.events_from[2], st.st_size))
                    self.events_from = None
            except OSError:
                time.sleep(0.2)
                continue
            chunk = f.read()
            if not chunk:
                time.sleep(0.05)
                continue
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                parts = line.decode("latin-1").strip().split()
                if len(parts) != 4 or parts[:2] != ["EV", "KEY"]:
                    continue
                code, value = int(parts[2]), int(parts[3])
                if code in MODS:
                    (held.add if value else held.discard)(code)
                elif value == 1 and code in KEYS:
                    mods = sorted({MODS[m] for m in held})
                    self.monitor("sendkey %s" % "-".join(mods + [KEYS[code]]))

    def close(self):
        self.stop.set()
        try:
            self.monitor("quit")
        except (OSError, SystemExit):
            pass
        try:
            self.q.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.q.kill()
            self.q.wait()


def main():
    if len(sys.argv) < 5 or sys.argv[4] not in ("ovmf", "linux") or (sys.argv[4] == "linux") != (len(sys.argv) == 6):
        sys.exit("usage: livescreen.py PORT EVENTS WORKDIR ovmf|linux [KERNEL]")
    port, events, work, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    os.makedirs(work, exist_ok=True)
    t = Target(port, events, work, kind, sys.argv[5] if kind == "linux" else None)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    for fn in (t.frames, t.keys):
        threading.Thread(target=fn, daemon=True).start()
    print("livescreen: %s guest up, serving frames on 127.0.0.1:%d" % (kind, port), flush=True)
    while not done.wait(0.5):
        if t.q.poll() is not None:
            print("livescreen: the guest ended (%s)" % t.q.returncode, flush=True)
            break
    t.close()


if __name__ == "__main__":
    main()

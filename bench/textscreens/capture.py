#!/usr/bin/env python3
"""Capture real text screens from QEMU with their true characters.

Usage: bench/textscreens/capture.py [OUTDIR]   (default tests/data/text)

For each screen QEMU (TCG, std VGA, no display) boots something that draws
in VGA text mode; once it is drawn, the HMP monitor's `screendump` saves
the picture QEMU's VGA shows (720x400, the VGA BIOS font) and
`xp /32768xb 0xb8000` reads the text buffer, the truth. Linux scrolls the
console by moving the VGA start address, so the 80x25 window shown is
found by rendering each row-aligned window with the VGA font and keeping
the one that best matches the picture (the mismatch left is printed: it
is where QEMU's font and ours differ).

Screens:
  seabios  SeaBIOS with no disk ("No bootable device")
  grub     GRUB's text menu, from an ISO made with grub-mkrescue
  linux    a Linux console (Debian's kernel, busybox initramfs) with ANSI
           colours, bright colours, box drawing and shading characters
  dialog   a whiptail-like installer screen drawn with ANSI by the same
           initramfs: blue backdrop, grey window, shadow, buttons

Writes OUTDIR/NAME.ppm.gz (the picture) and OUTDIR/NAME.txt (25 lines of
80 cells, each four hex digits: CP437 code, VGA attribute).
"""
import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLS, ROWS = 80, 25

ESC = "\x1b"


def colors_screen():
    """A Linux console session: colours, bold, box drawing, shading."""
    out = [ESC + "[?25l" + ESC + "[H" + ESC + "[2J"]
    out.append(ESC + "[1;37;44m Linux console colours " + ESC + "[0m  root@target:~# ls --color /\r\n")
    out.append(ESC + "[1;34mbin" + ESC + "[0m  " + ESC + "[1;34mboot" + ESC + "[0m  " + ESC + "[1;36mlib64" + ESC +
               "[0m  " + ESC + "[1;32mrun.sh" + ESC + "[0m  " + ESC + "[30;42mtmp" + ESC + "[0m  " + ESC +
               "[1;31marchive.tar.gz" + ESC + "[0m  " + ESC + "[40;33;1mdev" + ESC + "[0m  README\r\n")
    for bg in range(8):
        line = ""
        for fg in range(8):
            line += ESC + "[0;3%d;4%dm gYw " % (fg, bg) + ESC + "[1;3%d;4%dm gYw " % (fg, bg)
        out.append(line + ESC + "[0m\r\n")
    out.append("\u250c" + "\u2500" * 30 + "\u252c" + "\u2500" * 20 + "\u2510   \u2554" + "\u2550" * 20 + "\u2557\r\n")
    out.append("\u2502 Box drawing, single lines    \u2502 0123456789 !@#$%^ \u2502   \u2551 double lines       \u2551\r\n")
    out.append("\u251c" + "\u2500" * 30 + "\u253c" + "\u2500" * 20 + "\u2524   \u255a" + "\u2550" * 20 + "\u255d\r\n")
    out.append("\u2502 " + ESC + "[32m\u2591\u2591\u2591\u2592\u2592\u2592\u2593\u2593\u2593\u2588\u2588\u2588" + ESC +
               "[0m shades        \u2502 " + ESC + "[1;33m\u2580\u2584\u258c\u2590 blocks" + ESC + "[0m        \u2502\r\n")
    out.append("\u2514" + "\u2500" * 30 + "\u2534" + "\u2500" * 20 + "\u2518\r\n")
    out.append("[    0.000000] Linux version 6.1.0-amd64 (debian-kernel@lists.debian.org)\r\n")
    out.append("[    1.234567] " + ESC + "[1;31mEXT4-fs error" + ESC + "[0m (device sda1): bad block bitmap\r\n")
    out.append("[  " + ESC + "[32m OK " + ESC + "[0m] Started " + ESC + "[1;39mOpenSSH server daemon" + ESC + "[0m.\r\n")
    out.append("[" + ESC + "[0;1;31mFAILED" + ESC + "[0m] Failed to start " + ESC + "[1;39mLSB: Raise network" + ESC + "[0m.\r\n")
    out.append("The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX 0O 1lI |!\r\n")
    out.append("~`{}[]()<>/\\;:'\",.?-_=+*&^%$#@! \u00e9\u00e8\u00fc\u00f6\u00e4\u00df\u00e7\u00f1 \u00a3\u00a5 \u00b1\u00b2\u00b0\u00b7 \u03c0\u03a3\u03b1\u03b2\u221e\u2248\u2264\u2265\r\n")
    out.append(ESC + "[7m reverse video " + ESC + "[0m " + ESC + "[4munderline (as colour)" + ESC + "[0m " +
               ESC + "[1;35;46m magenta on cyan " + ESC + "[0m " + ESC + "[31;47m red on grey " + ESC + "[0m\r\n")
    out.append("root@target:~# dmesg | tail -n 3\r\n")
    return "".join(out)


def dialog_screen():
    """A whiptail-like installer screen: blue backdrop, grey window, shadow."""
    o = [ESC + "[?25l" + ESC + "[0;37;44m" + ESC + "[H" + ESC + "[2J"]

    def at(r, c, s):
        o.append(ESC + "[%d;%dH" % (r, c) + s)

    at(1, 1, ESC + "[1;37;44m Debian GNU/Linux installer (sshkvm capture)" + " " * 35)
    top, left, w, h = 5, 10, 60, 15
    win = ESC + "[0;30;47m"
    border = ESC + "[1;37;47m"
    dark = ESC + "[0;30;47m"
    at(top, left, border + "\u250c" + "\u2500" * 17 + "\u2524" + ESC + "[0;31;47m [!!] Partition disks " + border +
       "\u251c" + "\u2500" * (w - 2 - 17 - 1 - 22 - 1) + dark + "\u2510")
    for r in range(1, h - 1):
        at(top + r, left, border + "\u2502" + win + " " * (w - 2) + dark + "\u2502" + ESC + "[0;40m  ")
    at(top + h - 1, left, border + "\u2514" + dark + "\u2500" * (w - 2) + "\u2518" + ESC + "[0;40m  ")
    at(top + h, left + 2, ESC + "[0;40m" + " " * w)
    at(top + 2, left + 2, win + "This is an overview of your currently configured")
    at(top + 3, left + 2, win + "partitions and mount points. Select a partition to")
    at(top + 4, left + 2, win + "modify its settings (file system, mount point, etc.).")
    items = ["  Guided partitioning", "  Configure software RAID", "  Configure encrypted volumes",
             "  SCSI3 (0,0,0) (sda) - 34.4 GB ATA QEMU HARDDISK", "  Undo changes to partitions"]
    for i, it in enumerate(items):
        style = ESC + "[0;37;41m" if i == 3 else win
        at(top + 6 + i, left + 3, style + it.ljust(52))
    at(top + 12, left + 4, win + "<Go Back>")
    at(top + 12, left + 40, ESC + "[0;37;41m<Continue>" + win)
    at(25, 1, ESC + "[0;37;44m<Tab> moves; <Space> selects; <Enter> activates buttons")
    o.append(ESC + "[0m")
    return "".join(o)


class Monitor:
    """QEMU's HMP monitor on a unix socket (bench/corpus/gen.py uses it too)."""

    def __init__(self, path, tries=100, who="capture"):
        self.who = who
        for _ in range(tries):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("%s: no QEMU monitor at %s" % (who, path))
        self.read_prompt()

    def read_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.s.recv(65536)
            if not chunk:
                sys.exit("%s: the QEMU monitor closed" % self.who)
            data += chunk
        return data.decode("latin-1")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self.read_prompt()

    def vram(self, size):
        text = self.cmd("xp /%dxb 0xb8000" % size)
        vals = []
        for m in re.finditer(r"^[0-9a-f]+:((?: 0x[0-9a-f]{2})+)", text, re.M):
            vals.extend(int(v, 16) for v in m.group(1).split())
        return bytes(vals[:size])


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6":
        sys.exit("capture: %s is not a binary PPM" % path)
    w, h = int(parts[1]), int(parts[2])
    return w, h, parts[4][: w * h * 3]


def load_font():
    src = open(os.path.join(ROOT, "src/text/font8x16.c")).read()
    font = [None] * 256
    for m in re.finditer(r"\[0x([0-9A-F]{2})\] = \{([^}]*)\}", src):
        font[int(m.group(1), 16)] = [int(x, 16) for x in m.group(2).split(",")]
    return font


PALETTE = [(0, 0, 0), (0, 0, 0xAA), (0, 0xAA, 0), (0, 0xAA, 0xAA), (0xAA, 0, 0), (0xAA, 0, 0xAA),
           (0xAA, 0x55, 0), (0xAA, 0xAA, 0xAA), (0x55, 0x55, 0x55), (0x55, 0x55, 0xFF),
           (0x55, 0xFF, 0x55), (0x55, 0xFF, 0xFF), (0xFF, 0x55, 0x55), (0xFF, 0x55, 0xFF),
           (0xFF, 0xFF, 0x55), (0xFF, 0xFF, 0xFF)]


def mismatch(window, font, pix, w):
    """Pixels where the picture differs from window drawn with our font."""
    bad = 0
    for r in range(ROWS):
        for c in range(COLS):
            ch, at = window[(r * COLS + c) * 2], window[(r * COLS + c) * 2 + 1]
            fg, bg = PALETTE[at & 15], PALETTE[at >> 4]
            glyph = font[ch]
            for y in range(16):
                bits = glyph[y] << 1
                if 0xC0 <= ch <= 0xDF:
                    bits |= glyph[y] & 1
                base = ((r * 16 + y) * w + c * 9) * 3
                for x in range(9):
                    want = fg if bits & (0x100 >> x) else bg
                    got = pix[base + x * 3: base + x * 3 + 3]
                    # QEMU's DAC has 6 bits a channel: 0xA8 for 0xAA.
                    if any(abs(g - v) > 8 for g, v in zip(got, want)):
                        bad += 1
    return bad


def window_score(window, pix, w):
    """A cheap pre-filter: cells whose background colour matches the picture's corner pixel."""
    ok = 0
    for r in range(0, ROWS, 2):
        for c in range(0, COLS, 4):
            at = window[(r * COLS + c) * 2 + 1]
            p = tuple(pix[((r * 16) * w + c * 9) * 3:((r * 16) * w + c * 9) * 3 + 3])
            ok += any(all(abs(a - b) <= 8 for a, b in zip(p, q)) for q in (PALETTE[at >> 4], PALETTE[at & 15]))
    return ok


def boot(name, args, ready, tmp, serial_ready=None):
    sock = os.path.join(tmp, name + ".mon")
    serial = os.path.join(tmp, name + ".serial")
    cmd = ["qemu-system-x86_64", "-nodefaults", "-vga", "std", "-display", "none", "-m", "256",
           "-nic", "none", "-monitor", "unix:%s,server,nowait" % sock, "-serial", "file:%s" % serial] + args
    q = subprocess.Popen(cmd)
    try:
        mon = Monitor(sock)
        deadline = time.time() + 240
        while time.time() < deadline:
            time.sleep(1)
            if serial_ready:
                if os.path.exists(serial) and serial_ready in open(serial, "rb").read().decode("latin-1"):
                    break
            elif ready in mon.vram(4000)[0::2]:
                break
        else:
            sys.exit("capture: %s never became ready" % name)
        time.sleep(2)
        ppm = os.path.join(tmp, name + ".ppm")
        mon.cmd("screendump %s" % ppm)
        vram = mon.vram(32768)
        mon.s.sendall(b"quit\n")
    finally:
        try:
            q.wait(timeout=10)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait()
    return ppm, vram


def save(name, ppm, vram, outdir, font):
    w, h, pix = read_ppm(ppm)
    if (w, h) != (720, 400):
        sys.exit("capture: %s is %dx%d, not a 720x400 text mode" % (name, w, h))
    offsets = range(0, len(vram) - COLS * ROWS * 2 + 1, COLS * 2)
    ranked = sorted(offsets, key=lambda o: -window_score(vram[o:o + COLS * ROWS * 2], pix, w))[:4]
    best = min(ranked, key=lambda o: mismatch(vram[o:o + COLS * ROWS * 2], font, pix, w))
    window = vram[best:best + COLS * ROWS * 2]
    bad = mismatch(window, font, pix, w)
    with gzip.open(os.path.join(outdir, name + ".ppm.gz"), "wb", compresslevel=9) as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h) + pix)
    with open(os.path.join(outdir, name + ".txt"), "w") as f:
        for r in range(ROWS):
            f.write("".join("%02x%02x" % (window[(r * COLS + c) * 2], window[(r * COLS + c) * 2 + 1])
                            for c in range(COLS)) + "\n")
    print("%-8s window at 0xb8000+%d, %d of %d pixels differ from our VGA font's rendering"
          % (name, best, bad, w * h))


def initramfs(tmp, files, init_body):
    """A busybox initramfs in tmp: /init mounts /dev and /proc then runs init_body; files are
    name: text (or bytes) pairs put at its root (bench/corpus/gen.py uses it too)."""
    root = os.path.join(tmp, "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "proc", "sys", "dev"):
        os.makedirs(os.path.join(root, d))
    shutil.copy("/bin/busybox", os.path.join(root, "bin/busybox"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write("#!/bin/busybox sh\n/bin/busybox mount -t devtmpfs dev /dev\n"
                "/bin/busybox mount -t proc proc /proc\n" + init_body)
    os.chmod(os.path.join(root, "init"), 0o755)
    for name, text in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
    out = os.path.join(tmp, "initrd")
    find = subprocess.run(["find", "."], cwd=root, capture_output=True, check=True)
    cpio = subprocess.run(["/bin/busybox", "cpio", "-o", "-H", "newc"], cwd=root, input=find.stdout,
                          capture_output=True, check=True)
    with open(out, "wb") as f:
        f.write(cpio.stdout)
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/data/text")
    os.makedirs(outdir, exist_ok=True)
    font = load_font()
    only = os.environ.get("SCREENS", "seabios grub linux dialog").split()
    with tempfile.TemporaryDirectory() as tmp:
        if "seabios" in only:
            save("seabios", *boot("seabios", [], b"No bootable device", tmp), outdir, font)
        if "grub" in only:
            iso_root = os.path.join(tmp, "iso")
            os.makedirs(os.path.join(iso_root, "boot/grub"))
            with open(os.path.join(iso_root, "boot/grub/grub.cfg"), "w") as f:
                f.write("set timeout=-1\nterminal_output console\n"
                        "menuentry 'Debian GNU/Linux' { true }\n"
                        "menuentry 'Advanced options for Debian GNU/Linux' { true }\n"
                        "menuentry 'Memory test (memtest86+x64.bin)' { true }\n"
                        "menuentry 'Memory test (memtest86+x64.bin, serial console)' { true }\n"
                        "menuentry 'UEFI Firmware Settings' { true }\n")
            iso = os.path.join(tmp, "grub.iso")
            subprocess.run(["grub-mkrescue", "-o", iso, iso_root], check=True, capture_output=True)
            save("grub", *boot("grub", ["-cdrom", iso], b"GNU GRUB", tmp), outdir, font)
        kdir = subprocess.run(["bash", os.path.join(ROOT, "tests/vm/kernel.sh"), "configfs"],
                              capture_output=True, text=True, check=True).stdout.strip()
        initrd = initramfs(tmp, {"colors.txt": colors_screen(), "dialog.txt": dialog_screen()},
                           "S=colors\n"
                           "case \"$(/bin/busybox cat /proc/cmdline)\" in *screen=dialog*) S=dialog;; esac\n"
                           "/bin/busybox cat /$S.txt >/dev/tty1\n"
                           "/bin/busybox sleep 1\n"
                           "echo TEXT-READY >/dev/ttyS0\n"
                           "exec /bin/busybox sleep 100000\n")
        for name in ("linux", "dialog"):
            if name not in only:
                continue
            screen = "dialog" if name == "dialog" else "colors"
            args = ["-kernel", os.path.join(kdir, "vmlinuz"), "-initrd", initrd, "-append",
                    "console=ttyS0 loglevel=0 quiet vt.global_cursor_default=0 screen=%s" % screen]
            save(name, *boot(name, args, None, tmp, serial_ready="TEXT-READY"), outdir, font)


if __name__ == "__main__":
    main()

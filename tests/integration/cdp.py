"""A tiny Chrome DevTools Protocol client over --remote-debugging-pipe.

Starts Debian's chromium headless with the protocol on file descriptors 3
(commands in) and 4 (replies and events out), NUL-separated JSON, and
attaches to the page it opened. Used by the integration tests that drive
the web page like a user: real mouse and key events, then the HID bytes
the server wrote are checked.
"""
import json
import os
import subprocess
import time


class Browser:
    def __init__(self, url, user_dir, width=1000, height=650):
        r_cmd, w_cmd = os.pipe()
        r_out, w_out = os.pipe()
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--remote-debugging-pipe", "--user-data-dir=" + user_dir,
                "--window-size=%d,%d" % (width, height), url]
        # The shell puts our pipe ends where chromium expects them: 3 and 4.
        # Move both ends above 4 first, so that neither is closed by the other's move.
        r_hi = os.dup(r_cmd) if r_cmd <= 4 else r_cmd
        w_hi = os.dup(w_out) if w_out <= 4 else w_out
        while r_hi <= 4:
            r_hi = os.dup(r_hi)
        while w_hi <= 4:
            w_hi = os.dup(w_hi)
        shell = 'exec "$0" "$@" 3<&%d 4>&%d %d<&- %d>&-' % (r_hi, w_hi, r_hi, w_hi)
        self.proc = subprocess.Popen(["sh", "-c", shell] + args, pass_fds=(r_hi, w_hi),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in {r_cmd, w_out, r_hi, w_hi}:
            os.close(fd)
        self.w = w_cmd
        self.r = r_out
        self.buf = b""
        self.next_id = 0
        self.session = None
        deadline = time.time() + 30
        while True:
            pages = [t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"]
            if pages or time.time() > deadline:
                break
            time.sleep(0.1)
        attached = self.call("Target.attachToTarget", targetId=pages[0]["targetId"], flatten=True)
        self.session = attached["sessionId"]

    def _read_message(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r, 65536)
            if not chunk:
                raise RuntimeError("chromium went away")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if self.session is not None and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_for(self, expression, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.eval(expression):
                    return True
            except RuntimeError:
                pass  # the page is still loading (or between pages)
            time.sleep(0.1)
        return False

    def click(self, x, y, button="left"):
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button=button,
                  clickCount=1)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button=button,
                  clickCount=1)

    def key(self, kind, code, key, vk, text=None):
        """kind: "down" or "up"; code: KeyboardEvent.code; vk: Windows virtual-key code."""
        params = {"type": "keyUp" if kind == "up" else ("keyDown" if text else "rawKeyDown"),
                  "code": code, "key": key, "windowsVirtualKeyCode": vk}
        if text and kind == "down":
            params["text"] = text
        self.call("Input.dispatchKeyEvent", **params)

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def picture_point(browser, px, py):
    """Page coordinates of picture pixel (px, py), and the HID position the page must send."""
    g = browser.eval("""(function () {
        var i = document.getElementById('stream'), r = i.getBoundingClientRect();
        return [r.left, r.top, r.width, r.height, i.naturalWidth, i.naturalHeight];
    })()""")
    left, top, w, h, nw, nh = g
    scale = min(w / nw, h / nh)
    ox = left + (w - nw * scale) / 2
    oy = top + (h - nh * scale) / 2
    # Whole CSS pixels, as a user's pointer lands.
    x = int(ox + (px + 0.5) * scale)
    y = int(oy + (py + 0.5) * scale)
    fx = min(max((x - ox) / (nw * scale), 0), 1)
    fy = min(max((y - oy) / (nh * scale), 0), 1)
    # Half-up rounding, as the page's Math.round does.
    return x, y, int(fx * 32767 + 0.5), int(fy * 32767 + 0.5)


def wait_size(path, size, timeout=20):
    """Wait until the file at path holds at least size bytes (a sink's reports arrived), at
    most timeout seconds times SSHKVM_SLOW; True if it does."""
    deadline = time.time() + timeout * float(os.environ.get("SSHKVM_SLOW", "1"))
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) >= size:
            return True
        time.sleep(0.05)
    return False

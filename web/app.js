// sshkvm console: the stream, a status bar, and the target's keyboard and
// mouse from the page. No framework and no external resources: the page
// must work on a LAN with no internet access.
//
// Input goes to the server as small text POSTs (see src/http/control.h):
//   /api/keys    "d CODE" / "u CODE" lines, CODE being KeyboardEvent.code
//                (the physical key, so the browser's layout does not matter)
//   /api/mouse   "X Y BUTTONS WHEEL", X and Y 0..32767 across the picture
//   /api/release everything up (sent on blur and when the tab is hidden)
//   /api/paste   text typed through the server's keymap
//   /api/control "take": take control from whoever holds it
//   /api/power   on, off, off --force, reset, cycle or wake (off, reset and cycle ask first)
//   /api/media   ?op=insert&name=N[&mode=cdrom|disk][&rw=1], ?op=eject; GET lists (JSON);
//                /api/media/upload?name=N takes the file as the raw body
//   /api/logout: end this browser's session
// A view-only login gets 403 for all of these, and 409 names who holds
// control while another session does; the answer shows in the header.
// Every POST carries the X-Sshkvm header: the server refuses requests that
// lack it, which no form on another site can add.
"use strict";

(function () {
    var POLL_MS = 1000;
    var RETRY_MS = 2000;
    var MAX_BATCH = 64;

    function $(id) {
        return document.getElementById(id);
    }

    function setText(id, text) {
        $(id).textContent = text;
    }

    function post(path, body) {
        return fetch(path, {
            method: "POST",
            headers: { "X-Sshkvm": "1", "Content-Type": "text/plain" },
            body: body,
            cache: "no-store",
            credentials: "same-origin",
        }).then(function (r) {
            return r.text().then(function (t) {
                setText("err", r.ok ? "" : t.trim());
                return { ok: r.ok, text: t };
            });
        }, function (e) {
            setText("err", "server unreachable");
            return { ok: false, text: String(e) };
        });
    }

    // A queue of POSTs to one endpoint with one request in flight, so that
    // events arrive in order; what piles up meanwhile goes as one batch.
    // Items marked "move" may be replaced by a newer move before they go;
    // an item with its own path goes alone, in its place in the order.
    function Sender(path, join) {
        var pending = [];
        var busy = false;
        function pump() {
            if (busy || pending.length === 0) {
                return;
            }
            busy = true;
            var to = pending[0].path || path;
            var n = 1;
            while (join && !pending[0].path && n < pending.length && n < MAX_BATCH &&
                   !pending[n].path) {
                n++;
            }
            var batch = pending.splice(0, n);
            post(to, batch.map(function (i) {
                return i.text;
            }).join("\n")).then(function () {
                busy = false;
                pump();
            });
        }
        return {
            push: function (text, move, otherPath) {
                var n = pending.length;
                if (move && n > 0 && pending[n - 1].move) {
                    pending[n - 1].text = text;
                } else {
                    pending.push({ text: text, move: !!move, path: otherPath });
                }
                pump();
            },
            clear: function () {
                pending.length = 0;
            },
        };
    }

    // ---- stream ----
    // If the connection drops (server restart, network), reconnect. The
    // query string only defeats caching; the server ignores it.
    var img = $("stream");
    img.addEventListener("error", function () {
        setTimeout(function () {
            img.src = "/stream?t=" + Date.now();
        }, RETRY_MS);
    });

    // ---- status bar: poll /status once a second ----
    function showStatus(s) {
        setText("source", s.source || "?");
        setText("signal", s.signal ? "yes" : "no");
        $("signal").className = s.signal ? "" : "bad";
        setText("resolution", s.resolution || "?");
        setText("fps", typeof s.fps === "number" ? s.fps.toFixed(1) : "?");
        var leds = s.leds || {};
        $("led-caps").className = "led" + (leds.caps ? " on" : "");
        $("led-num").className = "led" + (leds.num ? " on" : "");
        $("led-scroll").className = "led" + (leds.scroll ? " on" : "");
        var hid = s.hid || {};
        setText("hid", hid.state || "?");
        $("hid").className = hid.error ? "bad" : "";
        $("hid").title = hid.error || "";
        var c = s.clients || {};
        var web = c.web || [];
        setText("clients", "ssh " + (c.ssh || 0) + ", http " + (c.http || 0) +
            (web.length ? ", logged in " + web.length : ""));
        // Who: the SSH keys' fingerprints (or password users) with a web session.
        $("clients").title = web.join("\n");
        // Who holds control, and everyone connected (kind, name, address, role) on hover.
        var ctl = s.control || {};
        setText("control", ctl.mode === "shared" ? "shared" : (ctl.holder || "free"));
        $("control").title = (ctl.sessions || []).map(function (m) {
            return m.kind + " " + m.name + " from " + m.addr + ", " + m.role +
                (m.control ? ", has control" : "");
        }).join("\n");
        // The power buttons and state, when the server has --power-gpio or --wol.
        var pw = s.power;
        $("power-tools").hidden = !pw;
        $("power-item").hidden = !pw;
        if (pw) {
            setText("power", pw.pressing ? "pressing " + pw.pressing
                : pw.state + (pw.disk ? ", disk" : ""));
            $("power").className = pw.state === "absent" ? "bad" : "";
            $("power").title = pw.error || "";
            Array.prototype.forEach.call(document.querySelectorAll("button.power"), function (b) {
                b.hidden = b.dataset.action === "wake" ? !pw.wol : !pw.wired;
            });
        }
        setText("conn", "");
    }

    function poll() {
        fetch("/status", { cache: "no-store" })
            .then(function (r) {
                if (!r.ok) {
                    throw new Error(r.status === 401
                        ? "logged out: run ssh kvm@HOST web for a new login URL"
                        : "HTTP " + r.status);
                }
                return r.json();
            })
            .then(showStatus)
            .catch(function (e) {
                setText("conn", e instanceof TypeError ? "server unreachable" : e.message);
                $("conn").className = "item bad";
            })
            .then(function () {
                setTimeout(poll, POLL_MS);
            });
    }
    poll();

    // ---- keyboard ----
    var screen = $("screen");
    var keys = Sender("/api/keys", true);
    var held = {}; // codes pressed on the page and not yet released

    function keyEvent(down, code) {
        if (down) {
            held[code] = true;
        } else {
            delete held[code];
        }
        keys.push((down ? "d " : "u ") + code);
    }

    screen.addEventListener("keydown", function (e) {
        if (!e.code || e.code === "Unidentified") {
            return;
        }
        // Everything goes to the target, not the browser (as far as it lets us).
        e.preventDefault();
        if (e.repeat && held[e.code]) {
            return; // the target repeats a held key by itself
        }
        keyEvent(true, e.code);
    });
    screen.addEventListener("keyup", function (e) {
        if (!e.code || e.code === "Unidentified") {
            return;
        }
        e.preventDefault();
        keyEvent(false, e.code);
    });

    // Leaving the page must never leave a key or button down on the target.
    // The release queues behind a key request already in flight, so that it
    // cannot overtake a press.
    function releaseAll() {
        held = {};
        keys.clear();
        mouse.clear();
        buttons = 0;
        keys.push("", false, "/api/release");
    }
    window.addEventListener("blur", releaseAll);
    screen.addEventListener("blur", releaseAll);
    document.addEventListener("visibilitychange", function () {
        if (document.hidden) {
            releaseAll();
        }
    });
    screen.addEventListener("focus", function () {
        $("focus-hint").textContent = "typing goes to the target";
    });
    screen.addEventListener("blur", function () {
        $("focus-hint").textContent = "click the screen to type on the target";
    });

    // A combo: press each key in order, release in reverse.
    function sendCombo(combo) {
        var codes = combo.split("+");
        var i;
        for (i = 0; i < codes.length; i++) {
            keys.push("d " + codes[i]);
        }
        for (i = codes.length - 1; i >= 0; i--) {
            keys.push("u " + codes[i]);
        }
    }
    $("cad").addEventListener("click", function () {
        sendCombo("ControlLeft+AltLeft+Delete");
        screen.focus();
    });
    $("combo").addEventListener("change", function (e) {
        if (e.target.value) {
            sendCombo(e.target.value);
        }
        e.target.value = "";
        screen.focus();
    });
    $("release").addEventListener("click", releaseAll);
    $("logout").addEventListener("click", function () {
        releaseAll();
        post("/api/logout", "").then(function () {
            window.location.reload();
        });
    });
    Array.prototype.forEach.call(document.querySelectorAll("button.power"), function (b) {
        b.addEventListener("click", function () {
            if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
                return;
            }
            post("/api/power", b.dataset.action).then(function (r) {
                setText("err", r.text.trim());
            });
        });
    });
    $("take").addEventListener("click", function () {
        post("/api/control", "take").then(function (r) {
            if (r.ok) {
                setText("err", "");
            }
        });
    });

    // ---- mouse: absolute, 0..32767 across the picture as displayed ----
    var mouse = Sender("/api/mouse", false);
    var buttons = 0;
    var last = { x: 16384, y: 16384 };

    // The picture is letterboxed inside the <img> box (object-fit: contain).
    function position(e) {
        var r = img.getBoundingClientRect();
        var nw = img.naturalWidth || r.width;
        var nh = img.naturalHeight || r.height;
        var scale = Math.min(r.width / nw, r.height / nh);
        var w = nw * scale;
        var h = nh * scale;
        var fx = (e.clientX - r.left - (r.width - w) / 2) / w;
        var fy = (e.clientY - r.top - (r.height - h) / 2) / h;
        fx = Math.min(Math.max(fx, 0), 1);
        fy = Math.min(Math.max(fy, 0), 1);
        return { x: Math.round(fx * 32767), y: Math.round(fy * 32767) };
    }

    // Moves may be merged while a request is in flight; presses, releases
    // and wheel turns always go, in order.
    function sendMouse(p, wheel, move) {
        last = p;
        mouse.push(p.x + " " + p.y + " " + buttons + " " + wheel, move);
    }

    // DOM buttons 0 left, 1 middle, 2 right; HID bits 0 left, 1 right, 2 middle.
    var HID_BUTTON = [1, 4, 2];
    img.addEventListener("mousemove", function (e) {
        sendMouse(position(e), 0, true);
    });
    img.addEventListener("mousedown", function (e) {
        e.preventDefault();
        screen.focus();
        buttons |= HID_BUTTON[e.button] || 0;
        sendMouse(position(e), 0, false);
    });
    window.addEventListener("mouseup", function (e) {
        var bit = HID_BUTTON[e.button] || 0;
        if (buttons & bit) {
            buttons &= ~bit;
            sendMouse(e.target === img ? position(e) : last, 0, false);
        }
    });
    img.addEventListener("contextmenu", function (e) {
        e.preventDefault();
    });
    img.addEventListener("wheel", function (e) {
        e.preventDefault();
        if (e.deltaY !== 0) {
            sendMouse(position(e), e.deltaY < 0 ? 1 : -1, false); // positive: up
        }
    }, { passive: false });

    // ---- paste ----
    $("paste-open").addEventListener("click", function () {
        setText("paste-result", "");
        $("paste").showModal();
    });
    $("paste-send").addEventListener("click", function () {
        var text = $("paste-text").value;
        setText("paste-result", "typing\u2026");
        post("/api/paste", text).then(function (r) {
            setText("paste-result", r.ok ? "typed" : r.text.trim());
        });
    });

    // ---- boot media: GET /api/media lists; POST ?op= inserts, ejects; uploads stream ----
    function mediaRefresh() {
        return fetch("/api/media", { cache: "no-store", credentials: "same-origin" })
            .then(function (r) {
                return r.ok ? r.json() : r.text().then(function (t) {
                    throw new Error(t.trim());
                });
            })
            .then(function (list) {
                var body = $("media-list").tBodies[0];
                var names = $("media-name");
                var chosen = names.value;
                body.textContent = "";
                names.textContent = "";
                list.forEach(function (m) {
                    var tr = body.insertRow();
                    [m.name, (m.size / 1048576).toFixed(1) + " MiB", m.sha256.slice(0, 16) + "\u2026",
                        m.inserted || "-"].forEach(function (v) {
                        tr.insertCell().textContent = v;
                    });
                    tr.cells[2].title = m.sha256;
                    var o = document.createElement("option");
                    o.value = o.textContent = m.name;
                    names.appendChild(o);
                });
                if (chosen) {
                    names.value = chosen;
                }
            }, function (e) {
                setText("media-result", e.message);
            });
    }
    function mediaOp(query) {
        post("/api/media?" + query, "").then(function (r) {
            setText("media-result", r.text.trim());
            mediaRefresh();
        });
    }
    $("media-open").addEventListener("click", function () {
        setText("media-result", "");
        mediaRefresh();
        $("media").showModal();
    });
    $("media-insert").addEventListener("click", function () {
        var q = "op=insert&name=" + encodeURIComponent($("media-name").value);
        if ($("media-mode").value) {
            q += "&mode=" + $("media-mode").value;
        }
        mediaOp(q + ($("media-rw").checked ? "&rw=1" : ""));
    });
    $("media-eject").addEventListener("click", function () {
        mediaOp("op=eject");
    });
    // The file goes as the raw body, read from disk as it is sent, with progress.
    $("media-upload").addEventListener("click", function () {
        var f = $("media-file").files[0];
        if (!f) {
            setText("media-result", "choose a file first");
            return;
        }
        var x = new XMLHttpRequest();
        x.open("POST", "/api/media/upload?name=" + encodeURIComponent(f.name));
        x.setRequestHeader("X-Sshkvm", "1");
        x.setRequestHeader("Content-Type", "application/octet-stream");
        x.upload.onprogress = function (e) {
            setText("media-result", f.name + ": " + Math.floor((100 * e.loaded) / f.size) + "%");
        };
        x.onload = function () {
            setText("media-result", x.responseText.trim());
            mediaRefresh();
        };
        x.onerror = function () {
            setText("media-result", f.name + ": the upload failed (nothing stored)");
        };
        x.send(f);
    });

    screen.focus();
})();

// sshkvm serial console: the target's serial ports in a terminal emulator
// (xterm.js from npm, shipped in web/vendor/; scripts/vendor-xterm.sh).
//
// The server's side is src/http/serialapi.c, plain HTTP:
//   GET  /api/serial                      this login's role, who else holds control,
//                                         and the ports (JSON)
//   GET  /api/serial/NAME/stream?rows&cols the last screenful, then the port's
//                                         output as it comes, bytes exact
//   POST /api/serial/NAME/write           typed bytes, exact (UTF-8 for text)
//   POST /api/serial/NAME/break           a break on the port
//   POST /api/serial/NAME/take            control of the port, from whoever has it
// Writing needs control as the keyboard does: a view-only login gets 403
// (and the page says "view only" and does not try), 409 names who holds
// control. The "serial" button shows the terminal in the screen's place.
"use strict";

(function () {
    var RETRY_MS = 2000;
    var POLL_MS = 3000;
    var MAX_WRITE = 4096; // the server's SK_SERIALAPI_MAX_WRITE

    function $(id) {
        return document.getElementById(id);
    }

    var term = null;
    var fit = null;
    var port = ""; // the port shown
    var role = "control";
    var ports = {};
    var stream = null; // the AbortController of the stream being read
    var pending = []; // typed bytes not sent yet, in order, each with its port: {port, bytes}
    var sending = false;

    function say(text, bad) {
        $("serial-state").textContent = text;
        $("serial-state").className = bad ? "bad" : "";
    }

    function portLine() {
        var p = ports[port];
        if (!p) {
            return port;
        }
        return p.name + ": " + p.device + " " + p.settings + " " + p.state +
            (p.error ? " (" + p.error + ")" : "") +
            (role === "view" ? ", view only" : p.holder ? ", no control: " + p.holder + " has it" : "");
    }

    // The port's line, in red while the port is not open (absent, in error).
    function sayPort(extra) {
        var p = ports[port];
        say(portLine() + (extra || ""), !p || p.state !== "open");
    }

    function post(path, body) {
        return fetch(path, {
            method: "POST",
            headers: { "X-Sshkvm": "1", "Content-Type": "application/octet-stream" },
            body: body,
            cache: "no-store",
            credentials: "same-origin",
        }).then(function (r) {
            return r.text().then(function (t) {
                return { ok: r.ok, status: r.status, text: t.trim() };
            });
        }, function () {
            return { ok: false, status: 0, text: "server unreachable" };
        });
    }

    function path(what, name) {
        return "/api/serial/" + encodeURIComponent(name || port) + "/" + what;
    }

    // One write in flight at a time, so that bytes arrive in the order typed;
    // what piles up meanwhile goes together (up to MAX_WRITE at a time), each
    // to the port it was typed on (another port may be shown by then).
    function pump() {
        if (sending || pending.length === 0) {
            return;
        }
        var to = pending[0].port;
        var total = 0;
        var n = 0;
        while (n < pending.length && pending[n].port === to &&
               total + pending[n].bytes.length <= MAX_WRITE) {
            total += pending[n].bytes.length;
            n++;
        }
        // n is at least 1: type() queues no piece longer than MAX_WRITE.
        var parts = pending.splice(0, n).map(function (p) {
            return p.bytes;
        });
        var body = new Uint8Array(total);
        var at = 0;
        parts.forEach(function (p) {
            body.set(p, at);
            at += p.length;
        });
        sending = true;
        post(path("write", to), body).then(function (r) {
            sending = false;
            if (r.ok) {
                sayPort();
            } else {
                say(r.status === 403 ? "view only: this login may watch, not type" : r.text, true);
            }
            pump();
        });
    }

    function type(data) {
        if (role === "view") {
            say("view only: this login may watch, not type", true);
            return;
        }
        var bytes = new TextEncoder().encode(data);
        for (var i = 0; i < bytes.length; i += MAX_WRITE) {
            pending.push({ port: port, bytes: bytes.subarray(i, i + MAX_WRITE) });
        }
        pump();
    }

    // Read the port's stream into the terminal until it ends, then again.
    function connect() {
        disconnect();
        var mine = new AbortController();
        stream = mine;
        term.reset();
        var url = path("stream") + "?rows=" + term.rows + "&cols=" + term.cols;
        fetch(url, { cache: "no-store", credentials: "same-origin", signal: mine.signal })
            .then(function (r) {
                if (!r.ok) {
                    return r.text().then(function (t) {
                        throw new Error(t.trim() || "HTTP " + r.status);
                    });
                }
                sayPort();
                var reader = r.body.getReader();
                function next() {
                    return reader.read().then(function (c) {
                        if (c.done) {
                            throw new Error("the stream ended");
                        }
                        term.write(c.value);
                        return next();
                    });
                }
                return next();
            })
            .catch(function (e) {
                if (stream !== mine) {
                    return; // another port was picked: this one was let go on purpose
                }
                say(port + ": " + e.message + "; again in a moment", true);
                setTimeout(function () {
                    if (stream === mine && !$("serial").hidden) {
                        connect();
                    }
                }, RETRY_MS);
            });
    }

    function disconnect() {
        if (stream) {
            stream.abort();
            stream = null;
        }
    }

    function refresh() {
        return fetch("/api/serial", { cache: "no-store", credentials: "same-origin" })
            .then(function (r) {
                return r.ok ? r.json() : null;
            })
            .then(function (j) {
                if (!j) {
                    return;
                }
                role = j.role;
                ports = {};
                var pick = $("serial-port");
                var names = j.ports.map(function (p) {
                    ports[p.name] = p;
                    return p.name;
                });
                if (pick.options.length !== names.length) {
                    pick.textContent = "";
                    names.forEach(function (n) {
                        var o = document.createElement("option");
                        o.value = n;
                        o.textContent = n;
                        pick.appendChild(o);
                    });
                }
                $("serial-open").hidden = names.length === 0;
                $("serial-break").disabled = role === "view";
                $("serial-take").disabled = role === "view";
                if (stream && ports[port]) {
                    sayPort();
                }
            }, function () {});
    }

    function open(name) {
        $("screen").hidden = true;
        $("serial").hidden = false;
        $("serial-open").textContent = "screen";
        if (!term) {
            term = new window.Terminal({ convertEol: false, scrollback: 5000 });
            fit = new window.FitAddon.FitAddon();
            term.loadAddon(fit);
            term.open($("serial-term"));
            term.onData(type);
            window.addEventListener("resize", function () {
                if (!$("serial").hidden) {
                    fit.fit();
                }
            });
        }
        fit.fit();
        port = name || $("serial-port").value;
        $("serial-port").value = port;
        connect();
        term.focus();
    }

    function close() {
        disconnect();
        $("serial").hidden = true;
        $("screen").hidden = false;
        $("serial-open").textContent = "serial";
        $("screen").focus();
    }

    $("serial-open").addEventListener("click", function () {
        if ($("serial").hidden) {
            open();
        } else {
            close();
        }
    });
    $("serial-port").addEventListener("change", function () {
        open($("serial-port").value);
    });
    $("serial-break").addEventListener("click", function () {
        post(path("break"), "").then(function (r) {
            if (r.ok) {
                sayPort(": break sent");
            } else {
                say(r.text, true);
            }
            term.focus();
        });
    });

    $("serial-take").addEventListener("click", function () {
        post(path("take"), "").then(function (r) {
            if (r.ok) {
                refresh().then(function () {
                    sayPort(": you have control");
                });
            } else {
                say(r.text, true);
            }
            term.focus();
        });
    });

    refresh();
    setInterval(refresh, POLL_MS);
    // For tests and the curious: the terminal and how to open a port.
    window.sshkvmSerial = {
        open: function (name) {
            return refresh().then(function () {
                open(name);
            });
        },
        terminal: function () {
            return term;
        },
    };
})();

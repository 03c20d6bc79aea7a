// sshkvm viewer: keeps the stream connected and the status bar current.
// No framework and no external resources: the page must work on a LAN with
// no internet access.
"use strict";

(function () {
    var POLL_MS = 1000;
    var RETRY_MS = 2000;

    function $(id) {
        return document.getElementById(id);
    }

    function setText(id, text) {
        $(id).textContent = text;
    }

    // Stream: if the connection drops (server restart, network), reconnect.
    // The query string only defeats caching; the server ignores it.
    var img = $("stream");
    img.addEventListener("error", function () {
        setTimeout(function () {
            img.src = "/stream?t=" + Date.now();
        }, RETRY_MS);
    });

    // Status bar: poll /status once a second.
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
        setText("clients", "ssh " + (c.ssh || 0) + ", http " + (c.http || 0));
        setText("conn", "");
    }

    function poll() {
        fetch("/status", { cache: "no-store" })
            .then(function (r) {
                if (!r.ok) {
                    throw new Error("HTTP " + r.status);
                }
                return r.json();
            })
            .then(showStatus)
            .catch(function () {
                setText("conn", "server unreachable");
                $("conn").className = "item bad";
            })
            .then(function () {
                setTimeout(poll, POLL_MS);
            });
    }
    poll();

    // Input: keyboard and mouse control from the page is a later issue. It
    // belongs here, attached to #screen, turning browser events into
    // requests to the server. Until then the page is view-only.
})();

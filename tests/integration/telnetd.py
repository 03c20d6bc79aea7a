#!/usr/bin/env python3
"""A telnet server standing in for a terminal server's port, for test_serial_telnet.

    telnetd.py PORT DIR [rfc2217]

Listens on 127.0.0.1:PORT, one connection at a time. On each connection it
opens as QEMU does (WILL ECHO, WILL SGA, WILL BINARY, DO BINARY) and asks
for one option sshkvm should refuse (DO NAWS). What it receives is decoded
as telnet: serial data bytes (IAC IAC as one 0xff) are appended to
DIR/data, commands and negotiations to DIR/events, one a line ("BREAK",
"DO 1", "WONT 31", "SB 44 ..."). The data "GO!" makes it send DIR/payload,
0xff doubled; "HANGUP!" makes it hang up and listen again only after 3
seconds. With rfc2217 it agrees to COM-PORT-OPTION (DO 44) when offered.
It writes DIR/ready once it listens.
"""
import os
import socket
import sys
import time

IAC, SB, SE, BRK = 255, 250, 240, 243
NAMES = {251: "WILL", 252: "WONT", 253: "DO", 254: "DONT"}


def serve(conn, d, rfc2217):
    conn.sendall(bytes([IAC, 251, 1, IAC, 251, 3, IAC, 251, 0, IAC, 253, 0, IAC, 253, 31]))
    payload = open(os.path.join(d, "payload"), "rb").read()
    data = open(os.path.join(d, "data"), "ab", buffering=0)
    events = open(os.path.join(d, "events"), "a", buffering=1)
    state, cmd, sb, seen = "data", 0, bytearray(), bytearray()
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        out = bytearray()
        for b in chunk:
            if state == "data":
                if b == IAC:
                    state = "iac"
                else:
                    out.append(b)
            elif state == "iac":
                if b == IAC:
                    out.append(IAC)
                    state = "data"
                elif b in NAMES:
                    cmd, state = b, "opt"
                elif b == SB:
                    sb, state = bytearray(), "sb"
                else:
                    events.write("BREAK\n" if b == BRK else "CMD %d\n" % b)
                    state = "data"
            elif state == "opt":
                events.write("%s %d\n" % (NAMES[cmd], b))
                if rfc2217 and NAMES[cmd] == "WILL" and b == 44:
                    conn.sendall(bytes([IAC, 253, 44]))
                state = "data"
            elif state == "sb":
                if b == IAC:
                    state = "sbiac"
                else:
                    sb.append(b)
            elif state == "sbiac":
                if b == SE:
                    events.write("SB %s\n" % " ".join(str(x) for x in sb))
                    state = "data"
                else:
                    sb.append(b)
                    state = "sb"
        data.write(bytes(out))
        seen += out
        if b"GO!" in seen:
            conn.sendall(payload.replace(b"\xff", b"\xff\xff"))
            seen = bytearray()
        if b"HANGUP!" in seen:
            return True
        seen = seen[-8:]


def main():
    port, d, rfc2217 = int(sys.argv[1]), sys.argv[2], sys.argv[3:] == ["rfc2217"]
    while True:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", port))
        ls.listen(1)
        open(os.path.join(d, "ready"), "w").close()
        conn, _ = ls.accept()
        ls.close()
        hang_up = serve(conn, d, rfc2217)
        conn.close()
        if hang_up:
            time.sleep(3)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# A serial port reached over telnet (--serial NAME=telnet:HOST:PORT), with the
# real binary and OpenSSH against a small telnet server (telnetd.py) that
# stands in for a terminal server's port and notes every byte and command it
# is sent. Checks: the port shows open in serial --list; sshkvm refuses the
# option it does not know and accepts the server's echo; the raw pipe, both
# ways, every byte value (0x00 and 0xff among them), exact after telnet's
# escaping; serial --break arrives as IAC BREAK; a server that hangs up and is
# away makes the port absent with the reason, and it is connected again; a
# badly written address is refused at start (exit status 2). A second server
# agrees to RFC 2217: it is sent the port's settings, and the terminal menu's
# speed change reaches it, while on the first the menu says it cannot.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "FAIL telnet_python: python3 is not installed (scripts/deps.sh test)"; exit 1; }

D=$T/telnetd R=$T/rfc2217
mkdir -p "$D" "$R"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' >"$T/bin"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(255, -1, -1)) * 4 + b"\r\n\0END")' >"$D/payload"
TPORT=$(free_port)
python3 "$ROOT/tests/integration/telnetd.py" "$TPORT" "$D" 2>"$T/telnetd.err" &
TELNETD=$!
RPORT=$(free_port)
cp "$D/payload" "$R/payload"
python3 "$ROOT/tests/integration/telnetd.py" "$RPORT" "$R" rfc2217 2>"$T/rfc2217.err" &
RFC2217D=$!
SSHS=()
trap 'kill $TELNETD $RFC2217D "${SSHS[@]}" 2>/dev/null; wait $TELNETD $RFC2217D 2>/dev/null; cleanup' EXIT
both_ready() { test -e "$D/ready" && test -e "$R/ready"; }
wait_until 10 both_ready || { echo "FAIL telnet_server: $(cat "$T/telnetd.err" "$T/rfc2217.err")"; exit 1; }

start_sshkvm --serial "tn=telnet:127.0.0.1:$TPORT" --serial "rf=telnet:127.0.0.1:$RPORT,57600,7e2,xonxoff" || exit 1
listed_open() { kssh serial --list | grep -qF "tn	telnet:127.0.0.1:$TPORT	115200 8n1	open"; }
check telnet_list_open wait_until 10 listed_open
# The opening: the server's DO NAWS refused (WONT 31), its WILL ECHO accepted (DO 1).
check telnet_refuses_naws wait_until 5 has "$D/events" 'WONT 31'
check telnet_accepts_echo has "$D/events" 'DO 1'

# The pipe: "GO!" and every byte value four times to the server, which answers "GO!" with
# its payload (every value, 0x00, CR LF); both exact on the other side.
printf 'GO!' >"$T/in"
cat "$T/bin" >>"$T/in"
{ cat "$T/in"; sleep 3; } | kssh serial tn >"$T/out"; rc=$?
check telnet_pipe_exit_0 [ "$rc" -eq 0 ]
check telnet_pipe_to_server_exact cmp -s "$T/in" "$D/data"
check telnet_pipe_from_server_exact cmp -s "$D/payload" "$T/out"

# A break is telnet's IAC BREAK.
kssh serial --break tn; rc=$?
check telnet_break_exit_0 [ "$rc" -eq 0 ]
check telnet_break_is_iac_break wait_until 5 has "$D/events" 'BREAK'

# The server hangs up and is away 3 s: absent with why, then connected again.
kssh serial --send tn 'HANGUP!'
absent_why() { kssh serial --list | grep -Eq "	absent \((the server closed the connection|cannot connect to 127.0.0.1 port $TPORT \(Connection refused\))\)$"; }
check telnet_hangup_absent wait_until 5 absent_why
check telnet_reconnects wait_until 10 listed_open
check telnet_status_reopens status_has '"name":"tn",[^}]*"reopens":1'

# RFC 2217: the settings as sent (57600 is 0 0 225 0; 7 bits, even parity 3, 2 stop bits,
# XON/XOFF 2), and the menu's speed change (3: 38400, 0 0 150 0).
check rfc2217_settings_sent wait_until 5 has "$R/events" 'SB 44 1 0 0 225 0'
check rfc2217_framing_sent bash -c "grep -qx 'SB 44 2 7' '$R/events' && grep -qx 'SB 44 3 3' '$R/events' && grep -qx 'SB 44 4 2' '$R/events' && grep -qx 'SB 44 5 2' '$R/events'"
tty_attach rf id kvm "serial rf"
tty_attach tn id kvm "serial tn"
check rfc2217_attach wait_until 10 has "$T/rf.out" 'Ctrl+] for the menu]'
check telnet_attach wait_until 10 has "$T/tn.out" 'Ctrl+] for the menu]'
printf '\035s3' >&"$FD_rf"
check rfc2217_menu_speed wait_until 10 has "$T/rf.out" 'now 38400 baud'
check rfc2217_speed_sent wait_until 5 has "$R/events" 'SB 44 1 0 0 150 0'
check rfc2217_speed_listed bash -c "ssh ${SSH_OPTS[*]} -i '$T/id' -p $SSH_PORT kvm@127.0.0.1 serial --list | grep -q '^rf	.*	38400 7e2 xonxoff	open$'"
# The other port's server does not agree: the menu says so (control taken first: the
# first session holds it).
printf '\035t\035s1' >&"$FD_tn"
check telnet_menu_speed_refused wait_until 10 has "$T/tn.out" 'cannot set 9600 baud: the telnet server did not agree to RFC 2217'
check telnet_no_subnegotiation bash -c "! grep -q '^SB' '$D/events'"
printf '\035q' >&"$FD_rf"
printf '\035q' >&"$FD_tn"
wait "${SSHS[@]}"

# A bad address never starts.
"$BIN" --serial 'x=telnet:bad host:23' 2>"$T/bad.err"; rc=$?
check telnet_bad_address_exit_2 [ "$rc" -eq 2 ]
check telnet_bad_address_said grep -q 'the host is not a host name' "$T/bad.err"
finish

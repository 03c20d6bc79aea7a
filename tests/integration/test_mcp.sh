#!/usr/bin/env bash
# test_mcp: `ssh kvm@HOST mcp`, the Model Context Protocol server, with real MCP
# clients over the real OpenSSH client: the official TypeScript SDK's client
# (StdioClientTransport spawning ssh) drives the demo target through a scenario
# (tests/helpers/mcp_client.mjs: read the BIOS menu as text, another page with keys,
# type into a field, wait for it, read it back, screenshots, errors as results, a
# cancelled call); a view-only key sees and may call only the reading tools; the
# inspector's CLI mode lists the tools; raw lines get JSON-RPC's exact answers; the
# audit names each tool, never the typed text; a hold cancelled in-band or by the
# client going leaves no key down (exact report bytes, file: sink); a screen that is not
# text is a tool error, its screenshot still an image.
# npm packages are installed once under build/npm-mcp (pinned versions).
. "$(dirname "$0")/lib.sh"

NPM_DIR=$ROOT/build/npm-mcp
NM=$NPM_DIR/node_modules
SDK_VERSION=1.32.2
INSPECTOR_VERSION=0.15.0
if [ ! -f "$NM/@modelcontextprotocol/sdk/package.json" ] || [ ! -f "$NM/@modelcontextprotocol/inspector/package.json" ]; then
  mkdir -p "$NPM_DIR"
  [ -f "$NPM_DIR/package.json" ] || echo '{"private":true}' >"$NPM_DIR/package.json"
  (cd "$NPM_DIR" && npm install --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/sdk@$SDK_VERSION" "@modelcontextprotocol/inspector@$INSPECTOR_VERSION") >"$T/npm.log" 2>&1 ||
    { fail npm_install "$(tail -5 "$T/npm.log")"; exit 1; }
fi

ssh-keygen -q -t ed25519 -N '' -C viewer -f "$T/viewer" >/dev/null
echo "sshkvm-role=view $(cat "$T/viewer.pub")" >>"$T/authorized_keys"
AUDIT=$T/audit.log
start_sshkvm --audit-log "$AUDIT" || exit 1
wait_until 20 captured
SSH=(ssh "${SSH_OPTS[@]}" -p "$SSH_PORT")

# The SDK's client, with the control key and with the view-only key.
node "$ROOT/tests/helpers/mcp_client.mjs" "$NM" scenario "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp
check mcp_sdk_scenario_exit_0 test $? -eq 0
node "$ROOT/tests/helpers/mcp_client.mjs" "$NM" view "${SSH[@]}" -i "$T/viewer" kvm@127.0.0.1 mcp
check mcp_sdk_view_exit_0 test $? -eq 0

# The audit: one line per tool call naming the tool, the command's own line, never the text.
check mcp_audit_tool_call grep -Eq 'event=command who="sshkvm-test" addr="127\.0\.0\.1:[0-9]+" cmd=mcp tool="type_text"$' "$AUDIT"
check mcp_audit_command_line grep -Eq 'who="sshkvm-test" .* cmd=type$' "$AUDIT"
check mcp_audit_view_refused grep -Eq 'event=refused who="viewer" .*type' "$AUDIT"
# (wait's text, what is looked for on the screen, is named as the wait command names it.)
check mcp_audit_no_typed_text bash -c "! grep -v 'cmd=wait ' '$AUDIT' '$T/sshkvm.log' | grep -qE 'MCP Agent|Pasted by MCP'"

# The inspector's command-line mode.
names() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).tools.map(t=>t.name).join(",")))'; }
(cd "$NPM_DIR" && timeout 60 npx --no-install @modelcontextprotocol/inspector --cli "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp \
  --method tools/list) >"$T/insp.json" 2>"$T/insp.err"
check mcp_inspector_exit_0 test $? -eq 0
check mcp_inspector_lists_tools test "$(names <"$T/insp.json")" = \
  "read_screen,screenshot,wait_for_text,wait_for_settle,type_text,press_keys,hold_keys,mouse,paste,status,serial_list,serial_send,serial_wait,power_status,power,media_list,media_insert,media_eject"
(cd "$NPM_DIR" && timeout 60 npx --no-install @modelcontextprotocol/inspector --cli "${SSH[@]}" -i "$T/viewer" kvm@127.0.0.1 mcp \
  --method tools/list) >"$T/insp-view.json" 2>>"$T/insp.err"
check mcp_inspector_view_lists_reading_tools test "$(names <"$T/insp-view.json")" = \
  "read_screen,screenshot,wait_for_text,wait_for_settle,status,serial_list,serial_wait,power_status,media_list"

# Raw lines: each gets JSON-RPC's answer, byte for byte, and the session goes on.
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}'
{
  echo '{"jsonrpc":"2.0","id":0,"method":"tools/call","params":{"name":"status"}}'
  echo "$INIT"
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"'
  echo '[{"jsonrpc":"2.0","id":3,"method":"ping"}]'
  echo '"ping"'
  echo '{"jsonrpc":"2.0","id":4,"method":"prompts/list"}'
  echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"reboot"}}'
  echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"press_keys","arguments":{"keys":[]}}}'
  echo '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"press_keys","arguments":{"keys":["nosuchkey"]}}}'
  echo '{"jsonrpc":"2.0","id":"last","method":"ping"}'
} | "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp >"$T/raw.out"
check mcp_raw_exit_0 test $? -eq 0
line() { sed -n "$1p" "$T/raw.out"; }
check mcp_raw_before_initialize test "$(line 1)" = '{"jsonrpc":"2.0","id":0,"error":{"code":-32600,"message":"initialize first"}}'
check mcp_raw_initialize grep -q '^{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"sshkvm"' <(line 2)
check mcp_raw_malformed grep -q '^{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: ' <(line 3)
check mcp_raw_batch test "$(line 4)" = '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: batches are not supported"}}'
check mcp_raw_not_object test "$(line 5)" = '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: a message is a JSON object"}}'
check mcp_raw_unknown_method test "$(line 6)" = '{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"method not found: prompts/list"}}'
check mcp_raw_unknown_tool test "$(line 7)" = '{"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"unknown tool: reboot"}}'
check mcp_raw_bad_arguments test "$(line 8)" = '{"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"press_keys: invalid arguments: '"'keys'"': must have at least 1 items"}}'
check mcp_raw_tool_error_is_result grep -q '^{"jsonrpc":"2.0","id":7,"result":{"content":\[{"type":"text","text":"key: unknown key '"'nosuchkey'"' in '"'nosuchkey'"'\\n"}\],"isError":true}}$' <(line 9)
check mcp_raw_session_lives test "$(line 10)" = '{"jsonrpc":"2.0","id":"last","result":{}}'
check mcp_raw_ten_answers test "$(wc -l <"$T/raw.out")" -eq 10
stop_sshkvm

# A picture that is not text (ffmpeg's test pattern): read_screen says so as a tool error,
# screenshot still gives it. Then holds against exact report bytes: cancelled in-band, then
# the client killed mid-hold.
KBD=$T/kbd.bin
make_mjpeg "$T/in.mjpeg" 30
start_sshkvm --video "file:$T/in.mjpeg" --hid "file:$KBD" --mouse none || exit 1
wait_until 20 captured
SSH=(ssh "${SSH_OPTS[@]}" -p "$SSH_PORT")
{
  echo "$INIT"
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_screen"}}'
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"screenshot"}}'
} | "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp >"$T/graphics.out"
check mcp_not_text_is_error grep -q '^{"jsonrpc":"2.0","id":2,"result":{"content":\[{"type":"text","text":"the screen is not text (read as .*"isError":true}}$' "$T/graphics.out"
check mcp_not_text_screenshot grep -q '^{"jsonrpc":"2.0","id":3,"result":{"content":\[{"type":"image","data":"/9j/.*"structuredContent":{"width":320,"height":240,' "$T/graphics.out"
last() { tail -c 8 "$KBD" | hex; }
released() { [ "$(last)" = "$ZERO" ]; }
f12_down() { [ "$(last)" = "00 00 45 00 00 00 00 00" ]; }
HOLD='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"hold_keys","arguments":{"keys":["f12"],"duration_ms":20000}}}'
t0=$(date +%s)
{
  echo "$INIT"
  echo "$HOLD"
  sleep 1
  echo '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"test"}}'
  echo '{"jsonrpc":"2.0","id":3,"method":"ping"}'
} | "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp >"$T/cancel.out"
check mcp_cancel_hold_quick test $(($(date +%s) - t0)) -lt 10
check mcp_cancel_hold_released released
check mcp_cancel_hold_no_answer test "$(cut -c1-24 "$T/cancel.out" | tr '\n' ' ')" = '{"jsonrpc":"2.0","id":1, {"jsonrpc":"2.0","id":3, '

mkfifo "$T/fifo"
(exec "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp <"$T/fifo" >"$T/kill.out") &
CPID=$!
exec 7>"$T/fifo"
printf '%s\n%s\n' "$INIT" "$HOLD" >&7
wait_until 10 f12_down
check mcp_hold_is_down f12_down
kill -TERM $CPID
wait $CPID 2>/dev/null
exec 7>&-
wait_until 3 released
check mcp_disconnect_mid_hold_released released
wait_until 5 status_has '"queued":0,'
check mcp_disconnect_nothing_queued status_has '"queued":0,'

# Boot media and power as tools: a stored image listed, inserting it without a gadget an error
# result, power without GPIO wiring an error result, a Wake-on-LAN packet sent through the tool
# and received on a loopback socket; a view-only key lists the media and power state only.
stop_sshkvm
mkdir -p "$T/media"
python3 - "$T/udp.port" "$T/udp.got" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(60)
data, _ = s.recvfrom(4096)
open(sys.argv[2], "wb").write(data)
PY
wait_until 10 test -s "$T/udp.port"
start_sshkvm --media-dir "$T/media" --media-gadget "$T/nogadget" --wol "02:00:00:aa:bb:cc,127.0.0.1:$(cat "$T/udp.port")" || exit 1
SSH=(ssh "${SSH_OPTS[@]}" -p "$SSH_PORT")
head -c 65536 /dev/urandom >"$T/disk.img"
"${SSH[@]}" -i "$T/id" kvm@127.0.0.1 media put disk.img <"$T/disk.img" >/dev/null
{
  echo "$INIT"
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"media_list"}}'
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"media_insert","arguments":{"name":"disk.img","mode":"disk"}}}'
  echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"power_status"}}'
  echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"power","arguments":{"action":"reset"}}}'
  echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"power","arguments":{"action":"wake"}}}'
  echo '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"media_insert","arguments":{"name":"../etc/passwd"}}}'
} | "${SSH[@]}" -i "$T/id" kvm@127.0.0.1 mcp >"$T/dev.out"
check mcp_media_list_names_image bash -c "grep '\"id\":2,' '$T/dev.out' | grep 'disk.img' | grep -q '\"isError\":false'"
check mcp_media_insert_no_gadget_is_error bash -c "grep '\"id\":3,' '$T/dev.out' | grep -q '\"isError\":true'"
check mcp_power_status_answers bash -c "grep '\"id\":4,\"result\"' '$T/dev.out' | grep -q 'power: unknown'"
check mcp_power_reset_without_gpio_is_error bash -c "grep '\"id\":5,' '$T/dev.out' | grep -q '\"isError\":true'"
check mcp_power_wake_ok bash -c "grep '\"id\":6,' '$T/dev.out' | grep -q '\"isError\":false'"
wait_until 10 test -s "$T/udp.got"
check mcp_power_wake_packet test "$(od -An -v -tx1 "$T/udp.got" | tr -d ' \n' | cut -c1-24)" = ffffffffffff020000aabbcc
check mcp_media_bad_name_is_error bash -c "grep '\"id\":7,' '$T/dev.out' | grep -q '\"isError\":true'"
{
  echo "$INIT"
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"media_list"}}'
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"power","arguments":{"action":"wake"}}}'
} | "${SSH[@]}" -i "$T/viewer" kvm@127.0.0.1 mcp >"$T/devview.out"
check mcp_view_media_list_ok bash -c "grep '\"id\":2,' '$T/devview.out' | grep -q disk.img"
check mcp_view_power_refused bash -c "grep '\"id\":3,' '$T/devview.out' | grep -q 'view-only'"
finish

#!/usr/bin/env bash
# bench_mcp: what an agent spends through `ssh kvm@HOST mcp` on the demo target.
#  1. Reading one BIOS screen: the bytes of the JSON-RPC answer of the read_screen tool (text)
#     against the screenshot tool's (a base64 JPEG, whole and scaled to 360 px wide), and an
#     estimate of tokens assuming 4 bytes a token (the usual rule of thumb for English text;
#     for the image, a model's tokenizer counts pixels, not bytes: the answer's bytes are what
#     crosses the wire and what a client that inlines the image as text would spend; the
#     pixel-based figure, width x height / 750 as Anthropic documents for Claude, is printed too).
#  2. The round-trip time of a tool call over ssh: median of N calls of the status tool in one
#     MCP session, against the baseline of a plain `ssh kvm@HOST status` (a whole ssh connection
#     per call), measured in the same run.
#   bench/bench_mcp.sh [N]   (default 50)
# BENCH_SMOKE=1: N=3 (make test's check that it runs). Exits non-zero when a run fails.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/integration/lib.sh" >/dev/null
N=${1:-50}
[ "${BENCH_SMOKE:-}" = 1 ] && N=${1:-3}

start_sshkvm >&2 || exit 1
wait_until 20 captured || { echo "bench_mcp: no frame" >&2; exit 1; }

# The MCP side: one session, the answers' sizes and the calls' round trips.
python3 - "$N" ssh "${SSH_OPTS[@]}" -i "$T/id" -p "$SSH_PORT" kvm@127.0.0.1 mcp >"$T/mcp.txt" <<'PY' || { echo "bench_mcp: the MCP session failed" >&2; exit 1; }
import json, statistics, subprocess, sys, time
n = int(sys.argv[1])
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
ids = iter(range(1, 1 << 30))
def rpc(method, params):
    msg = {"jsonrpc": "2.0", "id": next(ids), "method": method, "params": params}
    p.stdin.write((json.dumps(msg) + "\n").encode()); p.stdin.flush()
    line = p.stdout.readline()
    if not line:
        sys.exit("no answer")
    return line, json.loads(line)
rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
p.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'); p.stdin.flush()
call = lambda name, args={}: rpc("tools/call", {"name": name, "arguments": args})
line, r = call("read_screen")
if r["result"].get("isError"): sys.exit("read_screen failed")
text = r["result"]["content"][0]["text"]
print("text_bytes", len(line), len(text.encode()))
for tag, args in (("shot_bytes", {}), ("shot360_bytes", {"max_width": 360})):
    line, r = call("screenshot", args)
    sc = r["result"]["structuredContent"]
    print(tag, len(line), sc["width"], sc["height"], sc["bytes"])
rtt = {}
for name in ("status", "read_screen"):
    ms = []
    for _ in range(n):
        t0 = time.perf_counter(); call(name); ms.append((time.perf_counter() - t0) * 1000)
    rtt[name] = statistics.median(ms)
print("rtt", rtt["status"], rtt["read_screen"])
p.stdin.close(); p.wait()
PY

# The baseline: a plain `ssh kvm@HOST status`, a whole connection each time.
ms=()
for _ in $(seq "$N"); do
  t0=$(date +%s%N)
  kssh status >/dev/null || { echo "bench_mcp: ssh status failed" >&2; exit 1; }
  ms+=($((($(date +%s%N) - t0) / 1000)))
done
ssh_ms=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}')
stop_sshkvm

read -r _ text_line text_only <<<"$(grep ^text_bytes "$T/mcp.txt")"
read -r _ shot_line shot_w shot_h shot_jpeg <<<"$(grep '^shot_bytes' "$T/mcp.txt")"
read -r _ s360_line s360_w s360_h s360_jpeg <<<"$(grep '^shot360_bytes' "$T/mcp.txt")"
read -r _ rtt_status rtt_read <<<"$(grep ^rtt "$T/mcp.txt")"
awk -v tl="$text_line" -v tt="$text_only" -v sl="$shot_line" -v sw="$shot_w" -v sh="$shot_h" -v sj="$shot_jpeg" \
  -v ql="$s360_line" -v qw="$s360_w" -v qh="$s360_h" -v qj="$s360_jpeg" \
  -v rs="$rtt_status" -v rr="$rtt_read" -v ss="$ssh_ms" -v n="$N" 'BEGIN {
  print "bench_mcp: one BIOS screen (demo target, 80x25 text, 720x400 picture); tokens = bytes / 4 (assumed)"
  printf "  %-34s %8s %8s %12s\n", "tool", "bytes", "tokens", "vs text"
  printf "  %-34s %8d %8d %11.1fx\n", "read_screen (text + structure)", tl, tl / 4, 1
  printf "  %-34s %8d %8d %11.1fx\n", "  of which the text itself", tt, tt / 4, tt / tl
  printf "  %-34s %8d %8d %11.1fx   (%dx%d, JPEG %d bytes; %d tokens counted as pixels/750)\n", "screenshot", sl, sl / 4, sl / tl, sw, sh, sj, sw * sh / 750
  printf "  %-34s %8d %8d %11.1fx   (%dx%d, JPEG %d bytes; %d tokens counted as pixels/750)\n", "screenshot max_width 360", ql, ql / 4, ql / tl, qw, qh, qj, qw * qh / 750
  printf "bench_mcp: round trip over ssh, median of %d\n", n
  printf "  %-34s %8.1f ms  (baseline)\n", "ssh kvm@host status (a connection)", ss
  printf "  %-34s %8.2f ms  baseline / this: %.1f\n", "mcp tools/call status", rs, ss / rs
  printf "  %-34s %8.2f ms  baseline / this: %.1f   (waits for a frame captured after the call)\n", "mcp tools/call read_screen", rr, ss / rr
}'

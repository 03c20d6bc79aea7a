#!/usr/bin/env bash
# screen --text --json over the real OpenSSH client, read by python3's json
# module as a script would: the demo target's BIOS screen gives its grid's
# geometry (80x25 cells of 9x16 at the origin of a 720x400 frame), the VGA
# palette, the same characters as `screen --text` (its clock masked), and
# the title bar's cells in white on blue and the body's in blue on light
# grey; every row holds one entry a cell in each array. MCP's read_screen
# with cells gives the same rows. A picture that is not text (ffmpeg's
# test pattern) still gives valid JSON, is_text false and no rows, with
# exit status 1; bad options are usage errors (2) on stderr.
. "$(dirname "$0")/lib.sh"

# jget FILE EXPR: EXPR (Python, the document as d) evaluated on the JSON in FILE.
jget() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
mask_clock() { sed -E 's/\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]/[hh:mm:ss]/; s/\[[A-Z][a-z]{2} [0-9]{2}\/[0-9]{2}\/[0-9]{4}\]/[date]/'; }

start_sshkvm || exit 1
wait_until 20 captured
J=$T/screen.json
kssh screen --text --json >"$J" 2>"$T/json.err"
check screen_json_exit_0 test $? -eq 0
check screen_json_one_line test "$(wc -l <"$J")" -eq 1
check screen_json_parses python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$J"
check_all screen_json_is_text '[ "$(jget "$J" "d[\"is_text\"]")" = True ]'
check_all screen_json_geometry '[ "$(jget "$J" "[d[\"grid\"][k] for k in (\"cols\", \"rows\", \"cell_width\", \"cell_height\", \"origin_x\", \"origin_y\")]")" = "[80, 25, 9, 16, 0, 0]" ]'
check_all screen_json_frame '[ "$(jget "$J" "(d[\"frame\"][\"width\"], d[\"frame\"][\"height\"])")" = "(720, 400)" ]'
check_all screen_json_palette_vga16 '[ "$(jget "$J" "d[\"palette\"]")" = vga16 ]'
check_all screen_json_mode '[ "$(jget "$J" "d[\"mode\"]")" = "80x25 9x16" ]'
check_all screen_json_no_cursor '[ "$(jget "$J" "d[\"cursor\"]")" = None ]'
# Every row: cols characters and cols entries in each array, colours #rrggbb, confidence 0..1.
check_all screen_json_rows_shape '[ "$(jget "$J" "len(d[\"rows\"]) == 25 and all(len(r[\"text\"]) == 80 and len(r[\"fg\"]) == 80 and len(r[\"bg\"]) == 80 and len(r[\"conf\"]) == 80 and isinstance(r[\"unsure\"], list) for r in d[\"rows\"])")" = True ]'
check_all screen_json_values '[ "$(jget "$J" "all(__import__(\"re\").fullmatch(\"#[0-9a-f]{6}\", c) for r in d[\"rows\"] for c in r[\"fg\"] + r[\"bg\"]) and all(0 <= c <= 1 for r in d[\"rows\"] for c in r[\"conf\"])")" = True ]'
check_all screen_json_all_sure '[ "$(jget "$J" "sum(len(r[\"unsure\"]) for r in d[\"rows\"])")" = 0 ]'
jget "$J" "[(y, x, r[\"text\"][x], r[\"conf\"][x]) for y, r in enumerate(d[\"rows\"]) for x in r[\"unsure\"]] or ''" |
  sed 's/^\(.\)/  unsure cells (row, column, character, conf): \1/' >&2
# The characters are screen --text's.
kssh screen --text >"$T/screen.txt"
jget "$J" '"\n".join(r["text"].rstrip(" ") for r in d["rows"])' >"$T/json.txt"
if cmp -s <(mask_clock <"$T/json.txt") <(mask_clock <"$T/screen.txt"); then
  pass screen_json_text_is_screen_text
else
  fail screen_json_text_is_screen_text "$(diff <(mask_clock <"$T/screen.txt") <(mask_clock <"$T/json.txt") | head -6)"
fi
# Known cells: the title bar (row 0) white on blue, "Main" of the body's first item row...
TITLE='sshkvm Demo Setup Utility'
check_all screen_json_title_text '[ "$(jget "$J" "\"$TITLE\" in d[\"rows\"][0][\"text\"]")" = True ]'
check_all screen_json_title_colours '[ "$(jget "$J" "sorted(set((r[\"fg\"][i], r[\"bg\"][i]) for r in [d[\"rows\"][0]] for i in range(r[\"text\"].index(\"$TITLE\"), r[\"text\"].index(\"$TITLE\") + len(\"$TITLE\")) if r[\"text\"][i] != \" \"))")" = "[('"'"'#ffffff'"'"', '"'"'#0000aa'"'"')]" ]'
check_all screen_json_title_bar_bg '[ "$(jget "$J" "set(d[\"rows\"][0][\"bg\"])")" = "{'"'"'#0000aa'"'"'}" ]'
# The body (inside the box, rows 4..21) is on light grey.
check_all screen_json_body_bg '[ "$(jget "$J" "d[\"rows\"][10][\"bg\"][2]")" = "#aaaaaa" ]'

# MCP's read_screen with cells: the same geometry and rows.
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}'
{
  echo "$INIT"
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_screen","arguments":{"cells":true}}}'
} | kssh mcp | sed -n 2p >"$T/mcp.json"
check_all mcp_read_screen_geometry '[ "$(jget "$T/mcp.json" "[d[\"result\"][\"structuredContent\"][k] for k in (\"cell_width\", \"cell_height\", \"origin_x\", \"origin_y\", \"palette\")]")" = "[9.0, 16.0, 0.0, 0.0, '"'"'vga16'"'"']" ]'
check_all mcp_read_screen_cells '[ "$(jget "$T/mcp.json" "[r[\"bg\"] for r in d[\"result\"][\"structuredContent\"][\"cells\"]][0] == json.load(open(\"$J\"))[\"rows\"][0][\"bg\"]")" = True ]'
stop_sshkvm

# Usage errors: exit 2, a message on stderr, nothing on stdout.
start_sshkvm || exit 1
out=$(kssh screen --json 2>"$T/usage.err"); rc=$?
check_all screen_json_without_text_usage '[ "$rc" -eq 2 ] && [ -z "$out" ] && grep -q -- "--json needs --text" "$T/usage.err"'
out=$(kssh screen --text --json --cols 3 2>"$T/usage2.err"); rc=$?
check_all screen_json_other_option_usage '[ "$rc" -eq 2 ] && [ -z "$out" ] && grep -q "takes no other option" "$T/usage2.err"'
stop_sshkvm

# A picture that is not text: valid JSON saying so, exit 1, why on stderr.
make_mjpeg "$T/in.mjpeg" 30 640x480
start_sshkvm --video "file:$T/in.mjpeg" || exit 1
wait_until 20 captured
kssh screen --text --json >"$T/graphics.json" 2>"$T/graphics.err"
check screen_json_not_text_exit_1 test $? -eq 1
check_all screen_json_not_text_valid '[ "$(jget "$T/graphics.json" "(d[\"is_text\"], d[\"grid\"], d[\"palette\"], d[\"rows\"], d[\"frame\"][\"width\"], d[\"frame\"][\"height\"])")" = "(False, None, None, [], 640, 480)" ]'
check screen_json_not_text_says_why grep -q "the screen is not text" "$T/graphics.err"
finish

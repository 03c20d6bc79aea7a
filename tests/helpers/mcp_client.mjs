// mcp_client: the official MCP TypeScript SDK's client (StdioClientTransport) spawning
// `ssh ... mcp`, as an agent's MCP client would, driving the demo target through a
// scenario. Prints "PASS name" / "FAIL name: why" lines (tests/run.sh counts them).
//   node mcp_client.mjs NODE_MODULES scenario|view SSH_COMMAND ARGS...
// scenario: a control key: the tools, the BIOS menu read as text, a page reached with keys,
//   a field typed into and read back, a screenshot, errors as results, a cancelled call.
// view: a view-only key: only the reading tools listed, the others refused.
import path from 'node:path';

const [nm, mode, command, ...args] = process.argv.slice(2);
const sdk = path.join(nm, '@modelcontextprotocol/sdk/dist/esm');
const { Client } = await import(path.join(sdk, 'client/index.js'));
const { StdioClientTransport } = await import(path.join(sdk, 'client/stdio.js'));

let fails = 0;
function check(name, ok, why) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}${why ? ': ' + why : ''}`);
  if (!ok) fails++;
}
const text = (r) => (r.content || []).filter((c) => c.type === 'text').map((c) => c.text).join('');
const call = (name, a = {}, opts) => client.callTool({ name, arguments: a }, undefined, opts);

const transport = new StdioClientTransport({ command, args, stderr: 'inherit' });
const client = new Client({ name: 'sshkvm-test', version: '1.0.0' });
await client.connect(transport);
check('mcp_sdk_initialize', client.getServerVersion()?.name === 'sshkvm');

const tools = (await client.listTools()).tools.map((t) => t.name).sort();
const reading = ['media_list', 'power_status', 'read_screen', 'screenshot', 'serial_list', 'serial_wait', 'status',
  'wait_for_settle', 'wait_for_text'];
const all = [...reading, 'hold_keys', 'media_eject', 'media_insert', 'mouse', 'paste', 'power', 'press_keys',
  'serial_send', 'type_text'].sort();

if (mode === 'view') {
  check('mcp_view_lists_reading_tools_only', JSON.stringify(tools) === JSON.stringify(reading), tools.join(','));
  const r = await call('read_screen');
  check('mcp_view_reads_screen', !r.isError && /Main +Advanced +Boot/.test(text(r)), text(r).slice(0, 200));
  for (const [name, a] of [['type_text', { text: 'x' }], ['press_keys', { keys: ['f2'] }],
    ['hold_keys', { keys: ['a'], duration_ms: 100 }], ['mouse', { action: 'click' }]]) {
    const t = await call(name, a);
    check(`mcp_view_refused_${name}`, t.isError === true && /view-only/.test(text(t)), text(t));
  }
} else {
  check('mcp_sdk_lists_all_tools', JSON.stringify(tools) === JSON.stringify(all), tools.join(','));

  // The BIOS menu as text, with its geometry (the SDK checks it against the outputSchema).
  let r = await call('read_screen');
  const sc = r.structuredContent || {};
  check('mcp_read_screen_menu', !r.isError && /Main +Advanced +Boot/.test(text(r)) && /System Name/.test(text(r)), text(r).slice(0, 200));
  check('mcp_read_screen_geometry', sc.cols === 80 && sc.rows === 25 && sc.line_confidence?.length === 25 &&
    sc.line_confidence.every((c) => c > 0.5 && c <= 1) && typeof sc.cursor?.col === 'number', JSON.stringify({ ...sc, text: undefined }));

  // Another page with keys, and back.
  r = await call('press_keys', { keys: ['right'] });
  check('mcp_press_keys', !r.isError, text(r));
  r = await call('wait_for_text', { text: 'CPU Configuration', timeout: 10 });
  check('mcp_wait_for_page', !r.isError && /CPU Configuration/.test(text(r)), text(r));
  r = await call('wait_for_settle', { quiet_ms: 300, timeout: 10 });
  check('mcp_wait_for_settle', !r.isError, text(r));

  // Type into the System Name field, wait for it, read it back.
  r = await call('press_keys', { keys: ['left', 'down', 'down', 'enter', ...Array(40).fill('backspace')] });
  check('mcp_press_keys_to_field', !r.isError, text(r));
  r = await call('type_text', { text: "MCP Agent's 1" });
  check('mcp_type_text', !r.isError, text(r));
  await call('press_keys', { keys: ['enter'] });
  r = await call('wait_for_text', { text: "System Name +\\[MCP Agent's 1\\]", regex: true, timeout: 10 });
  check('mcp_wait_for_typed_text_regex', !r.isError, text(r));
  r = await call('read_screen');
  check('mcp_read_back_field', /System Name +\[MCP Agent's 1\]/.test(text(r)), text(r).slice(0, 600));

  // The Main page's clock ticks every second: that screen never stays still for 2 s.
  r = await call('wait_for_settle', { quiet_ms: 2000, timeout: 3 });
  check('mcp_settle_times_out_on_ticking_clock', r.isError === true && /did not stay still/.test(text(r)), text(r));

  // A paste into the same field, newline as Enter.
  await call('press_keys', { keys: ['enter', ...Array(40).fill('backspace')] });
  r = await call('paste', { text: 'Pasted by MCP\n' });
  check('mcp_paste', !r.isError, text(r));
  r = await call('wait_for_text', { text: 'System Name               [Pasted by MCP]', timeout: 10 });
  check('mcp_paste_read_back', !r.isError, text(r));

  // A screenshot: a JPEG, whole and scaled down.
  r = await call('screenshot');
  let img = (r.content || []).find((c) => c.type === 'image');
  let jpg = Buffer.from(img?.data || '', 'base64');
  check('mcp_screenshot_jpeg', img?.mimeType === 'image/jpeg' && jpg[0] === 0xff && jpg[1] === 0xd8 &&
    jpg.at(-2) === 0xff && jpg.at(-1) === 0xd9 && r.structuredContent?.width === 720);
  r = await call('screenshot', { max_width: 360 });
  img = (r.content || []).find((c) => c.type === 'image');
  jpg = Buffer.from(img?.data || '', 'base64');
  check('mcp_screenshot_scaled', jpg[0] === 0xff && jpg[1] === 0xd8 && r.structuredContent?.width === 360 &&
    r.structuredContent?.height === 200, JSON.stringify(r.structuredContent));

  // Errors are results; the session lives on.
  r = await call('type_text', { text: 'caf\u00e9 \u20ac' });
  check('mcp_untypable_named', r.isError === true && /U\+00E9/.test(text(r)) && /U\+20AC/.test(text(r)), text(r));
  r = await call('wait_for_text', { text: 'never shown here', timeout: 0.5 });
  check('mcp_wait_timeout_is_error', r.isError === true && /did not appear/.test(text(r)), text(r));
  r = await call('mouse', { action: 'move', x: 50, y: 50, unit: 'percent' });
  check('mcp_mouse_percent', !r.isError, text(r));
  r = await call('mouse', { action: 'click', button: 'left', x: 100, y: 20 });
  check('mcp_mouse_click_px', !r.isError, text(r));
  r = await call('mouse', { action: 'move', x: 100 });
  check('mcp_mouse_x_without_y_is_error', r.isError === true, text(r));
  r = await call('serial_list');
  check('mcp_serial_list', !r.isError, text(r));
  r = await call('serial_send', { port: 'nosuchport', text: 'x' });
  check('mcp_serial_send_unknown_port_is_error', r.isError === true && /nosuchport/.test(text(r)), text(r));
  r = await call('status');
  check('mcp_status_structured', r.structuredContent?.source === 'demo', JSON.stringify(r.structuredContent).slice(0, 200));
  for (const [name, a, want] of [['nope', {}, /unknown tool/], ['press_keys', { keys: 'f2' }, /must be an array/],
    ['hold_keys', { keys: ['a'], duration_ms: 600000 }, /at most 60000/]]) {
    try {
      await call(name, a);
      check(`mcp_protocol_error_${name}`, false, 'no error');
    } catch (e) {
      check(`mcp_protocol_error_${name}`, e.code === -32602 && want.test(e.message), `${e.code} ${e.message}`);
    }
  }

  // A cancelled call (the SDK sends notifications/cancelled) stops at once: the next answer is quick.
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort('test'), 300);
  try {
    await call('wait_for_text', { text: 'never shown here', timeout: 30 }, { signal: ac.signal });
    check('mcp_cancel', false, 'not cancelled');
  } catch {
    await client.ping();
    check('mcp_cancel_stops_the_call', Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  }
  const held = call('hold_keys', { keys: ['f12'], duration_ms: 200 });
  r = await held;
  check('mcp_hold_keys', !r.isError, text(r));
}
await client.close();
process.exit(fails ? 1 : 0);

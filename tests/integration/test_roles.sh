#!/usr/bin/env bash
# People and roles, with the real binary, OpenSSH and curl: roles from the
# authorized-keys options (sshkvm-role=view|control, restrict), view-only
# keys refused on every input path (scripts, the console, the web side);
# one writer at a time (a console holds control, a script is refused
# naming it, --take takes it and the console is told, held keys are
# released when control changes hands; idle holders lose it; shared mode);
# status JSON and the console's "who" list every session; the audit log
# records logins, failures, control changes, refusals and commands, never
# the typed text or a password. Exact HID report bytes show what got through.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
AUDIT=$T/audit.log
key() { ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$T/$1" >/dev/null; }
for k in viewer restricted alice bob typo; do key $k; done
{
  echo "sshkvm-role=view $(cat "$T/viewer.pub")"
  echo "restrict $(cat "$T/restricted.pub")"
  echo "no-pty,sshkvm-role=\"control\" $(cat "$T/alice.pub")"
  cat "$T/bob.pub"
  echo "sshkvm-role=admin $(cat "$T/typo.pub")"
} >"$T/authorized_keys"
printf 'carol:%s:view\ndave:%s\n' "$(openssl passwd -6 -salt saltsalt 'carols pw 77')" \
  "$(openssl passwd -6 -salt saltsalt 'daves pw 88')" >"$T/passwd"

as() { local who=$1; shift; ssh "${SSH_OPTS[@]}" -i "$T/$who" -p "$SSH_PORT" kvm@127.0.0.1 "$@"; }
size() { stat -c %s "$KBD" 2>/dev/null || echo 0; }
since() { tail -c +$(($1 + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
status() { as bob status; }
# until_true TRIES CMD...: retry every 0.1 s.
until_true() { local n=$1; shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
holder_is() { status | grep -q "\"holder\":$1"; }
# since_is OFFSET BYTES: the reports after OFFSET are BYTES (a function, so that until_true
# reads the file again on every try: a $(since) argument would be read once).
since_is() { [ "$(since "$1")" = "$2" ]; }
# console_open KEY NAME: a console (ssh -tt) for KEY fed through CON_FD, its output in $T/NAME.out.
console_open() {
  mkfifo "$T/$2.in"
  ssh "${SSH_OPTS[@]}" -tt -i "$T/$1" -p "$SSH_PORT" kvm@127.0.0.1 <"$T/$2.in" >"$T/$2.out" 2>&1 &
  CON_PID=$!
  exec {CON_FD}>"$T/$2.in"
  until_true 50 grep -q 'sshkvm |' "$T/$2.out"
}
# console_close: Ctrl+] q (from a subshell: a client already gone must not end the test with
# SIGPIPE), and wait for the client to go.
console_close() { (printf '\035q' >&"$CON_FD") 2>/dev/null; exec {CON_FD}>&-; wait "$CON_PID"; }

start_sshkvm --hid "file:$KBD" --audit-log "$AUDIT" --http-passwd "$T/passwd" --control-idle 60 || exit 1
URL=http://127.0.0.1:$HTTP_PORT

# ---- roles from the options ----
o=$(size)
as viewer type 'Zebra42 secret' >"$T/v.out" 2>"$T/v.err"; rc=$?
check view_type_exit_1 test "$rc" -eq 1
check view_type_says_view_only grep -q '^sshkvm: type: view-only key: viewer may watch but not send keys or clicks$' "$T/v.err"
as viewer key enter 2>/dev/null; check view_key_exit_1 test $? -eq 1
echo 'pasted words' | as viewer paste 2>/dev/null; check view_paste_exit_1 test $? -eq 1
as viewer mouse click 50% 50% 2>/dev/null; check view_mouse_exit_1 test $? -eq 1
as viewer key --take enter 2>/dev/null; check view_take_exit_1 test $? -eq 1
as restricted type x 2>"$T/r.err"; rc=$?
check restrict_alone_is_view test "$rc" -eq 1
check restrict_says_view_only grep -q 'view-only key: restricted' "$T/r.err"
sleep 0.3
check view_sent_nothing test "$(size)" -eq "$o"
as viewer snapshot >"$T/v.jpg"; rc=$?
check view_snapshot_allowed bash -c "[ $rc -eq 0 ] && head -c 2 '$T/v.jpg' | od -An -tx1 | grep -q 'ff d8'"
as viewer status >"$T/v.json"
check view_status_lists_itself grep -q '"kind":"command","name":"viewer","addr":"127.0.0.1:[0-9]*","role":"view","since":[0-9]*,"control":false' "$T/v.json"
as typo status >/dev/null 2>&1; rc=$?
check bad_role_refused_login test "$rc" -eq 255
check bad_role_logged grep -q 'refused: sshkvm-role="admin" is neither view nor control' "$T/sshkvm.log"
o=$(size)
as alice type 'hi'; rc=$?
check control_role_types test "$rc" -eq 0
check control_role_bytes test "$(since "$o")" = "$(press 0 0b) $(press 0 0c)"
as bob key enter; check no_role_option_is_control test $? -eq 0

# ---- one writer at a time: alice's console holds control ----
console_open alice a
o=$(size)
printf 'a' >&"$CON_FD"
check console_takes_control_on_typing until_true 30 holder_is '"alice"'
check console_status_you_have_control until_true 30 grep -q 'you have control' "$T/a.out"
as bob type 'b' >/dev/null 2>"$T/b.err"; rc=$?
check script_refused_while_held test "$rc" -eq 1
check script_refusal_names_holder grep -q '^sshkvm: type: alice has control; nothing sent (add --take after the command name to take control)$' "$T/b.err"
as bob key enter 2>/dev/null; check key_refused_while_held test $? -eq 1
check only_console_typed test "$(since "$o")" = "$(press 0 04)"
# The viewer's status line names the holder; its keys go nowhere.
o=$(size)
# Its console is up once the status line says view only; the refusal shows once 'x' was read.
{ wait_until 20 has "$T/view.out" 'view only'; printf 'x'; wait_until 20 has "$T/view.out" 'view-only key: viewer may watch'
} | ssh "${SSH_OPTS[@]}" -tt -i "$T/viewer" -p "$SSH_PORT" kvm@127.0.0.1 >"$T/view.out" 2>&1
check viewer_console_says_view_only grep -q 'view only' "$T/view.out"
check viewer_console_refuses_keys grep -q 'view-only key: viewer may watch' "$T/view.out"
check viewer_console_sent_nothing test "$(since "$o")" = ""
# Who is connected: the menu lists every session.
printf '\0359' >&"$CON_FD"
check who_lists_sessions until_true 30 grep -q 'who is connected' "$T/a.out"
check who_names_alice grep -aq 'ssh alice from 127.0.0.1:[0-9]*, control, since [0-9:]*, has control' "$T/a.out"
printf 'x' >&"$CON_FD" # any key: back to the screen (and not sent)
sleep 0.3
# bob takes control: alice is told, and what alice held is released first.
o=$(size)
as bob type --take 'Zebra42'; rc=$?
check take_succeeds test "$rc" -eq 0
check console_told_of_take until_true 30 grep -q 'bob took control; your keys were released' "$T/a.out"
# After bob's command ended, control is free; alice types again. (The ssh client returns
# before the server has closed bob's session: wait until control is free, or alice's key
# is refused as held by bob.)
until_true 30 holder_is null
o=$(size)
printf 'c' >&"$CON_FD"
check console_types_after_release until_true 30 since_is "$o" "$(press 0 06)"
check status_holder_alice until_true 30 holder_is '"alice"'
# A script holding a key loses it when control changes hands: release before bob's Enter.
# (The console's session gives control up once the server has closed it.)
console_close
until_true 30 holder_is null
o=$(size)
as alice key --hold 4s shift &
HPID=$!
until_true 40 since_is "$o" "02 00 00 00 00 00 00 00"
as bob key --take enter; rc=$?
wait "$HPID"
check take_while_held_exit_0 test "$rc" -eq 0
check held_keys_released_on_take test "$(since "$o")" = "02 00 00 00 00 00 00 00 $ZERO $(press 0 28)"
check no_key_left_down test "$(tail -c 8 "$KBD" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')" = "$ZERO"

# ---- the web side follows the identity's role ----
post() { curl -s -m 5 -o "$T/post.body" -w '%{http_code}' -X POST -H 'X-Sshkvm: 1' --data-binary "$@"; }
url=$(as viewer web 2>/dev/null)
curl -s -m 5 -c "$T/vjar" -o /dev/null "$url"
o=$(size)
check web_view_keys_403 test "$(post $'d KeyA\nu KeyA' -b "$T/vjar" "$URL/api/keys")" = 403
check web_view_403_says_why grep -q 'view-only key: SHA256:' "$T/post.body"
check web_view_mouse_403 test "$(post '100 100 1 0' -b "$T/vjar" "$URL/api/mouse")" = 403
check web_view_paste_403 test "$(post 'Zebra42' -b "$T/vjar" "$URL/api/paste")" = 403
check web_view_take_403 test "$(post 'take' -b "$T/vjar" "$URL/api/control")" = 403
check web_view_snapshot_200 test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -b "$T/vjar" "$URL/snapshot")" = 200
check web_password_view_403 test "$(post 'd KeyA' -u 'carol:carols pw 77' "$URL/api/keys")" = 403
check web_view_sent_nothing test "$(since "$o")" = ""
# The page in headless Chromium, logged in with the view-only key: keys and
# the take button are refused, and the page says so.
url=$(as viewer web 2>/dev/null)
o=$(size)
PYTHONPATH=$ROOT/tests/integration python3 - "$url" "$T" >"$T/page.out" 2>&1 <<'PY'
import sys, time
from cdp import Browser, picture_point
url, tmp = sys.argv[1], sys.argv[2]
b = Browser(url, tmp + "/chromium")
print("stream_shown", b.wait_for("location.pathname === '/' && document.getElementById('stream').naturalWidth > 0"))
x, y, _, _ = picture_point(b, 100, 100)
b.click(x, y)
print("click_refused", b.wait_for("document.getElementById('err').textContent.indexOf('view-only key') === 0"))
b.eval("document.getElementById('err').textContent = '', true")
b.key("down", "KeyQ", "q", 81, "q")
b.key("up", "KeyQ", "q", 81)
print("key_refused", b.wait_for("document.getElementById('err').textContent.indexOf('view-only key') === 0"))
b.eval("document.getElementById('err').textContent = '', true")
b.eval("document.getElementById('take').click(), true")
print("take_refused", b.wait_for("document.getElementById('err').textContent.indexOf('view-only key') === 0"))
print("control_shown", b.wait_for("document.getElementById('control').textContent === 'free'"))
print("who_shown", b.wait_for("document.getElementById('control').title.indexOf(', view') > 0"))
b.close()
PY
check page_shows_stream grep -q '^stream_shown True' "$T/page.out"
check page_click_refused_shown grep -q '^click_refused True' "$T/page.out"
check page_key_refused_shown grep -q '^key_refused True' "$T/page.out"
check page_take_refused_shown grep -q '^take_refused True' "$T/page.out"
check page_shows_control grep -q '^control_shown True' "$T/page.out"
check page_lists_sessions grep -q '^who_shown True' "$T/page.out"
check page_view_sent_nothing test "$(since "$o")" = ""

# A control-role web login while bob's console holds control: 409, then take.
console_open bob b
printf 'b' >&"$CON_FD"
until_true 30 holder_is '"bob"'
o=$(size)
check web_held_409 test "$(post 'd KeyA' -u 'dave:daves pw 88' "$URL/api/keys")" = 409
check web_409_names_holder grep -q '^bob has control; nothing sent (take control to type)$' "$T/post.body"
check web_release_refused_409 test "$(post '' -u 'dave:daves pw 88' "$URL/api/release")" = 409
check web_take_200 test "$(post 'take' -u 'dave:daves pw 88' "$URL/api/control")" = 200
check web_keys_after_take test "$(post $'d KeyA\nu KeyA' -u 'dave:daves pw 88' "$URL/api/keys")" = 200
check web_bytes_after_take until_true 20 since_is "$o" "$ZERO $(press 0 04)"
check console_told_of_web_take until_true 30 grep -q 'password:dave took control' "$T/b.out"
status >"$T/s.json"
check status_lists_web_member grep -q '"kind":"web","name":"password:dave","addr":"127.0.0.1","role":"control","since":[0-9]*,"control":true' "$T/s.json"
check status_lists_console grep -q '"kind":"ssh","name":"bob"' "$T/s.json"
# From loopback a wrong password still falls back to the loopback door; it is audited all the same.
curl -s -m 5 -o /dev/null -u 'dave:wrong pw 99' "$URL/snapshot"
console_close
# wait is audited by name with what it looks for; an unknown word is audited as nothing but that.
as viewer wait 'no such text' --timeout 1 >/dev/null 2>&1
as viewer zebrapass42 >/dev/null 2>&1

# ---- the audit log ----
check audit_login grep -Eq 'Z sshkvm-audit event=login who="viewer" addr="127\.0\.0\.1:[0-9]+" kind=command role=view key=SHA256:' "$AUDIT"
check audit_console_login grep -q 'event=login who="alice" addr="127.0.0.1:[0-9]*" kind=ssh role=control' "$AUDIT"
check audit_logout grep -q 'event=logout who="alice" addr="127.0.0.1:[0-9]*" kind=ssh' "$AUDIT"
check audit_bad_role grep -q 'event=login-failed who="SHA256:[^"]*" addr="127.0.0.1:[0-9]*" reason=bad-role' "$AUDIT"
check audit_view_refusal grep -q 'event=refused who="viewer" addr="[^"]*" what=type reason=view-only' "$AUDIT"
check audit_held_refusal grep -q 'event=refused who="bob" addr="[^"]*" what=type reason=held holder="alice"' "$AUDIT"
check audit_control_taken grep -q 'event=control who="bob" addr="[^"]*" action=taken from="alice"' "$AUDIT"
check audit_control_acquired grep -q 'event=control who="alice" addr="[^"]*" action=acquired' "$AUDIT"
check audit_command_type grep -q 'event=command who="bob" addr="[^"]*" cmd=type take=1$' "$AUDIT"
check audit_command_key_args grep -q 'event=command who="bob" addr="[^"]*" cmd=key take=1 args="enter"' "$AUDIT"
check audit_web_login grep -q 'event=login who="password:dave" addr="127.0.0.1" kind=web role=control' "$AUDIT"
check audit_web_take grep -q 'event=control who="password:dave" addr="127.0.0.1" action=taken from="bob"' "$AUDIT"
check audit_web_bad_password grep -q 'event=login-failed who="-" addr="127.0.0.1" kind=web reason=bad-password' "$AUDIT"
check audit_command_wait grep -q 'event=command who="viewer" addr="[^"]*" cmd=wait args="no such text --timeout 1"' "$AUDIT"
check audit_command_unknown_named_not bash -c "grep -q 'event=command who=\"viewer\" addr=\"[^\"]*\" cmd=unknown\$' '$AUDIT' && ! grep -q zebrapass42 '$AUDIT'"
check audit_never_typed_text bash -c "! grep -q -e Zebra42 -e 'pasted words' -e secret '$AUDIT'"
check audit_never_passwords bash -c "! grep -q -e 'pw 77' -e 'pw 88' -e 'pw 99' '$AUDIT'"
check log_never_typed_text bash -c "! grep -q -e Zebra42 -e 'pasted words' '$T/sshkvm.log'"
stop_sshkvm

# ---- shared control, and the idle time-out ----
start_sshkvm --hid "file:$KBD" --control shared --audit-log off || exit 1
console_open alice s
printf 'a' >&"$CON_FD"
sleep 0.5
as bob type 'b'; check shared_both_type test $? -eq 0
check shared_status_line grep -q 'shared control' "$T/s.out"
status >"$T/shared.json"
check shared_no_holder grep -q '"control":{"mode":"shared","holder":null' "$T/shared.json"
as viewer type v 2>/dev/null; check shared_view_still_refused test $? -eq 1
console_close
stop_sshkvm

start_sshkvm --hid "file:$KBD" --control-idle 1 --audit-log off || exit 1
console_open alice i
printf 'a' >&"$CON_FD"
until_true 30 holder_is '"alice"'
as bob type 'b' 2>/dev/null; check idle_refused_at_first test $? -eq 1
sleep 1.5
as bob type 'b'; check idle_holder_loses_control test $? -eq 0
check idle_console_told until_true 30 grep -q 'control lost: no input for a while' "$T/i.out"
console_close
finish

#!/usr/bin/env bash
# Text from the network never forges a log or audit line: a user name, a
# command word and a command's arguments holding newlines, terminal escapes
# or quotes reach the log escaped (\xNN) and the audit log quoted, one event
# per line. The name comes from a libssh client (OpenSSH's refuses such names).
. "$(dirname "$0")/lib.sh"

start_sshkvm --audit-log "$T/audit" || exit 1
FORGED=$'1.000 INFO  [main    ] audit  event=login who="root" addr="10.0.0.1:1" kind=ssh role=control'
"$HELPERS/ssh_rawuser" "$SSH_PORT" "$T/id" $'kvm\n'"$FORGED" status >/dev/null 2>&1
check raw_user_logged_in test $? -eq 0
"$HELPERS/ssh_rawuser" "$SSH_PORT" "$T/id" $'kvm\e]0;owned\a' $'status\nevent=login who="root"' >/dev/null 2>&1
kssh key --hold 0 $'enter" role=control\nevent=forged' >/dev/null 2>&1
kssh type --keymap $'us" role=control' x >/dev/null 2>&1
check no_forged_log_line bash -c "! grep -q '^1.000 INFO' '$T/sshkvm.log'"
check user_name_escaped grep -qF 'kvm\x0a1.000 INFO' "$T/sshkvm.log"
check no_escape_in_log bash -c "! grep -q $'\e' '$T/sshkvm.log'"
# The command word alone is logged (the rest may be typed text): the forged part never is.
check command_word_only grep -qF "command 'status'" "$T/sshkvm.log"
check command_rest_not_logged bash -c "! grep -qF \"command 'status\\x0a\" '$T/sshkvm.log'"
# Every audit line is an event of its own, its values quoted: no line starts otherwise.
check audit_one_event_per_line bash -c "! grep -vE '^[0-9TZ:-]{20} sshkvm-audit event=[a-z-]+ who=\"' '$T/audit'"
check audit_no_forged_role bash -c "! grep -qE '(keymap|args)=[^\"]' '$T/audit'"
# type's text never reaches the log, whatever separates it from the command word.
for sep in $'\n' $'\r' $'\t' ' '; do
  kssh "type${sep}hunter2-secret" >/dev/null 2>&1
done
check typed_text_not_logged bash -c "! grep -q 'hunter2' '$T/sshkvm.log'"
check typed_text_not_audited bash -c "! grep -q 'hunter2' '$T/audit'"
# The keymap option ends at the space; its quote stays inside the value.
check audit_keymap_quoted grep -qF 'cmd=type keymap="us\""' "$T/audit"
finish

#!/usr/bin/env bash
# The doors of the web side, with the real binary, curl and OpenSSH: off
# loopback nothing is served without logging in; `ssh kvm@host web` prints
# a one-time URL that sets a session cookie; a password file allows HTTP
# Basic; control requests from other sites are refused; HTTPS works with a
# certificate made here. Exact HID report bytes show what got through.
. "$(dirname "$0")/lib.sh"

KBD=$T/kbd.bin
# A non-loopback address of this machine, to reach the server from "off loopback".
LAN=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
printf 'alice:%s\n' "$(openssl passwd -6 -salt saltsalt 'open sesame')" >"$T/passwd"
# Listen on every address (start_sshkvm's own --http-listen is overridden).
PORT=$(free_port)
# --http-auth remote, given: on an address beyond loopback it is no longer the default.
start_sshkvm --http-listen "0.0.0.0:$PORT" --http-auth remote --hid "file:$KBD" --http-passwd "$T/passwd" || exit 1
LOOP=http://127.0.0.1:$PORT
code() { curl -s -m $((5 * SLOW)) -o /dev/null -w '%{http_code}' "$@"; }
size() { stat -c %s "$KBD"; }
# wait_size N: until the keyboard file holds N bytes (the HID writer is asynchronous).
wait_size() { for _ in $(seq $((50 * SLOW))); do [ "$(size)" -ge "$1" ] && return 0; sleep 0.05; done; return 1; }

check binds_all_addresses bash -c "ss -ltn | grep -q '0.0.0.0:$PORT'"
check loopback_served_without_login test "$(code "$LOOP/snapshot")" = 200
# A page elsewhere that rebinds its name to 127.0.0.1 still names itself in Host.
check loopback_rebinding_host_refused test "$(code -H 'Host: evil.example' "$LOOP/snapshot")" = 401
# Names that merely start like a loopback address are names, not addresses: after a DNS
# rebind their pages reach 127.0.0.1 but must not pass the loopback door, nor type.
for h in 127.evil.example 127.0.0.1.nip.io localhost.evil.example 127.1; do
  n=${h//[^a-z0-9]/_}
  check "rebinding_${n}_snapshot_401" test "$(code -H "Host: $h:$PORT" "$LOOP/snapshot")" = 401
  before=$(size)
  got=$(code -X POST -H "Host: $h:$PORT" -H 'X-Sshkvm: 1' -H "Origin: http://$h:$PORT" \
    -H 'Sec-Fetch-Site: same-origin' --data-binary $'d KeyA\nu KeyA' "$LOOP/api/keys")
  check "rebinding_${n}_keys_refused" test "$got" = 401
  check "rebinding_${n}_nothing_typed" test "$(size)" = "$before"
done
# Literal loopback addresses and localhost, in any spelling a browser sends, still pass.
for h in "127.0.0.1:$PORT" "127.0.0.2:$PORT" "localhost:$PORT" "LocalHost:$PORT" "[::1]:$PORT"; do
  check "loopback_host_${h//[^a-zA-Z0-9]/_}_200" test "$(code -H "Host: $h" "$LOOP/snapshot")" = 200
done

if [ -z "$LAN" ]; then
  fail off_loopback_address "this machine has no non-loopback IPv4 address to test with"
else
  REM=http://$LAN:$PORT
  for p in / /stream /snapshot /status /metrics '/?action=stream' /app.js; do
    check "no_login_401_${p//[^a-z]/_}" test "$(code "$REM$p")" = 401
  done
  curl -s -m 5 -D "$T/401.h" -o /dev/null "$REM/"
  check basic_challenge_offered grep -qi '^WWW-Authenticate: Basic realm="sshkvm"' "$T/401.h"
  check bad_cookie_401 test "$(code -b 'sshkvm_session=0123456789abcdef' "$REM/snapshot")" = 401
  check bad_password_401 test "$(code -u 'alice:wrong' "$REM/snapshot")" = 401
  check unknown_user_401 test "$(code -u 'bob:open sesame' "$REM/snapshot")" = 401
  check password_login_200 test "$(code -u 'alice:open sesame' "$REM/snapshot")" = 200

  url=$(kssh web 2>"$T/web.err"); rc=$?
  check web_command_exit_0 test "$rc" -eq 0
  check web_url_shape grep -Eq "^http://127\.0\.0\.1:$PORT/login\?token=[0-9a-f]{64}$" <<<"$url"
  check web_says_once_and_ttl grep -q 'within 60 s; it works once' "$T/web.err"
  token=${url##*token=}
  curl -s -m 5 -D "$T/login.h" -c "$T/jar" -o "$T/login.body" "$REM/login?token=$token"
  check login_200 grep -q '^HTTP/1.1 200' "$T/login.h"
  check login_cookie_flags grep -Eqi '^Set-Cookie: sshkvm_session=[0-9a-f]{64}; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Strict' "$T/login.h"
  check login_cookie_not_secure_on_http bash -c "! grep -qi 'Secure' '$T/login.h'"
  check login_page_moves_on grep -q 'url=/' "$T/login.body"
  check token_reuse_refused test "$(code "$REM/login?token=$token")" = 403
  check bad_token_refused test "$(code "$REM/login?token=${token%?}0")" = 403
  check no_token_refused test "$(code "$REM/login")" = 403
  check cookie_page_200 test "$(code -b "$T/jar" "$REM/")" = 200
  curl -s -m 5 -b "$T/jar" -o "$T/snap.jpg" "$REM/snapshot"
  check cookie_snapshot_is_jpeg bash -c "head -c 2 '$T/snap.jpg' | od -An -tx1 | grep -q 'ff d8'"
  curl -s -m $((2 * SLOW)) -b "$T/jar" -o "$T/stream.body" "$REM/stream"
  check cookie_stream_flows test "$(grep -c 'X-Timestamp:' "$T/stream.body")" -ge 10
  grep -q "web login for SHA256:" "$T/sshkvm.log"
  check login_records_key_fingerprint test $? -eq 0
  fp=$(ssh-keygen -lf "$T/id.pub" | awk '{print $2}')
  check login_records_this_key grep -q "web login for $fp" "$T/sshkvm.log"
  check status_lists_web_identity grep -qF "\"web\":[\"$fp\"]" <<<"$(kssh status)"

  # Control requests: only from our own page.
  o=$(size)
  post() { curl -s -m $((5 * SLOW)) -o /dev/null -w '%{http_code}' -b "$T/jar" -X POST --data-binary "$@"; }
  check post_without_header_403 test "$(post $'d KeyA\nu KeyA' "$REM/api/keys")" = 403
  check post_cross_origin_403 test "$(post $'d KeyA\nu KeyA' -H 'X-Sshkvm: 1' -H 'Origin: http://evil.example' "$REM/api/keys")" = 403
  check post_cross_site_403 test "$(post $'d KeyA\nu KeyA' -H 'X-Sshkvm: 1' -H 'Sec-Fetch-Site: cross-site' "$REM/api/keys")" = 403
  check post_without_login_401 test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST -H 'X-Sshkvm: 1' --data-binary 'd KeyA' "$REM/api/keys")" = 401
  sleep 0.3
  check refused_posts_typed_nothing test "$(size)" -eq "$o"
  check same_origin_post_200 test "$(post $'d ShiftLeft\nd KeyB\nu KeyB\nu ShiftLeft' -H 'X-Sshkvm: 1' -H "Origin: $REM" -H 'Sec-Fetch-Site: same-origin' "$REM/api/keys")" = 200
  wait_size $((o + 32))
  got=$(tail -c +$((o + 1)) "$KBD" | od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
  want="02 00 00 00 00 00 00 00 02 00 05 00 00 00 00 00 02 00 00 00 00 00 00 00 $ZERO"
  if [ "$got" = "$want" ]; then pass same_origin_keys_exact_reports; else fail same_origin_keys_exact_reports "got [$got]"; fi
  check bad_key_code_400 test "$(post 'd NoSuchKey' -H 'X-Sshkvm: 1' "$REM/api/keys")" = 400
  check get_on_post_route_405 test "$(code -b "$T/jar" "$REM/api/keys")" = 405

  # /metrics counts the refusals above, in a format Prometheus parses.
  curl -s -m 5 -u 'alice:open sesame' -o "$T/metrics" "$REM/metrics"
  check metrics_exposition_format python3 - "$T/metrics" <<'PY'
import re, sys
seen_type = {}
ok = True
for line in open(sys.argv[1]).read().splitlines():
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        parts = line.split(" ", 3)
        if line.startswith("# TYPE "):
            assert parts[3] in ("counter", "gauge"), line
            seen_type[parts[2]] = parts[3]
        continue
    m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? ([0-9]+(\.[0-9]+)?)', line)
    assert m, "bad sample line: " + line
    assert m.group(1) in seen_type, "sample before its TYPE: " + line
    if seen_type[m.group(1)] == "counter":
        assert m.group(1).endswith("_total"), line
need = {"sshkvm_frames_captured_total", "sshkvm_http_frames_dropped_total", "sshkvm_clients",
        "sshkvm_http_bytes_sent_total", "sshkvm_hid_reports_written_total",
        "sshkvm_hid_reports_failed_total", "sshkvm_http_auth_failures_total"}
assert need <= set(seen_type), need - set(seen_type)
PY
  failures=$(awk '$1 == "sshkvm_http_auth_failures_total" {print $2}' "$T/metrics")
  check metrics_counts_auth_failures test "${failures:-0}" -ge 19
  written=$(awk '$1 == "sshkvm_hid_reports_written_total" {print $2}' "$T/metrics")
  check metrics_counts_hid_reports test "${written:-0}" -ge 5
  sent=$(awk '$1 == "sshkvm_http_bytes_sent_total" {print $2}' "$T/metrics")
  check metrics_counts_stream_bytes test "${sent:-0}" -gt "$(stat -c %s "$T/stream.body")"
fi
stop_sshkvm

# --http-auth always: loopback needs a login too.
start_sshkvm --http-auth always || exit 1
check always_loopback_401 test "$(code "http://127.0.0.1:$HTTP_PORT/snapshot")" = 401
url=$(kssh web 2>/dev/null)
check always_login_then_200 test "$(curl -s -m 5 -c "$T/jar2" -o /dev/null -w '%{http_code}' "$url")" = 200
check always_cookie_200 test "$(code -b "$T/jar2" "http://127.0.0.1:$HTTP_PORT/snapshot")" = 200
stop_sshkvm

# HTTPS with a self-signed certificate made here.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
start_sshkvm --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --http-auth always || exit 1
S=https://127.0.0.1:$HTTP_PORT
check tls_unauthenticated_401 test "$(code --cacert "$T/cert.pem" "$S/snapshot")" = 401
url=$(kssh web 2>/dev/null)
check tls_url_is_https grep -q "^https://127.0.0.1:$HTTP_PORT/login" <<<"$url"
curl -s -m 5 --cacert "$T/cert.pem" -D "$T/tls.h" -c "$T/jar3" -o /dev/null "$url"
check tls_cookie_secure grep -Eqi '^Set-Cookie: sshkvm_session=.*HttpOnly; SameSite=Strict; Secure' "$T/tls.h"
curl -s -m 5 --cacert "$T/cert.pem" -b "$T/jar3" -o "$T/tls.jpg" "$S/snapshot"
check tls_snapshot_is_jpeg bash -c "head -c 2 '$T/tls.jpg' | od -An -tx1 | grep -q 'ff d8'"
# Over TLS the streamer writes into a socket pair that libmicrohttpd relays through its TLS session.
curl -s -m $((2 * SLOW)) --cacert "$T/cert.pem" -b "$T/jar3" -o "$T/tls.stream" "$S/stream"
mkdir -p "$T/tlsparts"
n=$("$HELPERS/multipart_split" "$T/tls.stream" "$T/tlsparts"); rc=$?
check tls_stream_well_formed test "$rc" -eq 0
# Under valgrind (SSHKVM_SLOW) GnuTLS runs tens of times slower: the time-outs and "flows" scale
# with it (the stream is read SLOW times longer for at least 20 / SLOW parts).
check tls_stream_flows test "${n:-0}" -ge $((20 / SLOW))
check tls_untrusted_cert_refused_by_curl bash -c "! curl -s -m 5 -o /dev/null '$S/snapshot'"
check tls_plain_http_fails bash -c "test \"\$(curl -s -m 5 -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$HTTP_PORT/snapshot')\" != 200"
stop_sshkvm

# Listening beyond loopback without --http-auth: loopback clients log in too (a reverse proxy
# on this host, or any local user, is not someone at the machine).
PORT=$(free_port)
start_sshkvm --http-listen "0.0.0.0:$PORT" --hid "file:$KBD" || exit 1
check wide_listen_default_loopback_401 test "$(code "http://127.0.0.1:$PORT/snapshot")" = 401
stop_sshkvm
start_sshkvm --hid "file:$KBD" || exit 1
check loopback_listen_default_no_login test "$(code "http://127.0.0.1:$HTTP_PORT/snapshot")" = 200
stop_sshkvm

# Password guessing is throttled per source: five wrong ones, then 429 with Retry-After and
# no password checked (not even the right one) until it waits; another address is not held
# back, and the audit log has a line for each guess checked, not for each one refused.
start_sshkvm --http-auth always --http-passwd "$T/passwd" --audit-log "$T/audit" || exit 1
G=http://127.0.0.1:$HTTP_PORT/snapshot
codes=""
for _ in $(seq 12); do codes+="$(code --interface 127.0.0.3 -u 'alice:guess' "$G") "; done
check guesses_401_then_429 test "$codes" = "401 401 401 401 401 429 429 429 429 429 429 429 "
curl -s -m 5 --interface 127.0.0.3 -u 'alice:open sesame' -D "$T/429.h" -o /dev/null "$G"
check throttled_right_password_429 grep -q '^HTTP/1.1 429' "$T/429.h"
check throttled_retry_after grep -Eqi '^Retry-After: [1-9]' "$T/429.h"
check other_source_not_throttled test "$(code --interface 127.0.0.4 -u 'alice:open sesame' "$G")" = 200
check audit_counts_checked_guesses test "$(grep -c 'event=login-failed.*reason=bad-password' "$T/audit")" = 5
sleep 1.2
check throttled_source_after_wait test "$(code --interface 127.0.0.3 -u 'alice:open sesame' "$G")" = 200
finish

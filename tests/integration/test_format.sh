#!/usr/bin/env bash
# The C sources follow the committed .clang-format (make format-check), and
# the check fails on a file that does not.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
T=$(mktemp -d /tmp/sshkvm-format.XXXXXX)
trap 'rm -rf "$T"' EXIT
if out=$(make -s format-check 2>&1); then
  echo "PASS format_check_clean"
else
  echo "FAIL format_check_clean: $(printf '%s\n' "$out" | head -5)"
fi
printf 'int  f( void ){return 0;}\n' >"$T/bad.c"
if clang-format --style=file:"$ROOT/.clang-format" --dry-run --Werror "$T/bad.c" >/dev/null 2>&1; then
  echo "FAIL format_check_catches_bad_file"
else
  echo "PASS format_check_catches_bad_file"
fi

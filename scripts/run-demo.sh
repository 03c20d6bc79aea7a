#!/usr/bin/env bash
# `make run`: start sshkvm on the built-in demo target and say how to connect.
# Extra options can be passed through: make run ARGS="--keymap de".
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Starting sshkvm on the demo target (Ctrl+C stops it)."
exec build/sshkvm ${ARGS:-}

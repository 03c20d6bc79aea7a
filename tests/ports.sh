# free_port: a TCP port nobody listens on, below the kernel's ephemeral range
# (32768 and up), where the outgoing connections of the tests' own clients
# would otherwise take it first. Sourced by tests/integration/lib.sh and
# tests/vm/lib.sh.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo 0
}

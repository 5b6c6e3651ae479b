# Shared helpers for the end-to-end tests. Each test sources this, calls e2e_lan N, runs real
# confcast processes in the hosts' namespaces and checks their --stats-json output.
# Exit 77 means "skipped" (ctest SKIP_RETURN_CODE); the reason is printed first. Only two
# reasons may skip: no root (a developer's run; CI runs as root) and a kernel that lacks a
# feature (skip_kernel). A missing tool that scripts/install-deps installs, a program that was
# not built, or a virtual LAN that cannot be built is a failure: scripts/test fails any other
# skip when it runs as root.
set -euo pipefail

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SEND=${CONFCAST_SEND:?CONFCAST_SEND must name the confcast-send binary}
RECV=${CONFCAST_RECV:?CONFCAST_RECV must name the confcast-recv binary}
VLAN=$E2E_ROOT/scripts/vlan
# stats_json.load reads --stats-json (JSON lines) as {"header", "seconds": [...], "final"}.
export PYTHONPATH=$E2E_ROOT/tests/e2e${PYTHONPATH:+:$PYTHONPATH}
LAN=""
WORK=$(mktemp -d /tmp/confcast-e2e.XXXXXX)
PIDS=()

skip() { echo "SKIPPED: $*"; exit 77; }
skip_kernel() { echo "SKIPPED: kernel: $*"; exit 77; }
# need CMD PACKAGE: CMD must be on PATH (scripts/install-deps installs PACKAGE).
need() { command -v "$1" >/dev/null || fail "$1 missing: scripts/install-deps installs $2 (run it)"; }
# need_exe PATH WHAT: a program of ours that the build makes.
need_exe() { [ -x "$1" ] || fail "$2 not built ($1): build every target first"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "== $*"; }

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  [ -n "$LAN" ] && "$VLAN" down "$LAN" >/dev/null 2>&1 || true
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    for f in "$WORK"/*.log; do [ -e "$f" ] && { echo "--- $(basename "$f")"; tail -n 25 "$f"; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# e2e_lan N [vlan options]: a fresh virtual LAN with N hosts, unique per run.
e2e_lan() {
  [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces (CI runs as root)"
  need ip iproute2
  LAN="e2e$$$(printf '%04x' $((RANDOM)))"
  "$VLAN" up "$LAN" "$@" >"$WORK/vlan.log" 2>&1 || { cat "$WORK/vlan.log"; fail "cannot build the virtual LAN (scripts/vlan up, above)"; }
}

# on H CMD...: run CMD in host H of the LAN, in the background. Its pid is left in LAST (not
# printed: a command substitution would make it a grandchild that `wait` cannot collect) and
# added to PIDS; stdout goes to $WORK/$LOG.out and stderr to $WORK/$LOG.log.
on() {
  local host=$1; shift
  local log=${LOG:-h$host}
  "$VLAN" exec "$LAN" "$host" "$@" >"$WORK/$log.out" 2>"$WORK/$log.log" &
  LAST=$!
  PIDS+=("$LAST")
}
addr() { "$VLAN" addr "$LAN" "$1"; }

# wait_pid PID SECONDS: wait for a process to end by itself, failing if it does not.
wait_pid() {
  local pid=$1 limit=$2
  for _ in $(seq $((limit * 10))); do kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }; sleep 0.1; done
  fail "process $pid still running after ${limit}s"
}

# json FILE PYTHON-EXPR: evaluates EXPR with `d` bound to the parsed file; prints it. A
# --stats-json file (JSON lines) reads as {"header": ..., "seconds": [...], "final": ...}
# (tests/e2e/stats_json.py); a plain JSON document as it is.
json() {
  python3 - "$1" "$2" <<'PY'
import json, sys
from stats_json import load
d = load(sys.argv[1])
print(eval(sys.argv[2]))
PY
}
# check DESCRIPTION PYTHON-CONDITION FILE: fails the test with the description when false.
check() {
  local desc=$1 cond=$2 file=$3
  local ok; ok=$(json "$file" "$cond") || fail "$desc: cannot evaluate on $file"
  [ "$ok" = "True" ] || fail "$desc ($cond) on $(basename "$file")"
  echo "ok: $desc"
}

# cut_to H / restore_to H: 100% loss towards host H (an outage), in a table of our own in the
# LAN's bridge namespace, next to scripts/vlan's "confcast" table. restore_to deletes it.
cut_to() {
  "$VLAN" exec "$LAN" br nft add table bridge e2ecut
  "$VLAN" exec "$LAN" br nft add chain bridge e2ecut out '{ type filter hook forward priority -10; }'
  "$VLAN" exec "$LAN" br nft add rule bridge e2ecut out oifname "p$1" counter drop
}
restore_to() { "$VLAN" exec "$LAN" br nft delete table bridge e2ecut; }
# cut_dropped: packets the cut dropped so far (proves the outage was real).
cut_dropped() {
  "$VLAN" exec "$LAN" br nft list table bridge e2ecut | awk '/counter packets/ {for (i=1;i<=NF;i++) if ($i=="packets") print $(i+1)}'
}

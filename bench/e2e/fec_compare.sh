#!/usr/bin/env bash
# Frames intact with FlexFEC on and off at given random loss rates, on the virtual LAN (issue 7).
#
#   CONFCAST_SEND=... CONFCAST_RECV=... bench/e2e/fec_compare.sh [--seconds 10] [--losses "2 5"] [--fec 20]
#
# For each loss rate: one sender (640x360, 30 fps, no audio) and one receiver behind that loss,
# once with --fec off and once with --fec PCT (and --fec auto). No NACK/RTX is involved. Prints
# frames sent, shown, dropped, packets lost and rebuilt; "intact" is frames shown / frames sent.
# Needs root (network namespaces).
set -euo pipefail
seconds=10 losses="2 5" fec=20
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --losses) losses=$2; shift 2 ;;
    --fec) fec=$2; shift 2 ;;
    *) echo "fec_compare: unknown option '$1'" >&2; exit 2 ;;
  esac
done
source "$(dirname "$0")/../../tests/e2e/lib.sh"
printf "%-6s %-6s %7s %7s %7s %7s %9s %8s %9s\n" loss fec sent shown dropped lost rebuilt intact overhead
for loss in $losses; do
  e2e_lan 2 --loss "2:$loss"
  for mode in off "$fec" auto; do
    LOG=recv on 2 "$RECV" --video-sink null --audio-sink null --duration $((seconds + 1)) -q --stats-json "$WORK/recv.json"
    recv=$LAST
    sleep 0.5
    LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration "$seconds" --audio none --fec "$mode" --stats-json "$WORK/send.json"
    send=$LAST
    wait_pid "$send" $((seconds + 30)) || fail "confcast-send failed"
    wait_pid "$recv" $((seconds + 30)) || fail "confcast-recv failed"
    python3 - "$WORK/send.json" "$WORK/recv.json" "$loss" "$mode" <<'PY'
import json, sys
from stats_json import load
s = load(sys.argv[1])['final']['video']
r = [x for x in load(sys.argv[2])['final']['streams'] if x['kind'] == 'video'][0]
print(f"{sys.argv[3]+'%':<6} {sys.argv[4]:<6} {s['frames']:7d} {r['frames_rendered']:7d} {r['frames_dropped']:7d} "
      f"{r['lost']:7d} {r['repair']['recovered_fec']:9d} {100*r['frames_rendered']/max(1,s['frames']):7.1f}% "
      f"{s['repair']['fec_overhead_pct']:8.1f}%")
PY
  done
  "$VLAN" down "$LAN" >/dev/null 2>&1 || true
  LAN=""
done

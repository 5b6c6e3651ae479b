#!/usr/bin/env bash
# End-to-end latency of confcast next to GStreamer, measured the same way, on the virtual LAN,
# at 0% and 2% random loss: a short form of confcast-bench, which defines every system's
# pipeline and encoder settings in one place (bench/confcastbench/systems.py).
#
#   bench/e2e/latency_compare.sh [--seconds 10] [--size 1280x720] [--receivers 1] [confcast-bench options]
#
# Runs `confcast-bench lan-clean lan-2pct --compare gst,gst-rtx`; any other option goes to
# confcast-bench (e.g. --compare gst,gst-rtx,ffmpeg, --latency 20, --vbv-ms 100). Needs root and
# a Release build (CONFCAST_BUILD, default build/release; build/rel and build-rel are tried too).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=10 size=1280x720 receivers=1 rest=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --receivers) receivers=$2; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
bin=${CONFCAST_BUILD:-}
if [ -z "$bin" ]; then
  for d in build/release build/rel build-rel; do
    [ -x "$d/bench/e2e/confcast-stamp" ] && { bin=$d; break; }
  done
fi
[ -n "$bin" ] || { echo "latency_compare: no Release build with confcast-stamp; build one or set CONFCAST_BUILD" >&2; exit 1; }
exec bench/confcast-bench lan-clean lan-2pct --compare gst,gst-rtx --bin-dir "$bin" \
  --seconds "$seconds" --size "$size" --receivers "$receivers" "${rest[@]}"

#!/usr/bin/env bash
# Watch a confcast source on a real LAN, in a window (or to y4m:- for a pipe).
#   samples/watch-on-lan.sh IFACE [GROUP] [extra confcast-recv options...]
#   samples/watch-on-lan.sh IFACE session.sdp        (an SDP file instead of a group)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 IFACE [GROUP|SDP] [confcast-recv options...]" >&2; exit 2; }
iface=$1; shift
target=${1:-239.0.0.11}; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$target" ]; then
  exec "$here/build/release/receiver/confcast-recv" "$target" --iface "$iface" "$@"
fi
exec "$here/build/release/receiver/confcast-recv" --iface "$iface" --group "$target" "$@"

#!/usr/bin/env bash
# Start a confcast source on a real LAN. The interface must be named: confcast never guesses a
# real interface in scripts.
#   samples/send-on-lan.sh IFACE [GROUP] [extra confcast-send options...]
#   e.g. samples/send-on-lan.sh IFACE 239.0.0.11 --video v4l2:/dev/video0 --audio pulse --name "Room A"
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 IFACE [GROUP] [confcast-send options...]" >&2; exit 2; }
iface=$1; shift
group=${1:-239.0.0.11}; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/build/release/sender/confcast-send" --iface "$iface" --group "$group" --ttl 1 \
  --sdp "${SDP:-/tmp/confcast.sdp}" "$@"

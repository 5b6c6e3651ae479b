#!/usr/bin/env bash
# Multicast datagrams per second across the virtual LAN, batched (sendmmsg/recvmmsg) and with
# one syscall per datagram, and CPU per datagram on each side. Needs root.
#
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel -j2 \
#     --target confcast-probe
#   bench/net/vlan_throughput.sh build-rel/net/confcast-probe [COUNT] [SIZE]
#
# Host 1 sends COUNT datagrams of SIZE bytes as fast as its socket takes them to 239.0.0.99;
# host 2 receives. The receiver's rate is over kernel arrival stamps of first and last datagram;
# CPU is user+system time of each process divided by the datagrams it handled.
set -euo pipefail
probe=$(realpath "${1:?usage: vlan_throughput.sh PATH/TO/confcast-probe [COUNT] [SIZE]}")
count=${2:-200000}
size=${3:-1200}
here=$(cd "$(dirname "$0")" && pwd)
vlan=$here/../../scripts/vlan
name=ccb-$$-$RANDOM
trap '"$vlan" down "$name"' EXIT
"$vlan" up "$name" 2

kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p; s/^$1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }

printf '%-8s %10s %12s %12s %9s %9s %14s %14s\n' mode sent sender_pps recv_pps lost \
  kdrops sender_ns/dgram recv_ns/dgram
for batch in 32 1; do
  out=$(mktemp)
  "$vlan" exec "$name" 2 "$probe" --recv --group 239.0.0.99:15550 --batch "$batch" \
    --size "$size" --idle 1 --timeout 120 >"$out" 2>/dev/null &
  rpid=$!
  # Wait until the receiver has joined (it prints "ready").
  for _ in $(seq 500); do grep -q ready "$out" && break; sleep 0.01; done
  s=$("$vlan" exec "$name" 1 "$probe" --send --group 239.0.0.99:15550 --count "$count" \
    --rate 0 --size "$size" --batch "$batch" 2>/dev/null)
  wait "$rpid"
  r=$(grep '^result' "$out"); rm -f "$out"
  sent=$(kv sent "$s"); recv=$(kv received "$r")
  mode=$([ "$batch" = 1 ] && echo single || echo "mmsg$batch")
  printf '%-8s %10s %12s %12s %9s %9s %14.0f %14.0f\n' "$mode" "$sent" "$(kv rate "$s")" \
    "$(kv rate_pps "$r")" "$(kv lost "$r")" "$(kv kernel_drops "$r")" \
    "$(awk -v c="$(kv cpu_us "$s")" -v n="$sent" 'BEGIN { print c * 1000 / n }')" \
    "$(awk -v c="$(kv cpu_us "$r")" -v n="$recv" 'BEGIN { print n ? c * 1000 / n : 0 }')"
done

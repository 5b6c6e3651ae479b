#!/usr/bin/env bash
# confcast-doctor on a two-host virtual LAN: all OK with --peer (host 2 runs --listen), then
# each classic breakage made on purpose in host 1 and named by the doctor with the right fix;
# the fix the doctor prints is run as given to restore, which proves the text is a command.
#  - reverse-path filtering loose plus no route back to the sender;
#  - DROP rules for the RTP ports, one with nftables and one with iptables;
#  - a tiny net.core.rmem_max. On this kernel rmem_max is global (read-only inside a network
#    namespace), so the test shows the doctor a tiny value through a private bind mount over
#    /proc/sys/net/core/rmem_max instead of changing the machine's;
#  - the multicast route deleted, and no IGMP querier on a snooping bridge;
#  - everything restored, with the bridge's querier on: all OK again.
source "$(dirname "$0")/lib.sh"
DOCTOR=${CONFCAST_DOCTOR:-$(cd "$(dirname "$SEND")/.." && pwd)/net/confcast-doctor}
need_exe "$DOCTOR" confcast-doctor
e2e_lan 2
peer=$(addr 2)

LOG=listen on 2 "$DOCTOR" --listen --listen-seconds 60
for _ in $(seq 100); do grep -q listening "$WORK/listen.out" 2>/dev/null && break; sleep 0.05; done
grep -q listening "$WORK/listen.out" || fail "confcast-doctor --listen did not start"

h1() { "$VLAN" exec "$LAN" 1 "$@"; }
# doctor NAME [ARGS]: the doctor on host 1 with --json --peer; output in $WORK/NAME.json and
# its exit code in RC.
doctor() {
  local name=$1; shift
  set +e
  h1 "$DOCTOR" --json --peer "$peer" "$@" >"$WORK/$name.json" 2>"$WORK/$name.log"
  RC=$?
  set -e
}
c() { echo "[x for x in d['checks'] if x['name'] == '$1'][0]"; }
# all_ok NAME: every check OK or SKIP (prints the doctor's verdicts when not).
all_ok() {
  json "$WORK/$1.json" "all(x['status'] in ('OK', 'SKIP') for x in d['checks'])" | grep -q True || {
    json "$WORK/$1.json" "'\\n'.join(x['status'] + ' ' + x['name'] + ': ' + x['detail'] for x in d['checks'])"
    fail "$1: not every check is OK"
  }
  echo "ok: $1: every check OK (or SKIP)"
}
fix_of() { json "$WORK/$1.json" "$(c "$2")['fix']"; }

note "baseline"
doctor base
all_ok base
[ "$RC" -eq 0 ] || fail "baseline exit code $RC"
check "baseline: the peer heard us and we heard it" "$(c peer)['status'] == 'OK'" "$WORK/base.json"
check "baseline: membership shows in /proc/net/igmp" "$(c membership)['status'] == 'OK'" "$WORK/base.json"

note "rp_filter loose and no route back to the sender"
h1 sysctl -qw net.ipv4.conf.all.rp_filter=2
h1 ip route del 10.77.0.0/24 dev vl0
doctor rp
[ "$RC" -eq 1 ] || fail "rp_filter breakage: exit code $RC, want 1"
check "rp_filter FAILs" "$(c rp_filter)['status'] == 'FAIL'" "$WORK/rp.json"
check "rp_filter fix names the route back or the sysctl" \
      "'ip route add $peer/32 dev vl0' in $(c rp_filter)['fix'] and 'net.ipv4.conf.all.rp_filter=0' in $(c rp_filter)['fix']" "$WORK/rp.json"
check "and the peer test sees the symptom" "$(c peer)['status'] == 'FAIL'" "$WORK/rp.json"
h1 sysctl -qw net.ipv4.conf.all.rp_filter=0
h1 ip route add 10.77.0.0/24 dev vl0 src "$(addr 1)"

note "DROP rules: nftables for the video RTP port, iptables for the audio RTP port"
h1 nft add table inet e2e
h1 nft add chain inet e2e in '{ type filter hook input priority 0; }'
h1 nft add rule inet e2e in udp dport 15550 counter drop
h1 iptables -A INPUT -p udp --dport 15552 -j DROP
doctor fw
check "firewall FAILs naming the nft rule" \
      "$(c firewall)['status'] == 'FAIL' and 'nft rule in inet e2e in' in $(c firewall)['detail'] and '15550 (video RTP)' in $(c firewall)['detail']" "$WORK/fw.json"
check "and the iptables rule" "'15552 (audio RTP)' in $(c firewall)['detail']" "$WORK/fw.json"
check "the loopback self-test sees the symptom" "$(c loopback)['status'] == 'FAIL'" "$WORK/fw.json"
fixes=$(fix_of fw firewall)
[[ "$fixes" =~ ^nft\ delete\ rule\ inet\ e2e\ in\ handle\ [0-9]+\;\ iptables\ -D\ INPUT\ -p\ udp\ -m\ udp\ --dport\ 15552\ -j\ DROP$ ]] ||
  fail "firewall fixes are '$fixes'"
IFS=';' read -ra each <<<"$fixes"
for fix in "${each[@]}"; do eval "h1 $fix"; done  # the doctor's own words restore the host
h1 nft delete table inet e2e

note "tiny net.core.rmem_max"
echo 65536 >"$WORK/rmem_max"
set +e
h1 unshare -m sh -c 'mount --bind "$1" /proc/sys/net/core/rmem_max && exec "$2" --json' sh \
   "$WORK/rmem_max" "$DOCTOR" >"$WORK/rmem.json" 2>"$WORK/rmem.log"
set -e
check "rmem_max FAILs at 64 KB" "$(c rmem_max)['status'] == 'FAIL'" "$WORK/rmem.json"
check "rmem_max fix is the sysctl" "$(c rmem_max)['fix'].startswith('sysctl -w net.core.rmem_max=4194304')" "$WORK/rmem.json"

note "multicast route deleted; snooping on the bridge and no querier"
h1 ip route del 224.0.0.0/4 dev vl0
"$VLAN" exec "$LAN" br ip link set br0 type bridge mcast_snooping 1
doctor route --querier-wait 1
check "route WARNs" "$(c route)['status'] == 'WARN'" "$WORK/route.json"
check "querier WARNs when none is heard" "$(c querier)['status'] == 'WARN' and 'mcast_querier 1' in $(c querier)['fix']" "$WORK/route.json"
fix=$(fix_of route route)
[ "$fix" = "ip route add 224.0.0.0/4 dev vl0" ] || fail "route fix is '$fix'"
eval "h1 $fix"

note "restored, and the bridge's own querier on"
# Intervals first, then the querier: in one command the kernel applies mcast_querier before the
# intervals, so the querier starts on the default 31 s startup interval, its one immediate query
# goes out before the doctor listens, and the next comes long after --querier-wait (a WARN in
# one run of four under load).
"$VLAN" exec "$LAN" br ip link set br0 type bridge mcast_query_interval 100 \
  mcast_startup_query_interval 50 mcast_query_response_interval 50
"$VLAN" exec "$LAN" br ip link set br0 type bridge mcast_querier 1
doctor after --querier-wait 5
all_ok after
[ "$RC" -eq 0 ] || fail "after restoring: exit code $RC"
check "querier OK once the bridge queries" "$(c querier)['status'] == 'OK'" "$WORK/after.json"
note "doctor: each breakage named with its fix"

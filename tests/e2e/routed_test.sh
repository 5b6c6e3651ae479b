#!/usr/bin/env bash
# confcast across a multicast router (topology and pimd set-up in routed_lib.sh): a sender on
# subnet A, receivers on subnet B, pimd (PIM-SM, its own RP) routing between them.
#   1. TTL 1 stays on subnet A; TTL 2 crosses the router (confcast-probe, fast).
#   2. A confcast-recv joining on B gets confcast-send's stream through the router: the IGMP join
#      becomes pimd's (*,G) state, the traffic an (S,G) entry in the kernel's forwarding cache
#      with subnet B's interface among its outputs.
#      Their RTCP (sent with --ttl 2) reaches the sender the other way.
#   3. One receiver leaving keeps the branch (the other still listens); the last one leaving
#      prunes it: pimd's last-member queries go unanswered and the output is removed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/routed_lib.sh"
PROBE=${CONFCAST_PROBE:-$(dirname "$RECV")/../net/confcast-probe}
need_exe "$PROBE" confcast-probe
routed_up
note "topology $RT: sender 10.78.1.10 | router 10.78.1.1 / 10.78.2.1 (pimd) | receivers 10.78.2.11, .12; pimd elected its RP in ${RT_CONVERGED} s"

# probe_ttl TTL GROUP: datagrams a receiver on B got of 100 sent with TTL.
probe_ttl() {
  local ttl=$1 group=$2
  LOG=probe-recv-$ttl ron h1 "$PROBE" --recv --group "$group:15560" --count 100 --timeout 2.5 --idle 1
  local rx=$LAST
  for _ in $(seq 40); do grep -q ready "$WORK/probe-recv-$ttl.out" 2>/dev/null && break; sleep 0.05; done
  sleep 0.3  # pimd turns the IGMP report into (*,G) state
  rexec s "$PROBE" --send --group "$group:15560" --count 100 --rate 200 --ttl "$ttl" >"$WORK/probe-send-$ttl.out"
  wait_pid "$rx" 10 || fail "confcast-probe --recv exited non-zero"
  sed -nE 's/.*result received=([0-9]+).*/\1/p' "$WORK/probe-recv-$ttl.out"
}
got1=$(probe_ttl 1 239.0.0.21)
note "TTL 1: $got1 of 100 crossed the router"
[ "$got1" -eq 0 ] || fail "TTL 1 crossed the router ($got1 datagrams)"
echo "ok: TTL 1 stays on its subnet"
got2=$(probe_ttl 2 239.0.0.22)
note "TTL 2: $got2 of 100 crossed the router"
# The first datagrams wait in the kernel while pimd installs the route (a few may be lost).
[ "$got2" -ge 90 ] || fail "TTL 2 did not cross the router ($got2 of 100)"
echo "ok: TTL 2 crosses the router"

# The stream through the router. Group 239.0.0.31, ports 15570-15573.
G=239.0.0.31
LOG=recv1 ron h1 "$RECV" --group $G --port 15570 --video-sink null --audio-sink null --duration 5 \
  -q --ttl 2 --stats-json "$WORK/recv1.json"
recv1=$LAST
LOG=recv2 ron h2 "$RECV" --group $G --port 15570 --video-sink null --audio-sink null --duration 7.5 \
  -q --ttl 2 --stats-json "$WORK/recv2.json"
recv2=$LAST
sleep 0.5
LOG=send ron s "$SEND" --group $G --port 15570 --ttl 2 --size 320x240 --fps 30 --gop 30 \
  --duration 16 --audio test --stats-json "$WORK/send.json"
send=$LAST

# vif 1 is vlb (subnet B): the (S,G) entry's outputs ("1:1" = vif 1, TTL threshold 1).
to_b() { mfc_entry $G | awk '{ for (i = 7; i <= NF; ++i) if ($i ~ /^1:/) found = 1 } END { exit !found }'; }
for _ in $(seq 50); do to_b && break; sleep 0.1; done
to_b || fail "no forwarding-cache entry for $G towards subnet B: $(rexec r cat /proc/net/ip_mr_cache)"
note "router: $(rexec r ip mroute show | grep "(10.78.1.10,$G)")"
echo "ok: the router holds (10.78.1.10, $G) with subnet B among its outputs"
nsenter -t "$PIMD_PID" -m -n pimd -r >"$WORK/pimd-routes.txt" 2>&1 || true
grep -q "$G" "$WORK/pimd-routes.txt" || fail "pimd has no state for $G: $(cat "$WORK/pimd-routes.txt")"
echo "ok: pimd holds routing state for $G"

wait_pid "$recv1" 20 || fail "confcast-recv (h1) exited non-zero"
sleep 1
to_b || fail "the branch to subnet B was pruned while h2 still listens"
echo "ok: one receiver leaving keeps the branch (the other still listens)"
wait_pid "$recv2" 20 || fail "confcast-recv (h2) exited non-zero"
left=$(date +%s.%N)
pruned=""
for _ in $(seq 150); do  # at most 15 s
  to_b || { pruned=$(date +%s.%N); break; }
  sleep 0.1
done
[ -n "$pruned" ] || fail "the branch to subnet B was not pruned within 15 s of the last leave: $(mfc_entry $G)"
note "pruned $(awk -v a="$left" -v b="$pruned" 'BEGIN { printf "%.1f", b - a }') s after the last receiver left"
echo "ok: the last receiver leaving prunes the branch"
sent_b=$(rexec r awk '$2 == "vlb" { print $5 }' /proc/net/ip_mr_vif)
sleep 1
[ "$(rexec r awk '$2 == "vlb" { print $5 }' /proc/net/ip_mr_vif)" = "$sent_b" ] ||
  fail "the router still forwards to subnet B after the prune"
echo "ok: nothing more is forwarded to subnet B"
kill "$send" 2>/dev/null || true
wait "$send" 2>/dev/null || true
# Feedback crosses too: receivers send their RTCP with --ttl 2, the router forwards it to A.
check "the sender on subnet A heard both receivers' RTCP through the router" \
  "max(s['receivers'] for s in d['seconds']) >= 2" "$WORK/send.json"

for h in 1 2; do
  video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
  note "h$h: $(json "$WORK/recv$h.json" "{k: $video[k] for k in ('packets','lost','frames_rendered')}")"
  check "receiver h$h on subnet B rendered the stream from subnet A" "$video['frames_rendered'] >= 30" "$WORK/recv$h.json"
done

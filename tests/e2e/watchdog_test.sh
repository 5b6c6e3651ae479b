#!/usr/bin/env bash
# The receive watchdog. Host 2's path is cut for 3 s by an nft drop rule on the bridge (its port
# p2): its receiver says "no signal" within 2 s of the cut, keeps going, says "signal back" with
# the outage when the rule goes, and renders frames again. Host 3 runs with --rejoin-every 1:
# with no querier on this LAN nothing else makes a host repeat its IGMP reports, so the reports
# captured on the bridge come from the renewals (host 2, without the option, sends none).
source "$(dirname "$0")/lib.sh"
need tcpdump tcpdump
e2e_lan 3
br() { "$VLAN" exec "$LAN" br "$@"; }
br nft add table bridge watchdog
br nft add chain bridge watchdog out '{ type filter hook forward priority 0; }'

# No -q: the startup, no-signal and signal-back lines below are info and warning lines.
LOG=recv2 on 2 "$RECV" --video-sink null --audio-sink null --duration 11 --stats-json "$WORK/recv2.json"
recv2=$LAST
LOG=recv3 on 3 "$RECV" --video-sink null --audio-sink null --duration 11 --rejoin-every 1 \
  --stats-json "$WORK/recv3.json" -v
recv3=$LAST
sleep 0.3
LOG=send on 1 "$SEND" --size 320x240 --fps 30 --gop 30 --duration 10.5 --audio test
send=$LAST
# Count IGMP reports once the receivers' own join reports (sent twice within a second) are over.
for _ in $(seq 100); do
  grep -q "multicast " "$WORK/recv2.log" && grep -q "multicast " "$WORK/recv3.log" && break
  sleep 0.05
done
sleep 1.5
"$VLAN" exec "$LAN" br tcpdump -i br0 -n -l -p igmp >"$WORK/igmp.out" 2>"$WORK/tcpdump.log" &
tcpdump=$!
PIDS+=("$tcpdump")
sleep 1.5

cut_at=$(date +%s.%N)
br nft add rule bridge watchdog out oifname p2 counter drop
note "path to host 2 cut"
seen=""
for _ in $(seq 60); do  # at most 3 s
  grep -q "no signal:" "$WORK/recv2.log" && { seen=$(date +%s.%N); break; }
  sleep 0.05
done
[ -n "$seen" ] || fail "no 'no signal' line within 3 s of the cut"
after=$(awk -v a="$cut_at" -v b="$seen" 'BEGIN { printf "%.2f", b - a }')
note "$(grep -m1 'no signal:' "$WORK/recv2.log")"
awk -v t="$after" 'BEGIN { exit !(t <= 2.0) }' || fail "the no-signal line came ${after} s after the cut (want <= 2 s)"
echo "ok: no-signal line ${after} s after the cut"
grep -m1 'no signal:' "$WORK/recv2.log" | grep -q '1) the sender is gone.*2) the network dropped our membership.*3) the path.*confcast-doctor' ||
  fail "the no-signal line does not rank sender, membership, path"
echo "ok: it ranks the causes: sender, membership, path"
sleep $(awk -v a="$cut_at" -v n="$(date +%s.%N)" 'BEGIN { d = 3 - (n - a); printf "%.2f", (d > 0 ? d : 0) }')
br nft flush chain bridge watchdog out
note "path to host 2 restored"
for _ in $(seq 60); do grep -q "signal back" "$WORK/recv2.log" && break; sleep 0.05; done
grep -q "signal back" "$WORK/recv2.log" || fail "no 'signal back' line within 3 s of the restore"
note "$(grep -m1 'signal back' "$WORK/recv2.log")"
outage=$(grep -m1 'signal back' "$WORK/recv2.log" | sed -E 's/.*after ([0-9.]+) s.*/\1/')
awk -v o="$outage" 'BEGIN { exit !(o >= 2.5 && o <= 6) }' || fail "outage reported as $outage s, the cut lasted 3 s"
echo "ok: recovery line with the outage ($outage s)"

sleep 3
kill "$tcpdump" 2>/dev/null || true
wait "$tcpdump" 2>/dev/null || true
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv2" 30 || fail "confcast-recv (host 2) exited non-zero"
wait_pid "$recv3" 30 || fail "confcast-recv (host 3) exited non-zero"

check "host 2 reported one outage" "d['final']['signal']['outages'] == 1" "$WORK/recv2.json"
check "its per-second figures show the no-signal state" \
  "sum(s['signal'] == 'no signal' for s in d['seconds']) >= 1" "$WORK/recv2.json"
# Frames rendered after the last no-signal second: the picture came back by itself.
check "it rendered frames again after the outage" \
  "d['seconds'][-1]['frames_rendered'] - [s for s in d['seconds'] if s['signal'] == 'no signal'][-1]['frames_rendered'] >= 30" \
  "$WORK/recv2.json"
check "host 3 (uncut) saw no outage" "d['final']['signal']['outages'] == 0" "$WORK/recv3.json"
check "host 3 renewed its membership about once a second" "d['final']['signal']['rejoins'] >= 8" "$WORK/recv3.json"
reports3=$(grep -c '10.77.0.3 >.*igmp' "$WORK/igmp.out" || true)
reports2=$(grep -c '10.77.0.2 >.*igmp' "$WORK/igmp.out" || true)
note "IGMP reports seen on the bridge over ~9 s: host 3 (--rejoin-every 1) $reports3, host 2 $reports2"
[ "$reports3" -ge 8 ] || fail "host 3 sent $reports3 IGMP reports, want one or more per renewal"
[ "$reports2" -le 1 ] || fail "host 2 sent $reports2 IGMP reports without --rejoin-every or a querier"
echo "ok: --rejoin-every makes the host report its membership again"

#!/usr/bin/env bash
# What is really on the wire: tshark's RTP analysis of a capture of confcast's stream shows no
# lost packets or sequence errors, and its RTCP (SR, SDES, RR) dissects without malformations.
source "$(dirname "$0")/lib.sh"
need tshark tshark
e2e_lan 3
LOG=tshark on 3 tshark -q -i any -f "udp and dst net 239.0.0.0/8" -a duration:6 -w "$WORK/cap.pcapng"
cap=$LAST
sleep 1.5
LOG=recv on 2 "$RECV" --video-sink null --duration 5 -q >/dev/null
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 4
send=$LAST
wait_pid "$send" 20 || fail "confcast-send exited non-zero"
wait "$cap" || true
decode=(-d udp.port==15550,rtp -d udp.port==15551,rtcp -d udp.port==15552,rtp -d udp.port==15553,rtcp)
tshark -r "$WORK/cap.pcapng" "${decode[@]}" -q -z rtp,streams >"$WORK/streams.txt" 2>&1
cat "$WORK/streams.txt"
python3 - "$WORK/streams.txt" <<'PY' || fail "tshark's RTP analysis found problems"
import re, sys
rows = [l for l in open(sys.argv[1]) if re.search(r'0x[0-9A-Fa-f]{8}', l)]
assert len(rows) >= 2, "expected a video and an audio RTP stream"
for l in rows:
    cols = l.split()
    i = next(k for k, c in enumerate(cols) if c.startswith('0x'))
    # columns after SSRC: payload name(s), packets, lost (with percentage)
    nums = [c for c in cols[i+1:] if re.fullmatch(r'-?\d+', c)]
    pkts, lost = int(nums[0]), int(nums[1])
    assert pkts > 50, l
    assert lost == 0, "lost packets: " + l
    assert not l.rstrip().endswith('X'), "tshark flags a problem: " + l
PY
rtcp=$(tshark -r "$WORK/cap.pcapng" "${decode[@]}" -Y rtcp 2>/dev/null | wc -l)
bad=$(tshark -r "$WORK/cap.pcapng" "${decode[@]}" -Y "rtcp && (_ws.malformed || _ws.expert.severity >= warning)" 2>/dev/null | wc -l)
sr=$(tshark -r "$WORK/cap.pcapng" "${decode[@]}" -Y "rtcp.pt == 200" 2>/dev/null | wc -l)
rr=$(tshark -r "$WORK/cap.pcapng" "${decode[@]}" -Y "rtcp.pt == 201" 2>/dev/null | wc -l)
note "RTCP packets: $rtcp (with SR: $sr, with RR: $rr), flagged: $bad"
[ "$rtcp" -gt 0 ] && [ "$sr" -gt 0 ] && [ "$rr" -gt 0 ] || fail "expected SR and RR compounds on the wire"
[ "$bad" -eq 0 ] || fail "tshark flags $bad RTCP packets as malformed"

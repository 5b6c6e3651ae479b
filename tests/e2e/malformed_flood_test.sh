#!/usr/bin/env bash
# A receiver keeps rendering a real stream while another host of the LAN floods the group's
# video RTP and RTCP ports with malformed and hostile datagrams (tests/e2e/tools/flood.py:
# random bytes, truncated headers, wrong version, CSRC/extension/padding overruns, zero-length
# and huge datagrams, malformed RTCP compounds, valid-looking RTP with a foreign SSRC and with
# a new random SSRC per packet). It must not crash, must count what it dropped by reason, must
# not let the foreign source replace the real one, and must not ask the foreign source for
# keyframes (it is not shown, so a keyframe would be wasted).
source "$(dirname "$0")/lib.sh"
need python3 python3
e2e_lan 3
FOREIGN=0x0badf00d
LOG=recv on 2 "$RECV" --video-sink null --duration 9.5 -q --stats-json "$WORK/recv.json"
recv=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 9 --audio none --stats-json "$WORK/send.json"
send=$LAST
sleep 1.5
LOG=flood on 3 python3 "$E2E_ROOT/tests/e2e/tools/flood.py" --group 239.0.0.11 --port 15550 \
  --seconds 6 --pps 10000 --foreign-ssrc $FOREIGN
flood=$LAST
wait_pid "$flood" 20 || fail "flood.py failed"
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero (crashed under the flood?)"
note "flood: $(cat "$WORK/flood.out")"
note "receiver dropped: $(json "$WORK/recv.json" "{k: v for k, v in d['final']['dropped'].items() if v}")"
sent_frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
real=$(json "$WORK/send.json" "d['final']['video']['ssrc']")
videos="[s for s in d['final']['streams'] if s['kind']=='video']"
realv="[s for s in $videos if s['ssrc']==$real][0]"
note "real stream: $(json "$WORK/recv.json" "{k: $realv[k] for k in ('packets','lost','frames_rendered','frames_dropped','decode_errors')}") of $sent_frames frames sent"
# The flood really reached the receiver: its per-reason counters are large.
check "malformed RTP was counted by reason" \
      "all(d['final']['dropped'].get(k, 0) >= 500 for k in ('rtp_too_short','rtp_bad_version','rtp_csrc_overrun','rtp_extension_overrun','rtp_bad_padding'))" "$WORK/recv.json"
check "malformed RTCP was counted" "d['final']['malformed_rtcp'] >= 1000" "$WORK/recv.json"
check "oversize datagrams were counted" "d['final']['dropped'].get('oversize', 0) >= 100" "$WORK/recv.json"
check "random-SSRC packets never became participants" \
      "len($videos) <= 2 and d['final']['dropped'].get('never_validated', 0) >= 500" "$WORK/recv.json"
check "the real stream kept rendering (>= 80% of the frames sent)" \
      "$realv['frames_rendered'] >= 0.8 * $sent_frames" "$WORK/recv.json"
check "no broken frame was shown" "$realv['decode_errors'] == 0" "$WORK/recv.json"
check "the foreign source never got a frame rendered" \
      "all(s['frames_rendered'] == 0 for s in $videos if s['ssrc']==$((FOREIGN)))" "$WORK/recv.json"
# Every PLI the receiver sent reached the sender (no loss towards it): the difference is PLIs
# sent to the foreign SSRC, which must be none.
plis=$(json "$WORK/recv.json" "d['final']['plis_sent']")
check "no keyframe requests went to the foreign source (receiver sent $plis)" \
      "d['final']['pli_received'] >= $plis - 1" "$WORK/send.json"

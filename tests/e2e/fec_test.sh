#!/usr/bin/env bash
# FlexFEC (RFC 8627) end to end. One sender, two receivers, 3% random loss towards one of them
# and no NACK/RTX: with --fec 20 (a repair packet per 5 media packets, after each frame) the
# lossy receiver rebuilds most lost packets and shows nearly every frame, while the clean one
# is unaffected. Then, with nobody losing, --fec auto sends no repair packet at all.
source "$(dirname "$0")/lib.sh"
# --ge H:0:100:100:PCT: the Gilbert-Elliott chain never leaves its good state, which loses PCT%
# at random: independent loss like nftables' drop, but drawn from a fixed seed, so the same
# packets are lost every run (scripts/vlan passes the seed to confcast-impair).
export CONFCAST_IMPAIR_SEED=7
e2e_lan 3 --ge 3:0:100:100:3

LOG=clean on 2 "$RECV" --nack off --video-sink null --audio-sink null --duration 9 -q --stats-json "$WORK/clean.json"
clean=$LAST
LOG=lossy on 3 "$RECV" --nack off --video-sink null --audio-sink null --duration 9 -q --stats-json "$WORK/lossy.json"
lossy=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 8 --audio none --rtx off --fec 20 \
  --sdp "$WORK/session.sdp" --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 40 || fail "confcast-send exited non-zero"
wait_pid "$clean" 40 || fail "confcast-recv (clean) exited non-zero"
wait_pid "$lossy" 40 || fail "confcast-recv (lossy) exited non-zero"

video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
note "sender: $frames frames, $(json "$WORK/send.json" "d['final']['video']['repair']")"
note "lossy: $(json "$WORK/lossy.json" "{k: $video[k] for k in ('lost','frames_rendered','frames_dropped','repair')}")"
note "clean: $(json "$WORK/clean.json" "{k: $video[k] for k in ('lost','frames_rendered','frames_dropped','repair')}")"
grep -q "a=rtpmap:98 flexfec/90000" "$WORK/session.sdp" || fail "SDP lacks the flexfec rtpmap"
grep -q "a=ssrc-group:FEC-FR " "$WORK/session.sdp" || fail "SDP lacks a=ssrc-group:FEC-FR"
check "the sender sent repair packets" "d['final']['video']['repair']['fec_packets_sent'] > 50" "$WORK/send.json"
check "the overhead is about the forced 20% (short last rows cost more)" \
  "15 <= d['final']['video']['repair']['fec_overhead_pct'] <= 45" "$WORK/send.json"
check "the loss was real" "$video['lost'] >= 10" "$WORK/lossy.json"
check "repair packets arrived" "$video['repair']['fec_received'] > 50" "$WORK/lossy.json"
check "FEC rebuilt lost packets" "$video['repair']['recovered_fec'] > 0" "$WORK/lossy.json"
check "FEC rebuilt most of them" "$video['repair']['recovered_fec'] >= 0.6 * $video['lost']" "$WORK/lossy.json"
# 216-235 of 242 frames shown over 18 runs with this seed (a row that loses two packets is
# beyond FEC and costs a keyframe request's round trip); 85% leaves ten frames below the worst.
check "nearly every frame shown on the lossy link (>= 85% of those sent)" \
  "$video['frames_rendered'] >= 0.85 * $frames" "$WORK/lossy.json"
check "no repair packet reached the decoder as media" "$video['wrong_payload_type'] == 0" "$WORK/lossy.json"
check "the clean receiver lost nothing and needed no repair" \
  "$video['lost'] == 0 and $video['repair']['recovered_fec'] == 0" "$WORK/clean.json"

# Nobody loses: auto sends no FEC (only the clean host listens).
LOG=clean2 on 2 "$RECV" --video-sink null --audio-sink null --duration 5 -q --stats-json "$WORK/clean2.json"
clean2=$LAST
sleep 0.5
LOG=send2 on 1 "$SEND" --size 640x360 --fps 30 --duration 4 --audio none --fec auto --stats-json "$WORK/send2.json"
send2=$LAST
wait_pid "$send2" 30 || fail "confcast-send (auto) exited non-zero"
wait_pid "$clean2" 30 || fail "confcast-recv (auto) exited non-zero"
check "the clean receiver got the stream and lost nothing" \
  "$video['frames_rendered'] > 0 and $video['lost'] == 0" "$WORK/clean2.json"
check "with nobody losing, --fec auto sent no repair packet" \
  "d['final']['video']['repair']['fec_packets_sent'] == 0" "$WORK/send2.json"

#!/usr/bin/env bash
# NACK/RTX repair in a multicast group: one sender, three receivers, 5% random loss on the way
# to each receiver. Every receiver asks for what it lost (generic NACK to the group), the sender
# retransmits each asked-for packet once to the group (RTX, PT 97), and the receivers keep an
# intact picture instead of freezing until a keyframe.
#
# What cannot pass by accident: recovered_rtx > 0 and >= 95% of frames rendered need working
# NACK -> RTX -> restore; rendering that much at 5% loss is impossible without repair (an
# unrepaired loss drops frames until the next keyframe). What cannot fail by chance: the
# sender never retransmits more than it was asked for (by construction, unless it is broken),
# and the NACKs the receivers sent reached the sender (no loss on the sender's port).
# Suppression needs common losses (two receivers missing the same packet, about 0.25% of packets
# per pair with independent loss): ~40 in this run, so at least one is suppressed is a check
# whose failure by chance is negligible (it is also unit-tested deterministically in
# tests/rtp/nack_tracker_test.cc).
source "$(dirname "$0")/lib.sh"
# --ge H:0:100:100:PCT: the Gilbert-Elliott chain never leaves its good state, which loses PCT%
# at random: independent loss like nftables' drop, but drawn from a fixed seed, so the same
# packets are lost every run (scripts/vlan passes the seed to confcast-impair).
export CONFCAST_IMPAIR_SEED=7
e2e_lan 4 --ge 2:0:100:100:5 --ge 3:0:100:100:5 --ge 4:0:100:100:5
receivers=()
for h in 2 3 4; do
  LOG=recv$h on "$h" "$RECV" --video-sink null --audio-sink null --duration 15 -q \
      --stats-json "$WORK/recv$h.json"
  receivers+=("$LAST")
done
sleep 1
LOG=send on 1 "$SEND" --size 1280x720 --fps 30 --duration 12 --audio none --fec off \
         --stats-json "$WORK/send.json"
sender=$LAST
wait_pid "$sender" 40 || fail "confcast-send exited non-zero"
for pid in "${receivers[@]}"; do wait_pid "$pid" 40 || fail "confcast-recv exited non-zero"; done
frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
note "sender: $frames frames; $(json "$WORK/send.json" "(d['final']['nack_packets_requested'], d['final']['video']['repair'])")"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
nacks=0
suppressed=0
for h in 2 3 4; do
  f=$WORK/recv$h.json
  note "receiver $h: $(json "$f" "{k: $video[k] for k in ('lost','frames_rendered','frames_dropped','keyframe_requests')}") repair $(json "$f" "$video['repair']") latency $(json "$f" "$video['latency_ms']")"
  check "receiver $h: the loss was real" "$video['lost'] >= 30" "$f"
  check "receiver $h: retransmissions repaired losses" "$video['repair']['recovered_rtx'] >= 10" "$f"
  check "receiver $h rendered >= 95% of $frames frames" "$video['frames_rendered'] >= 0.95*$frames" "$f"
  check "receiver $h: no RTX packet reached the decoder" "$video['wrong_payload_type'] == 0 and $video['decode_errors'] == 0" "$f"
  check "receiver $h: the RTX SSRC is not a participant" "len([s for s in d['final']['streams'] if s['kind']=='video']) == 1" "$f"
  nacks=$((nacks + $(json "$f" "$video['repair']['nacks_sent']")))
  suppressed=$((suppressed + $(json "$f" "$video['repair']['nacks_suppressed']")))
done
note "receivers requested $nacks packets, suppressed $suppressed requests"
# Requests for the last packets may come after the sender stopped listening: allow a few.
check "the sender heard the requested packets (no loss towards it)" \
      "$nacks - 100 <= d['final']['nack_packets_requested'] <= $nacks" "$WORK/send.json"
check "the sender retransmitted no more than it was asked for" \
      "0 < d['final']['video']['repair']['retransmissions_sent'] <= $nacks" "$WORK/send.json"
[ "$suppressed" -gt 0 ] || fail "no receiver suppressed a NACK for a packet another had asked for"
echo "ok: suppression seen ($suppressed requests)"

#!/usr/bin/env bash
# A stream that starts just before the 16-bit sequence-number wrap and the 32-bit timestamp
# wrap (hidden sender options --initial-seq / --initial-ts) crosses both within a few
# seconds. Nothing may change: no loss, no frame dropped, latency as usual, no PLI beyond the
# one a joining receiver sends.
source "$(dirname "$0")/lib.sh"
e2e_lan 2
LOG=recv on 2 "$RECV" --video-sink null --duration 8 -q --stats-json "$WORK/recv.json"
recv=$LAST
sleep 0.5
# ~2 s of 90 kHz before the timestamp wrap; 65000 crosses 65535 after ~500 packets (~2-3 s at
# 640x360, 30 fps). Audio: 48 kHz, so the same timestamp start wraps after ~3.7 s.
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 7 --initial-seq 65000 \
         --initial-ts $((4294967296 - 90000 * 2)) --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
audio="[s for s in d['final']['streams'] if s['kind']=='audio'][0]"
note "receiver: $(json "$WORK/recv.json" "{k: $video.get(k) for k in ('packets','lost','frames_rendered','frames_dropped','latency_ms','max_render_gap_ms')}")"
vpkts=$(json "$WORK/send.json" "d['final']['video']['packets']")
frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
check "the sequence numbers wrapped (more than 536 video packets from 65000)" "$vpkts > 536" "$WORK/send.json"
check "the timestamps wrapped (more than 60 frames, i.e. > 2 s at 30 fps)" "$frames > 60" "$WORK/send.json"
check "one video and one audio participant, none re-created" \
      "len(d['final']['streams']) == 2 and not any('left' in s for s in d['final']['streams'])" "$WORK/recv.json"
# A retransmission the receiver asked for on a hunch (a frame's tail late on a loaded
# machine) arrives as a duplicate or late repair: counted under "repair", not media.
check "no video packet lost, none late or duplicated" \
      "$video['lost'] == 0 and $video['late'] - $video['repair']['rtx_late'] == 0 and $video['duplicates'] - $video['repair']['duplicates'] == 0" "$WORK/recv.json"
check "no audio packet lost" "$audio['lost'] == 0" "$WORK/recv.json"
check "no frame dropped, no decode error" "$video['frames_dropped'] == 0 and $video['decode_errors'] == 0" "$WORK/recv.json"
check "every frame sent after the first keyframe was shown (>= frames sent - 10)" \
      "$video['frames_rendered'] >= $frames - 10" "$WORK/recv.json"
check "no pause in rendering (longest gap < 250 ms)" "$video['max_render_gap_ms'] < 250" "$WORK/recv.json"
check "latency as usual (p95 < 200 ms)" "$video['latency_ms']['p95'] < 200" "$WORK/recv.json"
check "no PLI beyond the joining one (<= 1)" "d['final']['plis_sent'] <= 1" "$WORK/recv.json"

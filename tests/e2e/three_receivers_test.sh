#!/usr/bin/env bash
# One sender, three receivers, ten seconds of 1280x720 at 30 fps with audio on a clean virtual
# LAN: every receiver renders at least 99% of the frames, loses nothing, and reports latency.
source "$(dirname "$0")/lib.sh"
e2e_lan 4
receivers=()
for h in 2 3 4; do
  LOG=recv$h on "$h" "$RECV" --video-sink null --audio-sink null --duration 14 -q \
      --stats-json "$WORK/recv$h.json"
  receivers+=("$LAST")
done
sleep 1
LOG=send on 1 "$SEND" --size 1280x720 --fps 30 --duration 10 --name camera \
         --stats-json "$WORK/send.json"
sender=$LAST
wait_pid "$sender" 40 || fail "confcast-send exited non-zero"
for pid in "${receivers[@]}"; do wait_pid "$pid" 40 || fail "confcast-recv exited non-zero"; done
frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
note "sender sent $frames video frames"
check "sender sent about ten seconds of video" "d['final']['video']['frames'] >= 270" "$WORK/send.json"
for h in 2 3 4; do
  f=$WORK/recv$h.json
  video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
  audio="[s for s in d['final']['streams'] if s['kind']=='audio'][0]"
  check "receiver $h rendered >= 99% of $frames frames" "$video['frames_rendered'] >= 0.99*$frames" "$f"
  check "receiver $h lost no packet" "$video['lost'] == 0 and $audio['lost'] == 0" "$f"
  check "receiver $h played audio" "$audio['frames_rendered'] >= 400" "$f"
  check "receiver $h reports end-to-end latency" "$video['latency_ms']['count'] >= 0.99*$frames" "$f"
  note "receiver $h latency: $(json "$f" "$video['latency_ms']")"
done

#!/usr/bin/env bash
# A receiver started well before any sender (4 s of silence, close to the 5 s participant
# timeout) picks the stream up at once when it starts: first frame quickly, nothing lost,
# and the silence before is neither an error nor a reason to exit.
source "$(dirname "$0")/lib.sh"
e2e_lan 2
LOG=recv on 2 "$RECV" --video-sink null --duration 10 -q --stats-json "$WORK/recv.json"
recv=$LAST
sleep 4
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 5 --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
note "receiver: $(json "$WORK/recv.json" "{k: $video.get(k) for k in ('frames_rendered','lost')}")"
frames=$(json "$WORK/send.json" "d['final']['video']['frames']")
# Per-second figures: the first second with frames shown follows the first with bytes at once.
first="(lambda ss: next(s['t'] for s in ss if s['fps'] > 0) - next(s['t'] for s in ss if s['kbps'] > 0))(d['seconds'])"
check "first frame within a second of the first packets" "$first <= 1" "$WORK/recv.json"
check "nearly every frame was shown (>= sent - 10)" "$video['frames_rendered'] >= $frames - 10" "$WORK/recv.json"
check "audio was heard as well" \
      "any(s['kind']=='audio' and s['frames_rendered'] >= 150 for s in d['final']['streams'])" "$WORK/recv.json"

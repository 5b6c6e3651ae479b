#!/usr/bin/env bash
# A stream with only audio (sender --video none). A receiver that expects both (the default
# plan listens on the video and audio ports) plays the audio, shows no video stream, does not
# wait for a keyframe or send PLIs, and exits 0.
source "$(dirname "$0")/lib.sh"
e2e_lan 2
LOG=recv on 2 "$RECV" --video-sink null --duration 7 -q --stats-json "$WORK/recv.json"
recv=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --video none --duration 5 --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero on an audio-only stream"
audio="[s for s in d['final']['streams'] if s['kind']=='audio']"
note "receiver: $(json "$WORK/recv.json" "[{k: s.get(k) for k in ('frames_rendered','frames_concealed','lost','latency_ms')} for s in $audio]")"
sent=$(json "$WORK/send.json" "d['final']['audio']['frames']")
check "one audio stream, no video stream" \
      "len($audio) == 1 and not any(s['kind']=='video' for s in d['final']['streams'])" "$WORK/recv.json"
check "the audio played (>= 90% of the $sent frames sent)" "$audio[0]['frames_rendered'] >= 0.9 * $sent" "$WORK/recv.json"
check "nothing lost" "$audio[0]['lost'] == 0" "$WORK/recv.json"
check "no keyframe requests without video" "d['final']['plis_sent'] == 0" "$WORK/recv.json"

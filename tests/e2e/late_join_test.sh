#!/usr/bin/env bash
# A receiver that joins five seconds into a stream with a 10 s GOP shows its first frame well
# within one GOP: its PLI makes the sender send an IDR at once.
source "$(dirname "$0")/lib.sh"
e2e_lan 3
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --gop 300 --duration 10 --audio none \
         --stats-json "$WORK/send.json"
sender=$LAST
LOG=early on 2 "$RECV" --video-sink null --duration 10 -q --stats-json "$WORK/early.json" >/dev/null
sleep 5
LOG=late on 3 "$RECV" --video-sink null --duration 4 -v --stats-json "$WORK/late.json"
late=$LAST
wait_pid "$late" 30 || fail "late confcast-recv exited non-zero"
wait_pid "$sender" 30 || fail "confcast-send exited non-zero"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
check "late receiver rendered frames" "$video['frames_rendered'] >= 60" "$WORK/late.json"
check "late receiver's first frame came well within one GOP (10 s)" \
      "$video['time_to_first_frame_ms'] < 1500" "$WORK/late.json"
check "late receiver never showed a broken frame (no decode errors)" "$video['decode_errors'] == 0" "$WORK/late.json"
check "the sender heard the keyframe request" "d['final']['keyframe_requests'] >= 1" "$WORK/send.json"
note "late join: first frame after $(json "$WORK/late.json" "$video['time_to_first_frame_ms']") ms"

#!/usr/bin/env bash
# A sender restarted mid-stream (new SSRC, new sequence numbers) is picked up again by a
# receiver that keeps running, quickly: the first sender's BYE frees the sink, and the new
# source's first frame follows its first packet within a second (the receiver asks for a
# keyframe as soon as it attaches the sink).
source "$(dirname "$0")/lib.sh"
e2e_lan 2
LOG=recv on 2 "$RECV" --video-sink null --duration 13 -q --stats-json "$WORK/recv.json"
recv=$LAST
sleep 0.5
LOG=send1 on 1 "$SEND" --size 640x360 --fps 30 --duration 5 --audio none
first=$LAST
wait_pid "$first" 20 || fail "first confcast-send exited non-zero"
sleep 0.5
LOG=send2 on 1 "$SEND" --size 640x360 --fps 30 --duration 5 --audio none
second=$LAST
wait_pid "$second" 20 || fail "second confcast-send exited non-zero"
wait_pid "$recv" 20 || fail "confcast-recv exited non-zero"
videos="[s for s in d['final']['streams'] if s['kind']=='video']"
check "receiver saw two video sources" "len($videos) == 2" "$WORK/recv.json"
check "both sources were rendered (>= 120 frames each of 150)" \
      "all(s['frames_rendered'] >= 120 for s in $videos)" "$WORK/recv.json"
check "the two sources have different SSRCs" "len(set(s['ssrc'] for s in $videos)) == 2" "$WORK/recv.json"
check "the restarted source's first frame came within 1 s of its first packet" \
      "next((s for s in $videos if 'left' not in s), $videos[-1])['time_to_first_frame_ms'] < 1000" "$WORK/recv.json"
note "restart: first frame of the new source after $(json "$WORK/recv.json" "next((s for s in $videos if 'left' not in s), $videos[-1])['time_to_first_frame_ms']") ms"

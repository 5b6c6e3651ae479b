#!/usr/bin/env bash
# A sender restarted mid-stream (new SSRC, new sequence numbers) is picked up again by a
# receiver that keeps running.
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

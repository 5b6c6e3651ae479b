#!/usr/bin/env bash
# A 3-second outage (100% loss towards the receiver, an nftables drop rule on the LAN's bridge)
# in the middle of a stream. The receiver must neither give up on the participant nor need a
# restart: when the path returns, one round of PLI brings a fresh keyframe and the first new
# frame is shown within about a second.
source "$(dirname "$0")/lib.sh"
need nft nftables
e2e_lan 2
LOG=recv on 2 "$RECV" --video-sink null --duration 12 --stats-json "$WORK/recv.json"  # no -q: "left" is info
recv=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --gop 300 --duration 11 --audio none \
         --stats-json "$WORK/send.json"
send=$LAST
sleep 4
# The outage is timed from after the rule is in to before it is removed: the real outage is
# at least that long, so "gap - outage" over-estimates the recovery time, never hides it.
cut_to 2
t0=$(date +%s.%N)
sleep 3
t1=$(date +%s.%N)
dropped=$(cut_dropped)
restore_to 2
cut_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
note "outage of $cut_ms ms dropped $dropped packets"
[ "${dropped:-0}" -ge 100 ] || fail "the cut dropped only ${dropped:-0} packets: no real outage"
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero"
video="[s for s in d['final']['streams'] if s['kind']=='video']"
note "receiver: $(json "$WORK/recv.json" "[{k: s.get(k) for k in ('ssrc','frames_rendered','lost','max_render_gap_ms','keyframe_requests','decode_errors','left')} for s in $video]")"
# A participant dropped during the outage and re-created after it would show as two entries
# (the one that left, and the new one). One entry that left is fine when it left by the
# sender's BYE at its --duration (on a loaded machine the sender's end can come before ours).
check "one participant throughout (not dropped and re-created)" "len($video) == 1" "$WORK/recv.json"
if [ "$(json "$WORK/recv.json" "$video[0].get('left', False)")" = "True" ]; then
  grep -q "left (BYE: --duration reached)" "$WORK/recv.log" ||
    fail "the participant left during the run without its BYE (timed out by the outage?)"
  echo "ok: the participant left only with its BYE at the end"
fi
# The longest pause between two shown frames is the outage plus the recovery.
check "first fresh frame within 1 s of the path returning (gap - outage < 1000 ms)" \
      "$video[0]['max_render_gap_ms'] - $cut_ms < 1000" "$WORK/recv.json"
check "the gap really spanned the outage" "$video[0]['max_render_gap_ms'] >= $cut_ms" "$WORK/recv.json"
check "no broken frame was shown" "$video[0]['decode_errors'] == 0" "$WORK/recv.json"
check "frames flowed again after the outage (>= 120 of ~300 frames)" "$video[0]['frames_rendered'] >= 120" "$WORK/recv.json"
note "recovery: first fresh frame about $(json "$WORK/recv.json" "round($video[0]['max_render_gap_ms'] - $cut_ms)") ms after the path returned (upper bound)"

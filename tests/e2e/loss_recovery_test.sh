#!/usr/bin/env bash
# With 3% random loss towards the receiver and no repair (--nack off, --rtx off: the keyframe
# fallback alone; nack_rtx_test.sh covers repair), the receiver never decodes a frame against a missing reference: it drops what is broken, asks
# for a keyframe (PLI), and recovers by itself, again and again. Before the depacketizer was
# reset at the jitter buffer's discontinuities, the requested keyframe itself was thrown away
# and the P frames after it decoded with errors.
source "$(dirname "$0")/lib.sh"
# --ge H:0:100:100:PCT: the Gilbert-Elliott chain never leaves its good state, which loses PCT%
# at random: independent loss like nftables' drop, but drawn from a fixed seed, so the same
# packets are lost every run (scripts/vlan passes the seed to confcast-impair).
export CONFCAST_IMPAIR_SEED=7
e2e_lan 2 --ge 2:0:100:100:3
LOG=recv on 2 "$RECV" --nack off --video-sink null --audio-sink null --duration 9 -q --stats-json "$WORK/recv.json"
recv=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --rtx off --size 640x360 --fps 30 --duration 8 --audio none --fec off --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
note "receiver: $(json "$WORK/recv.json" "{k: $video[k] for k in ('lost','frames_rendered','frames_dropped','decode_errors','keyframe_requests')}")"
check "the loss was real (packets lost on the LAN)" "$video['lost'] >= 10" "$WORK/recv.json"
check "no frame was decoded against a missing reference" "$video['decode_errors'] == 0" "$WORK/recv.json"
check "the receiver asked for keyframes" "d['final']['plis_sent'] >= 1" "$WORK/recv.json"
check "the sender answered with IDRs" "d['final']['keyframes_forced'] >= 1" "$WORK/send.json"
check "it recovered again and again (several keyframe rounds)" "$video['keyframe_requests'] >= 3" "$WORK/recv.json"
check "frames were shown between the losses" "$video['frames_rendered'] >= 30" "$WORK/recv.json"

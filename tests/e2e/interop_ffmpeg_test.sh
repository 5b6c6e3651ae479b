#!/usr/bin/env bash
# Interop with ffmpeg both ways: ffmpeg reads confcast's SDP and decodes its stream, and
# confcast-recv decodes a stream that ffmpeg sends (-f rtp) using its own -sdp_file. ffmpeg
# sends no PLI, so it starts at the next IDR (GOP 2 s): it gets 6 s to show 3 s of frames.
source "$(dirname "$0")/lib.sh"
need ffmpeg ffmpeg
e2e_lan 3

note "ffmpeg watches confcast"
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 10 --sdp "$WORK/confcast.sdp"
send=$LAST
for _ in $(seq 50); do [ -s "$WORK/confcast.sdp" ] && break; sleep 0.1; done
[ -s "$WORK/confcast.sdp" ] || fail "confcast-send did not write its SDP"
LOG=ffplay on 2 ffmpeg -hide_banner -nostdin -protocol_whitelist file,udp,rtp \
     -i "$WORK/confcast.sdp" -t 6 -f null -
ff=$LAST
wait_pid "$ff" 30 || fail "ffmpeg could not decode confcast's stream"
decoded=$(tr '\r' '\n' <"$WORK/ffplay.log" | sed -n 's/^frame= *\([0-9]*\).*/\1/p' | tail -1)
note "ffmpeg decoded ${decoded:-0} frames"
[ "${decoded:-0}" -ge 90 ] || fail "ffmpeg decoded only ${decoded:-0} frames of confcast's stream"
wait_pid "$send" 20 || fail "confcast-send exited non-zero"

note "confcast watches ffmpeg"
LOG=ffsend on 1 ffmpeg -hide_banner -nostdin -re -f lavfi -i testsrc=size=640x360:rate=30 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 8 \
  -map 0:v -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -pix_fmt yuv420p \
  -f rtp "rtp://239.0.0.12:16000?ttl=1" \
  -map 1:a -c:a libopus -ac 1 -f rtp "rtp://239.0.0.12:16002?ttl=1" \
  -sdp_file "$WORK/ffmpeg.sdp" >/dev/null
for _ in $(seq 50); do [ -s "$WORK/ffmpeg.sdp" ] && break; sleep 0.1; done
[ -s "$WORK/ffmpeg.sdp" ] || fail "ffmpeg did not write its SDP"
LOG=recv on 3 "$RECV" "$WORK/ffmpeg.sdp" --video-sink null --audio-sink null --duration 6 -q \
       --stats-json "$WORK/recv.json"
recv=$LAST
wait_pid "$recv" 30 || fail "confcast-recv could not play ffmpeg's stream"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
audio="[s for s in d['final']['streams'] if s['kind']=='audio'][0]"
check "confcast-recv rendered ffmpeg's video" "$video['frames_rendered'] >= 120" "$WORK/recv.json"
check "confcast-recv played ffmpeg's Opus audio" "$audio['frames_rendered'] >= 150" "$WORK/recv.json"
check "no decode errors" "$video['decode_errors'] == 0" "$WORK/recv.json"

#!/usr/bin/env bash
# Interop with GStreamer both ways: a gst-launch-1.0 pipeline (udpsrc, rtpjitterbuffer,
# rtph264depay, avdec_h264) decodes confcast's stream, and confcast-recv plays a stream that
# gst-launch-1.0 sends with rtph264pay and rtpopuspay.
source "$(dirname "$0")/lib.sh"
need gst-launch-1.0 gstreamer1.0-tools
e2e_lan 3

note "GStreamer watches confcast"
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 8 --audio none
send=$LAST
LOG=gst on 2 timeout -s INT 6 gst-launch-1.0 -e -q udpsrc address=239.0.0.11 port=15550 \
  caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96" \
  ! rtpjitterbuffer latency=50 ! rtph264depay ! avdec_h264 ! videoconvert \
  ! y4menc ! filesink location="$WORK/gst.y4m"
gst=$LAST
wait "$gst" || true
frames=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read().count(b'FRAME'))" "$WORK/gst.y4m" 2>/dev/null || echo 0)
note "GStreamer decoded $frames frames"
[ "$frames" -ge 90 ] || fail "GStreamer decoded only $frames frames of confcast's stream"
wait_pid "$send" 20 || fail "confcast-send exited non-zero"

note "confcast watches GStreamer"
LOG=gstsend on 1 timeout -s INT 8 gst-launch-1.0 -e -q \
  videotestsrc is-live=true ! video/x-raw,width=640,height=360,framerate=30/1 \
  ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 \
  ! rtph264pay config-interval=-1 pt=96 ! udpsink host=239.0.0.13 port=17000 auto-multicast=true ttl-mc=1 \
  audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=111 \
  ! udpsink host=239.0.0.13 port=17002 auto-multicast=true ttl-mc=1 >/dev/null
LOG=recv on 3 "$RECV" --group 239.0.0.13 --port 17000 --video-sink null --audio-sink null \
       --duration 6 -q --stats-json "$WORK/recv.json"
recv=$LAST
wait_pid "$recv" 30 || fail "confcast-recv could not play GStreamer's stream"
video="[s for s in d['final']['streams'] if s['kind']=='video'][0]"
audio="[s for s in d['final']['streams'] if s['kind']=='audio'][0]"
check "confcast-recv rendered GStreamer's video" "$video['frames_rendered'] >= 120" "$WORK/recv.json"
check "confcast-recv played GStreamer's Opus audio" "$audio['frames_rendered'] >= 150" "$WORK/recv.json"

#!/usr/bin/env bash
# Lip sync where a user sees and hears it: the receiver shows the picture in its window (on an
# Xvfb display of the video's size) and plays the sound into its audio sink (a PulseAudio
# server of this test's own, one null sink), and one GStreamer pipeline captures both, the
# screen with ximagesrc and the null sink's monitor with pulsesrc, so the picture and the sound
# of the capture carry timestamps of one clock. tests/e2e/tools/av_offsets.py then pairs each
# flash with its tone in the capture, as e2e.lipsync does in a recording (issue 17's target:
# median within 40 ms, every pair within 80 ms, over 30 s, for file and test sources).
#
# The rig itself is calibrated first: a flash/tone file played by gst-launch-1.0 straight into
# the same window and sink (GStreamer keeps the two in step by its latency rules) and captured
# the same way; its offset is the rig's bias, printed beside the receiver's figures.
source "$(dirname "$0")/lib.sh"
need Xvfb xvfb
need pulseaudio pulseaudio
need pactl pulseaudio-utils
need gst-launch-1.0 gstreamer1.0-tools
need ffprobe ffmpeg
SECONDS_SENT=30
CAPTURE_FPS=60
e2e_lan 4

# rig_up NAME: an Xvfb display of 320x240 (black root, no cursor: the window, put at 0,0 by
# the X server when no window manager runs, covers the whole screen) and a PulseAudio server
# with a private runtime dir, its only sink a 48 kHz mono null sink. Sets NAME_DISPLAY and
# NAME_PULSE (a PULSE_SERVER value).
rig_up() {
  local name=$1 dir=$WORK/$1
  mkdir -p "$dir/run"
  Xvfb -displayfd 3 -screen 0 320x240x24 -nolisten tcp -br -nocursor 3>"$dir/display" \
    >"$WORK/$name-xvfb.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 100); do [ -s "$dir/display" ] && break; sleep 0.1; done
  [ -s "$dir/display" ] || fail "Xvfb for $name did not start"
  printf -v "${name}_DISPLAY" ':%s' "$(tr -d '\n' <"$dir/display")"
  XDG_RUNTIME_DIR=$dir/run HOME=$dir/run pulseaudio -n --daemonize=no --exit-idle-time=-1 \
    --use-pid-file=no --log-target=stderr --log-level=error \
    -L "module-native-protocol-unix auth-anonymous=1 socket=$dir/pulse.sock" \
    -L "module-null-sink sink_name=out rate=48000 channels=1" >"$WORK/$name-pulse.log" 2>&1 &
  PIDS+=("$!")
  printf -v "${name}_PULSE" 'unix:%s' "$dir/pulse.sock"
  local server=unix:$dir/pulse.sock
  for _ in $(seq 100); do PULSE_SERVER=$server pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  PULSE_SERVER=$server pactl info >/dev/null 2>&1 || fail "pulseaudio for $name did not start"
}

# capture_start NAME FILE: the screen and the sink's monitor, one pipeline, one clock, into a
# Matroska file; its pid is left in CAPTURE. The clock is the system clock (pulsesrc
# provide-clock=false): on pulsesrc's own clock, on a loaded machine, even the calibration
# drifted by about 17 ms a second for seconds. capture_stop PID ends the capture with an EOS
# (gst-launch-1.0 -e on SIGINT) so the file is complete.
capture_start() {
  local name=$1 file=$2 display pulse
  display=${name}_DISPLAY pulse=${name}_PULSE
  gst-launch-1.0 -e -q \
    ximagesrc display-name="${!display}" use-damage=false show-pointer=false \
      ! "video/x-raw,framerate=$CAPTURE_FPS/1" ! queue ! videoconvert ! jpegenc quality=90 \
      ! queue ! matroskamux name=mux ! filesink location="$file" \
    pulsesrc server="${!pulse#unix:}" device=out.monitor buffer-time=40000 latency-time=10000 \
      provide-clock=false \
      ! audio/x-raw,rate=48000,channels=1 ! queue ! audioconvert ! mux. \
    >"$WORK/$name-capture.log" 2>&1 &
  CAPTURE=$!
  PIDS+=("$CAPTURE")
}
capture_stop() {
  kill -INT "$1" 2>/dev/null || true
  wait_pid "$1" 20 || fail "the capture pipeline did not finish"
}
# measure FILE JSON [--corner]: flash -> tone offsets in a capture.
measure() {
  python3 "$E2E_ROOT/tests/e2e/tools/av_offsets.py" "$1" ${3:-} >"$2" || fail "cannot measure $1"
}
summary() {
  json "$1" "'median %s ms, max |offset| %s ms, %d pairs; offsets %s' % (d['median_ms'], d['max_abs_ms'], d['pairs'], d['offsets_ms'])"
}

flash_file() {  # flash_file PATH SECONDS: a white flash and a 1 kHz burst at t = 0.5, 1.5, ...
  ffmpeg -nostdin -v error -y \
    -f lavfi -i "color=c=black:s=320x240:r=30:d=$2,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t+0.5,1),0.1)',format=yuv420p" \
    -f lavfi -i "aevalsrc='if(lt(mod(t+0.5,1),0.1),0.8*sin(2*PI*1000*t),0)':s=48000:d=$2" \
    -c:v mjpeg -q:v 3 -c:a pcm_s16le "$1" || fail "cannot make the flash/tone file"
}

rig_up A
rig_up B
flash_file "$WORK/flash.mkv" $((SECONDS_SENT + 2))
flash_file "$WORK/calib.mkv" 10

# Calibration: the rig's own bias, with a player known to keep picture and sound together.
capture_start A "$WORK/calib-capture.mkv"
calib_capture=$CAPTURE
sleep 1
DISPLAY=$A_DISPLAY PULSE_SERVER=$A_PULSE gst-launch-1.0 -q filesrc location="$WORK/calib.mkv" \
  ! matroskademux name=d d.video_0 ! queue ! jpegdec ! videoconvert ! ximagesink \
  d.audio_0 ! queue ! audioconvert ! audioresample ! pulsesink >"$WORK/calib-play.log" 2>&1 \
  || fail "gst-launch-1.0 could not play the calibration file (calib-play.log)"
sleep 0.5
capture_stop "$calib_capture"
measure "$WORK/calib-capture.mkv" "$WORK/calib.json"
note "rig calibration (gst-launch-1.0 playing a flash/tone file), flash -> tone: $(summary "$WORK/calib.json")"
check "calibration: at least 8 flash/tone pairs" "d['pairs'] >= 8" "$WORK/calib.json"
check "calibration: the rig's own bias is within 40 ms" "abs(d['median_ms']) <= 40" "$WORK/calib.json"

capture_start A "$WORK/file-capture.mkv"
capture_file=$CAPTURE
capture_start B "$WORK/test-capture.mkv"
capture_test=$CAPTURE
recv_for=$((SECONDS_SENT + 3))
DISPLAY=$A_DISPLAY PULSE_SERVER=$A_PULSE LOG=recv_file on 3 "$RECV" --port 15550 \
  --video-sink window --audio-sink auto --duration $recv_for --stats-json "$WORK/recv_file.json" -q
recv_file=$LAST
DISPLAY=$B_DISPLAY PULSE_SERVER=$B_PULSE LOG=recv_test on 4 "$RECV" --port 15560 \
  --video-sink window --audio-sink auto --duration $recv_for --stats-json "$WORK/recv_test.json" -q
recv_test=$LAST
sleep 1
LOG=send_file on 1 "$SEND" --port 15550 --video "file:$WORK/flash.mkv" --audio "file:$WORK/flash.mkv" \
         --size 320x240 --fps 30 --gop 30 --duration $SECONDS_SENT --name flashfile
send_file=$LAST
LOG=send_test on 2 "$SEND" --port 15560 --video test --audio test \
         --size 320x240 --fps 30 --gop 30 --duration $SECONDS_SENT --name testsrc
send_test=$LAST
wait_pid "$send_file" $((SECONDS_SENT + 20)) || fail "confcast-send (file) exited non-zero"
wait_pid "$send_test" 20 || fail "confcast-send (test) exited non-zero"
wait_pid "$recv_file" 20 || fail "confcast-recv (file) exited non-zero"
wait_pid "$recv_test" 20 || fail "confcast-recv (test) exited non-zero"
capture_stop "$capture_file"
capture_stop "$capture_test"

min_pairs=$((SECONDS_SENT * 5 / 6))
measure "$WORK/file-capture.mkv" "$WORK/file.json"
measure "$WORK/test-capture.mkv" "$WORK/test.json" --corner
for kind in file test; do
  note "$kind sources, flash -> tone as shown and played: $(summary "$WORK/$kind.json")"
  note "$kind receiver: $(json "$WORK/recv_$kind.json" "'; '.join('%s latency p50 %s ms' % (s['kind'], (s.get('latency_ms') or {}).get('p50')) for s in d['final']['streams'])")"
done
for kind in file test; do
  check "$kind: at least $min_pairs flash/tone pairs over ${SECONDS_SENT} s" "d['pairs'] >= $min_pairs" "$WORK/$kind.json"
  check "$kind: median offset within 40 ms" "abs(d['median_ms']) <= 40" "$WORK/$kind.json"
  check "$kind: every offset within 80 ms" "d['max_abs_ms'] <= 80" "$WORK/$kind.json"
done

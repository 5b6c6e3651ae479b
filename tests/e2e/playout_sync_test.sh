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
source "$(dirname "$0")/flash_lib.sh"
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
#
# The null sink is kept playing silence at 10 ms latency for the whole test. Left idle it
# sleeps in 2 s blocks ("configured 2000000 usec" in pactl list sinks) and reads a new stream
# only when its block ends: the receiver's first 20 ms of sound then waited 0.7-1.8 s to be
# read, the sink's clock stood still meanwhile, and GStreamer's clock slaving took some 2 s to
# win back the difference, so the first tone came up to 230 ms after its flash (the e2e
# .playout_sync failure in CI at bb7aec2). A sound card, or a sound server already playing,
# reads a new stream at once; that is what the rig has to stand for.
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
  PULSE_SERVER=$server gst-launch-1.0 -q audiotestsrc is-live=true wave=silence \
    ! audio/x-raw,rate=48000,channels=1 ! pulsesink buffer-time=40000 latency-time=10000 \
    >"$WORK/$name-keepalive.log" 2>&1 &
  PIDS+=("$!")
  local state=""
  for _ in $(seq 100); do
    state=$(PULSE_SERVER=$server pactl list short sinks 2>/dev/null | awk '$2 == "out" {print $NF}')
    [ "$state" = RUNNING ] && break
    sleep 0.1
  done
  [ "$state" = RUNNING ] || fail "the null sink of $name is not playing the keep-alive silence ($state)"
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
flash_measure "$WORK/calib-capture.mkv" "$WORK/calib.json" file
note "rig calibration (gst-launch-1.0 playing a flash/tone file), flash -> tone: $(flash_summary "$WORK/calib.json")"
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
flash_send "$WORK/flash.mkv" $SECONDS_SENT
wait_pid "$recv_file" 20 || fail "confcast-recv (file) exited non-zero"
wait_pid "$recv_test" 20 || fail "confcast-recv (test) exited non-zero"
capture_stop "$capture_file"
capture_stop "$capture_test"

flash_measure "$WORK/file-capture.mkv" "$WORK/file.json" file
flash_measure "$WORK/test-capture.mkv" "$WORK/test.json" test
for kind in file test; do
  note "$kind sources, flash -> tone as shown and played: $(flash_summary "$WORK/$kind.json")"
  note "$kind receiver: $(json "$WORK/recv_$kind.json" "'; '.join('%s latency p50 %s ms' % (s['kind'], (s.get('latency_ms') or {}).get('p50')) for s in d['final']['streams'])")"
done
for kind in file test; do flash_checks $kind "$WORK/$kind.json" $SECONDS_SENT; done

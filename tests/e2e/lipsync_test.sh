#!/usr/bin/env bash
# Lip sync measured from outside, in what a receiver records (issue 17's target: flash-to-tone
# offset median within 40 ms, every pair within 80 ms, over 30 s). Two sessions run at once on
# their own ports, each recorded by its own receiver with --video-sink record:PATH.mkv:
#  - file: a file made here with a white flash and a 1 kHz tone burst at the same instant every
#    second (t = 0.5, 1.5, ...), sent with --video file:X --audio file:X (two pipelines on one
#    shared timeline, media/src/gst_util.h);
#  - test: --video test --audio test, whose sync mark (a white corner box) and tone come at the
#    start of every wall-clock second of capture time (media/include/confcast/media/source.h).
# tests/e2e/tools/av_offsets.py finds each flash (luma jump) and each tone onset in the
# recording with the file's timestamps and pairs them; the figures are printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/flash_lib.sh"
need ffprobe ffmpeg
need ffmpeg ffmpeg
SECONDS_SENT=30
e2e_lan 4
flash_file "$WORK/flash.mkv" $((SECONDS_SENT + 2))

recv_for=$((SECONDS_SENT + 3))
LOG=recv_file on 3 "$RECV" --port 15550 --video-sink "record:$WORK/file.mkv" --duration $recv_for -q
recv_file=$LAST
LOG=recv_test on 4 "$RECV" --port 15560 --video-sink "record:$WORK/test.mkv" --duration $recv_for -q
recv_test=$LAST
sleep 1
flash_send "$WORK/flash.mkv" $SECONDS_SENT
wait_pid "$recv_file" 20 || fail "confcast-recv (file) exited non-zero"
wait_pid "$recv_test" 20 || fail "confcast-recv (test) exited non-zero"

for kind in file test; do
  flash_measure "$WORK/$kind.mkv" "$WORK/$kind.json" $kind
  note "$kind sources, flash -> tone in the recording: $(flash_summary "$WORK/$kind.json")"
done
for kind in file test; do flash_checks $kind "$WORK/$kind.json" $SECONDS_SENT; done

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
need ffprobe ffmpeg
need ffmpeg ffmpeg
SECONDS_SENT=30
e2e_lan 4
ffmpeg -nostdin -v error -y \
  -f lavfi -i "color=c=black:s=320x240:r=30:d=$((SECONDS_SENT + 2)),drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t+0.5,1),0.1)',format=yuv420p" \
  -f lavfi -i "aevalsrc='if(lt(mod(t+0.5,1),0.1),0.8*sin(2*PI*1000*t),0)':s=48000:d=$((SECONDS_SENT + 2))" \
  -c:v mjpeg -q:v 3 -c:a pcm_s16le "$WORK/flash.mkv" || fail "cannot make the flash/tone file"

recv_for=$((SECONDS_SENT + 3))
LOG=recv_file on 3 "$RECV" --port 15550 --video-sink "record:$WORK/file.mkv" --duration $recv_for -q
recv_file=$LAST
LOG=recv_test on 4 "$RECV" --port 15560 --video-sink "record:$WORK/test.mkv" --duration $recv_for -q
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

# A lost first second (join, first sender report) costs a pair or two; 25 of ~30 still spans
# the whole run.
min_pairs=$((SECONDS_SENT * 5 / 6))
for kind in file test; do
  corner=""
  [ "$kind" = test ] && corner=--corner
  python3 "$E2E_ROOT/tests/e2e/tools/av_offsets.py" "$WORK/$kind.mkv" $corner >"$WORK/$kind.json" \
    || fail "cannot measure the $kind recording"
  note "$kind sources, flash -> tone in the recording: $(json "$WORK/$kind.json" \
    "'median %s ms, max |offset| %s ms, %d pairs; offsets %s' % (d['median_ms'], d['max_abs_ms'], d['pairs'], d['offsets_ms'])")"
done
for kind in file test; do
  check "$kind: at least $min_pairs flash/tone pairs over ${SECONDS_SENT} s" "d['pairs'] >= $min_pairs" "$WORK/$kind.json"
  check "$kind: median offset within 40 ms" "abs(d['median_ms']) <= 40" "$WORK/$kind.json"
  check "$kind: every offset within 80 ms" "d['max_abs_ms'] <= 80" "$WORK/$kind.json"
done

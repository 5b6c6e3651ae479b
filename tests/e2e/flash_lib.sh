# The flash/tone sessions shared by e2e.lipsync (measured in a recording) and e2e.playout_sync
# (measured in what the window shows and the audio sink plays). Source it after lib.sh.
#   file: a file with a white flash and a 1 kHz tone burst at the same instant every second
#         (t = 0.5, 1.5, ...), sent with --video file:X --audio file:X from host 1, port 15550;
#   test: --video test --audio test from host 2, port 15560, whose mark (a white corner box) and
#         tone come at the start of every wall-clock second of capture time.
# The receivers for them listen on hosts 3 and 4.

# flash_file PATH SECONDS: the flash/tone file.
flash_file() {
  ffmpeg -nostdin -v error -y \
    -f lavfi -i "color=c=black:s=320x240:r=30:d=$2,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t+0.5,1),0.1)',format=yuv420p" \
    -f lavfi -i "aevalsrc='if(lt(mod(t+0.5,1),0.1),0.8*sin(2*PI*1000*t),0)':s=48000:d=$2" \
    -c:v mjpeg -q:v 3 -c:a pcm_s16le "$1" || fail "cannot make the flash/tone file"
}

# flash_send FILE SECONDS: both senders, for SECONDS; waits for them to exit.
flash_send() {
  local send_file send_test
  LOG=send_file on 1 "$SEND" --port 15550 --video "file:$1" --audio "file:$1" \
    --size 320x240 --fps 30 --gop 30 --duration "$2" --name flashfile
  send_file=$LAST
  LOG=send_test on 2 "$SEND" --port 15560 --video test --audio test \
    --size 320x240 --fps 30 --gop 30 --duration "$2" --name testsrc
  send_test=$LAST
  wait_pid "$send_file" $(($2 + 20)) || fail "confcast-send (file) exited non-zero"
  wait_pid "$send_test" 20 || fail "confcast-send (test) exited non-zero"
}

# flash_measure MEDIA JSON KIND: flash -> tone offsets in MEDIA (a recording or a capture) into
# JSON; KIND test looks for the corner box instead of a whole white picture.
flash_measure() {
  local corner=""
  [ "$3" = test ] && corner=--corner
  python3 "$E2E_ROOT/tests/e2e/tools/av_offsets.py" "$1" $corner >"$2" || fail "cannot measure $1"
}
# flash_summary JSON: one line for the log.
flash_summary() {
  json "$1" "'median %s ms, max |offset| %s ms, %d pairs; offsets %s' % (d['median_ms'], d['max_abs_ms'], d['pairs'], d['offsets_ms'])"
}

# flash_checks KIND JSON SECONDS: issue 17's target. A lost first second (join, first sender
# report) costs a pair or two; 5 in 6 still spans the whole run.
flash_checks() {
  local min_pairs=$(($3 * 5 / 6))
  check "$1: at least $min_pairs flash/tone pairs over $3 s" "d['pairs'] >= $min_pairs" "$2"
  check "$1: median offset within 40 ms" "abs(d['median_ms']) <= 40" "$2"
  check "$1: every offset within 80 ms" "d['max_abs_ms'] <= 80" "$2"
}

#!/bin/sh
# ffmpeg | y4m_pipe | compare: frames pass through a pipe byte-exact, ffmpeg reads confcast's
# output, and a bad header on standard input gives a clear error. Exit 77 = skipped.
set -u
pipe=$1
command -v ffmpeg >/dev/null 2>&1 || { echo "SKIP: ffmpeg not installed"; exit 77; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=30 -frames:v 7 -pix_fmt yuv420p \
  -f yuv4mpegpipe - > "$work/in.y4m" || exit 1
"$pipe" < "$work/in.y4m" > "$work/out.y4m" || { echo "FAIL: y4m_pipe failed"; exit 1; }
# Headers may differ in optional tags; every FRAME and pixel after the header must be identical.
tail -n +2 "$work/in.y4m" > "$work/in.frames"
tail -n +2 "$work/out.y4m" > "$work/out.frames"
cmp "$work/in.frames" "$work/out.frames" || { echo "FAIL: frames changed in the pipe"; exit 1; }
n=$(ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$work/out.y4m")
[ "$n" = 7 ] || { echo "FAIL: ffprobe read $n frames from our output, want 7"; exit 1; }
# A bad header on standard input: non-zero exit and a line that names the problem.
if printf 'YUV4MPEG2 W64 H48 C444\nFRAME\n' | "$pipe" > /dev/null 2> "$work/err"; then
  echo "FAIL: a 4:4:4 stream was accepted"; exit 1
fi
grep -q "C444 is not supported" "$work/err" || { echo "FAIL: unclear error:"; cat "$work/err"; exit 1; }
grep -q "standard input" "$work/err" || { echo "FAIL: error does not name standard input"; exit 1; }
echo "PASS"

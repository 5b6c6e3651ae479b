#!/usr/bin/env bash
# y4m in, y4m out, through confcast-send and confcast-recv: every frame arrives, in order, and
# close to the original (PSNR floor 30 dB; the stream is re-encoded once by H.264).
source "$(dirname "$0")/lib.sh"
need ffmpeg ffmpeg
e2e_lan 2
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=320x240:rate=30 -frames:v 90 \
       -pix_fmt yuv420p "$WORK/in.y4m"
LOG=recv on 2 "$RECV" --video-sink "y4m:$WORK/out.y4m" --audio-sink null --duration 8 -q \
       --stats-json "$WORK/recv.json"
recv=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --video "y4m:$WORK/in.y4m" --audio none --fps 30 --bitrate 2000
send=$LAST
wait_pid "$send" 20 || fail "confcast-send exited non-zero"
wait_pid "$recv" 20 || fail "confcast-recv exited non-zero"
frames=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read().count(b'FRAME'))" "$WORK/out.y4m")
note "received $frames of 90 frames"
[ "$frames" -eq 90 ] || fail "expected 90 frames in out.y4m, got $frames"
psnr=$(ffmpeg -hide_banner -i "$WORK/out.y4m" -i "$WORK/in.y4m" -lavfi psnr -f null - 2>&1 |
       sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p' | tail -1)
note "average PSNR $psnr dB"
python3 -c "import sys; v=sys.argv[1]; sys.exit(0 if v=='inf' or float(v) >= 30 else 1)" "$psnr" ||
  fail "PSNR $psnr dB is under the 30 dB floor (frames out of order or damaged)"
min=$(ffmpeg -hide_banner -i "$WORK/out.y4m" -i "$WORK/in.y4m" -lavfi psnr=stats_file="$WORK/psnr.log" -f null - 2>/dev/null;
      python3 -c "import sys,re; v=[float(re.search(r'psnr_avg:(\S+)',l).group(1).replace('inf','99')) for l in open(sys.argv[1])]; print(min(v))" "$WORK/psnr.log")
note "worst frame PSNR $min dB"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 25 else 1)" "$min" || fail "a frame is out of order or damaged (PSNR $min dB)"

#!/usr/bin/env bash
# End-to-end latency of confcast next to a tuned GStreamer pipeline, measured the same way, on
# the virtual LAN, at 0% and 2% random loss towards the receiver (issue: end to end).
#
#   bench/e2e/latency_compare.sh [--seconds 10] [--size 1280x720] [--losses "0 2"] [--gst-latency 20]
#
# confcast-bench (bench/confcast-bench --compare gst,ffmpeg) measures the same way with more
# receivers, network profiles, ffmpeg, CPU/memory and an HTML report; this script stays as
# the short, readable form of the method.
#
# Both systems get the same raw frames from `confcast-stamp gen` (capture time and frame number
# in the picture), the same encoder (libx264 ultrafast/zerolatency, 2500 kbit/s, GOP 60,
# slices capped at 1172 bytes), and hand their decoded frames to `confcast-stamp read`, which
# reports latency (capture to decoded frame), frames missing and frames corrupted. The GStreamer
# side is udpsrc ! rtpjitterbuffer latency=N ! rtph264depay ! avdec_h264: what a user tuning
# GStreamer for a LAN would write. Needs root (network namespaces) and a Release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=10 size=1280x720 losses="0 2" gst_latency=20
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --losses) losses=$2; shift 2 ;;
    --gst-latency) gst_latency=$2; shift 2 ;;
    *) echo "latency_compare: unknown option '$1'" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "latency_compare: needs root for the virtual LAN" >&2; exit 1; }
bin=${CONFCAST_BUILD:-$root/build/release}
if [ ! -x "$bin/bench/e2e/confcast-stamp" ]; then
  cmake -S . -B "$bin" -DCMAKE_BUILD_TYPE=Release -DCONFCAST_TESTS=OFF >/dev/null
  cmake --build "$bin" -j"$(nproc)" >/dev/null
fi
stamp=$bin/bench/e2e/confcast-stamp send=$bin/sender/confcast-send recv=$bin/receiver/confcast-recv
w=${size%x*} h=${size#*x}
frame_bytes=$((w * h * 3 / 2))
out=$root/build/latency-compare
mkdir -p "$out"
lan=""
trap '[ -n "$lan" ] && scripts/vlan down "$lan" >/dev/null 2>&1 || true' EXIT

x264="tune=zerolatency speed-preset=ultrafast bitrate=2500 key-int-max=60 option-string=slice-max-size=1172"
for loss in $losses; do
  lan="lat$$x$loss"
  scripts/vlan up "$lan" 2 --loss "2:$loss" >/dev/null
  echo "== ${loss}% loss: confcast" >&2
  scripts/vlan exec "$lan" 2 sh -c "'$recv' --group 239.0.0.21 --port 18000 --video-sink y4m:- --audio-sink null \
      --duration $((seconds + 3)) -q 2>'$out/confcast-recv-$loss.log' \
    | '$stamp' read --size $size --label 'confcast ${loss}%' --json '$out/confcast-$loss.json'" &
  reader=$!
  sleep 1
  scripts/vlan exec "$lan" 1 sh -c "'$stamp' gen --size $size --fps 30 --seconds $seconds \
    | '$send' --group 239.0.0.21 --port 18000 --video y4m:- --audio none --fps 30 --bitrate 2500 \
      --gop 60 2>'$out/confcast-send-$loss.log'"
  wait "$reader"
  echo "== ${loss}% loss: GStreamer (rtpjitterbuffer latency=$gst_latency)" >&2
  scripts/vlan exec "$lan" 2 sh -c "timeout -s INT $((seconds + 3)) gst-launch-1.0 -q -e \
      udpsrc address=239.0.0.21 port=18010 caps='application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96' \
      ! rtpjitterbuffer latency=$gst_latency ! rtph264depay ! avdec_h264 ! videoconvert ! video/x-raw,format=I420 \
      ! fdsink fd=1 sync=false 2>'$out/gst-recv-$loss.log' \
    | '$stamp' read --raw --size $size --label 'gstreamer ${loss}%' --json '$out/gstreamer-$loss.json'" &
  reader=$!
  sleep 1
  scripts/vlan exec "$lan" 1 sh -c "'$stamp' gen --raw --size $size --fps 30 --seconds $seconds \
    | gst-launch-1.0 -q fdsrc fd=0 blocksize=$frame_bytes \
      ! rawvideoparse width=$w height=$h format=i420 framerate=30/1 ! x264enc $x264 \
      ! rtph264pay config-interval=-1 pt=96 mtu=1200 \
      ! udpsink host=239.0.0.21 port=18010 auto-multicast=true ttl-mc=1 2>'$out/gst-send-$loss.log'"
  wait "$reader" || true
  scripts/vlan down "$lan" >/dev/null
  lan=""
done

python3 - "$out" $losses <<'PY'
import json, os, sys
out, losses = sys.argv[1], sys.argv[2:]
print(f"\n{'system':<12}{'loss':>6}{'intact':>8}{'missing':>9}{'corrupt':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
for loss in losses:
    for system in ("confcast", "gstreamer"):
        path = os.path.join(out, f"{system}-{loss}.json")
        if not os.path.exists(path):
            print(f"{system:<12}{loss + '%':>6}  (no result; see {out})"); continue
        d = json.load(open(path))
        f = lambda v: "-" if v is None else f"{v:.1f}"
        print(f"{system:<12}{loss + '%':>6}{d['intact']:>8}{d['missing']:>9}{d['corrupted']:>9}"
              f"{f(d['p50_ms']):>9}{f(d['p95_ms']):>9}{f(d['p99_ms']):>9}{f(d['max_ms']):>9}")
print(f"\n(results and logs in {out})")
PY

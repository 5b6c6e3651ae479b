#!/bin/sh
# The `window` sink shows the picture: under a private Xvfb server, run window_probe, grab the
# root window and require it to be non-uniform (an empty Xvfb screen is uniformly black).
# Usage: window_xvfb_test.sh PATH/TO/confcast_media_window_probe. 
set -u
probe=$1
for tool in xvfb-run import convert; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool missing: scripts/install-deps installs xvfb and imagemagick"; exit 1; }
done
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
export PROBE="$probe" WORK="$work"
xvfb-run -a -s "-screen 0 640x480x24" sh -c '
  # Baseline: the empty screen must be uniform, or the check below proves nothing.
  # X connections fail now and then with EAGAIN on a loaded machine: retry the grab.
  n=0
  until import -window root "$WORK/empty.png" 2>/dev/null; do
    n=$((n + 1)); [ $n -lt 10 ] || { echo "FAIL: cannot grab the Xvfb screen"; exit 1; }
    sleep 0.2
  done
  base=$(convert "$WORK/empty.png" -format "%[fx:standard_deviation]" info:)
  echo "empty screen stddev=$base"
  awk "BEGIN{exit !($base < 0.01)}" || { echo "FAIL: empty Xvfb screen is not uniform"; exit 1; }
  "$PROBE" 30 > "$WORK/probe.out" 2> "$WORK/probe.err" &
  pid=$!
  i=0
  while [ $i -lt 100 ]; do
    i=$((i + 1))
    if ! kill -0 $pid 2>/dev/null; then
      echo "FAIL: window_probe exited early:"; cat "$WORK/probe.err"; exit 1
    fi
    if grep -q ready "$WORK/probe.out" && import -window root "$WORK/grab.png" 2>/dev/null; then
      sd=$(convert "$WORK/grab.png" -format "%[fx:standard_deviation]" info:)
      if awk "BEGIN{exit !($sd > 0.05)}"; then
        echo "screen stddev=$sd after $i polls"
        # The window is titled with the stream name (GST_TAG_TITLE through taginject).
        if command -v xwininfo >/dev/null 2>&1; then
          t=0
          until xwininfo -root -tree 2>/dev/null | grep -q "confcast-probe"; do
            t=$((t + 1))
            [ $t -lt 10 ] || { echo "FAIL: no window titled confcast-probe"; kill $pid; exit 1; }
            sleep 0.2
          done
          echo "window title confcast-probe found"
        fi
        echo PASS
        kill $pid; wait $pid 2>/dev/null
        exit 0
      fi
    fi
    sleep 0.2
  done
  echo "FAIL: screen stayed blank (stddev=${sd:-none})"; cat "$WORK/probe.err"
  kill $pid 2>/dev/null; exit 1
'

#!/usr/bin/env bash
# A valid-looking foreign stream (in-sequence RTP with another SSRC and garbage payload, from
# tests/e2e/tools/flood.py) reaches a receiver before the real sender starts, so it takes
# the receiver's single-stream sink first. It never shows a frame, so after 3 s the sink
# moves to the real participant: the foreign source cannot hold the screen.
source "$(dirname "$0")/lib.sh"
need python3 python3
e2e_lan 3
FOREIGN=0x0badf00d
LOG=recv on 2 "$RECV" --video-sink null --duration 9 -q --stats-json "$WORK/recv.json"
recv=$LAST
LOG=flood on 3 python3 "$E2E_ROOT/tests/e2e/tools/flood.py" --group 239.0.0.11 --port 15550 \
  --seconds 8 --pps 1500 --foreign-ssrc $FOREIGN
flood=$LAST
sleep 1
LOG=send on 1 "$SEND" --size 640x360 --fps 30 --duration 7 --audio none --stats-json "$WORK/send.json"
send=$LAST
wait_pid "$send" 30 || fail "confcast-send exited non-zero"
wait_pid "$flood" 30 || fail "flood.py failed"
wait_pid "$recv" 30 || fail "confcast-recv exited non-zero"
python3 - "$WORK" $((FOREIGN)) <<'PY' || fail "the foreign source kept the sink"
import json, sys
from stats_json import load
w, foreign = sys.argv[1], int(sys.argv[2])
doc = load(f"{w}/recv.json")
r = doc["final"]
late_fps = [x["fps"] for x in doc["seconds"] if 6 <= x["t"] <= 8]
s = load(f"{w}/send.json")["final"]
videos = {v["ssrc"]: v for v in r["streams"] if v["kind"] == "video"}
real = videos.get(s["video"]["ssrc"], {"frames_rendered": 0})
print(f"== real {real['frames_rendered']} of {s['video']['frames']} frames shown; foreign "
      f"{videos.get(foreign, {}).get('packets', 0)} packets, {videos.get(foreign, {}).get('frames_rendered', 0)} shown")
ok = True
for desc, cond in (
    ("the foreign source was heard and validated first", videos.get(foreign, {}).get("packets", 0) >= 500),
    ("the foreign source never showed a frame", videos.get(foreign, {}).get("frames_rendered", 0) == 0),
    ("the real participant took the sink over (>= 30% of its frames shown)",
     real["frames_rendered"] >= 0.3 * s["video"]["frames"]),
    (f"and is on screen at the end (seconds 6-8: {late_fps} fps)",
     len(late_fps) == 3 and min(late_fps) >= 10),
    ("no broken frame was shown", real.get("decode_errors", 0) == 0)):
    print(("ok: " if cond else "FAIL: ") + desc)
    ok = ok and cond
sys.exit(0 if ok else 1)
PY

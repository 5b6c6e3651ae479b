#!/usr/bin/env bash
# RFC 3550 8.2 SSRC collisions. Two senders on different hosts start with the same SSRC
# (hidden --ssrc); each hears the other's RTCP (SDES with our SSRC but another CNAME), sends
# BYE for the old SSRC and picks a new random one, so receivers end up showing both. The two
# receivers also start with one SSRC between them (hidden receiver --ssrc) and must resolve
# their own collision the same way.
source "$(dirname "$0")/lib.sh"
e2e_lan 4
LOG=recv_a on 3 "$RECV" --video-sink null --participant alice --ssrc 0x5eed0001 --duration 8.5 -q \
         --stats-json "$WORK/recv_a.json"
ra=$LAST
LOG=recv_b on 4 "$RECV" --video-sink null --participant bob --ssrc 0x5eed0001 --duration 8.5 -q \
         --stats-json "$WORK/recv_b.json"
rb=$LAST
sleep 0.5
LOG=alice on 1 "$SEND" --name alice --ssrc 0xc0111de5 --size 640x360 --fps 30 --duration 7 \
         --audio none --stats-json "$WORK/alice.json"
sa=$LAST
LOG=bob on 2 "$SEND" --name bob --ssrc 0xc0111de5 --size 640x360 --fps 30 --duration 7 \
         --audio none --stats-json "$WORK/bob.json"
sb=$LAST
for p in "$sa" "$sb"; do wait_pid "$p" 30 || fail "confcast-send exited non-zero"; done
for p in "$ra" "$rb"; do wait_pid "$p" 30 || fail "confcast-recv exited non-zero"; done
# One python for all checks: each interpreter start costs about a second on a loaded machine.
python3 - "$WORK" <<'PY' || fail "SSRC collisions were not resolved"
import json, sys
from stats_json import load
w = sys.argv[1]
d = {n: load(f"{w}/{n}.json")["final"] for n in ("alice", "bob", "recv_a", "recv_b")}
ok = True
def check(desc, cond):
    global ok
    print(("ok: " if cond else "FAIL: ") + desc)
    ok = ok and cond
a, b = d["alice"]["video"]["ssrc"], d["bob"]["video"]["ssrc"]
print(f"== senders: alice {a:08x} (collisions {d['alice']['ssrc_collisions']}), "
      f"bob {b:08x} (collisions {d['bob']['ssrc_collisions']})")
check("the senders ended with different SSRCs", a != b)
check("a sender detected the collision and moved", d["alice"]["ssrc_collisions"] + d["bob"]["ssrc_collisions"] >= 1)
for r, name, ssrc in (("recv_a", "alice", a), ("recv_b", "bob", b)):
    f = d[r]
    print(f"== {r}: own SSRC {f['own_ssrc']:08x}, changes {f['own_ssrc_changes']}; streams "
          f"{[(hex(s['ssrc']), s.get('name'), s['packets'], s['frames_rendered']) for s in f['streams']]}")
    check(f"{r} shows {name}'s final stream (>= 60 frames)",
          any(s["ssrc"] == ssrc and s["frames_rendered"] >= 60 for s in f["streams"]))
    check(f"{r} heard both senders' final streams",
          {a, b} <= {s["ssrc"] for s in f["streams"] if s["packets"] >= 100})
check("the receivers ended with different SSRCs", d["recv_a"]["own_ssrc"] != d["recv_b"]["own_ssrc"])
check("a receiver detected its own SSRC collision and moved",
      d["recv_a"]["own_ssrc_changes"] + d["recv_b"]["own_ssrc_changes"] >= 1)
sys.exit(0 if ok else 1)
PY

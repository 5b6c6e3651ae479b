#!/usr/bin/env bash
# bench/soak end to end, short: 30 s of sender and receiver on its own virtual LAN. Asserts the
# soak's report (a slope and a max RSS for each process) and that both --stats-json files are
# JSON lines: a confcast-stats/2 header first, one "second" line per second, the "final" line
# last. No assertion on the memory figures themselves: a shared machine is too noisy for that in
# 30 s; the long soak (bench/soak --seconds 1800) is where the slope is read.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces (CI runs as root)"
need ip iproute2

note "soak for 30 s (at ${SECONDS}s)"
"$E2E_ROOT/bench/soak/soak" --seconds 30 --interval 2 --warmup 10 --size 640x360 \
  --send "$SEND" --recv "$RECV" --out "$WORK/soak" --json "$WORK/soak.json" \
  >"$WORK/soak.out" 2>"$WORK/soak.log" || { cat "$WORK/soak.out"; fail "bench/soak failed"; }
cat "$WORK/soak.out"
grep -Eq '^sender +[0-9]+ +-?[0-9.]+ ' "$WORK/soak.out" || fail "no slope for the sender"
grep -Eq '^receiver +[0-9]+ +-?[0-9.]+ ' "$WORK/soak.out" || fail "no slope for the receiver"
check "the soak sampled both processes through the run" \
  "all(len(d['samples'][p]) >= 10 and r['max_rss_kb'] > 0 for p, r in zip(('sender', 'receiver'), d['results']))" \
  "$WORK/soak.json"

python3 - "$WORK/soak/send.json" "$WORK/soak/recv.json" <<'PY' || fail "a --stats-json file is not the documented JSON lines (above)"
import json, sys
ok = True
for path, program, fps_key in ((sys.argv[1], "confcast-send", "video_fps"),
                               (sys.argv[2], "confcast-recv", "fps")):
    with open(path) as f:
        raw = f.read()
    lines = [json.loads(line) for line in raw.splitlines()]  # every line is one JSON object
    kinds = [x.get("type") for x in lines]
    seconds = [x for x in lines if x.get("type") == "second"]
    for desc, cond in (
        ("ends with a newline, one object per line", raw.endswith("\n") and all(isinstance(x, dict) for x in lines)),
        ("header first, confcast-stats/2", kinds[0] == "header" and lines[0].get("schema") == "confcast-stats/2"
         and lines[0].get("program") == program),
        ("final last and only there", kinds[-1] == "final" and kinds.count("final") == 1),
        ("a line per second (>= 25 of 30), numbered 1, 2, ...", len(seconds) >= 25
         and [x["t"] for x in seconds] == list(range(1, len(seconds) + 1))),
        ("nothing but header, seconds and final", set(kinds) == {"header", "second", "final"}),
        ("media flowed", max(x.get(fps_key, 0) for x in seconds) > 0)):
        print(("ok: " if cond else "FAIL: ") + f"{program}: {desc}")
        ok = ok and cond
sys.exit(0 if ok else 1)
PY

#!/usr/bin/env bash
# confcast-bench end to end: a short lossy run gives the table, JSON with every figure and an
# HTML report whose plots headless Chromium draws; SIGINT mid-run stops it and leaves no
# namespace behind.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces (CI runs as root)"
BENCH=$E2E_ROOT/bench/confcast-bench
BIN_DIR=$(dirname "$(dirname "$SEND")")
need_exe "$BIN_DIR/bench/e2e/confcast-stamp" confcast-stamp
common=(--bin-dir "$BIN_DIR" --receivers 2 --size 768x432 --bitrate 1000 --fps 30)

note "2 receivers, 4 s, 2% loss towards receiver 2 only (at ${SECONDS}s)"
cat >"$WORK/short.toml" <<'TOML'
description = "bench test: receiver 2 loses 2%"
[network]
loss_pct = 0
[receiver.2]
loss_pct = 2
TOML
"$BENCH" "$WORK/short.toml" "${common[@]}" --seconds 4 --json "$WORK/out.json" \
  --html "$WORK/report.html" --out "$WORK/run" -q >"$WORK/quiet.out" 2>"$WORK/bench.log" ||
  fail "confcast-bench failed"
"$BENCH" --from-json "$WORK/out.json" >"$WORK/table.out"
grep -q "netloss%" "$WORK/table.out" && grep -q "^confcast  sender: cpu" "$WORK/table.out" ||
  { cat "$WORK/table.out"; fail "no table"; }
echo "ok: table printed"
"$BENCH" --from-json "$WORK/out.json" --markdown | grep -q "^| short | confcast | " ||
  fail "no Markdown summary row"
echo "ok: Markdown summary"
# Every figure, in one python run (each start costs a second on a loaded machine).
# The bench's default VBV is confcast-send's own (the systems get the same, confcast its default).
sender_vbv=$("$SEND" --print-config | sed -n 's/^# vbv-ms = //p')
python3 - "$WORK/out.json" "$sender_vbv" <<'PY' || fail "the JSON lacks figures (above)"
import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]["systems"][0]
rcv, snd = run["receivers"], run["sender"]
checks = [
    ("two receivers reported", len(rcv) == 2),
    ("every receiver has every figure", all({"frames_rendered", "frames_intact", "frames_damaged",
        "frames_never_shown", "frames_lost_after_repair", "repeated_pictures", "frozen_ms",
        "quality", "rtt_ms", "latency_ms", "jitter_ms", "ttff_ms",
        "abs_capture_latency_ms", "latency_agree", "wire", "process", "rtp", "repair", "cdf",
        "series"} <= set(r) for r in rcv)),
    # Without repair a lost packet costs frames until the next keyframe: the lossy receiver
    # shows fewer, and a loaded machine fewer still.
    ("frames came through", rcv[0]["frames_rendered"] >= 60 and rcv[1]["frames_rendered"] >= 10),
    ("latency percentiles ordered", all(0 < r["latency_ms"]["p50"] <= r["latency_ms"]["p95"]
        <= r["latency_ms"]["p99"] <= r["latency_ms"]["max"] for r in rcv)),
    ("confcast's abs-capture-time latency beside it", all(r["abs_capture_latency_ms"]["p50"] > 0
        and r["latency_diff_ms"] is not None for r in rcv)),
    ("receiver CPU and peak memory", all(r["process"]["cpu_s"] > 0 and
        r["process"]["peak_rss_mb"] > 1 for r in rcv)),
    ("sender CPU, peak memory, bytes on the wire", snd["process"]["cpu_s"] > 0 and
        snd["process"]["peak_rss_mb"] > 1 and snd["wire_bytes"] > 100000),
    ("the clean receiver lost nothing on the wire", rcv[0]["wire"]["net_loss_pct"] < 0.5),
    ("the lossy receiver lost packets on the wire", rcv[1]["wire"]["net_loss_pct"] > 0.3),
    ("RTP loss counted by the lossy receiver", rcv[1]["rtp"]["lost_before_repair"] > 0),
    ("per-second series", len(snd["kbps_series"]) >= 4 and
        len(rcv[1]["series"]["net_loss_pct"]) == len(snd["kbps_series"])),
    ("summary pools the receivers", run["summary"]["frames_expected"] == 240),
    ("one outcome per frame sent", all(r["frames_intact"] + r["frames_damaged"]
        + r["frames_never_shown"] == r["frames_expected"] for r in rcv)),
    ("picture quality measured", all((r["quality"]["psnr_db"]["mean"] or 0) > 20
        and 0 < (r["quality"]["ssim"]["mean"] or 0) <= 1 for r in rcv)),
    # Receiver 1 loses nothing, so it never NACKs and has no RTT to show; receiver 2 does.
    ("the RTT each receiver measured (none without a NACK)",
        all((r["rtt_ms"] is not None and r["rtt_ms"] > 0) == (r["repair"]["nacks_sent"] > 0)
            for r in rcv)),
    ("each receiver's playout delay per second, and its RTT once measured",
        all(len(hold) >= 3 and all(0 <= x <= 40 for x in hold)
            and (len(rtt) >= 2 if r["repair"]["nacks_sent"] > 0 else not rtt)
            and all(x > 0 for x in rtt)
            for r in rcv
            for rtt in [[x for x in r["series"].get("rtt_ms", []) if x is not None]]
            for hold in [[x for x in r["series"].get("playout_delay_ms", []) if x is not None]])),
    ("the bitrate the sender spent", snd["media_kbps"] > 100),
    # 4 s at GOP 60 (the scenario default): at least two IDRs, each larger than a delta frame.
    ("frame-size peaks", snd["frames"]["keyframes"] >= 2 and snd["frames"]["frames"] >= 100
        and snd["frames"]["keyframe_bytes_max"] >= snd["frames"]["keyframe_bytes_mean"]
        > snd["frames"]["delta_frame_bytes_max"] / 4 > 0),
    ("the encoder settings stated", d["runs"][0]["encoder"]["vbv_ms"] > 0),
    (f"the default VBV is confcast-send's ({sys.argv[2]} ms)",
        str(d["runs"][0]["encoder"]["vbv_ms"]) == sys.argv[2]),
]
for name, ok in checks:
    print(("ok: " if ok else "FAILED: ") + name)
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
grep -q "<svg class=\"plot\"" "$WORK/report.html" || fail "no SVG plot in the report"

if command -v chromium >/dev/null; then
  note "headless Chromium draws the report's plots"
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$WORK/chromium" --dump-dom "file://$WORK/report.html" \
    >"$WORK/dom.html" 2>"$WORK/chromium.log" || fail "chromium could not open the report"
  plots=$(sed -n 's/.*data-plots="\([0-9]*\)".*/\1/p' "$WORK/dom.html" | head -1)
  okplots=$(sed -n 's/.*data-plots-ok="\([0-9]*\)".*/\1/p' "$WORK/dom.html" | head -1)
  sed -n '/id="plot-check"/,/<\/pre>/p' "$WORK/dom.html"
  [ -n "$plots" ] || fail "the report's check script did not run in Chromium"
  [ "$plots" -ge 5 ] || fail "only $plots plots in the report"
  [ "$okplots" = "$plots" ] || fail "$okplots of $plots plots rendered with visible lines"
  grep -q "cdf-0 paths=2 drawn=2" "$WORK/dom.html" || fail "latency CDF: not one curve per receiver"
  echo "ok: $okplots/$plots plots rendered"
else
  chromium_missing=1
fi

note "shared loss: 8% on the sender's link, 3 receivers, 4 s (at ${SECONDS}s)"
cat >"$WORK/shared.toml" <<'TOML'
description = "bench test: loss on the sender's link"
receivers = 3
[sender]
loss_pct = 8
TOML
"$BENCH" "$WORK/shared.toml" "${common[@]}" --receivers 3 --seconds 4 --json "$WORK/shared.json" \
  --out "$WORK/shared" -q >"$WORK/shared.out" 2>"$WORK/shared.log" || fail "confcast-bench (shared loss) failed"
"$BENCH" --from-json "$WORK/shared.json" --markdown | grep -q "feedback / lost packet" ||
  fail "no feedback table for the shared-loss run"
python3 - "$WORK/shared.json" <<'PY' || fail "shared loss (above)"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]["systems"][0]
rcv, sm = run["receivers"], run["summary"]
lost = [r["rtp"]["lost_before_repair"] for r in rcv]
net = [r["wire"]["net_loss_pct"] for r in rcv]
checks = [
    # Dropped before the bridge floods the group: every receiver misses the same packets.
    ("every receiver lost the same packets on the wire", min(net) > 2 and max(net) == min(net)),
    ("and counted about the same RTP loss", min(lost) > 0 and max(lost) - min(lost) <= 2),
    ("each receiver counted the feedback it sent", all(r["feedback_packets"] is not None for r in rcv)),
    ("feedback per lost packet", sm["feedback_per_lost_packet"] is not None
        and sm["lost_packets"] == max(lost)
        and abs(sm["feedback_per_lost_packet"] - sm["feedback_packets"] / max(lost)) < 0.01),
]
for name, ok in checks:
    print(("ok: " if ok else "FAILED: ") + name)
print("  net loss %s%%, RTP lost %s, feedback %s packets" % (net, lost, sm["feedback_packets"]))
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY

note "SIGINT mid-run: processes stop and the namespaces go (at ${SECONDS}s)"
"$BENCH" "${common[@]}" --seconds 30 --loss 1 --out "$WORK/int" -q >"$WORK/int.out" 2>"$WORK/int.log" &
bench=$!
PIDS+=("$bench")
prefix="cb$((bench % 100000))"
for _ in $(seq 100); do
  ip netns list | grep -q "^$prefix[0-9a-f][0-9a-f]-" && [ -s "$WORK/int/00-custom/confcast/frames-h2.txt" ] && break
  sleep 0.1
done
ip netns list | grep -q "^$prefix[0-9a-f][0-9a-f]-" || fail "the interrupted run never built its LAN"
kill -INT "$bench"
status=0
wait_pid "$bench" 20 || status=$?
[ "$status" -eq 130 ] || fail "confcast-bench exited $status after SIGINT, expected 130"
left=$(ip netns list | awk '{print $1}' | grep "^$prefix[0-9a-f][0-9a-f]-" || true)
[ -z "$left" ] || fail "namespaces left behind: $left"
echo "ok: stopped with 130, no namespace of the run left"
pgrep -f "$WORK/int" >/dev/null && fail "processes of the interrupted run still alive"
echo "ok: no process of the run left"
[ -z "${chromium_missing:-}" ] || fail "chromium missing: scripts/install-deps installs it (plots not checked)"

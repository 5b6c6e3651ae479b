"""Figures from what the processes left behind: the stamp reader's per-picture log (the same for
every system: frame outcomes, frozen time, latency, luma PSNR/SSIM), confcast-recv's
--stats-json (confcast's own view: abs-capture-time latency, RTP loss, repair counters, RTT)
and confcast-send's."""
from __future__ import annotations

import math
import os

from . import stats_json

REPAIR_RECV = ("recovered_rtx", "recovered_fec", "lost_for_good", "nacks_sent",
               "nacks_suppressed", "rtx_received", "fec_received", "duplicates")
REPAIR_SEND = ("retransmissions_sent", "retransmissions_deduplicated", "fec_packets_sent",
               "fec_overhead_pct")


def pct(sorted_vals: list[float], q: float):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, int(q * (len(sorted_vals) - 1) + 0.5))
    return round(sorted_vals[i], 2)


def quantiles(vals: list[float]) -> dict:
    v = sorted(vals)
    return {"p50": pct(v, 0.5), "p95": pct(v, 0.95), "p99": pct(v, 0.99),
            "max": round(v[-1], 2) if v else None,
            "mean": round(sum(v) / len(v), 2) if v else None, "count": len(v)}


def cdf_points(vals: list[float], points: int = 120) -> list[list[float]]:
    v = sorted(vals)
    if not v:
        return []
    n = len(v)
    idx = sorted({min(n - 1, round(k * (n - 1) / (points - 1))) for k in range(points)})
    return [[round(v[i], 2), round((i + 1) / n, 4)] for i in idx]


# A readable picture more than this far below its frame's clean level counts as damaged.
DAMAGE_DB = 1.0
# New pictures further apart than this many frame intervals mean the screen held an old one.
FREEZE_GAP_FRAMES = 2.0


def read_frames(path: str) -> list[tuple]:
    """confcast-stamp read --frames: (arrival_us, ok|rep|bad, number, capture_us, psnr, ssim);
    psnr and ssim are None for a bad picture or a log without them (4 fields)."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) not in (4, 6):
                continue
            q = [None, None]
            if len(parts) == 6 and parts[4] != "-":
                q = [float(parts[4]), float(parts[5])]
            out.append((int(parts[0]), parts[1], int(parts[2]), int(parts[3]), q[0], q[1]))
    return out


def load_json(path: str):
    """A --stats-json file (JSON lines) as {"seconds": [...], "final": ...}, or a JSON document."""
    try:
        return stats_json.load(path)
    except (OSError, ValueError):
        return None


def sanitize(frames: list[tuple], expected: int) -> list[tuple]:
    """A damaged picture can still hold readable blocks; a number never sent marks it as bad."""
    return [(a, "bad", 0, 0, None, None) if st != "bad" and not 0 <= n < expected else (a, st, n, c, p, q)
            for (a, st, n, c, p, q) in frames]


def clean_levels(frame_lists: list[list[tuple]]) -> dict[int, float]:
    """Per frame number, the best PSNR any receiver of one system showed for it.

    The receivers decode the same bits with deterministic decoders, so an intact decode of
    frame n gives the same picture, and the same PSNR, everywhere: the best of them is the
    stream's own clean level for that frame (keyframes starved by a small VBV included). With
    one receiver it is that receiver's own figure, so only the stamp finds damage there.
    """
    best: dict[int, float] = {}
    for frames in frame_lists:
        for (_, st, n, _, psnr, _) in frames:
            if st != "bad" and psnr is not None and psnr > best.get(n, -1.0):
                best[n] = psnr
    return best


def outcomes(frames: list[tuple], expected: int, fps: float, clean: dict[int, float] | None = None,
             damage_db: float = DAMAGE_DB) -> dict:
    """Exactly one outcome per frame the source sent (numbers 0..expected-1):

    - intact: its first readable picture is within damage_db of the frame's clean level;
    - damaged: that picture is further below, or the frame's only picture had an unreadable
      stamp. An unreadable picture is given to the lowest frame number not yet shown that lies
      between the readable frames shown before and after it (in arrival order); when there is
      none, it is a damaged picture of a frame already counted (bad_pictures_extra);
    - never shown.
    A picture that repeats a frame already shown (rep) is not a frame: the time the screen held
    an old picture is frozen_ms, the sum over gaps between new pictures longer than
    FREEZE_GAP_FRAMES frame intervals of the gap minus one interval (the next frame was due one
    interval after the last), and the same from the last new picture to the last frame's due time
    when the stream ends in frames never shown.
    """
    clean = clean or {}
    interval_us = 1e6 / fps
    first: dict[int, tuple] = {}          # number -> its first readable picture
    claimed: dict[int, int] = {}          # number -> arrival of the unreadable picture given to it
    extra = 0
    readable = [(i, f) for i, f in enumerate(frames) if f[1] != "bad"]
    for (_, f) in readable:
        if f[1] == "ok" and f[2] not in first:
            first[f[2]] = f
    ri = 0
    last_num = -1
    for i, f in enumerate(frames):
        if f[1] != "bad":
            last_num = max(last_num, f[2])
            continue
        while ri < len(readable) and readable[ri][0] < i:
            ri += 1
        next_num = readable[ri][1][2] if ri < len(readable) else expected
        n = next((k for k in range(last_num + 1, min(next_num, expected))
                  if k not in first and k not in claimed), None)
        if n is None:
            extra += 1
        else:
            claimed[n] = f[0]
            last_num = n
    state = ["never"] * expected
    for n in range(expected):
        if n in first:
            psnr = first[n][4]
            ref = clean.get(n)
            state[n] = "damaged" if psnr is not None and ref is not None and psnr < ref - damage_db \
                else "intact"
        elif n in claimed:
            state[n] = "damaged"
    # Frozen time from the arrivals of new pictures (each frame's first picture, any kind).
    new = sorted([first[n][0] for n in first] + list(claimed.values()))
    frozen_us, freezes = 0.0, 0
    for a, b in zip(new, new[1:]):
        if b - a > FREEZE_GAP_FRAMES * interval_us:
            freezes += 1
            frozen_us += b - a - interval_us
    if new and first and state[expected - 1] == "never":
        lat = sorted(f[0] - f[3] for f in first.values())
        origin = min(f[3] - f[2] * interval_us for f in first.values())  # frame 0's capture
        due = origin + (expected - 1) * interval_us + lat[len(lat) // 2]
        if due - new[-1] > FREEZE_GAP_FRAMES * interval_us:
            freezes += 1
            frozen_us += due - new[-1] - interval_us
    shown = [first[n] for n in sorted(first)]
    return {"state": state, "intact": state.count("intact"), "damaged": state.count("damaged"),
            "never_shown": state.count("never"), "frozen_ms": round(frozen_us / 1000, 1),
            "freezes": freezes, "repeated_pictures": sum(1 for f in frames if f[1] == "rep"),
            "bad_pictures": sum(1 for f in frames if f[1] == "bad"), "bad_pictures_extra": extra,
            "psnr": [f[4] for f in shown if f[4] is not None],
            "ssim": [f[5] for f in shown if f[5] is not None]}


def quality(psnr: list[float], ssim: list[float]) -> dict:
    """Luma PSNR and SSIM over the frames shown (each frame's first readable picture)."""
    p, q = sorted(psnr), sorted(ssim)
    return {"psnr_db": {"mean": round(sum(p) / len(p), 2) if p else None, "p5": pct(p, 0.05),
                        "p50": pct(p, 0.5), "min": p[0] if p else None},
            "ssim": {"mean": round(sum(q) / len(q), 4) if q else None,
                     "p5": round(q[min(len(q) - 1, int(0.05 * (len(q) - 1) + 0.5))], 4) if q else None},
            "frames": len(p)}


def receiver_frames(work: str, host: int, s, stop_us: int | None = None):
    """A receiver's frames log, sanitized, and the pictures held back until the stop."""
    frames = read_frames(os.path.join(work, f"frames-h{host}.txt"))
    held = [f for f in frames if stop_us is not None and f[0] > stop_us]
    frames = [f for f in frames if stop_us is None or f[0] <= stop_us]
    return sanitize(frames, int(round(s.seconds * s.fps))), held


def receiver(work: str, host: int, s, has_stats: bool, stop_us: int | None = None,
             clean: dict[int, float] | None = None, frames=None) -> dict:
    held = []
    if frames is None:
        frames, held = receiver_frames(work, host, s, stop_us)
    expected = int(round(s.seconds * s.fps))
    interval_us = 1e6 / s.fps
    ok = [f for f in frames if f[1] == "ok"]
    lat = [(f[0] - f[3]) / 1000 for f in ok]
    jitter = None
    if len(lat) > 1:  # mean change of latency between consecutive shown frames
        jitter = round(sum(abs(lat[i] - lat[i - 1]) for i in range(1, len(lat))) / (len(lat) - 1), 2)
    ttff = None
    if ok:
        a, _, n, c, _, _ = ok[0]
        ttff = round((a - (c - n * interval_us)) / 1000, 1)
    o = outcomes(frames, expected, s.fps, clean)
    seconds = max(1, int(math.ceil(s.seconds)))
    lost_per_s = [sum(1 for n in range(int(k * s.fps), min(expected, int((k + 1) * s.fps)))
                      if o["state"][n] != "intact") for k in range(seconds)]
    r = {"frames_expected": expected,
         "frames_intact": o["intact"], "frames_damaged": o["damaged"],
         "frames_never_shown": o["never_shown"],
         "frames_lost_after_repair": expected - o["intact"],
         "frames_rendered": len(ok),  # frames with a readable picture (intact or damaged)
         "repeated_pictures": o["repeated_pictures"], "bad_pictures": o["bad_pictures"],
         "bad_pictures_extra": o["bad_pictures_extra"],
         "frames_flushed_at_stop": len(held),
         "freezes": o["freezes"], "frozen_ms": o["frozen_ms"],
         "quality": quality(o["psnr"], o["ssim"]),
         "latency_ms": quantiles(lat), "jitter_ms": jitter, "ttff_ms": ttff,
         "cdf": cdf_points(lat), "series": {"frames_not_intact": lost_per_s},
         "abs_capture_latency_ms": None, "latency_agree": None, "latency_diff_ms": None,
         "rtt_ms": None, "feedback_packets": None, "rtp": None, "repair": None, "_latencies": lat,
         "_psnr": o["psnr"], "_ssim": o["ssim"]}
    if has_stats:
        d = load_json(os.path.join(work, f"recv-h{host}.json")) or {}
        streams = d.get("final", {}).get("streams", [])
        # Per second: the RTT the receiver measured and the playout delay it chose (None in a
        # second without a video stream).
        secs = d.get("seconds", [])
        for key in ("rtt_ms", "playout_delay_ms"):
            if any(key in x for x in secs):
                r["series"][key] = [x.get(key) for x in secs]
        # Early RTCP feedback packets (NACK, PLI, FIR) this receiver sent.
        r["feedback_packets"] = d.get("final", {}).get("feedback_packets_sent")
        v = next((x for x in streams if x.get("kind") == "video"), None)
        if v:
            rep = v.get("repair")
            lost = v.get("lost")
            before = after = lost
            if isinstance(rep, dict):
                after = rep.get("lost_for_good", lost)
                before = (rep.get("lost_for_good", 0) or 0) + (rep.get("recovered_rtx", 0) or 0) + \
                    (rep.get("recovered_fec", 0) or 0)
                r["rtt_ms"] = rep.get("rtt_ms")
                rep = {k: rep.get(k) for k in REPAIR_RECV}
            r["rtp"] = {"packets": v.get("packets"), "lost_before_repair": before,
                        "lost_after_repair": after, "late": v.get("late"),
                        "reordered": v.get("reordered"),
                        "frames_rendered": v.get("frames_rendered"),
                        "frames_dropped": v.get("frames_dropped"),
                        "frames_concealed": v.get("frames_concealed"),
                        "keyframe_requests": v.get("keyframe_requests"),
                        "jitter_ms": v.get("jitter_ms"),
                        "ttff_ms": v.get("time_to_first_frame_ms")}
            r["repair"] = rep
            abs_lat = v.get("latency_ms")
            if abs_lat:
                r["abs_capture_latency_ms"] = {k: abs_lat.get(k) for k in ("p50", "p95", "p99", "max")}
            stages = v.get("latency_stages_ms")
            if isinstance(stages, dict):
                r["latency_stages_ms"] = {k: (stages.get(k) or {}).get("p50") for k in STAGES}
    return r


# confcast-recv's split of its capture-to-render latency (latency_stages_ms), in pipeline order.
STAGES = ("send", "spread", "buffer", "queue", "decode", "render")


def stage_medians(rs: list):
    """Each stage's median, the mean over the receivers that reported one; None without."""
    have = [r["latency_stages_ms"] for r in rs if r.get("latency_stages_ms")]
    if not have:
        return None
    out = {}
    for k in STAGES:
        vals = [st[k] for st in have if st.get(k) is not None]
        out[k] = round(sum(vals) / len(vals), 3) if vals else None
    return out


def agree(r: dict, tolerance_ms: float) -> None:
    """Marks whether confcast's abs-capture-time median agrees with the stamp's."""
    a, b = r.get("abs_capture_latency_ms"), r.get("latency_ms")
    if a and b and a.get("p50") is not None and b.get("p50") is not None:
        diff = b["p50"] - a["p50"]
        r["latency_diff_ms"] = round(diff, 2)
        r["latency_agree"] = abs(diff) <= tolerance_ms


def sender_final(work: str) -> dict:
    """The sender's final figures (confcast-send's --stats-json, or gst_rtx's summary)."""
    return (load_json(os.path.join(work, "sender.json")) or {}).get("final", {})


def sender_repair(final: dict):
    rep = final.get("video", {}).get("repair")
    if not isinstance(rep, dict):
        return None
    out = {k: rep.get(k) for k in REPAIR_SEND}
    out["keyframe_requests"] = final.get("keyframe_requests")
    return out


def sender_frames(final: dict):
    """confcast-send's frame-size peaks (its final video figures); None when it has none."""
    v = final.get("video") or {}
    if "keyframe_bytes_max" not in v:
        return None
    return {k: v.get(k) for k in ("frames", "keyframes", "keyframe_bytes_max",
                                  "keyframe_bytes_mean", "delta_frame_bytes_max",
                                  "encode_ms_mean", "send_out_ms_mean")}


def summary(run: dict, s) -> dict:
    """All receivers pooled: what the README table shows per scenario and system."""
    rs = run["receivers"]
    n = len(rs) or 1

    def total(key):
        return sum(r[key] for r in rs)

    def mean_of(getter):
        vals = [x for x in (getter(r) for r in rs) if x is not None]
        return round(sum(vals) / len(vals), 2) if vals else None

    psnr = [x for r in rs for x in r.get("_psnr", [])]
    ssim = [x for r in rs for x in r.get("_ssim", [])]
    return {"receivers": len(rs), "frames_expected": total("frames_expected"),
            "frames_intact": total("frames_intact"), "frames_damaged": total("frames_damaged"),
            "frames_never_shown": total("frames_never_shown"),
            "frames_lost_after_repair": total("frames_lost_after_repair"),
            "frames_rendered": total("frames_rendered"),
            "repeated_pictures": total("repeated_pictures"),
            "intact_pct": round(100 * total("frames_intact") / max(1, total("frames_expected")), 1),
            "shown_pct": round(100 * total("frames_rendered") / max(1, total("frames_expected")), 1),
            "frozen_ms_per_receiver": round(total("frozen_ms") / n, 1),
            "quality": quality(psnr, ssim),
            "latency_ms": _pooled(rs),
            "jitter_ms": mean_of(lambda r: r["jitter_ms"]),
            "ttff_ms": mean_of(lambda r: r["ttff_ms"]),
            "abs_p50_ms": mean_of(lambda r: (r["abs_capture_latency_ms"] or {}).get("p50")),
            "latency_stages_p50_ms": stage_medians(rs),
            "rtt_ms": mean_of(lambda r: r.get("rtt_ms")),
            "net_loss_pct": mean_of(lambda r: r["wire"]["net_loss_pct"]),
            "rtp_lost_before_repair": _sum_or_none(rs, "lost_before_repair"),
            "rtp_lost_after_repair": _sum_or_none(rs, "lost_after_repair"),
            "receiver_cpu_pct": mean_of(lambda r: r["process"]["cpu_pct"]),
            "receiver_peak_rss_mb": mean_of(lambda r: r["process"]["peak_rss_mb"]),
            "sender_cpu_pct": run["sender"]["process"]["cpu_pct"],
            "sender_cpu_user_pct": run["sender"]["process"].get("cpu_user_pct"),
            "sender_cpu_sys_pct": run["sender"]["process"].get("cpu_sys_pct"),
            "sender_fec_packets": (run["sender"].get("repair") or {}).get("fec_packets_sent"),
            "sender_peak_rss_mb": run["sender"]["process"]["peak_rss_mb"],
            "sender_kbps": run["sender"]["kbps"],
            "wire_kbps": run["sender"].get("media_kbps"),
            **_feedback(rs)}


def _feedback(rs: list[dict]) -> dict:
    """Feedback packets from all receivers per lost media packet, where a lost packet is one
    that at least one receiver missed before repair: with shared loss alone every receiver
    misses the same packets, so that is the largest count of any one receiver (the confcast-sim
    definition). None for systems whose receivers do not report it."""
    fb = [r.get("feedback_packets") for r in rs]
    lost = [(r["rtp"] or {}).get("lost_before_repair") for r in rs]
    if not rs or any(x is None for x in fb + lost):
        return {"feedback_packets": None, "lost_packets": None, "feedback_per_lost_packet": None}
    return {"feedback_packets": sum(fb), "lost_packets": max(lost),
            "feedback_per_lost_packet": round(sum(fb) / max(lost), 3) if max(lost) else None}


def _sum_or_none(rs, key):
    vals = [(r["rtp"] or {}).get(key) for r in rs]
    return None if any(v is None for v in vals) or not vals else sum(vals)


def _pooled(rs: list[dict]) -> dict:
    """Pooled quantiles from each receiver's full latency list (kept aside in _latencies)."""
    vals: list[float] = []
    for r in rs:
        vals += r.get("_latencies", [])
    return quantiles(vals)

"""Figures from what the processes left behind: the stamp reader's per-frame log (the same for
every system), confcast-recv's --stats-json (confcast's own view: abs-capture-time latency,
RTP loss, repair counters) and confcast-send's."""
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


def read_frames(path: str) -> list[tuple]:
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4:
                out.append((int(parts[0]), parts[1], int(parts[2]), int(parts[3])))
    return out


def load_json(path: str):
    """A --stats-json file (JSON lines) as {"seconds": [...], "final": ...}, or a JSON document."""
    try:
        return stats_json.load(path)
    except (OSError, ValueError):
        return None


def receiver(work: str, host: int, s, has_stats: bool, stop_us: int | None = None) -> dict:
    frames = read_frames(os.path.join(work, f"frames-h{host}.txt"))
    held = [f for f in frames if stop_us is not None and f[0] > stop_us]
    frames = [f for f in frames if stop_us is None or f[0] <= stop_us]
    expected = int(round(s.seconds * s.fps))
    # A damaged picture can still hold readable blocks; a number never sent marks it as such.
    frames = [(a, "bad", 0, 0) if st != "bad" and n >= expected else (a, st, n, c)
              for (a, st, n, c) in frames]
    interval_us = 1e6 / s.fps
    ok = [f for f in frames if f[1] == "ok"]
    lat = [(a - c) / 1000 for (a, _, _, c) in ok]
    jitter = None
    if len(lat) > 1:  # mean change of latency between consecutive shown frames
        jitter = round(sum(abs(lat[i] - lat[i - 1]) for i in range(1, len(lat))) / (len(lat) - 1), 2)
    ttff = None
    if ok:
        a, _, n, c = ok[0]
        ttff = round((a - (c - n * interval_us)) / 1000, 1)
    freeze_ms, freezes = 0.0, 0
    for prev, cur in zip(ok, ok[1:]):
        gap = cur[0] - prev[0]
        if gap > 3 * interval_us:
            freezes += 1
            freeze_ms += (gap - interval_us) / 1000
    seen = {n for (_, _, n, _) in ok}
    seconds = max(1, int(math.ceil(s.seconds)))
    missing_per_s = [sum(1 for n in range(int(k * s.fps), min(expected, int((k + 1) * s.fps)))
                         if n not in seen) for k in range(seconds)]
    r = {"frames_expected": expected,
         "frames_rendered": len(ok),
         "frames_frozen": sum(1 for f in frames if f[1] == "rep"),
         "frames_corrupted": sum(1 for f in frames if f[1] == "bad"),
         "frames_missing": expected - len([n for n in seen if n < expected]),
         "frames_flushed_at_stop": len(held),
         "freezes": freezes, "freeze_ms": round(freeze_ms, 1),
         "latency_ms": quantiles(lat), "jitter_ms": jitter, "ttff_ms": ttff,
         "cdf": cdf_points(lat), "series": {"missing_frames": missing_per_s},
         "abs_capture_latency_ms": None, "latency_agree": None, "latency_diff_ms": None,
         "rtp": None, "repair": None, "_latencies": lat}
    if has_stats:
        d = load_json(os.path.join(work, f"recv-h{host}.json")) or {}
        streams = d.get("final", {}).get("streams", [])
        v = next((x for x in streams if x.get("kind") == "video"), None)
        if v:
            rep = v.get("repair")
            lost = v.get("lost")
            before = after = lost
            if isinstance(rep, dict):
                after = rep.get("lost_for_good", lost)
                before = (rep.get("lost_for_good", 0) or 0) + (rep.get("recovered_rtx", 0) or 0) + \
                    (rep.get("recovered_fec", 0) or 0)
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
    return r


def agree(r: dict, tolerance_ms: float) -> None:
    """Marks whether confcast's abs-capture-time median agrees with the stamp's."""
    a, b = r.get("abs_capture_latency_ms"), r.get("latency_ms")
    if a and b and a.get("p50") is not None and b.get("p50") is not None:
        diff = b["p50"] - a["p50"]
        r["latency_diff_ms"] = round(diff, 2)
        r["latency_agree"] = abs(diff) <= tolerance_ms


def sender_repair(work: str):
    d = load_json(os.path.join(work, "sender.json")) or {}
    rep = d.get("final", {}).get("video", {}).get("repair")
    return {k: rep.get(k) for k in REPAIR_SEND} if isinstance(rep, dict) else None


def summary(run: dict, s) -> dict:
    """All receivers pooled: what the README table shows per scenario and system."""
    rs = run["receivers"]
    n = len(rs) or 1

    def total(key):
        return sum(r[key] for r in rs)

    def mean_of(getter):
        vals = [x for x in (getter(r) for r in rs) if x is not None]
        return round(sum(vals) / len(vals), 2) if vals else None

    return {"receivers": len(rs), "frames_expected": total("frames_expected"),
            "frames_rendered": total("frames_rendered"), "frames_frozen": total("frames_frozen"),
            "frames_missing": total("frames_missing"), "frames_corrupted": total("frames_corrupted"),
            "shown_pct": round(100 * total("frames_rendered") / max(1, total("frames_expected")), 1),
            "freeze_ms_per_receiver": round(total("freeze_ms") / n, 1),
            "latency_ms": _pooled(rs),
            "jitter_ms": mean_of(lambda r: r["jitter_ms"]),
            "ttff_ms": mean_of(lambda r: r["ttff_ms"]),
            "abs_p50_ms": mean_of(lambda r: (r["abs_capture_latency_ms"] or {}).get("p50")),
            "net_loss_pct": mean_of(lambda r: r["wire"]["net_loss_pct"]),
            "lost_before_repair": _sum_or_none(rs, "lost_before_repair"),
            "lost_after_repair": _sum_or_none(rs, "lost_after_repair"),
            "receiver_cpu_pct": mean_of(lambda r: r["process"]["cpu_pct"]),
            "receiver_peak_rss_mb": mean_of(lambda r: r["process"]["peak_rss_mb"]),
            "sender_cpu_pct": run["sender"]["process"]["cpu_pct"],
            "sender_peak_rss_mb": run["sender"]["process"]["peak_rss_mb"],
            "sender_kbps": run["sender"]["kbps"]}


def _sum_or_none(rs, key):
    vals = [(r["rtp"] or {}).get(key) for r in rs]
    return None if any(v is None for v in vals) or not vals else sum(vals)


def _pooled(rs: list[dict]) -> dict:
    """Pooled quantiles from each receiver's full latency list (kept aside in _latencies)."""
    vals: list[float] = []
    for r in rs:
        vals += r.get("_latencies", [])
    return quantiles(vals)

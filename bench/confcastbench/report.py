"""The terminal table, the Markdown table for the README, and the JSON document."""
from __future__ import annotations

import json
import re


def f(v, fmt="{:.1f}", none="-"):
    if v is None:
        return none
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return fmt.format(v) if isinstance(v, float) else str(v)


COLUMNS = [  # header, width, getter
    ("system", 10, lambda run, r: run["name"]),
    ("rcv", 4, lambda run, r: str(r["receiver"])),
    ("network", 16, lambda run, r: r["profile"][:16]),
    ("netloss%", 9, lambda run, r: f(r["wire"]["net_loss_pct"])),
    ("lost", 6, lambda run, r: f((r["rtp"] or {}).get("lost_before_repair"))),
    ("unrep", 6, lambda run, r: f((r["rtp"] or {}).get("lost_after_repair"))),
    ("shown", 6, lambda run, r: f(r["frames_rendered"])),
    ("frozen", 7, lambda run, r: f(r["frames_frozen"])),
    ("miss", 5, lambda run, r: f(r["frames_missing"])),
    ("bad", 4, lambda run, r: f(r["frames_corrupted"])),
    ("frz ms", 7, lambda run, r: f(r["freeze_ms"], "{:.0f}")),
    ("p50", 8, lambda run, r: f(r["latency_ms"]["p50"])),
    ("p95", 8, lambda run, r: f(r["latency_ms"]["p95"])),
    ("p99", 8, lambda run, r: f(r["latency_ms"]["p99"])),
    ("max", 8, lambda run, r: f(r["latency_ms"]["max"])),
    ("abs p50", 8, lambda run, r: f((r["abs_capture_latency_ms"] or {}).get("p50"))
     + ("!" if r.get("latency_agree") is False else "")),
    ("jit", 6, lambda run, r: f(r["jitter_ms"])),
    ("ttff", 6, lambda run, r: f(r["ttff_ms"], "{:.0f}")),
    ("cpu%", 6, lambda run, r: f(r["process"]["cpu_pct"])),
    ("MB", 6, lambda run, r: f(r["process"]["peak_rss_mb"], "{:.0f}")),
    ("kbit/s", 7, lambda run, r: f(r["wire"]["kbps"], "{:.0f}")),
]


def table(doc: dict) -> str:
    lines = []
    head = "".join(h.rjust(w) if i > 2 else h.ljust(w) for i, (h, w, _) in enumerate(COLUMNS))
    for run in doc["runs"]:
        p = run["params"]
        lines.append(f"\n{run['scenario']}: {p['receivers']} receiver(s), {p['size']} "
                     f"{p['fps']} fps {p['bitrate_kbps']} kbit/s GOP {p['gop']}, {p['seconds']:g} s"
                     f", network: {p['network']}")
        lines.append(head)
        lines.append("-" * len(head))
        for sysrun in run["systems"]:
            for r in sysrun["receivers"]:
                lines.append("".join(get(sysrun, r).rjust(w) if i > 2 else get(sysrun, r).ljust(w)
                                     for i, (_, w, get) in enumerate(COLUMNS)))
            snd = sysrun["sender"]
            if snd["process"]["exit"] not in (0, None):
                lines.append(f"{sysrun['name']:<10}WARNING: the sender exited with status "
                             f"{snd['process']['exit']}; its log is sender.log in "
                             f"{doc.get('work_dir', 'the work directory')}")
            src = sysrun.get("source", {})
            if src.get("fps_achieved") and src["fps_achieved"] < 0.95 * src["fps_target"]:
                lines.append(f"{sysrun['name']:<10}WARNING: the source kept only "
                             f"{src['fps_achieved']:.1f} of {src['fps_target']} fps (machine "
                             "overloaded): figures are stretched")
            lines.append(f"{sysrun['name']:<10}sender: cpu {f(snd['process']['cpu_pct'])}%, "
                         f"peak {f(snd['process']['peak_rss_mb'], '{:.0f}')} MB, "
                         f"{f(snd['kbps'], '{:.0f}')} kbit/s on the wire"
                         + _repair_text(snd.get("repair")))
    lines.append("\nnetloss% = packets the bridge did not deliver to the receiver (all systems); "
                 "lost/unrep = RTP packets lost before/after repair\n(confcast --stats-json); "
                 "shown/frozen/miss/bad = frames read from the receiver's output by confcast-stamp; "
                 "p50..max = capture to\ndecoded frame, ms; abs p50 = confcast's abs-capture-time "
                 "median ('!' = differs from the stamp by more than the tolerance);\njit = mean "
                 "change of latency between frames, ms; ttff = first frame, ms after the source "
                 "started; cpu%/MB = the receiving process.")
    return "\n".join(lines)


def _repair_text(rep):
    if not rep:
        return ""
    return (f"; repair: {f(rep.get('retransmissions_sent'))} retransmissions, "
            f"{f(rep.get('fec_packets_sent'))} FEC packets")


def markdown(doc: dict) -> str:
    head = ("| scenario | system | frames shown | missing | frozen | corrupted | p50 ms | p95 ms "
            "| p99 ms | max ms | abs-capture p50 | sender CPU % | sender kbit/s | receiver CPU % "
            "| source fps |")
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for run in doc["runs"]:
        for sysrun in run["systems"]:
            s = sysrun["summary"]
            lat = s["latency_ms"]
            out.append(f"| {run['scenario']} | {sysrun['name']} | {s['frames_rendered']}/"
                       f"{s['frames_expected']} ({s['shown_pct']:.1f}%) | {s['frames_missing']} | "
                       f"{s['frames_frozen']} | {s['frames_corrupted']} | {f(lat['p50'])} | "
                       f"{f(lat['p95'])} | {f(lat['p99'])} | {f(lat['max'])} | "
                       f"{f(s['abs_p50_ms'])} | {f(s['sender_cpu_pct'])} | "
                       f"{f(s['sender_kbps'], '{:.0f}')} | {f(s['receiver_cpu_pct'])} | "
                       f"{f(sysrun.get('source', {}).get('fps_achieved'))} |")
    return "\n".join(out)


def write_json(doc: dict, path: str) -> None:
    text = json.dumps(doc, indent=1)
    # Lists of numbers (CDF points, per-second series) on one line each: readable, and a
    # fraction of the size.
    text = re.sub(r"\[[-\d.,\s\[\]enull]*\]",
                  lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    with open(path, "w") as fh:
        fh.write(text + "\n")

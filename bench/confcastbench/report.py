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


def q(r: dict, what: str, stat: str):
    return ((r.get("quality") or {}).get(what) or {}).get(stat)


COLUMNS = [  # header, width, getter
    ("system", 10, lambda run, r: run["name"]),
    ("rcv", 4, lambda run, r: str(r["receiver"])),
    ("network", 16, lambda run, r: r["profile"][:16]),
    ("netloss%", 9, lambda run, r: f(r["wire"]["net_loss_pct"])),
    ("rtplost", 8, lambda run, r: f((r["rtp"] or {}).get("lost_before_repair"))),
    ("intact", 7, lambda run, r: f(r["frames_intact"])),
    ("dmg", 5, lambda run, r: f(r["frames_damaged"])),
    ("never", 6, lambda run, r: f(r["frames_never_shown"])),
    ("lostfr", 7, lambda run, r: f(r["frames_lost_after_repair"])),
    ("frz ms", 7, lambda run, r: f(r["frozen_ms"], "{:.0f}")),
    ("PSNR", 6, lambda run, r: f(q(r, "psnr_db", "mean"))),
    ("SSIM", 7, lambda run, r: f(q(r, "ssim", "mean"), "{:.4f}")),
    ("p50", 7, lambda run, r: f(r["latency_ms"]["p50"])),
    ("p95", 7, lambda run, r: f(r["latency_ms"]["p95"])),
    ("p99", 7, lambda run, r: f(r["latency_ms"]["p99"])),
    ("max", 8, lambda run, r: f(r["latency_ms"]["max"])),
    ("abs p50", 8, lambda run, r: f((r["abs_capture_latency_ms"] or {}).get("p50"))
     + ("!" if r.get("latency_agree") is False else "")),
    ("rtt", 6, lambda run, r: f(r.get("rtt_ms"), "{:.2f}")),
    ("jit", 6, lambda run, r: f(r["jitter_ms"])),
    ("ttff", 6, lambda run, r: f(r["ttff_ms"], "{:.0f}")),
    ("cpu%", 6, lambda run, r: f(r["process"]["cpu_pct"])),
    ("MB", 5, lambda run, r: f(r["process"]["peak_rss_mb"], "{:.0f}")),
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
        if run.get("settings"):
            lines.append(run["settings"])
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
            sm = sysrun["summary"]
            proc = snd["process"]
            lines.append(f"{sysrun['name']:<10}sender: cpu {f(proc['cpu_pct'])}% (user "
                         f"{f(proc.get('cpu_user_pct'))}, kernel {f(proc.get('cpu_sys_pct'))}), "
                         f"peak {f(proc['peak_rss_mb'], '{:.0f}')} MB, "
                         f"{f(snd.get('media_kbps'), '{:.0f}')} kbit/s to the group "
                         f"({f(snd['kbps'], '{:.0f}')} on its port)"
                         + _repair_text(snd.get("repair")))
            lines.append(f"{sysrun['name']:<10}pooled: {sm['frames_intact']}/{sm['frames_expected']} "
                         f"intact ({sm['intact_pct']:.1f}%), {sm['frames_damaged']} damaged, "
                         f"{sm['frames_never_shown']} never shown, frozen "
                         f"{f(sm['frozen_ms_per_receiver'], '{:.0f}')} ms per receiver, luma PSNR "
                         f"{f(q(sm, 'psnr_db', 'mean'), '{:.2f}')} dB, SSIM "
                         f"{f(q(sm, 'ssim', 'mean'), '{:.4f}')}")
            if sm.get("latency_stages_p50_ms"):
                st, fr = sm["latency_stages_p50_ms"], snd.get("frames") or {}
                lines.append(f"{sysrun['name']:<10}latency by stage, p50 ms: "
                             + ", ".join(f"{k} {f(v, '{:.2f}')}" for k, v in st.items())
                             + f"; in the sender (means): encode {f(fr.get('encode_ms_mean'), '{:.2f}')}"
                             f", out {f(fr.get('send_out_ms_mean'), '{:.2f}')}")
            if sm.get("feedback_per_lost_packet") is not None:
                lines.append(f"{sysrun['name']:<10}feedback: {sm['feedback_packets']} packets from "
                             f"{sm['receivers']} receiver(s), {sm['feedback_per_lost_packet']:.3f} "
                             "per lost packet")
            sdp = snd.get("sdp")
            if sdp and not sdp.get("matches_sender"):
                lines.append(f"{sysrun['name']:<10}WARNING: the SDP the receivers opened does not "
                             "carry the sender's sprop-parameter-sets")
    lines.append(LEGEND)
    return "\n".join(lines)


LEGEND = """
netloss% = the sender's packets the bridge did not deliver to the receiver (all systems);
rtplost = RTP packets lost before repair (confcast --stats-json). Per frame the source sent, one
outcome from the receiver's output (confcast-stamp): intact, dmg (shown damaged: unreadable
stamp, or luma PSNR more than 1 dB below the best any receiver of that system got for the same
frame), never (never shown); lostfr = frames not shown intact (dmg + never), loss after repair as
the user sees it; frz ms = time the screen held an old picture (gaps over 2 frame intervals);
PSNR dB / SSIM = luma against the source frame, mean over the frames shown, stamp left out;
p50..max = capture to decoded frame, ms; abs p50 = confcast's abs-capture-time median ('!' =
differs from the stamp by more than the tolerance); rtt = the receiver's RTT to the sender, ms
(confcast: NACK to retransmission as its NACK tracker measured it, mean over the receivers that
measured one; - when none NACKed); jit = mean change of latency between frames, ms; ttff = first frame, ms after the
source started; cpu%/MB = the receiving process; kbit/s = reaching the receiver's port.
latency by stage (confcast-recv's own split of capture to render, medians): send = capture to
the frame's first packet arriving (encode, packetize, network), spread = first to last packet,
buffer = last packet to the jitter buffer's release, queue = release to decoding, decode,
render = the sink's write; in the sender (confcast-send's means): encode = capture to the
encoder's output, out = packetizing, FEC and the send call."""


def _repair_text(rep):
    if not rep:
        return ""
    return (f"; repair: {f(rep.get('retransmissions_sent'))} retransmissions, "
            f"{f(rep.get('fec_packets_sent'))} FEC packets, "
            f"{f(rep.get('keyframe_requests'))} keyframe requests")


def markdown(doc: dict) -> str:
    head = ("| scenario | system | frames intact | damaged | never shown | lost after repair "
            "| frozen ms | PSNR dB | SSIM | wire kbit/s | p50 ms | p95 ms | p99 ms | max ms "
            "| abs-capture p50 | RTT ms | sender CPU % | receiver CPU % | source fps |")
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for run in doc["runs"]:
        for sysrun in run["systems"]:
            s = sysrun["summary"]
            lat = s["latency_ms"]
            out.append(f"| {run['scenario']} | {sysrun['name']} | {s['frames_intact']}/"
                       f"{s['frames_expected']} ({s['intact_pct']:.1f}%) | {s['frames_damaged']} | "
                       f"{s['frames_never_shown']} | {s['frames_lost_after_repair']} | "
                       f"{f(s['frozen_ms_per_receiver'], '{:.0f}')} | "
                       f"{f(q(s, 'psnr_db', 'mean'), '{:.2f}')} | {f(q(s, 'ssim', 'mean'), '{:.4f}')} | "
                       f"{f(s.get('wire_kbps'), '{:.0f}')} | {f(lat['p50'])} | "
                       f"{f(lat['p95'])} | {f(lat['p99'])} | {f(lat['max'])} | "
                       f"{f(s['abs_p50_ms'])} | {f(s.get('rtt_ms'), '{:.2f}')} | "
                       f"{f(s['sender_cpu_pct'])} | {f(s['receiver_cpu_pct'])} | "
                       f"{f(sysrun.get('source', {}).get('fps_achieved'))} |")
    fb = [(run, sysrun["summary"]) for run in doc["runs"] for sysrun in run["systems"]
          if run["params"].get("sender_loss_pct") and
          sysrun["summary"].get("feedback_per_lost_packet") is not None]
    if fb:
        out += ["", "| scenario | receivers | feedback packets | lost packets | feedback / lost packet "
                "| frames intact | sender FEC packets | sender CPU % (user + kernel) |",
                "|---|---|---|---|---|---|---|---|"]
        out += [f"| {run['scenario']} | {s['receivers']} | {s['feedback_packets']} | "
                f"{s['lost_packets']} | "
                f"{s['feedback_per_lost_packet']:.3f} | {s['intact_pct']:.1f}% | "
                f"{f(s.get('sender_fec_packets'), '{:.0f}')} | {f(s['sender_cpu_pct'])} "
                f"({f(s.get('sender_cpu_user_pct'))} + {f(s.get('sender_cpu_sys_pct'))}) |"
                for run, s in fb]
    staged = [(run, sysrun) for run in doc["runs"] for sysrun in run["systems"]
              if sysrun["summary"].get("latency_stages_p50_ms")]
    if staged:
        names = list(staged[0][1]["summary"]["latency_stages_p50_ms"])
        out += ["", "| scenario | system | " + " | ".join(f"{k} ms" for k in names) +
                " | p50 ms (stamp) | sender: encode ms (mean) | sender: out ms (mean) |",
                "|" + "---|" * (len(names) + 5)]
        for run, sysrun in staged:
            s, fr = sysrun["summary"], sysrun.get("sender", {}).get("frames") or {}
            out.append(f"| {run['scenario']} | {sysrun['name']} | " +
                       " | ".join(f(s["latency_stages_p50_ms"].get(k), "{:.2f}") for k in names) +
                       f" | {f(s['latency_ms']['p50'])} | {f(fr.get('encode_ms_mean'), '{:.2f}')} | "
                       f"{f(fr.get('send_out_ms_mean'), '{:.2f}')} |")
    out += rate_control_markdown(doc)
    settings = sorted({run.get("settings") for run in doc["runs"] if run.get("settings")})
    out += [""] + [f"Encoder settings ({run_names(doc, t)}): {t}" for t in settings] if settings else []
    return "\n".join(out)


def rate_control_markdown(doc: dict) -> list[str]:
    """Runs that differ in the encoder settings (a --sweep over bitrate, vbv_ms or
    intra_refresh): what each setting costs in picture, frame-size peaks and latency."""
    keys = ("bitrate_kbps", "vbv_ms", "intra_refresh")
    runs = [run for run in doc["runs"] if run.get("encoder")]
    if len({tuple(run["encoder"].get(k) for k in keys) for run in runs}) < 2:
        return []
    out = ["", "| scenario | system | kbit/s asked | VBV ms | intra refresh | wire kbit/s | PSNR dB "
           "| SSIM | largest IDR kB | mean IDR kB | largest other frame kB | largest frame at the "
           "bitrate, ms | p50 ms | p95 ms | p99 ms | frames intact |", "|" + "---|" * 16]
    for run in runs:
        e = run["encoder"]
        for sysrun in run["systems"]:
            s, fr = sysrun["summary"], sysrun["sender"].get("frames") or {}
            lat = s["latency_ms"]
            kb = lambda key: f(fr[key] / 1000, "{:.1f}") if fr.get(key) is not None else "-"
            peak = max(fr.get("keyframe_bytes_max") or 0, fr.get("delta_frame_bytes_max") or 0)
            out.append(f"| {run['scenario']} | {sysrun['name']} | {e['bitrate_kbps']} | {e['vbv_ms']} | "
                       f"{'on' if e['intra_refresh'] else 'off'} | {f(s.get('wire_kbps'), '{:.0f}')} | "
                       f"{f(q(s, 'psnr_db', 'mean'), '{:.2f}')} | {f(q(s, 'ssim', 'mean'), '{:.4f}')} | "
                       f"{kb('keyframe_bytes_max')} | {kb('keyframe_bytes_mean')} | "
                       f"{kb('delta_frame_bytes_max')} | "
                       f"{f(peak * 8 / e['bitrate_kbps'], '{:.0f}') if peak else '-'} | "
                       f"{f(lat['p50'])} | {f(lat['p95'])} | {f(lat['p99'])} | "
                       f"{s['intact_pct']:.1f}% |")
    return out


def run_names(doc: dict, settings: str) -> str:
    return ", ".join(r["scenario"] for r in doc["runs"] if r.get("settings") == settings)


def write_json(doc: dict, path: str) -> None:
    text = json.dumps(doc, indent=1)
    # Lists of numbers (CDF points, per-second series) on one line each: readable, and a
    # fraction of the size.
    text = re.sub(r"\[[-\d.,\s\[\]enull]*\]",
                  lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    with open(path, "w") as fh:
        fh.write(text + "\n")

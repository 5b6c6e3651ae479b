"""A self-contained HTML report: inline SVG plots drawn here, no scripts from anywhere else.

A small inline script checks, once the page is laid out, that every plot's lines have a real
length on screen and writes what it found into <pre id="plot-check"> and data-plots-ok on
<body>; the test reads that back from headless Chromium's --dump-dom.
"""
from __future__ import annotations

import html
import json
import math

from . import scenario as scen

COLORS = {"confcast": "#1f77b4", "gst": "#d62728", "ffmpeg": "#2ca02c", "gst-rtx": "#ff7f0e"}
DASHES = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4"]
W, H = 640, 340
ML, MR, MT, MB = 62, 170, 34, 46  # margins: the legend goes on the right


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    out, t = [], start
    while not out or out[-1] < hi - step * 1e-6:  # the last tick covers the largest value
        out.append(round(t, 10))
        t += step
    return out


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.2g}"


def plot(pid: str, title: str, xlabel: str, ylabel: str, series: list[dict],
         y0: bool = True, ymax: float | None = None, markers: bool = False) -> str:
    pts = [p for s in series for p in s["points"] if p[1] is not None]
    if not pts:
        return (f'<figure><figcaption>{html.escape(title)}</figcaption>'
                f'<p class="empty">no data for this plot</p></figure>')
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x_min, x_max = min(xs), max(xs)
    if x_max == x_min:  # one point: give it room
        x_min, x_max = max(0.0, x_min - 1) if x_min >= 0 else x_min - 1, x_max + 1
    xt = _ticks(x_min, x_max)
    yt = _ticks(0 if y0 else min(ys), ymax if ymax is not None else max(ys) * 1.05 or 1)
    x_lo, x_hi, y_lo, y_hi = xt[0], xt[-1], yt[0], yt[-1]
    pw, ph = W - ML - MR, H - MT - MB

    def sx(x):
        return ML + (x - x_lo) / ((x_hi - x_lo) or 1) * pw

    def sy(y):
        return MT + ph - (y - y_lo) / ((y_hi - y_lo) or 1) * ph

    o = [f'<figure><svg class="plot" id="{pid}" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
         f'xmlns="http://www.w3.org/2000/svg" data-series="{len(series)}">',
         f'<text x="{ML + (W - ML - MR) / 2}" y="20" class="title" text-anchor="middle">'
         f'{html.escape(title)}</text>',
         f'<rect x="{ML}" y="{MT}" width="{pw}" height="{ph}" class="frame"/>']
    for t in xt:
        o.append(f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{MT}" y2="{MT + ph}" class="grid"/>'
                 f'<text x="{sx(t):.1f}" y="{MT + ph + 16}" class="tick" text-anchor="middle">{_fmt(t)}</text>')
    for t in yt:
        o.append(f'<line x1="{ML}" x2="{ML + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" class="grid"/>'
                 f'<text x="{ML - 6}" y="{sy(t) + 4:.1f}" class="tick" text-anchor="end">{_fmt(t)}</text>')
    o.append(f'<text x="{ML + pw / 2}" y="{H - 8}" class="label" text-anchor="middle">{html.escape(xlabel)}</text>')
    o.append(f'<text x="14" y="{MT + ph / 2}" class="label" text-anchor="middle" '
             f'transform="rotate(-90 14 {MT + ph / 2})">{html.escape(ylabel)}</text>')
    for i, s in enumerate(series):
        p = [(sx(x), sy(min(y, y_hi))) for x, y in s["points"] if y is not None]
        if not p:
            continue
        if len(p) == 1:  # a lone point still gets a visible segment
            p = [(p[0][0] - 3, p[0][1]), (p[0][0] + 3, p[0][1])]
        d = "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in p)
        dash = f' stroke-dasharray="{s["dash"]}"' if s.get("dash") else ""
        o.append(f'<path class="series" data-points="{len(s["points"])}" d="{d}" fill="none" '
                 f'stroke="{s["color"]}" stroke-width="1.8"{dash}><title>{html.escape(s["name"])}</title></path>')
        if markers:
            o += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s["color"]}"/>' for x, y in p]
        ly = MT + 10 + i * 16
        if ly < H - 10:
            o.append(f'<line x1="{W - MR + 12}" x2="{W - MR + 36}" y1="{ly}" y2="{ly}" '
                     f'stroke="{s["color"]}" stroke-width="2"{dash}/>'
                     f'<text x="{W - MR + 40}" y="{ly + 4}" class="legend">{html.escape(s["name"][:22])}</text>')
    o.append("</svg></figure>")
    return "\n".join(o)


def run_plots(run: dict, idx: int) -> list[str]:
    out = []
    cdf, loss, rate = [], [], []
    for sr in run["systems"]:
        color = COLORS.get(sr["system"], "#555")
        for j, r in enumerate(sr["receivers"]):
            if r["cdf"]:  # of frames sent: a curve tops out at the share of frames shown
                share = r["frames_rendered"] / max(1, r["frames_expected"])
                cdf.append({"name": f"{sr['name']} r{r['receiver']}", "color": color,
                            "dash": DASHES[j % len(DASHES)],
                            "points": [[x, 100 * y * share] for x, y in r["cdf"]]})
        n = len(sr["receivers"]) or 1
        fps = run["params"]["fps"]
        key = "frames_not_intact"
        k = max((len(r["series"].get(key, [])) for r in sr["receivers"]), default=0)
        miss = [[t + 0.5, 100 * sum(r["series"][key][t] for r in sr["receivers"]
                                    if t < len(r["series"].get(key, []))) / (fps * n)]
                for t in range(k)]
        loss.append({"name": f"{sr['name']} frames lost", "color": color, "points": miss})
        ts = sr["series_t"]
        nl = [[t, _mean([r["series"]["net_loss_pct"][i] for r in sr["receivers"]
                         if i < len(r["series"]["net_loss_pct"])])] for i, t in enumerate(ts)]
        loss.append({"name": f"{sr['name']} packets lost", "color": color, "dash": "4 3", "points": nl})
        rate.append({"name": f"{sr['name']} sender", "color": color,
                     "points": [[t, v] for t, v in zip(ts, sr["sender"].get("media_kbps_series")
                                                      or sr["sender"]["kbps_series"])]})
    # Clip the CDF's x axis a little past the worst p95 so one stall does not squash the
    # curves; a curve that stops below 100% has its tail further right.
    p95 = max((r["latency_ms"]["p95"] or 0 for sr in run["systems"] for r in sr["receivers"]),
              default=0)
    for s in cdf:
        s["points"] = [p for p in s["points"] if p[0] <= p95 * 1.5 + 5]
    out.append(plot(f"cdf-{idx}", "Latency CDF per receiver and system", "capture to decoded frame, ms",
                    "% of frames sent", cdf, y0=True, ymax=100))
    out.append(plot(f"loss-{idx}", "Loss over time (receivers pooled)", "seconds since the source started",
                    "% lost", loss))
    out.append(plot(f"rate-{idx}", "Sender bitrate over time", "seconds", "kbit/s on the wire", rate))
    return out


def standalone_svg(run: dict) -> str:
    """The run's latency CDF as an SVG file of its own (styles inside, for a README)."""
    return _standalone(run_plots(run, 0)[0], f"{run['scenario']}: ")


def quality_plot(doc: dict) -> str | None:
    """Luma PSNR against the bitrate each system spent on the wire, a curve per system and
    setting; None unless the runs were made at two or more --bitrate values."""
    if len({run["params"]["bitrate_kbps"] for run in doc["runs"]}) < 2:
        return None
    curves: dict[tuple, dict] = {}
    for run in doc["runs"]:
        other = {k: v for k, v in (run.get("sweep") or {}).items() if k != "bitrate"}
        label = " ".join(scen.setting_label(k, v) for k, v in sorted(other.items()))
        for sr in run["systems"]:
            s = sr["summary"]
            psnr = ((s.get("quality") or {}).get("psnr_db") or {}).get("mean")
            if psnr is None or s.get("wire_kbps") is None:
                continue
            c = curves.setdefault((sr["system"], label), {
                "name": sr["name"] + (f" {label}" if label else ""),
                "color": COLORS.get(sr["system"], "#555"), "points": []})
            c["points"].append([s["wire_kbps"], psnr])
    for i, c in enumerate(curves.values()):
        c["points"].sort()
        c["dash"] = DASHES[i % len(DASHES)] if len({k[1] for k in curves}) > 1 else ""
    return plot("quality", "Picture quality against bitrate (same source, same encoder settings)",
                "video kbit/s on the wire", "luma PSNR, dB", list(curves.values()), y0=False,
                markers=True)


def quality_svg(doc: dict) -> str | None:
    """quality_plot as an SVG file of its own."""
    svg = quality_plot(doc)
    return _standalone(svg, "") if svg else None


def _standalone(svg: str, title: str) -> str:
    svg = svg[svg.index("<svg"):svg.rindex("</svg>") + 6]
    style = "<style>text{font-family:sans-serif}" + CSS.split("figure{")[1].split("}", 1)[1] + "</style>"
    svg = svg.replace("<svg ", "<svg ", 1)
    head_end = svg.index(">") + 1
    svg = svg[:head_end] + style + '<rect width="100%" height="100%" fill="white"/>' + svg[head_end:]
    return svg.replace('class="title" text-anchor="middle">', 'class="title" text-anchor="middle">'
                       + html.escape(title), 1)


def sweep_plots(doc: dict) -> list[str]:
    by_sys: dict[str, list] = {}
    for run in doc["runs"]:
        for sr in run["systems"]:
            by_sys.setdefault(sr["system"], []).append((run, sr))
    cpu, bw, shown = [], [], []
    for system, items in by_sys.items():
        color = COLORS.get(system, "#555")
        name = items[0][1]["name"]
        pts = sorted((run["params"]["receivers"], sr["summary"]["sender_cpu_pct"],
                      sr["summary"]["sender_kbps"]) for run, sr in items)
        cpu.append({"name": name, "color": color, "points": [[a, b] for a, b, _ in pts]})
        bw.append({"name": name, "color": color, "points": [[a, c] for a, _, c in pts]})
        lp = sorted((sr["summary"]["net_loss_pct"] or 0, sr["summary"]["intact_pct"]) for _, sr in items)
        shown.append({"name": name, "color": color, "points": [list(p) for p in lp]})
    quality = quality_plot(doc)
    return [plot("sender-cpu", "Sender CPU against number of receivers (multicast: flat)",
                 "receivers", "sender CPU %", cpu, markers=True),
            plot("sender-bw", "Sender bandwidth against number of receivers (multicast: flat)",
                 "receivers", "kbit/s on the wire", bw, markers=True),
            plot("shown-loss", "Frames shown intact against packet loss", "packet loss on the link, %",
                 "% of frames shown intact", shown, markers=True, ymax=100)] + ([quality] if quality else [])


def _mean(v):
    v = [x for x in v if x is not None]
    return sum(v) / len(v) if v else None


CSS = """body{font:14px sans-serif;margin:24px;color:#222;max-width:1400px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f0f0f0}td:nth-child(-n+2){text-align:left}figure{display:inline-block;margin:6px}
.frame{fill:none;stroke:#888}.grid{stroke:#eee}.tick{font-size:11px;fill:#444}.label{font-size:12px}
.title{font-size:13px;font-weight:bold}.legend{font-size:11px}.bad{color:#b00;font-weight:bold}"""

CHECK_JS = """window.addEventListener('load',function(){var ok=0,all=0,lines=[];
document.querySelectorAll('svg.plot').forEach(function(svg){all++;var paths=svg.querySelectorAll('path.series'),
good=0,points=0;paths.forEach(function(p){var n=+p.getAttribute('data-points');var b=p.getBBox();
if(p.getTotalLength()>0&&(b.width>0||b.height>0)&&n>0){good++;points+=n;}});
if(good>0&&good==paths.length)ok++;lines.push(svg.id+' paths='+paths.length+' drawn='+good+' points='+points);});
document.body.setAttribute('data-plots',all);document.body.setAttribute('data-plots-ok',ok);
document.getElementById('plot-check').textContent=lines.join('\\n');});"""


def report(doc: dict) -> str:
    from . import report as rep
    o = ["<!doctype html><html><head><meta charset='utf-8'><title>confcast-bench report</title>",
         f"<style>{CSS}</style></head><body>", "<h1>confcast-bench</h1>",
         f"<p>{html.escape(doc.get('started', ''))} &middot; {html.escape(doc.get('machine', ''))}"
         f" &middot; command: <code>{html.escape(doc.get('command', ''))}</code></p>"]
    o.append("<h2>Summary (receivers pooled)</h2>" + _markdown_table(rep.markdown(doc)))
    if len(doc["runs"]) > 1:
        o.append("<h2>Across runs</h2>")
        o += sweep_plots(doc)
    for i, run in enumerate(doc["runs"]):
        p = run["params"]
        o.append(f"<h2>{html.escape(run['scenario'])}</h2><p>{p['receivers']} receiver(s), "
                 f"{p['size']} at {p['fps']} fps, {p['bitrate_kbps']} kbit/s, GOP {p['gop']}, "
                 f"{p['seconds']:g} s; network: {html.escape(p['network'])}</p>")
        if run.get("settings"):
            o.append(f"<p>{html.escape(run['settings'])}</p>")
        o.append(_run_table(run))
        o += run_plots(run, i)
        if len(doc["runs"]) == 1:
            o += sweep_plots(doc)
    from .report import LEGEND
    o.append(f"<h2>Columns</h2><pre>{html.escape(LEGEND.strip())}</pre>")
    o.append("<h2>Plot check</h2><pre id='plot-check'>(script did not run)</pre>")
    o.append(f"<script>{CHECK_JS}</script>")
    o.append("<script type='application/json' id='data'>" +
             html.escape(json.dumps({"runs": len(doc["runs"])})) + "</script></body></html>")
    return "\n".join(o)


def _markdown_table(md: str) -> str:
    rows = [line.strip("|").split("|") for line in md.splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    out = ["<table>"]
    for i, cells in enumerate(rows):
        tag = "th" if i == 0 else "td"
        out.append("<tr>" + "".join(f"<{tag}>{html.escape(c.strip())}</{tag}>" for c in cells) + "</tr>")
    return "\n".join(out) + "</table>"


def _run_table(run: dict) -> str:
    from .report import COLUMNS
    rows = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h, _, _ in COLUMNS) + "</tr>"]
    for sr in run["systems"]:
        for r in sr["receivers"]:
            cells = []
            for h, _, get in COLUMNS:
                v = get(sr, r)
                cls = " class='bad'" if v.endswith("!") else ""
                cells.append(f"<td{cls}>{html.escape(v)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(rows) + "</table>"

"""confcast-bench command line: scenarios and sweeps in, table/JSON/HTML/Markdown out."""
from __future__ import annotations

import argparse
import datetime
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import time

from . import html as html_report
from . import lan as lanmod
from . import report, run as runmod, scenario as scen, systems

USAGE_EPILOG = """examples:
  confcast-bench lan-2pct                          3 receivers, 2% loss, confcast only
  confcast-bench lan-clean lan-2pct lan-5pct --compare gst,ffmpeg --html report.html
  confcast-bench lan-clean --sweep loss_pct=0:10:2  loss 0..10% in one command
  confcast-bench many-16 --sweep receivers=1,2,4,8,16
  confcast-bench --receivers 2 --seconds 4 --loss 2 --json out.json
  confcast-bench --from-json out.json --markdown    re-print a saved run (README table)
scenarios: """


def find_bins(bin_dir: str | None) -> systems.Bins:
    """Binaries next to the invoked confcast-bench in a build dir, or in --bin-dir."""
    here = os.path.dirname(os.path.abspath(sys.argv[0]))
    roots = [bin_dir] if bin_dir else [os.path.dirname(here)]
    src_root = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    if not bin_dir:
        roots += [os.path.join(os.path.dirname(src_root), "build", d) for d in ("rel", "release", "asan")]

    def first(rel: str):
        for r in roots:
            p = os.path.join(r, rel)
            if os.access(p, os.X_OK):
                return p
        return None

    send, recv = first("sender/confcast-send"), first("receiver/confcast-recv")
    stamp, impair = first("bench/e2e/confcast-stamp"), first("net/confcast-impair")
    missing = [n for n, p in (("confcast-send", send), ("confcast-recv", recv),
                              ("confcast-stamp", stamp)) if not p]
    if missing:
        sys.exit(f"confcast-bench: cannot find {', '.join(missing)} under {', '.join(roots)}; "
                 "build them (cmake --build build/rel) or pass --bin-dir BUILD_DIR")
    return systems.Bins(send, recv, stamp, impair)


class Progress:
    def __init__(self, total_units: int, quiet: bool):
        self.total, self.done, self.quiet = total_units, 0, quiet
        self.tty = sys.stderr.isatty()
        self.last_line = 0.0
        self.started = time.monotonic()

    def update(self, label: str, t: float, seconds: float) -> None:
        if self.quiet:
            return
        frac = (self.done + (t / seconds if seconds else 1)) / max(1, self.total)
        now = time.monotonic()
        if not self.tty and now - self.last_line < 5:
            return
        self.last_line = now
        eta = (now - self.started) / frac * (1 - frac) if frac > 0.02 else None
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        text = (f"[{bar}] {100 * frac:3.0f}%  {label}  {t:4.1f}/{seconds:g} s"
                + (f"  ETA {int(eta) // 60}m{int(eta) % 60:02d}s" if eta is not None else ""))
        sys.stderr.write(("\r" + text + "   ") if self.tty else text + "\n")
        sys.stderr.flush()

    def note(self, text: str) -> None:
        if not self.quiet:
            sys.stderr.write(("\r" + " " * 100 + "\r" if self.tty else "") + text + "\n")

    def finish_unit(self) -> None:
        self.done += 1


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="confcast-bench", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Loss and latency of confcast on a virtual LAN of network namespaces, "
                    "measured the same way as GStreamer and ffmpeg pipelines (needs root).",
        epilog=USAGE_EPILOG + ", ".join(scen.available()))
    p.add_argument("scenarios", nargs="*", help="scenario names (bench/scenarios) or .toml paths")
    g = p.add_argument_group("overrides (apply to every scenario)")
    g.add_argument("--receivers", type=int)
    g.add_argument("--seconds", type=float)
    g.add_argument("--size")
    g.add_argument("--fps", type=int)
    g.add_argument("--bitrate", type=int, help="kbit/s")
    g.add_argument("--gop", type=int)
    g.add_argument("--vbv-ms", type=float, help="every encoder's VBV, ms of the bitrate "
                   "(default: one frame, confcast's own default)")
    g.add_argument("--intra-refresh", action="store_true", default=None,
                   help="periodic intra refresh instead of IDRs, every system")
    g.add_argument("--latency", type=int, help="every receiver's jitter buffer, ms (confcast "
                   "--latency, rtpjitterbuffer latency, ffmpeg -max_delay; default 40)")
    g.add_argument("--loss", type=float, help="random loss %% towards every receiver")
    g.add_argument("--burst", help="Gilbert burst loss PCT:MEAN_BURST_PACKETS")
    g.add_argument("--ge", help="Gilbert-Elliott P:R[:BAD_LOSS[:GOOD_LOSS]], percent")
    g.add_argument("--delay", help="MS[:JITTER_MS]")
    g.add_argument("--reorder", type=float, help="percent")
    g.add_argument("--rate", type=float, help="kbit/s token bucket towards every receiver")
    g.add_argument("--seed", type=int, help="seed confcast-impair's burst loss and delay draws, "
                   "so every system and every run meets the same drops (default: random; "
                   "--loss's nftables drop is never seeded)")
    p.add_argument("--compare", default="", help="also run these systems: gst,gst-rtx,ffmpeg")
    p.add_argument("--sweep", action="append", default=[],
                   help="KEY=VALUES: receivers=1,2,4,8,16, loss_pct=0:10:2 (any network key), "
                        "bitrate=1000,2500,5000, vbv_ms=33,100,200, intra_refresh=0,1 or "
                        "latency=20,40; two --sweep run every combination")
    p.add_argument("--json", help="write every figure as JSON here")
    p.add_argument("--html", help="write the HTML report here")
    p.add_argument("--markdown", action="store_true", help="print the summary as a Markdown table")
    p.add_argument("--plot-svg", help="write one run's latency CDF as a standalone SVG file (README)")
    p.add_argument("--plot-scenario", help="the run --plot-svg draws (default: the first)")
    p.add_argument("--quality-svg", help="write luma PSNR against the bitrate each system spent as a "
                   "standalone SVG file (README); needs runs at two or more --bitrate values, "
                   "e.g. --sweep bitrate=1000,2500,5000")
    p.add_argument("--out", help="work directory for logs and raw results "
                                 "(default: a new directory under /tmp)")
    p.add_argument("--bin-dir", help="build directory holding sender/, receiver/, bench/e2e/, net/")
    p.add_argument("--nice", type=int, default=0,
                   help="run every measured process at this nice value (e.g. -5 on a busy machine)")
    p.add_argument("--agree-ms", type=float, default=5.0,
                   help="flag abs-capture-time vs stamp medians further apart than this")
    p.add_argument("--from-json", help="report a saved --json result instead of running")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no table")
    return p.parse_args(argv)


def apply_overrides(s: scen.Scenario, a) -> None:
    if a.receivers is not None:
        s.receivers = a.receivers
        s.overrides = {i: o for i, o in s.overrides.items() if i <= s.receivers}
    if a.seconds is not None:
        s.seconds = a.seconds
    if a.size:
        s.width, s.height = scen.parse_size(a.size)
    for attr, key in (("fps", "fps"), ("bitrate", "bitrate_kbps"), ("gop", "gop"),
                      ("vbv_ms", "vbv_ms"), ("intra_refresh", "intra_refresh"),
                      ("latency", "latency_ms")):
        if getattr(a, attr) is not None:
            setattr(s, key, getattr(a, attr))
    net = {}
    if a.loss is not None:
        net["loss_pct"] = a.loss
    if a.burst:
        rate, _, burst = a.burst.partition(":")
        net["burst_loss_pct"], net["burst_len"] = float(rate), float(burst or 4)
    if a.ge:
        net["ge"] = [float(x) for x in a.ge.split(":")]
    if a.delay:
        d, _, j = a.delay.partition(":")
        net["delay_ms"], net["jitter_ms"] = float(d), float(j or 0)
    if a.reorder is not None:
        net["reorder_pct"] = a.reorder
    if a.rate is not None:
        net["rate_kbit"] = a.rate
    if net:
        s.network = s.network.updated(net)


def expand(a) -> list[tuple[scen.Scenario, dict]]:
    bases = [scen.load(n) for n in a.scenarios] if a.scenarios else [scen.Scenario(name="custom")]
    out = []
    for b in bases:
        apply_overrides(b, a)
        cli_sweeps = {}
        for spec in a.sweep:
            key, _, vals = spec.partition("=")
            if not vals:
                raise ValueError(f"bad --sweep '{spec}': write KEY=VALUES, e.g. receivers=1,2,4")
            cli_sweeps[key] = scen.parse_values(vals)
        sweeps = cli_sweeps or dict(b.sweep)  # the command line replaces the file's
        runs = [({}, b)]
        for key, values in sweeps.items():
            runs = [({**sw, **sw2}, s2) for sw, s in runs for sw2, s2 in scen.swept(s, key, values)]
        for sw, s in runs:
            s.validate()
            out.append((s, sw))
    return out


def main(argv=None) -> int:
    a = parse_args(sys.argv[1:] if argv is None else argv)
    if a.list:
        for n in scen.available():
            s = scen.load(n)
            print(f"{n:<16} {s.receivers:>2} receivers  {s.description}")
        return 0
    if a.from_json:
        import json
        with open(a.from_json) as f:
            doc = json.load(f)
        return emit(doc, a)
    try:
        plan = expand(a)
    except (ValueError, OSError) as e:
        sys.exit(f"confcast-bench: {e}")
    wanted = ["confcast"] + [x.strip() for x in a.compare.split(",") if x.strip()]
    for w in wanted:
        if w not in systems.PORTS:
            sys.exit(f"confcast-bench: unknown system '{w}' in --compare: use gst, gst-rtx, ffmpeg")
        tool = {"gst": "gst-launch-1.0", "ffmpeg": "ffmpeg"}.get(w)
        if w == "gst-rtx" and subprocess.run(
                [systems.SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Gst', '1.0')"],
                capture_output=True).returncode != 0:
            sys.exit(f"confcast-bench: --compare gst-rtx needs python3-gi and gir1.2-gstreamer-1.0 "
                     f"for {systems.SYSTEM_PYTHON} (scripts/install-deps installs them)")
        if tool and not shutil.which(tool):
            sys.exit(f"confcast-bench: --compare {w} needs {tool} (scripts/install-deps installs it)")
    if os.geteuid() != 0:
        sys.exit("confcast-bench: needs root to build the virtual LAN (network namespaces); run with sudo")
    bins = find_bins(a.bin_dir)
    vlan = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))),
                        "scripts", "vlan")
    needs_impair = any(s.profile(i).ge_params() or s.profile(i).delay_ms or s.profile(i).jitter_ms
                       or s.profile(i).reorder_pct or any("ge" in e.values or "burst_loss_pct" in e.values
                                                          or "delay_ms" in e.values for e in s.events)
                       for s, _ in plan for i in range(1, s.receivers + 1))
    if needs_impair and not bins.impair:
        sys.exit("confcast-bench: burst loss, delay and reordering need confcast-impair "
                 "(built with libnetfilter-queue-dev); none found")
    out_dir = a.out or _tmpdir()
    os.makedirs(out_dir, exist_ok=True)

    progress = Progress(len(plan) * len(wanted), a.quiet)
    doc = {"tool": "confcast-bench", "format": 1,
           "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "command": "confcast-bench " + " ".join(shlex.quote(x) for x in sys.argv[1:]),
           "machine": _machine(), "nice": a.nice, "seed": a.seed, "bins": vars(bins), "work_dir": out_dir, "runs": []}
    prefix = f"cb{os.getpid() % 100000}{random.randrange(256):02x}"
    current: dict = {}
    interrupted = failed = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for k, (s, sw) in enumerate(plan):
            lan = lanmod.Lan(vlan, f"{prefix}-{k}", s.receivers + 1, bins.impair, a.seed)
            current["lan"] = lan
            progress.note(f"confcast-bench: {s.name}: building a virtual LAN of {s.receivers + 1} hosts")
            lan.up()
            lan.install_counters("10.77.0.1", systems.GROUP)
            runner = runmod.Runner(lan, bins, progress, a.agree_ms, a.nice)
            current["runner"] = runner
            entry = {"scenario": s.name, "description": s.description, "sweep": sw,
                     "params": s.params(), "encoder": systems.encoder_settings(s),
                     "settings": systems.settings_text(s), "systems": []}
            for system in wanted:
                work = os.path.join(out_dir, f"{k:02d}-{s.name.replace('/', '_')}", system)
                result = runner.run(s, system, work, f"{s.name} {systems.NAMES[system]}")
                entry["systems"].append(result)
                progress.finish_unit()
            doc["runs"].append(entry)
            lan.down()
            current.pop("lan")
    except KeyboardInterrupt:
        interrupted = True
    except lanmod.LanError as e:
        progress.note(f"confcast-bench: {e}")
        failed = True
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if "runner" in current:
            current["runner"].stop_all()
        if "lan" in current:
            current["lan"].down()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if failed:
        return 1
    if interrupted:
        left = lanmod.leftover_namespaces(prefix)
        progress.note(f"confcast-bench: stopped; processes ended and namespaces removed"
                      + (f" (still present: {' '.join(left)})" if left else "")
                      + f"; partial logs in {out_dir}")
        if doc["runs"]:
            doc["interrupted"] = True
            emit(doc, a)
        return 130
    progress.note(f"confcast-bench: logs and raw results in {out_dir}")
    return emit(doc, a)


def emit(doc: dict, a) -> int:
    if a.json:
        report.write_json(doc, a.json)
    if a.html:
        with open(a.html, "w") as f:
            f.write(html_report.report(doc))
    if a.plot_svg and doc["runs"]:
        runs = [r for r in doc["runs"] if r["scenario"] == (a.plot_scenario or r["scenario"])]
        if not runs:
            sys.exit(f"confcast-bench: no run named '{a.plot_scenario}' for --plot-svg")
        with open(a.plot_svg, "w") as f:
            f.write(html_report.standalone_svg(runs[0]) + "\n")
    if a.quality_svg:
        svg = html_report.quality_svg(doc)
        if svg is None:
            sys.exit("confcast-bench: --quality-svg needs runs at two or more bitrates; add "
                     "--sweep bitrate=1000,2500,5000")
        with open(a.quality_svg, "w") as f:
            f.write(svg + "\n")
    try:
        if a.markdown:
            print(report.markdown(doc))
        elif not a.quiet:
            print(report.table(doc))
    except BrokenPipeError:
        sys.stderr.close()
    return 0


def _tmpdir() -> str:
    import tempfile
    return tempfile.mkdtemp(prefix="confcast-bench.")


def _machine() -> str:
    try:
        load = os.getloadavg()
        return f"{os.cpu_count()} CPUs, load average {load[0]:.2f} at start"
    except OSError:
        return f"{os.cpu_count()} CPUs"

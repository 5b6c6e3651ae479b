"""Runs one scenario for one system: receivers first, then the stamped source and the sender.

Every process is started with `ip netns exec` (which execs, so the pid we hold is the program's
own) in a session of its own, so a Ctrl-C on the terminal reaches only confcast-bench, which then
stops its children in order and takes the LAN down. Each child is reaped with wait4(), whose
rusage gives its CPU time and peak resident memory (ru_maxrss) without polling /proc.
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from . import analyze, systems


class Proc:
    def __init__(self, role: str, host: int, argv: list[str], **kw):
        self.role, self.host, self.argv = role, host, argv
        self.started = time.monotonic()
        self.popen = subprocess.Popen(argv, start_new_session=True, **kw)
        self.pid = self.popen.pid
        self.status: int | None = None
        self.cpu_user_s = 0.0
        self.cpu_sys_s = 0.0
        self.peak_rss_kb = 0
        self.wall_s = 0.0

    def reap(self, block: bool = False) -> bool:
        if self.status is not None:
            return True
        try:
            pid, status, ru = os.wait4(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.status = -1
            return True
        if pid == 0:
            return False
        self.status = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.status  # Popen must not wait for it again
        self.cpu_user_s, self.cpu_sys_s = ru.ru_utime, ru.ru_stime
        self.peak_rss_kb = ru.ru_maxrss
        self.wall_s = time.monotonic() - self.started
        return True

    def signal(self, sig: int) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def figures(self) -> dict:
        def pct(seconds: float) -> float | None:
            return round(100 * seconds / self.wall_s, 1) if self.wall_s > 0 else None
        # User and kernel time apart: a sender's kernel time includes what the virtual LAN's
        # bridge does for its packets (flooding a multicast packet to every port runs in the
        # sending syscall), which a switch does on a real LAN.
        cpu_s = self.cpu_user_s + self.cpu_sys_s
        return {"cpu_s": round(cpu_s, 3), "cpu_pct": pct(cpu_s),
                "cpu_user_pct": pct(self.cpu_user_s), "cpu_sys_pct": pct(self.cpu_sys_s),
                "peak_rss_mb": round(self.peak_rss_kb / 1024, 1), "exit": self.status}


class Runner:
    """Holds every process it started, so an interruption can stop them all."""

    def __init__(self, lan, bins: systems.Bins, progress, agree_ms: float = 5.0, nice: int = 0):
        self.lan, self.bins, self.progress, self.agree_ms = lan, bins, progress, agree_ms
        # `nice` execs its command, so the pid stays the program's own.
        self.nice = ["nice", "-n", str(nice)] if nice else []
        self.procs: list[Proc] = []
        self.stop_requested = False

    def stop_all(self) -> None:
        for p in self.procs:
            p.signal(signal.SIGINT)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not all(p.reap() for p in self.procs):
            time.sleep(0.05)
        for p in self.procs:
            if not p.reap():
                p.signal(signal.SIGKILL)
                p.reap(block=True)

    def _start(self, role, host, argv, **kw) -> Proc:
        p = Proc(role, host, self.nice + argv, **kw)
        self.procs.append(p)
        return p

    def run(self, scenario, system: str, work: str, label: str) -> dict:
        os.makedirs(work, exist_ok=True)
        s = scenario
        n = s.receivers
        self.procs = []
        for i in range(1, n + 1):  # every run starts from the scenario's own network
            self.lan.set(i + 1, s.profile(i).vlan_args())
        # Shared loss on the sender's link (host 1), or none: cleared for every run too.
        self.lan.set(1, ["--uplink-loss", f"{s.sender_loss_pct:g}"] if s.sender_loss_pct > 0 else [])
        size = f"{s.width}x{s.height}"
        probe = systems.commands(system, s, self.bins, work, 1)
        if probe.probe:
            self._probe(probe.probe, size, work)
        receivers = []
        for i in range(1, n + 1):
            host = i + 1
            cmd = systems.commands(system, s, self.bins, work, host)
            log = open(os.path.join(work, f"recv-h{host}.log"), "w")
            net = self._start("receiver", host, self.lan.exec_prefix(host) + cmd.receiver,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
            reader = self._start(
                "reader", host,
                [self.bins.stamp, "read", "--size", size, *(["--raw"] if cmd.receiver_raw else []),
                 "--label", f"{system} h{host}", "--json", os.path.join(work, f"stamp-h{host}.json"),
                 "--frames", os.path.join(work, f"frames-h{host}.txt")],
                stdin=net.popen.stdout, stdout=subprocess.DEVNULL, stderr=log)
            net.popen.stdout.close()
            log.close()
            receivers.append((i, host, net, reader, cmd))
        self._sleep(1.5 if system != "ffmpeg" else 2.0)

        cmd = systems.commands(system, s, self.bins, work, 1)
        # The sender starts first and gets a warm-up, as the receivers do: a live source (a
        # camera) delivers frames once the pipeline that takes them is up. Frames piped in while
        # a sender still loads its libraries and GStreamer's registry queue in the pipe and count
        # as latency of its first frames (confcast-send took ~250 ms to read its first frame,
        # so frames 0-3 showed 135, 91, 63 and 43 ms against 10 ms after). Every system gets the
        # same second; frames still wait for whatever a sender does on its first frame
        # (encoder set-up), which is theirs to pay.
        source_out, sender_in = os.pipe()
        slog = open(os.path.join(work, "sender.log"), "w")
        try:
            sender = self._start("sender", 1, self.lan.exec_prefix(1) + cmd.sender,
                                 stdin=source_out, stdout=subprocess.DEVNULL, stderr=slog)
        finally:
            os.close(source_out)
            slog.close()
        self._sleep(1.0)
        before = self.lan.counters()
        t0 = time.monotonic()
        try:
            gen = self._start("source", 1,
                              [self.bins.stamp, "gen", "--size", size, "--fps", str(s.fps),
                               "--seconds", f"{s.seconds:g}",
                               *(["--raw"] if cmd.sender_raw else [])],
                              stdin=subprocess.DEVNULL, stdout=sender_in,
                              stderr=subprocess.DEVNULL)
        finally:
            os.close(sender_in)

        series = {"t": [], "ports": []}
        events = sorted(s.events, key=lambda e: e.at)
        appliers: list[threading.Thread] = []
        event_errors: list[str] = []
        last = before
        next_sample = t0 + 1
        limit = t0 + s.seconds + 30
        while not (gen.reap() and sender.reap()):
            now = time.monotonic()
            if now > limit:
                break
            while events and now - t0 >= events[0].at:
                # Applied on a thread of its own: restarting confcast-impair takes a while
                # and the per-second samples must go on meanwhile.
                e = events.pop(0)
                targets = range(1, n + 1) if e.receiver == 0 else [e.receiver]
                changes = [(i + 1, s.profile(i).updated(e.values).vlan_args()) for i in targets]
                if appliers:
                    appliers[-1].join()  # events apply in order
                appliers.append(threading.Thread(target=self._apply, args=(changes, event_errors),
                                                 daemon=True))
                appliers[-1].start()
            if now >= next_sample:
                cur = self.lan.counters()
                series["t"].append(round(now - t0, 2))
                series["ports"].append(_delta(last, cur))
                last = cur
                next_sample += 1
            for (_, _, net, _, _) in receivers:
                net.reap()
            self.progress.update(label, min(now - t0, s.seconds), s.seconds)
            time.sleep(0.1)
        sent_at = time.monotonic()
        for th in appliers:
            th.join()
        for err in event_errors:
            self.progress.note(f"confcast-bench: a network change failed: {err}")
        self._sleep(1.5)  # let the last frames through the jitter buffers
        after = self.lan.counters()
        if after:
            series["t"].append(round(time.monotonic() - t0, 2))
            series["ports"].append(_delta(last, after))
        # Frames that come out only once the receiver is told to stop were held back (ffmpeg's
        # parser keeps the last frame until it sees the next one): they were never shown in
        # time, so the analysis leaves them out.
        stop_us = int(time.time() * 1e6)
        for (_, _, net, _, _) in receivers:
            net.signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        again = time.monotonic() + 2  # ffmpeg blocked in a read needs a second signal
        while time.monotonic() < deadline and not all(
                p.reap() for (_, _, net, reader, _) in receivers for p in (net, reader)):
            if again and time.monotonic() > again:
                again = 0
                for (_, _, net, _, _) in receivers:
                    net.signal(signal.SIGINT)
            time.sleep(0.05)
        self.stop_all()
        wall = sent_at - t0

        total = _delta(before, after)
        dts = [b - a for a, b in zip([0.0] + series["t"], series["t"])]
        out_receivers = []
        logs = {host: analyze.receiver_frames(work, host, s, stop_us) for (_, host, _, _, _) in receivers}
        clean = analyze.clean_levels([frames for frames, _ in logs.values()])
        for (i, host, net, reader, rcmd) in receivers:
            frames, held = logs[host]
            r = analyze.receiver(work, host, s, rcmd.stats, stop_us, clean, frames)
            r["frames_flushed_at_stop"] = len(held)
            analyze.agree(r, self.agree_ms)
            r.update({"receiver": i, "host": host, "profile": s.profile(i).label(),
                      "process": net.figures()})
            port = total.get(host, {})
            sent = total.get(1, {}).get("media_packets", 0)
            got = port.get("media_packets", 0)
            r["wire"] = {"packets_sent": sent, "packets_delivered": got,
                         "net_loss_pct": round(100 * (1 - got / sent), 2) if sent else None,
                         "bytes": port.get("tx_bytes", 0),
                         "kbps": round(port.get("tx_bytes", 0) * 8 / 1000 / wall, 1) if wall else None}
            r["series"]["kbps"] = [round(d.get(host, {}).get("tx_bytes", 0) * 8 / 1000 / dt, 1)
                                   for d, dt in zip(series["ports"], dts)]
            r["series"]["net_loss_pct"] = [_loss(d, host) for d in series["ports"]]
            out_receivers.append(r)
        sender_wire = total.get(1, {})
        frames = int(round(s.seconds * s.fps))
        # What the sender put on the wire to the group (media, retransmissions, FEC, its RTCP),
        # counted by nftables on the bridge port it sends into, the same for every system, per
        # second of video the source produced (frames / fps).
        media_bytes = sender_wire.get("media_bytes", 0)
        final = analyze.sender_final(work)
        sdp = None
        if cmd.sender_sdp:
            a, b = systems.sprop(probe.probe_sdp), systems.sprop(cmd.sender_sdp)
            sdp = {"sprop_parameter_sets": a, "matches_sender": a is not None and a == b}
        out = {"system": system, "name": systems.NAMES[system], "wall_s": round(wall, 2),
               # A source slower than its frame rate (a starved machine) stretches every figure.
               "source": {"fps_target": s.fps, "fps_achieved":
                          round(frames / gen.wall_s, 1) if gen.wall_s > 0 else None},
               "sender": {"process": sender.figures(), "source_exit": gen.status,
                          "wire_bytes": sender_wire.get("rx_bytes", 0),
                          "packets": sender_wire.get("rx_packets", 0),
                          "kbps": round(sender_wire.get("rx_bytes", 0) * 8 / 1000 / wall, 1)
                          if wall else None,
                          "kbps_series": [round(d.get(1, {}).get("rx_bytes", 0) * 8 / 1000 / dt, 1)
                                          for d, dt in zip(series["ports"], dts)],
                          "media_bytes": media_bytes,
                          "media_kbps": round(media_bytes * 8 / 1000 / (frames / s.fps), 1),
                          "media_kbps_series": [round(d.get(1, {}).get("media_bytes", 0) * 8 / 1000 / dt, 1)
                                                for d, dt in zip(series["ports"], dts)],
                          "sdp": sdp,
                          "repair": analyze.sender_repair(final) if system in ("confcast", "gst-rtx") else None,
                          "frames": analyze.sender_frames(final) if system == "confcast" else None},
               "series_t": series["t"], "receivers": out_receivers}
        out["summary"] = analyze.summary(out, s)
        for r in out_receivers:
            for k in ("_latencies", "_psnr", "_ssim"):
                r.pop(k, None)
        return out

    def _probe(self, argv: list[str], size: str, work: str) -> None:
        """Runs a sender on a few frames in the sender's namespace, before the receivers start
        (ffmpeg: it writes the SDP with the parameter sets they then open)."""
        log = open(os.path.join(work, "probe.log"), "w")
        gen = self._start("probe-source", 1, [self.bins.stamp, "gen", "--raw", "--size", size,
                                              "--fps", "30", "--seconds", "0.2"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        snd = self._start("probe", 1, self.lan.exec_prefix(1) + argv, stdin=gen.popen.stdout,
                          stdout=subprocess.DEVNULL, stderr=log)
        gen.popen.stdout.close()
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (gen.reap() and snd.reap()):
            time.sleep(0.05)
        for p in (gen, snd):
            if not p.reap():
                p.signal(signal.SIGKILL)
                p.reap(block=True)
        self.procs = [p for p in self.procs if p not in (gen, snd)]

    def _apply(self, changes: list, errors: list) -> None:
        def one(host, args):
            try:
                self.lan.set(host, args)
            except Exception as e:  # reported after the run; the run goes on
                errors.append(str(e))
        # Hosts are independent (own nft chain, queue and qdisc): change them together.
        threads = [threading.Thread(target=one, args=c, daemon=True) for c in changes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(0.05)


def _delta(a: dict, b: dict) -> dict:
    return {k: {f: b[k][f] - a.get(k, {}).get(f, 0) for f in b[k]} for k in b}


def _loss(d: dict, host: int):
    sent = d.get(1, {}).get("media_packets", 0)
    got = d.get(host, {}).get("media_packets", 0)
    return round(max(0.0, 100 * (1 - got / sent)), 2) if sent else None

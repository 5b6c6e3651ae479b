"""Scenarios: what to stream, to how many receivers, through which network.

A scenario file (TOML, bench/scenarios/NAME.toml) looks like

    description = "2% random loss towards every receiver"
    receivers = 3                 # 1..200 (hosts 2..N+1; the sender is host 1)
    seconds = 10
    latency_ms = 40               # every receiver's jitter buffer (confcast-recv --latency,
                                  # rtpjitterbuffer latency, ffmpeg -max_delay)
    [video]
    size = "1280x720"             # at least 768 wide: the frame stamp needs it
    fps = 30
    bitrate_kbps = 2500
    gop = 60
    vbv_ms = 200                  # every encoder's VBV, ms of the bitrate (default: confcast's, 200)
    intra_refresh = false         # periodic intra refresh instead of IDRs, every system
    [network]                     # every receiver's link, unless [receiver.N] overrides
    loss_pct = 2                  # independent random loss
    burst_loss_pct = 0            # Gilbert loss with this mean rate ...
    burst_len = 4                 # ... in bursts this long on average (packets)
    ge = [p, r, bad_loss, good_loss]   # or the full Gilbert-Elliott model, in percent
    delay_ms = 0
    jitter_ms = 0
    reorder_pct = 0
    rate_kbit = 0                 # token bucket (tc tbf) towards the receiver; 0 = none
    [sender]
    loss_pct = 5                  # shared loss: on the sender's link, before the bridge floods
                                  # the group, so every receiver misses the same packets
    [receiver.2]                  # overrides for receiver 2 only
    loss_pct = 5
    [[event]]                     # change the network during the run ("loss over time")
    at = 4                        # seconds after the sender starts
    receiver = 0                  # 0 = every receiver
    loss_pct = 10
    [sweep]                       # optional: run once per value
    loss_pct = [0, 1, 2, 5, 10]   # or receivers = [1, 2, 4, 8, 16]
"""
from __future__ import annotations

import copy
import dataclasses
import os
import tomllib

PROFILE_KEYS = ("loss_pct", "burst_loss_pct", "burst_len", "ge", "delay_ms", "jitter_ms",
                "reorder_pct", "rate_kbit")


@dataclasses.dataclass
class Profile:
    loss_pct: float = 0.0
    burst_loss_pct: float = 0.0
    burst_len: float = 4.0
    ge: list | None = None  # [p, r, bad_loss, good_loss] in percent
    delay_ms: float = 0.0
    jitter_ms: float = 0.0
    reorder_pct: float = 0.0
    rate_kbit: float = 0.0

    def updated(self, values: dict) -> "Profile":
        p = copy.deepcopy(self)
        for k, v in values.items():
            if k not in PROFILE_KEYS:
                raise ValueError(f"unknown network key '{k}' (known: {', '.join(PROFILE_KEYS)})")
            setattr(p, k, list(v) if k == "ge" else float(v))
        return p

    def ge_params(self) -> list | None:
        """Gilbert-Elliott [p, r, bad, good] in percent, from `ge` or burst_loss_pct/burst_len."""
        if self.ge:
            g = [float(x) for x in self.ge] + [100.0, 0.0][len(self.ge) - 2:]
            return g[:4]
        if self.burst_loss_pct > 0:
            rate = min(self.burst_loss_pct / 100.0, 0.999)
            r = 1.0 / max(self.burst_len, 1.0)
            return [100.0 * rate * r / (1 - rate), 100.0 * r, 100.0, 0.0]
        return None

    def vlan_args(self) -> list[str]:
        """Arguments of `scripts/vlan set NAME H ...` for this profile."""
        a: list[str] = []
        if self.loss_pct > 0:
            a += ["--loss", f"{self.loss_pct:g}"]
        ge = self.ge_params()
        if ge:
            a += ["--ge", ":".join(f"{x:.6g}" for x in ge)]
        if self.delay_ms > 0 or self.jitter_ms > 0:
            a += ["--delay", f"{self.delay_ms:g}:{self.jitter_ms:g}"]
        if self.reorder_pct > 0:
            a += ["--reorder", f"{self.reorder_pct:g}"]
        if self.rate_kbit > 0:
            a += ["--rate", f"{self.rate_kbit:g}"]
        return a

    def label(self) -> str:
        parts = []
        if self.loss_pct > 0:
            parts.append(f"loss {self.loss_pct:g}%")
        if self.ge:
            parts.append("GE " + "/".join(f"{x:g}" for x in self.ge))
        elif self.burst_loss_pct > 0:
            parts.append(f"burst {self.burst_loss_pct:g}% x{self.burst_len:g}")
        if self.delay_ms > 0 or self.jitter_ms > 0:
            parts.append(f"delay {self.delay_ms:g}\u00b1{self.jitter_ms:g} ms")
        if self.reorder_pct > 0:
            parts.append(f"reorder {self.reorder_pct:g}%")
        if self.rate_kbit > 0:
            parts.append(f"rate {self.rate_kbit:g} kbit/s")
        return ", ".join(parts) or "clean"


@dataclasses.dataclass
class Event:
    at: float
    receiver: int  # 0 = all
    values: dict


@dataclasses.dataclass
class Scenario:
    name: str = "custom"
    description: str = ""
    receivers: int = 3
    seconds: float = 10.0
    width: int = 1280
    height: int = 720
    fps: int = 30
    bitrate_kbps: int = 2500
    gop: int = 60
    vbv_ms: float | None = None   # every encoder's VBV; None: confcast-send's default
    intra_refresh: bool = False   # periodic intra refresh instead of IDRs, every system
    latency_ms: int = 40          # every receiver's jitter buffer (confcast-recv's default)
    network: Profile = dataclasses.field(default_factory=Profile)
    sender_loss_pct: float = 0.0  # shared loss on the sender's link ([sender] loss_pct)
    overrides: dict = dataclasses.field(default_factory=dict)  # receiver index -> dict
    events: list = dataclasses.field(default_factory=list)
    sweep: dict = dataclasses.field(default_factory=dict)  # key -> list of values

    def profile(self, receiver: int) -> Profile:
        return self.network.updated(self.overrides.get(receiver, {}))

    def params(self) -> dict:
        return {"receivers": self.receivers, "seconds": self.seconds,
                "size": f"{self.width}x{self.height}", "fps": self.fps,
                "bitrate_kbps": self.bitrate_kbps, "gop": self.gop, "vbv_ms": self.vbv_ms,
                "intra_refresh": self.intra_refresh, "latency_ms": self.latency_ms,
                "sender_loss_pct": self.sender_loss_pct,
                "network": (f"shared loss {self.sender_loss_pct:g}% on the sender's link; "
                            if self.sender_loss_pct > 0 else "") + self.network.label() + "".join(
                    f"; at {e.at:g} s {'all' if e.receiver == 0 else 'receiver ' + str(e.receiver)}: "
                    f"{self.network.updated(e.values).label()}" for e in self.events),
                "profiles": {str(i): self.profile(i).label()
                             for i in range(1, self.receivers + 1)},
                "events": [dataclasses.asdict(e) for e in self.events]}

    def validate(self) -> None:
        if not 1 <= self.receivers <= 200:
            raise ValueError(f"receivers {self.receivers}: use 1..200")
        if self.width < 768 or self.height < 32 or self.width % 2 or self.height % 2:
            raise ValueError(f"size {self.width}x{self.height}: even, at least 768x32 "
                             "(the frame stamp is 768 pixels wide)")
        if self.vbv_ms is not None and not 1 <= self.vbv_ms <= 10000:
            raise ValueError(f"vbv_ms {self.vbv_ms:g}: use 1..10000")
        if not 0 <= self.sender_loss_pct < 100:
            raise ValueError(f"[sender] loss_pct {self.sender_loss_pct:g}: use 0 up to 100")
        if not 0 <= self.latency_ms <= 10000:
            raise ValueError(f"latency_ms {self.latency_ms}: use 0..10000")
        if self.seconds <= 0 or not 1 <= self.fps <= 240:
            raise ValueError("seconds must be positive and fps 1..240")
        for i in self.overrides:
            if not 1 <= i <= self.receivers:
                raise ValueError(f"[receiver.{i}] but the scenario has {self.receivers} receivers")


def scenario_dir() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "scenarios")


def available() -> list[str]:
    d = scenario_dir()
    return sorted(f[:-5] for f in os.listdir(d) if f.endswith(".toml")) if os.path.isdir(d) else []


def load(name_or_path: str) -> Scenario:
    path = name_or_path
    if not os.path.exists(path):
        path = os.path.join(scenario_dir(), name_or_path + ".toml")
    if not os.path.exists(path):
        raise ValueError(f"no scenario '{name_or_path}'; known: {', '.join(available())}")
    with open(path, "rb") as f:
        d = tomllib.load(f)
    s = Scenario(name=os.path.basename(path).removesuffix(".toml"))
    s.description = d.get("description", "")
    s.receivers = int(d.get("receivers", s.receivers))
    s.seconds = float(d.get("seconds", s.seconds))
    v = d.get("video", {})
    if "size" in v:
        s.width, s.height = parse_size(v["size"])
    s.fps = int(v.get("fps", s.fps))
    s.bitrate_kbps = int(v.get("bitrate_kbps", s.bitrate_kbps))
    s.gop = int(v.get("gop", s.gop))
    if "vbv_ms" in v:
        s.vbv_ms = float(v["vbv_ms"])
    s.intra_refresh = bool(v.get("intra_refresh", s.intra_refresh))
    s.latency_ms = int(d.get("latency_ms", s.latency_ms))
    s.network = Profile().updated(d.get("network", {}))
    snd = dict(d.get("sender", {}))
    if set(snd) - {"loss_pct"}:
        raise ValueError(f"unknown [sender] key(s) {', '.join(sorted(set(snd) - {'loss_pct'}))} "
                         "(known: loss_pct)")
    s.sender_loss_pct = float(snd.get("loss_pct", 0))
    s.overrides = {int(k): dict(val) for k, val in d.get("receiver", {}).items()}
    for k, val in s.overrides.items():
        Profile().updated(val)  # validates the keys
    for e in d.get("event", []):
        e = dict(e)
        at, rcv = float(e.pop("at")), int(e.pop("receiver", 0))
        Profile().updated(e)
        s.events.append(Event(at, rcv, e))
    s.sweep = {k: list(v) for k, v in d.get("sweep", {}).items()}
    return s


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = text.lower().split("x")
        return int(w), int(h)
    except ValueError:
        raise ValueError(f"bad size '{text}': write WxH, e.g. 1280x720") from None


def parse_values(text: str) -> list[float]:
    """'0,1,2,5' or '0:10:2' (start:stop:step, inclusive)."""
    if ":" in text:
        a, b, *c = (float(x) for x in text.split(":"))
        step = c[0] if c else 1.0
        out, x = [], a
        while x <= b + 1e-9:
            out.append(round(x, 6))
            x += step
        return out
    return [float(x) for x in text.split(",") if x]


# Settings every system gets alike that a sweep may vary (the quality-versus-bitrate plot, the
# choice of the VBV default): sweep key -> Scenario field.
SETTING_SWEEPS = {"bitrate": "bitrate_kbps", "vbv_ms": "vbv_ms", "latency": "latency_ms",
                  "intra_refresh": "intra_refresh"}


def setting_label(key: str, v) -> str:
    """How a swept value is written in run names and plot legends: key=value."""
    return f"{key}={v:g}" if isinstance(v, (int, float)) else f"{key}={v}"


def swept(base: Scenario, key: str, values: list) -> list[tuple[dict, Scenario]]:
    """One scenario per value of `key` (receivers, an encoder/buffer setting or a network key)."""
    out = []
    for v in values:
        s = copy.deepcopy(base)
        s.sweep = {}
        if key == "receivers":
            s.receivers = int(v)
            s.overrides = {i: o for i, o in s.overrides.items() if i <= s.receivers}
        elif key in PROFILE_KEYS:
            s.network = s.network.updated({key: v})
            s.overrides = {i: {k: x for k, x in o.items() if k != key}
                           for i, o in s.overrides.items()}
        elif key in SETTING_SWEEPS:
            cur = getattr(base, SETTING_SWEEPS[key])
            setattr(s, SETTING_SWEEPS[key], bool(v) if isinstance(cur, bool) else type(cur or 0)(v))
        else:
            raise ValueError(f"cannot sweep '{key}': use receivers, one of "
                             f"{', '.join(SETTING_SWEEPS)} or one of {', '.join(PROFILE_KEYS)}")
        s.name = f"{base.name}/{setting_label(key, v)}"
        out.append(({key: v}, s))
    return out

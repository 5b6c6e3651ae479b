"""The virtual LAN through scripts/vlan: host 1 sends, hosts 2..N+1 receive.

Impairment is set per receiver with `scripts/vlan set` (also mid-run, for events). Bytes on
the wire come from the bridge ports' counters in NAME-br: port p1 receives what the sender puts
on the wire, port pH transmits what reaches host H (every kind of traffic, RTCP, neighbour
discovery and all). Packet loss comes from nftables counters in the bridge that count only
the sender's datagrams to the group: on the way in from p1 (prerouting) and on the way out to
pH (postrouting, after the random drop and confcast-impair's queue; the tbf rate limit comes
later and is not counted).
"""
from __future__ import annotations

import json
import os
import subprocess


class LanError(RuntimeError):
    pass


class Lan:
    def __init__(self, vlan: str, name: str, hosts: int, impair_bin: str | None,
                 seed: int | None = None):
        self.vlan, self.name, self.hosts, self.impair_bin = vlan, name, hosts, impair_bin
        self.seed = seed  # confcast-impair's draws (burst loss, delay): the same every run
        self.up_done = False

    def _run(self, *args: str) -> str:
        env = dict(os.environ)
        if self.impair_bin:
            env["CONFCAST_IMPAIR"] = self.impair_bin
        if self.seed is not None:
            env["CONFCAST_IMPAIR_SEED"] = str(self.seed)
        r = subprocess.run([self.vlan, *args], capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise LanError(f"scripts/vlan {' '.join(args)}: {r.stderr.strip() or r.stdout.strip()}")
        return r.stdout

    def up(self) -> None:
        self.up_done = True  # even a half-built LAN must be taken down
        self._run("up", self.name, str(self.hosts))

    def set(self, host: int, args: list[str]) -> None:
        self._run("set", self.name, str(host), *args)

    def down(self) -> None:
        subprocess.run([self.vlan, "down", self.name], capture_output=True,
                       stdin=subprocess.DEVNULL)

    def ns(self, host: int) -> str:
        return f"{self.name}-h{host}"

    def exec_prefix(self, host: int) -> list[str]:
        # `ip netns exec` execs the command: the child's pid is the program's own pid.
        return ["ip", "netns", "exec", self.ns(host)]

    def install_counters(self, sender_ip: str, group: str) -> None:
        br = f"{self.name}-br"
        rules = [f"add table bridge cbcount",
                 "add chain bridge cbcount pre { type filter hook prerouting priority 0; }",
                 "add chain bridge cbcount post { type filter hook postrouting priority 0; }",
                 f'add rule bridge cbcount pre iifname "p1" ip daddr {group} counter comment "p1"']
        rules += [f'add rule bridge cbcount post oifname "p{h}" ip saddr {sender_ip} '
                  f'ip daddr {group} counter comment "p{h}"' for h in range(2, self.hosts + 1)]
        r = subprocess.run(["ip", "netns", "exec", br, "nft", "-f", "-"], input="\n".join(rules) + "\n",
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise LanError(f"nft counters in {br}: {r.stderr.strip()}")

    def media_packets(self) -> dict[int, tuple[int, int]]:
        """Per port: the sender's datagrams to the group that passed it (p1: sent), as
        (packets, bytes as nftables counts them in the bridge)."""
        r = subprocess.run(["ip", "netns", "exec", f"{self.name}-br", "nft", "-j", "list", "table",
                            "bridge", "cbcount"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)
        out: dict[int, int] = {}
        if r.returncode != 0:
            return out
        for item in json.loads(r.stdout or "{}").get("nftables", []):
            rule = item.get("rule")
            if not rule or not str(rule.get("comment", "")).startswith("p"):
                continue
            for e in rule.get("expr", []):
                if "counter" in e:
                    out[int(rule["comment"][1:])] = (e["counter"]["packets"], e["counter"]["bytes"])
        return out

    def counters(self) -> dict[int, dict]:
        """Per port number: rx/tx bytes and packets as the bridge sees them."""
        r = subprocess.run(["ip", "-n", f"{self.name}-br", "-j", "-s", "link", "show"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        out: dict[int, dict] = {}
        if r.returncode != 0:
            return out
        for link in json.loads(r.stdout or "[]"):
            name = link.get("ifname", "")
            if not name.startswith("p") or not name[1:].isdigit():
                continue
            st = link.get("stats64", link.get("stats", {}))
            out[int(name[1:])] = {"rx_bytes": st["rx"]["bytes"], "rx_packets": st["rx"]["packets"],
                                  "tx_bytes": st["tx"]["bytes"], "tx_packets": st["tx"]["packets"]}
        for port, (packets, nbytes) in self.media_packets().items():
            out.setdefault(port, {})["media_packets"] = packets
            out[port]["media_bytes"] = nbytes
        return out


def leftover_namespaces(prefix: str) -> list[str]:
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return [l.split()[0] for l in r.stdout.splitlines() if l.startswith(prefix)]

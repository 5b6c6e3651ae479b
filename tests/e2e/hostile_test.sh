#!/usr/bin/env bash
# A hostile host on the LAN (issue 18). Host 1 sends (announced with SAP), hosts 2 and 3
# receive (3 with -v), host 2 also runs `confcast-recv --list` and captures what the sender puts
# on the wire (tcpdump). Host 4 joins the group, learns the sender's address, SSRC, sequence
# numbers, CNAME and SAP hash from what it hears, and attacks one thing after another
# (tests/e2e/tools/hostile.py): a NACK flood, a PLI/FIR flood, receiver reports claiming 100%
# loss, SR/SDES/BYE with the sender's SSRC, a forged SAP deletion, RTP with the sender's SSRC,
# and escape sequences in every text field. Throughout, both receivers must show every frame.
source "$(dirname "$0")/lib.sh"
need python3 python3
need tcpdump tcpdump
e2e_lan 4
sender=$(addr 1)
attacker=$(addr 4)

LOG=cap on 2 tcpdump -i vl0 -U -s 96 -w "$WORK/sender.pcap" src host "$sender"
cap=$LAST
LOG=list on 2 "$RECV" --list --duration 11 --stats-json "$WORK/list.json"
list=$LAST
LOG=recv_a on 2 "$RECV" --video-sink null --duration 23 -q --stats-json "$WORK/recv_a.json"
ra=$LAST
LOG=recv_b on 3 "$RECV" --video-sink null --duration 23 -v --stats-json "$WORK/recv_b.json"
rb=$LAST
sleep 0.5
LOG=send on 1 "$SEND" --name alice --announce --announce-interval 1 --size 640x360 --fps 30 \
    --duration 21 --audio none --stats-json "$WORK/send.json"
send=$LAST
sleep 1
LOG=attack on 4 python3 "$E2E_ROOT/tests/e2e/tools/hostile.py" --self "$attacker"
attack=$LAST
wait_pid "$attack" 40 || fail "hostile.py failed"
wait_pid "$list" 30 || fail "confcast-recv --list exited non-zero"
wait_pid "$send" 40 || fail "confcast-send exited non-zero"
for p in "$ra" "$rb"; do wait_pid "$p" 30 || fail "confcast-recv exited non-zero"; done
sleep 0.3
kill -INT "$cap" 2>/dev/null || true
wait "$cap" 2>/dev/null || true

# One python for all checks: each interpreter start costs about a second on a loaded machine.
python3 - "$WORK" <<'PY' || fail "the hostile host got through (see above)"
import json, struct, sys
from stats_json import load  # --stats-json is JSON lines (tests/e2e/stats_json.py)
w = sys.argv[1]
attack = json.loads(open(f"{w}/attack.out").read().strip().splitlines()[-1])
ph = attack["phases"]
snd = load(f"{w}/send.json")
send, seconds = snd["final"], snd["seconds"]
recv = {n: load(f"{w}/{n}.json")["final"] for n in ("recv_a", "recv_b")}
lst = load(f"{w}/list.json")
S = send["video"]["ssrc"]
frames = send["video"]["frames"]
ok = True
def check(desc, cond):
    global ok
    print(("ok: " if cond else "FAIL: ") + desc)
    ok = ok and bool(cond)
print(f"== attacker learned {attack['learned']}; phases "
      + ", ".join(f"{k} {v['packets']} pkts {v['bytes']} B" for k, v in ph.items() if v["packets"]))
check("the attacker learned the sender's SSRC", attack["learned"]["ssrc"] == S)

# What the sender put on the wire, from the capture on host 2: (time, wire bytes, port, pt, ssrc).
def packets(path):
    data = open(path, "rb").read()
    at, out = 24, []
    while at + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[at:at + 16])
        p = data[at + 16:at + 16 + incl]
        at += 16 + incl
        if len(p) < 14 + 20 + 8 or p[12:14] != b"\x08\x00" or p[23] != 17:
            continue
        ihl = (p[14] & 0x0F) * 4
        udp = p[14 + ihl:]
        port = struct.unpack("!H", udp[2:4])[0]
        rtp = udp[8:]
        pt = rtp[1] & 0x7F if len(rtp) >= 12 else -1
        ssrc = struct.unpack("!I", rtp[8:12])[0] if len(rtp) >= 12 else 0
        out.append((sec + usec / 1e6, orig, port, pt, ssrc))
    return out
pk = packets(f"{w}/sender.pcap")
def window(t0, t1):
    inside = [p for p in pk if t0 <= p[0] <= t1]
    total = sum(p[1] for p in inside)
    media = sum(p[1] for p in inside if p[2] == 15550 and p[3] == 96 and p[4] == S)
    rtx = sum(p[1] for p in inside if p[3] == 97)
    fec = sum(p[1] for p in inside if p[3] == 98)
    return total, media, rtx, fec
check(f"the capture saw the sender ({len(pk)} packets)", len(pk) > 1000)

# 1. NACK flood: retransmission stays bounded, refusals counted.
n = ph["nack"]
total, media, rtx, fec = window(n["start"], n["end"] + 0.2)
rep = send["video"]["repair"]
print(f"== NACK flood: {n['packets']} NACKs, {n['bytes']} B in; sender out {total} B for {media} B of media "
      f"(x{total / max(media, 1):.2f}), retransmitted {rtx} B (x{rtx / max(n['bytes'], 1):.1f} the NACK bytes); "
      f"refused {rep['retransmissions_refused']}, rate limited {rep['nacks_rate_limited']}")
check("sender output under the NACK flood < 1.5x the media rate", media > 0 and total < 1.5 * media)
check("the sender counted refusals", sum(rep["retransmissions_refused"].values()) >= 1000)

# 2. PLI/FIR flood: at most one IDR per aggregation interval (300 ms), plus the receivers' own
# requests at start-up.
p = ph["pli"]
limit = int((p["end"] - p["start"]) / 0.3) + 1 + 3
print(f"== PLI/FIR flood: {p['packets']} requests; keyframe requests {send['keyframe_requests']}, "
      f"IDRs forced {send['keyframes_forced']} (limit {limit}), rate limited {rep['keyframe_requests_rate_limited']}")
check("the PLI/FIR flood forced at most one IDR per aggregation interval", send["keyframes_forced"] <= limit)
# From one host, whatever SSRC it signs with: the per-requester limit follows its address.
check("the flooding host was rate limited as one requester", rep["keyframe_requests_rate_limited"] >= p["packets"] // 2)
check("and the flood was heard", send["pli_received"] + send["fir_received"] >= p["packets"] * 0.9)

# 3. RR claiming 100% loss from a fake SSRC: a light FEC level, the reporter named.
r = ph["rr"]
levels = [s["repair"]["fec_level"] for s in seconds if "repair" in s]
drivers = {(s["repair"]["fec_driver"]["ssrc"], s["repair"]["fec_driver"]["capped"])
           for s in seconds if "fec_driver" in s.get("repair", {})}
total, media, rtx, fec = window(r["start"], r["end"] + 2)
print(f"== 100% loss RR: FEC levels per second {levels}, drivers {[(f'{a:08x}', c) for a, c in drivers]}, "
      f"FEC {fec} B for {media} B of media ({100 * fec / max(media, 1):.0f}%) during and 2 s after")
check("FEC never went above the one-reporter cap (level <= 2, no 2-D level)", max(levels) <= 2)
check("FEC overhead during the claim stays below 50%", fec < 0.5 * media)
check("the status names the fake reporter as the (capped) driver", (0x0FA4E100, True) in drivers)

# 4-5. Spoofed SR/SDES/BYE and RTP with the sender's SSRC: ignored, nobody dropped.
check("the sender did not change its SSRC", send["ssrc_collisions"] == 0)
hijacked = ph["hijack"]["packets"]
for name, f in recv.items():
    video = [s for s in f["streams"] if s["ssrc"] == S]
    v = video[0] if video else {"frames_rendered": 0, "decode_errors": -1, "lost": -1}
    ign, conflicts = f.get("rtcp_ignored", {}), f["dropped"].get("ssrc_conflict", 0)
    print(f"== {name}: {v['frames_rendered']} of {frames} frames shown, lost {v.get('lost')}, "
          f"decode errors {v.get('decode_errors')}; rtcp_ignored {ign}; ssrc_conflict {conflicts}")
    check(f"{name} showed every frame", v["frames_rendered"] >= frames - 2 and v["decode_errors"] == 0)
    check(f"{name} ignored the spoofed SR/SDES/BYE from the wrong address", ign.get("wrong_address", 0) >= 15)
    check(f"{name} counted the hijacking RTP as ssrc_conflict", conflicts >= 0.9 * hijacked)
    log = open(f"{w}/{name}.log", "rb").read()
    check(f"{name} never dropped the sender on the spoofed BYE", b"spoofed-bye" not in log and
          log.count(f"participant {S:08x}".encode()) <= 1)

# 6. Forged SAP deletion.
names = [s["name"] for s in lst["sessions"]]
print(f"== --list: {len(names)} sessions; ignored {lst['ignored']}")
check("--list still lists alice after the forged deletion", "alice" in names)
check("the forged deletion was counted", lst["ignored"].get("spoofed_origin", 0) >= 1)

# 7. Escape sequences: nothing below 0x20 but newline, no DEL, no C1, valid UTF-8, anywhere.
outs = ("recv_a.log", "recv_a.out", "recv_b.log", "recv_b.out", "list.log", "list.out")
for fn in outs:
    b = open(f"{w}/{fn}", "rb").read()
    bad = [i for i, c in enumerate(b) if (c < 0x20 and c != 0x0A) or c == 0x7F]
    try:
        text = b.decode("utf-8")
        bad += [i for i, ch in enumerate(text) if 0x80 <= ord(ch) <= 0x9F or 0x202A <= ord(ch) <= 0x202E]
    except UnicodeDecodeError as e:
        bad.append(e.start)
    forged = [l for l in b.split(b"\n") if l.startswith(b"confcast-recv: forged")]
    if bad or forged:
        print(f"   {fn}: {len(bad)} unsafe bytes, first at {bad[:1]}: {b[max(bad[0] - 40, 0):bad[0] + 40]!r}"
              if bad else f"   {fn}: forged line {forged[0]!r}")
    check(f"{fn}: no control character, no forged line ({len(b)} bytes)", not bad and not forged)
blog = open(f"{w}/recv_b.log", "rb").read()
check("the -v receiver did print the hostile NAME (made safe)", b"0e5ca9e5 is 'name" in blog)
check("--list did print the hostile session name (made safe)",
      b"evil" in open(f"{w}/list.out", "rb").read() + open(f"{w}/list.log", "rb").read())
sys.exit(0 if ok else 1)
PY

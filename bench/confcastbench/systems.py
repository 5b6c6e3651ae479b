"""The pipelines under test: confcast, GStreamer and ffmpeg, each at its best, doing the same work.

Every system gets the same raw frames from `confcast-stamp gen` on its standard input (y4m for
confcast, raw I420 for the others) and encodes them with libx264 with the same settings
(`encoder_settings`, printed with every table): ultrafast, zerolatency (sliced threads, x264
picks their number), the same bitrate with the same VBV in milliseconds (maximum rate = bitrate,
buffer = bitrate x vbv_ms), the same GOP, no B-frames, no scene-cut keyframes, slices capped at
1172 bytes so a slice fits one 1200-byte packet, and periodic intra refresh only when the
scenario asks for it. Each sends RTP to a multicast group, and each receiver writes its decoded
pictures to standard output, where `confcast-stamp read` measures them. Every receiver gets the
same jitter-buffer setting (the scenario's latency_ms): confcast-recv --latency, rtpjitterbuffer
latency, ffmpeg's RTP reorder buffer -max_delay.

What differs is the transport and the receiving side, each with its own repair and keyframe
features on:
- confcast: its own (NACK/RTX, FEC, PLI), defaults otherwise.
- gst: `udpsrc ! rtpjitterbuffer ! rtph264depay wait-for-keyframe=true request-keyframe=true !
  avdec_h264`; without rtpbin there is no RTCP, so its keyframe requests reach no one (plain
  GStreamer waits for the next IDR after a loss).
- gst-rtx: rtpbin on both ends (gst_rtx.py, needs python3-gi): RFC 4588 retransmission over the
  group, and the depayloader's keyframe requests go to the sender as RTCP PLI (AVPF), where
  rtpbin turns them into a keyframe request to x264enc, as in a tuned deployment.
- ffmpeg: the sender writes its own SDP (-sdp_file) with sprop-parameter-sets (global headers;
  the parameter sets are also repeated in band). The bench runs the same sender command once on
  a few frames before the receivers start, so they open that SDP, and checks that the real
  sender's SDP carries the same parameter sets. The receivers probe without -fflags nobuffer,
  so the packets read while probing are decoded too (the first GOP is not skipped), and decode
  with slice threads (frame threads would hold frames back).
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
# GStreamer's senders read raw frames with fdsrc, which allocates a fresh 1.4 MB buffer (720p)
# per frame from its streaming thread's malloc arena; glibc hands such memory back to the
# kernel (trim) and faults it in again for the next frame. On a VM where page faults are dear
# that cost 250,000 faults and 4.6 s of CPU for 8 s of 720p30, against 7,700 and 1.1 s with
# the memory kept (perf stat, 2026-12-06): work a capture element's buffer pool never does.
# So the GStreamer senders keep their frame memory, as a real capture pipeline would.
KEEP_FRAME_MEMORY = ["env", "MALLOC_MMAP_THRESHOLD_=33554432", "MALLOC_TRIM_THRESHOLD_=268435456"]
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
    # Run once on a few frames, in the sender's namespace, before the receivers start (ffmpeg:
    # writes the SDP they open); sdp_check: the real sender's SDP, compared with it afterwards.
    probe: list[str] | None = None
    probe_sdp: str | None = None
    sender_sdp: str | None = None


# confcast-send's --vbv-ms default (sender/include/confcast/sender/options.h); e2e.bench checks
# that the two agree.
DEFAULT_VBV_MS = 200


def vbv_ms(s) -> int:
    """The VBV every encoder gets, ms: the scenario's, or confcast-send's default."""
    return int(s.vbv_ms) if s.vbv_ms else DEFAULT_VBV_MS


def encoder_settings(s) -> dict:
    """What every system's encoder is given (the same for all), for the report."""
    v = vbv_ms(s)
    return {"codec": "libx264", "preset": "ultrafast", "tune": "zerolatency",
            "bitrate_kbps": s.bitrate_kbps, "max_rate_kbps": s.bitrate_kbps, "vbv_ms": v,
            "vbv_kbit": max(1, s.bitrate_kbps * v // 1000), "gop": s.gop, "bframes": 0,
            "scenecut": 0, "slice_max_bytes": SLICE_MAX, "threads": "x264 auto (sliced)",
            "intra_refresh": bool(s.intra_refresh), "jitter_buffer_ms": s.latency_ms}


def settings_text(s) -> str:
    e = encoder_settings(s)
    return (f"every system: libx264 ultrafast/zerolatency, {e['bitrate_kbps']} kbit/s, VBV "
            f"{e['vbv_ms']} ms ({e['vbv_kbit']} kbit), GOP {e['gop']}, no B-frames, slices <= "
            f"{SLICE_MAX} bytes, x264 threads auto, intra refresh {'on' if e['intra_refresh'] else 'off'}; "
            f"jitter buffer {e['jitter_buffer_ms']} ms")


def commands(system: str, s, bins: Bins, work: str, host: int) -> Commands:
    """Sender and receiver command lines (without the namespace prefix) for one receiver host."""
    w, h, fps, kbps, gop = s.width, s.height, s.fps, s.bitrate_kbps, s.gop
    vbv = vbv_ms(s)
    vbv_kbit = max(1, kbps * vbv // 1000)
    latency = int(s.latency_ms)
    port = PORTS[system]
    if system == "confcast":
        return Commands(
            sender=[bins.send, "--group", GROUP, "--port", str(port), "--video", "y4m:-",
                    "--audio", "none", "--fps", str(fps), "--bitrate", str(kbps), "--gop",
                    str(gop), "--vbv-ms", str(vbv), "--mtu", str(MTU), "--name", "bench",
                    *(["--intra-refresh"] if s.intra_refresh else []),
                    "--stats-json", os.path.join(work, "sender.json")],
            sender_raw=False,
            receiver=[bins.recv, "--group", GROUP, "--port", str(port), "--video-sink", "y4m:-",
                      "--audio-sink", "null", "-q", "--name", f"receiver {host}",
                      "--latency", str(latency), "--duration", f"{s.seconds + 30:g}",
                      "--stats-json", os.path.join(work, f"recv-h{host}.json")],
            receiver_raw=False, stats=True)
    x264 = (f"x264enc tune=zerolatency speed-preset=ultrafast bitrate={kbps} "
            f"vbv-buf-capacity={vbv} key-int-max={gop} bframes=0 threads=0 "
            f"intra-refresh={'true' if s.intra_refresh else 'false'} "
            f"option-string=slice-max-size={SLICE_MAX}:scenecut=0")
    if system == "gst":
        return Commands(
            sender=[*KEEP_FRAME_MEMORY, "gst-launch-1.0", "-q", "fdsrc", "fd=0",
                    f"blocksize={w * h * 3 // 2}", "!",
                    "rawvideoparse", f"width={w}", f"height={h}", "format=i420",
                    f"framerate={fps}/1", "!", *x264.split(), "!",
                    "rtph264pay", "config-interval=-1", "pt=96", f"mtu={MTU}", "!",
                    "udpsink", f"host={GROUP}", f"port={port}", "auto-multicast=true",
                    "ttl-mc=1", "sync=false", "async=false"],
            sender_raw=True,
            receiver=["gst-launch-1.0", "-q", "-e", "udpsrc", f"address={GROUP}", f"port={port}",
                      "caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,"
                      "payload=96", "!", "rtpjitterbuffer", f"latency={latency}", "!",
                      "rtph264depay", "wait-for-keyframe=true", "request-keyframe=true",
                      "!", "avdec_h264", "!", "videoconvert", "!", "video/x-raw,format=I420", "!",
                      "fdsink", "fd=1", "sync=false"],
            receiver_raw=True)
    if system == "gst-rtx":
        common = ["--group", GROUP, "--port", str(port)]
        return Commands(
            sender=[*KEEP_FRAME_MEMORY, SYSTEM_PYTHON, GST_RTX, "send", *common,
                    "--width", str(w), "--height", str(h),
                    "--fps", str(fps), "--kbps", str(kbps), "--gop", str(gop),
                    "--vbv-ms", str(vbv), *(["--intra-refresh"] if s.intra_refresh else []),
                    "--slice-max", str(SLICE_MAX), "--mtu", str(MTU), "--rtx-keep-ms", "1000",
                    "--stats", os.path.join(work, "sender.json")],
            sender_raw=True,
            receiver=[SYSTEM_PYTHON, GST_RTX, "recv", *common, "--kbps", str(kbps),
                      "--latency", str(latency), "--stats", os.path.join(work, f"rtx-h{host}.txt")],
            receiver_raw=True)
    if system == "ffmpeg":
        probe_sdp = os.path.join(work, "ffmpeg.sdp")
        sender_sdp = os.path.join(work, "sender.sdp")

        def send(sdp: str) -> list[str]:
            return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
                    "-pix_fmt", "yuv420p", "-video_size", f"{w}x{h}", "-framerate", str(fps),
                    "-i", "-", "-c:v", "libx264", "-flags", "+global_header", "-preset",
                    "ultrafast", "-tune", "zerolatency", "-b:v", f"{kbps}k", "-maxrate",
                    f"{kbps}k", "-bufsize", f"{vbv_kbit}k", "-g", str(gop), "-bf", "0",
                    "-threads", "0", *(["-intra-refresh", "1"] if s.intra_refresh else []),
                    "-x264-params", f"slice-max-size={SLICE_MAX}:repeat-headers=1:scenecut=0",
                    "-f", "rtp", "-payload_type", "96", "-sdp_file", sdp,
                    f"rtp://{GROUP}:{port}?ttl=1&pkt_size={MTU}"]
        return Commands(
            sender=send(sender_sdp),
            sender_raw=True,
            receiver=["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                      "-protocol_whitelist", "file,udp,rtp", "-flags", "low_delay",
                      "-thread_type", "slice", "-max_delay", str(latency * 1000),
                      "-probesize", "32768", "-analyzeduration", "0", "-i", probe_sdp,
                      "-map", "0:v", "-fps_mode", "passthrough", "-f", "rawvideo",
                      "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-"],
            receiver_raw=True, probe=send(probe_sdp), probe_sdp=probe_sdp, sender_sdp=sender_sdp)
    raise ValueError(f"unknown system '{system}': use confcast, gst, gst-rtx or ffmpeg")


def sprop(sdp_path: str | None) -> str | None:
    """The sprop-parameter-sets of an SDP file, None when absent or unreadable."""
    try:
        with open(sdp_path or "") as f:
            for line in f:
                for part in line.split(";"):
                    k, _, v = part.strip().partition("=")
                    if k.endswith("sprop-parameter-sets"):
                        return v.strip()
    except OSError:
        pass
    return None

"""confcast-bench: loss and latency of confcast (and GStreamer, ffmpeg) on a virtual LAN."""

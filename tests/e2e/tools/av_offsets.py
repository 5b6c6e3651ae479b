#!/usr/bin/env python3
"""Lip sync in a recording: where each white flash starts in the video and where each tone
burst starts in the audio, and the offsets between them (tone minus flash, ms: positive means
the sound comes late).

    av_offsets.py FILE [--corner]

Video: the mean luma of every frame (ffprobe, lavfi crop + signalstats) with its pts from the
file; the whole picture, or with --corner the bottom right eighth (inside the test source's
sync mark). A flash starts at the first frame brighter than halfway between the darkest and
the brightest frame after a dark one. Audio: decoded to 48 kHz mono from the file's time 0
(aresample fills every gap over 5 ms with silence, a lost packet included, and pads the
start, so a sample's index is its time); a
burst starts at the first sample above a tenth of the loudest after at least 300 ms of the
recorded audio below it (so a burst cut by the start of the audio, which may begin a little
after the video, is not taken for an onset).
Each flash is paired with the nearest burst within 500 ms. Prints one JSON object: flashes,
tones, offsets_ms, pairs, median_ms, max_abs_ms.
"""
import array
import json
import statistics
import subprocess
import sys

RATE = 48000


def flashes(path, corner):
    crop = "crop=iw/8:ih/8:iw-iw/8:ih-ih/8," if corner else ""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-f", "lavfi", "-i", f"movie={path},{crop}signalstats",
         "-show_entries", "frame=pts_time:frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0"],
        check=True, capture_output=True, text=True).stdout
    frames = []
    for line in out.splitlines():
        parts = line.split(",")
        if len(parts) >= 2 and parts[0] and parts[1]:
            frames.append((float(parts[0]), float(parts[1])))
    if not frames:
        return []
    low, high = min(y for _, y in frames), max(y for _, y in frames)
    if high - low < 64:  # no flash at all
        return []
    mid = (low + high) / 2
    starts, bright = [], True  # a recording that opens bright does not open with a flash
    for t, y in frames:
        if y > mid and not bright:
            starts.append(t)
        bright = y > mid
    return starts


def first_audio(path):
    """The pts of the first audio packet (s): the recording's audio may start after its video."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-read_intervals", "%+#1",
         "-show_entries", "packet=pts_time", "-of", "csv=p=0", path],
        check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]) if out else 0.0


def tones(path):
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-af",
         "aresample=async=1:min_hard_comp=0.005:first_pts=0", "-ac", "1", "-ar", str(RATE), "-f", "s16le", "-"],
        check=True, capture_output=True).stdout
    samples = array.array("h")
    samples.frombytes(raw[: len(raw) // 2 * 2])
    if not samples:
        return []
    peak = max(max(samples), -min(samples))
    if peak < 1000:  # silence
        return []
    threshold, quiet = peak // 10, int(0.3 * RATE)
    starts, last_loud = [], int(first_audio(path) * RATE)
    for i, s in enumerate(samples):
        if s > threshold or -s > threshold:
            if i - last_loud >= quiet:
                starts.append(i / RATE)
            last_loud = i
    return starts


def main():
    path = sys.argv[1]
    corner = "--corner" in sys.argv[2:]
    f, t = flashes(path, corner), tones(path)
    offsets = []
    for fl in f:
        if t:
            near = min(t, key=lambda x: abs(x - fl))
            if abs(near - fl) < 0.5:
                offsets.append(round((near - fl) * 1000, 1))
    print(json.dumps({
        "flashes": [round(x, 3) for x in f], "tones": [round(x, 4) for x in t],
        "offsets_ms": offsets, "pairs": len(offsets),
        "median_ms": statistics.median(offsets) if offsets else None,
        "max_abs_ms": max(abs(o) for o in offsets) if offsets else None}))


if __name__ == "__main__":
    main()

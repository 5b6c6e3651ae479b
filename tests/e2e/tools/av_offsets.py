#!/usr/bin/env python3
"""Lip-sync in a recording: where each white flash starts in the video and where each 1 kHz
tone burst starts in the audio, and the offsets between them (tone minus flash, ms).

Video: mean luma of every frame with its pts (ffprobe, lavfi signalstats); a flash starts at
the first frame brighter than mid-grey after a dark one. Audio: decoded to 48 kHz mono from
the file's time 0 (gaps filled with silence, so a sample's index is its time), RMS per 10 ms;
a burst starts at the first 10 ms window above a quarter of full scale after a quiet one.
Each flash is paired with the nearest burst. Prints one JSON object: flashes, tones, offsets.
"""
import array
import json
import math
import subprocess
import sys


def flashes(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-f", "lavfi", "-i", f"movie={path},signalstats",
         "-show_entries", "frame=pts_time:frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0"],
        check=True, capture_output=True, text=True).stdout
    starts, bright = [], False
    for line in out.splitlines():
        parts = line.split(",")
        if len(parts) < 2 or not parts[0] or not parts[1]:
            continue
        t, y = float(parts[0]), float(parts[1])
        if y > 128 and not bright:
            starts.append(t)
        bright = y > 128
    return starts


def tones(path):
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-af",
         "aresample=async=1:first_pts=0", "-ac", "1", "-ar", "48000", "-f", "s16le", "-"],
        check=True, capture_output=True).stdout
    samples = array.array("h")
    samples.frombytes(raw[: len(raw) // 2 * 2])
    win, starts, loud = 480, [], False
    for i in range(0, len(samples) - win + 1, win):
        rms = math.sqrt(sum(s * s for s in samples[i:i + win]) / win)
        if rms > 8192 and not loud:
            # Refine to the first sample above a tenth of full scale in this window.
            first = next((j for j in range(i, i + win) if abs(samples[j]) > 3277), i)
            starts.append(first / 48000)
        loud = rms > 8192
    return starts


def main():
    path = sys.argv[1]
    f, t = flashes(path), tones(path)
    offsets = []
    for fl in f:
        if t:
            near = min(t, key=lambda x: abs(x - fl))
            if abs(near - fl) < 0.5:
                offsets.append(round((near - fl) * 1000, 1))
    print(json.dumps({"flashes": f, "tones": t, "offsets_ms": offsets}))


if __name__ == "__main__":
    main()

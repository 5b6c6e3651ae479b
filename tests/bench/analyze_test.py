#!/usr/bin/env python3
"""confcast-bench's frame accounting on synthetic confcast-stamp --frames logs: one outcome per
frame sent (intact, damaged, never shown), unreadable pictures given to the frame they stand
for, repeated pictures counted as frozen time and not as frames, damage by PSNR against the
best any receiver got for the same frame.

  python3 tests/bench/analyze_test.py [REPO_ROOT]
"""
import os
import sys
import tempfile
import unittest

ROOT = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "bench"))
from confcastbench import analyze  # noqa: E402

FPS = 30
IV = 1_000_000 // FPS  # frame interval, us
T0 = 1_700_000_000_000_000  # capture time of frame 0, us
LAT = 20_000  # latency of every picture, us


def ok(n, psnr=40.0, at=None):
    a = T0 + n * IV + LAT if at is None else at
    return (a, "ok", n, T0 + n * IV, psnr, 0.95)


def rep(n, at):
    return (at, "rep", n, T0 + n * IV, 40.0, 0.95)


def bad(at):
    return (at, "bad", 0, 0, None, None)


class Outcomes(unittest.TestCase):
    def test_every_frame_intact(self):
        o = analyze.outcomes([ok(n) for n in range(10)], 10, FPS)
        self.assertEqual((o["intact"], o["damaged"], o["never_shown"]), (10, 0, 0))
        self.assertEqual((o["frozen_ms"], o["freezes"]), (0, 0))

    def test_one_outcome_per_frame_with_repeats_bad_pictures_and_gaps(self):
        # Frames 0-2 shown; 3 and 4 lost, the screen repeats frame 2 twice; 5 arrives with an
        # unreadable stamp; 6 shown; 7 never; 8 shown far below its clean level; 9 shown.
        frames = [ok(0), ok(1), ok(2),
                  rep(2, T0 + 3 * IV + LAT), rep(2, T0 + 4 * IV + LAT),
                  bad(T0 + 5 * IV + LAT), ok(6), ok(8, psnr=25.0), ok(9)]
        clean = {n: 40.0 for n in range(10)}
        o = analyze.outcomes(frames, 10, FPS, clean)
        # The unreadable picture came between frames 2 and 6: it stands for frame 3, the
        # lowest frame not shown there; 4 and 5 were never shown.
        self.assertEqual(o["state"], ["intact", "intact", "intact", "damaged", "never", "never",
                                      "intact", "never", "damaged", "intact"])
        self.assertEqual(o["intact"] + o["damaged"] + o["never_shown"], 10)
        self.assertEqual((o["intact"], o["damaged"], o["never_shown"]), (5, 2, 3))
        self.assertEqual(o["repeated_pictures"], 2)  # not frames
        self.assertEqual(o["bad_pictures"], 1)
        # New pictures at frames 3 (bad) and 6: 3 intervals apart, the screen held an old
        # picture for 2 intervals (66.7 ms); 6 to 8 is 2 intervals, not over the threshold.
        self.assertEqual(o["freezes"], 1)
        self.assertAlmostEqual(o["frozen_ms"], 2 * IV / 1000, delta=0.1)

    def test_psnr_within_a_db_of_the_clean_level_is_intact(self):
        clean = {0: 30.0, 1: 45.0}
        o = analyze.outcomes([ok(0, psnr=29.5), ok(1, psnr=43.0)], 2, FPS, clean)
        self.assertEqual(o["state"], ["intact", "damaged"])

    def test_a_bad_picture_between_consecutive_frames_is_extra_not_a_frame(self):
        o = analyze.outcomes([ok(0), bad(T0 + IV), ok(1), ok(2)], 3, FPS)
        self.assertEqual((o["intact"], o["damaged"], o["never_shown"]), (3, 0, 0))
        self.assertEqual(o["bad_pictures_extra"], 1)

    def test_frames_missing_at_the_end_count_as_frozen_time(self):
        o = analyze.outcomes([ok(n) for n in range(5)], 10, FPS)
        self.assertEqual(o["never_shown"], 5)
        self.assertEqual(o["freezes"], 1)
        self.assertAlmostEqual(o["frozen_ms"], 4 * IV / 1000, delta=0.1)  # frames 5..9 due

    def test_clean_level_is_the_best_any_receiver_got(self):
        a = [ok(0, psnr=31.0), ok(1, psnr=20.0)]
        b = [ok(0, psnr=30.0), ok(1, psnr=44.0), bad(T0 + 2 * IV)]
        self.assertEqual(analyze.clean_levels([a, b]), {0: 31.0, 1: 44.0})

    def test_numbers_never_sent_are_unreadable_pictures(self):
        frames = analyze.sanitize([ok(0), ok(4_000_000)], 10)
        self.assertEqual(frames[1][1], "bad")


class FramesLog(unittest.TestCase):
    def test_reads_both_line_formats(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("100 ok 0 90 38.50 0.9400\n130 bad 0 0 - -\n160 ok 2 150\ngarbage\n")
        try:
            frames = analyze.read_frames(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(frames, [(100, "ok", 0, 90, 38.5, 0.94), (130, "bad", 0, 0, None, None),
                                  (160, "ok", 2, 150, None, None)])


if __name__ == "__main__":
    unittest.main(verbosity=1)

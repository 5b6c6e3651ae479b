#!/usr/bin/env python3
"""confcast-bench's sweep reports on synthetic result documents: the rate-control table (one row
per system and encoder setting, frame-size peaks from confcast-send's figures, '-' where a
system has none) and the quality-against-bitrate plot (a curve per system, points in bitrate
order, none without two bitrates).

  python3 tests/bench/report_test.py [REPO_ROOT]
"""
import os
import re
import sys
import unittest

ROOT = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "bench"))
from confcastbench import html, report  # noqa: E402


def system(name, label, wire_kbps, psnr, frames=None):
    summary = {"wire_kbps": wire_kbps, "intact_pct": 100.0,
               "quality": {"psnr_db": {"mean": psnr}, "ssim": {"mean": 0.99}},
               "latency_ms": {"p50": 10.0, "p95": 20.0, "p99": 30.0, "max": 40.0}}
    return {"system": name, "name": label, "summary": summary, "sender": {"frames": frames}}


def run(bitrate, vbv_ms, sweep, systems):
    return {"scenario": f"lan-clean/{'/'.join(f'{k}={v}' for k, v in sweep.items())}",
            "sweep": sweep, "params": {"bitrate_kbps": bitrate},
            "encoder": {"bitrate_kbps": bitrate, "vbv_ms": vbv_ms, "intra_refresh": False},
            "systems": systems}


PEAKS = {"frames": 300, "keyframes": 5, "keyframe_bytes_max": 62_500,
         "keyframe_bytes_mean": 50_000, "delta_frame_bytes_max": 12_000}


class RateControl(unittest.TestCase):
    def test_a_row_per_system_and_setting_with_frame_peaks(self):
        doc = {"runs": [run(2500, 33, {"vbv_ms": 33}, [system("confcast", "confcast", 2100, 36.0, PEAKS),
                                                       system("gst", "GStreamer", 2500, 38.0)]),
                        run(2500, 200, {"vbv_ms": 200}, [system("confcast", "confcast", 2550, 38.5, PEAKS)])]}
        rows = [r for r in report.rate_control_markdown(doc) if r.startswith("| lan-clean")]
        self.assertEqual(len(rows), 3)
        cells = [c.strip() for c in rows[0].split("|")[1:-1]]
        self.assertEqual(cells[1:6], ["confcast", "2500", "33", "off", "2100"])
        self.assertEqual(cells[8:12], ["62.5", "50.0", "12.0", "200"])  # 62.5 kB at 2500 kbit/s
        gst = [c.strip() for c in rows[1].split("|")[1:-1]]
        self.assertEqual(gst[8:12], ["-", "-", "-", "-"])

    def test_no_table_when_every_run_has_the_same_settings(self):
        doc = {"runs": [run(2500, 200, {}, [system("confcast", "confcast", 2550, 38.5, PEAKS)]),
                        run(2500, 200, {"loss_pct": 2}, [system("confcast", "confcast", 2550, 38.5, PEAKS)])]}
        self.assertEqual(report.rate_control_markdown(doc), [])


class QualityPlot(unittest.TestCase):
    def test_a_curve_per_system_in_bitrate_order(self):
        doc = {"runs": [run(b, 200, {"bitrate": b}, [system("confcast", "confcast", b * 1.02, 30 + b / 500),
                                                    system("gst", "GStreamer", b * 1.01, 29 + b / 500)])
                        for b in (5000, 1000, 2500)]}
        svg = html.quality_svg(doc)
        self.assertIsNotNone(svg)
        self.assertEqual(svg.count('class="series"'), 2)
        self.assertIn('data-points="3"', svg)
        self.assertIn("luma PSNR", svg)
        # Points go left to right: the path's x coordinates increase.
        d = re.search(r'class="series" data-points="3" d="([^"]+)"', svg).group(1)
        nums = [float(x) for x in re.findall(r"[-\d.]+", d)]
        xs = nums[0::2]
        self.assertEqual(len(xs), 3)
        self.assertEqual(xs, sorted(xs))

    def test_none_at_one_bitrate(self):
        doc = {"runs": [run(2500, v, {"vbv_ms": v}, [system("confcast", "confcast", 2550, 38.5)])
                        for v in (33, 200)]}
        self.assertIsNone(html.quality_svg(doc))


# A pooled summary with every figure the main Markdown table reads.
POOLED = {"frames_intact": 300, "frames_expected": 300, "intact_pct": 100.0,
          "frames_damaged": 0, "frames_never_shown": 0, "frames_lost_after_repair": 0,
          "frozen_ms_per_receiver": 11.0, "quality": {}, "wire_kbps": 1450.0,
          "latency_ms": {"p50": 22.0, "p95": 50.0, "p99": 60.0, "max": 70.0},
          "abs_p50_ms": 21.0, "rtt_ms": 4.0, "receiver_cpu_pct": 20.0, "sender_cpu_pct": 8.9}


class SharedLoss(unittest.TestCase):
    def test_sender_cpu_split_into_user_and_kernel_beside_its_fec(self):
        summary = dict(POOLED,
                   receivers=16, feedback_packets=42, lost_packets=71,
                   feedback_per_lost_packet=42 / 71, sender_cpu_pct=8.9,
                   sender_cpu_user_pct=5.6, sender_cpu_sys_pct=3.3, sender_fec_packets=279)
        doc = {"runs": [{"scenario": "shared-loss-16", "params": {"sender_loss_pct": 5},
                         "systems": [{"system": "confcast", "name": "confcast", "summary": summary,
                                      "sender": {}}]}]}
        rows = [r for r in report.markdown(doc).splitlines()
                if r.startswith("| shared-loss-16 | 16 |")]
        self.assertEqual(len(rows), 1)
        cells = [c.strip() for c in rows[0].split("|")[1:-1]]
        self.assertEqual(cells[2:], ["42", "71", "0.592", "100.0%", "279", "8.9 (5.6 + 3.3)"])


class LatencyStages(unittest.TestCase):
    def test_stage_medians_averaged_over_receivers_in_pipeline_order(self):
        from confcastbench import analyze
        rs = [{"latency_stages_ms": {"send": 4.0, "spread": 0.2, "buffer": 0.1, "queue": 0.0,
                                     "decode": 3.0, "render": 2.0}},
              {"latency_stages_ms": {"send": 5.0, "spread": 0.4, "buffer": 0.3, "queue": 0.1,
                                     "decode": 2.0, "render": None}},
              {"latency_stages_ms": None}]  # a receiver that reported none is left out
        st = analyze.stage_medians(rs)
        self.assertEqual(list(st), list(analyze.STAGES))
        self.assertEqual(st, {"send": 4.5, "spread": 0.3, "buffer": 0.2, "queue": 0.05,
                              "decode": 2.5, "render": 2.0})
        self.assertIsNone(analyze.stage_medians([{"latency_stages_ms": None}]))

    def test_a_row_for_systems_that_split_their_latency_only(self):
        stages = {"send": 4.68, "spread": 0.29, "buffer": 0.05, "queue": 0.04, "decode": 3.05,
                  "render": 2.58}
        split = {"name": "confcast", "summary": dict(POOLED, latency_stages_p50_ms=stages),
                 "sender": {"frames": {"encode_ms_mean": 3.914, "send_out_ms_mean": 0.2}}}
        doc = {"runs": [{"scenario": "lan-clean", "params": {},
                         "systems": [split, {"name": "GStreamer", "summary": dict(POOLED)}]}]}
        rows = [r for r in report.markdown(doc).splitlines() if r.startswith("| lan-clean |")]
        staged = [r for r in rows if "4.68" in r]
        self.assertEqual(len(staged), 1, rows)
        cells = [c.strip() for c in staged[0].split("|")[1:-1]]
        self.assertEqual(cells, ["lan-clean", "confcast", "4.68", "0.29", "0.05", "0.04", "3.05",
                                 "2.58", "22.0", "3.91", "0.20"])


if __name__ == "__main__":
    unittest.main(verbosity=2)

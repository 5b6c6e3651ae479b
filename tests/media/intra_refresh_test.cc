// Periodic intra refresh (x264 intra-refresh) against periodic IDRs: the per-frame size peak
// (largest frame / mean frame over a steady stretch) drops, because the intra-coded macroblocks
// are spread over a column sweep of `gop` frames instead of landing in one frame; a forced
// keyframe (PLI/FIR) is still an IDR.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "confcast/media/frame.h"
#include "confcast/media/h264.h"
#include "confcast/rtp/annexb.h"

namespace confcast::media {
namespace {

struct Sizes {
  double peak_over_mean = 0;
  std::size_t max = 0;
  double mean = 0;
  int idrs = 0;
};

// libx264 flags refresh-start frames as key frames too: an IDR is what has an IDR slice.
bool IsIdr(const EncodedFrame& f) {
  for (auto nal : rtp::SplitAnnexB(f.data)) {
    if (!nal.empty() && rtp::IsNalType(nal[0], rtp::NalType::kIdr)) return true;
  }
  return false;
}

Sizes Encode(bool intra_refresh, int frames, int vbv_kbits = 0, int force_at = -1,
             bool* forced_was_idr = nullptr) {
  H264EncoderConfig c;
  c.width = 320;
  c.height = 240;
  c.fps = 30;
  c.bitrate_kbps = 600;
  c.gop = 30;
  c.threads = 1;
  c.intra_refresh = intra_refresh;
  c.vbv_kbits = vbv_kbits;
  auto enc = H264Encoder::Create(c);
  EXPECT_TRUE(enc);
  if (!enc) return {};
  std::vector<std::size_t> sizes;
  Sizes s;
  for (int i = 0; i < frames; ++i) {
    if (i == force_at) (*enc)->ForceKeyframe();
    VideoFrame f = SyntheticFrame(320, 240, static_cast<std::uint64_t>(i));
    f.pts = rtp::Duration{i * 33'333};
    auto au = (*enc)->Encode(f);
    EXPECT_TRUE(au && au->has_value());
    if (!au || !au->has_value()) return {};
    if (i == force_at && forced_was_idr) *forced_was_idr = IsIdr(**au);
    if (IsIdr(**au)) ++s.idrs;
    if (i > 0) sizes.push_back((*au)->data.size());  // the first frame is an IDR either way
  }
  s.max = *std::max_element(sizes.begin(), sizes.end());
  s.mean = static_cast<double>(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0})) /
           static_cast<double>(sizes.size());
  s.peak_over_mean = static_cast<double>(s.max) / s.mean;
  return s;
}

void Print(const char* what, const Sizes& s) {
  std::printf("%-34s max %5zu B  mean %5.0f B  max/mean %.2f  IDRs %d\n", what, s.max, s.mean,
              s.peak_over_mean, s.idrs);
}

// confcast's default VBV is one frame (bitrate / fps): x264 then squeezes an IDR into about a
// frame's size, so the size peak is small and an IDR shows as a quality dip instead. With a
// one-second VBV, the usual streaming setting, an IDR is several frames' worth.
TEST(IntraRefresh, FrameSizePeakDropsAgainstPeriodicIdrs) {
  const Sizes idr_1s = Encode(false, 91, 600);
  const Sizes refresh_1s = Encode(true, 91, 600);
  const Sizes idr_frame = Encode(false, 91);
  const Sizes refresh_frame = Encode(true, 91);
  Print("periodic IDR, gop 30, VBV 1 s:", idr_1s);
  Print("intra refresh, gop 30, VBV 1 s:", refresh_1s);
  Print("periodic IDR, gop 30, VBV 1 frame:", idr_frame);
  Print("intra refresh, gop 30, VBV 1 frame:", refresh_frame);
  EXPECT_EQ(idr_1s.idrs, 4);      // frames 0, 30, 60, 90
  EXPECT_EQ(refresh_1s.idrs, 1);  // only the first
  EXPECT_LT(refresh_1s.peak_over_mean, idr_1s.peak_over_mean * 0.7);
  EXPECT_LE(refresh_frame.peak_over_mean, idr_frame.peak_over_mean * 1.05);
}

TEST(IntraRefresh, ForcedKeyframeIsStillAnIdr) {
  bool was_idr = false;
  const Sizes s = Encode(true, 20, 0, 10, &was_idr);
  EXPECT_TRUE(was_idr);
  EXPECT_EQ(s.idrs, 2);
}

}  // namespace
}  // namespace confcast::media

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

namespace confcast::media {
namespace {

struct Sizes {
  double peak_over_mean = 0;
  std::size_t max = 0;
  double mean = 0;
  int idrs = 0;
};

Sizes Encode(bool intra_refresh, int frames, int force_at = -1, bool* forced_was_idr = nullptr) {
  H264EncoderConfig c;
  c.width = 320;
  c.height = 240;
  c.fps = 30;
  c.bitrate_kbps = 600;
  c.gop = 30;
  c.threads = 1;
  c.intra_refresh = intra_refresh;
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
    if (i == force_at && forced_was_idr) *forced_was_idr = (*au)->keyframe;
    if ((*au)->keyframe) ++s.idrs;
    if (i > 0) sizes.push_back((*au)->data.size());  // the first frame is an IDR either way
  }
  s.max = *std::max_element(sizes.begin(), sizes.end());
  s.mean = static_cast<double>(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0})) /
           static_cast<double>(sizes.size());
  s.peak_over_mean = static_cast<double>(s.max) / s.mean;
  return s;
}

TEST(IntraRefresh, FrameSizePeakDropsAgainstPeriodicIdrs) {
  const Sizes idr = Encode(false, 91);
  const Sizes refresh = Encode(true, 91);
  std::printf("periodic IDR (gop 30):  max %zu B, mean %.0f B, max/mean %.2f, IDRs %d\n", idr.max,
              idr.mean, idr.peak_over_mean, idr.idrs);
  std::printf("intra refresh (gop 30): max %zu B, mean %.0f B, max/mean %.2f, IDRs %d\n",
              refresh.max, refresh.mean, refresh.peak_over_mean, refresh.idrs);
  EXPECT_EQ(idr.idrs, 4);      // frames 0, 30, 60, 90
  EXPECT_EQ(refresh.idrs, 1);  // only the first
  EXPECT_LT(refresh.peak_over_mean, idr.peak_over_mean * 0.7);
}

TEST(IntraRefresh, ForcedKeyframeIsStillAnIdr) {
  bool was_idr = false;
  const Sizes s = Encode(true, 20, 10, &was_idr);
  EXPECT_TRUE(was_idr);
  EXPECT_EQ(s.idrs, 2);
}

}  // namespace
}  // namespace confcast::media

// H.264 encode/decode round trips at a small size (fast under ASan).
#include "confcast/media/h264.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "confcast/media/frame.h"

namespace confcast::media {
namespace {

constexpr int kW = 320;
constexpr int kH = 240;

double Psnr(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  double se = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = double(a[i]) - double(b[i]);
    se += d * d;
  }
  const double mse = se / double(a.size());
  return mse == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

int NalType(std::span<const std::uint8_t> nal) {
  return nal.empty() ? -1 : nal[0] & 0x1f;
}

H264EncoderConfig SmallConfig() {
  H264EncoderConfig c;
  c.width = kW;
  c.height = kH;
  c.fps = 30;
  c.bitrate_kbps = 1500;
  c.gop = 1000;
  c.threads = 1;
  return c;
}

TEST(H264, RoundTripPsnrAboveFloor) {
  auto enc = H264Encoder::Create(SmallConfig());
  ASSERT_TRUE(enc) << enc.error().message;
  auto dec = H264Decoder::Create();
  ASSERT_TRUE(dec) << dec.error().message;
  constexpr int kFrames = 30;
  double min_psnr = 99;
  for (int i = 0; i < kFrames; ++i) {
    VideoFrame in = SyntheticFrame(kW, kH, static_cast<std::uint64_t>(i));
    in.pts = rtp::Duration{i * 33'333};
    in.capture_time = rtp::Timestamp{1'700'000'000'000'000 + i * 33'333};
    auto au = (*enc)->Encode(in);
    ASSERT_TRUE(au) << au.error().message;
    ASSERT_TRUE(au->has_value()) << "zerolatency must not hold frames back";
    EXPECT_EQ((*au)->capture_time, in.capture_time);
    EXPECT_EQ((*au)->keyframe, i == 0);
    auto out = (*dec)->Decode(**au);
    ASSERT_FALSE(out.error) << out.error_text;
    ASSERT_TRUE(out.frame) << "low-delay decoding yields a picture per access unit, frame " << i;
    EXPECT_EQ(out.frame->capture_time, in.capture_time);
    ASSERT_EQ(out.frame->width, kW);
    ASSERT_EQ(out.frame->height, kH);
    min_psnr = std::min(min_psnr, Psnr(in.Y(), out.frame->Y()));
  }
  // ultrafast at 1.5 Mbit/s for 320x240 is well above 30 dB on this pattern.
  EXPECT_GT(min_psnr, 30.0);
}

TEST(H264, FirstFrameIsIdrWithSpsPps) {
  auto enc = H264Encoder::Create(SmallConfig());
  ASSERT_TRUE(enc);
  auto au = (*enc)->Encode(SyntheticFrame(kW, kH, 0));
  ASSERT_TRUE(au && *au);
  ASSERT_GE((*au)->data.size(), 4u);
  EXPECT_EQ((*au)->data[0], 0);
  EXPECT_EQ((*au)->data[1], 0);
  std::vector<int> types;
  for (auto nal : SplitAnnexB((*au)->data)) types.push_back(NalType(nal));
  EXPECT_NE(std::find(types.begin(), types.end(), 7), types.end()) << "SPS";
  EXPECT_NE(std::find(types.begin(), types.end(), 8), types.end()) << "PPS";
  EXPECT_NE(std::find(types.begin(), types.end(), 5), types.end()) << "IDR slice";
}

TEST(H264, ForcedKeyframeArrivesWhenAskedWithHeaders) {
  auto enc = H264Encoder::Create(SmallConfig());
  ASSERT_TRUE(enc);
  for (int i = 0; i < 12; ++i) {
    if (i == 7) (*enc)->ForceKeyframe();
    auto au = (*enc)->Encode(SyntheticFrame(kW, kH, static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(au && *au);
    bool has_idr = false, has_sps = false;
    for (auto nal : SplitAnnexB((*au)->data)) {
      has_idr |= NalType(nal) == 5;
      has_sps |= NalType(nal) == 7;
    }
    const bool want = i == 0 || i == 7;
    EXPECT_EQ((*au)->keyframe, want) << "frame " << i;
    EXPECT_EQ(has_idr, want) << "frame " << i;
    EXPECT_EQ(has_sps, want) << "SPS repeated with every IDR, frame " << i;
  }
}

TEST(H264, SliceCapKeepsEveryNalWithinCap) {
  H264EncoderConfig c = SmallConfig();
  c.max_slice_bytes = 400;
  c.bitrate_kbps = 3000;
  auto enc = H264Encoder::Create(c);
  ASSERT_TRUE(enc) << enc.error().message;
  auto dec = H264Decoder::Create();
  ASSERT_TRUE(dec);
  std::size_t slices = 0;
  for (int i = 0; i < 10; ++i) {
    auto au = (*enc)->Encode(SyntheticFrame(kW, kH, static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(au && *au);
    for (auto nal : SplitAnnexB((*au)->data)) {
      EXPECT_LE(nal.size(), 400u) << "NAL type " << NalType(nal) << " in frame " << i;
      if (NalType(nal) == 1 || NalType(nal) == 5) ++slices;
    }
    auto out = (*dec)->Decode(**au);
    EXPECT_FALSE(out.error) << out.error_text;
  }
  EXPECT_GT(slices, 10u) << "a 400-byte cap must split frames into several slices";
}

TEST(H264, IntraRefreshEncodesAndDecodes) {
  H264EncoderConfig c = SmallConfig();
  c.intra_refresh = true;
  auto enc = H264Encoder::Create(c);
  ASSERT_TRUE(enc) << enc.error().message;
  auto dec = H264Decoder::Create();
  ASSERT_TRUE(dec);
  for (int i = 0; i < 10; ++i) {
    auto au = (*enc)->Encode(SyntheticFrame(kW, kH, static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(au && *au);
    EXPECT_FALSE((*dec)->Decode(**au).error);
  }
}

TEST(H264, SliceThreadedDecoderHasNoFrameDelay) {
  H264EncoderConfig c = SmallConfig();
  c.threads = 2;  // x264 sliced threads: two slices per picture
  auto enc = H264Encoder::Create(c);
  auto dec = H264Decoder::Create(2);
  ASSERT_TRUE(enc && dec);
  for (int i = 0; i < 5; ++i) {
    auto au = (*enc)->Encode(SyntheticFrame(kW, kH, static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(au && *au);
    auto out = (*dec)->Decode(**au);
    EXPECT_FALSE(out.error) << out.error_text;
    EXPECT_TRUE(out.frame) << "picture " << i << " must come out of its own Decode call";
  }
}

TEST(H264, ScalesOtherSizesToConfiguredSize) {
  auto enc = H264Encoder::Create(SmallConfig());
  ASSERT_TRUE(enc);
  auto dec = H264Decoder::Create();
  ASSERT_TRUE(dec);
  auto au = (*enc)->Encode(SyntheticFrame(640, 480, 0));
  ASSERT_TRUE(au && *au);
  auto out = (*dec)->Decode(**au);
  ASSERT_TRUE(out.frame);
  EXPECT_EQ(out.frame->width, kW);
  EXPECT_EQ(out.frame->height, kH);
}

TEST(H264, RejectsOddSizeAndBadFrame) {
  H264EncoderConfig c = SmallConfig();
  c.width = 321;
  auto bad = H264Encoder::Create(c);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("even"), std::string::npos);
  auto enc = H264Encoder::Create(SmallConfig());
  ASSERT_TRUE(enc);
  VideoFrame f = SyntheticFrame(kW, kH, 0);
  f.i420.resize(10);
  EXPECT_FALSE((*enc)->Encode(f));
}

TEST(H264, DecoderReportsErrorsAndKeepsLastGoodPicture) {
  auto enc = H264Encoder::Create(SmallConfig());
  ASSERT_TRUE(enc);
  auto dec = H264Decoder::Create();
  ASSERT_TRUE(dec);
  EXPECT_EQ((*dec)->last_good_picture(), nullptr);
  auto au0 = (*enc)->Encode(SyntheticFrame(kW, kH, 0));
  ASSERT_TRUE(au0 && *au0);
  auto first = (*dec)->Decode(**au0);
  ASSERT_TRUE(first.frame);
  ASSERT_NE((*dec)->last_good_picture(), nullptr);
  const VideoFrame good = *(*dec)->last_good_picture();

  // Garbage: a slice NAL header followed by noise.
  std::vector<std::uint8_t> junk = {0, 0, 0, 1, 0x41};
  for (int i = 0; i < 200; ++i) junk.push_back(static_cast<std::uint8_t>(i * 37 + 11));
  auto bad = (*dec)->Decode(junk, rtp::Duration{1}, rtp::Timestamp{1});
  EXPECT_TRUE(bad.error);
  EXPECT_FALSE(bad.error_text.empty());
  EXPECT_GE((*dec)->error_count(), 1u);
  ASSERT_NE((*dec)->last_good_picture(), nullptr);
  EXPECT_EQ((*dec)->last_good_picture()->i420, good.i420);

  auto empty = (*dec)->Decode(std::span<const std::uint8_t>{}, rtp::Duration{2}, rtp::Timestamp{2});
  EXPECT_TRUE(empty.error);
}

TEST(AnnexB, SplitsThreeAndFourByteStartCodes) {
  const std::vector<std::uint8_t> s = {0,    0, 0, 1, 0x67, 1, 2,    0, 0, 1,
                                       0x68, 3, 0, 0, 0,    1, 0x65, 4, 5};
  auto nals = SplitAnnexB(s);
  ASSERT_EQ(nals.size(), 3u);
  EXPECT_EQ(nals[0].size(), 3u);
  EXPECT_EQ(nals[1].size(), 2u);
  EXPECT_EQ(nals[2].size(), 3u);
  EXPECT_EQ(nals[2][0], 0x65);
  EXPECT_TRUE(SplitAnnexB(std::vector<std::uint8_t>{}).empty());
  EXPECT_TRUE(SplitAnnexB(std::vector<std::uint8_t>{0, 0}).empty());
}

}  // namespace
}  // namespace confcast::media

namespace confcast::media {
namespace {

// One lost slice (what one lost RTP packet costs with the slice cap on): the decoder still gives
// a picture, flags the access unit as damaged, and keeps the last clean picture unchanged.
TEST(H264, LostSliceIsReportedAndConcealed) {
  H264EncoderConfig c = SmallConfig();
  c.max_slice_bytes = 300;
  c.bitrate_kbps = 3000;
  auto enc = H264Encoder::Create(c);
  auto dec = H264Decoder::Create();
  ASSERT_TRUE(enc && dec);
  for (int i = 0; i < 8; ++i) {
    auto au = (*enc)->Encode(SyntheticFrame(kW, kH, static_cast<std::uint64_t>(i)));
    ASSERT_TRUE(au && *au);
    if (i < 7) {
      ASSERT_FALSE((*dec)->Decode(**au).error);
      continue;
    }
    const VideoFrame good = *(*dec)->last_good_picture();
    auto nals = SplitAnnexB((*au)->data);
    ASSERT_GE(nals.size(), 3u) << "the cap must cut frame 7 into several slices";
    std::vector<std::uint8_t> damaged;
    for (std::size_t n = 0; n < nals.size(); ++n) {
      if (n == nals.size() / 2) continue;  // the lost packet
      damaged.insert(damaged.end(), {0, 0, 0, 1});
      damaged.insert(damaged.end(), nals[n].begin(), nals[n].end());
    }
    auto out = (*dec)->Decode(damaged, rtp::Duration{7}, rtp::Timestamp{7});
    EXPECT_TRUE(out.frame) << "a damaged frame is still shown (concealed)";
    EXPECT_TRUE(out.error) << "the damage is reported";
    EXPECT_EQ((*dec)->last_good_picture()->i420, good.i420);
  }
}

}  // namespace
}  // namespace confcast::media

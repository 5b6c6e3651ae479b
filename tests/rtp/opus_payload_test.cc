#include "confcast/rtp/opus_payload.h"

#include <gtest/gtest.h>

#include <vector>

namespace confcast::rtp {
namespace {

constexpr std::uint8_t Toc(std::uint8_t config, bool stereo, std::uint8_t code) {
  return static_cast<std::uint8_t>(config << 3 | (stereo ? 0x04 : 0) | code);
}

// RFC 6716 Table 2, one row per configuration: mode, bandwidth, frame size in 48 kHz samples.
TEST(OpusToc, AllConfigurations) {
  struct Row {
    OpusMode mode;
    OpusBandwidth bandwidth;
    std::uint32_t samples;
  };
  using M = OpusMode;
  using B = OpusBandwidth;
  const Row rows[32] = {
      {M::kSilk, B::kNarrowband, 480},      {M::kSilk, B::kNarrowband, 960},
      {M::kSilk, B::kNarrowband, 1920},     {M::kSilk, B::kNarrowband, 2880},
      {M::kSilk, B::kMediumband, 480},      {M::kSilk, B::kMediumband, 960},
      {M::kSilk, B::kMediumband, 1920},     {M::kSilk, B::kMediumband, 2880},
      {M::kSilk, B::kWideband, 480},        {M::kSilk, B::kWideband, 960},
      {M::kSilk, B::kWideband, 1920},       {M::kSilk, B::kWideband, 2880},
      {M::kHybrid, B::kSuperWideband, 480}, {M::kHybrid, B::kSuperWideband, 960},
      {M::kHybrid, B::kFullband, 480},      {M::kHybrid, B::kFullband, 960},
      {M::kCelt, B::kNarrowband, 120},      {M::kCelt, B::kNarrowband, 240},
      {M::kCelt, B::kNarrowband, 480},      {M::kCelt, B::kNarrowband, 960},
      {M::kCelt, B::kWideband, 120},        {M::kCelt, B::kWideband, 240},
      {M::kCelt, B::kWideband, 480},        {M::kCelt, B::kWideband, 960},
      {M::kCelt, B::kSuperWideband, 120},   {M::kCelt, B::kSuperWideband, 240},
      {M::kCelt, B::kSuperWideband, 480},   {M::kCelt, B::kSuperWideband, 960},
      {M::kCelt, B::kFullband, 120},        {M::kCelt, B::kFullband, 240},
      {M::kCelt, B::kFullband, 480},        {M::kCelt, B::kFullband, 960},
  };
  for (std::uint8_t config = 0; config < 32; ++config) {
    const OpusToc toc = ParseOpusToc(Toc(config, config % 2 == 1, config % 4));
    EXPECT_EQ(toc.config, config);
    EXPECT_EQ(toc.mode, rows[config].mode) << int{config};
    EXPECT_EQ(toc.bandwidth, rows[config].bandwidth) << int{config};
    EXPECT_EQ(toc.frame_samples, rows[config].samples) << int{config};
    EXPECT_EQ(toc.stereo, config % 2 == 1);
    EXPECT_EQ(toc.code, config % 4);
  }
}

TEST(OpusPayload, Code0IsOneFrame) {
  // config 31 (CELT FB 20 ms), mono, code 0, then 3 bytes of frame.
  const std::vector<std::uint8_t> p = {Toc(31, false, 0), 0xaa, 0xbb, 0xcc};
  const auto info = ParseOpusPayload(p);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->frame_count, 1u);
  EXPECT_EQ(info->duration_samples, 960u);
  // A TOC byte alone is a valid packet: one zero-length frame (DTX).
  EXPECT_EQ(ParseOpusPayload(std::vector<std::uint8_t>{Toc(1, false, 0)})->duration_samples, 960u);
}

TEST(OpusPayload, Code1IsTwoEqualFrames) {
  const std::vector<std::uint8_t> p = {Toc(3, true, 1), 1, 2, 3, 4};  // SILK NB 60 ms x 2
  const auto info = ParseOpusPayload(p);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->frame_count, 2u);
  EXPECT_EQ(info->duration_samples, 5760u);  // 120 ms: the maximum
  EXPECT_TRUE(info->toc.stereo);
  const std::vector<std::uint8_t> odd = {Toc(3, true, 1), 1, 2, 3};
  EXPECT_EQ(ParseOpusPayload(odd), std::unexpected(OpusError::kUnevenCbrLength));
}

TEST(OpusPayload, Code2IsTwoFramesWithALength) {
  const std::vector<std::uint8_t> p = {Toc(13, false, 2), 2, 0xa, 0xb, 0xc};  // hybrid 20 ms
  const auto info = ParseOpusPayload(p);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->frame_count, 2u);
  EXPECT_EQ(info->duration_samples, 1920u);
  // Two-byte length: 252 + 4 * 1 = 256 bytes for the first frame, but only 3 follow.
  const std::vector<std::uint8_t> overrun = {Toc(13, false, 2), 252, 1, 0, 0, 0};
  EXPECT_EQ(ParseOpusPayload(overrun), std::unexpected(OpusError::kFrameOverrun));
  const std::vector<std::uint8_t> missing = {Toc(13, false, 2)};
  EXPECT_EQ(ParseOpusPayload(missing), std::unexpected(OpusError::kMissingLength));
  const std::vector<std::uint8_t> half = {Toc(13, false, 2), 253};
  EXPECT_EQ(ParseOpusPayload(half), std::unexpected(OpusError::kMissingLength));
}

TEST(OpusPayload, Code3CountsFrames) {
  // CELT FB 2.5 ms x 48 frames = 120 ms, CBR, no padding, 48 frames of 1 byte.
  std::vector<std::uint8_t> p = {Toc(28, false, 3), 48};
  p.resize(2 + 48, 0x55);
  auto info = ParseOpusPayload(p);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->frame_count, 48u);
  EXPECT_EQ(info->duration_samples, 5760u);

  // 49 frames of 2.5 ms is 122.5 ms: too long.
  p = {Toc(28, false, 3), 49};
  p.resize(2 + 49, 0x55);
  EXPECT_EQ(ParseOpusPayload(p), std::unexpected(OpusError::kTooLong));
  // SILK 60 ms x 3 = 180 ms.
  EXPECT_EQ(ParseOpusPayload(std::vector<std::uint8_t>{Toc(3, false, 3), 3}),
            std::unexpected(OpusError::kTooLong));
  EXPECT_EQ(ParseOpusPayload(std::vector<std::uint8_t>{Toc(3, false, 3), 0}),
            std::unexpected(OpusError::kZeroFrames));
  EXPECT_EQ(ParseOpusPayload(std::vector<std::uint8_t>{Toc(3, false, 3)}),
            std::unexpected(OpusError::kMissingFrameCount));
}

TEST(OpusPayload, Code3VbrWithPadding) {
  // CELT WB 10 ms x 3 frames, VBR and padded: count byte |v=1|p=1|M=3|, padding length 2,
  // frame lengths 1 and 2, then frames of 1, 2 and 1 bytes, then 2 bytes of padding.
  const std::vector<std::uint8_t> p = {Toc(22, false, 3), 0xc3, 2, 1, 2, 0xa, 0xb, 0xb, 0xc, 0, 0};
  const auto info = ParseOpusPayload(p);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->frame_count, 3u);
  EXPECT_EQ(info->duration_samples, 1440u);
  // Padding longer than the packet.
  const std::vector<std::uint8_t> pad = {Toc(22, false, 3), 0x41, 200, 0xa};
  EXPECT_EQ(ParseOpusPayload(pad), std::unexpected(OpusError::kBadPadding));
  const std::vector<std::uint8_t> pad_cut = {Toc(22, false, 3), 0x41, 255};
  EXPECT_EQ(ParseOpusPayload(pad_cut), std::unexpected(OpusError::kBadPadding));
  // VBR lengths that add up to more than the packet.
  const std::vector<std::uint8_t> vbr = {Toc(22, false, 3), 0x82, 5, 0xa};
  EXPECT_EQ(ParseOpusPayload(vbr), std::unexpected(OpusError::kFrameOverrun));
  // CBR bytes not divisible by the count.
  const std::vector<std::uint8_t> cbr = {Toc(22, false, 3), 0x02, 0xa, 0xb, 0xc};
  EXPECT_EQ(ParseOpusPayload(cbr), std::unexpected(OpusError::kUnevenCbrLength));
}

TEST(OpusPayload, RejectsEmptyAndOversizedFrames) {
  EXPECT_EQ(ParseOpusPayload({}), std::unexpected(OpusError::kEmpty));
  std::vector<std::uint8_t> big(1 + 1276, 0);
  big[0] = Toc(31, false, 0);
  EXPECT_EQ(ParseOpusPayload(big), std::unexpected(OpusError::kFrameTooLarge));
  big.pop_back();
  EXPECT_TRUE(ParseOpusPayload(big).has_value());
}

}  // namespace
}  // namespace confcast::rtp

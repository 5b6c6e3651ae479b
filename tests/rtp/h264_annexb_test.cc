#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/base64.h"
#include "confcast/rtp/h264.h"

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;

std::vector<Buf> Split(const Buf& stream) {
  std::vector<Buf> out;
  for (const auto nal : SplitAnnexB(stream)) out.emplace_back(nal.begin(), nal.end());
  return out;
}

TEST(NalHeader, Accessors) {
  EXPECT_FALSE(NalForbiddenBit(0x67));
  EXPECT_EQ(NalRefIdc(0x67), 3);
  EXPECT_EQ(NalTypeBits(0x67), 7);
  EXPECT_TRUE(IsNalType(0x67, NalType::kSps));
  EXPECT_TRUE(IsNalType(0x68, NalType::kPps));
  EXPECT_TRUE(IsNalType(0x65, NalType::kIdr));
  EXPECT_TRUE(IsNalType(0x06, NalType::kSei));
  EXPECT_TRUE(IsNalType(0x09, NalType::kAud));
  EXPECT_TRUE(NalForbiddenBit(0xe5));
  EXPECT_EQ(NalRefIdc(0x41), 2);
  EXPECT_EQ(MakeNalHeader(false, 3, 24), 0x78);
  EXPECT_EQ(MakeNalHeader(true, 0, 28), 0x9c);
}

TEST(AnnexB, FourByteStartCodes) {
  const Buf s = {0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3};
  EXPECT_EQ(Split(s), (std::vector<Buf>{{0x67, 1, 2}, {0x68, 3}}));
}

TEST(AnnexB, ThreeByteStartCodes) {
  const Buf s = {0, 0, 1, 0x65, 9, 0, 0, 1, 0x41, 7};
  EXPECT_EQ(Split(s), (std::vector<Buf>{{0x65, 9}, {0x41, 7}}));
}

TEST(AnnexB, MixedStartCodes) {
  const Buf s = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x67, 5, 0, 0, 0, 1, 0x68, 6, 0, 0, 1, 0x65, 7};
  EXPECT_EQ(Split(s), (std::vector<Buf>{{0x09, 0xf0}, {0x67, 5}, {0x68, 6}, {0x65, 7}}));
}

TEST(AnnexB, TrailingZerosAreNotPartOfTheNal) {
  const Buf s = {0, 0, 0, 1, 0x67, 1, 0, 0, 0, 0, 0, 1, 0x68, 2, 0, 0, 0};
  EXPECT_EQ(Split(s), (std::vector<Buf>{{0x67, 1}, {0x68, 2}}));
}

TEST(AnnexB, NoStartCodeMeansNoNals) {
  EXPECT_TRUE(Split({}).empty());
  EXPECT_TRUE(Split({0x65, 1, 2, 3}).empty());
  EXPECT_TRUE(Split({0, 0}).empty());
  EXPECT_TRUE(Split({0, 1, 0, 1}).empty());
  EXPECT_TRUE(Split({0, 0, 1}).empty());
  EXPECT_TRUE(Split({0, 0, 0, 1, 0, 0}).empty());
}

TEST(AnnexB, SkipsLeadingBytesAndEmptyNals) {
  const Buf s = {0x12, 0x34, 0, 0, 1, 0, 0, 1, 0x09, 0xf0, 0, 0, 1};
  EXPECT_EQ(Split(s), (std::vector<Buf>{{0x09, 0xf0}}));
}

TEST(AnnexB, NearStartCodesStayInside) {
  // 00 00 02 and 00 00 03 (emulation prevention) are not start codes.
  const Buf s = {0, 0, 1, 0x65, 0, 0, 2, 0, 0, 3, 1, 7};
  EXPECT_EQ(Split(s), (std::vector<Buf>{{0x65, 0, 0, 2, 0, 0, 3, 1, 7}}));
}

TEST(AnnexB, ReaderMatchesSplitAndJoinRoundTrips) {
  const Buf s = {0, 0, 1, 0x67, 5, 0, 0, 1, 0x68, 6};
  AnnexBReader reader(s);
  ASSERT_EQ(reader.Next()->size(), 2u);
  ASSERT_EQ(reader.Next()->size(), 2u);
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.Next().has_value());
  const auto nals = SplitAnnexB(s);
  EXPECT_EQ(JoinAnnexB(nals), (Buf{0, 0, 0, 1, 0x67, 5, 0, 0, 0, 1, 0x68, 6}));
}

const Buf kSps = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16};
const Buf kPps = {0x68, 0xce, 0x3c, 0x80};

TEST(H264Sdp, ProfileLevelIdFromSps) {
  const auto id = ProfileLevelIdFromSps(kSps);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, (ProfileLevelId{0x42, 0xc0, 0x1f}));
  EXPECT_EQ(FormatProfileLevelId(*id), "42c01f");
  EXPECT_EQ(ParseProfileLevelId("42C01F"), *id);
  EXPECT_EQ(ProfileLevelIdFromSps(kPps), std::unexpected(H264SdpError::kNotSps));
  EXPECT_EQ(ProfileLevelIdFromSps(Buf{}), std::unexpected(H264SdpError::kNotSps));
  EXPECT_EQ(ProfileLevelIdFromSps(Buf{0x67, 0x42, 0xc0}), std::unexpected(H264SdpError::kTooShort));
  EXPECT_EQ(ParseProfileLevelId("42c01"), std::unexpected(H264SdpError::kBadHex));
  EXPECT_EQ(ParseProfileLevelId("42c01g"), std::unexpected(H264SdpError::kBadHex));
  EXPECT_EQ(ParseProfileLevelId("42c01f0"), std::unexpected(H264SdpError::kBadHex));
}

TEST(H264Sdp, SpropParameterSetsRoundTrip) {
  const std::span<const std::uint8_t> sets[] = {kSps, kPps};
  const std::string text = FormatSpropParameterSets(sets);
  EXPECT_EQ(text, "Z0LAH9oBQBY=,aM48gA==");
  const auto parsed = ParseSpropParameterSets(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<Buf>{kSps, kPps}));
  EXPECT_EQ(ParseSpropParameterSets(""), std::unexpected(H264SdpError::kEmpty));
  EXPECT_EQ(ParseSpropParameterSets("Z0LAH9oBQBY=,"), std::unexpected(H264SdpError::kEmpty));
  EXPECT_EQ(ParseSpropParameterSets("Z0LAH9oBQBY"), std::unexpected(H264SdpError::kBadBase64));
}

// An encoder's real parameter sets (High 4:4:4 profile, level 1.3), as an SDP carries them.
TEST(H264Sdp, ParametersFromARealSdp) {
  const auto sets = ParseSpropParameterSets("Z/QADZGWQFB+wEQAAAMABAAAAwDyPFCpIA==,aOvDxEhE");
  ASSERT_TRUE(sets.has_value());
  ASSERT_EQ(sets->size(), 2u);
  EXPECT_TRUE(IsNalType((*sets)[0][0], NalType::kSps));
  EXPECT_TRUE(IsNalType((*sets)[1][0], NalType::kPps));
  EXPECT_EQ((*sets)[1], (Buf{0x68, 0xeb, 0xc3, 0xc4, 0x48, 0x44}));
  const auto id = ProfileLevelIdFromSps((*sets)[0]);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(FormatProfileLevelId(*id), "f4000d");
  EXPECT_EQ(ParseProfileLevelId("F4000D"), *id);
}

}  // namespace
}  // namespace confcast::rtp

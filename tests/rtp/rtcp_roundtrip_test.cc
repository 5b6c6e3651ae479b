// RTCP serialization: Parse(Serialize(x)) == x for every packet type and for compounds, the
// serializer's own errors, and the report-block split (RFC 3550 6.4.2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "confcast/rtp/rtcp.h"

namespace confcast::rtp {
namespace {

ReportBlock Block(std::uint32_t i) {
  return ReportBlock{0x1000 + i,
                     static_cast<std::uint8_t>(i),
                     -static_cast<std::int32_t>(i),
                     0x20000 + i,
                     7 * i,
                     0xabcd0000 + i,
                     65536 + i};
}

template <typename T>
void ExpectRoundTrip(const T& x) {
  auto bytes = Serialize(x);
  ASSERT_TRUE(bytes.has_value()) << RtcpErrorText(bytes.error());
  EXPECT_EQ(bytes->size(), SerializedSize(x));
  EXPECT_EQ(bytes->size() % 4, 0u);
  auto parsed = ParseRtcpPacket(*bytes);
  ASSERT_TRUE(parsed.has_value()) << RtcpErrorText(parsed.error());
  ASSERT_TRUE(std::holds_alternative<T>(*parsed));
  EXPECT_EQ(std::get<T>(*parsed), x);
}

TEST(RtcpRoundTrip, SenderReport) {
  SenderReport sr{0xfeedface, NtpTime{0x0123456789abcdefull}, 0xffffffffu, 3, 4, {}, {}};
  ExpectRoundTrip(sr);
  sr.report_blocks = {Block(1), Block(2), Block(3)};
  sr.report_blocks[0].cumulative_lost = kMinCumulativeLost;
  sr.report_blocks[1].cumulative_lost = kMaxCumulativeLost;
  sr.profile_extension = {1, 2, 3, 4, 5, 6, 7, 8};
  ExpectRoundTrip(sr);
  for (std::uint32_t i = 4; i <= 31; ++i) sr.report_blocks.push_back(Block(i));
  ExpectRoundTrip(sr);  // 31 blocks: the most one packet carries
}

TEST(RtcpRoundTrip, ReceiverReport) {
  ExpectRoundTrip(ReceiverReport{1, {}, {}});
  ExpectRoundTrip(ReceiverReport{2, {Block(9)}, {0, 0, 0, 1}});
}

TEST(RtcpRoundTrip, SdesChunkPaddingForEveryItemLength) {
  // Item lengths 0..8 cover every position of the END octet within a word.
  for (std::size_t len = 0; len <= 8; ++len) {
    Sdes sdes{{SdesChunk{7, {{1, std::string(len, 'c')}}}}};
    ExpectRoundTrip(sdes);
    EXPECT_EQ(SerializedSize(sdes), 4 + 4 + ((2 + len + 1 + 3) / 4) * 4) << len;
  }
}

TEST(RtcpRoundTrip, SdesManyChunksAndItemTypes) {
  Sdes sdes;
  sdes.chunks.push_back({1, {}});  // a chunk with no items: SSRC + one null word
  sdes.chunks.push_back({2, {{1, "cname"}, {2, "name"}, {6, "tool"}, {3, "e@x"}, {4, "+1"}}});
  sdes.chunks.push_back({3, {{8, std::string("\x03prvvalue", 9)}, {99, "private"}}});
  sdes.chunks.push_back({4, {{7, std::string(255, 'n')}}});
  ExpectRoundTrip(sdes);
  ExpectRoundTrip(Sdes{});
}

TEST(RtcpRoundTrip, Bye) {
  ExpectRoundTrip(Bye{{1}, ""});
  ExpectRoundTrip(Bye{{}, "no ssrc"});
  ExpectRoundTrip(Bye{{1, 2, 3}, "x"});
  ExpectRoundTrip(Bye{{1}, "abc"});  // 1 + 3 bytes: no padding needed
  ExpectRoundTrip(Bye{{1}, std::string(255, 'r')});
}

TEST(RtcpRoundTrip, AppNackPliFir) {
  ExpectRoundTrip(App{31, 5, {'a', 'b', 'c', 'd'}, {}});
  ExpectRoundTrip(App{0, 5, {'Z', 'Z', 'Z', 'Z'}, {9, 9, 9, 9, 8, 8, 8, 8}});
  ExpectRoundTrip(Nack{1, 2, {}});
  ExpectRoundTrip(Nack{1, 2, {{0, 0}, {65535, 0xffff}, {32768, 1}}});
  ExpectRoundTrip(Pli{0xffffffff, 0});
  ExpectRoundTrip(Fir{1, {}});
  ExpectRoundTrip(Fir{1, {{2, 0}, {3, 255}, {4, 128}}});
}

TEST(RtcpRoundTrip, Unknown) {
  ExpectRoundTrip(UnknownRtcpPacket{207, 3, {1, 2, 3, 4}});
  ExpectRoundTrip(UnknownRtcpPacket{205, 15, {}});
  ExpectRoundTrip(UnknownRtcpPacket{206, 15, {0, 0, 0, 0, 1, 1, 1, 1}});
}

TEST(RtcpRoundTrip, CompoundStrict) {
  const RtcpCompound compound = {
      SenderReport{1, NtpTime{42}, 90000, 10, 12000, {Block(1)}, {}},
      Sdes{{SdesChunk{1, {{1, "me@here"}, {2, "Me"}}}}},
      Nack{1, 7, BuildNackItems(std::vector<std::uint16_t>{65530, 65535, 3})},
      Pli{1, 7},
      Fir{1, {{7, 3}}},
      App{1, 1, {'t', 'e', 's', 't'}, {}},
      Bye{{1}, "bye"},
  };
  auto bytes = Serialize(compound);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), SerializedSize(std::span<const RtcpPacket>(compound)));
  auto parsed = ParseRtcp(*bytes);  // strict
  ASSERT_TRUE(parsed.has_value()) << RtcpErrorText(parsed.error());
  EXPECT_EQ(*parsed, compound);
}

TEST(RtcpRoundTrip, SerializeErrors) {
  std::vector<ReportBlock> blocks(32);
  EXPECT_EQ(Serialize(ReceiverReport{1, blocks, {}}).error(), RtcpError::kTooManyEntries);
  EXPECT_EQ(Serialize(SenderReport{1, {}, 0, 0, 0, blocks, {}}).error(),
            RtcpError::kTooManyEntries);
  EXPECT_EQ(Serialize(ReceiverReport{1, {}, {1, 2}}).error(), RtcpError::kUnaligned);
  EXPECT_EQ(Serialize(Sdes{std::vector<SdesChunk>(32)}).error(), RtcpError::kTooManyEntries);
  EXPECT_EQ(Serialize(Sdes{{SdesChunk{1, {{1, std::string(256, 'x')}}}}}).error(),
            RtcpError::kValueTooLong);
  EXPECT_EQ(Serialize(Sdes{{SdesChunk{1, {{0, "end"}}}}}).error(), RtcpError::kBadItemType);
  EXPECT_EQ(Serialize(Bye{std::vector<std::uint32_t>(32), ""}).error(), RtcpError::kTooManyEntries);
  EXPECT_EQ(Serialize(Bye{{1}, std::string(256, 'x')}).error(), RtcpError::kValueTooLong);
  EXPECT_EQ(Serialize(App{32, 1, {}, {}}).error(), RtcpError::kBadCountField);
  EXPECT_EQ(Serialize(App{1, 1, {}, {1, 2, 3}}).error(), RtcpError::kUnaligned);
  EXPECT_EQ(Serialize(UnknownRtcpPacket{200, 0, {}}).error(), RtcpError::kReservedType);
  EXPECT_EQ(Serialize(UnknownRtcpPacket{205, 1, {}}).error(), RtcpError::kReservedType);
  EXPECT_EQ(Serialize(UnknownRtcpPacket{206, 4, {}}).error(), RtcpError::kReservedType);
  EXPECT_EQ(Serialize(UnknownRtcpPacket{207, 32, {}}).error(), RtcpError::kBadCountField);
  EXPECT_EQ(Serialize(Nack{1, 2, std::vector<NackItem>(65536)}).error(), RtcpError::kPacketTooLong);

  std::vector<std::uint8_t> small(SerializedSize(Pli{}) - 1);
  EXPECT_EQ(SerializeTo(Pli{}, small).error(), RtcpError::kBufferTooSmall);
  const RtcpCompound two = {ReceiverReport{}, Pli{}};
  std::vector<std::uint8_t> almost(SerializedSize(std::span<const RtcpPacket>(two)) - 4);
  EXPECT_EQ(SerializeTo(std::span<const RtcpPacket>(two), almost).error(),
            RtcpError::kBufferTooSmall);
}

TEST(RtcpRoundTrip, CumulativeLostClampedTo24Bits) {
  ReportBlock b = Block(1);
  b.cumulative_lost = 0x1000000;
  auto bytes = Serialize(ReceiverReport{1, {b}, {}});
  ASSERT_TRUE(bytes.has_value());
  auto parsed = ParseRtcpPacket(*bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(std::get<ReceiverReport>(*parsed).report_blocks[0].cumulative_lost, kMaxCumulativeLost);
}

TEST(RtcpRoundTrip, SplitReportBlocksStacksReceiverReports) {
  SenderReport sr{9, NtpTime{1}, 2, 3, 4, {}, {0, 0, 0, 0}};
  for (std::uint32_t i = 0; i < 70; ++i) sr.report_blocks.push_back(Block(i));
  const RtcpCompound split = SplitReportBlocks(sr);
  ASSERT_EQ(split.size(), 3u);
  const auto& first = std::get<SenderReport>(split[0]);
  EXPECT_EQ(first.report_blocks.size(), 31u);
  EXPECT_EQ(first.profile_extension.size(), 4u);
  EXPECT_EQ(std::get<ReceiverReport>(split[1]).report_blocks.size(), 31u);
  EXPECT_EQ(std::get<ReceiverReport>(split[2]).report_blocks.size(), 8u);
  EXPECT_EQ(std::get<ReceiverReport>(split[2]).sender_ssrc, 9u);
  EXPECT_EQ(std::get<ReceiverReport>(split[2]).report_blocks.back(), Block(69));
  auto bytes = Serialize(split);
  ASSERT_TRUE(bytes.has_value());
  auto parsed = ParseRtcp(*bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, split);
  // At or under 31 blocks nothing is split.
  EXPECT_EQ(SplitReportBlocks(ReceiverReport{1, {Block(1)}, {}}).size(), 1u);
}

}  // namespace
}  // namespace confcast::rtp

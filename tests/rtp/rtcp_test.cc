// RTCP codec against golden packets laid out like the RFC diagrams: each parses to the
// expected fields through both the view API and owning values, and serializing the values
// reproduces the bytes exactly (RFC 3550 6, RFC 4585 6.2.1 / 6.3.1, RFC 5104 4.3.1).
#include "confcast/rtp/rtcp.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace confcast::rtp {
namespace golden {

// RFC 3550 6.4.1: SR with one report block.
inline constexpr std::uint8_t kSenderReport[] = {
    0x81, 0xc8, 0x00, 0x0c,  // V=2 P=0 RC=1 | PT=SR=200 | length=12
    0x12, 0x34, 0x56, 0x78,  // SSRC of sender
    0xe6, 0x5b, 0x2c, 0x80,  // NTP timestamp, most significant word
    0x40, 0x00, 0x00, 0x00,  // NTP timestamp, least significant word (.25 s)
    0x00, 0x01, 0x5f, 0x90,  // RTP timestamp = 90000
    0x00, 0x00, 0x03, 0xe8,  // sender's packet count = 1000
    0x00, 0x0f, 0x42, 0x40,  // sender's octet count = 1000000
    0xde, 0xad, 0xbe, 0xef,  // SSRC_1 (SSRC of first source)
    0x19, 0xff, 0xff, 0xfe,  // fraction lost = 25 | cumulative number of packets lost = -2
    0x00, 0x01, 0x00, 0x10,  // extended highest sequence number received (cycles 1, seq 16)
    0x00, 0x00, 0x00, 0x20,  // interarrival jitter = 32
    0x5b, 0x2c, 0x80, 0x00,  // last SR (LSR)
    0x00, 0x01, 0x80, 0x00,  // delay since last SR (DLSR) = 1.5 s
};

// RFC 3550 6.4.2: RR with one report block.
inline constexpr std::uint8_t kReceiverReport[] = {
    0x81, 0xc9, 0x00, 0x07,  // V=2 P=0 RC=1 | PT=RR=201 | length=7
    0x9a, 0xbc, 0xde, 0xf0,  // SSRC of packet sender
    0x12, 0x34, 0x56, 0x78,  // SSRC_1
    0x00, 0x00, 0x00, 0x05,  // fraction lost = 0 | cumulative lost = 5
    0x00, 0x00, 0xff, 0xff,  // extended highest sequence number = 65535
    0x00, 0x00, 0x01, 0x00,  // interarrival jitter = 256
    0x00, 0x00, 0x00, 0x00,  // LSR = 0 (no SR yet)
    0x00, 0x00, 0x00, 0x00,  // DLSR = 0
};

// RFC 3550 6.5: SDES, one chunk with CNAME, NAME and TOOL; END item plus 3 padding octets.
inline constexpr std::uint8_t kSdes[] = {
    0x81, 0xca, 0x00, 0x09,  // V=2 P=0 SC=1 | PT=SDES=202 | length=9
    0x12, 0x34, 0x56, 0x78,  // SSRC/CSRC_1
    0x01, 0x09, 'u',  's',   // CNAME=1 | length=9 | "us
    'e',  'r',  '@',  'h',   //  er@h
    'o',  's',  't',  0x02,  //  ost" | NAME=2
    0x05, 'A',  'l',  'i',   // length=5 | "Ali
    'c',  'e',  0x06, 0x08,  //  ce" | TOOL=6 | length=8
    'c',  'o',  'n',  'f',   // "conf
    'c',  'a',  's',  't',   //  cast"
    0x00, 0x00, 0x00, 0x00,  // END | padding to the 32-bit boundary
};

// RFC 3550 6.6: BYE with one SSRC and a reason.
inline constexpr std::uint8_t kBye[] = {
    0x81, 0xcb, 0x00, 0x03,  // V=2 P=0 SC=1 | PT=BYE=203 | length=3
    0x12, 0x34, 0x56, 0x78,  // SSRC/CSRC
    0x07, 'l',  'e',  'a',   // length=7 | reason "lea
    'v',  'i',  'n',  'g',   //  ving"
};

// RFC 3550 6.7: APP, subtype 5, name "CCST", 8 bytes of data.
inline constexpr std::uint8_t kApp[] = {
    0x85, 0xcc, 0x00, 0x04,  // V=2 P=0 subtype=5 | PT=APP=204 | length=4
    0x12, 0x34, 0x56, 0x78,  // SSRC/CSRC
    'C',  'C',  'S',  'T',   // name (ASCII)
    0x01, 0x02, 0x03, 0x04,  // application-dependent data
    0x05, 0x06, 0x07, 0x08,  //
};

// RFC 4585 6.2.1: generic NACK with two FCI entries, the second crossing 65535 -> 0.
inline constexpr std::uint8_t kNack[] = {
    0x81, 0xcd, 0x00, 0x04,  // V=2 P=0 FMT=1 | PT=RTPFB=205 | length=4
    0x12, 0x34, 0x56, 0x78,  // SSRC of packet sender
    0x9a, 0xbc, 0xde, 0xf0,  // SSRC of media source
    0x03, 0xe8, 0x00, 0x05,  // PID=1000 | BLP=0x0005: lost 1000, 1001, 1003
    0xff, 0xff, 0x80, 0x00,  // PID=65535 | BLP=0x8000: lost 65535, 15
};

// RFC 4585 6.3.1: PLI.
inline constexpr std::uint8_t kPli[] = {
    0x81, 0xce, 0x00, 0x02,  // V=2 P=0 FMT=1 | PT=PSFB=206 | length=2
    0x12, 0x34, 0x56, 0x78,  // SSRC of packet sender
    0x9a, 0xbc, 0xde, 0xf0,  // SSRC of media source
};

// RFC 5104 4.3.1: FIR with two FCI entries.
inline constexpr std::uint8_t kFir[] = {
    0x84, 0xce, 0x00, 0x06,  // V=2 P=0 FMT=4 | PT=PSFB=206 | length=6
    0x12, 0x34, 0x56, 0x78,  // SSRC of packet sender
    0x00, 0x00, 0x00, 0x00,  // SSRC of media source (unused, 0)
    0x9a, 0xbc, 0xde, 0xf0,  // FCI 1: SSRC
    0x07, 0x00, 0x00, 0x00,  //        seq nr=7 | reserved
    0x0b, 0xad, 0xf0, 0x0d,  // FCI 2: SSRC
    0xff, 0x00, 0x00, 0x00,  //        seq nr=255 | reserved
};

// RFC 3550 6.1: compound SR + SDES + BYE, as a sender leaving would send it. The BYE carries
// the P bit with 4 octets of padding, which only the last packet may do.
inline constexpr std::uint8_t kCompound[] = {
    0x80, 0xc8, 0x00, 0x06,  // SR: V=2 P=0 RC=0 | PT=200 | length=6
    0x12, 0x34, 0x56, 0x78,  //     SSRC of sender
    0xe6, 0x5b, 0x2c, 0x80,  //     NTP timestamp, most significant word
    0x00, 0x00, 0x00, 0x00,  //     NTP timestamp, least significant word
    0x00, 0x00, 0x10, 0x00,  //     RTP timestamp = 4096
    0x00, 0x00, 0x00, 0x02,  //     sender's packet count = 2
    0x00, 0x00, 0x04, 0x00,  //     sender's octet count = 1024
    0x81, 0xca, 0x00, 0x03,  // SDES: V=2 P=0 SC=1 | PT=202 | length=3
    0x12, 0x34, 0x56, 0x78,  //     SSRC/CSRC_1
    0x01, 0x03, 'a',  '@',   //     CNAME=1 | length=3 | "a@
    'b',  0x00, 0x00, 0x00,  //      b" | END | padding
    0xa1, 0xcb, 0x00, 0x02,  // BYE: V=2 P=1 SC=1 | PT=203 | length=2
    0x12, 0x34, 0x56, 0x78,  //     SSRC/CSRC
    0x00, 0x00, 0x00, 0x04,  //     padding, count=4
};

}  // namespace golden

namespace {

template <std::size_t N>
std::vector<std::uint8_t> Vec(const std::uint8_t (&a)[N]) {
  return {a, a + N};
}

// Parses a single packet into its value type, failing the test on any error.
template <typename T, std::size_t N>
T ParseAs(const std::uint8_t (&a)[N]) {
  auto parsed = ParseRtcpPacket(a);
  EXPECT_TRUE(parsed.has_value()) << RtcpErrorText(parsed.error());
  if (!parsed || !std::holds_alternative<T>(*parsed)) {
    ADD_FAILURE() << "wrong packet type";
    return T{};
  }
  return std::get<T>(*parsed);
}

template <typename T, std::size_t N>
void ExpectSerializesTo(const T& value, const std::uint8_t (&golden)[N]) {
  EXPECT_EQ(SerializedSize(value), N);
  auto bytes = Serialize(value);
  ASSERT_TRUE(bytes.has_value()) << RtcpErrorText(bytes.error());
  EXPECT_EQ(*bytes, Vec(golden));
}

TEST(RtcpGolden, SenderReport) {
  const auto sr = ParseAs<SenderReport>(golden::kSenderReport);
  EXPECT_EQ(sr.sender_ssrc, 0x12345678u);
  EXPECT_EQ(sr.ntp, NtpTime{0xe65b2c80'40000000ull});
  EXPECT_EQ(sr.ntp.Compact(), 0x2c804000u);
  EXPECT_EQ(sr.rtp_timestamp, 90000u);
  EXPECT_EQ(sr.packet_count, 1000u);
  EXPECT_EQ(sr.octet_count, 1000000u);
  ASSERT_EQ(sr.report_blocks.size(), 1u);
  const ReportBlock& b = sr.report_blocks[0];
  EXPECT_EQ(b.ssrc, 0xdeadbeefu);
  EXPECT_EQ(b.fraction_lost, 25);
  EXPECT_EQ(b.cumulative_lost, -2);
  EXPECT_EQ(b.extended_highest_seq, 0x00010010u);
  EXPECT_EQ(b.jitter, 32u);
  EXPECT_EQ(b.last_sr, 0x5b2c8000u);
  EXPECT_EQ(DurationFromCompactNtp(b.delay_since_last_sr), std::chrono::milliseconds(1500));
  EXPECT_TRUE(sr.profile_extension.empty());
  ExpectSerializesTo(sr, golden::kSenderReport);
}

TEST(RtcpGolden, ReceiverReport) {
  const auto rr = ParseAs<ReceiverReport>(golden::kReceiverReport);
  EXPECT_EQ(rr.sender_ssrc, 0x9abcdef0u);
  ASSERT_EQ(rr.report_blocks.size(), 1u);
  EXPECT_EQ(rr.report_blocks[0].ssrc, 0x12345678u);
  EXPECT_EQ(rr.report_blocks[0].cumulative_lost, 5);
  EXPECT_EQ(rr.report_blocks[0].extended_highest_seq, 65535u);
  EXPECT_EQ(rr.report_blocks[0].jitter, 256u);
  ExpectSerializesTo(rr, golden::kReceiverReport);
}

TEST(RtcpGolden, SdesWithCnameNameToolAndPadding) {
  const auto sdes = ParseAs<Sdes>(golden::kSdes);
  ASSERT_EQ(sdes.chunks.size(), 1u);
  const SdesChunk& c = sdes.chunks[0];
  EXPECT_EQ(c.ssrc, 0x12345678u);
  const std::vector<SdesItem> expected = {{1, "user@host"}, {2, "Alice"}, {6, "confcast"}};
  EXPECT_EQ(c.items, expected);
  ASSERT_NE(c.Find(SdesType::kCname), nullptr);
  EXPECT_EQ(*c.Find(SdesType::kCname), "user@host");
  EXPECT_EQ(*c.Find(SdesType::kTool), "confcast");
  EXPECT_EQ(c.Find(SdesType::kEmail), nullptr);
  ExpectSerializesTo(sdes, golden::kSdes);
}

TEST(RtcpGolden, SdesViewWalksItemsWithoutCopying) {
  auto compound = ParseRtcpCompound(golden::kSdes, {.strict = false});
  ASSERT_TRUE(compound.has_value());
  auto sdes = ParseSdes(*compound->begin());
  ASSERT_TRUE(sdes.has_value());
  SdesChunkCursor chunks = sdes->Chunks();
  auto chunk = chunks.Next();
  ASSERT_TRUE(chunk.has_value());
  EXPECT_EQ(chunk->Find(SdesType::kName), "Alice");
  // The view points into the datagram itself.
  EXPECT_EQ(static_cast<const void*>(chunk->Find(SdesType::kCname)->data()),
            static_cast<const void*>(&golden::kSdes[10]));
  SdesItemCursor items = chunk->Items();
  int n = 0;
  while (items.Next()) ++n;
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(chunks.Next().has_value());
}

TEST(RtcpGolden, ByeWithReason) {
  const auto bye = ParseAs<Bye>(golden::kBye);
  EXPECT_EQ(bye.ssrcs, std::vector<std::uint32_t>{0x12345678u});
  EXPECT_EQ(bye.reason, "leaving");
  ExpectSerializesTo(bye, golden::kBye);
}

TEST(RtcpGolden, App) {
  const auto app = ParseAs<App>(golden::kApp);
  EXPECT_EQ(app.subtype, 5);
  EXPECT_EQ(app.ssrc, 0x12345678u);
  EXPECT_EQ(std::string(app.name.data(), 4), "CCST");
  EXPECT_EQ(app.data, (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  ExpectSerializesTo(app, golden::kApp);
}

TEST(RtcpGolden, GenericNack) {
  const auto nack = ParseAs<Nack>(golden::kNack);
  EXPECT_EQ(nack.sender_ssrc, 0x12345678u);
  EXPECT_EQ(nack.media_ssrc, 0x9abcdef0u);
  const std::vector<NackItem> items = {{1000, 0x0005}, {65535, 0x8000}};
  EXPECT_EQ(nack.items, items);
  EXPECT_EQ(ExpandNack(nack.items), (std::vector<std::uint16_t>{1000, 1001, 1003, 65535, 15}));
  ExpectSerializesTo(nack, golden::kNack);
}

TEST(RtcpGolden, Pli) {
  const auto pli = ParseAs<Pli>(golden::kPli);
  EXPECT_EQ(pli, (Pli{0x12345678u, 0x9abcdef0u}));
  ExpectSerializesTo(pli, golden::kPli);
}

TEST(RtcpGolden, Fir) {
  const auto fir = ParseAs<Fir>(golden::kFir);
  EXPECT_EQ(fir.sender_ssrc, 0x12345678u);
  const std::vector<FirEntry> entries = {{0x9abcdef0u, 7}, {0x0badf00du, 255}};
  EXPECT_EQ(fir.entries, entries);
  ExpectSerializesTo(fir, golden::kFir);
}

TEST(RtcpGolden, CompoundSrSdesByeIsValidStrict) {
  auto compound = ParseRtcp(golden::kCompound);  // strict by default
  ASSERT_TRUE(compound.has_value()) << RtcpErrorText(compound.error());
  ASSERT_EQ(compound->size(), 3u);
  const auto& sr = std::get<SenderReport>((*compound)[0]);
  EXPECT_EQ(sr.rtp_timestamp, 4096u);
  EXPECT_EQ(sr.packet_count, 2u);
  EXPECT_EQ(sr.octet_count, 1024u);
  EXPECT_TRUE(sr.report_blocks.empty());
  const auto& sdes = std::get<Sdes>((*compound)[1]);
  EXPECT_EQ(*sdes.chunks.at(0).Find(SdesType::kCname), "a@b");
  const auto& bye = std::get<Bye>((*compound)[2]);
  EXPECT_EQ(bye.ssrcs, std::vector<std::uint32_t>{0x12345678u});
  EXPECT_TRUE(bye.reason.empty());  // the 4 padding octets are not a reason

  // Serializing drops the P-bit padding: same bytes except the last packet's header and tail.
  auto bytes = Serialize(*compound);
  ASSERT_TRUE(bytes.has_value());
  std::vector<std::uint8_t> expected = Vec(golden::kCompound);
  expected.resize(expected.size() - 4);
  expected[44] = 0x81;  // P=0
  expected[47] = 0x01;  // length=1
  EXPECT_EQ(*bytes, expected);
}

TEST(RtcpGolden, CompoundViewIteratesTypedViews) {
  auto compound = ParseRtcpCompound(golden::kCompound);
  ASSERT_TRUE(compound.has_value());
  EXPECT_EQ(compound->packet_count(), 3u);
  std::vector<std::uint8_t> types;
  for (RtcpPacketView p : *compound) {
    types.push_back(p.packet_type);
    auto typed = ParseRtcpView(p);
    ASSERT_TRUE(typed.has_value());
    if (const auto* sr = std::get_if<SenderReportView>(&*typed)) {
      EXPECT_EQ(sr->sender_ssrc, 0x12345678u);
      EXPECT_EQ(sr->report_blocks.size(), 0u);
    }
    if (const auto* bye = std::get_if<ByeView>(&*typed)) {
      EXPECT_TRUE(p.padding);
      EXPECT_EQ(p.packet.size(), 12u);
      EXPECT_EQ(p.body.size(), 4u);
      EXPECT_EQ(bye->ssrcs[0], 0x12345678u);
    }
  }
  EXPECT_EQ(types, (std::vector<std::uint8_t>{kRtcpSr, kRtcpSdes, kRtcpBye}));
}

TEST(RtcpGolden, ReportBlockViewDecodesOnAccess) {
  auto compound = ParseRtcpCompound(golden::kSenderReport);
  ASSERT_TRUE(compound.has_value());
  auto sr = ParseSenderReport(*compound->begin());
  ASSERT_TRUE(sr.has_value());
  ASSERT_EQ(sr->report_blocks.size(), 1u);
  int n = 0;
  for (ReportBlock b : sr->report_blocks) {
    EXPECT_EQ(b.cumulative_lost, -2);
    ++n;
  }
  EXPECT_EQ(n, 1);
  // A typed parser handed another type says so.
  EXPECT_EQ(ParseReceiverReport(*compound->begin()).error(), RtcpError::kWrongType);
}

// The fuzz seeds are the golden packets; each must parse (the reduced-size ones non-strictly).
TEST(RtcpGolden, FuzzSeedsParse) {
  const std::filesystem::path dir =
      std::filesystem::path(CONFCAST_FUZZ_CORPUS_DIR) / "rtcp_parse_fuzz";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
    EXPECT_TRUE(ParseRtcp(data, {.strict = false}).has_value()) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 5);
}

}  // namespace
}  // namespace confcast::rtp

// Malformed RTCP, built byte by byte: each case must fail with its own RtcpError (RFC 3550
// A.2 compound checks and per-type content checks), never crash or read out of bounds (the
// suite runs under ASan), and unknown packet types must be kept rather than rejected.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "confcast/rtp/rtcp.h"

namespace confcast::rtp {
namespace {

using Packet = std::vector<std::uint8_t>;

Packet Cat(std::initializer_list<Packet> parts) {
  Packet out;
  for (const Packet& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A minimal valid RR with no report blocks.
const Packet kEmptyRr = {
    0x80, 0xc9, 0x00, 0x01,  // V=2 P=0 RC=0 | PT=RR | length=1
    0x00, 0x00, 0x00, 0x01,  // SSRC of packet sender
};

RtcpError ErrorOf(const Packet& p, RtcpParseOptions options = {}) {
  auto parsed = ParseRtcpCompound(p, options);
  EXPECT_FALSE(parsed.has_value());
  // The allocating parser must agree with the view parser.
  auto values = ParseRtcp(p, options);
  EXPECT_FALSE(values.has_value());
  if (parsed || values) return RtcpError::kEmpty;
  EXPECT_EQ(parsed.error(), values.error());
  return parsed.error();
}

TEST(RtcpMalformed, EmptyInput) {
  EXPECT_EQ(ErrorOf({}), RtcpError::kEmpty);
}

TEST(RtcpMalformed, TruncatedHeader) {
  EXPECT_EQ(ErrorOf({0x80}), RtcpError::kTooShort);
  EXPECT_EQ(ErrorOf({0x80, 0xc9, 0x00}), RtcpError::kTooShort);
}

TEST(RtcpMalformed, BadVersion) {
  const Packet v1 = {
      0x40, 0xc9, 0x00, 0x01,  // V=1 | PT=RR | length=1
      0x00, 0x00, 0x00, 0x01,  // SSRC
  };
  EXPECT_EQ(ErrorOf(v1), RtcpError::kBadVersion);
  EXPECT_EQ(ErrorOf(v1, {.strict = false}), RtcpError::kBadVersion);
  // A later packet with version 0: the A.2 walk stops there.
  const Packet v0 = {0x00, 0xca, 0x00, 0x00};
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, v0})), RtcpError::kBadVersion);
}

TEST(RtcpMalformed, LengthFieldLyingLong) {
  const Packet p = {
      0x80, 0xc9, 0x00, 0x02,  // RR, length=2 claims 12 bytes
      0x00, 0x00, 0x00, 0x01,  // SSRC; datagram ends after 8 bytes
  };
  EXPECT_EQ(ErrorOf(p), RtcpError::kLengthOverrun);
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, p})), RtcpError::kLengthOverrun);
}

TEST(RtcpMalformed, LengthFieldLyingShort) {
  // An SR whose length says 24 bytes: the sender info needs 28, so the packet is too short
  // for its type before the leftover word is ever taken for a header.
  const Packet p = {
      0x80, 0xc8, 0x00, 0x05,  // SR, RC=0, length=5 (should be 6)
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x00, 0x00, 0x00, 0x00,  // NTP msw
      0x00, 0x00, 0x00, 0x00,  // NTP lsw
      0x00, 0x00, 0x00, 0x00,  // RTP timestamp
      0x00, 0x00, 0x00, 0x00,  // packet count
      0x00, 0x00, 0x00, 0x00,  // octet count
  };
  EXPECT_EQ(ErrorOf(p), RtcpError::kPacketTooShort);
}

TEST(RtcpMalformed, LengthsDoNotAddUpToDatagram) {
  Packet p = kEmptyRr;
  p.push_back(0x80);
  p.push_back(0xca);  // two stray bytes: not even a header
  EXPECT_EQ(ErrorOf(p), RtcpError::kLengthMismatch);
  EXPECT_EQ(ErrorOf(p, {.strict = false}), RtcpError::kLengthMismatch);
}

TEST(RtcpMalformed, ReportCountLargerThanData) {
  const Packet p = {
      0x82, 0xc9, 0x00, 0x07,  // RR, RC=2 | length=7: room for only one block
      0x00, 0x00, 0x00, 0x01,  // SSRC of sender
      0x00, 0x00, 0x00, 0x02,  // block 1: SSRC
      0x00, 0x00, 0x00, 0x00,  //          fraction | cumulative lost
      0x00, 0x00, 0x00, 0x00,  //          extended highest seq
      0x00, 0x00, 0x00, 0x00,  //          jitter
      0x00, 0x00, 0x00, 0x00,  //          LSR
      0x00, 0x00, 0x00, 0x00,  //          DLSR
  };
  EXPECT_EQ(ErrorOf(p), RtcpError::kCountOverrun);
}

TEST(RtcpMalformed, SdesChunkCountLargerThanData) {
  const Packet sdes = {
      0x82, 0xca, 0x00, 0x02,  // SDES, SC=2 | length=2
      0x00, 0x00, 0x00, 0x01,  // chunk 1 SSRC
      0x00, 0x00, 0x00, 0x00,  // END + padding; chunk 2 missing
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, sdes})), RtcpError::kCountOverrun);
}

TEST(RtcpMalformed, SdesItemOverrun) {
  const Packet sdes = {
      0x81, 0xca, 0x00, 0x02,  // SDES, SC=1 | length=2
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x01, 0x14, 'a',  'b',   // CNAME, length=20: only 2 bytes left
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, sdes})), RtcpError::kItemOverrun);
}

TEST(RtcpMalformed, SdesItemsWithoutEndItem) {
  const Packet sdes = {
      0x81, 0xca, 0x00, 0x02,  // SDES, SC=1 | length=2
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x01, 0x02, 'a',  'b',   // CNAME "ab" fills the packet: no null octet ends the list
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, sdes})), RtcpError::kItemOverrun);
}

TEST(RtcpMalformed, SdesItemHeaderCutOff) {
  const Packet sdes = {
      0x81, 0xca, 0x00, 0x02,  // SDES, SC=1 | length=2
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x01, 0x01, 'a',  0x01,  // CNAME "a", then an item type with no length octet
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, sdes})), RtcpError::kItemOverrun);
}

TEST(RtcpMalformed, PaddingCountZeroUnalignedOrTooLarge) {
  for (std::uint8_t pad :
       {std::uint8_t{0x00}, std::uint8_t{0x03}, std::uint8_t{0x05}, std::uint8_t{0x0c}}) {
    const Packet p = {
        0xa0, 0xc9, 0x00, 0x02,  // RR, P=1 | length=2
        0x00, 0x00, 0x00, 0x01,  // SSRC
        0x00, 0x00, 0x00, pad,   // padding with its count (12 > the 8-byte body)
    };
    EXPECT_EQ(ErrorOf(p), RtcpError::kBadPadding) << int{pad};
  }
}

TEST(RtcpMalformed, PaddingThatEatsTheFixedPart) {
  const Packet p = {
      0xa0, 0xc9, 0x00, 0x01,  // RR, P=1 | length=1
      0x00, 0x00, 0x00, 0x04,  // the SSRC word is taken as 4 octets of padding
  };
  EXPECT_EQ(ErrorOf(p), RtcpError::kPacketTooShort);
}

TEST(RtcpMalformed, PaddingOnlyOnLastPacketInStrictMode) {
  const Packet padded_rr = {
      0xa0, 0xc9, 0x00, 0x02,  // RR, P=1 | length=2
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x00, 0x00, 0x00, 0x04,  // padding, count=4
  };
  const Packet p = Cat({padded_rr, kEmptyRr});
  EXPECT_EQ(ErrorOf(p), RtcpError::kPaddingNotLast);
  auto lenient = ParseRtcp(p, {.strict = false});
  ASSERT_TRUE(lenient.has_value());
  EXPECT_EQ(lenient->size(), 2u);
  EXPECT_TRUE(ParseRtcp(Cat({kEmptyRr, padded_rr})).has_value());
}

TEST(RtcpMalformed, FirstPacketNotReportInStrictMode) {
  const Packet pli = {
      0x81, 0xce, 0x00, 0x02,  // PLI
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0x00, 0x00, 0x00, 0x02,  // media SSRC
  };
  EXPECT_EQ(ErrorOf(pli), RtcpError::kFirstNotReport);
  // RFC 5506 reduced-size RTCP: a lone feedback packet is fine when not strict.
  auto reduced = ParseRtcp(pli, {.strict = false});
  ASSERT_TRUE(reduced.has_value());
  EXPECT_EQ(std::get<Pli>(reduced->at(0)), (Pli{1, 2}));
}

TEST(RtcpMalformed, ByeReasonOverrun) {
  const Packet bye = {
      0x81, 0xcb, 0x00, 0x02,  // BYE, SC=1 | length=2
      0x00, 0x00, 0x00, 0x01,  // SSRC
      0x09, 'a',  'b',  'c',   // reason length=9, only 3 bytes follow
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, bye})), RtcpError::kReasonOverrun);
  const Packet bye_count = {
      0x82, 0xcb, 0x00, 0x01,  // BYE, SC=2 | length=1: one SSRC only
      0x00, 0x00, 0x00, 0x01,  // SSRC
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, bye_count})), RtcpError::kCountOverrun);
}

TEST(RtcpMalformed, FeedbackAndAppShorterThanFixedPart) {
  const Packet nack = {
      0x81, 0xcd, 0x00, 0x01,  // NACK, length=1: media SSRC missing
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, nack})), RtcpError::kPacketTooShort);
  const Packet app = {
      0x80, 0xcc, 0x00, 0x01,  // APP, length=1: name missing
      0x00, 0x00, 0x00, 0x01,  // SSRC
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, app})), RtcpError::kPacketTooShort);
}

TEST(RtcpMalformed, FirFciNotWholeEntries) {
  const Packet fir = {
      0x84, 0xce, 0x00, 0x03,  // FIR, length=3
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0x00, 0x00, 0x00, 0x00,  // media SSRC
      0x00, 0x00, 0x00, 0x02,  // half an FCI entry
  };
  EXPECT_EQ(ErrorOf(Cat({kEmptyRr, fir})), RtcpError::kBadFciLength);
}

TEST(RtcpMalformed, UnknownTypesAreKeptNotRejected) {
  const Packet xr = {
      0x80, 0xcf, 0x00, 0x01,  // PT=207 (XR), not interpreted here
      0xca, 0xfe, 0xba, 0xbe,  // body
  };
  const Packet tmmbr = {
      0x83, 0xcd, 0x00, 0x02,  // RTPFB FMT=3 (TMMBR), not interpreted here
      0x00, 0x00, 0x00, 0x01,  //
      0x00, 0x00, 0x00, 0x02,  //
  };
  auto parsed = ParseRtcp(Cat({kEmptyRr, xr, tmmbr}));
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ(std::get<UnknownRtcpPacket>((*parsed)[1]),
            (UnknownRtcpPacket{207, 0, {0xca, 0xfe, 0xba, 0xbe}}));
  EXPECT_EQ(std::get<UnknownRtcpPacket>((*parsed)[2]).count, 3);
  auto again = Serialize(*parsed);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, Cat({kEmptyRr, xr, tmmbr}));
}

TEST(RtcpMalformed, EveryErrorHasItsOwnText) {
  std::set<std::string_view> texts;
  const int last = static_cast<int>(RtcpError::kReservedType);
  for (int e = 0; e <= last; ++e) {
    const std::string_view text = RtcpErrorText(static_cast<RtcpError>(e));
    EXPECT_FALSE(text.empty());
    EXPECT_NE(text, "unknown RTCP error");
    texts.insert(text);
  }
  EXPECT_EQ(texts.size(), static_cast<std::size_t>(last + 1));
}

// Every prefix of a valid compound is rejected (never read past its end: ASan watches).
TEST(RtcpMalformed, EveryTruncationOfACompoundFails) {
  const Packet full = Cat({{0x81, 0xc9, 0x00, 0x07, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0,
                            0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                           {0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 1, 1, 'x', 0}});
  ASSERT_TRUE(ParseRtcp(full).has_value());
  for (std::size_t n = 0; n < full.size(); ++n) {
    const Packet cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    if (n == 32) continue;  // exactly the RR alone: valid
    EXPECT_FALSE(ParseRtcpCompound(cut).has_value()) << n;
  }
}

}  // namespace
}  // namespace confcast::rtp

#include "confcast/rtp/h264_depacketizer.h"

#include <gtest/gtest.h>

#include <vector>

#include "confcast/rtp/annexb.h"

namespace confcast::rtp {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf AnnexB(std::initializer_list<Buf> nals) {
  Buf out;
  for (const auto& nal : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

const Buf kSps = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16};
const Buf kPps = {0x68, 0xce, 0x3c, 0x80};
const Buf kStapA = {
    0x78, 0x00, 0x08, 0x67,  // STAP-A NAL HDR (F=0 NRI=3 Type=24) | NALU 1 Size=8 | NALU 1 HDR
    0x42, 0xc0, 0x1f, 0xda,  // NALU 1 Data (SPS)
    0x01, 0x40, 0x16, 0x00,  //             ...  | NALU 2 Size=4
    0x04, 0x68, 0xce, 0x3c,  //                  | NALU 2 HDR | NALU 2 Data (PPS)
    0x80,
};
// An IDR 0x65 10 11 ... 19 in three FU-A fragments.
const Buf kFuStart = {0x7c, 0x85, 0x10, 0x11, 0x12, 0x13};
const Buf kFuMiddle = {0x7c, 0x05, 0x14, 0x15, 0x16};
const Buf kFuEnd = {0x7c, 0x45, 0x17, 0x18, 0x19};
const Buf kIdr = {0x65, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19};
const Buf kSlice = {0x41, 0x9a, 0x22};

TEST(H264Depacketizer, SingleNalUnit) {
  H264Depacketizer d;
  const auto r = d.Push(kSlice, 100, 9000, true);
  EXPECT_EQ(r.status, PacketStatus::kAccepted);
  ASSERT_EQ(r.access_units.size(), 1u);
  const AccessUnit& au = r.access_units[0];
  EXPECT_EQ(au.annexb, AnnexB({kSlice}));
  EXPECT_TRUE(au.complete);
  EXPECT_TRUE(au.ended_by_marker);
  EXPECT_EQ(au.timestamp, 9000u);
  EXPECT_EQ(au.first_seq, 100);
  EXPECT_EQ(au.last_seq, 100);
  EXPECT_FALSE(au.has_idr);
  EXPECT_FALSE(au.decodable_start);
}

TEST(H264Depacketizer, StapAAndFuAMakeADecodableStart) {
  H264Depacketizer d;
  EXPECT_TRUE(d.Push(kStapA, 1, 0, false).access_units.empty());
  EXPECT_TRUE(d.Push(kFuStart, 2, 0, false).access_units.empty());
  EXPECT_TRUE(d.Push(kFuMiddle, 3, 0, false).access_units.empty());
  const auto r = d.Push(kFuEnd, 4, 0, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  const AccessUnit& au = r.access_units[0];
  EXPECT_EQ(au.annexb, AnnexB({kSps, kPps, kIdr}));
  EXPECT_TRUE(au.complete);
  EXPECT_TRUE(au.has_idr && au.has_sps && au.has_pps);
  EXPECT_TRUE(au.decodable_start);
  EXPECT_EQ(au.packets, 4u);
  EXPECT_EQ(au.first_seq, 1);
  EXPECT_EQ(au.last_seq, 4);
}

TEST(H264Depacketizer, IdrNeedsParameterSets) {
  H264Depacketizer d;
  const Buf idr = {0x65, 0x88, 0x84};
  auto r = d.Push(idr, 1, 0, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_TRUE(r.access_units[0].has_idr);
  EXPECT_FALSE(r.access_units[0].decodable_start);
  // Parameter sets seen in an earlier access unit count.
  r = d.Push(kStapA, 2, 3000, true);
  r = d.Push(idr, 3, 6000, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_TRUE(r.access_units[0].decodable_start);
  // So do out-of-band ones.
  H264Depacketizer sdp;
  sdp.SetParameterSetsKnown();
  r = sdp.Push(idr, 1, 0, true);
  EXPECT_TRUE(r.access_units.at(0).decodable_start);
}

TEST(H264Depacketizer, TimestampChangeClosesAnAccessUnitWithoutMarker) {
  H264Depacketizer d;
  EXPECT_TRUE(d.Push(kSlice, 10, 3000, false).access_units.empty());
  const auto r = d.Push(kSlice, 11, 6000, false);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_TRUE(r.access_units[0].complete);  // no sequence gap: only the marker was missing
  EXPECT_FALSE(r.access_units[0].ended_by_marker);
  EXPECT_EQ(r.access_units[0].timestamp, 3000u);
  const auto flushed = d.Flush();
  ASSERT_TRUE(flushed.has_value());
  EXPECT_EQ(flushed->timestamp, 6000u);
  EXPECT_FALSE(d.Flush().has_value());
}

TEST(H264Depacketizer, OnePacketCanCloseTwoAccessUnits) {
  H264Depacketizer d;
  (void)d.Push(kSlice, 10, 3000, false);
  const auto r = d.Push(kSlice, 11, 6000, true);
  ASSERT_EQ(r.access_units.size(), 2u);
  EXPECT_EQ(r.access_units[0].timestamp, 3000u);
  EXPECT_EQ(r.access_units[1].timestamp, 6000u);
  EXPECT_TRUE(r.access_units[1].ended_by_marker);
}

TEST(H264Depacketizer, MissingMiddleFragmentDropsTheNalUnit) {
  H264Depacketizer d;
  (void)d.Push(kStapA, 1, 0, false);
  (void)d.Push(kFuStart, 2, 0, false);
  const auto r = d.Push(kFuEnd, 4, 0, true);
  EXPECT_EQ(r.status, PacketStatus::kFuDiscarded);
  ASSERT_EQ(r.access_units.size(), 1u);
  const AccessUnit& au = r.access_units[0];
  EXPECT_FALSE(au.complete);
  EXPECT_EQ(au.damage, AuDamage::kSequenceGap);
  EXPECT_EQ(au.annexb, AnnexB({kSps, kPps}));  // the intact NAL units only
  EXPECT_FALSE(au.has_idr);
  EXPECT_FALSE(au.decodable_start);
  EXPECT_EQ(d.stats().sequence_gaps, 1u);
  EXPECT_EQ(d.stats().damaged_access_units, 1u);
}

TEST(H264Depacketizer, FragmentWithoutStart) {
  H264Depacketizer d;
  EXPECT_EQ(d.Push(kFuMiddle, 2, 0, false).status, PacketStatus::kFuWithoutStart);
  const auto r = d.Push(kFuEnd, 3, 0, true);
  EXPECT_EQ(r.status, PacketStatus::kFuDiscarded);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kFuIncomplete);
  EXPECT_TRUE(r.access_units[0].annexb.empty());
}

TEST(H264Depacketizer, FragmentWithoutEndBeforeAnotherNal) {
  H264Depacketizer d;
  (void)d.Push(kFuStart, 1, 0, false);
  (void)d.Push(kFuMiddle, 2, 0, false);
  const auto r = d.Push(kSlice, 3, 0, true);
  EXPECT_EQ(r.status, PacketStatus::kAccepted);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kFuIncomplete);
  EXPECT_EQ(r.access_units[0].annexb, AnnexB({kSlice}));
}

TEST(H264Depacketizer, FragmentsOfDifferentTypes) {
  H264Depacketizer d;
  (void)d.Push(kFuStart, 1, 0, false);
  const Buf other = {0x7c, 0x01, 0x14};  // a middle fragment of a type 1 NAL unit
  EXPECT_EQ(d.Push(other, 2, 0, false).status, PacketStatus::kFuTypeMismatch);
  const auto r = d.Push(kFuEnd, 3, 0, true);
  EXPECT_EQ(r.status, PacketStatus::kFuDiscarded);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kFuIncomplete);
  EXPECT_TRUE(r.access_units[0].annexb.empty());
}

TEST(H264Depacketizer, TimestampChangeInTheMiddleOfAFragment) {
  H264Depacketizer d;
  (void)d.Push(kSlice, 1, 0, false);
  (void)d.Push(kFuStart, 2, 0, false);
  const auto r = d.Push(kSlice, 3, 3000, true);
  ASSERT_EQ(r.access_units.size(), 2u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kFuIncomplete);
  EXPECT_EQ(r.access_units[0].annexb, AnnexB({kSlice}));
  EXPECT_TRUE(r.access_units[1].complete);
}

TEST(H264Depacketizer, DuplicateAndReorderedPackets) {
  H264Depacketizer d;
  (void)d.Push(kFuStart, 1, 0, false);
  EXPECT_EQ(d.Push(kFuStart, 1, 0, false).status, PacketStatus::kDuplicate);
  (void)d.Push(kFuMiddle, 2, 0, false);
  auto r = d.Push(kFuEnd, 3, 0, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_TRUE(r.access_units[0].complete);  // a duplicate does no harm
  EXPECT_EQ(r.access_units[0].annexb, AnnexB({kIdr}));

  // Middle and end swapped on the wire: the end arrives first (a gap), then the middle (old).
  (void)d.Push(kFuStart, 4, 3000, false);
  EXPECT_EQ(d.Push(kFuEnd, 6, 3000, true).status, PacketStatus::kFuDiscarded);
  r = d.Push(kFuMiddle, 5, 3000, false);
  EXPECT_EQ(r.status, PacketStatus::kOutOfOrder);
  EXPECT_EQ(d.stats().dropped_packets, 3u);
}

TEST(H264Depacketizer, FarBackwardsJumpIsARestartNotALatePacket) {
  H264Depacketizer d;
  (void)d.Push(kSlice, 5000, 0, true);
  EXPECT_EQ(d.Push(kSlice, 4900, 3000, true).status, PacketStatus::kOutOfOrder);  // late
  const auto r = d.Push(kSlice, 4899, 6000, true);  // 101 back: the sender restarted
  EXPECT_EQ(r.status, PacketStatus::kAccepted);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kLostBefore);
  const auto next = d.Push(kSlice, 4900, 9000, true);
  ASSERT_EQ(next.access_units.size(), 1u);
  EXPECT_TRUE(next.access_units[0].complete);
}

TEST(H264Depacketizer, CountsWhatHappened) {
  H264Depacketizer d;
  (void)d.Push(kStapA, 1, 0, false);
  (void)d.Push(kStapA, 1, 0, false);           // duplicate
  (void)d.Push(Buf{0x78}, 2, 0, false);        // malformed
  (void)d.Push(Buf{0x79, 0, 0}, 3, 0, false);  // STAP-B
  (void)d.Push(kSlice, 5, 0, true);            // after a gap
  (void)d.Push(kSlice, 6, 3000, true);
  H264DepacketizerStats want;
  want.packets = 6;
  want.dropped_packets = 3;
  want.malformed_packets = 1;
  want.unsupported_packets = 1;
  want.sequence_gaps = 1;
  want.access_units = 2;
  want.damaged_access_units = 1;
  EXPECT_EQ(d.stats(), want);
}

TEST(H264Depacketizer, GapBeforeAnAccessUnitMarksIt) {
  H264Depacketizer d;
  (void)d.Push(kSlice, 1, 0, true);
  const auto r = d.Push(kSlice, 3, 3000, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kLostBefore);
  EXPECT_EQ(r.access_units[0].annexb, AnnexB({kSlice}));  // what arrived is intact
}

TEST(H264Depacketizer, UnsupportedAndIgnoredTypes) {
  for (std::uint8_t type :
       {std::uint8_t{25}, std::uint8_t{26}, std::uint8_t{27}, std::uint8_t{29}}) {
    H264Depacketizer d;
    const Buf p = {static_cast<std::uint8_t>(0x60 | type), 0, 0, 0, 0, 0};
    EXPECT_EQ(d.Push(p, 1, 0, false).status, PacketStatus::kUnsupported);
    const auto r = d.Push(kSlice, 2, 0, true);
    ASSERT_EQ(r.access_units.size(), 1u);
    EXPECT_EQ(r.access_units[0].damage, AuDamage::kUnsupported) << int{type};
    EXPECT_EQ(d.stats().unsupported_packets, 1u);
  }
  for (std::uint8_t type : {std::uint8_t{0}, std::uint8_t{30}, std::uint8_t{31}}) {
    H264Depacketizer d;
    const Buf p = {type, 1, 2};
    EXPECT_EQ(d.Push(p, 1, 0, false).status, PacketStatus::kIgnoredNalType);
    const auto r = d.Push(kSlice, 2, 0, true);
    ASSERT_EQ(r.access_units.size(), 1u);
    EXPECT_TRUE(r.access_units[0].complete) << int{type};
  }
  H264Depacketizer d;
  EXPECT_EQ(d.Push({}, 1, 0, false).status, PacketStatus::kEmpty);
  EXPECT_TRUE(d.Push({}, 2, 0, true).access_units.empty());  // nothing to report
}

struct Malformed {
  Buf payload;
  PacketStatus status;
};

class H264DepacketizerMalformed : public ::testing::TestWithParam<Malformed> {};

INSTANTIATE_TEST_SUITE_P(
    Packets, H264DepacketizerMalformed,
    ::testing::Values(
        Malformed{{0x78}, PacketStatus::kMalformedStapA},                          // no NAL units
        Malformed{{0x78, 0x00}, PacketStatus::kMalformedStapA},                    // half a size
        Malformed{{0x78, 0x00, 0x00}, PacketStatus::kMalformedStapA},              // size 0
        Malformed{{0x78, 0x00, 0x03, 0x41, 0x01}, PacketStatus::kMalformedStapA},  // overrun
        Malformed{{0x78, 0x00, 0x01, 0x41, 0x00}, PacketStatus::kMalformedStapA},  // trailing
        Malformed{{0x7c}, PacketStatus::kMalformedFu},                             // no FU header
        Malformed{{0x7c, 0xc5, 0x01}, PacketStatus::kMalformedFu},                 // S and E
        Malformed{{0x7c, 0x9c, 0x01}, PacketStatus::kMalformedFu},                 // FU of an FU
        Malformed{{0x7c, 0x98, 0x01}, PacketStatus::kMalformedFu},                 // FU of a STAP-A
        Malformed{{0x7c, 0x80, 0x01}, PacketStatus::kMalformedFu}));               // FU of type 0

TEST_P(H264DepacketizerMalformed, IsReportedAndDamagesTheAccessUnit) {
  H264Depacketizer d;
  (void)d.Push(kSlice, 1, 0, false);
  EXPECT_EQ(d.Push(GetParam().payload, 2, 0, false).status, GetParam().status);
  const auto r = d.Push(kSlice, 3, 0, true);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kMalformed);
  EXPECT_EQ(r.access_units[0].annexb, AnnexB({kSlice, kSlice}));
  EXPECT_EQ(d.stats().malformed_packets, 1u);
}

TEST(H264Depacketizer, AccessUnitSizeIsCapped) {
  H264Depacketizer d(20);
  const Buf big(12, 0x41);
  EXPECT_EQ(d.Push(big, 1, 0, false).status, PacketStatus::kAccepted);  // 16 bytes
  EXPECT_EQ(d.Push(big, 2, 0, false).status, PacketStatus::kTooLarge);
  EXPECT_EQ(d.Push(kSlice, 3, 0, false).status, PacketStatus::kTooLarge);  // would fit, but no
  const auto r = d.Push(kFuStart, 4, 0, true);
  EXPECT_EQ(r.status, PacketStatus::kTooLarge);
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_EQ(r.access_units[0].damage, AuDamage::kTooLarge);
  EXPECT_EQ(r.access_units[0].annexb.size(), 16u);
  // The next access unit starts afresh.
  const auto next = d.Push(kSlice, 5, 3000, true);
  ASSERT_EQ(next.access_units.size(), 1u);
  EXPECT_TRUE(next.access_units[0].complete);
}

TEST(H264Depacketizer, FragmentOverTheCapIsCutOff) {
  H264Depacketizer d(11);
  (void)d.Push(kFuStart, 1, 0, false);  // 4 + 5 bytes
  EXPECT_EQ(d.Push(kFuMiddle, 2, 0, false).status, PacketStatus::kTooLarge);
  EXPECT_EQ(d.Push(kFuEnd, 3, 0, false).status, PacketStatus::kFuDiscarded);
  const auto au = d.Flush();
  ASSERT_TRUE(au.has_value());
  EXPECT_EQ(au->damage, AuDamage::kTooLarge);
  EXPECT_TRUE(au->annexb.empty());
}

TEST(H264Depacketizer, RecycledBuffersAreReused) {
  H264Depacketizer d;
  auto r = d.Push(kSlice, 1, 0, true);
  std::vector<std::uint8_t> buffer = std::move(r.access_units.at(0).annexb);
  buffer.reserve(4096);
  const std::uint8_t* data = buffer.data();
  d.Recycle(std::move(buffer));
  r = d.Push(kSlice, 2, 3000, true);
  EXPECT_EQ(r.access_units.at(0).annexb.data(), data);
  EXPECT_EQ(r.access_units.at(0).annexb, AnnexB({kSlice}));
}

TEST(H264Depacketizer, ResetForgetsTheSequence) {
  H264Depacketizer d;
  (void)d.Push(kFuStart, 100, 0, false);
  d.Reset();
  const auto r = d.Push(kSlice, 7, 0, true);  // no gap, no leftover fragment
  ASSERT_EQ(r.access_units.size(), 1u);
  EXPECT_TRUE(r.access_units[0].complete);
  EXPECT_EQ(r.access_units[0].annexb, AnnexB({kSlice}));
}

}  // namespace
}  // namespace confcast::rtp

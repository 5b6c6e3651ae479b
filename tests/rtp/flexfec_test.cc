#include <confcast/rtp/flexfec.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace confcast::rtp {
namespace {

using Datagram = std::vector<std::uint8_t>;
constexpr std::uint32_t kMediaSsrc = 0x11223344;
constexpr std::uint32_t kFecSsrc = 0xFECFECFE;

// A media packet whose length and content depend on its index; some carry padding, a CSRC
// or an extension so that every header bit the FEC header recovers is exercised.
Datagram Media(std::uint16_t seq, std::size_t i) {
  RtpPacket p;
  p.payload_type = 96;
  p.marker = i % 4 == 3;
  p.sequence_number = seq;
  p.timestamp = 90000u * 7 + static_cast<std::uint32_t>(i / 3) * 3000u;
  p.ssrc = kMediaSsrc;
  p.payload.resize(20 + (i * 37) % 300);
  for (std::size_t k = 0; k < p.payload.size(); ++k)
    p.payload[k] = static_cast<std::uint8_t>(i * 31 + k);
  if (i % 5 == 1) p.padding_size = 4;
  if (i % 7 == 2) p.csrcs.push_back(0xABCDEF01);
  if (i % 6 == 4) p.SetExtension(1, std::vector<std::uint8_t>{1, 2, 3});
  return Serialize(p);
}

std::vector<Datagram> Frame(std::uint16_t first, std::size_t n) {
  std::vector<Datagram> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(Media(static_cast<std::uint16_t>(first + i), i));
  return out;
}

std::vector<Datagram> Protect(const std::vector<Datagram>& media, FecScheme scheme) {
  FlexFecEncoder enc(kFecSsrc, 500);
  enc.SetScheme(scheme);
  std::vector<Datagram> fec;
  for (const auto& m : media) enc.Add(m, fec);
  enc.Flush(fec);
  return fec;
}

// Feeds everything but `lost` (media first, then repair) and returns the recovered packets.
std::vector<Datagram> Deliver(const std::vector<Datagram>& media, const std::vector<Datagram>& fec,
                              const std::set<std::size_t>& lost, FlexFecDecoder& dec) {
  std::vector<Datagram> got;
  for (std::size_t i = 0; i < media.size(); ++i) {
    if (lost.count(i)) continue;
    for (auto& r : dec.OnMedia(media[i]).recovered) got.push_back(r);
  }
  for (const auto& f : fec) {
    auto res = dec.OnRepair(f);
    EXPECT_FALSE(res.error);
    for (auto& r : res.recovered) got.push_back(r);
  }
  return got;
}

// --- the header on the wire ------------------------------------------------------------------

constexpr std::uint8_t kGoldenRow[] = {
    0x81, 0x62, 0x01, 0xF4,  // V=2 CC=1 | PT=98 | sequence number 500
    0x00, 0x0A, 0xBC, 0xDE,  // timestamp
    0xFE, 0xCF, 0xEC, 0xFE,  // SSRC of the repair stream
    0x11, 0x22, 0x33, 0x44,  // CSRC: the protected SSRC
    0x21, 0xE0, 0x00, 0x05,  // R=0 F=0 P=1 X=0 CC=1 | M=1 PT=96 | length recovery 5
    0x12, 0x34, 0x56, 0x78,  // TS recovery
    0xFF, 0xFE, 0xD0, 0x00,  // SN base 65534 | k=1 mask 1,0,1 (65534, 0)
    0xAA, 0xBB, 0xCC, 0xDD,  // repair payload
    0xEE,
};

FlexFecPacket GoldenRow() {
  FlexFecPacket p;
  p.sequence_number = 500;
  p.timestamp = 0x000ABCDE;
  p.ssrc = kFecSsrc;
  p.header.p_recovery = true;
  p.header.cc_recovery = 1;
  p.header.m_recovery = true;
  p.header.pt_recovery = 96;
  p.header.length_recovery = 5;
  p.header.ts_recovery = 0x12345678;
  FecProtectedStream s{kMediaSsrc, 65534, {}, 0, 0};
  s.mask.set(0);
  s.mask.set(2);
  p.header.streams.push_back(s);
  p.repair_payload = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
  return p;
}

TEST(FlexFecHeader, GoldenRowMatchesRfc8627Figure) {
  EXPECT_EQ(Serialize(GoldenRow()), Datagram(std::begin(kGoldenRow), std::end(kGoldenRow)));
  auto v = ParseFlexFec(kGoldenRow);
  ASSERT_TRUE(v);
  EXPECT_EQ(ToPacket(*v), GoldenRow());
  EXPECT_EQ(ProtectedOffsets(v->header.streams[0], false), (std::vector<std::uint16_t>{0, 2}));
}

constexpr std::uint8_t kGoldenLongMask[] = {
    0x81, 0x62, 0x00, 0x01,  // V=2 CC=1 | PT=98 | sequence number 1
    0x00, 0x00, 0x00, 0x00,  // timestamp
    0xFE, 0xCF, 0xEC, 0xFE,  // SSRC
    0x11, 0x22, 0x33, 0x44,  // CSRC
    0x00, 0x60, 0x00, 0x00,  // F=0 | M=0 PT=96 | length recovery 0
    0x00, 0x00, 0x00, 0x00,  // TS recovery
    0x00, 0x10, 0x40, 0x00,  // SN base 16 | k=0 mask bit 0
    0x00, 0x00, 0x00, 0x00,  // k=0 mask bits 15-45 clear
    0x00, 0x00, 0x00, 0x00,  // mask bits 46-77
    0x00, 0x00, 0x00, 0x01,  // mask bits 78-109: bit 109
};

TEST(FlexFecHeader, GoldenLongestMask) {
  auto v = ParseFlexFec(kGoldenLongMask);
  ASSERT_TRUE(v);
  EXPECT_EQ(ProtectedOffsets(v->header.streams[0], false), (std::vector<std::uint16_t>{0, 109}));
  EXPECT_TRUE(v->repair_payload.empty());
  EXPECT_EQ(Serialize(ToPacket(*v)),
            Datagram(std::begin(kGoldenLongMask), std::end(kGoldenLongMask)));
}

constexpr std::uint8_t kGoldenFixedColumn[] = {
    0x81, 0x62, 0x00, 0x02,  // V=2 CC=1 | PT=98 | sequence number 2
    0x00, 0x00, 0x00, 0x00,  // timestamp
    0xFE, 0xCF, 0xEC, 0xFE,  // SSRC
    0x11, 0x22, 0x33, 0x44,  // CSRC
    0x40, 0x60, 0x00, 0x00,  // F=1 | PT=96 | length recovery
    0x00, 0x00, 0x00, 0x00,  // TS recovery
    0x00, 0x64, 0x04, 0x03,  // SN base 100 | L=4 | D=3: a column 100, 104, 108
};

TEST(FlexFecHeader, FixedFormRowsAndColumns) {
  auto v = ParseFlexFec(kGoldenFixedColumn);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->header.fixed);
  EXPECT_EQ(ProtectedOffsets(v->header.streams[0], true), (std::vector<std::uint16_t>{0, 4, 8}));
  FecProtectedStream row{kMediaSsrc, 0, {}, 4, 0};
  EXPECT_EQ(ProtectedOffsets(row, true), (std::vector<std::uint16_t>{0, 1, 2, 3}));
  EXPECT_EQ(Serialize(ToPacket(*v)),
            Datagram(std::begin(kGoldenFixedColumn), std::end(kGoldenFixedColumn)));
}

TEST(FlexFecHeader, RoundTripsEveryMaskLengthAndSeveralStreams) {
  for (std::size_t top : {0u, 14u, 15u, 45u, 46u, 109u}) {
    FlexFecPacket p = GoldenRow();
    p.header.streams[0].mask.reset();
    p.header.streams[0].mask.set(top);
    FecProtectedStream other{0x55667788, 7, {}, 0, 0};
    other.mask.set(3);
    p.header.streams.push_back(other);
    const Datagram wire = Serialize(p);
    ASSERT_EQ(wire.size(), SerializedSize(p));
    auto v = ParseFlexFec(wire);
    ASSERT_TRUE(v) << top;
    EXPECT_EQ(ToPacket(*v), p) << top;
  }
}

FlexFecError ErrorOf(Datagram d) {
  auto v = ParseFlexFec(d);
  return v ? FlexFecError{} : v.error();
}

TEST(FlexFecHeader, MalformedInputsGiveTheirOwnErrors) {
  const Datagram good(std::begin(kGoldenRow), std::end(kGoldenRow));
  Datagram d = good;
  d[0] = 0x41;  // V=1
  EXPECT_EQ(ErrorOf(d), FlexFecError::kBadRtp);
  d = good;
  d.resize(16 + 7);  // the FEC header cut inside TS recovery
  EXPECT_EQ(ErrorOf(d), FlexFecError::kHeaderTooShort);
  d = good;
  d[16] |= 0x80;  // R=1
  EXPECT_EQ(ErrorOf(d), FlexFecError::kRetransmission);
  d = good;
  d.resize(16 + 8 + 3);  // the SN base/mask word cut
  EXPECT_EQ(ErrorOf(d), FlexFecError::kMaskTooShort);
  d = good;
  d[26] = 0x00;  // k=0 asks for a second mask word that is not there (5 bytes follow)
  d.resize(16 + 8 + 4 + 3);
  EXPECT_EQ(ErrorOf(d), FlexFecError::kMaskTooShort);
  d = good;
  d[26] = 0x80;  // k=1, no bit set
  d[27] = 0x00;
  EXPECT_EQ(ErrorOf(d), FlexFecError::kEmptyMask);
  d = good;
  d[16] |= 0x40;  // F=1 with L=0
  d[26] = 0x00;
  EXPECT_EQ(ErrorOf(d), FlexFecError::kZeroColumns);
  // CC=0: no protected SSRC. Drop the CSRC word.
  d = good;
  d[0] = 0x80;
  d.erase(d.begin() + 12, d.begin() + 16);
  EXPECT_EQ(ErrorOf(d), FlexFecError::kNoProtectedStream);
}

TEST(FlexFecHeader, SerializeRefusesWhatCannotBeSent) {
  FlexFecPacket p = GoldenRow();
  p.header.streams[0].mask.reset();
  Datagram buf(256);
  EXPECT_EQ(SerializeTo(p, buf), 0u);
  p.header.streams.clear();
  EXPECT_EQ(SerializeTo(p, buf), 0u);
  p = GoldenRow();
  EXPECT_EQ(SerializeTo(p, MutableBytes(buf.data(), 10)), 0u);
}

// --- encoder + decoder -----------------------------------------------------------------------

class FlexFecWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, FlexFecWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(FlexFecWrap, RowRecoversEachPosition) {
  const auto media = Frame(GetParam(), 10);
  const auto fec = Protect(media, {5, 1});
  ASSERT_EQ(fec.size(), 2u);
  for (std::size_t lost = 0; lost < media.size(); ++lost) {
    FlexFecDecoder dec({kMediaSsrc});
    auto got = Deliver(media, fec, {lost}, dec);
    ASSERT_EQ(got.size(), 1u) << lost;
    EXPECT_EQ(got[0], media[lost]) << lost;  // length, padding, CSRC, extension, marker all back
  }
}

TEST_P(FlexFecWrap, RepairArrivingFirstAndDuplicatesStillRecover) {
  const auto media = Frame(GetParam(), 7);
  const auto fec = Protect(media, {7, 1});
  FlexFecDecoder dec({kMediaSsrc});
  EXPECT_TRUE(dec.OnRepair(fec[0]).recovered.empty());
  EXPECT_TRUE(dec.OnRepair(fec[0]).recovered.empty());
  std::vector<Datagram> got;
  for (std::size_t i : {6, 5, 0, 0, 2, 1, 3}) {  // 4 lost, the rest out of order, one twice
    for (auto& r : dec.OnMedia(media[i]).recovered) got.push_back(r);
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], media[4]);
  EXPECT_EQ(dec.stats().recovered, 1u);
  // The original arriving late is a duplicate of what was rebuilt: nothing more comes out.
  EXPECT_TRUE(dec.OnMedia(media[4]).recovered.empty());
}

TEST_P(FlexFecWrap, TwoDimensionalRecoversABurstOfAWholeRow) {
  const auto media = Frame(GetParam(), 25);
  const auto fec = Protect(media, {5, 5});
  ASSERT_EQ(fec.size(), 10u);  // 5 rows + 5 columns
  FlexFecDecoder dec({kMediaSsrc});
  auto got = Deliver(media, fec, {10, 11, 12, 13, 14}, dec);
  ASSERT_EQ(got.size(), 5u);
  for (std::size_t i = 10; i < 15; ++i) {
    EXPECT_NE(std::find(got.begin(), got.end(), media[i]), got.end()) << i;
  }
}

TEST_P(FlexFecWrap, RecoveredPacketUnlocksAnotherSet) {
  // 0 and 1 (one row) and 5 (0's column) lost: neither row 0 nor column 0 can help at first.
  // Row 1 rebuilds 5, which lets column 0 rebuild 0, which lets row 0 rebuild 1.
  const auto media = Frame(GetParam(), 25);
  const auto fec = Protect(media, {5, 5});
  FlexFecDecoder dec({kMediaSsrc});
  auto got = Deliver(media, fec, {0, 1, 5}, dec);
  EXPECT_EQ(got.size(), 3u);
  for (std::size_t i : {0, 1, 5})
    EXPECT_NE(std::find(got.begin(), got.end(), media[i]), got.end()) << i;
}

TEST_P(FlexFecWrap, FixedFormRowFromAnotherSenderIsUnderstood) {
  const auto media = Frame(GetParam(), 4);
  auto fec = Protect(media, {4, 1});
  auto v = ParseFlexFec(fec[0]);
  ASSERT_TRUE(v);
  FlexFecPacket p = ToPacket(*v);
  p.header.fixed = true;
  p.header.streams[0].mask.reset();
  p.header.streams[0].columns = 4;
  FlexFecDecoder dec({kMediaSsrc});
  auto got = Deliver(media, {Serialize(p)}, {2}, dec);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], media[2]);
}

TEST(FlexFec, TwoLostInOneRowAreNotGuessed) {
  const auto media = Frame(100, 5);
  FlexFecDecoder dec({kMediaSsrc});
  EXPECT_TRUE(Deliver(media, Protect(media, {5, 1}), {1, 3}, dec).empty());
  EXPECT_EQ(dec.repair_packets_held(), 1u);  // kept: the retransmission of one may still come
}

TEST_P(FlexFecWrap, RepairNamesTheNewestNumberItProtects) {
  // A frame's last two packets lost: the frame's last repair packet still says the frame ran
  // to its tenth number, so the receiver can ask for the tail at once.
  const auto media = Frame(GetParam(), 10);
  const auto fec = Protect(media, {5, 1});
  ASSERT_EQ(fec.size(), 2u);
  FlexFecDecoder dec({kMediaSsrc});
  for (std::size_t i = 0; i < 8; ++i) (void)dec.OnMedia(media[i]);
  (void)dec.OnRepair(fec[0]);
  const FecDecodeResult r = dec.OnRepair(fec[1]);
  EXPECT_TRUE(r.recovered.empty());
  ASSERT_TRUE(r.last_protected);
  EXPECT_EQ(*r.last_protected, static_cast<std::uint16_t>(GetParam() + 9));
  // A rejected repair packet names nothing.
  EXPECT_FALSE(dec.OnRepair(std::vector<std::uint8_t>{0x80, 0x62}).last_protected);
}

TEST(FlexFec, EncoderFlushesShortRowsAtFrameEndAndBreaksBlocksOnGaps) {
  FlexFecEncoder enc(kFecSsrc, 65535);
  enc.SetScheme({4, 1});
  std::vector<Datagram> out;
  const auto media = Frame(10, 6);
  for (const auto& m : media) enc.Add(m, out);
  EXPECT_EQ(out.size(), 1u);  // the first row of 4
  enc.Flush(out);
  ASSERT_EQ(out.size(), 2u);  // the short row of 2
  auto row2 = ParseFlexFec(out[1]);
  ASSERT_TRUE(row2);
  EXPECT_EQ(row2->rtp.sequence_number, 0);  // own sequence space, wrapped from 65535
  EXPECT_EQ(row2->rtp.payload_type, kFlexFecPayloadType);
  EXPECT_EQ(row2->rtp.ssrc, kFecSsrc);
  EXPECT_EQ(row2->header.streams[0].sn_base, 14);
  EXPECT_EQ(ProtectedOffsets(row2->header.streams[0], false), (std::vector<std::uint16_t>{0, 1}));
  // A gap: packets 20, 21 then 23 make two rows, not one spanning the hole.
  out.clear();
  enc.Add(Media(20, 0), out);
  enc.Add(Media(21, 1), out);
  enc.Add(Media(23, 2), out);
  enc.Flush(out);
  ASSERT_EQ(out.size(), 2u);
  enc.SetScheme({0, 1});
  out.clear();
  enc.Add(Media(30, 0), out);
  enc.Flush(out);
  EXPECT_TRUE(out.empty());
}

TEST(FlexFec, SchemeIsCappedToTheLongestMask) {
  FlexFecEncoder enc(kFecSsrc, 0);
  enc.SetScheme({20, 20});
  EXPECT_EQ(enc.scheme(), (FecScheme{20, 6}));  // 20 * 5 + 1 <= 110
  enc.SetScheme({500, 1});
  EXPECT_EQ(enc.scheme().columns, static_cast<int>(kFlexFecMaskBits));
}

TEST(FlexFec, WindowBoundsMemoryAndDropsStaleRepair) {
  FlexFecDecoder dec({kMediaSsrc, 64, 8});
  std::uint16_t seq = 40000;
  for (int frame = 0; frame < 50; ++frame) {
    auto media = Frame(seq, 6);
    seq = static_cast<std::uint16_t>(seq + 6);
    auto fec = Protect(media, {3, 1});
    // Both of one row lost: its repair packets can never be used and must not pile up.
    (void)Deliver(media, fec, {0, 1}, dec);
    EXPECT_LE(dec.repair_packets_held(), 8u);
  }
  EXPECT_EQ(dec.stats().recovered, 0u);
}

TEST(FlexFec, RepairForAnotherStreamOrWildSequenceIsIgnored) {
  const auto media = Frame(5, 4);
  const auto fec = Protect(media, {4, 1});
  FlexFecDecoder other({0x99999999});
  EXPECT_TRUE(other.OnRepair(fec[0]).recovered.empty());
  EXPECT_EQ(other.stats().repair_ignored, 1u);
  FlexFecDecoder dec({kMediaSsrc, 128});
  for (const auto& m : media) (void)dec.OnMedia(m);
  auto v = ParseFlexFec(fec[0]);
  FlexFecPacket far = ToPacket(*v);
  far.header.streams[0].sn_base = 20000;
  EXPECT_TRUE(dec.OnRepair(Serialize(far)).recovered.empty());
  EXPECT_EQ(dec.stats().repair_ignored, 1u);
}

TEST(FlexFec, GarbageNeverCrashesAndNeverYieldsForeignPackets) {
  std::mt19937 rng(7);
  FlexFecDecoder dec({kMediaSsrc, 128, 16});
  const auto media = Frame(1000, 40);
  const auto fec = Protect(media, {5, 4});
  for (int round = 0; round < 4000; ++round) {
    Datagram d;
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) {
      d.resize(rng() % 80);
      for (auto& b : d) b = static_cast<std::uint8_t>(rng());
    } else {  // a real packet with a few bytes flipped
      d = kind == 1 ? media[rng() % media.size()] : fec[rng() % fec.size()];
      for (int k = 0; k < 3; ++k) d[rng() % d.size()] ^= static_cast<std::uint8_t>(rng());
    }
    auto res = (round % 2) ? dec.OnRepair(d) : dec.OnMedia(d);
    for (const auto& r : res.recovered) {
      auto v = ParseRtp(r);
      ASSERT_TRUE(v);
      EXPECT_EQ(v->ssrc, kMediaSsrc);
    }
    EXPECT_LE(dec.repair_packets_held(), 16u);
  }
}

}  // namespace
}  // namespace confcast::rtp

namespace confcast::rtp {
namespace {

// What the wifi-burst benchmark does to a stream: frames of varied length, each scheme the
// policy uses, Gilbert-style bursts of loss, and media and repair packets arriving shuffled
// within a few packets (delay jitter). Whatever the decoder rebuilds must be exactly the packet
// that was lost, byte for byte; a wrong rebuild would reach the decoder as a valid-looking slice.
TEST(FlexFec, RandomBurstsAndReorderingNeverRebuildAWrongPacket) {
  std::mt19937 rng(20261122);
  for (const FecScheme scheme : {FecScheme{10, 1}, FecScheme{5, 1}, FecScheme{5, 5}, FecScheme{4, 4}}) {
    FlexFecEncoder enc(kFecSsrc, 500);
    enc.SetScheme(scheme);
    FlexFecDecoder dec(FlexFecDecoderConfig{kMediaSsrc});
    std::map<std::uint16_t, Datagram> sent;
    std::vector<Datagram> wire;  // what survives the loss, in send order
    std::uint16_t seq = 65000;   // crosses the wrap
    bool bad = false;
    std::size_t index = 0;
    for (int frame = 0; frame < 400; ++frame) {
      const std::size_t n = 1 + rng() % 24;
      std::vector<Datagram> fec;
      for (std::size_t i = 0; i < n; ++i, ++seq, ++index) {
        Datagram m = Media(seq, index);
        m[1] = static_cast<std::uint8_t>((m[1] & 0x7F) | (i + 1 == n ? 0x80 : 0));  // marker
        sent[seq] = m;
        enc.Add(m, fec);
        // Two-state loss: 3% into a burst, bursts of 4 on average.
        bad = bad ? rng() % 4 != 0 : rng() % 100 < 3;
        if (!bad) wire.push_back(m);
      }
      enc.Flush(fec);
      for (auto& f : fec) {
        bad = bad ? rng() % 4 != 0 : rng() % 100 < 3;
        if (!bad) wire.push_back(f);
      }
    }
    // Jitter: each datagram moves up to 6 places.
    for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
      const std::size_t j = std::min(wire.size() - 1, i + rng() % 7);
      std::swap(wire[i], wire[j]);
    }
    std::size_t rebuilt = 0;
    for (const Datagram& d : wire) {
      const bool repair = (d[1] & 0x7F) == 98;
      FecDecodeResult r = repair ? dec.OnRepair(d) : dec.OnMedia(d);
      for (const Datagram& got : r.recovered) {
        const auto s = static_cast<std::uint16_t>(got[2] << 8 | got[3]);
        ASSERT_TRUE(sent.count(s)) << "rebuilt a sequence number never sent: " << s;
        EXPECT_EQ(got, sent[s]) << "scheme " << scheme.columns << "x" << scheme.rows << " seq " << s;
        ++rebuilt;
      }
    }
    EXPECT_GT(rebuilt, 0u) << "scheme " << scheme.columns << "x" << scheme.rows;
  }
}

}  // namespace
}  // namespace confcast::rtp

// The sender's write path (send_chain.h) without sockets: datagrams flow stamp -> FEC ->
// history -> an end stage that records what a transport would send; the history reaches the
// RtxSender only through the SentPacketRing, which drops and counts when full.
#include "send_chain.h"

#include <confcast/rtp/packet.h>
#include <confcast/rtp/rtx.h>
#include <gtest/gtest.h>

#include <thread>

namespace confcast::sender {
namespace {

using std::chrono::milliseconds;

constexpr std::uint32_t kMediaSsrc = 0x1111;
constexpr std::uint32_t kFecSsrc = 0xFEC1;
constexpr std::uint32_t kRtxSsrc = 0x2222;

// The end of a chain in a test: keeps a copy of each datagram and where each Flush fell.
class Recorder : public PacketSink {
 public:
  struct Entry {
    std::vector<std::uint8_t> bytes;
    bool repair;
  };
  void Write(const Datagram& d) override {
    entries.push_back({{d.bytes.begin(), d.bytes.end()}, d.repair});
  }
  void Flush() override { flushes.push_back(entries.size()); }
  std::vector<Entry> entries;
  std::vector<std::size_t> flushes;  // entries written before each Flush
};

std::uint32_t SsrcOf(std::span<const std::uint8_t> d) { return rtp::ReadU32(d, 8); }
std::uint16_t SeqOf(std::span<const std::uint8_t> d) { return rtp::ReadU16(d, 2); }

std::vector<std::uint8_t> PayloadOf(std::uint8_t tag, std::size_t size = 100) {
  return std::vector<std::uint8_t>(size, tag);
}

rtp::Timestamp Ms(int ms) { return rtp::Timestamp{milliseconds(ms)}; }

struct Chain {
  explicit Chain(int fec_percent, std::size_t ring_capacity = 64)
      : fec(fec_percent, kFecSsrc, 500, counters),
        ring(ring_capacity),
        history(ring, recorder),
        fec_stage(fec, history),
        stamp(stamper, counters, fec_stage, 1500) {}
  StreamCounters counters;
  rtp::RtpStamper stamper{kMediaSsrc, 96, 65534};
  FecProtector fec;
  Recorder recorder;
  SentPacketRing ring;
  HistoryTap history;
  FecStage fec_stage;
  StampStage stamp;

  void Frame(int n, std::uint32_t ts, rtp::Timestamp now) {
    fec.BeginFrame(0.0, now);
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(stamp.Write(PayloadOf(static_cast<std::uint8_t>(i)), i == n - 1, ts, {}, now));
    }
    stamp.Flush();
  }
};

TEST(SendChain, MediaThenRepairInOrderAndOnlyMediaIntoTheHistory) {
  Chain c(50);
  c.Frame(4, 9000, Ms(0));
  ASSERT_EQ(c.recorder.flushes, std::vector<std::size_t>{c.recorder.entries.size()});
  ASSERT_GT(c.recorder.entries.size(), 4u);  // 50%: repair packets follow the media
  const std::uint16_t expected_seq[] = {65534, 65535, 0, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& e = c.recorder.entries[i];
    EXPECT_FALSE(e.repair);
    EXPECT_EQ(SsrcOf(e.bytes), kMediaSsrc);
    EXPECT_EQ(SeqOf(e.bytes), expected_seq[i]);
    auto v = rtp::ParseRtp(e.bytes);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->marker, i == 3);
    EXPECT_EQ(v->timestamp, 9000u);
    EXPECT_EQ(std::vector<std::uint8_t>(v->payload.begin(), v->payload.end()),
              PayloadOf(static_cast<std::uint8_t>(i)));
  }
  const std::size_t repairs = c.recorder.entries.size() - 4;
  for (std::size_t i = 4; i < c.recorder.entries.size(); ++i) {
    EXPECT_TRUE(c.recorder.entries[i].repair);
    EXPECT_EQ(SsrcOf(c.recorder.entries[i].bytes), kFecSsrc);
  }
  EXPECT_EQ(c.counters.packets.load(), 4u);
  EXPECT_EQ(c.counters.payload_octets.load(), 400u);
  EXPECT_EQ(c.counters.fec_packets.load(), repairs);

  std::vector<std::uint16_t> in_ring;
  EXPECT_EQ(c.ring.Drain([&](std::span<const std::uint8_t> d, rtp::Timestamp) {
              EXPECT_EQ(SsrcOf(d), kMediaSsrc);
              in_ring.push_back(SeqOf(d));
            }),
            4u);
  EXPECT_EQ(in_ring, std::vector<std::uint16_t>(std::begin(expected_seq), std::end(expected_seq)));
}

TEST(SendChain, BuffersAreReusedAcrossFramesWithoutCorruptingTheLastOne) {
  Chain c(0);
  c.Frame(3, 1000, Ms(0));
  c.Frame(2, 4000, Ms(33));
  ASSERT_EQ(c.recorder.entries.size(), 5u);
  EXPECT_EQ(c.recorder.flushes, (std::vector<std::size_t>{3, 5}));
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(SeqOf(c.recorder.entries[i].bytes), static_cast<std::uint16_t>(65534 + i));
  }
  EXPECT_EQ(rtp::ParseRtp(c.recorder.entries[3].bytes)->timestamp, 4000u);
}

TEST(SendChain, RetransmitsARememberedPacketOnlyOnceItCameThroughTheRing) {
  Chain c(0);
  c.Frame(4, 9000, Ms(0));
  RtxSenderConfig rc;
  rc.media_ssrc = kMediaSsrc;
  rc.rtx_ssrc = kRtxSsrc;
  rc.first_sequence_number = 7;
  RtxSender rtx(rc);
  const std::uint16_t lost[] = {0};
  const rtp::Nack nack{0xa, kMediaSsrc, rtp::BuildNackItems(lost)};
  // Not drained yet: the history does not have it.
  EXPECT_TRUE(rtx.OnNack(nack, Ms(1)).empty());
  EXPECT_EQ(DrainInto(c.ring, rtx), 4u);
  const auto out = rtx.OnNack(nack, Ms(20));
  ASSERT_EQ(out.size(), 1u);
  auto parsed = rtp::ParseRtx(out[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->rtp.ssrc, kRtxSsrc);
  EXPECT_EQ(parsed->rtp.sequence_number, 7u);
  EXPECT_EQ(parsed->osn, 0u);
  rtp::RtxAptMap apt;
  apt.Set(97, 96);
  EXPECT_EQ(*rtp::RestoreOriginal(*parsed, apt, kMediaSsrc), c.recorder.entries[2].bytes);
}

TEST(SendChain, FullRingDropsAndCountsThenRecovers) {
  SentPacketRing ring(4);
  ASSERT_EQ(ring.capacity(), 4u);
  for (std::uint8_t i = 0; i < 6; ++i) {
    const std::uint8_t b[] = {i, i};
    EXPECT_EQ(ring.Push(b, Ms(i)), i < 4);
  }
  EXPECT_EQ(ring.dropped(), 2u);
  std::vector<int> seen;
  EXPECT_EQ(ring.Drain([&](std::span<const std::uint8_t> d, rtp::Timestamp t) {
              EXPECT_EQ(t, Ms(d[0]));
              seen.push_back(d[0]);
            }),
            4u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
  const std::uint8_t b[] = {9};
  EXPECT_TRUE(ring.Push(b, Ms(9)));
  EXPECT_EQ(ring.dropped(), 2u);
}

TEST(SendChain, ChainCountsWhatTheFullRingDropped) {
  Chain c(0, 2);
  c.Frame(5, 9000, Ms(0));
  EXPECT_EQ(c.recorder.entries.size(), 5u);  // the wire loses nothing
  EXPECT_EQ(c.ring.dropped(), 3u);           // only their retransmission is lost
}

TEST(SendChain, RingHandsOverInOrderAcrossThreads) {
  SentPacketRing ring(16);
  constexpr std::uint32_t kCount = 200'000;
  std::thread producer([&] {
    std::uint8_t b[4];
    for (std::uint32_t i = 0; i < kCount; ++i) {
      b[0] = static_cast<std::uint8_t>(i >> 24);
      b[1] = static_cast<std::uint8_t>(i >> 16);
      b[2] = static_cast<std::uint8_t>(i >> 8);
      b[3] = static_cast<std::uint8_t>(i);
      (void)ring.Push(std::span<const std::uint8_t>(b, 1 + i % 4), rtp::Timestamp{i});
    }
  });
  std::uint64_t received = 0;
  std::int64_t last = -1;
  bool ordered = true;
  auto take = [&](std::span<const std::uint8_t> d, rtp::Timestamp t) {
    ordered = ordered && t.count() > last && d.size() == static_cast<std::size_t>(1 + t.count() % 4) &&
              d[0] == static_cast<std::uint8_t>(t.count() >> 24);
    last = t.count();
    ++received;
  };
  while (last + 1 < kCount && received + ring.dropped() < kCount) (void)ring.Drain(take);
  producer.join();
  (void)ring.Drain(take);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(received + ring.dropped(), kCount);
}

TEST(SendChain, SsrcChangeTakesEffectOnlyBetweenFrames) {
  Chain c(0);
  c.fec.BeginFrame(0.0, Ms(0));
  ASSERT_TRUE(c.stamp.Write(PayloadOf(1), false, 1000, {}, Ms(0)));
  c.stamp.RequestSsrc(0xBEEF);  // the RTCP thread, mid-frame
  ASSERT_TRUE(c.stamp.Write(PayloadOf(2), true, 1000, {}, Ms(0)));
  c.stamp.Flush();
  c.stamp.ApplyPendingSsrc();  // the media thread, between frames
  c.stamp.ApplyPendingSsrc();  // taken once
  c.Frame(1, 4000, Ms(33));
  ASSERT_EQ(c.recorder.entries.size(), 3u);
  EXPECT_EQ(SsrcOf(c.recorder.entries[0].bytes), kMediaSsrc);
  EXPECT_EQ(SsrcOf(c.recorder.entries[1].bytes), kMediaSsrc);
  EXPECT_EQ(SsrcOf(c.recorder.entries[2].bytes), 0xBEEFu);
  EXPECT_EQ(SeqOf(c.recorder.entries[2].bytes), 0u);  // the sequence continues
}

TEST(SendChain, PacketizeAccessUnitPutsTheExtensionOnTheFirstPacketOnly) {
  Chain c(0);
  // Two NAL units, one too large for a packet: FU-A fragments, then the small one.
  std::vector<std::uint8_t> au = {0, 0, 0, 1, 0x65};
  au.insert(au.end(), 3000, 0xAB);
  au.insert(au.end(), {0, 0, 0, 1, 0x41, 1, 2, 3});
  const std::uint8_t ext_bytes[] = {1, 2, 3, 4, 5, 6, 7, 8};
  const rtp::ExtensionView ext[] = {{1, rtp::Bytes(ext_bytes)}};
  std::vector<std::uint8_t> scratch;
  c.fec.BeginFrame(0.0, Ms(0));
  const std::size_t n = PacketizeAccessUnit(au, 1000, 3000, ext, Ms(0), c.stamp, scratch);
  c.stamp.Flush();
  ASSERT_GE(n, 4u);
  ASSERT_EQ(c.recorder.entries.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    auto v = rtp::ParseRtp(c.recorder.entries[i].bytes);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->has_extension, i == 0);
    EXPECT_EQ(v->marker, i == n - 1);
    EXPECT_LE(v->payload.size(), 1000u);
  }
}

}  // namespace
}  // namespace confcast::sender

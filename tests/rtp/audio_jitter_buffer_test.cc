#include <confcast/rtp/audio_jitter_buffer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace confcast::rtp {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kFrame = 960;  // 20 ms at 48 kHz
constexpr Duration kDelay{1'000};

struct Arrival {
  Timestamp at;
  std::uint16_t seq;
  std::uint32_t ts;
  std::vector<std::uint8_t> payload;
};

// Packet i of a 20 ms stream, sent at 1 s + 20 ms * i, with a payload naming it.
Arrival Packet(int i, std::uint16_t seq0 = 0, std::uint32_t ts0 = 0, Duration extra = 0us) {
  const auto seq = static_cast<std::uint16_t>(seq0 + i);
  return {1s + i * 20ms + kDelay + extra,
          seq,
          ts0 + static_cast<std::uint32_t>(i) * kFrame,
          {static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)}};
}

// Plays the event loop of a receiver: packets arrive in time order; between them, the buffer
// is polled exactly at its NextWakeup. Returns every slot handed out up to `end`.
struct Driver {
  explicit Driver(AudioJitterBuffer& buffer) : jb(buffer) {}
  AudioJitterBuffer& jb;
  std::vector<AudioSlot> slots;
  std::vector<AudioInsertStatus> statuses;

  void PollUntil(Timestamp t) {
    while (jb.NextWakeup() && *jb.NextWakeup() <= t) {
      const Timestamp wake = *jb.NextWakeup();
      AudioPollResult r = jb.Poll(wake);
      ASSERT_FALSE(r.slots.empty()) << "woken for nothing at " << wake.count();
      for (auto& s : r.slots) slots.push_back(std::move(s));
    }
  }
  void Run(std::vector<Arrival> arrivals, Timestamp end) {
    std::stable_sort(arrivals.begin(), arrivals.end(),
                     [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
    for (auto& a : arrivals) {
      PollUntil(a.at);
      statuses.push_back(jb.Insert(a.seq, a.ts, std::move(a.payload), a.at));
    }
    PollUntil(end);
  }
  // After the last packet the buffer conceals for max_concealment (100 ms: 5 slots), then
  // idles. Removes and counts those trailing slots.
  int TrimTrailingMissing() {
    int n = 0;
    while (!slots.empty() && slots.back().kind == AudioSlotKind::kMissing) {
      slots.pop_back();
      ++n;
    }
    return n;
  }
};

AudioJitterConfig Config(Duration floor) {
  AudioJitterConfig c;
  c.min_delay = floor;
  return c;
}

std::vector<AudioSlotKind> Kinds(const std::vector<AudioSlot>& slots) {
  std::vector<AudioSlotKind> k;
  for (const auto& s : slots) k.push_back(s.kind);
  return k;
}

TEST(AudioJitterBuffer, CleanStreamPlaysAtASteadyCadence) {
  AudioJitterBuffer jb(Config(5ms));
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 50; ++i) in.push_back(Packet(i, 1000, 42));
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  EXPECT_FALSE(jb.NextWakeup());
  EXPECT_TRUE(jb.idle() || jb.packets_buffered() == 0);
  ASSERT_EQ(d.slots.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    const AudioSlot& s = d.slots[i];
    EXPECT_EQ(s.kind, AudioSlotKind::kPacket);
    EXPECT_EQ(s.seq, 1000 + i);
    EXPECT_EQ(s.rtp_ts, 42u + i * kFrame);
    EXPECT_EQ(s.payload[1], static_cast<std::uint8_t>(1000 + i));
    // First arrival + floor, then exactly every 20 ms.
    EXPECT_EQ(s.playout_time, 1s + kDelay + 5ms + i * 20ms);
  }
  const auto st = jb.stats();
  EXPECT_EQ(st.slots_packet, 50u);
  EXPECT_EQ(st.slots_missing, 0u);
  EXPECT_EQ(st.lost, 0u);
  EXPECT_EQ(st.target_delay, 5ms);
  EXPECT_EQ(jb.packets_buffered(), 0u);
}

TEST(AudioJitterBuffer, TenMillisecondFrames) {
  AudioJitterConfig c = Config(5ms);
  c.frame_samples = 480;
  AudioJitterBuffer jb(c);
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 20; ++i) {
    in.push_back(
        {1s + i * 10ms, static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(480 * i), {}});
  }
  d.Run(in, 2s);
  EXPECT_EQ(d.TrimTrailingMissing(), 10);  // 100 ms of 10 ms slots
  ASSERT_EQ(d.slots.size(), 20u);
  for (int i = 1; i < 20; ++i)
    EXPECT_EQ(d.slots[i].playout_time - d.slots[i - 1].playout_time, 10ms);
}

TEST(AudioJitterBuffer, MissingSlotOffersTheNextPacketForFec) {
  AudioJitterBuffer jb(Config(25ms));  // deep enough for packet 5 to be in when slot 4 is due
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 10; ++i)
    if (i != 4) in.push_back(Packet(i));
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  ASSERT_EQ(d.slots.size(), 10u);
  const AudioSlot& gap = d.slots[4];
  EXPECT_EQ(gap.kind, AudioSlotKind::kMissing);
  EXPECT_EQ(gap.rtp_ts, 4 * kFrame);
  EXPECT_TRUE(gap.next_available);
  EXPECT_EQ(gap.next_payload, (std::vector<std::uint8_t>{0, 5}));
  EXPECT_EQ(d.slots[5].kind, AudioSlotKind::kPacket);
  EXPECT_EQ(d.slots[5].seq, 5);
  EXPECT_EQ(d.slots[5].payload, (std::vector<std::uint8_t>{0, 5}));  // still played itself
  EXPECT_EQ(jb.stats().lost, 1u);
  EXPECT_EQ(jb.stats().slots_missing, 1u);
}

TEST(AudioJitterBuffer, MissingSlotWithoutTheNextPacketYet) {
  AudioJitterBuffer jb(Config(5ms));  // packet 5 comes 15 ms after slot 4 is due
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 10; ++i)
    if (i != 4) in.push_back(Packet(i));
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  ASSERT_EQ(d.slots.size(), 10u);
  EXPECT_EQ(d.slots[4].kind, AudioSlotKind::kMissing);
  EXPECT_FALSE(d.slots[4].next_available);
  EXPECT_TRUE(d.slots[4].next_payload.empty());
  EXPECT_EQ(d.slots[5].kind, AudioSlotKind::kPacket);
}

TEST(AudioJitterBuffer, PacketAfterItsSlotIsLate) {
  AudioJitterBuffer jb(Config(5ms));
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 10; ++i) in.push_back(Packet(i, 0, 0, i == 4 ? 30ms : 0us));
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  ASSERT_EQ(d.slots.size(), 10u);
  EXPECT_EQ(d.slots[4].kind, AudioSlotKind::kMissing);
  EXPECT_EQ(std::count(d.statuses.begin(), d.statuses.end(), AudioInsertStatus::kLate), 1);
  EXPECT_EQ(jb.stats().late, 1u);
  EXPECT_EQ(jb.stats().lost, 1u);
}

TEST(AudioJitterBuffer, ReorderedWithinTheDelayPlaysInOrder) {
  AudioJitterBuffer jb(Config(30ms));
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 10; ++i) in.push_back(Packet(i, 0, 0, i == 4 ? 25ms : 0us));
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  ASSERT_EQ(d.slots.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(d.slots[i].seq, i);  // packet 4 came after 5
  EXPECT_EQ(jb.stats().reordered, 1u);
  EXPECT_EQ(jb.stats().lost, 0u);
}

TEST(AudioJitterBuffer, DuplicatesAreCountedBeforeAndAfterPlayout) {
  AudioJitterBuffer jb(Config(5ms));
  EXPECT_EQ(jb.Insert(7, 0, {1}, 1s), AudioInsertStatus::kStored);
  EXPECT_EQ(jb.Insert(7, 0, {1}, 1s), AudioInsertStatus::kDuplicate);
  const auto r = jb.Poll(1s + 5ms);
  ASSERT_EQ(r.slots.size(), 1u);
  EXPECT_EQ(jb.Insert(7, 0, {1}, 1s + 6ms), AudioInsertStatus::kDuplicate);
  EXPECT_EQ(jb.stats().duplicates, 2u);
  EXPECT_EQ(jb.stats().late, 0u);
}

TEST(AudioJitterBuffer, DtxGapKnownInAdvanceIsSilenceNotLoss) {
  AudioJitterConfig c = Config(120ms);  // deeper than the gap, so the gap is known in time
  c.max_delay = 200ms;
  AudioJitterBuffer jb(c);
  Driver d{jb};
  // Five packets, then the sender skips 5 frames of RTP time (DTX, RFC 7587 3.1.3) without
  // skipping sequence numbers; packets keep arriving on time.
  std::vector<Arrival> in;
  for (int i = 0; i < 5; ++i) in.push_back(Packet(i));
  for (int i = 10; i < 12; ++i) {
    Arrival a = Packet(i);
    a.seq = static_cast<std::uint16_t>(i - 5);
    in.push_back(a);
  }
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  using K = AudioSlotKind;
  EXPECT_EQ(Kinds(d.slots), (std::vector<K>{K::kPacket, K::kPacket, K::kPacket, K::kPacket,
                                            K::kPacket, K::kSilence, K::kSilence, K::kSilence,
                                            K::kSilence, K::kSilence, K::kPacket, K::kPacket}));
  EXPECT_EQ(d.slots[5].rtp_ts, 5 * kFrame);
  EXPECT_EQ(d.slots[10].rtp_ts, 10 * kFrame);
  EXPECT_EQ(d.slots[10].seq, 5);
  for (int i = 1; i < 12; ++i) {
    EXPECT_EQ(d.slots[i].playout_time - d.slots[i - 1].playout_time, 20ms);  // steady cadence
  }
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().slots_silence, 5u);
  EXPECT_EQ(jb.stats().slots_missing, 0u);
}

TEST(AudioJitterBuffer, DtxGapNotYetKnownIsConcealedButNotCountedLost) {
  AudioJitterBuffer jb(Config(5ms));  // shallow: the gap is played before the next packet
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 5; ++i) in.push_back(Packet(i));
  for (int i = 8; i < 10; ++i) {
    Arrival a = Packet(i);
    a.seq = static_cast<std::uint16_t>(i - 3);
    in.push_back(a);
  }
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  using K = AudioSlotKind;
  EXPECT_EQ(Kinds(d.slots),
            (std::vector<K>{K::kPacket, K::kPacket, K::kPacket, K::kPacket, K::kPacket, K::kMissing,
                            K::kMissing, K::kMissing, K::kPacket, K::kPacket}));
  EXPECT_EQ(d.slots[8].playout_time, 1s + kDelay + 5ms + 8 * 20ms);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().slots_missing, 0u);
  EXPECT_EQ(jb.stats().slots_underrun, 3u + 5u);
}

TEST(AudioJitterBuffer, LongSilenceIdlesAndResumesOnTheNextPacket) {
  AudioJitterBuffer jb(Config(5ms));
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 5; ++i) in.push_back(Packet(i));
  // DTX for 2 s: the sequence continues, RTP time jumps 100 frames.
  for (int i = 105; i < 110; ++i) {
    Arrival a = Packet(i);
    a.seq = static_cast<std::uint16_t>(i - 100);
    in.push_back(a);
  }
  d.Run(in, 4s);
  // 5 packets, concealment until 100 ms past the last packet (5 slots), then nothing until the
  // sender comes back, then 5 packets on the original cadence.
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  EXPECT_TRUE(jb.idle());
  ASSERT_EQ(d.slots.size(), 15u);
  for (int i = 5; i < 10; ++i) EXPECT_EQ(d.slots[i].kind, AudioSlotKind::kMissing) << i;
  EXPECT_EQ(d.slots[10].kind, AudioSlotKind::kPacket);
  EXPECT_EQ(d.slots[10].seq, 5);
  EXPECT_EQ(d.slots[10].playout_time, 1s + kDelay + 5ms + 105 * 20ms);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_FALSE(jb.NextWakeup());
}

TEST(AudioJitterBuffer, SenderClockPauseResumesWithoutLateDrops) {
  AudioJitterBuffer jb(Config(5ms));
  Driver d{jb};
  std::vector<Arrival> in;
  // The sender stalls for 1 s and then carries on where its timestamps left off.
  for (int i = 0; i < 20; ++i) in.push_back(Packet(i, 0, 0, i >= 10 ? 1s : 0s));
  d.Run(in, 4s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  ASSERT_EQ(d.slots.size(), 25u);  // 10 packets, 5 concealed, 10 packets
  for (int i = 10; i < 15; ++i) EXPECT_EQ(d.slots[i].kind, AudioSlotKind::kMissing);
  for (int i = 15; i < 25; ++i) {
    EXPECT_EQ(d.slots[i].kind, AudioSlotKind::kPacket);
    EXPECT_EQ(d.slots[i].seq, i - 5);
  }
  // Three packets after the stall the mapping re-anchors; from then on the floor holds again.
  EXPECT_EQ(d.slots[24].playout_time, Packet(19).at + 1s + 5ms);
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_EQ(jb.stats().lost, 0u);
}

class AudioWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, AudioWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(AudioWrap, WrapOfSequenceAndTimestampChangesNothing) {
  AudioJitterBuffer jb(Config(30ms));
  Driver d{jb};
  const std::uint32_t ts0 = 0xFFFFFFFFu - 3 * kFrame;
  std::vector<Arrival> in;
  for (int i = 0; i < 20; ++i) in.push_back(Packet(i, GetParam(), ts0, i % 5 == 2 ? 15ms : 0us));
  d.Run(in, 3s);
  EXPECT_EQ(d.TrimTrailingMissing(), 5);
  ASSERT_EQ(d.slots.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(d.slots[i].kind, AudioSlotKind::kPacket);
    EXPECT_EQ(d.slots[i].seq, static_cast<std::uint16_t>(GetParam() + i));
    EXPECT_EQ(d.slots[i].rtp_ts, static_cast<std::uint32_t>(ts0 + i * kFrame));
  }
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().restarts, 0u);
}

TEST(AudioJitterBuffer, TargetDelayFollowsJitterWithinFloorAndCeiling) {
  for (const Duration jitter : {0ms, 10ms, 300ms}) {
    AudioJitterConfig c = Config(5ms);
    c.max_delay = 60ms;
    AudioJitterBuffer jb(c);
    Driver d{jb};
    std::vector<Arrival> in;
    std::uint32_t rng = 7;
    for (int i = 0; i < 200; ++i) {
      rng = rng * 1664525u + 1013904223u;
      in.push_back(Packet(i, 0, 0, Duration{jitter.count() ? (rng >> 8) % jitter.count() : 0}));
    }
    d.Run(in, 10s);
    const Duration target = jb.stats().target_delay;
    EXPECT_GE(target, 5ms);
    EXPECT_LE(target, 60ms);
    if (jitter == 0ms) {
      EXPECT_EQ(target, 5ms);
    }
    if (jitter == 10ms) {
      EXPECT_GT(target, 5ms);
    }
    if (jitter == 300ms) {
      EXPECT_EQ(target, 60ms);
    }
  }
}

TEST(AudioJitterBuffer, ResetAndFarJumpFollowANewSender) {
  AudioJitterBuffer jb(Config(5ms));
  Driver d{jb};
  std::vector<Arrival> in;
  for (int i = 0; i < 5; ++i) in.push_back(Packet(i, 100, 0));
  d.Run(in, 1s + 200ms);
  jb.Reset();
  (void)jb.Insert(50, 7, {}, 2s);  // a new SSRC with older numbers plays at once
  auto r = jb.Poll(2s + 5ms);
  ASSERT_EQ(r.slots.size(), 1u);
  EXPECT_EQ(r.slots[0].seq, 50);
  // Now a far jump without Reset: the first packet is held on probation, the second confirms.
  EXPECT_EQ(jb.Insert(30000, 123456, {}, 2s + 20ms), AudioInsertStatus::kRestartProbe);
  EXPECT_EQ(jb.Insert(30001, 123456 + kFrame, {}, 2s + 40ms), AudioInsertStatus::kRestarted);
  r = jb.Poll(2s + 100ms);
  ASSERT_GE(r.slots.size(), 2u);
  EXPECT_EQ(r.slots[0].seq, 30000);
  EXPECT_EQ(r.slots[1].seq, 30001);
  EXPECT_EQ(jb.stats().restarts, 2u);
}

// Jitter up to 30 ms, 1% loss, 1% duplicates, DTX pauses: slots come out in RTP order, each
// packet at most once, and every received packet is either played, late or a duplicate.
TEST(AudioJitterBuffer, RandomizedStreamKeepsItsInvariants) {
  AudioJitterConfig c = Config(5ms);
  c.max_delay = 80ms;
  AudioJitterBuffer jb(c);
  Driver d(jb);
  std::uint32_t rng = 99;
  const auto next = [&rng] {
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
  };
  std::vector<Arrival> in;
  std::uint16_t seq = 65000;
  std::uint32_t ts = 0xFFFF0000u;
  for (int i = 0; i < 3000; ++i) {
    if (next() % 200 == 0) ts += kFrame * (5 + next() % 40);  // DTX pause
    if (next() % 100 != 0) {
      Arrival a{1s + Duration{static_cast<std::int64_t>(ts - 0xFFFF0000u) * 1'000'000 / 48'000} +
                    Duration{next() % 30'000},
                seq,
                ts,
                {static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)}};
      if (next() % 100 == 0) in.push_back(a);
      in.push_back(std::move(a));
    }
    ++seq;
    ts += kFrame;
  }
  d.Run(in, 1000s);
  std::size_t played = 0;
  std::int64_t previous_seq = -1;
  SeqUnwrapper seqs;
  TsUnwrapper times;
  std::int64_t previous_ts = -1;
  for (std::size_t i = 0; i < d.slots.size(); ++i) {
    const AudioSlot& s = d.slots[i];
    const std::int64_t t = times.Unwrap(s.rtp_ts);
    EXPECT_GT(t, previous_ts);
    previous_ts = t;
    if (i > 0) {
      EXPECT_GE(s.playout_time, d.slots[i - 1].playout_time);
    }
    if (s.kind != AudioSlotKind::kPacket) continue;
    ++played;
    const std::int64_t u = seqs.Unwrap(s.seq);
    EXPECT_GT(u, previous_seq);
    previous_seq = u;
    EXPECT_EQ(s.payload[1], static_cast<std::uint8_t>(s.seq));
  }
  const auto st = jb.stats();
  EXPECT_EQ(played + st.late + st.duplicates, in.size());
  EXPECT_GT(st.late, 0u);
  EXPECT_GT(st.slots_silence + st.slots_underrun, 0u);
  EXPECT_GT(played, 2500u);
  EXPECT_LE(st.target_delay, 80ms);
}

}  // namespace
}  // namespace confcast::rtp

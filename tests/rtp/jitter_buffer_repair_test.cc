// VideoJitterConfig::repair_wait: a frame with a hole waits for a retransmission (or FEC) at
// least that long after its first packet, never past the ceiling.
#include <confcast/rtp/jitter_buffer.h>
#include <gtest/gtest.h>

namespace confcast::rtp {
namespace {

using namespace std::chrono_literals;

VideoPacket Packet(std::uint16_t seq, std::uint32_t ts, bool marker, bool key) {
  return VideoPacket{seq, ts, marker, key, {static_cast<std::uint8_t>(seq)}};
}

struct Harness {
  VideoJitterBuffer jb;
  int frames = 0;
  int requests = 0;
  void Insert(VideoPacket p, Timestamp t) {
    InsertResult r = jb.Insert(std::move(p), t);
    frames += static_cast<int>(r.frames.size());
    requests += r.request_keyframe ? 1 : 0;
  }
  void Poll(Timestamp t) {
    PollResult r = jb.Poll(t);
    frames += static_cast<int>(r.frames.size());
    requests += r.request_keyframe ? 1 : 0;
  }
};

VideoJitterConfig Config(Duration repair_wait, Duration ceiling) {
  VideoJitterConfig c;
  c.min_delay = 2ms;
  c.max_delay = ceiling;
  c.repair_wait = repair_wait;
  return c;
}

// Frame 0 (keyframe, seq 0-1) at 950 ms; frame 1 (seq 2-4) at 1 s + 33 ms with seq 3 missing.
// Frame 0 is the first packet of the stream, so nothing says whether a reordered packet of its
// own (an SPS or SEI sent before the marked one) is still on its way: it waits like a frame
// with a hole, up to the repair wait. It comes early enough to be out before frame 1 comes.
void LoseOne(Harness& r) {
  const Timestamp t0 = 1'000'000us;
  r.Insert(Packet(0, 0, false, true), t0 - 50ms);
  r.Insert(Packet(1, 0, true, false), t0 - 50ms);
  r.Poll(t0);
  ASSERT_EQ(r.frames, 1);
  r.Insert(Packet(2, 3000, false, false), t0 + 33ms);
  r.Insert(Packet(4, 3000, true, false), t0 + 33ms);
}

TEST(VideoJitterBufferRepair, WithoutRepairWaitAHoleIsLostAtPlayout) {
  Harness r{VideoJitterBuffer(Config(0ms, 40ms))};
  LoseOne(r);
  r.Poll(1'000'000us + 33ms + 10ms);
  EXPECT_EQ(r.requests, 1);
  EXPECT_TRUE(r.jb.waiting_for_keyframe());
}

TEST(VideoJitterBufferRepair, RepairWaitKeepsTheHoleOpenForARetransmission) {
  Harness r{VideoJitterBuffer(Config(30ms, 40ms))};
  LoseOne(r);
  EXPECT_EQ(r.jb.NextWakeup(), 1'000'000us + 33ms + 30ms);
  r.Poll(1'000'000us + 33ms + 29ms);
  EXPECT_EQ(r.requests, 0);
  r.Insert(Packet(3, 3000, false, false), 1'000'000us + 33ms + 29ms);  // the repair
  EXPECT_EQ(r.frames, 2);
  EXPECT_EQ(r.requests, 0);
  EXPECT_EQ(r.jb.stats().lost, 0u);
}

TEST(VideoJitterBufferRepair, RepairWaitNeverPassesTheCeiling) {
  Harness r{VideoJitterBuffer(Config(100ms, 40ms))};
  LoseOne(r);
  EXPECT_EQ(r.jb.NextWakeup(), 1'000'000us + 33ms + 40ms);
  r.Poll(1'000'000us + 33ms + 40ms);
  EXPECT_EQ(r.requests, 1);
  EXPECT_EQ(r.jb.stats().lost, 1u);
}

// salvage_wait: past its deadline the frame is overdue (a keyframe is asked for at once) but a
// repair that comes within the salvage wait still completes it, and the frames held behind it
// go out with it; the chain holds and nothing is lost.
TEST(VideoJitterBufferRepair, SalvageReleasesAFrameWhoseRepairCameAfterItsDeadline) {
  VideoJitterConfig c = Config(30ms, 40ms);
  c.salvage_wait = 40ms;
  Harness r{VideoJitterBuffer(c)};
  LoseOne(r);
  const Timestamp deadline = 1'000'000us + 33ms + 30ms;
  r.Poll(deadline);
  EXPECT_EQ(r.requests, 1);
  EXPECT_FALSE(r.jb.waiting_for_keyframe());
  EXPECT_EQ(r.jb.stats().frames_overdue, 1u);
  EXPECT_EQ(r.jb.NextWakeup(), deadline + 40ms);
  r.Insert(Packet(5, 6000, false, false), 1'000'000us + 66ms);  // the next frame, held
  r.Insert(Packet(6, 6000, true, false), 1'000'000us + 66ms);
  EXPECT_EQ(r.frames, 1);
  r.Insert(Packet(3, 3000, false, false), deadline + 25ms);  // the late repair
  EXPECT_EQ(r.frames, 3);
  EXPECT_EQ(r.requests, 1);
  EXPECT_EQ(r.jb.stats().lost, 0u);
  EXPECT_EQ(r.jb.stats().frames_dropped, 0u);
  EXPECT_EQ(r.jb.stats().frames_salvaged, 1u);
}

TEST(VideoJitterBufferRepair, SalvageGivesUpWhenItsWaitRunsOut) {
  VideoJitterConfig c = Config(30ms, 40ms);
  c.salvage_wait = 40ms;
  Harness r{VideoJitterBuffer(c)};
  LoseOne(r);
  const Timestamp deadline = 1'000'000us + 33ms + 30ms;
  r.Poll(deadline + 39ms);
  EXPECT_FALSE(r.jb.waiting_for_keyframe());
  r.Poll(deadline + 40ms);
  EXPECT_TRUE(r.jb.waiting_for_keyframe());
  EXPECT_EQ(r.jb.stats().lost, 1u);
  EXPECT_EQ(r.requests, 1);  // asked at the deadline; the interval holds the second request back
  r.Insert(Packet(3, 3000, false, false), deadline + 41ms);  // too late now
  EXPECT_EQ(r.frames, 1);
  EXPECT_EQ(r.jb.stats().frames_salvaged, 0u);
}

TEST(VideoJitterBufferRepair, AKeyframeEndsTheSalvageWait) {
  VideoJitterConfig c = Config(30ms, 40ms);
  c.salvage_wait = 40ms;
  Harness r{VideoJitterBuffer(c)};
  LoseOne(r);
  const Timestamp deadline = 1'000'000us + 33ms + 30ms;
  r.Poll(deadline);
  EXPECT_EQ(r.requests, 1);
  // The keyframe asked for arrives before the repair: the broken frame is dropped and the
  // stream goes on from the keyframe.
  r.Insert(Packet(5, 9000, false, true), deadline + 10ms);
  r.Insert(Packet(6, 9000, true, false), deadline + 10ms);
  r.Poll(deadline + 60ms);
  EXPECT_EQ(r.frames, 2);
  EXPECT_EQ(r.jb.stats().lost, 1u);
  EXPECT_EQ(r.jb.stats().frames_salvaged, 0u);
  EXPECT_FALSE(r.jb.waiting_for_keyframe());
}

// 120 frames of two packets on a steady path, every fourth missing its second packet until a
// repair brings it 25 ms later. Returns the playout delay the buffer settled on.
Duration DelayAfterRepairs(bool marked_as_repairs) {
  Harness r{VideoJitterBuffer(Config(40ms, 40ms))};
  const Timestamp t0 = 1'000'000us;
  for (int i = 0; i < 120; ++i) {
    const auto seq = static_cast<std::uint16_t>(2 * i);
    const auto ts = static_cast<std::uint32_t>(3000 * i);
    const Timestamp at = t0 + i * 33'333us;
    r.Poll(at);
    r.Insert(Packet(seq, ts, false, i == 0), at);
    if (i % 4 != 3) {
      r.Insert(Packet(static_cast<std::uint16_t>(seq + 1), ts, true, false), at);
      continue;
    }
    r.Poll(at + 25ms);
    VideoPacket repair = Packet(static_cast<std::uint16_t>(seq + 1), ts, true, false);
    repair.repaired = marked_as_repairs;
    r.Insert(std::move(repair), at + 25ms);
  }
  r.Poll(t0 + 5s);
  EXPECT_EQ(r.frames, 120);
  EXPECT_EQ(r.requests, 0);
  return r.jb.stats().target_delay;
}

// A repair's arrival measures the repair, not the path: the playout delay stays at what the
// path needs (the floor here), and the frames that wait for a repair wait alone.
TEST(VideoJitterBufferRepair, RepairsDoNotRaiseThePlayoutDelay) {
  EXPECT_EQ(DelayAfterRepairs(true), 2ms);
  // The same arrivals taken as the path's own: the delay grows toward the 25 ms they took.
  EXPECT_GE(DelayAfterRepairs(false), 20ms);
}

}  // namespace
}  // namespace confcast::rtp

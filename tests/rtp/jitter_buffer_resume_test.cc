// Where a video jitter buffer that waits for a keyframe starts again (VideoJitterBuffer's
// TryResume): only at the first packet of the keyframe's access unit, once nothing before it
// can still belong to it. The packets are opaque here: keyframe_start marks what
// rtp::StartsKeyframe would mark (the STAP-A with SPS/PPS, and the top slice).
#include <confcast/rtp/jitter_buffer.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::rtp {
namespace {

using namespace std::chrono_literals;

VideoPacket Packet(std::uint16_t seq, std::uint32_t ts, bool marker, bool key) {
  return VideoPacket{seq, ts, marker, key, {static_cast<std::uint8_t>(seq)}};
}

struct Harness {
  explicit Harness(VideoJitterConfig c) : jb(c) {}
  VideoJitterBuffer jb;
  std::vector<VideoFrame> frames;
  int requests = 0;
  InsertStatus Insert(VideoPacket p, Timestamp t) {
    InsertResult r = jb.Insert(std::move(p), t);
    for (auto& f : r.frames) frames.push_back(std::move(f));
    requests += r.request_keyframe ? 1 : 0;
    return r.status;
  }
  void Poll(Timestamp t) {
    PollResult r = jb.Poll(t);
    for (auto& f : r.frames) frames.push_back(std::move(f));
    requests += r.request_keyframe ? 1 : 0;
  }
};

VideoJitterConfig Config(Duration repair_wait) {
  VideoJitterConfig c;
  c.min_delay = 2ms;
  c.max_delay = 40ms;
  c.repair_wait = repair_wait;
  return c;
}

constexpr Timestamp kT0 = 1'000'000us;

// Keyframe 0 (seq 0-1) is played; P frame 1 (seq 2-4) loses seq 3 and is given up, so the
// buffer waits for a keyframe; P frame 2 (seq 5-6) arrives whole. The IDR is frame 3: seq 7
// (STAP-A SPS/PPS, marked), 8 (top slice, marked), 9, 10 (marker), due at kT0 + 100 ms.
void LoseFrameOne(Harness& h) {
  h.Insert(Packet(0, 0, false, true), kT0 - 100ms);
  h.Insert(Packet(1, 0, true, false), kT0 - 100ms);
  h.Insert(Packet(2, 3000, false, false), kT0 - 67ms);
  h.Insert(Packet(4, 3000, true, false), kT0 - 67ms);
  h.Insert(Packet(5, 6000, false, false), kT0 - 33ms);
  h.Insert(Packet(6, 6000, true, false), kT0 - 33ms);
  h.Poll(kT0 - 1ms);
  ASSERT_EQ(h.frames.size(), 1u);
  ASSERT_TRUE(h.jb.waiting_for_keyframe());
}

TEST(VideoJitterBufferResume, AfterALossTheTopSliceWaitsForItsParameterSets) {
  // FINDINGS: the top slice arrives first; resuming there lost the SPS/PPS packet as "late".
  Harness h(Config(0ms));
  LoseFrameOne(h);
  for (int seq : {8, 9, 10}) {
    h.Insert(Packet(static_cast<std::uint16_t>(seq), 9000, seq == 10, seq == 8), kT0);
  }
  h.Poll(kT0 + 1ms);
  EXPECT_EQ(h.frames.size(), 1u);  // seq 7 may still come
  EXPECT_EQ(h.Insert(Packet(7, 9000, false, true), kT0 + 1ms), InsertStatus::kStored);
  h.Poll(kT0 + 40ms);
  ASSERT_EQ(h.frames.size(), 2u);
  EXPECT_EQ(h.frames[1].first_seq, 7);
  EXPECT_EQ(h.frames[1].last_seq, 10);
  EXPECT_TRUE(h.frames[1].keyframe);
  EXPECT_FALSE(h.jb.waiting_for_keyframe());
  EXPECT_EQ(h.jb.stats().late, 0u);
}

TEST(VideoJitterBufferResume, AtJoinAnEarlierPacketOfTheKeyframeStillBelongs) {
  // The first packet heard is the top slice; the STAP-A before it comes 1 ms later.
  Harness h(Config(20ms));
  EXPECT_EQ(h.Insert(Packet(101, 500, false, true), kT0), InsertStatus::kStored);
  EXPECT_EQ(h.Insert(Packet(100, 500, false, true), kT0 + 1ms), InsertStatus::kStored);
  EXPECT_EQ(h.Insert(Packet(102, 500, true, false), kT0 + 2ms), InsertStatus::kStored);
  h.Poll(kT0 + 40ms);
  ASSERT_EQ(h.frames.size(), 1u);
  EXPECT_EQ(h.frames[0].first_seq, 100);
  EXPECT_EQ(h.frames[0].payloads.size(), 3u);
  EXPECT_EQ(h.requests, 0);
}

TEST(VideoJitterBufferResume, AtJoinTheFirstKeyframeWaitsOnlyTheGapDeadline) {
  // Nothing before seq 100 ever comes: after the repair wait the frame goes out as it is.
  Harness h(Config(20ms));
  h.Insert(Packet(100, 500, false, true), kT0);
  h.Insert(Packet(101, 500, true, false), kT0);
  EXPECT_EQ(h.jb.NextWakeup(), kT0 + 20ms);
  h.Poll(kT0 + 20ms - 1us);
  EXPECT_TRUE(h.frames.empty());
  h.Poll(kT0 + 20ms);
  ASSERT_EQ(h.frames.size(), 1u);
  EXPECT_EQ(h.frames[0].first_seq, 100);
  // Anything older is late now.
  EXPECT_EQ(h.Insert(Packet(99, 500, false, false), kT0 + 21ms), InsertStatus::kLate);
}

TEST(VideoJitterBufferResume, AMissingHeadIsWaitedForThenTheMarkIsWhereItStarts) {
  // Seq 7 (the STAP-A) never comes: the IDR waits for it like a hole, then starts at its mark.
  Harness h(Config(20ms));
  LoseFrameOne(h);
  h.Insert(Packet(8, 9000, false, true), kT0);
  h.Insert(Packet(9, 9000, false, false), kT0 + 1ms);
  h.Insert(Packet(10, 9000, true, false), kT0 + 2ms);
  EXPECT_EQ(h.jb.NextWakeup(), kT0 + 20ms);  // the repair wait from the frame's first arrival
  h.Poll(kT0 + 20ms - 1us);
  EXPECT_EQ(h.frames.size(), 1u);
  h.Poll(kT0 + 20ms);
  ASSERT_EQ(h.frames.size(), 2u);
  EXPECT_EQ(h.frames[1].first_seq, 8);
  EXPECT_EQ(h.frames[1].last_seq, 10);
  EXPECT_EQ(h.Insert(Packet(7, 9000, false, true), kT0 + 21ms), InsertStatus::kLate);
}

TEST(VideoJitterBufferResume, AKeyframeWhoseHeadWasDroppedIsSkipped) {
  // Joined on an SEI packet (seq 50) that grows too old while nothing else comes; then the
  // rest of its access unit arrives. Without seq 50 it is not whole: wait for the next one.
  Harness h(Config(0ms));
  h.Insert(Packet(50, 700, false, false), kT0);
  h.Poll(kT0 + 100ms);
  EXPECT_EQ(h.jb.packets_buffered(), 0u);
  h.Insert(Packet(51, 700, false, true), kT0 + 100ms);
  h.Insert(Packet(52, 700, true, false), kT0 + 100ms);
  h.Poll(kT0 + 200ms);
  EXPECT_TRUE(h.frames.empty());
  EXPECT_TRUE(h.jb.waiting_for_keyframe());
  EXPECT_GE(h.requests, 1);
  // The next keyframe starts cleanly after the marker of the skipped one.
  h.Insert(Packet(53, 3700, false, true), kT0 + 233ms);
  h.Insert(Packet(54, 3700, true, false), kT0 + 233ms);
  h.Poll(kT0 + 300ms);
  ASSERT_EQ(h.frames.size(), 1u);
  EXPECT_EQ(h.frames[0].first_seq, 53);
}

}  // namespace
}  // namespace confcast::rtp

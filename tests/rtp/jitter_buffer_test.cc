#include <confcast/rtp/jitter_buffer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace confcast::rtp {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kTsPerFrame = 3000;  // 30 fps at 90 kHz
constexpr Duration kFrameInterval{33'333};   // the same in microseconds
constexpr Duration kPacketSpacing{200};      // pacing of packets within a frame
constexpr Duration kNetworkDelay{1'000};

// Builds a stream of frames the way a sender would number them.
class StreamGen {
 public:
  StreamGen(std::uint16_t seq, std::uint32_t ts) : seq_(seq), ts_(ts) {}
  // One frame of `n` packets; each payload is {seq high, seq low, frame index}.
  std::vector<VideoPacket> Frame(int n, bool key) {
    std::vector<VideoPacket> out;
    for (int i = 0; i < n; ++i) {
      VideoPacket p;
      p.seq = seq_++;
      p.rtp_ts = ts_;
      p.marker = i == n - 1;
      p.keyframe_start = key && i == 0;
      p.payload = {static_cast<std::uint8_t>(p.seq >> 8), static_cast<std::uint8_t>(p.seq),
                   static_cast<std::uint8_t>(frame_)};
      out.push_back(std::move(p));
    }
    ts_ += kTsPerFrame;
    ++frame_;
    return out;
  }
  std::uint16_t seq() const { return seq_; }
  std::uint32_t ts() const { return ts_; }

 private:
  std::uint16_t seq_;
  std::uint32_t ts_;
  int frame_ = 0;
};

// Collects what the buffer hands out.
struct Sink {
  std::vector<VideoFrame> frames;
  int requests = 0;
  std::vector<SeqRange> gaps;

  InsertStatus Insert(VideoJitterBuffer& jb, VideoPacket p, Timestamp t) {
    InsertResult r = jb.Insert(std::move(p), t);
    for (auto& f : r.frames) frames.push_back(std::move(f));
    requests += r.request_keyframe ? 1 : 0;
    gaps.insert(gaps.end(), r.new_gaps.begin(), r.new_gaps.end());
    return r.status;
  }
  void Poll(VideoJitterBuffer& jb, Timestamp t) {
    PollResult r = jb.Poll(t);
    for (auto& f : r.frames) frames.push_back(std::move(f));
    requests += r.request_keyframe ? 1 : 0;
  }
};

// These tests hold complete frames for the whole target (no judder tolerance), so that the
// timing they check is the target's; JudderBelowTheToleranceIsNotSmoothed checks the default.
VideoJitterConfig Config(Duration floor) {
  VideoJitterConfig c;
  c.min_delay = floor;
  c.judder_tolerance = 0us;
  return c;
}

// Send time of packet i of frame k, exactly on the 90 kHz grid.
Timestamp SendTime(int frame, int i) {
  return 1'000'000us + Duration{frame * 100'000 / 3} + i * kPacketSpacing;
}

TEST(VideoJitterBuffer, CleanStreamReleasesEveryFrameAtItsLastPacket) {
  VideoJitterBuffer jb(Config(0us));
  StreamGen gen(100, 5000);
  Sink sink;
  for (int k = 0; k < 60; ++k) {
    const auto packets = gen.Frame(10, k % 30 == 0);
    for (int i = 0; i < 10; ++i) {
      const Timestamp t = SendTime(k, i) + kNetworkDelay;
      const std::size_t before = sink.frames.size();
      EXPECT_EQ(sink.Insert(jb, packets[i], t), InsertStatus::kStored);
      // Released exactly when the marker packet arrives, not before and not later.
      EXPECT_EQ(sink.frames.size(), before + (i == 9 ? 1 : 0)) << k << "/" << i;
    }
    const VideoFrame& f = sink.frames.back();
    EXPECT_EQ(f.rtp_ts, 5000u + k * kTsPerFrame);
    EXPECT_EQ(f.keyframe, k % 30 == 0);
    EXPECT_EQ(f.first_seq, 100 + 10 * k);
    EXPECT_EQ(f.last_seq, 100 + 10 * k + 9);
    EXPECT_EQ(f.first_arrival, SendTime(k, 0) + kNetworkDelay);
    EXPECT_EQ(f.last_arrival, SendTime(k, 9) + kNetworkDelay);
    EXPECT_LE(f.playout_time, f.last_arrival);  // no added delay
    ASSERT_EQ(f.payloads.size(), 10u);
    for (int i = 0; i < 10; ++i)
      EXPECT_EQ(f.payloads[i][1], static_cast<std::uint8_t>(100 + 10 * k + i));
  }
  EXPECT_EQ(sink.requests, 0);
  EXPECT_TRUE(sink.gaps.empty());
  const auto s = jb.stats();
  EXPECT_EQ(s.packets_received, 600u);
  EXPECT_EQ(s.frames_complete, 60u);
  EXPECT_EQ(s.frames_dropped, 0u);
  EXPECT_EQ(s.lost, 0u);
  EXPECT_EQ(s.target_delay, 0us);
  EXPECT_EQ(jb.packets_buffered(), 0u);
}

TEST(VideoJitterBuffer, FloorDelayHoldsCompleteFramesUntilPlayout) {
  VideoJitterBuffer jb(Config(5ms));
  StreamGen gen(0, 0);
  Sink sink;
  for (int k = 0; k < 3; ++k) {
    const auto packets = gen.Frame(3, k == 0);
    for (int i = 0; i < 3; ++i) sink.Insert(jb, packets[i], SendTime(k, i) + kNetworkDelay);
    ASSERT_EQ(sink.frames.size(), static_cast<std::size_t>(k));  // held
    ASSERT_TRUE(jb.NextWakeup());
    const Timestamp wake = *jb.NextWakeup();
    // Playout = the frame's expected completion + 5 ms. On this clean path that is its last
    // packet's arrival; for the very first frame, before any frame completed, the first's.
    EXPECT_EQ(wake, SendTime(k, k == 0 ? 0 : 2) + kNetworkDelay + 5ms);
    sink.Poll(jb, wake - 1us);
    EXPECT_EQ(sink.frames.size(), static_cast<std::size_t>(k));
    sink.Poll(jb, wake);
    ASSERT_EQ(sink.frames.size(), static_cast<std::size_t>(k + 1));
    EXPECT_EQ(sink.frames.back().playout_time, wake);
  }
  EXPECT_FALSE(jb.NextWakeup());
}

// With the default judder tolerance (4 ms), a complete frame is held only for the part of the
// target beyond it: none at a 2 ms target, 6 ms at 10 ms. A frame with a hole still waits the
// full target for its reordered packet.
// A keyframe comes late by its own size (a 1080p IDR takes several delta frames' time to encode
// and send), once a GOP. That lateness sets no playout delay: every other frame still goes out
// as its last packet arrives, and the late keyframe goes out when it is complete. The same
// lateness on delta frames is arrival variation and does raise the delay (the control).
TEST(VideoJitterBuffer, AKeyframeLateByItsSizeSetsNoPlayoutDelay) {
  for (const bool late_are_keyframes : {true, false}) {
    VideoJitterConfig c;  // the defaults: 2 ms floor, 4 ms judder tolerance
    VideoJitterBuffer jb(c);
    StreamGen gen(0, 0);
    Sink sink;
    for (int k = 0; k < 240; ++k) {
      const bool late = k % 30 == 0;  // every 30th frame, 12 ms late
      const auto packets = gen.Frame(4, late_are_keyframes ? late : k == 0);
      const Timestamp t = SendTime(k, 3) + kNetworkDelay + (late ? 12ms : 0us) +
                          Duration{(k * 7919) % 600};  // and 0-0.6 ms of ordinary variation
      for (const auto& p : packets) sink.Insert(jb, p, t);
      sink.Poll(jb, t);
    }
    if (late_are_keyframes) {
      EXPECT_EQ(jb.stats().playout_hold, 0us);
      EXPECT_LT(jb.stats().target_delay, 4ms);
      EXPECT_EQ(sink.frames.size(), 240u) << "every frame out as it completed";
    } else {
      EXPECT_GT(jb.stats().playout_hold, 4ms) << "late delta frames are variation to smooth";
    }
  }
}

TEST(VideoJitterBuffer, JudderBelowTheToleranceIsNotSmoothed) {
  for (const Duration floor : {2ms, 10ms}) {
    VideoJitterConfig c;
    c.min_delay = floor;
    ASSERT_EQ(c.judder_tolerance, 4ms);
    VideoJitterBuffer jb(c);
    StreamGen gen(0, 0);
    Sink sink;
    const Duration hold = floor > 4ms ? floor - 4ms : 0us;
    for (int k = 0; k < 3; ++k) {
      for (auto& p : gen.Frame(3, k == 0)) sink.Insert(jb, p, SendTime(k, 2) + kNetworkDelay);
      // The first keyframe waits the target for packets that might precede it (a join).
      sink.Poll(jb, SendTime(k, 2) + kNetworkDelay + (k == 0 ? floor : hold));
      ASSERT_EQ(sink.frames.size(), static_cast<std::size_t>(k + 1)) << floor.count();
      if (k > 0) {
        EXPECT_EQ(sink.frames.back().playout_time - sink.frames.back().last_arrival, hold);
      }
    }
    EXPECT_EQ(jb.stats().target_delay, floor);
    EXPECT_EQ(jb.stats().playout_hold, hold);
    // Frame 3's middle packet comes 1 ms before the target runs out: the frame waits for it.
    const auto packets = gen.Frame(3, false);
    const Timestamp first = SendTime(3, 2) + kNetworkDelay;
    sink.Insert(jb, packets[0], first);
    sink.Insert(jb, packets[2], first);
    sink.Poll(jb, first + floor - 1ms);
    EXPECT_EQ(sink.frames.size(), 3u);
    sink.Insert(jb, packets[1], first + floor - 1ms);
    sink.Poll(jb, first + floor - 1ms);
    ASSERT_EQ(sink.frames.size(), 4u) << floor.count();
    EXPECT_EQ(jb.stats().late, 0u);
  }
}

TEST(VideoJitterBuffer, ReordersPacketsWithinAFrame) {
  VideoJitterBuffer jb(Config(5ms));
  StreamGen gen(10, 0);
  Sink sink;
  auto f0 = gen.Frame(4, true);
  const Timestamp t = 1s;
  for (int i : {0, 2, 3}) sink.Insert(jb, f0[i], t + i * 100us);
  EXPECT_EQ(sink.gaps, (std::vector<SeqRange>{{11, 1}}));
  sink.Poll(jb, t + 1ms);
  EXPECT_TRUE(sink.frames.empty());
  sink.Insert(jb, f0[1], t + 2ms);
  sink.Poll(jb, t + 10ms);
  ASSERT_EQ(sink.frames.size(), 1u);
  ASSERT_EQ(sink.frames[0].payloads.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(sink.frames[0].payloads[i][1], 10 + i);
  EXPECT_EQ(sink.frames[0].last_arrival, t + 2ms);
  EXPECT_EQ(jb.stats().reordered, 1u);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(sink.requests, 0);
}

TEST(VideoJitterBuffer, ReordersPacketsAcrossFrames) {
  VideoJitterBuffer jb(Config(5ms));
  StreamGen gen(10, 0);
  Sink sink;
  auto f0 = gen.Frame(3, true);
  auto f1 = gen.Frame(3, false);
  const Timestamp t = 1s;
  // Frame 1 arrives entirely before the tail of frame 0.
  sink.Insert(jb, f0[0], t);
  sink.Insert(jb, f0[1], t);
  for (auto& p : f1) sink.Insert(jb, p, t + 1ms);
  sink.Poll(jb, t + 2ms);
  EXPECT_TRUE(sink.frames.empty());
  sink.Insert(jb, f0[2], t + 3ms);
  sink.Poll(jb, t + 100ms);
  ASSERT_EQ(sink.frames.size(), 2u);
  EXPECT_EQ(sink.frames[0].rtp_ts, 0u);
  EXPECT_EQ(sink.frames[1].rtp_ts, kTsPerFrame);
  EXPECT_EQ(sink.frames[1].first_seq, 13);
  EXPECT_EQ(jb.stats().frames_complete, 2u);
  EXPECT_EQ(jb.stats().lost, 0u);
}

TEST(VideoJitterBuffer, CountsDuplicatesBufferedAndReleased) {
  VideoJitterBuffer jb(Config(5ms));
  StreamGen gen(7, 0);
  Sink sink;
  auto f0 = gen.Frame(2, true);
  EXPECT_EQ(sink.Insert(jb, f0[0], 1s), InsertStatus::kStored);
  EXPECT_EQ(sink.Insert(jb, f0[0], 1s), InsertStatus::kDuplicate);  // still buffered
  EXPECT_EQ(sink.Insert(jb, f0[1], 1s), InsertStatus::kStored);
  sink.Poll(jb, 2s);
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.frames[0].payloads.size(), 2u);
  EXPECT_EQ(sink.Insert(jb, f0[1], 2s), InsertStatus::kDuplicate);  // already released
  EXPECT_EQ(jb.stats().duplicates, 2u);
  EXPECT_EQ(jb.stats().late, 0u);
}

TEST(VideoJitterBuffer, MissingPacketFilledBeforeDeadlineIsReleasedInOrder) {
  VideoJitterBuffer jb(Config(10ms));
  StreamGen gen(500, 0);
  Sink sink;
  std::vector<std::vector<VideoPacket>> frames;
  for (int k = 0; k < 3; ++k) frames.push_back(gen.Frame(5, k == 0));
  const Timestamp retransmit = SendTime(1, 0) + kNetworkDelay + 9ms;
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 5; ++i) {
      if (k == 1 && i == 2) continue;  // lost on the first try
      sink.Insert(jb, frames[k][i], SendTime(k, i) + kNetworkDelay);
    }
    if (k == 1) {
      ASSERT_EQ(sink.frames.size(), 1u);  // frame 0 went out at its playout time
      EXPECT_EQ(jb.MissingRanges(), (std::vector<SeqRange>{{507, 1}}));
      // The retransmission arrives before frame 1's deadline (expected + 10 ms).
      EXPECT_EQ(sink.Insert(jb, frames[1][2], retransmit), InsertStatus::kStored);
    }
  }
  EXPECT_EQ(sink.gaps, (std::vector<SeqRange>{{507, 1}}));
  sink.Poll(jb, SendTime(3, 0));
  ASSERT_EQ(sink.frames.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(sink.frames[k].rtp_ts, k * kTsPerFrame);
    ASSERT_EQ(sink.frames[k].payloads.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(sink.frames[k].payloads[i][1], (500 + 5 * k + i) & 0xFF);
  }
  EXPECT_TRUE(jb.MissingRanges().empty());
  EXPECT_EQ(sink.requests, 0);
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().frames_dropped, 0u);
}

// Sends frames 0..n-1 of 4 packets (keyframes where `key(k)`), skipping `lost` (frame, index),
// polling at every arrival. Returns the sink.
template <typename KeyFn>
Sink RunWithLoss(VideoJitterBuffer& jb, int n, KeyFn key, int lost_frame, int lost_index) {
  StreamGen gen(65530, 0);
  Sink sink;
  for (int k = 0; k < n; ++k) {
    const auto packets = gen.Frame(4, key(k));
    for (int i = 0; i < 4; ++i) {
      if (k == lost_frame && i == lost_index) continue;
      sink.Insert(jb, packets[i], SendTime(k, i) + kNetworkDelay);
    }
  }
  sink.Poll(jb, SendTime(n + 2, 0));
  return sink;
}

TEST(VideoJitterBuffer, UnrecoverableLossDropsUntilKeyframeAndRequestsOnce) {
  VideoJitterBuffer jb(Config(10ms));
  // Keyframes at 0 and 8; frame 3 loses a packet. Frames 3..7 are undecodable.
  Sink sink = RunWithLoss(
      jb, 12, [](int k) { return k == 0 || k == 8; }, 3, 1);
  std::vector<std::uint32_t> released;
  for (const auto& f : sink.frames) released.push_back(f.rtp_ts / kTsPerFrame);
  EXPECT_EQ(released, (std::vector<std::uint32_t>{0, 1, 2, 8, 9, 10, 11}));
  EXPECT_TRUE(sink.frames[3].keyframe);
  EXPECT_EQ(sink.requests, 1);  // frames 3..8 span < 200 ms: one request
  const auto s = jb.stats();
  EXPECT_EQ(s.keyframe_requests, 1u);
  EXPECT_EQ(s.frames_dropped, 5u);
  EXPECT_EQ(s.lost, 1u);
  EXPECT_EQ(s.frames_complete, 7u);
  EXPECT_FALSE(jb.waiting_for_keyframe());
}

TEST(VideoJitterBuffer, KeyframeRequestsAreRateLimited) {
  VideoJitterConfig c = Config(10ms);
  c.keyframe_request_interval = 200ms;
  VideoJitterBuffer jb(c);
  // Frame 1 loses a packet; its deadline passes while frame 2 arrives (t = 67 ms), and the
  // keyframe comes only with frame 26 (t = 867 ms). Meanwhile the request repeats every 200 ms:
  // at 67, 267, 467 and 667 ms; the one due at 867 ms is not needed any more.
  Sink sink = RunWithLoss(
      jb, 27, [](int k) { return k == 0 || k == 26; }, 1, 2);
  EXPECT_EQ(sink.requests, 4);
  EXPECT_EQ(jb.stats().keyframe_requests, 4u);
  ASSERT_EQ(sink.frames.size(), 2u);  // frame 0, then keyframe 26
  EXPECT_EQ(sink.frames[1].rtp_ts, 26 * kTsPerFrame);
}

TEST(VideoJitterBuffer, AGapWaitsExactlyUntilItsDeadline) {
  VideoJitterBuffer jb(Config(10ms));
  StreamGen gen(0, 0);
  Sink sink;
  for (auto& p : gen.Frame(2, true)) sink.Insert(jb, p, SendTime(0, 0));
  sink.Poll(jb, SendTime(0, 0) + 10ms);
  ASSERT_EQ(sink.frames.size(), 1u);
  auto f1 = gen.Frame(3, false);
  sink.Insert(jb, f1[0], SendTime(1, 0));
  sink.Insert(jb, f1[2], SendTime(1, 0) + 1ms);  // f1[1] missing
  // Deadline = expected completion (on the frame-0 mapping: SendTime(1, 0)) + 10 ms.
  ASSERT_TRUE(jb.NextWakeup());
  EXPECT_EQ(*jb.NextWakeup(), SendTime(1, 0) + 10ms);
  sink.Poll(jb, SendTime(1, 0) + 10ms - 1us);
  EXPECT_EQ(sink.requests, 0);
  EXPECT_FALSE(jb.waiting_for_keyframe());
  sink.Poll(jb, SendTime(1, 0) + 10ms);
  EXPECT_EQ(sink.requests, 1);
  EXPECT_TRUE(jb.waiting_for_keyframe());
  EXPECT_EQ(jb.stats().lost, 1u);
  EXPECT_EQ(jb.stats().frames_dropped, 1u);
  EXPECT_EQ(sink.frames.size(), 1u);
}

TEST(VideoJitterBuffer, LateArrivalOfADeclaredLostPacketIsCountedLate) {
  VideoJitterBuffer jb(Config(10ms));
  StreamGen gen(0, 0);
  Sink sink;
  auto f0 = gen.Frame(3, true);
  auto f1 = gen.Frame(3, false);
  for (auto& p : f0) sink.Insert(jb, p, 1s);
  sink.Insert(jb, f1[0], 1s + kFrameInterval);
  sink.Insert(jb, f1[2], 1s + kFrameInterval);
  sink.Poll(jb, 2s);
  EXPECT_EQ(sink.requests, 1);
  EXPECT_EQ(sink.Insert(jb, f1[1], 2s), InsertStatus::kLate);
  EXPECT_EQ(jb.stats().late, 1u);
  EXPECT_EQ(jb.stats().lost, 1u);
}

TEST(VideoJitterBuffer, JoinMidStreamWaitsForAKeyframeAndAsksOnce) {
  VideoJitterBuffer jb(Config(0us));
  StreamGen gen(4000, 77);
  Sink sink;
  for (int k = 0; k < 4; ++k) {
    const auto packets = gen.Frame(3, k == 3);
    for (int i = 0; i < 3; ++i) sink.Insert(jb, packets[i], SendTime(k, i) + kNetworkDelay);
    if (k < 3) {
      EXPECT_TRUE(sink.frames.empty());
      EXPECT_TRUE(jb.waiting_for_keyframe());
    }
  }
  EXPECT_EQ(sink.requests, 1);
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_TRUE(sink.frames[0].keyframe);
  EXPECT_EQ(sink.frames[0].first_seq, 4009);
  EXPECT_EQ(jb.stats().frames_dropped, 3u);
  // A delta frame after the keyframe flows normally.
  for (auto& p : gen.Frame(3, false)) sink.Insert(jb, p, SendTime(4, 2) + kNetworkDelay);
  EXPECT_EQ(sink.frames.size(), 2u);
}

TEST(VideoJitterBuffer, JoinAtAKeyframeDoesNotAsk) {
  VideoJitterBuffer jb(Config(0us));
  StreamGen gen(1, 1);
  Sink sink;
  for (auto& p : gen.Frame(3, true)) sink.Insert(jb, p, 1s);
  EXPECT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.requests, 0);
}

class VideoWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, VideoWrap, ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(VideoWrap, WrapOfSequenceAndTimestampChangesNothing) {
  VideoJitterBuffer jb(Config(5ms));
  // The timestamp wraps after 5 frames; the sequence number wraps within the first frames
  // for starts near 65535 and mid-stream for the others' +32768 counterpart.
  StreamGen gen(GetParam(), 0xFFFFFFFFu - 5 * kTsPerFrame);
  Sink sink;
  std::vector<std::vector<VideoPacket>> frames;
  for (int k = 0; k < 40; ++k) frames.push_back(gen.Frame(7, k % 20 == 0));
  for (int k = 0; k < 40; ++k) {
    auto& f = frames[k];
    std::swap(f[1], f[4]);                                            // reorder within each frame
    if (k % 3 == 1 && k + 1 < 40) std::swap(f[6], frames[k + 1][0]);  // and across frames
    for (int i = 0; i < 7; ++i) sink.Insert(jb, f[i], SendTime(k, i) + kNetworkDelay);
  }
  sink.Poll(jb, SendTime(45, 0));
  ASSERT_EQ(sink.frames.size(), 40u);
  for (int k = 0; k < 40; ++k) {
    const VideoFrame& f = sink.frames[k];
    EXPECT_EQ(f.rtp_ts,
              static_cast<std::uint32_t>(0xFFFFFFFFu - 5 * kTsPerFrame + k * kTsPerFrame));
    EXPECT_EQ(f.first_seq, static_cast<std::uint16_t>(GetParam() + 7 * k));
    EXPECT_EQ(f.last_seq, static_cast<std::uint16_t>(GetParam() + 7 * k + 6));
    ASSERT_EQ(f.payloads.size(), 7u);
    for (int i = 0; i < 7; ++i) {
      EXPECT_EQ(f.payloads[i][1], static_cast<std::uint8_t>(GetParam() + 7 * k + i));
    }
  }
  const auto s = jb.stats();
  EXPECT_EQ(s.lost, 0u);
  EXPECT_EQ(s.late, 0u);
  EXPECT_EQ(s.frames_dropped, 0u);
  EXPECT_EQ(s.restarts, 0u);
  EXPECT_EQ(sink.requests, 0);
  EXPECT_TRUE(sink.gaps.size() > 0);  // the reordering showed as (filled) gaps
}

TEST(VideoJitterBuffer, PathDelayStepReanchorsThePlayoutMapping) {
  VideoJitterBuffer jb(Config(10ms));
  StreamGen gen(0, 0);
  Sink sink;
  for (int k = 0; k < 40; ++k) {
    // The path gets 200 ms longer at frame 20 (a reroute, or a sender that paused its clock).
    const Duration delay = kNetworkDelay + (k >= 20 ? 200ms : 0ms);
    for (auto& p : gen.Frame(3, k == 0)) sink.Insert(jb, p, SendTime(k, 0) + delay);
    sink.Poll(jb, SendTime(k + 1, 0) + delay);
  }
  sink.Poll(jb, SendTime(50, 0) + 200ms);
  ASSERT_EQ(sink.frames.size(), 40u);
  // Before the step each frame is held for the 10 ms floor. Right after it the stale mapping
  // says "overdue" and frames go out on arrival, unsmoothed; three frames later the mapping is
  // re-anchored and frames are held again (for longer at first: the step raised J).
  EXPECT_EQ(sink.frames[10].playout_time - sink.frames[10].last_arrival, 10ms);
  EXPECT_LT(sink.frames[20].playout_time, sink.frames[20].last_arrival);
  for (int k = 23; k < 40; ++k) {
    EXPECT_GE(sink.frames[k].playout_time - sink.frames[k].last_arrival, 10ms) << k;
    EXPECT_LE(sink.frames[k].playout_time - sink.frames[k].last_arrival, 50ms) << k;
  }
  EXPECT_EQ(sink.requests, 0);
}

// A deterministic pseudo-random sequence (no <random> in tests of a pure library either).
std::uint32_t Lcg(std::uint32_t& state) {
  state = state * 1664525u + 1013904223u;
  return state >> 8;
}

Duration RunWithJitter(Duration max_extra_delay, VideoJitterConfig c, Sink& sink) {
  VideoJitterBuffer jb(c);
  StreamGen gen(0, 0);
  std::uint32_t rng = 1;
  for (int k = 0; k < 300; ++k) {
    const Duration extra{max_extra_delay.count() ? Lcg(rng) % max_extra_delay.count() : 0};
    for (auto& p : gen.Frame(2, k % 100 == 0)) {
      const Timestamp t = SendTime(k, 0) + kNetworkDelay + extra;
      sink.Poll(jb, t);
      sink.Insert(jb, std::move(p), t);
      const Duration target = jb.stats().target_delay;
      EXPECT_GE(target, c.min_delay);
      EXPECT_LE(target, c.max_delay);
    }
  }
  sink.Poll(jb, SendTime(400, 0));
  return jb.stats().target_delay;
}

TEST(VideoJitterBuffer, TargetDelayFollowsJitterWithinFloorAndCeiling) {
  VideoJitterConfig c = Config(2ms);
  c.max_delay = 50ms;
  Sink calm, moderate, wild;
  EXPECT_EQ(RunWithJitter(0us, c, calm), 2ms);
  const Duration mid = RunWithJitter(10ms, c, moderate);
  EXPECT_GT(mid, 5ms);
  EXPECT_LT(mid, 50ms);
  EXPECT_EQ(RunWithJitter(200ms, c, wild), 50ms);
  EXPECT_EQ(calm.frames.size(), 300u);
  // With a 3x jitter allowance, 10 ms of uniform jitter loses (almost) no frames.
  EXPECT_GE(moderate.frames.size(), 290u);
}

TEST(VideoJitterBuffer, CapacityOverflowFlushesToTheNextKeyframe) {
  VideoJitterConfig c = Config(10ms);
  c.capacity = 64;
  VideoJitterBuffer jb(c);
  StreamGen gen(0, 0);
  Sink sink;
  for (auto& p : gen.Frame(4, true)) sink.Insert(jb, p, 1s);
  ASSERT_EQ(sink.frames.size(), 0u);
  sink.Poll(jb, 1s + 10ms);
  ASSERT_EQ(sink.frames.size(), 1u);
  // Frame 1's first packet never comes, and time stands still (nobody polls): the buffer
  // must cap its memory.
  auto f1 = gen.Frame(4, false);
  for (int i = 1; i < 4; ++i) sink.Insert(jb, f1[i], 1s + 11ms);
  int requests_at_overflow = 0;
  for (int k = 2; k < 30; ++k) {
    for (auto& p : gen.Frame(4, k == 25)) {
      sink.Insert(jb, p, 1s + 11ms);
      EXPECT_LE(jb.packets_buffered(), 64u);
    }
    if (k == 20) requests_at_overflow = sink.requests;
  }
  EXPECT_GE(jb.stats().overflows, 1u);
  EXPECT_EQ(requests_at_overflow, 1);
  sink.Poll(jb, 2s);
  ASSERT_GE(sink.frames.size(), 2u);
  EXPECT_TRUE(sink.frames[1].keyframe);
  EXPECT_EQ(sink.frames[1].rtp_ts, 25 * kTsPerFrame);
  EXPECT_EQ(sink.frames.size(), 6u);  // keyframe 25 and deltas 26..29
}

TEST(VideoJitterBuffer, ResetFollowsANewSender) {
  VideoJitterBuffer jb(Config(0us));
  StreamGen a(1000, 1000);
  Sink sink;
  for (int k = 0; k < 3; ++k)
    for (auto& p : a.Frame(2, k == 0)) sink.Insert(jb, p, SendTime(k, 0));
  ASSERT_EQ(sink.frames.size(), 3u);
  jb.Reset();  // new SSRC; its numbers are close to the old ones, and older
  StreamGen b(990, 500);
  for (int k = 0; k < 3; ++k)
    for (auto& p : b.Frame(2, k == 0)) sink.Insert(jb, p, SendTime(10 + k, 0));
  ASSERT_EQ(sink.frames.size(), 6u);
  EXPECT_EQ(sink.frames[3].first_seq, 990);
  EXPECT_EQ(sink.frames[3].rtp_ts, 500u);
  EXPECT_EQ(jb.stats().restarts, 1u);
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_EQ(sink.requests, 0);
}

TEST(VideoJitterBuffer, FarJumpOfTwoConsecutivePacketsIsARestart) {
  VideoJitterBuffer jb(Config(0us));
  StreamGen a(1000, 1000);
  Sink sink;
  for (int k = 0; k < 3; ++k)
    for (auto& p : a.Frame(2, k == 0)) sink.Insert(jb, p, SendTime(k, 0));
  StreamGen b(40000, 0x80000000u);
  auto f = b.Frame(3, true);
  EXPECT_EQ(sink.Insert(jb, f[0], SendTime(3, 0)), InsertStatus::kRestartProbe);
  EXPECT_EQ(sink.Insert(jb, f[1], SendTime(3, 1)), InsertStatus::kRestarted);
  EXPECT_EQ(sink.Insert(jb, f[2], SendTime(3, 2)), InsertStatus::kStored);
  ASSERT_EQ(sink.frames.size(), 4u);
  EXPECT_EQ(sink.frames[3].first_seq, 40000);
  EXPECT_EQ(sink.frames[3].payloads.size(), 3u);
  EXPECT_EQ(jb.stats().restarts, 1u);
  EXPECT_EQ(sink.requests, 0);
}

TEST(VideoJitterBuffer, ASingleStrayFarPacketIsNotARestart) {
  VideoJitterBuffer jb(Config(0us));
  StreamGen a(1000, 1000);
  Sink sink;
  for (auto& p : a.Frame(2, true)) sink.Insert(jb, p, SendTime(0, 0));
  VideoPacket stray{
      .seq = 30000, .rtp_ts = 9, .marker = true, .keyframe_start = true, .payload = {}};
  EXPECT_EQ(sink.Insert(jb, stray, SendTime(0, 1)), InsertStatus::kRestartProbe);
  for (auto& p : a.Frame(2, false))
    EXPECT_EQ(sink.Insert(jb, p, SendTime(1, 0)), InsertStatus::kStored);
  EXPECT_EQ(sink.frames.size(), 2u);
  EXPECT_EQ(jb.stats().restarts, 0u);
  EXPECT_EQ(jb.stats().late, 1u);
}

// A long hostile stream (reordering up to 15 ms, 0.3% loss, 1% duplicates, random frame sizes,
// occasional silence, polls at random times): whatever comes out must be whole frames, in
// order, and after any skipped frame the next one released must be a keyframe.
TEST(VideoJitterBuffer, RandomizedStreamKeepsItsInvariants) {
  for (std::uint32_t seed : {1u, 2u}) {
    VideoJitterConfig c = Config(3ms);
    c.capacity = 256;
    VideoJitterBuffer jb(c);
    std::uint32_t rng = seed;
    StreamGen gen(static_cast<std::uint16_t>(Lcg(rng)), Lcg(rng));
    struct Event {
      Timestamp at;
      VideoPacket p;
    };
    std::vector<Event> events;
    for (int k = 0; k < 900; ++k) {
      const int n = 1 + static_cast<int>(Lcg(rng) % 20);
      for (auto& p : gen.Frame(n, k % 60 == 0)) {
        if (Lcg(rng) % 300 == 0) continue;  // lost
        const Timestamp at = SendTime(k, 0) + Duration{Lcg(rng) % 15'000};
        if (Lcg(rng) % 100 == 0) events.push_back({at + 1ms, p});  // duplicate
        events.push_back({at, std::move(p)});
      }
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
    Sink sink;
    for (auto& e : events) {
      if (Lcg(rng) % 4 == 0) sink.Poll(jb, e.at);
      (void)sink.Insert(jb, std::move(e.p), e.at);
      ASSERT_LE(jb.packets_buffered(), 256u);
    }
    sink.Poll(jb, SendTime(2000, 0));
    // Without NACK, 0.3% packet loss breaks most 60-frame GOPs of a single-reference stream.
    ASSERT_GT(sink.frames.size(), 100u) << seed;
    int previous = -1;
    for (const VideoFrame& f : sink.frames) {
      const int index = f.payloads[0][2];
      const auto count = static_cast<std::uint16_t>(f.last_seq - f.first_seq + 1);
      ASSERT_EQ(f.payloads.size(), count);
      for (std::size_t i = 0; i < f.payloads.size(); ++i) {
        EXPECT_EQ(f.payloads[i][1], static_cast<std::uint8_t>(f.first_seq + i));
        EXPECT_EQ(f.payloads[i][2], index);  // one frame, not two glued together
      }
      if (previous >= 0 && index != ((previous + 1) & 0xFF)) {
        EXPECT_TRUE(f.keyframe) << seed;
      }
      previous = index;
    }
    const auto s = jb.stats();
    EXPECT_EQ(s.frames_complete, sink.frames.size());
    EXPECT_GT(s.frames_dropped, 0u);
    EXPECT_GT(s.duplicates, 0u);
    EXPECT_GT(s.reordered, 0u);
    EXPECT_GE(s.target_delay, 3ms);
    EXPECT_LE(s.target_delay, 50ms);
  }
}

}  // namespace
}  // namespace confcast::rtp

namespace confcast::rtp {
namespace {

// GStreamer's rtph264pay sends an IDR access unit as AUD, SEI, SPS, PPS, slices: the keyframe
// mark is on the SPS packet, not the frame's first one. A receiver joining mid-stream must
// still start at that frame, whole.
TEST(VideoJitterBufferJoin, KeyframeWhoseMarkIsNotOnTheFirstPacket) {
  VideoJitterBuffer jb;
  auto packet = [](std::uint16_t seq, std::uint32_t ts, bool marker, bool key) {
    return VideoPacket{seq, ts, marker, key, std::vector<std::uint8_t>{static_cast<std::uint8_t>(seq)}};
  };
  Timestamp t{1'000'000};
  // Joined mid-stream: a delta frame first, then the IDR frame AUD, SEI, SPS(key), PPS, IDR.
  std::vector<VideoFrame> out;
  auto take = [&](InsertResult r) { for (auto& f : r.frames) out.push_back(std::move(f)); };
  take(jb.Insert(packet(100, 3000, true, false), t));
  t += Duration{33'000};
  take(jb.Insert(packet(101, 6000, false, false), t));  // AUD
  take(jb.Insert(packet(102, 6000, false, false), t));  // SEI
  take(jb.Insert(packet(103, 6000, false, true), t));   // SPS
  take(jb.Insert(packet(104, 6000, false, false), t));  // PPS
  take(jb.Insert(packet(105, 6000, true, false), t));   // IDR slice
  for (int i = 0; i < 10; ++i) {
    t += Duration{5'000};
    for (auto& f : jb.Poll(t).frames) out.push_back(std::move(f));
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rtp_ts, 6000u);
  EXPECT_EQ(out[0].first_seq, 101);  // the AUD: the frame is whole
  EXPECT_EQ(out[0].payloads.size(), 5u);
  EXPECT_TRUE(out[0].keyframe);
}


// At join nothing came before the keyframe. With NACK on, a hole waits up to the latency
// budget for repair (repair_wait): when the keyframe's mark is on its top slice, the SPS/PPS
// before it may be reordered and are waited for; when the first packet is the SPS itself
// (rtp::BeginsAccessUnit), nothing needed can come before it and the picture goes at once.
VideoJitterConfig JoinConfig() {
  VideoJitterConfig c;
  c.min_delay = Duration{0};
  c.repair_wait = Duration{40'000};
  return c;
}

VideoPacket JoinPacket(std::uint16_t seq, bool marker, bool key, bool begins) {
  VideoPacket p{seq, 6000, marker, key, std::vector<std::uint8_t>{static_cast<std::uint8_t>(seq)}};
  p.begins_access_unit = begins;
  return p;
}

TEST(VideoJitterBufferJoin, AnIdrThatBeginsWithItsSpsIsShownAtOnce) {
  VideoJitterBuffer jb(JoinConfig());
  Sink sink;
  const Timestamp t{1'000'000};
  sink.Insert(jb, JoinPacket(200, false, true, true), t);     // SPS
  sink.Insert(jb, JoinPacket(201, false, false, false), t);   // PPS
  sink.Insert(jb, JoinPacket(202, true, true, false), t);     // IDR top slice
  ASSERT_EQ(sink.frames.size(), 1u);  // on the marker's arrival, no gap deadline
  EXPECT_EQ(sink.frames[0].first_seq, 200);
  EXPECT_EQ(sink.frames[0].payloads.size(), 3u);
  EXPECT_EQ(sink.requests, 0);
}

TEST(VideoJitterBufferJoin, AnIdrMarkedOnItsSliceWaitsForWhatMayComeBefore) {
  VideoJitterBuffer jb(JoinConfig());
  Sink sink;
  const Timestamp t{1'000'000};
  sink.Insert(jb, JoinPacket(202, true, true, false), t);  // the top slice alone
  EXPECT_TRUE(sink.frames.empty());
  sink.Poll(jb, t + Duration{39'000});
  EXPECT_TRUE(sink.frames.empty());
  sink.Poll(jb, t + Duration{41'000});
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.frames[0].first_seq, 202);
}

TEST(VideoJitterBufferJoin, ReorderedParameterSetsStartTheFrameWhenTheSpsArrives) {
  VideoJitterBuffer jb(JoinConfig());
  Sink sink;
  Timestamp t{1'000'000};
  sink.Insert(jb, JoinPacket(202, true, true, false), t);  // IDR top slice first
  t += Duration{1'000};
  sink.Insert(jb, JoinPacket(201, false, false, false), t);  // PPS
  EXPECT_TRUE(sink.frames.empty());
  t += Duration{1'000};
  sink.Insert(jb, JoinPacket(200, false, true, true), t);  // SPS: the start is certain now
  ASSERT_EQ(sink.frames.size(), 1u);
  EXPECT_EQ(sink.frames[0].first_seq, 200);
  EXPECT_EQ(sink.frames[0].payloads.size(), 3u);
}
}  // namespace
}  // namespace confcast::rtp

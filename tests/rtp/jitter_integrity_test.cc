// What the video jitter buffer hands on must never damage a picture (FINDINGS: "Damaged pictures
// under burst loss with reordering; lost start-up frames under reordering"). Real x264 access
// units (an IDR of SPS/PPS in a STAP-A and four slices as FU-A or single NAL unit packets, then
// P frames) go through H264Packetizer, a seeded network (burst loss, reordering, duplicates, late
// retransmissions and FEC rebuilds) and the receive path of receiver/src/video_stream.cc, which
// checks every frame and access unit against what was sent (jitter_sim.h):
//   (a) an access unit handed to the decoder is byte for byte the one the sender packetized
//       (a keyframe whose parameter-set packet was lost for good may come without it, never
//       without a slice, and only once the same parameter sets were handed out);
//   (b) after a skipped frame, the next one handed out is an IDR;
//   (c) reordering without loss loses no frame, not even the first one after joining;
//   (d) every order of an IDR's packets, at join and after a loss, gives a whole IDR.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "jitter_sim.h"

namespace confcast::rtp {
namespace {

using namespace sim;

VideoJitterConfig Config(Duration repair_wait, Duration min_delay = 2ms) {
  VideoJitterConfig c;
  c.min_delay = min_delay;
  c.max_delay = 40ms;  // confcast-recv's default --latency
  c.repair_wait = repair_wait;
  c.capacity = 512;
  return c;
}

// Hands every arrival from `listen_from` on to the receiver, then lets the clock run out.
void Feed(Receiver& rx, const SentStream& s, const std::vector<Arrival>& arrivals,
         Timestamp listen_from = Timestamp{0}) {
  Timestamp end{0};
  for (const Arrival& a : arrivals) {
    if (a.at < listen_from) continue;
    rx.Arrive(s.packets[a.packet], a.at);
    end = std::max(end, a.at);
  }
  rx.RunTimers(end + 2s);
}

std::vector<std::size_t> Range(std::size_t from, std::size_t to) {
  std::vector<std::size_t> v(to - from);
  std::iota(v.begin(), v.end(), from);
  return v;
}

TEST(JitterIntegrity, BurstLossReorderingAndRepairNeverDamageAnAccessUnit) {
  constexpr int kSeeds = 300;
  int handed = 0, exact = 0, without_leading = 0, past_start = 0;
  std::uint64_t dropped = 0, requests = 0, late = 0, salvaged = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::uniform_real_distribution<double> u(0, 1);
    Impairment im;
    im.good_to_bad = 0.002 + 0.05 * u(rng);
    im.bad_to_good = 0.2 + 0.5 * u(rng);
    im.loss_good = 0.01 * u(rng);
    im.loss_bad = 0.3 + 0.7 * u(rng);
    im.jitter = Uniform(rng, 0ms, 15ms);
    im.duplicate = 0.02;
    im.rtx = seed % 3 == 0 ? 0.0 : 0.7;
    im.fec = seed % 2 == 0 ? 0.5 : 0.0;
    const std::size_t max_payload = std::array<std::size_t, 4>{1200, 600, 300, 150}[seed % 4];
    const auto seq0 = static_cast<std::uint16_t>(rng());
    const auto ts0 = static_cast<std::uint32_t>(rng());
    const SentStream s = Send(40, max_payload, seq0, ts0, rng() % 10);
    const auto arrivals = Impair(s, im, rng);
    // One in five receivers joins a little after the sender started.
    const Timestamp listen_from = seed % 5 == 0 ? Timestamp{1s} + Uniform(rng, 0ms, 200ms)
                                                : Timestamp{0};
    VideoJitterConfig c = Config(seed % 2 == 0 ? 40ms : 0ms);
    // Half of the receivers that wait for repairs also wait past the deadline (confcast-recv's
    // default with NACK on): late repairs then complete frames after their turn.
    if (seed % 4 == 0) c.salvage_wait = 40ms;
    Receiver rx(c, s);
    Feed(rx, s, arrivals, listen_from);
    if (HasFailure()) {
      ADD_FAILURE() << "seed " << seed << " (payload " << max_payload << ")";
      return;
    }
    handed += static_cast<int>(rx.handed().size());
    exact += rx.exact();
    without_leading += rx.without_leading();
    past_start += rx.frames_resumed_past_start();
    const auto st = rx.jitter().stats();
    dropped += st.frames_dropped;
    requests += st.keyframe_requests;
    late += st.late;
    salvaged += st.frames_salvaged;
  }
  std::printf("[ integrity ] %d seeds: %d access units handed out, %d exact, %d keyframes without "
              "their parameter-set packet, %d frames resumed past their first packet; %llu "
              "frames dropped, %llu keyframe requests, %llu late packets, %llu frames salvaged\n",
              kSeeds, handed, exact, without_leading, past_start,
              static_cast<unsigned long long>(dropped), static_cast<unsigned long long>(requests),
              static_cast<unsigned long long>(late), static_cast<unsigned long long>(salvaged));
  // The scenarios must have exercised loss and recovery, not only clean delivery.
  EXPECT_GT(handed, 3000);
  EXPECT_GT(dropped, 500u);
  EXPECT_GT(requests, 100u);
  EXPECT_GT(late, 100u);
  EXPECT_GT(salvaged, 5u);  // 12 with these seeds
}

// Reordering up to 10 ms, duplicates, no loss. With NACK on (the receiver's default, repair
// wait = latency) or with a floor above the reordering, nothing is lost: every access unit from
// the first IDR heard on is handed out whole, whether the receiver listened from the start or
// joined just before an IDR.
TEST(JitterIntegrity, ReorderingAloneLosesNoFrameNotEvenTheFirst) {
  for (int seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(1000 + seed));
    Impairment im;
    im.jitter = Uniform(rng, 2ms, 10ms);
    im.duplicate = 0.02;
    const std::size_t max_payload = std::array<std::size_t, 3>{1200, 400, 150}[seed % 3];
    const std::size_t first_au = rng() % 10;
    const SentStream s = Send(30, max_payload, static_cast<std::uint16_t>(rng()),
                              static_cast<std::uint32_t>(rng()), first_au);
    const auto arrivals = Impair(s, im, rng);
    // The first IDR: at the start, or (every other seed) the first one after a join. Joining
    // just as its first packet leaves the sender, the receiver hears all of it, and stragglers
    // of the frame before it.
    std::size_t k0 = 0;
    while (!s.idr[k0] || (seed % 2 == 0 && k0 == 0)) ++k0;
    const Timestamp listen_from = k0 == 0 ? Timestamp{0} : s.packets[s.first[k0]].at;
    const VideoJitterConfig c = seed % 4 < 2 ? Config(40ms) : Config(0ms, 12ms);
    Receiver rx(c, s);
    Feed(rx, s, arrivals, listen_from);
    EXPECT_EQ(rx.handed(), Range(k0, 30)) << "first IDR " << k0;
    EXPECT_EQ(rx.exact(), static_cast<int>(30 - k0));
    if (HasFailure()) {
      ADD_FAILURE() << "seed " << seed << " (payload " << max_payload << ")";
      return;
    }
  }
}

// The capture's first IDR (SPS, PPS, x264's SEI, four slices) in exactly `packets` packets: the
// payload size that does it with SPS and PPS in a STAP-A of their own, so the two packets marked
// keyframe_start (that STAP-A and the top slice) can arrive in either order. 0 if none does.
std::size_t PayloadFor(std::size_t packets) {
  const Buf idr = Captured()[0].AnnexB();
  for (std::size_t max_payload = 100; max_payload < 1500; ++max_payload) {
    const auto p = capture::Packetize(idr, max_payload);
    const auto marked = std::count_if(p.begin(), p.end(),
                                      [](const Payload& x) { return StartsKeyframe(x.bytes); });
    if (p.size() == packets && marked == 2 && !CarriesSlice(p[0].bytes)) return max_payload;
  }
  return 0;
}

struct OrderOutcome {
  int whole = 0;           // the IDR handed out byte for byte
  int without_leading = 0;  // handed out from its first slice, parameter sets known before
  int not_handed = 0;       // given up (and a keyframe requested)
};

// Frames 0-4 (IDR, 4 P) then IDR 5 (the capture's first) arriving in `order`, `spacing` apart,
// then P frames 6-8. `join`: the receiver hears nothing before IDR 5. Otherwise a packet of P
// frame 3 is lost, so the buffer is waiting for a keyframe when IDR 5 comes.
void RunOrder(const std::vector<std::size_t>& order, bool join, Duration spacing,
              Duration repair_wait, std::size_t max_payload, OrderOutcome& outcome) {
  const SentStream s = Send(9, max_payload, 65530, 4'000'000'000u, 5);
  const std::size_t idr = s.first[5];
  ASSERT_EQ(s.first[6] - idr, order.size());
  std::vector<Arrival> arrivals;
  for (std::size_t i = 0; i < s.packets.size(); ++i) {
    const Sent& p = s.packets[i];
    if (p.au == 5) {
      const auto pos = static_cast<std::int64_t>(std::find(order.begin(), order.end(), i - idr) -
                                                 order.begin());
      arrivals.push_back({s.packets[idr].at + 1ms + pos * spacing, i});
    } else if (!(join && p.au < 5) && !(p.au == 3 && i == s.first[3] + 1)) {
      arrivals.push_back({p.at + 1ms, i});
    }
  }
  std::stable_sort(arrivals.begin(), arrivals.end(),
                   [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  Receiver rx(Config(repair_wait), s);
  Feed(rx, s, arrivals);
  const auto& h = rx.handed();
  const std::vector<std::size_t> before = join ? std::vector<std::size_t>{} : Range(0, 3);
  ASSERT_GE(h.size(), before.size());
  ASSERT_TRUE(std::equal(before.begin(), before.end(), h.begin()));
  const std::vector<std::size_t> after(h.begin() + static_cast<std::ptrdiff_t>(before.size()),
                                       h.end());
  if (after == Range(5, 9)) {
    if (rx.without_leading() == 0) {
      ++outcome.whole;
    } else {
      ++outcome.without_leading;
    }
  } else {
    EXPECT_TRUE(after.empty()) << "P frames after a lost IDR";
    ++outcome.not_handed;
  }
}

void EveryOrder(bool join) {
  const std::size_t max_payload = PayloadFor(6);  // STAP-A(SPS, PPS), SEI, four slices
  ASSERT_NE(max_payload, 0u);
  std::vector<std::size_t> order = {0, 1, 2, 3, 4, 5};
  OrderOutcome quick, slow;
  int orders = 0;
  do {
    // Spread over 5 ms, within the 20 ms repair wait: every order must give the whole IDR.
    RunOrder(order, join, 1ms, 20ms, max_payload, quick);
    // Spread over 20 ms without repair wait (a 2 ms floor): the head may be given up, but
    // nothing damaged may come out.
    RunOrder(order, join, 4ms, 0ms, max_payload, slow);
    ++orders;
    if (::testing::Test::HasFailure()) {
      std::string text;
      for (std::size_t i : order) text += std::to_string(i) + " ";
      FAIL() << (join ? "join" : "mid-stream") << ", order " << text;
    }
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 720);
  EXPECT_EQ(quick.whole, 720);
  EXPECT_EQ(slow.whole + slow.without_leading + slow.not_handed, 720);
  EXPECT_GT(slow.whole, 0);
  std::printf("[ integrity ] %s, 720 orders spread over 20 ms: %d whole, %d without their "
              "parameter-set packet, %d given up\n",
              join ? "join" : "mid-stream", slow.whole, slow.without_leading, slow.not_handed);
}

TEST(JitterIntegrity, EveryOrderOfAnIdrsPacketsAtJoin) {
  EveryOrder(true);
}

TEST(JitterIntegrity, EveryOrderOfAnIdrsPacketsAfterALoss) {
  EveryOrder(false);
}

}  // namespace
}  // namespace confcast::rtp

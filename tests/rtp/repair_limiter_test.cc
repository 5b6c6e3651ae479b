// RepairLimiter: NACKs from a hostile host cannot make retransmission a flood, and a real
// receiver's NACKs are still served. Fake clock throughout.
#include <confcast/rtp/repair_limiter.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <vector>

namespace confcast::rtp {
namespace {

constexpr std::uint32_t kSsrc = 0x1111;
constexpr std::size_t kPacketBytes = 1150;  // 2.5 Mbit/s in ~272 packets a second

Timestamp Us(std::int64_t us) { return Timestamp{us}; }
Timestamp Ms(std::int64_t ms) { return Timestamp{ms * 1000}; }

FeedbackSource Host(std::uint8_t last, std::uint16_t port = 15551) {
  const std::array<std::uint8_t, 4> a{10, 0, 0, last};
  return FeedbackSource::OfAddress(false, a, port);
}

RepairLimiterConfig Config() {
  RepairLimiterConfig c;
  c.media_ssrc = kSsrc;
  return c;
}

// A media stream at a constant rate, fed into the limiter as a sender would.
struct Stream {
  explicit Stream(RepairLimiter& l, std::uint16_t first = 0) : limiter(l), next_seq(first) {}
  RepairLimiter& limiter;
  std::uint16_t next_seq;
  double interval_us = kPacketBytes * 8.0 / 2.5;  // 2.5 Mbit/s
  double t_us = 0;
  std::uint64_t media_bytes = 0;
  std::map<std::uint16_t, std::int64_t> sent_at;  // for the receiver simulations

  void SendUntil(std::int64_t until_us) {
    while (t_us <= static_cast<double>(until_us)) {
      const auto at = static_cast<std::int64_t>(t_us);
      limiter.OnMediaSent(next_seq, kPacketBytes, Us(at));
      sent_at[next_seq] = at;
      ++next_seq;
      media_bytes += kPacketBytes;
      t_us += interval_us;
    }
  }
  std::vector<std::uint16_t> LastSeqs(int n) const {
    std::vector<std::uint16_t> out;
    for (int k = n; k >= 1; --k) out.push_back(static_cast<std::uint16_t>(next_seq - k));
    return out;
  }
};

// The measured attack: 175 NACKs in 4 s, each naming the last 136 packets, against 2.5 Mbit/s.
// Returns retransmitted bytes / media bytes over the attack.
double Attack(RepairLimiter& limiter, const std::function<FeedbackSource(int)>& source) {
  Stream s(limiter);
  s.SendUntil(2'000'000);  // the stream runs before the attack: the budget is full
  const std::uint64_t media_before = s.media_bytes;
  std::uint64_t rtx_bytes = 0;
  const std::int64_t start = 2'000'000;
  for (int i = 0; i < 175; ++i) {
    const std::int64_t at = start + i * 4'000'000 / 175;
    s.SendUntil(at);
    const RepairDecision d = limiter.OnNack(Us(at), source(i), kSsrc, s.LastSeqs(136));
    rtx_bytes += d.resend.size() * (kPacketBytes + RepairLimiter::kRtxOverheadBytes);
  }
  s.SendUntil(start + 4'000'000);
  return static_cast<double>(rtx_bytes) / static_cast<double>(s.media_bytes - media_before);
}

TEST(RepairLimiter, MeasuredAttackFromOneHostCostsLessThanHalfTheMedia) {
  RepairLimiter l(Config());
  const double ratio = Attack(l, [](int) { return Host(66); });
  EXPECT_LT(ratio, 0.5);
  // One source gets its plausible share (15%) plus one burst, not the whole budget.
  EXPECT_LT(ratio, 0.25);
  EXPECT_EQ(l.counters().requested, 175u * 136u);
  EXPECT_GT(l.counters().refused_implausible, 0u);
  EXPECT_EQ(l.counters().resent + l.counters().deduplicated + l.counters().refused(),
            l.counters().requested);
}

TEST(RepairLimiter, MeasuredAttackWithAFreshSourceEveryNackStaysWithinTheBudget) {
  // Spoofed addresses or SSRCs: every NACK looks like a new host; only the budget holds.
  for (const bool by_ssrc : {false, true}) {
    RepairLimiter l(Config());
    const double ratio = Attack(l, [&](int i) {
      return by_ssrc ? FeedbackSource::OfSsrc(0xbad00000u + static_cast<std::uint32_t>(i))
                     : Host(66, static_cast<std::uint16_t>(20000 + i));
    });
    EXPECT_LT(ratio, 0.5) << by_ssrc;
    // 25% of the media plus one 200 ms burst over 4 s: at most 0.25 + 0.05.
    EXPECT_LT(ratio, 0.31) << by_ssrc;
    EXPECT_GT(l.counters().refused_budget, 0u) << by_ssrc;
  }
}

// A receiver under independent random loss that NACKs like ours (rtp/nack_tracker.h): a lost
// packet is NACKed 5 ms after it was sent and retried 3 ms apart, five attempts in all, while
// it is missing; a retransmission is lost with the same probability as media.
struct Receiver {
  Receiver(FeedbackSource from, double loss_rate, std::uint32_t seed)
      : source(from), loss(loss_rate), rng(seed) {}
  FeedbackSource source;
  double loss;
  std::mt19937 rng;
  struct Pending {
    int attempts = 0;
    std::int64_t due_us = 0;
    bool resent = false;  // the sender retransmitted it at least once
  };
  std::map<std::uint16_t, Pending> missing;
  std::uint64_t lost = 0, recovered = 0, gave_up = 0, never_resent = 0;

  bool Lose() { return std::uniform_real_distribution<double>(0, 1)(rng) < loss; }
  void OnSent(std::uint16_t seq, std::int64_t at) {
    if (!Lose()) return;
    ++lost;
    missing[seq] = {0, at + 5'000, false};
  }
  // The numbers to NACK now (one NACK for all of them).
  std::vector<std::uint16_t> Due(std::int64_t now) {
    std::vector<std::uint16_t> due;
    for (auto it = missing.begin(); it != missing.end();) {
      Pending& p = it->second;
      if (p.due_us > now) {
        ++it;
        continue;
      }
      if (p.attempts == 5) {
        ++gave_up;
        never_resent += !p.resent;
        it = missing.erase(it);
        continue;
      }
      due.push_back(it->first);
      ++p.attempts;
      p.due_us = now + 3'000;
      ++it;
    }
    return due;
  }
  // A retransmission to the group, asked for by anyone.
  void OnRetransmission(std::uint16_t seq) {
    auto it = missing.find(seq);
    if (it == missing.end()) return;
    it->second.resent = true;
    if (Lose()) return;
    missing.erase(it);
    ++recovered;
  }
};

struct SimResult {
  std::uint64_t resent_bytes = 0;
  std::uint64_t media_bytes = 0;
};

// `receivers` for `seconds`, and from the second second on an attacker repeating the measured
// attack (a NACK of the last 136 packets every 23 ms), if given.
SimResult Simulate(RepairLimiter& l, std::vector<Receiver>& receivers, int seconds,
             std::optional<FeedbackSource> attacker = std::nullopt) {
  Stream s(l);
  auto deliver = [&](const RepairDecision& d) {
    for (std::uint16_t seq : d.resend) {
      for (Receiver& r : receivers) r.OnRetransmission(seq);
    }
  };
  int attacks = 0;
  for (std::int64_t now = 0; now < seconds * 1'000'000; now += 1'000) {
    const std::uint16_t first = s.next_seq;
    s.SendUntil(now);
    for (std::uint16_t seq = first; seq != s.next_seq; ++seq) {
      for (Receiver& r : receivers) r.OnSent(seq, s.sent_at[seq]);
    }
    if (attacker && now >= 1'000'000 + attacks * 4'000'000 / 175) {
      ++attacks;
      deliver(l.OnNack(Us(now), *attacker, kSsrc, s.LastSeqs(136)));
    }
    for (Receiver& r : receivers) {
      const std::vector<std::uint16_t> due = r.Due(now);
      if (!due.empty()) deliver(l.OnNack(Us(now), r.source, kSsrc, due));
    }
  }
  return {l.counters().resent_bytes, s.media_bytes};
}

Receiver Real(std::uint8_t host, std::uint32_t seed) {
  return Receiver(Host(host), 0.05, seed);
}

TEST(RepairLimiter, SparseNacksOfReceiversUnderFivePercentLossAreAllServed) {
  for (int n : {1, 3}) {
    RepairLimiter l(Config());
    std::vector<Receiver> rs;
    for (int i = 0; i < n; ++i) rs.push_back(Real(static_cast<std::uint8_t>(10 + i), 7u + i));
    const SimResult run = Simulate(l, rs, 20);
    EXPECT_EQ(l.counters().refused(), 0u) << n;
    for (const Receiver& r : rs) {
      EXPECT_GT(r.lost, 200u);
      EXPECT_EQ(r.never_resent, 0u) << n << " receivers: " << r.lost << " lost";
      // Only a retransmission lost three times over is lost for good.
      EXPECT_LE(r.gave_up, 2u) << n;
    }
    EXPECT_LT(static_cast<double>(run.resent_bytes), 0.25 * static_cast<double>(run.media_bytes));
  }
}

TEST(RepairLimiter, ARealReceiverIsStillServedWhileAnotherHostFloods) {
  RepairLimiter l(Config());
  std::vector<Receiver> rs{Real(10, 11)};
  const SimResult run = Simulate(l, rs, 6, Host(66));
  EXPECT_GT(l.counters().refused_implausible, 0u);  // the attacker hit its share
  EXPECT_EQ(rs[0].never_resent, 0u) << rs[0].lost << " lost, " << rs[0].recovered << " recovered";
  EXPECT_LE(rs[0].gave_up, 1u);
  EXPECT_LT(static_cast<double>(run.resent_bytes), 0.5 * static_cast<double>(run.media_bytes));
}

TEST(RepairLimiter, OnePacketIsResentOncePerHoldOffHoweverManyAsk) {
  RepairLimiter l(Config());  // hold-off floor 5 ms
  Stream s(l);
  s.SendUntil(100'000);
  const std::vector<std::uint16_t> seq7{7};
  EXPECT_EQ(l.OnNack(Ms(100), Host(1), kSsrc, seq7).resend, seq7);
  for (std::uint8_t h = 2; h < 20; ++h) {
    const RepairDecision d = l.OnNack(Ms(101), Host(h), kSsrc, seq7);
    EXPECT_TRUE(d.resend.empty());
    EXPECT_EQ(d.deduplicated, 1u);
  }
  EXPECT_TRUE(l.OnNack(Ms(104), Host(1), kSsrc, seq7).resend.empty());
  EXPECT_EQ(l.OnNack(Ms(105), Host(1), kSsrc, seq7).resend, seq7);  // a retry after the hold-off
  // A measured RTT above the floor widens the hold-off.
  l.SetRtt(std::chrono::milliseconds(12));
  EXPECT_TRUE(l.OnNack(Ms(116), Host(1), kSsrc, seq7).resend.empty());
  EXPECT_EQ(l.OnNack(Ms(117), Host(1), kSsrc, seq7).resend, seq7);
  // The same number twice in one NACK costs one retransmission.
  const std::vector<std::uint16_t> twice{9, 9};
  EXPECT_EQ(l.OnNack(Ms(120), Host(1), kSsrc, twice).resend.size(), 1u);
  EXPECT_EQ(l.counters().resent, 4u);
  EXPECT_EQ(l.counters().refused(), 0u);
}

TEST(RepairLimiter, UnknownTooOldAndOverwrittenNumbersAreRefused) {
  RepairLimiterConfig c = Config();
  c.history_packets = 64;
  c.max_age = std::chrono::milliseconds(500);
  RepairLimiter l(c);
  Stream s(l);
  s.SendUntil(300'000);  // ~82 packets: 0..17 are overwritten in a ring of 64
  const std::uint16_t newest = static_cast<std::uint16_t>(s.next_seq - 1);
  const std::vector<std::uint16_t> ask{5, newest, static_cast<std::uint16_t>(newest + 1), 40000};
  const RepairDecision d = l.OnNack(Ms(300), Host(1), kSsrc, ask);
  EXPECT_EQ(d.resend, std::vector<std::uint16_t>{newest});
  EXPECT_EQ(l.counters().refused_unknown, 3u);
  // Too old: still in the ring, but sent more than 500 ms ago.
  const std::vector<std::uint16_t> old{newest};
  EXPECT_TRUE(l.OnNack(Ms(900), Host(1), kSsrc, old).resend.empty());
  EXPECT_EQ(l.counters().refused_unknown, 4u);
}

TEST(RepairLimiter, NackAboutAnotherSsrcIsRefused) {
  RepairLimiter l(Config());
  Stream s(l);
  s.SendUntil(50'000);
  const std::vector<std::uint16_t> ask{1, 2};
  EXPECT_TRUE(l.OnNack(Ms(50), Host(1), 0x9999, ask).resend.empty());
  EXPECT_EQ(l.counters().refused_wrong_ssrc, 2u);
  l.SetMediaSsrc(0x9999);  // our SSRC changed after a collision
  EXPECT_EQ(l.OnNack(Ms(50), Host(1), 0x9999, ask).resend.size(), 2u);
}

TEST(RepairLimiter, FeedbackRateIsLimitedPerSource) {
  RepairLimiter l(Config());  // 100 NACKs/s, burst 50
  Stream s(l);
  s.SendUntil(1'000'000);
  const std::vector<std::uint16_t> none_known{60000};  // cheap requests: only the rate counts
  for (int i = 0; i < 80; ++i) (void)l.OnNack(Ms(1000), Host(1), kSsrc, none_known);
  EXPECT_EQ(l.counters().nacks_rate_limited, 30u);
  EXPECT_EQ(l.counters().refused_unknown, 50u);
  EXPECT_EQ(l.counters().refused_feedback_rate, 30u);
  // Another host is not affected; the first one gets 10 more after 100 ms.
  (void)l.OnNack(Ms(1000), Host(2), kSsrc, none_known);
  EXPECT_EQ(l.counters().nacks_rate_limited, 30u);
  for (int i = 0; i < 12; ++i) (void)l.OnNack(Ms(1100), Host(1), kSsrc, none_known);
  EXPECT_EQ(l.counters().nacks_rate_limited, 32u);
}

TEST(RepairLimiter, ASourceGetsWhatItsReportedLossExplains) {
  auto served = [](std::optional<double> reported) {
    RepairLimiter l(Config());
    Stream s(l);
    s.SendUntil(1'000'000);
    if (reported) l.OnLossReport(Host(1), *reported, Ms(1000));
    // Ten seconds of asking for every packet, once each, a NACK per 20 ms.
    std::uint64_t resent = 0;
    for (std::int64_t t = 1'020'000; t <= 11'000'000; t += 20'000) {
      const std::uint16_t first = s.next_seq;
      s.SendUntil(t);
      std::vector<std::uint16_t> ask;
      for (std::uint16_t q = first; q != s.next_seq; ++q) ask.push_back(q);
      resent += l.OnNack(Us(t), Host(1), kSsrc, ask).resend.size();
    }
    return static_cast<double>(resent) / (10.0 * 1e6 / s.interval_us);
  };
  // The share, plus the 32 requests a new source starts with (~1% of ten seconds).
  EXPECT_NEAR(served(std::nullopt), 0.15, 0.025);  // the default share
  EXPECT_NEAR(served(0.06), 0.18, 0.025);          // 3 x 6%
  EXPECT_NEAR(served(0.0), 0.05, 0.025);           // the floor
  EXPECT_NEAR(served(1.0), 0.25, 0.03);            // 50% allowed, but the budget is 25%
}

TEST(RepairLimiter, BudgetRefillsWithTheMediaSent) {
  RepairLimiterConfig c = Config();
  c.plausible_share = 1.0;  // only the budget limits here
  c.min_plausible_burst = 10'000;
  RepairLimiter l(c);
  Stream s(l);
  s.SendUntil(1'000'000);  // ~272 packets; depth = 200 ms of media = ~54 packets
  const double depth = l.budget_bytes();
  EXPECT_GT(depth, 0.85 * 0.2 * 2.5e6 / 8);  // the rate meter sees 0.9-1 s of the first second
  EXPECT_LE(depth, 0.2 * 2.5e6 / 8 + kPacketBytes);
  const RepairDecision d = l.OnNack(Ms(1000), Host(1), kSsrc, s.LastSeqs(200));
  EXPECT_NEAR(static_cast<double>(d.resend.size()), depth / (kPacketBytes + 2), 1.0);
  EXPECT_GT(l.counters().refused_budget, 100u);
  // 100 ms of media later: a quarter of its bytes is spendable again.
  s.SendUntil(1'100'000);
  const RepairDecision later = l.OnNack(Ms(1100), Host(1), kSsrc, s.LastSeqs(27));
  EXPECT_NEAR(static_cast<double>(later.resend.size()), 27 * 0.25, 1.5);
}

TEST(RepairLimiter, BudgetDepthFollowsTheMediaRateAfterAPause) {
  RepairLimiter l(Config());
  Stream s(l);
  s.SendUntil(1'099'999);
  EXPECT_NEAR(l.media_bytes_per_second(Us(1'099'999)), 2.5e6 / 8, 0.02 * 2.5e6 / 8);
  EXPECT_EQ(l.media_bytes_per_second(Ms(2500)), 0.0);  // a second and a half of silence
}

TEST(RepairLimiter, PerSourceStateIsBounded) {
  RepairLimiterConfig c = Config();
  c.max_sources = 16;
  RepairLimiter l(c);
  Stream s(l);
  s.SendUntil(100'000);
  const std::vector<std::uint16_t> ask{3};
  for (std::uint32_t i = 0; i < 1000; ++i) {
    (void)l.OnNack(Ms(100), FeedbackSource::OfSsrc(i), kSsrc, ask);
  }
  EXPECT_EQ(l.sources(), 16u);
  EXPECT_EQ(l.counters().sources_evicted, 1000u - 16u);
}

TEST(RepairLimiter, SourcesAreTellApartByAddressPortAndKind) {
  const std::array<std::uint8_t, 4> a{10, 0, 0, 1};
  const std::array<std::uint8_t, 16> v6{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1};
  EXPECT_EQ(FeedbackSource::OfAddress(false, a, 1), FeedbackSource::OfAddress(false, a, 1));
  EXPECT_NE(FeedbackSource::OfAddress(false, a, 1), FeedbackSource::OfAddress(false, a, 2));
  EXPECT_NE(FeedbackSource::OfAddress(false, a, 1), FeedbackSource::OfAddress(true, v6, 1));
  EXPECT_NE(FeedbackSource::OfSsrc(1), FeedbackSource::OfAddress(false, a, 1));
}

class RepairLimiterWrap : public ::testing::TestWithParam<std::uint16_t> {};
INSTANTIATE_TEST_SUITE_P(Starts, RepairLimiterWrap,
                         ::testing::Values(0, 1, 32767, 32768, 65534, 65535));

TEST_P(RepairLimiterWrap, ResendsAcrossTheSequenceWrap) {
  RepairLimiter l(Config());
  Stream s(l, GetParam());
  s.SendUntil(100'000);
  const std::vector<std::uint16_t> ask = s.LastSeqs(8);
  EXPECT_EQ(l.OnNack(Ms(100), Host(1), kSsrc, ask).resend, ask);
}

}  // namespace
}  // namespace confcast::rtp

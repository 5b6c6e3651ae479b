#include <confcast/sender/keyframe_aggregator.h>
#include <gtest/gtest.h>

namespace confcast::sender {
namespace {

using std::chrono::milliseconds;
rtp::Timestamp Ms(int ms) { return rtp::Timestamp{milliseconds(ms)}; }

TEST(KeyframeAggregator, FirstRequestForcesAnIdrAtOnce) {
  KeyframeAggregator k(milliseconds(300));
  EXPECT_TRUE(k.OnPli(Ms(1000), 0xa));
  EXPECT_EQ(k.forced(), 1u);
}

TEST(KeyframeAggregator, ManyReceiversAskingAtOnceCostOneIdr) {
  KeyframeAggregator k(milliseconds(300));
  int idrs = 0;
  for (std::uint32_t receiver = 0; receiver < 16; ++receiver) {
    idrs += k.OnPli(Ms(1000 + static_cast<int>(receiver)), receiver);
  }
  for (int t = 1000; t < 1250; t += 33) idrs += k.Due(Ms(t));
  k.OnKeyframeSent(Ms(1033));  // the forced IDR went out and answers the held requests
  for (int t = 1250; t < 2000; t += 33) idrs += k.Due(Ms(t));
  EXPECT_EQ(idrs, 1);
  EXPECT_EQ(k.requests(), 16u);
  EXPECT_EQ(k.aggregated(), 15u);
}

TEST(KeyframeAggregator, RequestAfterTheIdrIsHeldUntilTheIntervalEnds) {
  KeyframeAggregator k(milliseconds(300));
  ASSERT_TRUE(k.OnPli(Ms(1000), 0xa));
  k.OnKeyframeSent(Ms(1010));
  EXPECT_FALSE(k.OnPli(Ms(1100), 0xa));  // lost something after the IDR: served later, not dropped
  EXPECT_FALSE(k.Due(Ms(1200)));
  EXPECT_TRUE(k.Due(Ms(1300)));
  EXPECT_FALSE(k.Due(Ms(1400)));  // served once
  EXPECT_EQ(k.forced(), 2u);
}

TEST(KeyframeAggregator, PeriodicIdrAnswersHeldRequests) {
  KeyframeAggregator k(milliseconds(300));
  ASSERT_TRUE(k.OnPli(Ms(0), 0xa));
  k.OnKeyframeSent(Ms(0));
  EXPECT_FALSE(k.OnPli(Ms(100), 0xb));
  k.OnKeyframeSent(Ms(150));  // a GOP boundary
  EXPECT_FALSE(k.Due(Ms(500)));
}

TEST(KeyframeAggregator, RequestAfterAPeriodicIdrForcesOneAtOnce) {
  // The session's first IDR went out at 0; a receiver that joined after its first packet (or
  // lost it for good) asks 50 ms later and must not wait for an interval only a forced IDR
  // starts.
  KeyframeAggregator k(milliseconds(300));
  k.OnKeyframeSent(Ms(0));
  EXPECT_TRUE(k.OnPli(Ms(50), 0xa));
  k.OnKeyframeSent(Ms(66));
  EXPECT_FALSE(k.OnPli(Ms(100), 0xb));  // the forced one does start the interval
  EXPECT_TRUE(k.Due(Ms(350)));
}

TEST(KeyframeAggregator, RepeatedFirSequenceNumberIsTheSameRequest) {
  KeyframeAggregator k(milliseconds(300));
  EXPECT_TRUE(k.OnFir(Ms(0), 0xaaaa, 7));
  k.OnKeyframeSent(Ms(10));
  EXPECT_FALSE(k.OnFir(Ms(500), 0xaaaa, 7));  // retransmission of the same FIR
  EXPECT_FALSE(k.Due(Ms(900)));
  EXPECT_TRUE(k.OnFir(Ms(1000), 0xaaaa, 8));
  EXPECT_EQ(k.requests(), 2u);
}

// A hostile host floods PLIs (1000 a second for 10 s) while frames go out at 30 fps.
int FloodIdrs(KeyframeAggregator& k, bool rotate_ssrc) {
  int idrs = 0;
  std::uint32_t ssrc = 0xbad;
  for (int us = 0; us < 10'000'000; us += 1'000) {
    const rtp::Timestamp now{std::chrono::microseconds(us)};
    if (rotate_ssrc) ++ssrc;
    if (k.OnPli(now, ssrc)) {
      ++idrs;
      k.OnKeyframeSent(now);
    }
    if (us % 33'000 == 0 && k.Due(now)) {
      ++idrs;
      k.OnKeyframeSent(now);
    }
  }
  return idrs;
}

TEST(KeyframeAggregator, PliFloodFromOneSourceForcesAboutTwoIdrsASecond) {
  KeyframeAggregator k;  // 300 ms aggregation, 6 requests per source then two a second
  const int idrs = FloodIdrs(k, false);
  EXPECT_LE(idrs, 6 + 20);
  EXPECT_GE(idrs, 20);
  EXPECT_GT(k.rate_limited(), 9'900u);
  EXPECT_EQ(k.requesters(), 1u);
}

TEST(KeyframeAggregator, PliFloodUnderEverChangingSsrcsForcesAtMostOneIdrPerInterval) {
  KeyframeAggregator k;
  const int idrs = FloodIdrs(k, true);
  EXPECT_LE(idrs, 10'000 / 300 + 1);  // the aggregation interval still holds
  EXPECT_LE(k.requesters(), 1024u);   // and the per-source table stays bounded
}

TEST(KeyframeAggregator, AReceiverAskingAroundALossIsNotLimited) {
  KeyframeAggregator k;
  // Our receivers ask, wait 200 ms, ask again: three requests in 400 ms, then quiet.
  EXPECT_TRUE(k.OnPli(Ms(0), 0xa));
  k.OnKeyframeSent(Ms(20));
  EXPECT_FALSE(k.OnPli(Ms(200), 0xa));  // held: the interval has not passed
  EXPECT_TRUE(k.Due(Ms(300)));
  k.OnKeyframeSent(Ms(330));
  EXPECT_FALSE(k.OnPli(Ms(400), 0xa));
  EXPECT_TRUE(k.Due(Ms(630)));
  EXPECT_EQ(k.rate_limited(), 0u);
  // A second later it has its tokens back.
  EXPECT_TRUE(k.OnPli(Ms(3000), 0xa));
  EXPECT_EQ(k.rate_limited(), 0u);
}

TEST(KeyframeAggregator, FirFloodIsLimitedLikePli) {
  KeyframeAggregator k;
  int idrs = 0;
  for (int i = 0; i < 100; ++i) {
    const rtp::Timestamp now = Ms(i * 10);
    if (k.OnFir(now, 0xbad, static_cast<std::uint8_t>(i))) {
      ++idrs;
      k.OnKeyframeSent(now);
    }
    if (k.Due(now)) {
      ++idrs;
      k.OnKeyframeSent(now);
    }
  }
  EXPECT_LE(idrs, 5);  // 1 s of FIRs with new numbers: the aggregation interval holds
  EXPECT_GT(k.rate_limited(), 90u);
}

}  // namespace
}  // namespace confcast::sender

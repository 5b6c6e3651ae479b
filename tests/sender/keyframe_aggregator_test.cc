#include <confcast/sender/keyframe_aggregator.h>
#include <gtest/gtest.h>

namespace confcast::sender {
namespace {

using std::chrono::milliseconds;
rtp::Timestamp Ms(int ms) { return rtp::Timestamp{milliseconds(ms)}; }

TEST(KeyframeAggregator, FirstRequestForcesAnIdrAtOnce) {
  KeyframeAggregator k(milliseconds(300));
  EXPECT_TRUE(k.OnPli(Ms(1000)));
  EXPECT_EQ(k.forced(), 1u);
}

TEST(KeyframeAggregator, ManyReceiversAskingAtOnceCostOneIdr) {
  KeyframeAggregator k(milliseconds(300));
  int idrs = 0;
  for (int receiver = 0; receiver < 16; ++receiver) idrs += k.OnPli(Ms(1000 + receiver));
  for (int t = 1000; t < 1250; t += 33) idrs += k.Due(Ms(t));
  k.OnKeyframeSent(Ms(1033));  // the forced IDR went out and answers the held requests
  for (int t = 1250; t < 2000; t += 33) idrs += k.Due(Ms(t));
  EXPECT_EQ(idrs, 1);
  EXPECT_EQ(k.requests(), 16u);
  EXPECT_EQ(k.aggregated(), 15u);
}

TEST(KeyframeAggregator, RequestAfterTheIdrIsHeldUntilTheIntervalEnds) {
  KeyframeAggregator k(milliseconds(300));
  ASSERT_TRUE(k.OnPli(Ms(1000)));
  k.OnKeyframeSent(Ms(1010));
  EXPECT_FALSE(k.OnPli(Ms(1100)));  // lost something after the IDR: served later, not dropped
  EXPECT_FALSE(k.Due(Ms(1200)));
  EXPECT_TRUE(k.Due(Ms(1300)));
  EXPECT_FALSE(k.Due(Ms(1400)));  // served once
  EXPECT_EQ(k.forced(), 2u);
}

TEST(KeyframeAggregator, PeriodicIdrAnswersHeldRequests) {
  KeyframeAggregator k(milliseconds(300));
  ASSERT_TRUE(k.OnPli(Ms(0)));
  k.OnKeyframeSent(Ms(0));
  EXPECT_FALSE(k.OnPli(Ms(100)));
  k.OnKeyframeSent(Ms(150));  // a GOP boundary
  EXPECT_FALSE(k.Due(Ms(500)));
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

}  // namespace
}  // namespace confcast::sender

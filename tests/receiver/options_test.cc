#include <confcast/receiver/latency_stats.h>
#include <confcast/receiver/options.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace confcast::receiver {
namespace {

std::expected<RecvOptions, ParseFailure> Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"confcast-recv"};
  argv.insert(argv.end(), args);
  return ParseRecvOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(RecvOptions, SdpFileAsFirstArgument) {
  auto o = Parse({"session.sdp", "--video-sink", "y4m:-", "--latency", "80"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->sdp_path, "session.sdp");
  EXPECT_EQ(o->video_sink, "y4m:-");
  EXPECT_EQ(o->latency_ms, 80);
}

TEST(RecvOptions, SdpAndGroupTogetherAreRefused) {
  auto o = Parse({"session.sdp", "--group", "239.0.0.12"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("use one of them"), std::string::npos);
}

TEST(RecvOptions, OddPortNamesTheFix) {
  auto o = Parse({"--port", "9"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("--port 8"), std::string::npos);
}

TEST(RecvOptions, RejoinEveryAndTtl) {
  auto d = Parse({});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rejoin_every_s, 0) << "renewing memberships is opt-in";
  EXPECT_EQ(d->ttl, 1);
  auto o = Parse({"--rejoin-every", "20", "--ttl", "8"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->rejoin_every_s, 20);
  EXPECT_EQ(o->ttl, 8);
  EXPECT_FALSE(Parse({"--rejoin-every", "-1"}).has_value());
  EXPECT_FALSE(Parse({"--ttl", "256"}).has_value());
}

TEST(LatencyStats, PercentilesOfAKnownDistribution) {
  LatencyStats s;
  EXPECT_FALSE(s.Compute());
  for (int i = 1; i <= 100; ++i) s.Add(i);
  auto p = s.Compute();
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->p50, 50.5, 0.6);
  EXPECT_NEAR(p->p95, 95, 1);
  EXPECT_NEAR(p->p99, 99, 1);
  EXPECT_EQ(p->max, 100);
  EXPECT_DOUBLE_EQ(p->mean, 50.5);
  EXPECT_EQ(p->count, 100u);
}

TEST(LatencyStats, RingKeepsTheRecentSamples) {
  LatencyStats s(10);
  for (int i = 0; i < 1000; ++i) s.Add(i < 990 ? 1000 : 1);
  EXPECT_EQ(s.Compute()->p99, 1);  // only the last ten remain in the window
  EXPECT_EQ(s.Compute()->max, 1000);  // the maximum is over everything
}

TEST(RecvOptions, HiddenSsrcForTests) {
  EXPECT_FALSE(Parse({}).value().ssrc.has_value());
  auto o = Parse({"--ssrc", "0x5eed0001"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->ssrc, 0x5eed0001u);
  auto help = Parse({"--help"});
  ASSERT_FALSE(help.has_value());
  EXPECT_EQ(help.error().message.find("--ssrc"), std::string::npos);
}

TEST(RecvNackOption, OnByDefaultAndSwitchable) {
  EXPECT_TRUE(Parse({})->nack);
  EXPECT_FALSE(Parse({"--nack", "off"})->nack);
  EXPECT_TRUE(Parse({"--nack", "on"})->nack);
  EXPECT_FALSE(Parse({"--nack", "yes please"}).has_value());
}

}  // namespace
}  // namespace confcast::receiver

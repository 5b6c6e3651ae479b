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

namespace confcast::receiver {
namespace {

TEST(RecvOptions, StatsOnStdoutAndY4mOnStdoutAreRefused) {
  auto both = Parse({"--stats-json", "-", "--video-sink", "y4m:-"});
  ASSERT_FALSE(both.has_value());
  EXPECT_NE(both.error().message.find("--stats-json"), std::string::npos);
  EXPECT_NE(both.error().message.find("--video-sink"), std::string::npos);
  EXPECT_EQ(both.error().message.find('\n'), std::string::npos) << "one line";
  EXPECT_TRUE(Parse({"--stats-json", "-", "--video-sink", "y4m:out.y4m"}).has_value());
  EXPECT_TRUE(Parse({"--stats-json", "s.json", "--video-sink", "y4m:-"}).has_value());
}

TEST(RecvOptions, LogLevelQuietAndVerbose) {
  auto o = Parse({});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->log.Level(), spdlog::level::info);
  EXPECT_TRUE(o->log.status_line());
  o = Parse({"-q"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->log.Level(), spdlog::level::warn);
  EXPECT_FALSE(o->log.status_line());
  o = Parse({"--verbose"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->log.Level(), spdlog::level::debug);
  EXPECT_TRUE(o->log.status_line());
  o = Parse({"--quiet", "--log-level", "error"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->log.Level(), spdlog::level::err);
  EXPECT_FALSE(o->log.status_line());
  o = Parse({"--log-level", "trace"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->log.Level(), spdlog::level::trace);
}

TEST(RecvOptions, BadLogLevelAndQuietWithVerboseAreOneLineErrors) {
  auto o = Parse({"--log-level", "bogus"});
  ASSERT_FALSE(o.has_value());
  EXPECT_FALSE(o.error().exit_ok);
  EXPECT_NE(o.error().message.find("'bogus' is not a level; use trace, debug, info, warn, error or off"),
            std::string::npos)
      << o.error().message;
  EXPECT_EQ(o.error().message.find('\n'), std::string::npos);
  o = Parse({"-q", "-v"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("excludes"), std::string::npos) << o.error().message;
  EXPECT_EQ(o.error().message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace confcast::receiver

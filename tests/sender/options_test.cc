#include <confcast/sender/options.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace confcast::sender {
namespace {

std::expected<SendOptions, ParseFailure> Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"confcast-send"};
  argv.insert(argv.end(), args);
  return ParseSendOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(SendOptions, DefaultsMatchTheDocumentedInterface) {
  auto o = Parse({});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->group, "239.0.0.11");
  EXPECT_EQ(o->port, 15550);
  EXPECT_EQ(o->ttl, 1);
  EXPECT_EQ(o->video, "test");
  // SDES NAME: user@host unless --name says otherwise; --name "" sends none.
  const std::size_t at = o->name.find('@');
  ASSERT_NE(at, std::string::npos) << o->name;
  EXPECT_GT(at, 0u) << o->name;
  EXPECT_LT(at + 1, o->name.size()) << o->name;
  auto unnamed = Parse({"--name", ""});
  ASSERT_TRUE(unnamed.has_value()) << unnamed.error().message;
  EXPECT_EQ(unnamed->name, "");
}

TEST(SendOptions, ParsesEveryOption) {
  auto o = Parse({"--group", "239.1.2.3", "--port", "20000", "--iface", "lo", "--ttl", "4",
                  "--video", "y4m:-", "--audio", "none", "--size", "640x360", "--fps", "25",
                  "--bitrate", "800", "--gop", "50", "--mtu", "1400", "--name", "cam 1",
                  "--sdp", "s.sdp", "--duration", "2.5", "--stats-json", "s.json"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->width, 640);
  EXPECT_EQ(o->height, 360);
  EXPECT_EQ(o->fps, 25);
  EXPECT_EQ(o->bitrate_kbps, 800);
  EXPECT_EQ(o->gop, 50);
  EXPECT_EQ(o->mtu, 1400);
  EXPECT_EQ(o->name, "cam 1");
  EXPECT_DOUBLE_EQ(o->duration_s, 2.5);
}

TEST(SendOptions, OddPortIsAUsageErrorThatNamesTheFix) {
  auto o = Parse({"--port", "15551"});
  ASSERT_FALSE(o.has_value());
  EXPECT_FALSE(o.error().exit_ok);
  EXPECT_NE(o.error().message.find("odd"), std::string::npos);
  EXPECT_NE(o.error().message.find("--port 15550"), std::string::npos);
  EXPECT_EQ(o.error().message.find('\n'), std::string::npos);  // one line
}

TEST(SendOptions, BadValuesAreRefusedWithOneLine) {
  for (auto args : {std::initializer_list<const char*>{"--size", "big"},
                    std::initializer_list<const char*>{"--size", "641x360"},
                    std::initializer_list<const char*>{"--ttl", "300"},
                    std::initializer_list<const char*>{"--fps", "0"},
                    std::initializer_list<const char*>{"--bogus"},
                    std::initializer_list<const char*>{"--video", "none", "--audio", "none"},
                    std::initializer_list<const char*>{"--port", "65534"}}) {
    auto o = Parse(args);
    ASSERT_FALSE(o.has_value()) << *args.begin();
    EXPECT_FALSE(o.error().exit_ok);
    EXPECT_FALSE(o.error().message.empty());
    EXPECT_EQ(o.error().message.find('\n'), std::string::npos) << o.error().message;
  }
}

TEST(SendOptions, AnnounceWithSap) {
  auto o = Parse({});
  ASSERT_TRUE(o.has_value());
  EXPECT_FALSE(o->announce);
  o = Parse({"--announce", "--announce-interval", "1.5"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_TRUE(o->announce);
  EXPECT_DOUBLE_EQ(o->announce_interval_s, 1.5);
  o = Parse({"--announce-interval", "2"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("add --announce"), std::string::npos);
}

TEST(SendOptions, AnnounceNeverCarriesTheGroupKey) {
  // SAP goes to everyone on the LAN: an SDP with the key inline must not be announced.
  auto o = Parse({"--announce", "--key-file", "k", "--sdp-crypto=with-key"});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("--sdp-crypto"), std::string::npos) << o.error().message;
  o = Parse({"--announce", "--key-file", "k", "--sdp-crypto"});
  EXPECT_TRUE(o.has_value()) << o.error().message;
}

TEST(SendOptions, HelpExitsCleanly) {
  auto o = Parse({"--help"});
  ASSERT_FALSE(o.has_value());
  EXPECT_TRUE(o.error().exit_ok);
  EXPECT_NE(o.error().message.find("--group"), std::string::npos);
}

TEST(SendOptions, HiddenTestingOptionsFixInitialValues) {
  auto none = Parse({});
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->ssrc.has_value());
  EXPECT_FALSE(none->initial_seq.has_value());
  EXPECT_FALSE(none->initial_ts.has_value());
  auto o = Parse({"--ssrc", "0xc0111de5", "--initial-seq", "65000", "--initial-ts", "4294787296"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->ssrc, 0xc0111de5u);
  EXPECT_EQ(o->initial_seq, 65000);
  EXPECT_EQ(o->initial_ts, 4294787296u);
  EXPECT_FALSE(Parse({"--initial-seq", "65536"}).has_value());  // does not fit 16 bits
  EXPECT_FALSE(Parse({"--initial-ts", "4294967296"}).has_value());
}

TEST(SendOptions, TestingOptionsStayOutOfHelp) {
  auto help = Parse({"--help"});
  ASSERT_FALSE(help.has_value());
  EXPECT_EQ(help.error().message.find("--initial-seq"), std::string::npos);
  EXPECT_EQ(help.error().message.find("--ssrc"), std::string::npos);
}

TEST(SendOptions, FecIsAutoOffOrAPercentage) {
  auto o = Parse({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->fec_percent, -1);
  EXPECT_FALSE(o->intra_refresh);
  o = Parse({"--fec", "off", "--intra-refresh"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->fec_percent, 0);
  EXPECT_TRUE(o->intra_refresh);
  o = Parse({"--fec", "20"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->fec_percent, 20);
  for (const char* bad : {"0", "101", "20%", "on", ""}) {
    auto e = Parse({"--fec", bad});
    ASSERT_FALSE(e) << bad;
    EXPECT_NE(e.error().message.find("--fec"), std::string::npos) << e.error().message;
  }
}

TEST(SendSrtpOptions, NoKeyMeansPlainRtpAndNoCrypto) {
  auto o = Parse({});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->key_file, "");
  EXPECT_EQ(o->sdp_crypto, "");
}

TEST(SendSrtpOptions, SdpCryptoWithoutValueNamesTheSuiteOnly) {
  auto o = Parse({"--key-file", "k", "--sdp-crypto", "--duration", "1"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->key_file, "k");
  EXPECT_EQ(o->sdp_crypto, "suite");
  EXPECT_DOUBLE_EQ(o->duration_s, 1);
}

TEST(SendSrtpOptions, SdpCryptoWithKeyMustBeAsked) {
  auto o = Parse({"--key-file", "k", "--sdp-crypto=with-key"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->sdp_crypto, "with-key");
}

TEST(SendSrtpOptions, SdpCryptoNeedsAKeyAndAKnownValue) {
  auto no_key = Parse({"--sdp-crypto"});
  ASSERT_FALSE(no_key.has_value());
  EXPECT_NE(no_key.error().message.find("--key-file"), std::string::npos);
  auto bad = Parse({"--key-file", "k", "--sdp-crypto=yes"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("with-key"), std::string::npos);
}

TEST(SendRtxOption, OnByDefaultAndSwitchable) {
  EXPECT_TRUE(Parse({})->rtx);
  EXPECT_FALSE(Parse({"--rtx", "off"})->rtx);
  EXPECT_TRUE(Parse({"--rtx", "on"})->rtx);
  EXPECT_FALSE(Parse({"--rtx", "maybe"}).has_value());
}

TEST(SendRtxOption, BudgetIsAPercentageOfTheVideoBytes) {
  auto o = Parse({});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->rtx_budget_percent, 25);
  o = Parse({"--rtx-budget", "10"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->rtx_budget_percent, 10);
  EXPECT_EQ(Parse({"--rtx-budget", "100"})->rtx_budget_percent, 100);
  for (const char* bad : {"0", "101", "-5", "lots", "12.5"}) {
    auto e = Parse({"--rtx-budget", bad});
    ASSERT_FALSE(e.has_value()) << bad;
    EXPECT_FALSE(e.error().exit_ok);
    EXPECT_NE(e.error().message.find("--rtx-budget"), std::string::npos) << e.error().message;
    EXPECT_EQ(e.error().message.find('\n'), std::string::npos);
  }
  auto off = Parse({"--rtx", "off", "--rtx-budget", "10"});
  ASSERT_FALSE(off.has_value());
  EXPECT_NE(off.error().message.find("--rtx off"), std::string::npos);
  auto help = Parse({"--help"});
  ASSERT_FALSE(help.has_value());
  EXPECT_NE(help.error().message.find("--rtx-budget"), std::string::npos);
}

TEST(SendOptions, LogLevelQuietAndVerbose) {
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

TEST(SendOptions, BadLogLevelAndQuietWithVerboseAreOneLineErrors) {
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
TEST(SendOptions, VbvMsDefaultsTo200MsAndIsRanged) {
  auto d = Parse({});
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(d->vbv_ms, 200);  // six frames at 30 fps (options.h says why)
  auto o = Parse({"--vbv-ms", "250"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->vbv_ms, 250);
  EXPECT_FALSE(Parse({"--vbv-ms", "0"}).has_value());
  EXPECT_FALSE(Parse({"--vbv-ms", "20000"}).has_value());
}

}  // namespace confcast::sender

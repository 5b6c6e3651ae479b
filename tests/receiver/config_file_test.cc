// confcast-recv --config FILE and --print-config (the machinery is shared with confcast-send,
// whose test covers the bad files in detail): the receiver's own options, its SDP argument, and
// its rules about what gives the address, read back from a printed file.
#include <confcast/receiver/options.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace confcast::receiver {
namespace {

std::expected<RecvOptions, ParseFailure> Parse(std::vector<std::string> args) {
  std::vector<const char*> argv = {"confcast-recv"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseRecvOptions(static_cast<int>(argv.size()), argv.data());
}

std::string TempFile(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("confcast-recv-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

// The --print-config text of args, written to a file.
std::string PrintedFile(std::vector<std::string> args, const std::string& name) {
  args.push_back("--print-config");
  auto printed = Parse(args);
  EXPECT_FALSE(printed.has_value());
  if (printed.has_value()) return "";
  EXPECT_TRUE(printed.error().exit_ok) << printed.error().message;
  return TempFile(name, printed.error().message);
}

TEST(RecvConfigFile, PrintConfigReadsBackToTheSameOptions) {
  const std::vector<std::vector<std::string>> runs = {
      {},
      {"room.sdp", "--iface", "lo", "--video-sink", "y4m:-", "--audio-sink", "null",
       "--participant", "Room A", "--latency", "80", "--duration", "5", "--name", "watcher",
       "--ttl", "3", "--rejoin-every", "60", "--key-file", "room.key", "-q", "--nack", "off"},
      {"--group", "239.1.2.3", "--port", "20000", "--source", "10.0.0.1", "--stats-json", "-",
       "--verbose"},
      {"--list", "--duration", "2"},
      {"--join", "Room", "--join-timeout", "2.5", "--video-sink", "record:a b.mkv"},
      {"--ssrc", "1234"},
  };
  int n = 0;
  for (const auto& args : runs) {
    const std::string joined = ::testing::PrintToString(args);
    auto direct = Parse(args);
    ASSERT_TRUE(direct.has_value()) << joined << ": " << direct.error().message;
    const std::string file = PrintedFile(args, "run" + std::to_string(n++) + ".toml");
    auto from_file = Parse({"--config", file});
    std::filesystem::remove(file);
    ASSERT_TRUE(from_file.has_value()) << joined << ": " << from_file.error().message;
    EXPECT_EQ(*from_file, *direct) << joined;
  }
}

TEST(RecvConfigFile, AnSdpFromTheFileAndTheAddressRules) {
  const std::string file = TempFile("sdp.toml", "sdp = \"room.sdp\"\nlatency = 60\n");
  auto o = Parse({"--config", file});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->sdp_path, "room.sdp");
  EXPECT_EQ(o->latency_ms, 60);
  // The SDP gives the address: --group beside it is still refused, wherever each came from.
  auto both = Parse({"--config", file, "--group", "239.1.1.1"});
  ASSERT_FALSE(both.has_value());
  EXPECT_NE(both.error().message.find("use one of them"), std::string::npos);
  // The command line's SDP replaces the file's.
  o = Parse({"--config", file, "other.sdp"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->sdp_path, "other.sdp");
  std::filesystem::remove(file);
}

TEST(RecvConfigFile, APrintedFileOfDefaultsSetsNothing) {
  // Defaults are written commented out, so a file printed without options leaves --list,
  // --join and an SDP free to be given (none of them may go with --group/--port).
  const std::string file = PrintedFile({}, "defaults.toml");
  for (auto args : {std::vector<std::string>{"--config", file, "--list"},
                    std::vector<std::string>{"--config", file, "--join", "Room A"},
                    std::vector<std::string>{"--config", file, "room.sdp"}}) {
    auto o = Parse(args);
    EXPECT_TRUE(o.has_value()) << args.back() << ": " << o.error().message;
  }
  std::filesystem::remove(file);
}

TEST(RecvConfigFile, ABadFileIsOneLineNamingTheFileAndKey) {
  const std::string file = TempFile("bad.toml", "latency = 9000\n");
  auto o = Parse({"--config", file});
  ASSERT_FALSE(o.has_value());
  EXPECT_FALSE(o.error().exit_ok);
  EXPECT_EQ(o.error().message.find('\n'), std::string::npos) << o.error().message;
  EXPECT_NE(o.error().message.find(file + ": latency: Value 9000 not in range"), std::string::npos)
      << o.error().message;
  const std::string unknown = TempFile("unknown.toml", "video_sink = \"null\"\n");
  o = Parse({"--config", unknown});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find(unknown + ": unknown key 'video_sink'"), std::string::npos)
      << o.error().message;
  std::filesystem::remove(file);
  std::filesystem::remove(unknown);
}

TEST(RecvHelp, GroupedWithPlainTypesExamplesAndExitCodes) {
  auto help = Parse({"--help"});
  ASSERT_FALSE(help.has_value());
  const std::string& text = help.error().message;
  for (const char* heading : {"\nPositionals:\n  sdp FILE ", "\nSession:\n", "\nNetwork:\n",
                              "\nOutput:\n", "\nRepair and playout:\n", "\nSecurity:\n",
                              "\nMonitoring:\n", "\nExamples:\n", "\nExit codes:\n  0 ",
                              "\n  3     nothing arrived"}) {
    EXPECT_NE(text.find(heading), std::string::npos) << heading << " in\n" << text;
  }
  EXPECT_EQ(text.find("Other options:"), std::string::npos) << text;
  EXPECT_NE(text.find("  --nack on|off "), std::string::npos) << text;
  EXPECT_NE(text.find("  --latency MS "), std::string::npos) << text;
  for (const char* word : {"BOOLEAN", "INT", "FLOAT", " in [", "->", "{"}) {
    EXPECT_EQ(text.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace confcast::receiver

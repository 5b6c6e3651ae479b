// confcast-send --config FILE and --print-config: what --print-config writes reads back to the
// same options, the command line overrides the file, and a bad file is one line naming the
// file, the key and the fix. Help: every option under a heading, with a plain type.
#include <confcast/sender/options.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace confcast::sender {
namespace {

std::expected<SendOptions, ParseFailure> Parse(std::vector<std::string> args) {
  std::vector<const char*> argv = {"confcast-send"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseSendOptions(static_cast<int>(argv.size()), argv.data());
}

class SendConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("confcast-send-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // --print-config of `args`, as a file.
  std::string Printed(std::vector<std::string> args, const std::string& name = "room.toml") {
    args.push_back("--print-config");
    auto printed = Parse(args);
    EXPECT_FALSE(printed.has_value());
    if (printed.has_value()) return "";
    EXPECT_TRUE(printed.error().exit_ok) << printed.error().message;
    return Write(name, printed.error().message);
  }

  std::filesystem::path dir_;
};

TEST_F(SendConfigFile, PrintConfigReadsBackToTheSameOptions) {
  const std::vector<std::vector<std::string>> runs = {
      {},
      {"--group", "239.1.2.3", "--port", "20000", "--iface", "lo", "--ttl", "4", "--video",
       "y4m:-", "--audio", "none", "--size", "640x360", "--fps", "25", "--bitrate", "800",
       "--gop", "50", "--vbv-ms", "120", "--mtu", "1400", "--name", "Room A", "--sdp", "s.sdp",
       "--duration", "2.5", "--stats-json", "-", "--audio-bitrate", "64000"},
      {"--no-loopback", "--no-slice-cap", "--loop", "--intra-refresh", "--verbose", "--fec", "20",
       "--rtx", "off"},
      {"--rtx-budget", "40", "--announce", "--announce-interval", "1.5", "--key-file", "k.key",
       "--sdp-crypto"},
      {"--key-file", "k.key", "--sdp-crypto=with-key", "--fec", "off", "--name", "Room \"A\""}, {"--name", "it's"},
      {"--name", "Ünïcode, [brackets] = and spaces", "--video", "file:/tmp/a b.mkv"},
      {"--ssrc", "0xc0111de5", "--initial-seq", "65000", "--initial-ts", "4294787296"},
  };
  for (const auto& args : runs) {
    const std::string joined = ::testing::PrintToString(args);
    auto direct = Parse(args);
    ASSERT_TRUE(direct.has_value()) << joined << ": " << direct.error().message;
    const std::string file = Printed(args);
    auto from_file = Parse({"--config", file});
    ASSERT_TRUE(from_file.has_value()) << joined << ": " << from_file.error().message;
    EXPECT_EQ(*from_file, *direct) << joined;
    // And printing again from the file gives the same file.
    auto again = Parse({"--config", file, "--print-config"});
    ASSERT_FALSE(again.has_value());
    std::ifstream in(file);
    const std::string first((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(again.error().message, first) << joined;
  }
}

TEST_F(SendConfigFile, TheCommandLineOverridesTheFile) {
  const std::string file = Write("room.toml", "bitrate = 1500\nname = \"Room A\"\nttl = 3\n");
  auto o = Parse({"--config", file, "--bitrate", "900"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->bitrate_kbps, 900);
  EXPECT_EQ(o->name, "Room A");
  EXPECT_EQ(o->ttl, 3);
  EXPECT_EQ(o->fps, 30);  // neither: the default
}

TEST_F(SendConfigFile, PrintConfigMergesTheFileAndTheCommandLine) {
  const std::string file = Write("room.toml", "bitrate = 1500\nname = \"Room A\"\n");
  auto printed = Parse({"--config", file, "--ttl", "4", "--print-config"});
  ASSERT_FALSE(printed.has_value());
  ASSERT_TRUE(printed.error().exit_ok);
  const std::string& text = printed.error().message;
  EXPECT_NE(text.find("\nbitrate = 1500\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nname = \"Room A\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nttl = 4\n"), std::string::npos) << text;
  // What was not given stays commented out, with its default, so it follows the program.
  EXPECT_NE(text.find("\n# fps = 30\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n# announce = false\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("config ="), std::string::npos) << text;
  EXPECT_EQ(text.find("print-config ="), std::string::npos) << text;
}

TEST_F(SendConfigFile, EveryOptionOfTheHelpIsAKeyOfThePrintedFile) {
  auto help = Parse({"--help"});
  ASSERT_FALSE(help.has_value());
  auto printed = Parse({"--print-config"});
  ASSERT_FALSE(printed.has_value());
  const std::regex option(R"(^  (?:-\w,)?--([a-z0-9-]+))");
  std::istringstream lines(help.error().message);
  int keys = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, option)) continue;
    const std::string key = m[1];
    if (key == "help" || key == "version" || key == "config" || key == "print-config" ||
        key == "list-devices") {
      EXPECT_EQ(printed.error().message.find("\n# " + key + " = "), std::string::npos) << key;
      continue;  // actions, not settings
    }
    ++keys;
    EXPECT_NE(printed.error().message.find("\n# " + key + " = "), std::string::npos) << key;
  }
  EXPECT_GE(keys, 25);
}

// A bad file: not run, one line, names the file and what to change.
void ExpectFileError(const std::expected<SendOptions, ParseFailure>& o, const std::string& file,
                     const std::string& must) {
  ASSERT_FALSE(o.has_value());
  EXPECT_FALSE(o.error().exit_ok);
  const std::string& m = o.error().message;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(m.find(file), std::string::npos) << m;
  EXPECT_NE(m.find(must), std::string::npos) << m;
}

TEST_F(SendConfigFile, AMissingFileIsNamed) {
  const std::string missing = (dir_ / "nope.toml").string();
  ExpectFileError(Parse({"--config", missing}), missing, "cannot read that file");
  ExpectFileError(Parse({"--config", dir_.string()}), dir_.string(), "cannot read that file");
}

TEST_F(SendConfigFile, BadKeysAndValuesAreRefusedNotIgnored) {
  struct Bad {
    const char* file;
    const char* text;
    const char* must;
  };
  const Bad bad[] = {
      {"typo.toml", "bitrate = 900\nbitrat = 1500\n",
       "unknown key 'bitrat': confcast-send has no option --bitrat; confcast-send --print-config "
       "lists every key"},
      {"ttl.toml", "ttl = 300\n", "ttl: Value 300 not in range 0 to 255; fix that key in"},
      {"rtx.toml", "rtx = \"maybe\"\n", "rtx: maybe not in {on,off}"},
      {"fps.toml", "fps = \"fast\"\n", "fps: "},
      {"unquoted.toml", "name = Room A\n", "text in double quotes"},
      {"table.toml", "[network]\nttl = 4\n", "the TOML table [network] is not read"},
      {"dotted.toml", "network.ttl = 4\n", "write ttl without the 'network.' prefix"},
      {"help.toml", "help = true\n", "'help' cannot be set in a config file"},
      {"print.toml", "print-config = true\n", "'print-config' cannot be set in a config file"},
  };
  for (const Bad& b : bad) {
    const std::string file = Write(b.file, b.text);
    ExpectFileError(Parse({"--config", file}), file, b.must);
  }
}

TEST_F(SendConfigFile, KeysFromAFileAreShownMadeSafe) {
  const std::string file = Write("esc.toml", "bit\x1b]0;owned\x07rate = 1\n");
  auto o = Parse({"--config", file});
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().message.find('\x1b'), std::string::npos) << o.error().message;
  EXPECT_NE(o.error().message.find("unknown key"), std::string::npos) << o.error().message;
}

TEST_F(SendConfigFile, AHashInAQuotedValueIsRefusedNotCut) {
  // CLI11 2.1 reads '#' as a comment even inside quotes: "Room #3" would become "Room.
  const std::string file = Write("hash.toml", "name = \"Room #3\"\n");
  ExpectFileError(Parse({"--config", file}), file, "line 1: a '#' inside a quoted value");
  auto printed = Parse({"--name", "Room #3", "--print-config"});
  ASSERT_FALSE(printed.has_value());
  EXPECT_FALSE(printed.error().exit_ok);
  EXPECT_NE(printed.error().message.find("--name"), std::string::npos) << printed.error().message;
  // A comment after a value is fine.
  auto o = Parse({"--config", Write("comment.toml", "name = \"Room 3\"  # the big one\n")});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_EQ(o->name, "Room 3");
}

TEST_F(SendConfigFile, TheProgramsOwnChecksApplyToFileValues) {
  const std::string file = Write("port.toml", "port = 15551\n");
  auto o = Parse({"--config", file});
  ASSERT_FALSE(o.has_value());
  EXPECT_NE(o.error().message.find("--port 15551 is odd"), std::string::npos) << o.error().message;
  // rtx-budget without rtx: the file's rtx = "off" and a budget given on the command line.
  const std::string rtx = Write("rtx.toml", "rtx = \"off\"\n");
  EXPECT_FALSE(Parse({"--config", rtx, "--rtx-budget", "30"}).has_value());
  // A file from --print-config with defaults only sets nothing: rtx off works with it.
  const std::string defaults = Printed({}, "defaults.toml");
  auto off = Parse({"--config", defaults, "--rtx", "off"});
  ASSERT_TRUE(off.has_value()) << off.error().message;
  EXPECT_FALSE(off->rtx);
}

TEST_F(SendConfigFile, ACommandLineErrorIsNotBlamedOnTheFile) {
  const std::string file = Write("room.toml", "bitrate = 1500\n");
  auto o = Parse({"--config", file, "--ttl", "300"});
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().message.find(file), std::string::npos) << o.error().message;
  EXPECT_NE(o.error().message.find("(see confcast-send --help)"), std::string::npos);
}

TEST(SendHelp, EveryOptionHasAHeadingAndAPlainType) {
  auto help = Parse({"--help"});
  ASSERT_FALSE(help.has_value());
  ASSERT_TRUE(help.error().exit_ok);
  const std::string& text = help.error().message;
  for (const char* heading : {"\nInput:\n", "\nEncoding:\n", "\nNetwork:\n", "\nRepair:\n",
                              "\nSecurity:\n", "\nOutput and monitoring:\n", "\nGeneral:\n",
                              "\nExamples:\n", "\nExit codes:\n"}) {
    EXPECT_NE(text.find(heading), std::string::npos) << heading;
  }
  EXPECT_EQ(text.find("Other options:"), std::string::npos) << text;
  // CLI11's own type and validator words never show.
  for (const char* word : {"BOOLEAN", "TEXT:", "INT", "FLOAT", "UINT", " in [", "->", "{"}) {
    EXPECT_EQ(text.find(word), std::string::npos) << word << " in\n" << text;
  }
  EXPECT_NE(text.find("  --rtx on|off "), std::string::npos);
  EXPECT_NE(text.find("  --group ADDR "), std::string::npos);
  EXPECT_NE(text.find("  --bitrate KBIT/S "), std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 80u) << line;
}

TEST(SendListDevices, IsAnActionNotASetting) {
  auto o = Parse({"--list-devices"});
  ASSERT_TRUE(o.has_value()) << o.error().message;
  EXPECT_TRUE(o->list_devices);
  EXPECT_FALSE(Parse({})->list_devices);
}

}  // namespace
}  // namespace confcast::sender

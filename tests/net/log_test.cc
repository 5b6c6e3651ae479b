#include <confcast/net/log.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

namespace confcast::net {
namespace {

// Logs into a temporary file through the same logger the programs install.
class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    spdlog::set_default_logger(nullptr);
    if (file_) std::fclose(file_);
  }
  void Init(spdlog::level::level_enum level, bool terminal) {
    file_ = std::tmpfile();
    ASSERT_NE(file_, nullptr);
    InitLogging("confcast-test", level, LogTarget{file_, terminal, false});
  }
  std::string Written() {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, file_)) out.append(buf, n);
    return out;
  }
  std::FILE* file_ = nullptr;
};

TEST_F(LogTest, OneLinePerMessageWithTimeProgramAndLevel) {
  Init(spdlog::level::info, false);
  spdlog::info("multicast {} on {}", "239.0.0.11:15550", "vl0");
  spdlog::warn("no signal");
  spdlog::debug("not at info");
  const std::string out = Written();
  const std::regex line(
      R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} confcast-test: (info|warning): [^\n]*\n)");
  std::string rest = out;
  int lines = 0;
  for (std::smatch m; std::regex_search(rest, m, line, std::regex_constants::match_continuous);
       rest = m.suffix()) {
    ++lines;
  }
  EXPECT_EQ(lines, 2) << out;
  EXPECT_TRUE(rest.empty()) << out;
  EXPECT_NE(out.find("confcast-test: info: multicast 239.0.0.11:15550 on vl0\n"), std::string::npos);
  EXPECT_NE(out.find("confcast-test: warning: no signal\n"), std::string::npos);
  EXPECT_EQ(out.find("not at info"), std::string::npos);
}

TEST_F(LogTest, NoStatusLineWhenNotATerminal) {
  Init(spdlog::level::info, false);
  ShowStatus("30 fps | lost 0");
  spdlog::info("hello");
  EndStatus();
  const std::string out = Written();
  EXPECT_EQ(out.find("30 fps"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
}

TEST_F(LogTest, MessagesClearTheStatusLineAndDrawItAgainBelow) {
  Init(spdlog::level::info, true);
  ShowStatus("30 fps | lost 0");
  ShowStatus("29 fps | lost 1");
  spdlog::warn("no signal");
  EndStatus();
  spdlog::info("after");
  const std::string out = Written();
  const std::string clear = "\r\033[K";
  const std::string want = clear + "30 fps | lost 0" + clear + "29 fps | lost 1" + clear;
  ASSERT_EQ(out.rfind(want, 0), 0u) << out;
  const std::size_t warn = out.find("confcast-test: warning: no signal\n");
  ASSERT_NE(warn, std::string::npos) << out;
  // Drawn again after the message, kept by EndStatus, and later messages start a fresh line.
  EXPECT_NE(out.find("no signal\n29 fps | lost 1\n", warn), std::string::npos) << out;
  const std::size_t after = out.find("confcast-test: info: after\n");
  ASSERT_NE(after, std::string::npos);
  EXPECT_EQ(out.find('\r', after), std::string::npos) << out;
}

TEST(LogOptions, LevelFromTheOptions) {
  auto level = [](std::string name, bool quiet, bool verbose) {
    LogOptions o;
    o.level = std::move(name);
    o.quiet = quiet;
    o.verbose = verbose;
    return o.Level();
  };
  EXPECT_EQ(level("", false, false), spdlog::level::info);
  EXPECT_EQ(level("", true, false), spdlog::level::warn);
  EXPECT_EQ(level("", false, true), spdlog::level::debug);
  EXPECT_EQ(level("trace", true, false), spdlog::level::trace);  // --log-level wins
  EXPECT_EQ(level("error", false, false), spdlog::level::err);
  EXPECT_EQ(level("off", false, false), spdlog::level::off);
  LogOptions quiet;
  EXPECT_TRUE(quiet.status_line());
  quiet.quiet = true;
  EXPECT_FALSE(quiet.status_line());
}

// Parses a command line with the three options added; returns CLI11's error text, if any.
std::string Parse(std::vector<const char*> args, LogOptions* o) {
  CLI::App app{"test", "confcast-test"};
  AddLogOptions(app, o, "more");
  args.insert(args.begin(), "confcast-test");
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(LogOptions, ParsedFromTheCommandLine) {
  LogOptions o;
  EXPECT_EQ(Parse({"--log-level", "debug"}, &o), "");
  EXPECT_EQ(o.Level(), spdlog::level::debug);
  o = {};
  EXPECT_EQ(Parse({"-q"}, &o), "");
  EXPECT_EQ(o.Level(), spdlog::level::warn);
  o = {};
  EXPECT_EQ(Parse({"--verbose"}, &o), "");
  EXPECT_EQ(o.Level(), spdlog::level::debug);
}

TEST(LogOptions, BadLevelAndQuietWithVerboseAreOneLineErrors) {
  LogOptions o;
  const std::string bad = Parse({"--log-level", "bogus"}, &o);
  EXPECT_NE(bad.find("--log-level"), std::string::npos) << bad;
  EXPECT_NE(bad.find("'bogus' is not a level; use trace, debug, info, warn, error or off"),
            std::string::npos)
      << bad;
  EXPECT_EQ(bad.find('\n'), std::string::npos);
  const std::string both = Parse({"-q", "-v"}, &o);
  EXPECT_NE(both.find("excludes"), std::string::npos) << both;
}

}  // namespace
}  // namespace confcast::net

// The shared command line on a made-up program: headings in the Manual's order, an option no
// heading names still shown, a heading that names no option caught, plain types, wrapping.
#include <confcast/cli/command_line.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <vector>

#include "manual_format.h"

namespace confcast::cli {
namespace {

struct Values {
  int ttl = 1;
  std::string mode = "on";
  bool loud = false;
  std::string later;
};

Manual TestManual() {
  return {.groups = {{"Second", {"--mode"}}, {"First", {"--ttl", "--loud"}}},
          .examples = {{"demo --ttl 3", "three hops"}},
          .exit_codes = {{0, "fine"}, {2, "usage error"}}};
}

std::string HelpOf(std::function<void(CLI::App&)> define, Manual manual,
                   ConfigFile config = ConfigFile::kNone) {
  CommandLine cl("demo", "a test program", std::move(define), std::move(manual), config);
  const char* argv[] = {"demo", "--help"};
  auto r = cl.Parse(2, argv);
  EXPECT_FALSE(r.has_value());
  if (r.has_value()) return "";
  EXPECT_TRUE(r.error().exit_ok);
  return r.error().message;
}

void DefineValues(CLI::App& app, Values& v) {
  app.add_option("--ttl", v.ttl, "hops, 0-255")->type_name("N")->check(CLI::Range(0, 255))->capture_default_str();
  app.add_option("--mode", v.mode, "switch it")->type_name("on|off")->check(CLI::IsMember({"on", "off"}))->capture_default_str();
  app.add_flag("--loud", v.loud, "say more");
}

TEST(CliHelp, HeadingsInTheManualsOrderThenGeneralExamplesAndExitCodes) {
  Values v;
  const std::string help = HelpOf([&v](CLI::App& app) { DefineValues(app, v); }, TestManual());
  const auto second = help.find("\nSecond:\n  --mode on|off ");
  const auto first = help.find("\nFirst:\n  --ttl N ");
  const auto general = help.find("\nGeneral:\n  -h,--help ");
  const auto examples = help.find("\nExamples:\n  demo --ttl 3\n      three hops\n");
  const auto codes = help.find("\nExit codes:\n  0     fine\n  2     usage error\n");
  ASSERT_NE(second, std::string::npos) << help;
  ASSERT_NE(first, std::string::npos) << help;
  ASSERT_NE(general, std::string::npos) << help;
  ASSERT_NE(examples, std::string::npos) << help;
  ASSERT_NE(codes, std::string::npos) << help;
  EXPECT_LT(second, first);
  EXPECT_LT(first, general);
  EXPECT_LT(general, examples);
  EXPECT_LT(examples, codes);
  EXPECT_NE(help.find("hops, 0-255 (default: 1)"), std::string::npos) << help;
  EXPECT_EQ(help.find("INT"), std::string::npos) << help;       // CLI11's type word
  EXPECT_EQ(help.find(" in ["), std::string::npos) << help;     // CLI11's Range text
  EXPECT_EQ(help.find("--config"), std::string::npos) << help;  // ConfigFile::kNone
  EXPECT_EQ(help.find("Other options"), std::string::npos) << help;
}

TEST(CliHelp, AnOptionNoHeadingNamesIsStillShown) {
  Values v;
  const std::string help = HelpOf(
      [&v](CLI::App& app) {
        DefineValues(app, v);
        app.add_option("--later", v.later, "added after the manual was written")->type_name("TEXT");
      },
      TestManual());
  EXPECT_NE(help.find("\nOther options:\n  --later TEXT "), std::string::npos) << help;
}

TEST(CliHelp, AHeadingNamingNoOptionIsAProgrammingError) {
  Values v;
  Manual m = TestManual();
  m.groups[0].options.push_back("--renamed");
  CommandLine cl("demo", "a test program", [&v](CLI::App& app) { DefineValues(app, v); }, m);
  const char* argv[] = {"demo"};
  EXPECT_THROW((void)cl.Parse(1, argv), std::logic_error);
}

TEST(CliHelp, LinesFitEightyColumnsAndLongNamesPutTheTextBelow) {
  Values v;
  const std::string help = HelpOf(
      [&v](CLI::App& app) {
        DefineValues(app, v);
        app.add_option("--a-rather-long-option-name", v.later,
                       "a description long enough to need more than one line of the fifty "
                       "columns a description gets, twice over, to be sure it wraps")
            ->type_name("SECONDS");
      },
      TestManual(), ConfigFile::kRead);
  std::istringstream lines(help);
  bool below = false;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), kHelpWidth) << line;
    if (line == "  --a-rather-long-option-name SECONDS") below = true;
  }
  EXPECT_TRUE(below) << help;
  EXPECT_NE(help.find("\n" + std::string(kHelpColumn, ' ') + "a description long"), std::string::npos)
      << help;
}

TEST(CliWrap, WordsUpToTheWidthAndALongWordAlone) {
  EXPECT_EQ(Wrap("one two three", 7), (std::vector<std::string>{"one two", "three"}));
  EXPECT_EQ(Wrap("a verylongword b", 4), (std::vector<std::string>{"a", "verylongword", "b"}));
  EXPECT_TRUE(Wrap("  ", 10).empty());
}

TEST(CliFinish, HelpToStdoutWithZeroErrorsWithTwo) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(Finish(Failure{"text\n", true}), 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "text\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(Finish(Failure{"--x: bad"}), 2);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "--x: bad\n");
}

}  // namespace
}  // namespace confcast::cli

// --rtx on|off (default on).
#include <confcast/sender/options.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::sender {
namespace {

std::expected<SendOptions, ParseFailure> ParseArgs(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"confcast-send"};
  argv.insert(argv.end(), args);
  return ParseSendOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(SendRtxOption, OnByDefaultAndSwitchable) {
  EXPECT_TRUE(ParseArgs({})->rtx);
  EXPECT_FALSE(ParseArgs({"--rtx", "off"})->rtx);
  EXPECT_TRUE(ParseArgs({"--rtx", "on"})->rtx);
  EXPECT_FALSE(ParseArgs({"--rtx", "maybe"}).has_value());
}

}  // namespace
}  // namespace confcast::sender

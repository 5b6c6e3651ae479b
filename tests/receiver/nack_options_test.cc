// --nack on|off (default on).
#include <confcast/receiver/options.h>
#include <gtest/gtest.h>

#include <vector>

namespace confcast::receiver {
namespace {

std::expected<RecvOptions, ParseFailure> ParseArgs(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"confcast-recv"};
  argv.insert(argv.end(), args);
  return ParseRecvOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(RecvNackOption, OnByDefaultAndSwitchable) {
  EXPECT_TRUE(ParseArgs({})->nack);
  EXPECT_FALSE(ParseArgs({"--nack", "off"})->nack);
  EXPECT_TRUE(ParseArgs({"--nack", "on"})->nack);
  EXPECT_FALSE(ParseArgs({"--nack", "yes please"}).has_value());
}

}  // namespace
}  // namespace confcast::receiver

// --key-file and --sdp-crypto of confcast-send.
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

}  // namespace
}  // namespace confcast::sender

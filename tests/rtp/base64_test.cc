#include "confcast/rtp/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace confcast::rtp {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

struct Vector {
  const char* plain;
  const char* encoded;
};

class Base64Rfc4648 : public ::testing::TestWithParam<Vector> {};

// RFC 4648 section 10 test vectors.
INSTANTIATE_TEST_SUITE_P(Section10, Base64Rfc4648,
                         ::testing::Values(Vector{"", ""}, Vector{"f", "Zg=="},
                                           Vector{"fo", "Zm8="}, Vector{"foo", "Zm9v"},
                                           Vector{"foob", "Zm9vYg=="}, Vector{"fooba", "Zm9vYmE="},
                                           Vector{"foobar", "Zm9vYmFy"}));

TEST_P(Base64Rfc4648, Encodes) {
  EXPECT_EQ(Base64Encode(Bytes(GetParam().plain)), GetParam().encoded);
}

TEST_P(Base64Rfc4648, Decodes) {
  auto decoded = Base64Decode(GetParam().encoded);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, Bytes(GetParam().plain));
}

TEST(Base64, RoundTripsAllByteValues) {
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::vector<std::uint8_t> part(all.begin(), all.begin() + static_cast<long>(n));
    const std::string text = Base64Encode(part);
    EXPECT_EQ(
        text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
        std::string::npos);
    EXPECT_EQ(Base64Decode(text), part);
  }
  EXPECT_EQ(Base64Encode(std::vector<std::uint8_t>{0xfb, 0xff}), "+/8=");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_EQ(Base64Decode("Zg="), std::unexpected(Base64Error::kBadLength));
  EXPECT_EQ(Base64Decode("Zg"), std::unexpected(Base64Error::kBadLength));
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::unexpected(Base64Error::kBadLength));
  EXPECT_EQ(Base64Decode("Zm 9"), std::unexpected(Base64Error::kBadCharacter));
  EXPECT_EQ(Base64Decode("Zm9-"), std::unexpected(Base64Error::kBadCharacter));  // base64url
  EXPECT_EQ(Base64Decode("===="), std::unexpected(Base64Error::kBadPadding));
  EXPECT_EQ(Base64Decode("Z==="), std::unexpected(Base64Error::kBadPadding));
  EXPECT_EQ(Base64Decode("Zg==Zm9v"), std::unexpected(Base64Error::kBadPadding));
  EXPECT_EQ(Base64Decode("Zm=v"), std::unexpected(Base64Error::kBadPadding));
  EXPECT_EQ(Base64Decode("Zh=="), std::unexpected(Base64Error::kNonZeroTrailingBits));
  EXPECT_EQ(Base64Decode("Zm9="), std::unexpected(Base64Error::kNonZeroTrailingBits));
}

}  // namespace
}  // namespace confcast::rtp

// Key files: the format (each malformed input with its own error), permissions, writing.
#include <confcast/net/srtp_key.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace confcast::net {
namespace {

// 30 bytes 0x00..0x1d, base64.
constexpr const char* kCmKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";

SrtpKey CmKey() {
  SrtpKey k{SrtpSuite::kAesCm128HmacSha1_80, {}};
  for (int i = 0; i < 30; ++i) k.master.push_back(std::uint8_t(i));
  return k;
}

KeyFileErrorCode ParseError(const std::string& text) {
  auto k = ParseKeyFile(text, "test.key");
  EXPECT_FALSE(k.has_value()) << text;
  return k ? KeyFileErrorCode::kBadFormat : k.error().code;
}

TEST(KeyFile, ParsesTheDocumentedFormat) {
  auto k = ParseKeyFile(
      std::string("# a comment\n\nconfcast-key v1 AES_CM_128_HMAC_SHA1_80 ") + kCmKey + "\r\n",
      "test.key");
  ASSERT_TRUE(k.has_value()) << k.error().message;
  EXPECT_EQ(*k, CmKey());
}

TEST(KeyFile, FormatParseRoundTripForEverySuite) {
  for (SrtpSuite s :
       {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm}) {
    if (!SrtpSuiteAvailable(s)) continue;
    auto key = GenerateKey(s);
    ASSERT_TRUE(key.has_value());
    auto back = ParseKeyFile(FormatKeyFile(*key), "x");
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, *key);
  }
}

TEST(KeyFile, EachMalformedInputHasItsOwnError) {
  const std::string cm = std::string(" ") + kCmKey;
  EXPECT_EQ(ParseError(""), KeyFileErrorCode::kBadFormat);
  EXPECT_EQ(ParseError("# only a comment\n"), KeyFileErrorCode::kBadFormat);
  EXPECT_EQ(ParseError(std::string(kCmKey) + "\n"), KeyFileErrorCode::kBadFormat);
  EXPECT_EQ(ParseError("confcast-key v1 AES_CM_128_HMAC_SHA1_80\n"), KeyFileErrorCode::kBadFormat);
  EXPECT_EQ(ParseError("confcast-key v1 AES_CM_128_HMAC_SHA1_80" + cm + " extra\n"),
            KeyFileErrorCode::kBadFormat);
  EXPECT_EQ(ParseError("confcast-key v1 AES_CM_128_HMAC_SHA1_80" + cm +
                       "\nconfcast-key v1 AES_CM_128_HMAC_SHA1_80" + cm + "\n"),
            KeyFileErrorCode::kBadFormat);
  EXPECT_EQ(ParseError("confcast-key v2 AES_CM_128_HMAC_SHA1_80" + cm),
            KeyFileErrorCode::kBadVersion);
  EXPECT_EQ(ParseError("confcast-key v1 AES_CM_128_HMAC_SHA1_32" + cm),
            KeyFileErrorCode::kBadSuite);
  EXPECT_EQ(ParseError("confcast-key v1 aes-cm" + cm), KeyFileErrorCode::kBadSuite);
  EXPECT_EQ(ParseError("confcast-key v1 AES_CM_128_HMAC_SHA1_80 AAEC*wQF"),
            KeyFileErrorCode::kBadBase64);
  // 28 bytes for a 30-byte suite, and the 30-byte key under a 28-byte suite.
  EXPECT_EQ(ParseError(
                "confcast-key v1 AES_CM_128_HMAC_SHA1_80 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw=="),
            KeyFileErrorCode::kBadLength);
  EXPECT_EQ(ParseError("confcast-key v1 AEAD_AES_128_GCM" + cm), KeyFileErrorCode::kBadLength);
  EXPECT_EQ(ParseError(std::string(kMaxKeyFileBytes + 1, '#')), KeyFileErrorCode::kTooLarge);
}

class KeyFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/confcast-keytest.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/group.key";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void WriteWithMode(const std::string& text, mode_t mode) {
    std::ofstream(path_) << text;
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
  }
  std::string dir_, path_;
};

TEST_F(KeyFileOnDisk, ReadsAPrivateFile) {
  WriteWithMode(FormatKeyFile(CmKey()), 0600);
  auto k = ReadKeyFile(path_);
  ASSERT_TRUE(k.has_value()) << k.error().message;
  EXPECT_EQ(*k, CmKey());
  WriteWithMode(FormatKeyFile(CmKey()), 0400);
  EXPECT_TRUE(ReadKeyFile(path_).has_value());
}

TEST_F(KeyFileOnDisk, RefusesFilesOthersCanUseSayingChmod600) {
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602, 0660, 0666}) {
    WriteWithMode(FormatKeyFile(CmKey()), mode);
    auto k = ReadKeyFile(path_);
    ASSERT_FALSE(k.has_value()) << std::oct << mode;
    EXPECT_EQ(k.error().code, KeyFileErrorCode::kInsecure);
    EXPECT_NE(k.error().message.find("chmod 600 " + path_), std::string::npos) << k.error().message;
  }
}

TEST_F(KeyFileOnDisk, MissingFileOrDirectoryIsUnreadable) {
  auto missing = ReadKeyFile(path_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, KeyFileErrorCode::kUnreadable);
  EXPECT_NE(missing.error().message.find("confcast-keygen"), std::string::npos);
  auto dir = ReadKeyFile(dir_);
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().code, KeyFileErrorCode::kUnreadable);
}

TEST_F(KeyFileOnDisk, WriteCreatesMode0600AndRefusesToOverwriteWithoutForce) {
  auto first = GenerateKey(SrtpSuite::kAesCm128HmacSha1_80);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(WriteKeyFile(path_, *first, false).has_value());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadKeyFile(path_), *first);

  auto second = GenerateKey(SrtpSuite::kAesCm128HmacSha1_80);
  ASSERT_NE(*second, *first);  // 240 random bits
  auto refused = WriteKeyFile(path_, *second, false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, KeyFileErrorCode::kExists);
  EXPECT_EQ(*ReadKeyFile(path_), *first);

  ASSERT_TRUE(WriteKeyFile(path_, *second, true).has_value());
  EXPECT_EQ(*ReadKeyFile(path_), *second);
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(KeyFileOnDisk, NeverWritesThroughASymlink) {
  const std::string victim = dir_ + "/victim";
  std::ofstream(victim) << "precious\n";
  ASSERT_EQ(symlink(victim.c_str(), path_.c_str()), 0);
  auto key = GenerateKey(SrtpSuite::kAesCm128HmacSha1_80);
  EXPECT_FALSE(WriteKeyFile(path_, *key, false).has_value());
  EXPECT_FALSE(WriteKeyFile(path_, *key, true).has_value());
  std::ifstream in(victim);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "precious");
}

}  // namespace
}  // namespace confcast::net

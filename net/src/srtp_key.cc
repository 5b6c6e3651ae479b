// Key files (format in srtp_key.h). Permissions are checked with fstat on the descriptor that
// is then read, so a file swapped between the check and the read cannot slip through.
#include "confcast/net/srtp_key.h"

#include <confcast/rtp/base64.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace confcast::net {
namespace {

constexpr std::string_view kMagic = "confcast-key";
constexpr std::string_view kVersion = "v1";

std::unexpected<KeyFileError> Err(KeyFileErrorCode code, std::string message) {
  return std::unexpected(KeyFileError{code, std::move(message)});
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string FormatKeyFile(const SrtpKey& key) {
  return fmt::format(
      "# confcast SRTP group key (RFC 3711 master key + salt). Keep it secret: chmod 600.\n"
      "{} {} {} {}\n",
      kMagic, kVersion, SrtpSuiteName(key.suite), rtp::Base64Encode(key.master));
}

std::expected<SrtpKey, KeyFileError> ParseKeyFile(std::string_view text, std::string_view origin) {
  if (text.size() > kMaxKeyFileBytes) {
    return Err(KeyFileErrorCode::kTooLarge,
               fmt::format("key file {} is larger than {} bytes: not a confcast key file", origin,
                           kMaxKeyFileBytes));
  }
  std::optional<SrtpKey> key;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto words = Words(line);
    if (words.empty() || words[0].starts_with('#')) continue;
    const std::string where = fmt::format("key file {} line {}", origin, line_no);
    if (words[0] != kMagic) {
      return Err(KeyFileErrorCode::kBadFormat,
                 fmt::format("{}: expected 'confcast-key v1 <suite> <base64 key>'; make one "
                             "with confcast-keygen",
                             where));
    }
    if (key) {
      return Err(KeyFileErrorCode::kBadFormat,
                 fmt::format("{}: a second key; a key file holds exactly one", where));
    }
    if (words.size() != 4) {
      return Err(KeyFileErrorCode::kBadFormat,
                 fmt::format("{}: expected 4 words 'confcast-key v1 <suite> <base64 key>', got {}",
                             where, words.size()));
    }
    if (words[1] != kVersion) {
      return Err(KeyFileErrorCode::kBadVersion,
                 fmt::format("{}: version '{}' is not supported; this confcast reads v1", where,
                             words[1]));
    }
    // Only the SDP names here: a key file says exactly what it is.
    auto suite = ParseSrtpSuite(words[2]);
    if (!suite || words[2] != SrtpSuiteName(*suite)) {
      return Err(KeyFileErrorCode::kBadSuite,
                 fmt::format("{}: unknown suite '{}'; use AES_CM_128_HMAC_SHA1_80, "
                             "AEAD_AES_128_GCM or AEAD_AES_256_GCM",
                             where, words[2]));
    }
    auto master = rtp::Base64Decode(words[3]);
    if (!master) {
      return Err(KeyFileErrorCode::kBadBase64,
                 fmt::format("{}: the key is not valid base64 (RFC 4648, with padding)", where));
    }
    if (master->size() != SrtpMasterLength(*suite)) {
      return Err(KeyFileErrorCode::kBadLength,
                 fmt::format("{}: {} needs {} bytes of key and salt, the file has {}", where,
                             SrtpSuiteName(*suite), SrtpMasterLength(*suite), master->size()));
    }
    key = SrtpKey{*suite, std::move(*master)};
  }
  if (!key) {
    return Err(KeyFileErrorCode::kBadFormat,
               fmt::format("key file {} has no 'confcast-key v1 ...' line; make one with "
                           "confcast-keygen -o {}",
                           origin, origin));
  }
  if (!SrtpSuiteAvailable(key->suite)) {
    return Err(KeyFileErrorCode::kBadSuite,
               fmt::format("key file {}: {} is not available in this libsrtp2 build (no crypto "
                           "library); use confcast-keygen --suite aes-cm",
                           origin, SrtpSuiteName(key->suite)));
  }
  return *key;
}

std::expected<SrtpKey, KeyFileError> ReadKeyFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    return Err(
        KeyFileErrorCode::kUnreadable,
        fmt::format("--key-file {}: cannot open it ({}); make one with confcast-keygen -o {}", path,
                    std::strerror(errno), path));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Err(KeyFileErrorCode::kUnreadable,
               fmt::format("--key-file {}: not a regular file", path));
  }
  if ((st.st_mode & 077) != 0) {
    return Err(KeyFileErrorCode::kInsecure,
               fmt::format("--key-file {}: permissions {:04o} are too open (group or others can "
                           "use it); run: chmod 600 {}",
                           path, st.st_mode & 07777, path));
  }
  if (st.st_uid != geteuid() && st.st_uid != 0) {
    return Err(KeyFileErrorCode::kInsecure,
               fmt::format("--key-file {}: owned by uid {}, not by you (uid {}) or root; copy it "
                           "into a file of your own and chmod 600 it",
                           path, st.st_uid, geteuid()));
  }
  if (st.st_size > static_cast<off_t>(kMaxKeyFileBytes)) {
    return Err(KeyFileErrorCode::kTooLarge,
               fmt::format("--key-file {}: {} bytes is too large for a confcast key file", path,
                           st.st_size));
  }
  std::string text(kMaxKeyFileBytes + 1, '\0');
  std::size_t have = 0;
  while (have < text.size()) {
    const ssize_t n = read(fd.get(), text.data() + have, text.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Err(KeyFileErrorCode::kUnreadable,
                 fmt::format("--key-file {}: read failed ({})", path, std::strerror(errno)));
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  text.resize(have);
  auto key = ParseKeyFile(text, path);
  std::fill(text.begin(), text.end(), '\0');
  return key;
}

std::expected<void, KeyFileError> WriteKeyFile(const std::string& path, const SrtpKey& key,
                                               bool force) {
  struct stat st {};
  const bool exists = lstat(path.c_str(), &st) == 0;
  if (exists && !force) {
    return Err(KeyFileErrorCode::kExists,
               fmt::format("{} exists; pass --force to replace it (every member of the group "
                           "then needs the new key)",
                           path));
  }
  if (exists && S_ISLNK(st.st_mode)) {
    return Err(KeyFileErrorCode::kWriteFailed,
               fmt::format("{} is a symbolic link; write the key to the real path", path));
  }
  // O_EXCL on a fresh name: no symlink or existing file is ever followed or truncated.
  const std::string target = exists ? path + ".tmp-confcast-keygen" : path;
  if (exists) unlink(target.c_str());
  Fd fd(open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return Err(KeyFileErrorCode::kWriteFailed,
               fmt::format("cannot create {} ({}); give a writable path with -o", target,
                           std::strerror(errno)));
  }
  std::string text = FormatKeyFile(key);
  const bool ok = fchmod(fd.get(), 0600) == 0 &&
                  write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  fsync(fd.get()) == 0;
  std::fill(text.begin(), text.end(), '\0');
  if (!ok || (exists && rename(target.c_str(), path.c_str()) != 0)) {
    const int e = errno;
    unlink(target.c_str());
    return Err(KeyFileErrorCode::kWriteFailed,
               fmt::format("writing {} failed ({})", path, std::strerror(e)));
  }
  return {};
}

std::expected<SrtpKey, KeyFileError> GenerateKey(SrtpSuite suite) {
  SrtpKey key{suite, std::vector<std::uint8_t>(SrtpMasterLength(suite))};
  std::size_t have = 0;
  while (have < key.master.size()) {
    const ssize_t n = getrandom(key.master.data() + have, key.master.size() - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Err(KeyFileErrorCode::kNoRandomness,
                 fmt::format("getrandom failed ({}); no key written", std::strerror(errno)));
    }
    have += static_cast<std::size_t>(n);
  }
  return key;
}

}  // namespace confcast::net

// confcast key files: one pre-shared SRTP master key (and salt) for a multicast group.
//
// Format (text, UTF-8/ASCII; '#' starts a comment line; blank lines are ignored):
//
//   # confcast SRTP group key. Keep it secret: chmod 600.
//   confcast-key v1 AES_CM_128_HMAC_SHA1_80 <base64 of the master key followed by the salt>
//
// exactly one key line; the suite is AES_CM_128_HMAC_SHA1_80 (30 bytes), AEAD_AES_128_GCM
// (28 bytes) or AEAD_AES_256_GCM (44 bytes); base64 is RFC 4648 with padding. Every sender and
// receiver of the group reads the same file, so they agree on the suite as well as the key.
//
// A key file must be a regular file, owned by the user (or root), with no permission bits for
// group or others (like ssh's private keys): anything else is refused with one line that says
// `chmod 600 PATH`.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "confcast/net/srtp.h"

namespace confcast::net {

enum class KeyFileErrorCode : std::uint8_t {
  kUnreadable,    // cannot open or read it (missing, permission denied, not a regular file)
  kInsecure,      // readable or writable by group/others, or owned by another user
  kTooLarge,      // more than kMaxKeyFileBytes: not a key file
  kBadFormat,     // no "confcast-key" line, more than one, or extra words
  kBadVersion,    // a version other than v1
  kBadSuite,      // an unknown suite name, or one this libsrtp2 cannot run
  kBadBase64,     // the key is not strict base64
  kBadLength,     // the key has the wrong length for its suite
  kExists,        // write: the file exists and overwriting was not asked for
  kWriteFailed,   // write: open/write/rename failed
  kNoRandomness,  // getrandom(2) failed
};

struct KeyFileError {
  KeyFileErrorCode code = KeyFileErrorCode::kBadFormat;
  std::string message;  // one line naming the file, the problem and the fix
};

inline constexpr std::size_t kMaxKeyFileBytes = 4096;

// The text of a key file for `key`.
std::string FormatKeyFile(const SrtpKey& key);
// Parses a key file's text; `origin` names it in messages.
std::expected<SrtpKey, KeyFileError> ParseKeyFile(std::string_view text, std::string_view origin);
// Opens `path`, checks its owner and permissions on the open descriptor, reads and parses it.
std::expected<SrtpKey, KeyFileError> ReadKeyFile(const std::string& path);
// Writes `key` to `path` with mode 0600 (through a temporary file and rename when `force` lets
// it replace an existing file; never through a symlink).
std::expected<void, KeyFileError> WriteKeyFile(const std::string& path, const SrtpKey& key,
                                               bool force);
// A fresh key from getrandom(2).
std::expected<SrtpKey, KeyFileError> GenerateKey(SrtpSuite suite);

}  // namespace confcast::net

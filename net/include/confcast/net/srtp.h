// SRTP and SRTCP (RFC 3711) with one pre-shared group key, through libsrtp2.
//
// Every member of a multicast group shares one master key; RFC 3711 section 9.1 allows this
// as long as no two streams use the same SSRC, because the SSRC is part of every keystream's
// IV (AES-CM: RFC 3711 4.1.1; AES-GCM: RFC 7714 8.1). Each sender and receiver draws a random
// SSRC, and repair streams (RTX, FEC) have SSRCs of their own, so keystreams never repeat.
//
// An outbound session protects with libsrtp's ssrc_any_outbound template (a stream per SSRC
// created on first use); an inbound session unprotects with ssrc_any_inbound, so packets of
// every sender and every repair stream are accepted once they authenticate. libsrtp creates
// an inbound stream only after a packet authenticates, so forged SSRCs cost no memory.
// Replay protection: a 128-packet window per SSRC (libsrtp's default; RFC 3711 3.3.2), and the
// SRTCP index for RTCP. RTX repairs carry their own SSRC and sequence numbers (RFC 4588), so
// they pass the window as new packets, while a replayed original or repair is refused.
//
// Packets are protected and unprotected in place. A protect buffer needs kSrtpTailroom bytes
// free after the packet for the authentication tag (and the SRTCP index).
//
// Thread safety: each session has a mutex, so the media threads and the event loop may share
// one (libsrtp itself is not thread-safe: it inserts streams on first use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace confcast::net {

// libsrtp's SRTP_MAX_TRAILER_LEN (tag + MKI) plus the 4-byte SRTCP index; srtp.cc checks it.
inline constexpr std::size_t kSrtpTailroom = 16 + 128 + 4;

// Crypto suites, by their SDP names (RFC 4568 6.2.1 for AES-CM, RFC 7714 14.2 for GCM).
enum class SrtpSuite : std::uint8_t {
  kAesCm128HmacSha1_80,  // AES_CM_128_HMAC_SHA1_80: 16-byte key + 14-byte salt, 10-byte tag
  kAeadAes128Gcm,        // AEAD_AES_128_GCM: 16-byte key + 12-byte salt, 16-byte tag
  kAeadAes256Gcm,        // AEAD_AES_256_GCM: 32-byte key + 12-byte salt, 16-byte tag
};

std::string_view SrtpSuiteName(SrtpSuite suite);
// Accepts the SDP names and the short command-line names "aes-cm", "gcm" (128) and "gcm256".
std::optional<SrtpSuite> ParseSrtpSuite(std::string_view name);
// Master key plus master salt, the bytes a key file and a=crypto inline: carry.
std::size_t SrtpMasterLength(SrtpSuite suite);
// False when this libsrtp2 cannot run the suite (GCM needs libsrtp2 built with a crypto
// library); checked by creating a session, once per suite.
bool SrtpSuiteAvailable(SrtpSuite suite);

struct SrtpKey {
  SrtpSuite suite = SrtpSuite::kAesCm128HmacSha1_80;
  std::vector<std::uint8_t> master;  // key then salt, SrtpMasterLength(suite) bytes
  friend bool operator==(const SrtpKey&, const SrtpKey&) = default;
};

enum class SrtpErrorCode : std::uint8_t {
  kAuthFail,     // the tag does not match: another key, a tampered packet, or plain RTP
  kReplayFail,   // an index already received (a duplicate or a replay)
  kReplayOld,    // an index older than the replay window
  kMalformed,    // too short or not RTP/RTCP as libsrtp reads it
  kNoRoom,       // protect: fewer than kSrtpTailroom bytes after the packet
  kUnsupported,  // the suite is not available in this libsrtp2 build
  kBadKey,       // wrong key length for the suite
  kOther,        // any other libsrtp status (the message names it)
};
// "auth_fail", "replay_fail", "replay_old", "malformed", ... (the --stats-json keys).
std::string_view ToString(SrtpErrorCode code);

struct SrtpError {
  SrtpErrorCode code = SrtpErrorCode::kOther;
  std::string message;  // one line
};

enum class SrtpDirection : std::uint8_t { kOutbound, kInbound };

class SrtpSession {
 public:
  static std::expected<SrtpSession, SrtpError> Create(const SrtpKey& key, SrtpDirection direction);
  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;
  ~SrtpSession();

  // `buffer` holds the packet in its first `length` bytes; protect needs kSrtpTailroom more.
  // Returns the new length. On failure the buffer's contents are unspecified.
  std::expected<std::size_t, SrtpErrorCode> ProtectRtp(std::span<std::uint8_t> buffer,
                                                       std::size_t length);
  std::expected<std::size_t, SrtpErrorCode> ProtectRtcp(std::span<std::uint8_t> buffer,
                                                        std::size_t length);
  std::expected<std::size_t, SrtpErrorCode> UnprotectRtp(std::span<std::uint8_t> buffer,
                                                         std::size_t length);
  std::expected<std::size_t, SrtpErrorCode> UnprotectRtcp(std::span<std::uint8_t> buffer,
                                                          std::size_t length);
  // The rollover counter to assume for the next RTP packet of `ssrc` (RFC 3711 3.3.1), for a
  // receiver that joins after the sender's sequence number wrapped. The stream must exist
  // (an SRTCP packet of that SSRC authenticated); false otherwise. 0 clears a pending value.
  bool SetRolloverCounter(std::uint32_t ssrc, std::uint32_t roc);
  std::optional<std::uint32_t> RolloverCounter(std::uint32_t ssrc) const;
  SrtpSuite suite() const;

 private:
  struct Impl;
  explicit SrtpSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace confcast::net

// libsrtp2 behind confcast::net::SrtpSession (see srtp.h for the keying model).
#include "confcast/net/srtp.h"

#include <fmt/format.h>
#include <srtp2/srtp.h>

#include <array>
#include <atomic>
#include <climits>
#include <cstring>
#include <mutex>

namespace confcast::net {

static_assert(kSrtpTailroom == SRTP_MAX_TRAILER_LEN + sizeof(std::uint32_t),
              "kSrtpTailroom must cover libsrtp's trailer and the SRTCP index");

namespace {

// srtp_init registers the crypto kernel once per process; every session needs it.
srtp_err_status_t InitOnce() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  return status;
}

SrtpErrorCode FromStatus(srtp_err_status_t s) {
  switch (s) {
    case srtp_err_status_auth_fail:
      return SrtpErrorCode::kAuthFail;
    case srtp_err_status_replay_fail:
      return SrtpErrorCode::kReplayFail;
    case srtp_err_status_replay_old:
      return SrtpErrorCode::kReplayOld;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
    case srtp_err_status_cant_check:
      return SrtpErrorCode::kMalformed;
    default:
      return SrtpErrorCode::kOther;
  }
}

void SetPolicy(SrtpSuite suite, srtp_crypto_policy_t& rtp, srtp_crypto_policy_t& rtcp) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&rtcp);
      return;
    case SrtpSuite::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp);
      return;
    case SrtpSuite::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtcp);
      return;
  }
}

}  // namespace

std::string_view SrtpSuiteName(SrtpSuite suite) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case SrtpSuite::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
    case SrtpSuite::kAeadAes256Gcm:
      return "AEAD_AES_256_GCM";
  }
  return "?";
}

std::optional<SrtpSuite> ParseSrtpSuite(std::string_view name) {
  for (SrtpSuite s :
       {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAeadAes128Gcm, SrtpSuite::kAeadAes256Gcm}) {
    if (name == SrtpSuiteName(s)) return s;
  }
  if (name == "aes-cm") return SrtpSuite::kAesCm128HmacSha1_80;
  if (name == "gcm") return SrtpSuite::kAeadAes128Gcm;
  if (name == "gcm256") return SrtpSuite::kAeadAes256Gcm;
  return std::nullopt;
}

std::size_t SrtpMasterLength(SrtpSuite suite) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      return SRTP_AES_ICM_128_KEY_LEN_WSALT;
    case SrtpSuite::kAeadAes128Gcm:
      return SRTP_AES_GCM_128_KEY_LEN_WSALT;
    case SrtpSuite::kAeadAes256Gcm:
      return SRTP_AES_GCM_256_KEY_LEN_WSALT;
  }
  return 0;
}

bool SrtpSuiteAvailable(SrtpSuite suite) {
  static std::array<std::once_flag, 3> once;
  static std::array<bool, 3> available{};
  const auto i = static_cast<std::size_t>(suite);
  if (i >= once.size()) return false;
  std::call_once(once[i], [&] {
    SrtpKey key{suite, std::vector<std::uint8_t>(SrtpMasterLength(suite), 0x5a)};
    available[i] = SrtpSession::Create(key, SrtpDirection::kOutbound).has_value();
  });
  return available[i];
}

std::string_view ToString(SrtpErrorCode code) {
  switch (code) {
    case SrtpErrorCode::kAuthFail:
      return "auth_fail";
    case SrtpErrorCode::kReplayFail:
      return "replay_fail";
    case SrtpErrorCode::kReplayOld:
      return "replay_old";
    case SrtpErrorCode::kMalformed:
      return "malformed";
    case SrtpErrorCode::kNoRoom:
      return "no_room";
    case SrtpErrorCode::kUnsupported:
      return "unsupported";
    case SrtpErrorCode::kBadKey:
      return "bad_key";
    case SrtpErrorCode::kOther:
      return "other";
  }
  return "other";
}

struct SrtpSession::Impl {
  mutable std::mutex mutex;
  srtp_t session = nullptr;
  SrtpSuite suite = SrtpSuite::kAesCm128HmacSha1_80;
  ~Impl() {
    if (session) srtp_dealloc(session);
  }
};

SrtpSession::SrtpSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;
SrtpSession::~SrtpSession() = default;

std::expected<SrtpSession, SrtpError> SrtpSession::Create(const SrtpKey& key,
                                                          SrtpDirection direction) {
  if (auto s = InitOnce(); s != srtp_err_status_ok) {
    return std::unexpected(
        SrtpError{SrtpErrorCode::kOther,
                  fmt::format("libsrtp2 failed to initialise (status {})", static_cast<int>(s))});
  }
  if (key.master.size() != SrtpMasterLength(key.suite)) {
    return std::unexpected(SrtpError{
        SrtpErrorCode::kBadKey,
        fmt::format("{} needs a {}-byte master key and salt, got {} bytes",
                    SrtpSuiteName(key.suite), SrtpMasterLength(key.suite), key.master.size())});
  }
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  SetPolicy(key.suite, policy.rtp, policy.rtcp);
  policy.ssrc.type = direction == SrtpDirection::kOutbound ? ssrc_any_outbound : ssrc_any_inbound;
  // libsrtp reads the key through a non-const pointer but does not write it.
  std::vector<std::uint8_t> master = key.master;
  policy.key = master.data();
  policy.window_size = 128;  // libsrtp's default and minimum (RFC 3711 3.3.2 asks >= 64)
  policy.allow_repeat_tx = 0;
  auto impl = std::make_unique<Impl>();
  impl->suite = key.suite;
  const srtp_err_status_t s = srtp_create(&impl->session, &policy);
  std::memset(master.data(), 0, master.size());
  if (s != srtp_err_status_ok) {
    impl->session = nullptr;
    const bool gcm = key.suite != SrtpSuite::kAesCm128HmacSha1_80;
    return std::unexpected(SrtpError{
        gcm ? SrtpErrorCode::kUnsupported : SrtpErrorCode::kOther,
        gcm ? fmt::format("{} is not available: this libsrtp2 was built without a crypto library "
                          "(OpenSSL/NSS); use a key made with confcast-keygen --suite aes-cm",
                          SrtpSuiteName(key.suite))
            : fmt::format("libsrtp2 cannot create a session (status {})", static_cast<int>(s))});
  }
  return SrtpSession(std::move(impl));
}

namespace {

using Op = srtp_err_status_t (*)(srtp_t, void*, int*);

std::expected<std::size_t, SrtpErrorCode> Run(std::mutex& mutex, srtp_t session, Op op,
                                              std::span<std::uint8_t> buffer, std::size_t length,
                                              bool protect, std::size_t header) {
  if (length > buffer.size() || length > static_cast<std::size_t>(INT_MAX / 2)) {
    return std::unexpected(SrtpErrorCode::kMalformed);
  }
  if (protect && buffer.size() - length < kSrtpTailroom) {
    return std::unexpected(SrtpErrorCode::kNoRoom);
  }
  // libsrtp reads the fixed header (12 bytes RTP, 8 bytes RTCP) before checking the length.
  if (length < header) return std::unexpected(SrtpErrorCode::kMalformed);
  int len = static_cast<int>(length);
  srtp_err_status_t s;
  {
    std::lock_guard lock(mutex);
    s = op(session, buffer.data(), &len);
  }
  if (s != srtp_err_status_ok) return std::unexpected(FromStatus(s));
  if (len < 0 || static_cast<std::size_t>(len) > buffer.size()) {
    return std::unexpected(SrtpErrorCode::kOther);
  }
  return static_cast<std::size_t>(len);
}

}  // namespace

std::expected<std::size_t, SrtpErrorCode> SrtpSession::ProtectRtp(std::span<std::uint8_t> buffer,
                                                                  std::size_t length) {
  return Run(impl_->mutex, impl_->session, &srtp_protect, buffer, length, true, 12);
}
std::expected<std::size_t, SrtpErrorCode> SrtpSession::ProtectRtcp(std::span<std::uint8_t> buffer,
                                                                   std::size_t length) {
  return Run(impl_->mutex, impl_->session, &srtp_protect_rtcp, buffer, length, true, 8);
}
std::expected<std::size_t, SrtpErrorCode> SrtpSession::UnprotectRtp(std::span<std::uint8_t> buffer,
                                                                    std::size_t length) {
  return Run(impl_->mutex, impl_->session, &srtp_unprotect, buffer, length, false, 12);
}
std::expected<std::size_t, SrtpErrorCode> SrtpSession::UnprotectRtcp(std::span<std::uint8_t> buffer,
                                                                     std::size_t length) {
  return Run(impl_->mutex, impl_->session, &srtp_unprotect_rtcp, buffer, length, false, 8);
}

bool SrtpSession::SetRolloverCounter(std::uint32_t ssrc, std::uint32_t roc) {
  std::lock_guard lock(impl_->mutex);
  return srtp_set_stream_roc(impl_->session, ssrc, roc) == srtp_err_status_ok;
}

std::optional<std::uint32_t> SrtpSession::RolloverCounter(std::uint32_t ssrc) const {
  std::lock_guard lock(impl_->mutex);
  std::uint32_t roc = 0;
  if (srtp_get_stream_roc(impl_->session, ssrc, &roc) != srtp_err_status_ok) return std::nullopt;
  return roc;
}

SrtpSuite SrtpSession::suite() const {
  return impl_->suite;
}

}  // namespace confcast::net

#include "confcast/net/srtp_group.h"

#include <confcast/rtp/bytes.h>

#include <algorithm>
#include <vector>

namespace confcast::net {
namespace {

// Bounds what authenticated members can make us remember (a group has a few dozen).
constexpr std::size_t kMaxTrackedSsrcs = 4096;

class Filter final : public DatagramFilter {
 public:
  Filter(std::shared_ptr<SrtpGroup> group, PacketKind kind)
      : group_(std::move(group)), kind_(kind) {}
  std::optional<std::size_t> OnSend(std::span<std::uint8_t> buffer, std::size_t length) override {
    return group_->Protect(kind_, buffer, length);
  }
  std::optional<std::size_t> OnReceive(std::span<std::uint8_t> buffer,
                                       std::size_t length) override {
    return group_->Unprotect(kind_, buffer, length);
  }

 private:
  std::shared_ptr<SrtpGroup> group_;
  PacketKind kind_;
};

std::size_t Index(SrtpErrorCode code) {
  return std::min(static_cast<std::size_t>(code), kSrtpErrorCodes - 1);
}

}  // namespace

std::uint64_t SrtpStats::receive_failed() const {
  std::uint64_t n = 0;
  for (auto v : receive_failures) n += v;
  return n;
}

std::expected<std::shared_ptr<SrtpGroup>, SrtpError> SrtpGroup::Create(const SrtpKey& key) {
  auto out = SrtpSession::Create(key, SrtpDirection::kOutbound);
  if (!out) return std::unexpected(out.error());
  auto in = SrtpSession::Create(key, SrtpDirection::kInbound);
  if (!in) return std::unexpected(in.error());
  return std::shared_ptr<SrtpGroup>(new SrtpGroup(std::move(*out), std::move(*in), key.suite));
}

void SrtpGroup::Attach(int fd, PacketKind kind) {
  SetDatagramFilter(fd, std::make_shared<Filter>(shared_from_this(), kind));
}

std::size_t SrtpGroup::rtp_overhead() const {
  return suite_ == SrtpSuite::kAesCm128HmacSha1_80 ? 10 : 16;
}

SrtpStats SrtpGroup::Stats() const {
  SrtpStats s;
  s.protected_rtp = protected_rtp_.load(std::memory_order_relaxed);
  s.protected_rtcp = protected_rtcp_.load(std::memory_order_relaxed);
  s.unprotected_rtp = unprotected_rtp_.load(std::memory_order_relaxed);
  s.unprotected_rtcp = unprotected_rtcp_.load(std::memory_order_relaxed);
  s.rollover_recovered = rollover_recovered_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kSrtpErrorCodes; ++i) {
    s.send_failures[i] = send_failures_[i].load(std::memory_order_relaxed);
    s.receive_failures[i] = receive_failures_[i].load(std::memory_order_relaxed);
  }
  return s;
}

std::optional<std::size_t> SrtpGroup::Protect(PacketKind kind, std::span<std::uint8_t> buffer,
                                              std::size_t length) {
  auto n =
      kind == PacketKind::kRtp ? out_.ProtectRtp(buffer, length) : out_.ProtectRtcp(buffer, length);
  if (!n) {
    send_failures_[Index(n.error())].fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  (kind == PacketKind::kRtp ? protected_rtp_ : protected_rtcp_)
      .fetch_add(1, std::memory_order_relaxed);
  return *n;
}

std::optional<std::size_t> SrtpGroup::Unprotect(PacketKind kind, std::span<std::uint8_t> buffer,
                                                std::size_t length) {
  if (kind == PacketKind::kRtcp) {
    auto n = in_.UnprotectRtcp(buffer, length);
    if (!n) {
      receive_failures_[Index(n.error())].fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    unprotected_rtcp_.fetch_add(1, std::memory_order_relaxed);
    NoteSenderReport(buffer.first(*n));
    return *n;
  }
  auto n = in_.UnprotectRtp(buffer, length);
  std::uint32_t ssrc = 0;
  if (length >= 12) ssrc = rtp::ReadU32(std::span<const std::uint8_t>(buffer), 8);
  if (!n && n.error() == SrtpErrorCode::kAuthFail) {
    if (auto recovered = RecoverRollover(ssrc, buffer, length)) n = *recovered;
  }
  if (!n) {
    receive_failures_[Index(n.error())].fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  unprotected_rtp_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(rollover_mutex_);
    if (rtp_authenticated_.size() < kMaxTrackedSsrcs) rtp_authenticated_.insert(ssrc);
  }
  return *n;
}

// RFC 3550 6.4.1: a compound starts with an SR (PT 200) or RR; the SR's sender's packet count
// is at byte 20. Only authenticated packets get here.
void SrtpGroup::NoteSenderReport(std::span<const std::uint8_t> rtcp) {
  if (rtcp.size() < 28 || rtcp[1] != 200) return;
  const std::uint32_t ssrc = rtp::ReadU32(rtcp, 4);
  const std::uint32_t packets = rtp::ReadU32(rtcp, 20);
  std::lock_guard lock(rollover_mutex_);
  if (sr_packet_count_.size() < kMaxTrackedSsrcs || sr_packet_count_.contains(ssrc)) {
    sr_packet_count_[ssrc] = packets;
  }
}

std::optional<std::size_t> SrtpGroup::RecoverRollover(std::uint32_t ssrc,
                                                      std::span<std::uint8_t> buffer,
                                                      std::size_t length) {
  std::uint32_t packets = 0;
  {
    std::lock_guard lock(rollover_mutex_);
    if (rtp_authenticated_.contains(ssrc)) return std::nullopt;  // libsrtp tracks it from here
    auto it = sr_packet_count_.find(ssrc);
    if (it == sr_packet_count_.end()) return std::nullopt;
    packets = it->second;
  }
  const std::uint32_t base = packets >> 16;
  // A failed try may leave the buffer decrypted (AEAD), so each works on a copy.
  thread_local std::vector<std::uint8_t> copy;
  for (std::uint32_t roc : {base + 1, base, base - 1}) {
    if (roc == 0 || roc == 0xffffffffu) continue;  // 0 is what libsrtp guessed already
    if (!in_.SetRolloverCounter(ssrc, roc)) return std::nullopt;
    copy.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length));
    if (auto n = in_.UnprotectRtp(copy, length)) {
      std::copy(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(*n), buffer.begin());
      rollover_recovered_.fetch_add(1, std::memory_order_relaxed);
      return *n;
    }
  }
  (void)in_.SetRolloverCounter(ssrc, 0);  // clear the pending guess
  return std::nullopt;
}

}  // namespace confcast::net

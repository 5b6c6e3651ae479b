#include "srtp_setup.h"

#include <confcast/net/srtp_key.h>
#include <confcast/rtp/h264_bitstream.h>
#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace confcast::receiver {

std::expected<std::shared_ptr<net::SrtpGroup>, std::string> LoadSrtp(const RecvOptions& o,
                                                                     const SessionPlan& plan) {
  if (o.key_file.empty()) {
    if (!plan.encrypted) return nullptr;
    return std::unexpected(fmt::format(
        "{} says the stream is encrypted (SRTP{}{}); pass the group's key with --key-file PATH",
        o.sdp_path, plan.crypto_suite.empty() ? "" : ", ", rtp::SafeText(plan.crypto_suite, 64)));
  }
  auto key = net::ReadKeyFile(o.key_file);
  if (!key) return std::unexpected(key.error().message);
  if (!plan.crypto_suite.empty() && plan.crypto_suite != net::SrtpSuiteName(key->suite)) {
    return std::unexpected(
        fmt::format("{} names suite {} but --key-file {} holds a {} key; use "
                    "the key file of this session",
                    o.sdp_path, rtp::SafeText(plan.crypto_suite, 64), o.key_file,
                    net::SrtpSuiteName(key->suite)));
  }
  auto group = net::SrtpGroup::Create(*key);
  if (!group) return std::unexpected("--key-file " + o.key_file + ": " + group.error().message);
  return *group;
}

void AttachSrtp(net::SrtpGroup& srtp, const net::ReceiverStream& rx, const net::SenderStream& tx) {
  srtp.Attach(rx.rtp_fd(), net::PacketKind::kRtp);
  srtp.Attach(rx.rtcp_fd(), net::PacketKind::kRtcp);
  srtp.Attach(tx.rtp_fd(), net::PacketKind::kRtp);
  srtp.Attach(tx.rtcp_fd(), net::PacketKind::kRtcp);
}

std::string SrtpNothingPassed(const net::SrtpGroup& srtp) {
  const net::SrtpStats s = srtp.Stats();
  return fmt::format(
      "no packet passed SRTP: {} failed authentication, {} were replays; check "
      "that every member has the same --key-file and that the sender uses one",
      s.receive_failures[static_cast<std::size_t>(net::SrtpErrorCode::kAuthFail)],
      s.receive_failures[static_cast<std::size_t>(net::SrtpErrorCode::kReplayFail)] +
          s.receive_failures[static_cast<std::size_t>(net::SrtpErrorCode::kReplayOld)]);
}

void EncryptedPayloadHint::OnVideoPayload(rtp::Bytes payload) {
  if (said_ || payload.empty()) return;
  ++seen_;
  if (rtp::LooksEncrypted(payload)) ++invalid_;
  if (seen_ < 64) return;
  if (invalid_ * 4 > seen_) {
    said_ = true;
    spdlog::warn("payload undecodable: {} of the last {} video payloads are not H.264; is the "
                 "stream encrypted? use --key-file",
                 invalid_, seen_);
  }
  seen_ = invalid_ = 0;
}

}  // namespace confcast::receiver

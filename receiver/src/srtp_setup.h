// SRTP for confcast-recv: the group key of --key-file on every socket of the session, and,
// without a key, a hint when the stream looks encrypted.
#pragma once

#include <confcast/net/socket.h>
#include <confcast/net/srtp_group.h>
#include <confcast/receiver/options.h>
#include <confcast/rtp/packet.h>

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "session_plan.h"

namespace confcast::receiver {

// The SRTP group of --key-file (nullptr without one). Refuses, with one line, an SDP that says
// the stream is encrypted when no key file is given, and a key of another suite than its
// a=crypto names.
std::expected<std::shared_ptr<net::SrtpGroup>, std::string> LoadSrtp(const RecvOptions& options,
                                                                     const SessionPlan& plan);
// SRTP hook for one port: RTP and RTCP in, our RTCP (RR, PLI, NACK) out.
void AttachSrtp(net::SrtpGroup& srtp, const net::ReceiverStream& rx, const net::SenderStream& tx);

// The line for a run in which datagrams came but none passed SRTP.
std::string SrtpNothingPassed(const net::SrtpGroup& srtp);

// SRTP leaves the RTP header clear but the payload random, and about 61% of random payloads do
// not start with a NAL unit header that plain H.264 in packetization mode 1 can have
// (rtp::LooksEncrypted). When more than a quarter of 64 payloads in a row look like that, one
// line says the stream looks encrypted.
class EncryptedPayloadHint {
 public:
  void OnVideoPayload(rtp::Bytes payload);
  bool said() const { return said_; }

 private:
  std::uint32_t seen_ = 0, invalid_ = 0;
  bool said_ = false;
};

}  // namespace confcast::receiver

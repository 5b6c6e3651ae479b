// Shared fixtures of the RtpSession tests: fixed SSRCs and addresses, scripted random bits, and
// compounds built the way peers send them.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "confcast/rtp/rtp_session.h"

namespace confcast::rtp::session_test {

using std::chrono::milliseconds;
using std::chrono::seconds;

inline constexpr Timestamp kT0 = seconds{1000};
inline constexpr std::uint32_t kOurs = 0x11111111;
inline constexpr std::uint32_t kFec = 0x22222222;
inline constexpr std::uint32_t kRtx = 0x33333333;
inline constexpr std::uint32_t kAlice = 0xA11CE000;
inline constexpr std::uint32_t kBob = 0xB0B00000;
inline constexpr std::uint32_t kHalf = 0x80000000;  // a uniform draw of 0.5

inline TransportAddress Addr(std::uint8_t host, std::uint16_t port) {
  TransportAddress a;
  a.ip = {10, 0, 0, host};
  a.port = port;
  return a;
}
inline const TransportAddress kLocalRtcp = Addr(1, 40001);
inline const TransportAddress kLocalRtp = Addr(1, 40000);
inline const TransportAddress kHostA = Addr(2, 50001);
inline const TransportAddress kHostARtp = Addr(2, 50000);
inline const TransportAddress kHostB = Addr(3, 50001);
inline const TransportAddress kHostBRtp = Addr(3, 50000);

// Random bits from a script, then a constant (0.5 as a uniform draw).
struct Script {
  std::shared_ptr<std::deque<std::uint32_t>> values = std::make_shared<std::deque<std::uint32_t>>();
  RandomBits Bits() const {
    return [v = values] {
      if (v->empty()) return kHalf;
      const std::uint32_t x = v->front();
      v->pop_front();
      return x;
    };
  }
};

inline RtpSessionConfig BaseConfig() {
  RtpSessionConfig c;
  c.ssrc = kOurs;
  c.cname = "ours@host";
  c.name = "Our Name";
  c.tool = "confcast test";
  c.rtcp_bandwidth_bytes_per_s = 1000;
  c.local_addresses = {kLocalRtcp, kLocalRtp};
  return c;
}

inline SdesChunk Chunk(std::uint32_t ssrc, const std::string& cname, const std::string& name = "") {
  SdesChunk c;
  c.ssrc = ssrc;
  c.items.push_back({static_cast<std::uint8_t>(SdesType::kCname), cname});
  if (!name.empty()) c.items.push_back({static_cast<std::uint8_t>(SdesType::kName), name});
  return c;
}

inline RtcpCompound RrSdes(std::uint32_t ssrc, const std::string& cname, const std::string& name = "",
                           std::vector<ReportBlock> blocks = {}) {
  return {ReceiverReport{ssrc, std::move(blocks), {}}, Sdes{{Chunk(ssrc, cname, name)}}};
}

template <typename T>
std::vector<T> All(const RtcpCompound& c) {
  std::vector<T> out;
  for (const auto& p : c) {
    if (const T* x = std::get_if<T>(&p)) out.push_back(*x);
  }
  return out;
}

// The session joined by Alice (RR + SDES from host A).
struct WithAlice {
  Script script;
  RtpSession session{BaseConfig(), kT0, script.Bits()};
  WithAlice() {
    const auto r = session.Receive(kT0, kHostA, RrSdes(kAlice, "alice@a", "Alice"), 80);
    EXPECT_EQ(r.new_members, std::vector<std::uint32_t>{kAlice});
  }
};

}  // namespace confcast::rtp::session_test

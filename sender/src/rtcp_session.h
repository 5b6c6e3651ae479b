// The sender's RTCP wiring (RFC 3550 6, RFC 4585, RFC 5104): one rtp::RtpSession per stream
// (video, audio: one per port pair), with the sockets and the event-loop timer around it. The
// session decides everything RTCP: the interval, SR + SDES (CNAME, NAME, TOOL; CNAME for the
// FEC and RTX SSRCs) out, BYE on exit, members and their timeouts, source binding (a packet
// about a known SSRC from another address is ignored), our own looped-back packets, and SSRC
// collisions (RFC 3550 8.2: another CNAME on our SSRC -> BYE for it and a new random SSRC,
// on_ssrc_change tells the media thread). This file only moves datagrams and acts on what the
// session reports: keyframe requests (PLI, FIR), NACKs (with the address they came from), and
// report blocks about our streams (loss, jitter, round-trip time) for FEC and the statistics.
#pragma once

#include <confcast/net/batch_io.h>
#include <confcast/net/event_loop.h>
#include <confcast/net/socket.h>
#include <confcast/rtp/fec_policy.h>
#include <confcast/rtp/rtcp.h>
#include <confcast/rtp/rtp_session.h>
#include <confcast/rtp/stamper.h>

#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "send_counters.h"

namespace confcast::sender {

struct ReceiverInfo {
  std::uint32_t ssrc = 0;
  std::string cname, name;
  std::string stream;            // "video" or "audio": which session it reports on
  double fraction_lost = 0;      // 0..1, from its last report block about us
  std::int64_t cumulative_lost = 0;
  double jitter_ms = 0;
  std::optional<double> rtt_ms;
  std::chrono::steady_clock::time_point last_heard;
};

class RtcpSession {
 public:
  struct Config {
    std::string name;  // SDES NAME
  };
  RtcpSession(Config config, std::uint32_t seed);
  ~RtcpSession();

  void AddStream(const char* kind, net::SenderStream& socket, const rtp::RtpStamper& stamper,
                 const rtp::RtpClock& clock, const StreamCounters& counters,
                 double bandwidth_bps);
  // A repair stream (FlexFEC, RTX) sent on the port of stream `kind`: its SSRC gets an SDES
  // chunk with our CNAME in that stream's compounds, so receivers tie it to the media.
  void AddRepairSsrc(const char* kind, std::uint32_t ssrc);
  // Watches the group's RTCP ports for receiver feedback.
  std::expected<void, std::string> Watch(net::EventLoop& loop);
  // Schedules the first reports (RFC 3550 6.2: half the minimum interval at start).
  void Start(net::EventLoop& loop);
  void SendBye(const std::string& reason);

  const std::string& cname() const { return cname_; }
  int worst_loss_percent() const { return worst_loss_percent_.load(std::memory_order_relaxed); }
  // The worst fraction lost (0..1) among receivers heard in the last 10 s reporting on stream
  // `kind` ("video", "audio"); any thread.
  double WorstFractionLost(std::string_view kind) const;
  std::vector<ReceiverInfo> Receivers() const;  // event-loop thread only
  std::uint64_t plis() const { return plis_; }
  std::uint64_t firs() const { return firs_; }
  std::uint64_t nacks() const { return nacks_; }
  std::uint64_t reports_sent() const { return reports_sent_; }
  std::uint64_t malformed() const { return malformed_; }
  std::uint64_t ssrc_collisions() const { return ssrc_collisions_; }
  // RTCP about a known SSRC from another transport address, ignored (RFC 3550 8.2).
  std::uint64_t address_conflicts() const;
  // Current SSRC of a stream ("video"/"audio"); 0 when there is none.
  std::uint32_t ssrc_of(const std::string& kind) const;

  // Called for every keyframe request about our video: (from SSRC, FIR sequence or none).
  // (reporter SSRC, the transport address it came from, FIR sequence or none).
  std::function<void(std::uint32_t, const rtp::TransportAddress&, std::optional<std::uint8_t>)>
      on_keyframe_request;
  // Called on the event-loop thread after a collision: (stream kind, old SSRC, new SSRC). The
  // owner must stamp the stream's next packets with the new SSRC.
  std::function<void(const std::string&, std::uint32_t, std::uint32_t)> on_ssrc_change;
  // Called for every generic NACK about one of our media SSRCs, with the address it came from
  // (event-loop thread).
  std::function<void(const rtp::Nack&, const rtp::TransportAddress&)> on_nack;
  // Called for every report block about our video from a receiver: (where it came from, its
  // fraction lost), so repair can judge what that source asks for (event-loop thread).
  std::function<void(const rtp::TransportAddress&, double)> on_video_loss_report;
  // The loss each receiver reports about stream `kind` over the last seconds (any thread): the
  // FEC policy bounds what one reporter can make everybody pay.
  std::vector<rtp::LossReport> LossReports(std::string_view kind) const;

 private:
  struct Stream;
  void OnReadable(Stream& s);
  // Acts on what the session made of one received compound.
  void Apply(Stream& s, const rtp::RtcpReceiveResult& r, std::chrono::steady_clock::time_point now);
  void OnReportBlock(Stream& s, const rtp::ReportAboutUs& report,
                     std::chrono::steady_clock::time_point now);
  void Tick();
  bool SendCompound(Stream& s, const rtp::RtcpCompound& compound);

  Config config_;
  std::mt19937 rng_;
  std::string cname_;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::atomic<int> worst_loss_percent_{0};
  std::uint64_t plis_ = 0, firs_ = 0, nacks_ = 0, reports_sent_ = 0, malformed_ = 0;
  std::uint64_t ssrc_collisions_ = 0;
};

}  // namespace confcast::sender

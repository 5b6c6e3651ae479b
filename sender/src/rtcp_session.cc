#include "rtcp_session.h"

#include <confcast/net/interface.h>
#include <confcast/net/transport_address.h>
#include <confcast/rtp/safe_text.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <mutex>

namespace confcast::sender {
namespace {

using Clock = std::chrono::steady_clock;

// Receivers stay listed this long after their last packet (RFC 3550 6.3.5 gives 5 intervals,
// 25 s on a LAN; a little more keeps one that reports late).
constexpr auto kReceiverTimeoutFloor = std::chrono::seconds(30);
// Loss reports older than this no longer size FEC.
constexpr auto kLossReportAge = std::chrono::seconds(10);

rtp::Timestamp Micros(Clock::time_point t) {
  return std::chrono::duration_cast<rtp::Timestamp>(t.time_since_epoch());
}
Clock::time_point TimePoint(rtp::Timestamp t) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(t));
}
rtp::NtpTime NtpNow() {
  return rtp::NtpFromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
}

std::string MakeCname(std::mt19937& rng) {
  // RFC 7022: a per-session random identifier keeps CNAMEs unique without leaking identity.
  return fmt::format("{:08x}{:08x}@{}", rng(), rng(), net::HostName());
}

}  // namespace

struct RtcpSession::Stream {
  std::string kind;
  net::SenderStream* socket = nullptr;
  std::uint32_t initial_ssrc = 0;
  const rtp::RtpClock* clock = nullptr;
  const StreamCounters* counters = nullptr;
  double bandwidth_bps = 0;
  std::vector<std::uint32_t> repair_ssrcs;  // until the session exists
  std::optional<rtp::RtpSession> session;  // from Start
  net::BatchReceiver receiver{16, 1500};
  std::uint64_t packets_at_last_tick = 0;
  // The last report block about this stream from each receiver.
  struct Report {
    double fraction_lost = 0;
    std::int64_t cumulative_lost = 0;
    double jitter_ms = 0;
    std::optional<double> rtt_ms;
  };
  std::map<std::uint32_t, Report> reports;
  // Loss one receiver reports about this stream over the last few seconds, from the
  // cumulative counters of its report blocks (lost / expected between the oldest and newest
  // block in the window). One block's fraction lost covers a few dozen packets and reads 0%
  // or 8% on a 5% link; the worst of several receivers' single fractions then overstates the
  // loss about twice, which bought FEC for 10% loss on a 5% LAN.
  struct LossWindow {
    struct Sample {
      Clock::time_point at;
      std::int64_t lost;
      std::int64_t highest;  // extended highest sequence number
    };
    std::deque<Sample> samples;
    Clock::time_point last_heard{};
    // Nothing until the window spans enough packets to mean something: a lone early block
    // reading 20% would otherwise lift FEC to its top level, where hysteresis keeps it.
    static constexpr std::int64_t kMinExpected = 200;
    double Fraction() const {
      if (samples.size() < 2) return 0;
      const std::int64_t expected = samples.back().highest - samples.front().highest;
      if (expected < kMinExpected) return 0;
      const double lost = static_cast<double>(samples.back().lost - samples.front().lost);
      return std::clamp(lost / static_cast<double>(expected), 0.0, 1.0);
    }
  };
  std::map<std::uint32_t, LossWindow> loss_by_reporter;
  std::atomic<double> worst_fraction_lost{0};
  mutable std::mutex loss_mutex;
  std::vector<rtp::LossReport> loss_reports;  // guarded by loss_mutex: read by the media thread

  std::uint32_t ssrc() const { return session ? session->ssrc() : initial_ssrc; }
  bool Present(std::uint32_t ssrc) const {
    const rtp::SessionMember* m = session ? session->FindMember(ssrc) : nullptr;
    return m && !m->bye_at;
  }
};

RtcpSession::RtcpSession(Config config, std::uint32_t seed)
    : config_(std::move(config)), rng_(seed), cname_(MakeCname(rng_)) {}

RtcpSession::~RtcpSession() = default;

void RtcpSession::AddStream(const char* kind, net::SenderStream& socket,
                            const rtp::RtpStamper& stamper, const rtp::RtpClock& clock,
                            const StreamCounters& counters, double bandwidth_bps) {
  auto s = std::make_unique<Stream>();
  s->kind = kind;
  s->socket = &socket;
  s->initial_ssrc = stamper.ssrc();
  s->clock = &clock;
  s->counters = &counters;
  s->bandwidth_bps = bandwidth_bps;
  streams_.push_back(std::move(s));
}

void RtcpSession::AddRepairSsrc(const char* kind, std::uint32_t ssrc) {
  for (auto& s : streams_) {
    if (s->kind != kind) continue;
    s->repair_ssrcs.push_back(ssrc);
    if (s->session) s->session->AddRepairSsrc(ssrc);
  }
}

std::vector<rtp::LossReport> RtcpSession::LossReports(std::string_view kind) const {
  for (const auto& s : streams_) {
    if (s->kind != kind) continue;
    std::lock_guard lock(s->loss_mutex);
    return s->loss_reports;
  }
  return {};
}

double RtcpSession::WorstFractionLost(std::string_view kind) const {
  for (const auto& s : streams_) {
    if (s->kind == kind) return s->worst_fraction_lost.load(std::memory_order_relaxed);
  }
  return 0;
}

std::expected<void, std::string> RtcpSession::Watch(net::EventLoop& loop) {
  for (auto& s : streams_) {
    const net::GroupSocket* listener = s->socket->rtcp_listener();
    if (!listener) continue;
    Stream* raw = s.get();
    if (auto ok = loop.Watch(listener->fd(), [this, raw] { OnReadable(*raw); }); !ok) {
      return std::unexpected(ok.error().message);
    }
  }
  return {};
}

void RtcpSession::Start(net::EventLoop& loop) {
  const auto now = Micros(Clock::now());
  double session_bps = 0;
  for (auto& s : streams_) session_bps += s->bandwidth_bps;
  for (auto& s : streams_) {
    rtp::RtpSessionConfig c;
    c.ssrc = s->initial_ssrc;
    c.repair_ssrcs = s->repair_ssrcs;
    c.cname = cname_;
    c.name = config_.name;
    c.tool = "confcast 0.1";
    c.rtcp_bandwidth_bytes_per_s = 0.05 * s->bandwidth_bps / 8;
    // RFC 3550 6.2: the reduced minimum (360 / session kbit/s), capped at the 5 s default, from
    // the bandwidth of the whole conference, so the audio stream's first sender report comes
    // within about half a second too: receivers (ours, ffmpeg, GStreamer) need the NTP/RTP
    // mapping of both streams to line them up. Each stream still keeps to its own 5%.
    c.min_interval = std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(session_bps));
    c.member_timeout_floor = kReceiverTimeoutFloor;
    for (int fd : {s->socket->rtcp_fd(), s->socket->rtp_fd()}) {
      if (auto a = net::LocalTransportAddress(fd)) c.local_addresses.push_back(*a);
    }
    s->session.emplace(std::move(c), now, [this] { return static_cast<std::uint32_t>(rng_()); });
    Stream* raw = s.get();
    s->session->SetSenderInfoSource([raw] {
      const rtp::NtpTime ntp = NtpNow();
      rtp::SenderInfo info;
      info.ntp = ntp;
      const std::int64_t now_us = rtp::UnixMicrosFromNtp(ntp);
      if (auto m = raw->counters->Mapping()) {
        const std::int64_t ticks = (now_us - m->first) * raw->clock->clock_rate() / 1'000'000;
        info.rtp_timestamp = m->second + static_cast<std::uint32_t>(ticks);
      } else {
        info.rtp_timestamp = raw->clock->ToRtp(now_us);
      }
      info.packet_count =
          static_cast<std::uint32_t>(raw->counters->packets.load(std::memory_order_relaxed));
      info.octet_count =
          static_cast<std::uint32_t>(raw->counters->payload_octets.load(std::memory_order_relaxed));
      return info;
    });
  }
  auto timer = loop.AddTimer(std::chrono::milliseconds(20), std::chrono::milliseconds(20),
                             [this] { Tick(); });
  if (!timer) spdlog::error("rtcp timer: {}", timer.error().message);
}

void RtcpSession::Tick() {
  const auto now_tp = Clock::now();
  const auto now = Micros(now_tp);
  double worst = 0;
  for (auto& s : streams_) {
    if (!s->session) continue;
    const std::uint64_t sent = s->counters->packets.load(std::memory_order_relaxed);
    if (sent != s->packets_at_last_tick) {
      s->packets_at_last_tick = sent;
      s->session->OnRtpSent(now);
    }
    if (auto compound = s->session->Poll(now)) (void)SendCompound(*s, *compound);
    const rtp::SessionTimeouts gone = s->session->Timeouts(now);
    for (const auto* list : {&gone.timed_out, &gone.left}) {
      for (std::uint32_t ssrc : *list) s->reports.erase(ssrc);
    }
    std::erase_if(s->loss_by_reporter, [&](const auto& kv) {
      return now_tp - kv.second.last_heard >= kLossReportAge || !s->Present(kv.first);
    });
    double in_stream = 0;
    std::vector<rtp::LossReport> reports;
    for (const auto& [ssrc, loss] : s->loss_by_reporter) {
      in_stream = std::max(in_stream, loss.Fraction());
      reports.push_back({ssrc, loss.Fraction()});
    }
    {
      std::lock_guard lock(s->loss_mutex);
      s->loss_reports = std::move(reports);
    }
    s->worst_fraction_lost.store(in_stream, std::memory_order_relaxed);
    worst = std::max(worst, in_stream);
  }
  worst_loss_percent_.store(static_cast<int>(worst * 100 + 0.5), std::memory_order_relaxed);
}

bool RtcpSession::SendCompound(Stream& s, const rtp::RtcpCompound& compound) {
  auto wire = rtp::Serialize(compound);
  if (!wire) return false;
  auto sent = net::SendOne(s.socket->rtcp_fd(), *wire);
  if (!sent) {
    spdlog::debug("rtcp send: {}", sent.error().message);
    return false;
  }
  ++reports_sent_;
  return true;
}

void RtcpSession::SendBye(const std::string& reason) {
  const auto now = Micros(Clock::now());
  for (auto& s : streams_) {
    if (!s->session) continue;
    if (auto compound = s->session->Bye(now, reason)) (void)SendCompound(*s, *compound);
  }
}

void RtcpSession::OnReadable(Stream& s) {
  const net::GroupSocket* listener = s.socket->rtcp_listener();
  auto got = s.receiver.Receive(listener->fd());
  if (!got || !s.session) return;
  const auto now = Clock::now();
  for (const net::Datagram& d : *got) {
    // Reduced-size RTCP (RFC 5506) is accepted: a lone PLI or NACK is still a request.
    auto compound = rtp::ParseRtcp(d.data, rtp::RtcpParseOptions{.strict = false});
    if (!compound) {
      ++malformed_;
      continue;
    }
    const rtp::TransportAddress from = net::ToTransportAddress(d.source, d.source_port);
    Apply(s, s.session->Receive(Micros(now), from, *compound, d.data.size()), now);
  }
}

void RtcpSession::Apply(Stream& s, const rtp::RtcpReceiveResult& r, Clock::time_point now) {
  malformed_ += r.ignored.malformed;
  for (const rtp::SsrcCollision& c : r.collisions) {
    if (!c.new_ssrc) {
      spdlog::warn("{} repair SSRC {:08x} is also used by {}; kept", s.kind, c.old_ssrc,
                   rtp::SafeText(c.other_cname));
      continue;
    }
    ++ssrc_collisions_;
    (void)SendCompound(s, c.bye);  // BYE for the old identifier
    spdlog::warn("{} SSRC {:08x} is also used by {}; now {:08x} (RFC 3550 8.2)", s.kind, c.old_ssrc,
                 rtp::SafeText(c.other_cname), *c.new_ssrc);
    if (on_ssrc_change) on_ssrc_change(s.kind, c.old_ssrc, *c.new_ssrc);
  }
  const std::uint32_t media = s.session->ssrc();
  for (const rtp::ReportAboutUs& report : r.reports) {
    if (report.block.ssrc != media) continue;
    OnReportBlock(s, report, now);
    if (s.kind == "video" && on_video_loss_report) {
      on_video_loss_report(r.from, report.block.fraction_lost / 256.0);
    }
  }
  for (const rtp::KeyframeRequest& k : r.keyframe_requests) {
    if (k.media_ssrc != media) continue;
    ++(k.fir_seq ? firs_ : plis_);
    if (on_keyframe_request) on_keyframe_request(k.reporter, r.from, k.fir_seq);
  }
  for (const rtp::Nack& n : r.nacks) {
    if (n.media_ssrc != media) continue;
    nacks_ += rtp::ExpandNack(n.items).size();
    if (on_nack) on_nack(n, r.from);
  }
}

void RtcpSession::OnReportBlock(Stream& s, const rtp::ReportAboutUs& report, Clock::time_point now) {
  const rtp::ReportBlock& block = report.block;
  Stream::Report& r = s.reports[report.reporter];
  r.fraction_lost = block.fraction_lost / 256.0;
  r.cumulative_lost = block.cumulative_lost;
  r.jitter_ms = block.jitter * 1000.0 / s.clock->clock_rate();
  if (report.rtt) r.rtt_ms = static_cast<double>(report.rtt->count()) / 1000.0;
  Stream::LossWindow& w = s.loss_by_reporter[report.reporter];
  if (!w.samples.empty() && static_cast<std::int64_t>(block.extended_highest_seq) < w.samples.back().highest) {
    w.samples.clear();  // the receiver restarted its statistics (new sender SSRC, resync)
  }
  w.samples.push_back({now, block.cumulative_lost, static_cast<std::int64_t>(block.extended_highest_seq)});
  while (now - w.samples.front().at > std::chrono::seconds(5)) w.samples.pop_front();
  w.last_heard = now;
}

std::uint32_t RtcpSession::ssrc_of(const std::string& kind) const {
  for (const auto& s : streams_) {
    if (s->kind == kind) return s->ssrc();
  }
  return 0;
}

std::uint64_t RtcpSession::address_conflicts() const {
  std::uint64_t n = 0;
  for (const auto& s : streams_) {
    if (s->session) n += s->session->counters().ignored.wrong_address;
  }
  return n;
}

// Everyone heard on either stream, once: the stream where it was heard last names it, and its
// loss figures come from that stream when it reported there.
std::vector<ReceiverInfo> RtcpSession::Receivers() const {
  std::map<std::uint32_t, ReceiverInfo> all;
  std::map<std::uint32_t, bool> reported;
  for (const auto& s : streams_) {
    if (!s->session) continue;
    for (const auto& [ssrc, m] : s->session->members()) {
      if (m.bye_at) continue;
      const auto heard = TimePoint(m.last_heard);
      auto [it, fresh] = all.try_emplace(ssrc);
      ReceiverInfo& info = it->second;
      const bool later = fresh || heard > info.last_heard;
      if (later) {
        info.ssrc = ssrc;
        info.stream = s->kind;
        info.last_heard = heard;
        if (!m.cname.empty()) info.cname = m.cname;
        if (!m.name.empty()) info.name = m.name;
      }
      const auto rep = s->reports.find(ssrc);
      if (rep == s->reports.end() || (reported[ssrc] && !later)) continue;
      reported[ssrc] = true;
      info.fraction_lost = rep->second.fraction_lost;
      info.cumulative_lost = rep->second.cumulative_lost;
      info.jitter_ms = rep->second.jitter_ms;
      info.rtt_ms = rep->second.rtt_ms;
    }
  }
  std::vector<ReceiverInfo> out;
  out.reserve(all.size());
  for (auto& [ssrc, r] : all) out.push_back(std::move(r));
  return out;
}

}  // namespace confcast::sender

#include "rtcp_session.h"

#include <confcast/rtp/receive_stats.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <cstdio>
#include <type_traits>

namespace confcast::sender {
namespace {

using Clock = std::chrono::steady_clock;

rtp::Timestamp Micros(Clock::time_point t) {
  return std::chrono::duration_cast<rtp::Timestamp>(t.time_since_epoch());
}
rtp::NtpTime NtpNow() {
  return rtp::NtpFromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
}

std::string MakeCname(std::mt19937& rng) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) std::snprintf(host, sizeof host, "localhost");
  // RFC 7022: a per-session random identifier keeps CNAMEs unique without leaking identity.
  return fmt::format("{:08x}{:08x}@{}", rng(), rng(), host);
}

}  // namespace

struct RtcpSession::Stream {
  std::string kind;
  net::SenderStream* socket = nullptr;
  std::uint32_t ssrc = 0;
  const rtp::RtpClock* clock = nullptr;
  const StreamCounters* counters = nullptr;
  double bandwidth_bps = 0;
  std::optional<rtp::RtcpScheduler> scheduler;
  net::BatchReceiver receiver{16, 1500};
  std::uint64_t packets_at_last_tick = 0;
  std::vector<std::uint32_t> repair_ssrcs;
  // Loss one receiver reports about this stream over the last few seconds, from the
  // cumulative counters of its report blocks (lost / expected between the oldest and newest
  // block in the window). One block's fraction lost covers a few dozen packets and reads 0%
  // or 8% on a 5% link; the worst of several receivers' single fractions then overstates the
  // loss about twice, which bought FEC for 10% loss on a 5% LAN. Keyed by reporter SSRC: one
  // receiver reports on both streams with one SSRC, so ReceiverInfo cannot tell them apart.
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
};

RtcpSession::RtcpSession(Config config, std::uint32_t seed)
    : config_(std::move(config)), rng_(seed), cname_(MakeCname(rng_)) {}

RtcpSession::~RtcpSession() = default;

double RtcpSession::Draw() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

void RtcpSession::AddStream(const char* kind, net::SenderStream& socket,
                            const rtp::RtpStamper& stamper, const rtp::RtpClock& clock,
                            const StreamCounters& counters, double bandwidth_bps) {
  auto s = std::make_unique<Stream>();
  s->kind = kind;
  s->socket = &socket;
  s->ssrc = stamper.ssrc();
  s->clock = &clock;
  s->counters = &counters;
  s->bandwidth_bps = bandwidth_bps;
  streams_.push_back(std::move(s));
}

void RtcpSession::AddRepairSsrc(const char* kind, std::uint32_t ssrc) {
  for (auto& s : streams_) {
    if (s->kind == kind) s->repair_ssrcs.push_back(ssrc);
  }
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
    rtp::RtcpSchedulerConfig c;
    c.own_ssrc = s->ssrc;
    c.rtcp_bandwidth_bytes_per_s = 0.05 * s->bandwidth_bps / 8;
    // RFC 3550 6.2: the reduced minimum (360 / session kbit/s), capped at the 5 s default, from
    // the bandwidth of the whole conference, so the audio stream's first sender report comes
    // within about half a second too: receivers (ours, ffmpeg, GStreamer) need the NTP/RTP
    // mapping of both streams to line them up. Each stream still keeps to its own 5%.
    c.min_interval = std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(session_bps));
    s->scheduler.emplace(c, now, Draw());
  }
  auto timer = loop.AddTimer(std::chrono::milliseconds(20), std::chrono::milliseconds(20),
                             [this] { Tick(); });
  if (!timer) std::fprintf(stderr, "confcast-send: rtcp timer: %s\n", timer.error().message.c_str());
}

void RtcpSession::Tick() {
  const auto now_tp = Clock::now();
  const auto now = Micros(now_tp);
  for (auto& s : streams_) {
    const std::uint64_t sent = s->counters->packets.load(std::memory_order_relaxed);
    if (sent != s->packets_at_last_tick) {
      s->packets_at_last_tick = sent;
      (void)s->scheduler->OnRtpSent(now);
    }
    if (now < s->scheduler->next()) continue;
    const rtp::RtcpTimerDecision d = s->scheduler->OnTimer(now, Draw());
    if (d.action == rtp::RtcpAction::kSendReport) {
      const std::size_t size = SendCompound(*s, std::nullopt);
      (void)s->scheduler->OnReportSent(now, size, Draw());
    }
    (void)s->scheduler->CheckTimeouts(now);
  }
  // Receivers silent for 30 s are gone (RFC 3550 6.3.5 uses 5 intervals; ours are short).
  std::erase_if(receivers_, [&](const auto& kv) {
    return now_tp - kv.second.last_heard > std::chrono::seconds(30);
  });
  double worst = 0;
  for (auto& s : streams_) {
    std::erase_if(s->loss_by_reporter, [&](const auto& kv) {
      return now_tp - kv.second.last_heard >= std::chrono::seconds(10) || !receivers_.count(kv.first);
    });
    double in_stream = 0;
    for (const auto& [ssrc, loss] : s->loss_by_reporter) in_stream = std::max(in_stream, loss.Fraction());
    s->worst_fraction_lost.store(in_stream, std::memory_order_relaxed);
    worst = std::max(worst, in_stream);
  }
  worst_loss_percent_.store(static_cast<int>(worst * 100 + 0.5), std::memory_order_relaxed);
}

std::size_t RtcpSession::SendCompound(Stream& s, const std::optional<std::string>& bye_reason) {
  const rtp::NtpTime ntp = NtpNow();
  rtp::SenderReport sr;
  sr.sender_ssrc = s.ssrc;
  sr.ntp = ntp;
  const std::int64_t now_us = rtp::UnixMicrosFromNtp(ntp);
  if (auto m = s.counters->Mapping()) {
    const std::int64_t ticks = (now_us - m->first) * s.clock->clock_rate() / 1'000'000;
    sr.rtp_timestamp = m->second + static_cast<std::uint32_t>(ticks);
  } else {
    sr.rtp_timestamp = s.clock->ToRtp(now_us);
  }
  sr.packet_count = static_cast<std::uint32_t>(s.counters->packets.load(std::memory_order_relaxed));
  sr.octet_count =
      static_cast<std::uint32_t>(s.counters->payload_octets.load(std::memory_order_relaxed));
  rtp::Sdes sdes;
  rtp::SdesChunk& chunk = sdes.chunks.emplace_back();
  chunk.ssrc = s.ssrc;
  chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kCname), cname_});
  if (!config_.name.empty()) {
    chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kName), config_.name});
  }
  chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kTool), "confcast 0.1"});
  for (std::uint32_t repair : s.repair_ssrcs) {
    rtp::SdesChunk& c = sdes.chunks.emplace_back();
    c.ssrc = repair;
    c.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kCname), cname_});
  }
  rtp::RtcpCompound compound;
  compound.emplace_back(std::move(sr));
  compound.emplace_back(std::move(sdes));
  if (bye_reason) {
    rtp::Bye bye;
    bye.ssrcs.push_back(s.ssrc);
    bye.reason = bye_reason->substr(0, 255);
    compound.emplace_back(std::move(bye));
  }
  auto wire = rtp::Serialize(compound);
  if (!wire) return 0;
  auto sent = net::SendOne(s.socket->rtcp_fd(), *wire);
  if (!sent) {
    if (config_.verbose) std::fprintf(stderr, "confcast-send: rtcp send: %s\n", sent.error().message.c_str());
    return 0;
  }
  ++reports_sent_;
  return wire->size();
}

void RtcpSession::SendBye(const std::string& reason) {
  for (auto& s : streams_) (void)SendCompound(*s, reason);
}

void RtcpSession::OnReadable(Stream& s) {
  const net::GroupSocket* listener = s.socket->rtcp_listener();
  auto got = s.receiver.Receive(listener->fd());
  if (!got) return;
  const auto now = Clock::now();
  for (const net::Datagram& d : *got) {
    // Reduced-size RTCP (RFC 5506) is accepted: a lone PLI or NACK is still a request.
    auto compound = rtp::ParseRtcp(d.data, rtp::RtcpParseOptions{.strict = false});
    if (!compound) {
      ++malformed_;
      continue;
    }
    for (const rtp::RtcpPacket& p : *compound) Handle(s, p, d.data.size(), now);
  }
}

void RtcpSession::Handle(Stream& s, const rtp::RtcpPacket& packet, std::size_t compound_size,
                         Clock::time_point now) {
  auto is_ours = [&](std::uint32_t ssrc) {
    return std::any_of(streams_.begin(), streams_.end(), [&](const auto& x) {
      return x->ssrc == ssrc || std::find(x->repair_ssrcs.begin(), x->repair_ssrcs.end(), ssrc) != x->repair_ssrcs.end();
    });
  };
  auto touch = [&](std::uint32_t ssrc) -> ReceiverInfo& {
    ReceiverInfo& r = receivers_[ssrc];
    r.ssrc = ssrc;
    r.stream = s.kind;
    r.last_heard = now;
    return r;
  };
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, rtp::ReceiverReport> || std::is_same_v<T, rtp::SenderReport>) {
          if (is_ours(p.sender_ssrc)) return;
          s.scheduler->OnRtcpReceived(p.sender_ssrc, Micros(now), compound_size);
          touch(p.sender_ssrc);
          for (const rtp::ReportBlock& b : p.report_blocks) {
            if (b.ssrc == s.ssrc) OnReportBlock(s, p.sender_ssrc, b, now);
          }
        } else if constexpr (std::is_same_v<T, rtp::Sdes>) {
          for (const rtp::SdesChunk& c : p.chunks) {
            if (is_ours(c.ssrc)) {
              const std::string* cname = c.Find(rtp::SdesType::kCname);
              if (cname && *cname != cname_) {
                for (auto& mine : streams_) {
                  if (mine->ssrc == c.ssrc) ResolveCollision(*mine, *cname);
                }
              }
              continue;
            }
            ReceiverInfo& r = touch(c.ssrc);
            if (const std::string* v = c.Find(rtp::SdesType::kCname)) r.cname = *v;
            if (const std::string* v = c.Find(rtp::SdesType::kName)) r.name = *v;
          }
        } else if constexpr (std::is_same_v<T, rtp::Bye>) {
          for (std::uint32_t ssrc : p.ssrcs) {
            if (is_ours(ssrc)) continue;
            (void)s.scheduler->OnByeReceived(ssrc, Micros(now), compound_size);
            receivers_.erase(ssrc);
          }
        } else if constexpr (std::is_same_v<T, rtp::Pli>) {
          if (is_ours(p.sender_ssrc) || p.media_ssrc != s.ssrc) return;
          ++plis_;
          touch(p.sender_ssrc);
          if (on_keyframe_request) on_keyframe_request(p.sender_ssrc, std::nullopt);
        } else if constexpr (std::is_same_v<T, rtp::Fir>) {
          if (is_ours(p.sender_ssrc)) return;
          for (const rtp::FirEntry& e : p.entries) {
            if (e.ssrc != s.ssrc) continue;
            ++firs_;
            touch(p.sender_ssrc);
            if (on_keyframe_request) on_keyframe_request(p.sender_ssrc, e.seq_nr);
          }
        } else if constexpr (std::is_same_v<T, rtp::Nack>) {
          if (is_ours(p.sender_ssrc) || p.media_ssrc != s.ssrc) return;
          nacks_ += rtp::ExpandNack(p.items).size();
          touch(p.sender_ssrc);
          if (on_nack) on_nack(p);
        }
      },
      packet);
}

void RtcpSession::OnReportBlock(Stream& s, std::uint32_t reporter, const rtp::ReportBlock& block,
                                Clock::time_point now) {
  ReceiverInfo& r = receivers_[reporter];
  r.ssrc = reporter;
  r.stream = s.kind;
  r.last_heard = now;
  r.fraction_lost = block.fraction_lost / 256.0;
  Stream::LossWindow& w = s.loss_by_reporter[reporter];
  if (!w.samples.empty() && static_cast<std::int64_t>(block.extended_highest_seq) < w.samples.back().highest) {
    w.samples.clear();  // the receiver restarted its statistics (new sender SSRC, resync)
  }
  w.samples.push_back({now, block.cumulative_lost, static_cast<std::int64_t>(block.extended_highest_seq)});
  while (now - w.samples.front().at > std::chrono::seconds(5)) w.samples.pop_front();
  w.last_heard = now;
  r.cumulative_lost = block.cumulative_lost;
  r.jitter_ms = block.jitter * 1000.0 / s.clock->clock_rate();
  if (auto rtt = rtp::RoundTripTime(block, NtpNow())) r.rtt_ms = static_cast<double>(rtt->count()) / 1000.0;
}

void RtcpSession::ResolveCollision(Stream& s, const std::string& other_cname) {
  const std::uint32_t old_ssrc = s.ssrc;
  ++ssrc_collisions_;
  (void)SendCompound(s, std::string("SSRC collision"));  // BYE for the old identifier
  std::uint32_t fresh = 0;
  auto taken = [&](std::uint32_t x) {
    if (x == 0 || x == old_ssrc || receivers_.count(x)) return true;
    return std::any_of(streams_.begin(), streams_.end(), [&](const auto& o) { return o->ssrc == x; });
  };
  do fresh = static_cast<std::uint32_t>(rng_()); while (taken(fresh));
  s.ssrc = fresh;
  std::fprintf(stderr, "confcast-send: %s SSRC %08x is also used by %s; now %08x (RFC 3550 8.2)\n",
               s.kind.c_str(), old_ssrc, other_cname.c_str(), fresh);
  if (on_ssrc_change) on_ssrc_change(s.kind, old_ssrc, fresh);
}

std::uint32_t RtcpSession::ssrc_of(const std::string& kind) const {
  for (const auto& s : streams_) {
    if (s->kind == kind) return s->ssrc;
  }
  return 0;
}

std::vector<ReceiverInfo> RtcpSession::Receivers() const {
  std::vector<ReceiverInfo> out;
  for (const auto& [ssrc, r] : receivers_) out.push_back(r);
  return out;
}

}  // namespace confcast::sender

// confcast-recv. One thread runs the event loop: datagrams in (batched, kernel-stamped),
// per-SSRC pipelines, a 2 ms tick that releases frames and audio slots at their playout time,
// and a 20 ms tick for RTCP (RFC 3550 interval via RtcpScheduler) and participant timeouts.
#include <confcast/media/sink.h>
#include <confcast/net/batch_io.h>
#include <confcast/net/event_loop.h>
#include <confcast/net/interface.h>
#include <confcast/net/socket.h>
#include <confcast/receiver/receiver.h>
#include <confcast/receiver/source_gate.h>
#include <confcast/rtp/rtcp.h>
#include <confcast/rtp/rtcp_interval.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "audio_stream.h"
#include "drop_counters.h"
#include "fec_recovery.h"
#include "nack_controller.h"
#include "participants.h"
#include "recv_stats.h"
#include "sap_discovery.h"
#include "session_plan.h"
#include "signal_watch.h"
#include "srtp_setup.h"
#include "video_stream.h"

namespace confcast::receiver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kParticipantTimeout = std::chrono::seconds(5);
constexpr auto kCollisionHandover = std::chrono::seconds(1);

rtp::Timestamp WallNow() {
  return std::chrono::duration_cast<rtp::Timestamp>(std::chrono::system_clock::now().time_since_epoch());
}
rtp::Timestamp MonoNow() {
  return std::chrono::duration_cast<rtp::Timestamp>(Clock::now().time_since_epoch());
}
void Fail(const std::string& line) { std::fprintf(stderr, "confcast-recv: %s\n", line.c_str()); }

struct Port {
  std::string kind;
  MediaPlan plan;
  net::MulticastEndpoint endpoint;
  std::optional<net::ReceiverStream> rx;
  std::optional<net::SenderStream> tx;  // our RTCP goes to group:P+1 from here
  net::BatchReceiver rtp_in{64, 2048};
  net::BatchReceiver rtcp_in{16, 2048};
  std::optional<rtp::RtcpScheduler> scheduler;
  double bandwidth_bps = 0;
  std::uint64_t malformed_rtp = 0, malformed_rtcp = 0, datagrams = 0;
  SourceGate gate;  // new SSRCs wait here until they validate (RFC 3550 A.1)
};

using Source = std::pair<net::IpAddress, std::uint16_t>;

class Receiver {
 public:
  // `sdp_text`: the description --join found announced, used as if read from a file.
  Receiver(const RecvOptions& o, std::optional<std::string> sdp_text)
      : o_(o), sdp_text_(std::move(sdp_text)), rng_(std::random_device{}()) {}
  int Run();

 private:
  bool Setup();
  bool OpenPort(Port& port, const std::string& kind, const MediaPlan& plan, double bandwidth);
  void OnRtp(Port& port);
  void HandleRtp(Port& port, const rtp::RtpView& view, std::span<const std::uint8_t> bytes,
                 const Source& source, rtp::Timestamp arrival, Clock::time_point now);
  void OwnSsrcCollision(const std::string& why);
  // Copies the sockets' and source gates' counters into drops_ (they keep their own totals).
  void CountSocketDrops();
  void OnRtcp(Port& port);
  // `compound_size`: bytes of the datagram the packet came in, for the RTCP interval's average.
  void HandleRtcp(Port& port, const rtp::RtcpPacket& packet, std::size_t compound_size,
                  Clock::time_point now);
  void PlayoutTick();
  void AlignAudio();
  void RtcpTick();
  // `nacks`: generic NACKs sent as early feedback (RFC 4585 3.5) with RR + SDES.
  void SendCompound(Port& port, std::optional<std::uint32_t> pli_for,
                    const std::optional<std::string>& bye_reason,
                    std::vector<rtp::Nack> nacks = {});
  void HandleRtx(const net::Datagram& d, rtp::Timestamp arrival);
  void SendNacks(rtp::Timestamp now);
  void RequestKeyframe(std::uint32_t ssrc);
  Participant* Admit(std::uint32_t ssrc, const std::string& kind, const Source& source,
                     Clock::time_point now, std::uint64_t& conflicts);
  struct Held {
    std::vector<std::uint8_t> bytes;
    rtp::Timestamp arrival;
  };
  bool Validated(rtp::PacketVerdict v, const rtp::RtpView& view,
                 std::span<const std::uint8_t> bytes, rtp::Timestamp arrival);
  std::vector<Held> TakeHeld(std::uint32_t ssrc);
  void AttachSinks();
  void ReconsiderSingleSink();
  void DeliverRecovered(const FecRecovery::Datagrams& packets, rtp::Timestamp arrival);
  void Remove(std::uint32_t ssrc, const std::string& why);
  bool Chosen(const Participant& p) const;
  // How long a participant that said BYE is kept: longer than anything the jitter buffer holds.
  std::chrono::milliseconds ByeGrace() const {
    return std::chrono::milliseconds(std::max(500, o_.latency_ms + 200));
  }

  RecvOptions o_;
  std::optional<std::string> sdp_text_;
  std::mt19937 rng_;
  SessionPlan plan_;
  std::unique_ptr<net::EventLoop> loop_;
  std::optional<net::InterfaceChoice> iface_;
  Port video_port_, audio_port_;
  std::map<std::uint32_t, std::unique_ptr<VideoStream>> videos_;
  std::map<std::uint32_t, std::unique_ptr<AudioStream>> audios_;
  std::map<std::uint32_t, Participant> participants_;
  std::map<std::uint32_t, Clock::time_point> departed_;  // ignore strays after BYE for 2 s
  // Keyframe requests per source. A source that keeps sending but never answers with a
  // keyframe start (a foreign stream that only looks like ours) is asked less and less often.
  struct PliState {
    Clock::time_point last{};
    int unanswered = 0;
    std::uint64_t packets_since = 0;  // packets of the source since the last PLI
    bool keyframe_since = false;      // a keyframe start arrived since the last PLI
  };
  std::map<std::uint32_t, PliState> pli_;
  std::map<std::uint32_t, std::vector<Held>> held_;  // packets of sources still on probation
  FecRecovery fec_;
  std::string video_sink_spec_, audio_sink_spec_;
  bool windowed_ = false;
  std::map<std::uint32_t, std::unique_ptr<media::VideoSink>> windows_;
  using SinkResult = std::expected<std::unique_ptr<media::VideoSink>, media::MediaError>;
  std::map<std::uint32_t, std::future<SinkResult>> opening_;  // windows being opened
  std::unique_ptr<media::VideoSink> single_sink_;
  std::optional<std::uint32_t> single_owner_;
  Clock::time_point single_since_{};
  std::set<std::uint32_t> passed_over_;  // held the single sink and showed nothing
  std::unique_ptr<media::AudioSink> audio_sink_;
  std::optional<std::uint32_t> audio_owner_;
  std::uint32_t own_ssrc_ = 0;
  std::string cname_;
  rtp::Timestamp start_wall_{};
  bool first_stream_ = true;
  std::unique_ptr<RecvStatsReporter> stats_;
  std::optional<SignalWatch> signal_;  // the receive watchdog
  std::shared_ptr<net::SrtpGroup> srtp_;  // --key-file: on every socket (srtp_setup.h)
  EncryptedPayloadHint encrypted_hint_;   // without --key-file
  std::uint64_t plis_sent_ = 0;
  std::uint64_t stray_after_bye_ = 0;
  std::uint64_t plis_suppressed_ = 0;
  std::uint64_t own_ssrc_changes_ = 0;
  DropCounters drops_;
  std::unique_ptr<NackController> nack_;
};

bool Receiver::OpenPort(Port& port, const std::string& kind, const MediaPlan& plan, double bandwidth) {
  port.kind = kind;
  port.plan = plan;
  port.bandwidth_bps = bandwidth;
  auto ep = net::MakeEndpoint(plan_.group, plan.port, plan_.source);
  if (!ep) return Fail(fmt::format("{} port {}: {}", kind, plan.port, ep.error().message)), false;
  port.endpoint = *ep;
  auto rx = net::ReceiverStream::Open(*ep, *iface_);
  if (!rx) return Fail(rx.error().message), false;
  for (const auto& w : rx->warnings()) std::fprintf(stderr, "confcast-recv: warning: %s\n", w.c_str());
  port.rx.emplace(std::move(*rx));
  signal_->Track(port.rx->rtp(), port.rx->rtcp());
  net::SenderOptions so;
  so.listen_rtcp = false;  // port.rx already hears group:P+1
  so.ttl = o_.ttl;
  auto tx = net::SenderStream::Open(*ep, *iface_, so);
  if (!tx) return Fail(tx.error().message), false;
  port.tx.emplace(std::move(*tx));
  if (srtp_) AttachSrtp(*srtp_, *port.rx, *port.tx);  // SRTP hook: before any parsing
  Port* raw = &port;
  if (auto ok = loop_->Watch(port.rx->rtp_fd(), [this, raw] { OnRtp(*raw); }); !ok) {
    return Fail(ok.error().message), false;
  }
  if (auto ok = loop_->Watch(port.rx->rtcp_fd(), [this, raw] { OnRtcp(*raw); }); !ok) {
    return Fail(ok.error().message), false;
  }
  rtp::RtcpSchedulerConfig c;
  c.own_ssrc = own_ssrc_;
  c.rtcp_bandwidth_bytes_per_s = 0.05 * bandwidth / 8;
  c.min_interval = std::min(rtp::kRtcpMinInterval, rtp::ReducedMinInterval(2.5e6 + 64e3));
  port.scheduler.emplace(c, MonoNow(), std::uniform_real_distribution<double>(0, 1)(rng_));
  return true;
}

bool Receiver::Setup() {
  auto loop = net::EventLoop::Create();
  if (!loop) return Fail(loop.error().message), false;
  loop_ = std::move(*loop);
  // Before any thread exists (GStreamer sinks start their own): signalfd needs SIGINT/SIGTERM
  // blocked in every thread.
  if (auto ok = loop_->StopOnSignals(); !ok) return Fail(ok.error().message), false;
  auto plan = sdp_text_             ? PlanFromSdpText(*sdp_text_)
              : o_.sdp_path.empty() ? PlanFromOptions(o_)
                                    : PlanFromSdpFile(o_.sdp_path);
  if (!plan) return Fail((sdp_text_ ? "announced SDP: " : "") + plan.error()), false;
  plan_ = *plan;
  auto srtp = LoadSrtp(o_, plan_);
  if (!srtp) return Fail(srtp.error()), false;
  srtp_ = *srtp;
  stats_->set_srtp(srtp_.get());
  const std::uint16_t first_port = plan_.video ? plan_.video->port : plan_.audio->port;
  auto ep = net::MakeEndpoint(plan_.group, first_port, plan_.source);
  if (!ep) return Fail(ep.error().message), false;
  auto iface = net::SelectInterface(o_.iface, *ep);
  if (!iface) return Fail("--iface: " + iface.error().message), false;
  iface_ = *iface;
  signal_.emplace(*ep, iface_->iface.name);
  std::fprintf(stderr, "confcast-recv: %s\n", iface_->StartupLine(*ep).c_str());
  for (const auto& w : iface_->warnings) std::fprintf(stderr, "confcast-recv: warning: %s\n", w.c_str());

  own_ssrc_ = o_.ssrc.value_or(static_cast<std::uint32_t>(rng_()));
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) std::snprintf(host, sizeof host, "localhost");
  cname_ = fmt::format("{:08x}{:08x}@{}", rng_(), rng_(), host);

  video_sink_spec_ = o_.video_sink.empty() ? media::DefaultVideoSinkSpec() : o_.video_sink;
  windowed_ = video_sink_spec_.rfind("window", 0) == 0;
  audio_sink_spec_ = !o_.audio_sink.empty() ? o_.audio_sink : (windowed_ ? "auto" : "null");
  if (!windowed_ && plan_.video) {
    media::VideoSinkOptions vo;
    vo.title = o_.participant.empty() ? "confcast" : o_.participant;
    auto sink = media::CreateVideoSink(video_sink_spec_, vo);
    if (!sink) return Fail("--video-sink " + video_sink_spec_ + ": " + sink.error().message), false;
    single_sink_ = std::move(*sink);
  }
  if (plan_.audio) {
    auto sink = media::CreateAudioSink(audio_sink_spec_);
    if (!sink) return Fail("--audio-sink " + audio_sink_spec_ + ": " + sink.error().message), false;
    audio_sink_ = std::move(*sink);
  }
  if (plan_.video) {
    NackControllerConfig nc;
    nc.send_nacks = o_.nack;
    nc.media_payload_type = plan_.video->payload_type;
    // Give up on a packet when the jitter buffer would (its ceiling).
    nc.tracker.deadline = std::chrono::milliseconds(std::max(1, o_.latency_ms));
    nack_ = std::make_unique<NackController>(nc);
  }
  if (plan_.video && !OpenPort(video_port_, "video", *plan_.video, 2.5e6)) return false;
  if (plan_.audio && !OpenPort(audio_port_, "audio", *plan_.audio, 64e3)) return false;
  return true;
}

bool Receiver::Chosen(const Participant& p) const {
  if (o_.participant.empty()) return true;
  if (p.name == o_.participant || p.cname == o_.participant) return true;
  return fmt::format("{:08x}", p.ssrc) == o_.participant || std::to_string(p.ssrc) == o_.participant;
}

Participant* Receiver::Admit(std::uint32_t ssrc, const std::string& kind, const Source& source,
                             Clock::time_point now, std::uint64_t& conflicts) {
  if (auto it = departed_.find(ssrc); it != departed_.end()) {
    if (now - it->second < std::chrono::seconds(2)) {
      ++stray_after_bye_;
      return nullptr;
    }
    departed_.erase(it);
  }
  Participant& p = participants_[ssrc];
  if (p.ssrc == 0 && p.kind.empty()) p.first_heard = now;
  p.ssrc = ssrc;
  if (p.kind.empty()) p.kind = kind;
  if (!p.rtp_source) {
    p.rtp_source = source;
  } else if (*p.rtp_source != source) {
    // RFC 3550 8.2: the same SSRC from another transport address. Keep the first source
    // while it is alive; hand over only once it has gone quiet (a restarted sender).
    if (now - p.last_heard < kCollisionHandover) {
      ++conflicts;
      return nullptr;
    }
    p.rtp_source = source;
    if (kind == "video") videos_.erase(ssrc);
    if (kind == "audio") audios_.erase(ssrc);
  }
  p.last_heard = now;
  return &p;
}

void Receiver::OnRtp(Port& port) {
  auto got = port.rtp_in.Receive(port.rx->rtp_fd());
  if (!got) return;
  const auto now = Clock::now();
  if (!got->empty()) signal_->OnPacket(MonoNow());
  for (const net::Datagram& d : *got) {
    ++port.datagrams;
    auto view = rtp::ParseRtp(d.data);
    if (!view) {
      ++port.malformed_rtp;
      drops_.Count(DropReason(view.error()));
      continue;
    }
    const rtp::Timestamp arrival =
        d.arrival.count() ? std::chrono::duration_cast<rtp::Timestamp>(d.arrival) : WallNow();
    const Source source{d.source, d.source_port};
    // Retransmissions share the video port (SSRC multiplexing) but are never a participant.
    if (port.kind == "video" && nack_ && nack_->IsRtx(*view)) {
      HandleRtx(d, arrival);
      continue;
    }
    if (port.kind == "video" && FecRecovery::IsRepair(*view)) {  // FlexFEC: its own SSRC, PT 98
      auto r = fec_.OnRepair(*view, d.data, [&](std::uint32_t ssrc) { return videos_.count(ssrc) > 0; });
      if (r.media_ssrc) ++videos_[*r.media_ssrc]->figures().repair.fec_received;
      DeliverRecovered(r.recovered, arrival);
      continue;
    }
    if (!srtp_ && port.kind == "video") encrypted_hint_.OnVideoPayload(view->payload);
    // We send no RTP: a stream with our SSRC is another participant using it (RFC 3550 8.2).
    if (view->ssrc == own_ssrc_) OwnSsrcCollision("RTP");
    if (participants_.count(view->ssrc)) {
      HandleRtp(port, *view, d.data, source, arrival, now);
      continue;
    }
    auto validated = port.gate.Offer(view->ssrc, view->sequence_number, d.data, arrival,
                                     static_cast<std::uint32_t>(rng_()));
    if (!validated) continue;
    for (const SourceGate::Held& h : *validated) {
      if (auto hv = rtp::ParseRtp(h.datagram)) HandleRtp(port, *hv, h.datagram, source, h.arrival, now);
    }
  }
}

void Receiver::HandleRtp(Port& port, const rtp::RtpView& view, std::span<const std::uint8_t> bytes,
                         const Source& source, rtp::Timestamp arrival, Clock::time_point now) {
  std::uint64_t conflicts = 0;
  Participant* p = Admit(view.ssrc, port.kind, source, now, conflicts);
  if (!p) {
    if (conflicts) {
      drops_.Count("ssrc_conflict");
      if (port.kind == "video" && videos_.count(view.ssrc)) ++videos_[view.ssrc]->figures().ssrc_conflicts;
    } else {
      drops_.Count("after_bye");
    }
    return;
  }
  (void)port.scheduler->OnRtpReceived(view.ssrc, MonoNow());
  const rtp::Timestamp since = first_stream_ ? start_wall_ : arrival;
  if (port.kind == "video") {
    auto& s = videos_[view.ssrc];
    if (!s) {
      first_stream_ = false;
      s = std::make_unique<VideoStream>(
          VideoStreamConfig{view.ssrc, port.plan.payload_type, port.plan.abs_capture_time_id,
                            std::chrono::milliseconds(o_.latency_ms),
                            // With NACK on, a hole may wait the whole latency budget for its
                            // retransmission before the frame is given up.
                            o_.nack ? std::chrono::milliseconds(o_.latency_ms)
                                    : std::chrono::milliseconds(0)},
          since);
      if (o_.verbose) std::fprintf(stderr, "confcast-recv: new video source %08x\n", view.ssrc);
      if (nack_) nack_->AddMedia(view.ssrc);
      AttachSinks();
    }
    if (auto it = pli_.find(view.ssrc); it != pli_.end()) {
      ++it->second.packets_since;
      if (rtp::StartsKeyframe(view.payload)) it->second.keyframe_since = true;
    }
    const rtp::PacketVerdict v = s->stats().OnPacket(view.sequence_number, view.timestamp,
                                                     arrival, view.payload.size());
    if (!Validated(v, view, bytes, arrival)) return;
    for (auto& held : TakeHeld(view.ssrc)) {
      auto hv = rtp::ParseRtp(held.bytes);
      if (!hv) continue;
      if (s->OnPacket(*hv, held.arrival)) RequestKeyframe(view.ssrc);
      if (nack_) nack_->OnMedia(view.ssrc, hv->sequence_number, hv->marker, held.arrival);
    }
    if (s->OnPacket(view, arrival)) RequestKeyframe(view.ssrc);
    if (nack_) nack_->OnMedia(view.ssrc, view.sequence_number, view.marker, arrival);
    DeliverRecovered(fec_.OnMedia(view.ssrc, bytes), arrival);
  } else {
    auto& s = audios_[view.ssrc];
    if (!s) {
      first_stream_ = false;
      s = std::make_unique<AudioStream>(
          AudioStreamConfig{view.ssrc, port.plan.payload_type, port.plan.abs_capture_time_id,
                            port.plan.channels, std::chrono::milliseconds(o_.latency_ms)},
          since);
      AttachSinks();
    }
    const rtp::PacketVerdict v = s->stats().OnPacket(view.sequence_number, view.timestamp,
                                                     arrival, view.payload.size());
    if (!Validated(v, view, bytes, arrival)) return;
    for (auto& held : TakeHeld(view.ssrc)) {
      if (auto hv = rtp::ParseRtp(held.bytes)) s->OnPacket(*hv, held.arrival);
    }
    s->OnPacket(view, arrival);
  }
  if (port.kind == "video") SendNacks(WallNow());  // a burst may have made a loss certain
}

// RFC 4588: restore the original packet and feed it where the media would have gone.
void Receiver::HandleRtx(const net::Datagram& d, rtp::Timestamp arrival) {
  auto restored = nack_->Restore(d.data);
  if (!restored) return;
  auto it = videos_.find(restored->media_ssrc);
  if (it == videos_.end()) return;
  VideoStream& s = *it->second;
  ++s.figures().repair.rtx_received;
  auto view = rtp::ParseRtp(restored->bytes);
  if (!view) return;
  if (s.OnPacket(*view, arrival, PacketOrigin::kRtx)) RequestKeyframe(restored->media_ssrc);
  nack_->OnRecovered(restored->media_ssrc, restored->seq, arrival);
}

void Receiver::SendNacks(rtp::Timestamp now) {
  if (!nack_) return;
  std::vector<NackRequest> due =
      nack_->Process(now, std::uniform_real_distribution<double>(0, 1)(rng_));
  std::vector<rtp::Nack> nacks;
  for (NackRequest& r : due) {
    nacks.push_back(rtp::Nack{own_ssrc_, r.media_ssrc, std::move(r.items)});
    if (o_.verbose) {
      std::fprintf(stderr, "confcast-recv: NACK %zu packets of %08x\n", r.seqs.size(), r.media_ssrc);
    }
  }
  if (!nacks.empty()) SendCompound(video_port_, std::nullopt, std::nullopt, std::move(nacks));
  for (auto& [ssrc, s] : videos_) {
    const rtp::NackTracker* t = nack_->TrackerFor(ssrc);
    if (!t) continue;
    RepairFigures& f = s->figures().repair;
    f.nacks_sent = t->stats().nacks_sent;
    f.nacks_suppressed = t->stats().nacks_suppressed;
    f.lost_for_good = t->stats().lost_for_good;
    f.rtt_ms = static_cast<double>(t->rtt().count()) / 1000.0;
  }
}

// RFC 3550 A.1 keeps a new source on probation until two packets arrive in sequence. The
// first packet of a stream is usually its IDR, so instead of dropping probation packets they
// are held and delivered once the source validates.
bool Receiver::Validated(rtp::PacketVerdict v, const rtp::RtpView& view,
                         std::span<const std::uint8_t> bytes, rtp::Timestamp arrival) {
  if (v == rtp::PacketVerdict::kProbation) {
    auto& held = held_[view.ssrc];
    if (held.size() < 8) held.push_back(Held{std::vector<std::uint8_t>(bytes.begin(), bytes.end()), arrival});
    return false;
  }
  if (v == rtp::PacketVerdict::kBadJump) {
    drops_.Count("bad_sequence_jump");
    return false;
  }
  if (v == rtp::PacketVerdict::kResync) held_.erase(view.ssrc);
  return true;
}

std::vector<Receiver::Held> Receiver::TakeHeld(std::uint32_t ssrc) {
  auto it = held_.find(ssrc);
  if (it == held_.end()) return {};
  std::vector<Held> out = std::move(it->second);
  held_.erase(it);
  return out;
}

void Receiver::DeliverRecovered(const FecRecovery::Datagrams& packets, rtp::Timestamp arrival) {
  for (const auto& bytes : packets) {
    auto view = rtp::ParseRtp(bytes);
    auto it = view ? videos_.find(view->ssrc) : videos_.end();
    if (it == videos_.end()) continue;
    if (it->second->OnPacket(*view, arrival, PacketOrigin::kFec)) RequestKeyframe(view->ssrc);
    if (nack_) nack_->OnRecovered(view->ssrc, view->sequence_number, arrival);  // no NACK for it
  }
}

void Receiver::AttachSinks() {
  for (auto& [ssrc, stream] : videos_) {
    if (stream->has_sink()) continue;
    const Participant& p = participants_[ssrc];
    if (!Chosen(p)) continue;
    if (windowed_) {
      // A window is titled with the participant's SDES NAME, which comes with its first RTCP
      // packet a moment after its first RTP: wait for it, up to a second. Opening a window
      // (starting a GStreamer pipeline, connecting to X) takes long enough to stall the event
      // loop, so it happens on a thread of its own and the sink is attached once it is ready.
      if (p.name.empty() && Clock::now() - p.first_heard < std::chrono::seconds(1)) continue;
      auto pending = opening_.find(ssrc);
      if (pending == opening_.end()) {
        media::VideoSinkOptions vo;
        vo.title = !p.name.empty() ? p.name : fmt::format("confcast {:08x}", ssrc);
        opening_.emplace(ssrc, std::async(std::launch::async, [spec = video_sink_spec_, vo] {
                           return media::CreateVideoSink(spec, vo);
                         }));
        continue;
      }
      if (pending->second.wait_for(std::chrono::seconds(0)) != std::future_status::ready) continue;
      auto sink = pending->second.get();
      opening_.erase(pending);
      if (!sink) {
        Fail("--video-sink " + video_sink_spec_ + ": " + sink.error().message);
        continue;
      }
      stream->AttachSink(sink->get());
      windows_[ssrc] = std::move(*sink);
      RequestKeyframe(ssrc);
    } else if (single_sink_ && !single_owner_ && !passed_over_.count(ssrc)) {
      single_owner_ = ssrc;
      single_since_ = Clock::now();
      stream->AttachSink(single_sink_.get());
      RequestKeyframe(ssrc);
      if (o_.verbose) std::fprintf(stderr, "confcast-recv: showing %08x\n", ssrc);
    }
  }
  for (auto& [ssrc, stream] : audios_) {
    if (audio_sink_ && !audio_owner_ && Chosen(participants_[ssrc])) {
      audio_owner_ = ssrc;
      stream->AttachSink(audio_sink_.get());
    }
  }
}

// A single-stream sink goes to the first video source heard. If that source has shown nothing
// for 3 s while another source is there (a stream that only looks like ours came first), the
// sink moves on and does not come back to it, so a foreign source cannot hold the screen.
void Receiver::ReconsiderSingleSink() {
  if (!single_owner_ || !o_.participant.empty()) return;
  auto owner = videos_.find(*single_owner_);
  if (owner == videos_.end() || owner->second->figures().frames_rendered > 0) return;
  if (Clock::now() - single_since_ < std::chrono::seconds(3)) return;
  const bool other = std::any_of(videos_.begin(), videos_.end(), [&](const auto& kv) {
    return kv.first != *single_owner_ && !passed_over_.count(kv.first);
  });
  if (!other) return;
  std::fprintf(stderr, "confcast-recv: %08x showed nothing in 3 s; showing another participant\n",
               *single_owner_);
  passed_over_.insert(*single_owner_);
  owner->second->AttachSink(nullptr);
  single_owner_.reset();
  AttachSinks();
}

void Receiver::Remove(std::uint32_t ssrc, const std::string& why) {
  if (o_.verbose || participants_[ssrc].kind == "video") {
    std::fprintf(stderr, "confcast-recv: participant %08x%s left (%s)\n", ssrc,
                 participants_[ssrc].name.empty() ? "" : (" " + participants_[ssrc].name).c_str(),
                 why.c_str());
  }
  if (auto it = videos_.find(ssrc); it != videos_.end()) {
    stats_->Retire(ssrc, "video", it->second->figures());
    videos_.erase(it);
    if (nack_) nack_->Forget(ssrc);
  }
  if (auto it = audios_.find(ssrc); it != audios_.end()) {
    stats_->Retire(ssrc, "audio", it->second->figures());
    audios_.erase(it);
  }
  windows_.erase(ssrc);
  held_.erase(ssrc);
  fec_.Forget(ssrc);
  if (single_owner_ == ssrc) single_owner_.reset();
  if (audio_owner_ == ssrc) audio_owner_.reset();
  participants_.erase(ssrc);
  departed_[ssrc] = Clock::now();
  AttachSinks();  // the next participant takes over a single-stream sink
}

void Receiver::OnRtcp(Port& port) {
  auto got = port.rtcp_in.Receive(port.rx->rtcp_fd());
  if (!got) return;
  const auto now = Clock::now();
  for (const net::Datagram& d : *got) {
    auto compound = rtp::ParseRtcp(d.data, rtp::RtcpParseOptions{.strict = false});
    if (!compound) {
      ++port.malformed_rtcp;
      drops_.Count(DropReason(compound.error()));
      continue;
    }
    for (const rtp::RtcpPacket& p : *compound) HandleRtcp(port, p, d.data.size(), now);
  }
}

void Receiver::HandleRtcp(Port& port, const rtp::RtcpPacket& packet, std::size_t compound_size,
                          Clock::time_point now) {
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, rtp::SenderReport>) {
          if (p.sender_ssrc == own_ssrc_) return;
          port.scheduler->OnRtcpReceived(p.sender_ssrc, MonoNow(), compound_size);
          signal_->OnSenderReport(MonoNow());
          if (auto it = videos_.find(p.sender_ssrc); it != videos_.end()) {
            it->second->OnSenderReport(p.ntp, p.rtp_timestamp, MonoNow());
          }
          if (auto it = audios_.find(p.sender_ssrc); it != audios_.end()) {
            it->second->OnSenderReport(p.ntp, p.rtp_timestamp, MonoNow());
          }
          if (auto it = participants_.find(p.sender_ssrc); it != participants_.end()) {
            it->second.last_heard = now;
          }
        } else if constexpr (std::is_same_v<T, rtp::ReceiverReport>) {
          if (p.sender_ssrc != own_ssrc_) {
            port.scheduler->OnRtcpReceived(p.sender_ssrc, MonoNow(), compound_size);
          }
        } else if constexpr (std::is_same_v<T, rtp::Sdes>) {
          for (const rtp::SdesChunk& c : p.chunks) {
            if (const std::string* v = c.Find(rtp::SdesType::kCname); v && nack_) nack_->OnCname(c.ssrc, *v);
            if (c.ssrc == own_ssrc_) {
              // Our own reports come back to us (multicast loopback) with our CNAME; another
              // CNAME on our SSRC is a collision (RFC 3550 8.2).
              const std::string* cname = c.Find(rtp::SdesType::kCname);
              if (cname && *cname != cname_) OwnSsrcCollision("RTCP from " + *cname);
              continue;
            }
            auto it = participants_.find(c.ssrc);
            if (it == participants_.end()) continue;
            const bool was_unnamed = it->second.name.empty();
            if (const std::string* v = c.Find(rtp::SdesType::kCname)) it->second.cname = *v;
            if (const std::string* v = c.Find(rtp::SdesType::kName)) it->second.name = *v;
            if (was_unnamed && !it->second.name.empty() && o_.verbose) {
              std::fprintf(stderr, "confcast-recv: %08x is '%s'\n", c.ssrc, it->second.name.c_str());
            }
            if (was_unnamed && (windowed_ || !o_.participant.empty())) AttachSinks();
          }
        } else if constexpr (std::is_same_v<T, rtp::Nack>) {
          // Another receiver asked for packets: if we miss them too, the retransmission to the
          // group will serve us, so our own request is suppressed (RFC 4585 3.5.2).
          if (p.sender_ssrc != own_ssrc_ && nack_ && port.kind == "video") {
            nack_->OnNackHeard(p, WallNow());
          }
        } else if constexpr (std::is_same_v<T, rtp::Bye>) {
          for (std::uint32_t ssrc : p.ssrcs) {
            auto it = participants_.find(ssrc);
            if (ssrc == own_ssrc_ || it == participants_.end() || it->second.bye) continue;
            (void)port.scheduler->OnByeReceived(ssrc, MonoNow(), compound_size);
            // Keep it a moment: its last frames may still be in the jitter buffer (a sender
            // whose file ended says BYE right after its final burst).
            it->second.bye = true;
            it->second.bye_at = now;
            it->second.bye_reason = p.reason.empty() ? "BYE" : "BYE: " + p.reason;
            signal_->OnBye(MonoNow(), p.reason);
          }
        }
      },
      packet);
}

// PLI policy. A source we do not decode (no sink: another participant is on the single
// sink, or the stream is foreign) is never asked: attaching a sink asks then. A source that
// keeps sending but never answers with a keyframe start is asked at 200 ms, then at doubling
// intervals up to 6.4 s, so a stream that only looks like ours cannot make us send PLIs
// forever. Silence (an outage) does not count as "not answering": when the path comes back,
// the first request goes out at once.
void Receiver::RequestKeyframe(std::uint32_t ssrc) {
  auto v = videos_.find(ssrc);
  if (v == videos_.end() || !v->second->has_sink()) return;
  const auto now = Clock::now();
  PliState& st = pli_[ssrc];
  const bool asked_before = st.last != Clock::time_point{};
  const int unanswered = st.keyframe_since ? 0 : st.unanswered;
  const auto gap = std::chrono::milliseconds(200) * (1 << std::min(unanswered, 5));
  if (asked_before && now - st.last < gap) {
    ++plis_suppressed_;
    return;
  }
  if (st.keyframe_since) {
    st.unanswered = 0;
  } else if (asked_before && st.packets_since > 0) {
    ++st.unanswered;
  }
  st.last = now;
  st.packets_since = 0;
  st.keyframe_since = false;
  ++plis_sent_;
  if (o_.verbose) std::fprintf(stderr, "confcast-recv: PLI to %08x\n", ssrc);
  SendCompound(video_port_, ssrc, std::nullopt);
}

// RFC 3550 8.2: another participant uses our SSRC. Say BYE for it and continue with a new
// random one that nobody in the session uses.
void Receiver::OwnSsrcCollision(const std::string& why) {
  const std::uint32_t old_ssrc = own_ssrc_;
  for (Port* port : {&video_port_, &audio_port_}) SendCompound(*port, std::nullopt, std::string("SSRC collision"));
  do own_ssrc_ = static_cast<std::uint32_t>(rng_());
  while (own_ssrc_ == 0 || own_ssrc_ == old_ssrc || participants_.count(own_ssrc_));
  ++own_ssrc_changes_;
  std::fprintf(stderr, "confcast-recv: our SSRC %08x is also used by another participant (%s); now %08x\n",
               old_ssrc, why.c_str(), own_ssrc_);
}

void Receiver::SendCompound(Port& port, std::optional<std::uint32_t> pli_for,
                            const std::optional<std::string>& bye_reason,
                            std::vector<rtp::Nack> nacks) {
  if (!port.tx) return;
  const rtp::Timestamp now = MonoNow();
  // Early feedback (PLI, NACK) must not reset the interval statistics of the regular reports.
  const bool early = pli_for.has_value() || !nacks.empty();
  rtp::ReceiverReport rr;
  rr.sender_ssrc = own_ssrc_;
  auto add_blocks = [&](auto& streams) {
    for (auto& [ssrc, s] : streams) {
      if (rr.report_blocks.size() >= 31) break;
      if (auto b = early ? s->stats().PeekReportBlock(now) : s->stats().MakeReportBlock(now)) {
        rr.report_blocks.push_back(*b);
      }
    }
  };
  if (port.kind == "video") add_blocks(videos_); else add_blocks(audios_);
  rtp::Sdes sdes;
  rtp::SdesChunk& chunk = sdes.chunks.emplace_back();
  chunk.ssrc = own_ssrc_;
  chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kCname), cname_});
  if (!o_.name.empty()) chunk.items.push_back({static_cast<std::uint8_t>(rtp::SdesType::kName), o_.name});
  rtp::RtcpCompound compound;
  compound.emplace_back(std::move(rr));
  compound.emplace_back(std::move(sdes));
  if (pli_for) compound.emplace_back(rtp::Pli{own_ssrc_, *pli_for});
  for (rtp::Nack& n : nacks) compound.emplace_back(std::move(n));
  if (bye_reason) {
    rtp::Bye bye;
    bye.ssrcs.push_back(own_ssrc_);
    bye.reason = bye_reason->substr(0, 255);
    compound.emplace_back(std::move(bye));
  }
  auto wire = rtp::Serialize(compound);
  if (!wire) return;
  if (net::SendOne(port.tx->rtcp_fd(), *wire) && !early && !bye_reason) {
    (void)port.scheduler->OnReportSent(now, wire->size(), std::uniform_real_distribution<double>(0, 1)(rng_));
  }
}

void Receiver::PlayoutTick() {
  const rtp::Timestamp now = WallNow();
  for (auto& [ssrc, s] : videos_) {
    if (s->Poll(now)) RequestKeyframe(ssrc);
  }
  for (auto& [ssrc, s] : audios_) s->Poll(now);
  SendNacks(now);
}

// Lip sync: for each audio stream, find the video of the same participant (same CNAME) and
// hold the audio back by how much later (after capture) the video is shown, smoothed.
void Receiver::AlignAudio() {
  for (auto& [assrc, audio] : audios_) {
    const auto ap = participants_.find(assrc);
    const auto play = audio->last_play();
    if (ap == participants_.end() || ap->second.cname.empty() || !play) continue;
    for (auto& [vssrc, video] : videos_) {
      const auto vp = participants_.find(vssrc);
      const auto render = video->last_render();
      if (vp == participants_.end() || vp->second.cname != ap->second.cname || !render) continue;
      const std::int64_t video_delay = render->first - render->second;
      const std::int64_t audio_delay =
          play->first - play->second - audio->lip_sync_delay().count();  // without our hold
      const std::int64_t want = std::clamp<std::int64_t>(video_delay - audio_delay, 0, 200'000);
      const std::int64_t have = audio->lip_sync_delay().count();
      audio->SetLipSyncDelay(rtp::Duration{have + (want - have) / 4});
      break;
    }
  }
}

void Receiver::RtcpTick() {
  const rtp::Timestamp mono = MonoNow();
  for (Port* port : {&video_port_, &audio_port_}) {
    if (!port->scheduler) continue;
    if (mono >= port->scheduler->next()) {
      const auto d = port->scheduler->OnTimer(mono, std::uniform_real_distribution<double>(0, 1)(rng_));
      if (d.action == rtp::RtcpAction::kSendReport) SendCompound(*port, std::nullopt, std::nullopt);
    }
    (void)port->scheduler->CheckTimeouts(mono);
  }
  signal_->Tick(mono);
  if (!opening_.empty()) AttachSinks();  // a window that finished opening
  const auto now = Clock::now();
  std::vector<std::pair<std::uint32_t, std::string>> gone;
  for (const auto& [ssrc, p] : participants_) {
    if (p.bye && now - p.bye_at > ByeGrace()) {
      gone.emplace_back(ssrc, p.bye_reason);
    } else if (!p.bye && now - p.last_heard > kParticipantTimeout) {
      // With no signal at all the path may come back: keep the participant and its picture.
      if (signal_->no_signal()) {
        signal_->OnTimeout(mono);
        continue;
      }
      gone.emplace_back(ssrc, "timed out: nothing heard for 5 s");
    }
  }
  for (const auto& [ssrc, why] : gone) Remove(ssrc, why);
  std::erase_if(departed_, [&](const auto& kv) { return now - kv.second > std::chrono::seconds(10); });
}

void Receiver::CountSocketDrops() {
  std::uint64_t oversize = 0, overflow = 0, unvalidated = 0;
  for (Port* port : {&video_port_, &audio_port_}) {
    oversize += port->rtp_in.counters().truncated + port->rtcp_in.counters().truncated;
    overflow += port->rtp_in.counters().kernel_drops + port->rtcp_in.counters().kernel_drops;
    unvalidated += port->gate.held_dropped();
  }
  drops_.Set("oversize", oversize);
  drops_.Set("kernel_queue_overflow", overflow);
  drops_.Set("never_validated", unvalidated);
}

int Receiver::Run() {
  start_wall_ = WallNow();
  stats_ = std::make_unique<RecvStatsReporter>(o_.stats_json, !o_.quiet);
  if (!Setup()) return 1;
  const auto start = Clock::now();
  auto playout = loop_->AddTimer(std::chrono::milliseconds(2), std::chrono::milliseconds(2),
                                 [this] { PlayoutTick(); });
  auto rtcp = loop_->AddTimer(std::chrono::milliseconds(20), std::chrono::milliseconds(20),
                              [this] { RtcpTick(); });
  auto second = loop_->AddTimer(std::chrono::seconds(1), std::chrono::seconds(1), [&] {
    AlignAudio();
    AttachSinks();  // windows of participants whose NAME never came
    ReconsiderSingleSink();
    CountSocketDrops();
    stats_->Tick(participants_, videos_, audios_, plis_sent_, drops_.Total(),
                 signal_->Figures(MonoNow()));
  });
  if (!playout || !rtcp || !second) return Fail("cannot create timers"), 1;
  const std::chrono::seconds rejoin(o_.rejoin_every_s);  // --rejoin-every
  if (rejoin.count() && !loop_->AddTimer(rejoin, rejoin, [this] { signal_->Rejoin(o_.verbose); }))
    return 1;
  if (o_.duration_s > 0) {
    auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(o_.duration_s));
    if (!loop_->AddTimer(d, std::chrono::nanoseconds(0), [this] { loop_->Stop(); })) return 1;
  }
  auto ran = loop_->Run();
  for (Port* port : {&video_port_, &audio_port_}) SendCompound(*port, std::nullopt, std::string("receiver left"));
  if (single_sink_) (void)single_sink_->Close();
  for (auto& [ssrc, w] : windows_) (void)w->Close();
  if (!ran) return Fail(ran.error().message), 1;
  const std::uint64_t datagrams = video_port_.datagrams + audio_port_.datagrams;
  const std::string reason = loop_->stop_signal() ? "interrupted" : "--duration reached";
  CountSocketDrops();
  FinalExtras extras;
  extras.own_ssrc = own_ssrc_;
  extras.own_ssrc_changes = own_ssrc_changes_;
  extras.plis_suppressed = plis_suppressed_;
  extras.gate_evicted = video_port_.gate.evicted() + audio_port_.gate.evicted();
  stats_->Final(participants_, videos_, audios_, plis_sent_, Clock::now() - start, reason,
                video_port_.malformed_rtp + audio_port_.malformed_rtp,
                video_port_.malformed_rtcp + audio_port_.malformed_rtcp, stray_after_bye_, drops_,
                extras, signal_->Figures(MonoNow()));
  if (datagrams == 0) {
    if (srtp_ && srtp_->Stats().receive_failed() > 0) return Fail(SrtpNothingPassed(*srtp_)), 3;
    Fail(fmt::format("no RTP arrived on {} (interface {}); check that a sender is running, "
                     "--iface, and firewall rules for UDP {}",
                     video_port_.rx ? video_port_.endpoint.ToString() : audio_port_.endpoint.ToString(),
                     iface_->iface.name, video_port_.rx ? video_port_.endpoint.port : audio_port_.endpoint.port));
    return 3;
  }
  return 0;
}

}  // namespace

int RunReceiver(const RecvOptions& options) {
  if (options.list) return RunSapList(options);
  std::optional<std::string> sdp_text;
  if (!options.join.empty()) {
    auto found = DiscoverSdpByName(options);
    if (!found) return found.error();
    sdp_text = std::move(*found);
  }
  Receiver receiver(options, std::move(sdp_text));
  return receiver.Run();
}

}  // namespace confcast::receiver

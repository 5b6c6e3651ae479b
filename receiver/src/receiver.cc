// confcast-recv: set-up, ticks and lifecycle. The shape of the receiver is described in
// receiver_impl.h; the RTP path is in receive_path.cc, the RTCP session in receiver_rtcp.cc.
#include <confcast/media/sink.h>
#include <confcast/net/interface.h>
#include <confcast/net/log.h>
#include <confcast/receiver/receiver.h>
#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>

#include <algorithm>

#include "audio_stream.h"
#include "receiver_impl.h"
#include "sap_discovery.h"
#include "video_stream.h"

namespace confcast::receiver {
namespace {

void Fail(const std::string& line) { spdlog::error("{}", line); }

}  // namespace

Now Now::Read() {
  using namespace std::chrono;
  return {duration_cast<rtp::Timestamp>(system_clock::now().time_since_epoch()),
          duration_cast<rtp::Timestamp>(steady_clock::now().time_since_epoch())};
}

Receiver::~Receiver() {
  streams_.clear();  // decode workers stop before the sinks they render into
  if (sinks_) sinks_->Close();
}

bool Receiver::OpenPort(Port& port, MediaKind kind, const MediaPlan& plan, double bandwidth) {
  port.kind = kind;
  port.plan = plan;
  port.bandwidth_bps = bandwidth;
  auto ep = net::MakeEndpoint(plan_.group, plan.port, plan_.source);
  if (!ep) return Fail(fmt::format("{} port {}: {}", Name(kind), plan.port, ep.error().message)), false;
  port.endpoint = *ep;
  auto rx = net::ReceiverStream::Open(*ep, *iface_);
  if (!rx) return Fail(rx.error().message), false;
  for (const auto& w : rx->warnings()) spdlog::warn("{}", w);
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
  StartSession(port);
  return true;
}

bool Receiver::Setup() {
  auto loop = net::EventLoop::Create();
  if (!loop) return Fail(loop.error().message), false;
  loop_ = std::move(*loop);
  // Before any thread exists (GStreamer sinks and decode workers start their own): signalfd
  // needs SIGINT/SIGTERM blocked in every thread.
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
  spdlog::info("{}", iface_->StartupLine(*ep));
  for (const auto& w : iface_->warnings) spdlog::warn("{}", w);

  own_ssrc_ = o_.ssrc.value_or(static_cast<std::uint32_t>(rng_()));
  cname_ = fmt::format("{:08x}{:08x}@{}", rng_(), rng_(), net::HostName());

  SinkConfig sc;
  sc.video_spec = o_.video_sink.empty() ? media::DefaultVideoSinkSpec() : o_.video_sink;
  const bool windowed = sc.video_spec.rfind("window", 0) == 0;
  sc.audio_spec = !o_.audio_sink.empty() ? o_.audio_sink : (windowed ? "auto" : "null");
  sc.audio_follows_video = o_.audio_sink.empty();
  if (plan_.audio) sc.audio_channels = plan_.audio->channels;
  sc.participant = o_.participant;
  sc.have_video = plan_.video.has_value();
  sc.have_audio = plan_.audio.has_value();
  auto sinks = Sinks::Open(sc);
  if (!sinks) return Fail(sinks.error()), false;
  sinks_ = std::move(*sinks);
  if (plan_.video) {
    NackControllerConfig nc;
    nc.send_nacks = o_.nack;
    nc.media_payload_type = plan_.video->payload_type;
    // Give up on a packet when the jitter buffer would (VideoRepairBudget).
    nc.tracker.deadline =
        VideoRepairBudget(std::chrono::milliseconds(o_.latency_ms), o_.nack).nack_deadline;
    nack_ = std::make_unique<NackController>(nc);
  }
  if (plan_.video && !OpenPort(video_port_, MediaKind::kVideo, *plan_.video, 2.5e6)) return false;
  if (plan_.audio && !OpenPort(audio_port_, MediaKind::kAudio, *plan_.audio, 64e3)) return false;
  return true;
}

ReceiveStream* Receiver::Stream(std::uint32_t ssrc, MediaKind kind) {
  auto it = streams_.find(ssrc);
  return it != streams_.end() && it->second->kind() == kind ? it->second.get() : nullptr;
}

void Receiver::AttachSinks(const Now& now, std::optional<std::uint32_t> fresh) {
  auto who = [this](std::uint32_t ssrc) -> std::optional<SinkCandidate> {
    const rtp::SessionMember* m = Member(ssrc);
    if (!m) return std::nullopt;
    return SinkCandidate{m->name, m->cname, m->first_heard};
  };
  for (std::uint32_t ssrc : sinks_->Attach(streams_, who, now.mono))
    if (ssrc != fresh) RequestKeyframe(ssrc, now);
  for (std::uint32_t ssrc : sinks_->Reconsider(streams_, who, now.mono)) RequestKeyframe(ssrc, now);
}

void Receiver::PlayoutTick() {
  const Now now = Now::Read();
  for (auto& [ssrc, s] : streams_) {
    if (s->Poll(now.wall).request_keyframe) RequestKeyframe(ssrc, now);
  }
  for (std::uint32_t ssrc : keyframes_.Due(now.mono)) SendPli(ssrc, now);  // large-group back-off
  SendNacks(now);
}

// Lip sync (RFC 3550 7.1): for each audio stream, the video of the same participant (same
// CNAME). rtp::AvSync smooths both streams' own delays from capture to the moment the user
// hears or sees them (each sink's playout latency included, our holds left out), and
// rtp::SplitHolds makes the earlier one wait: the audio before it is played, or the picture in
// its window (a presentation delay; sinks that are not watched in step ignore it).
void Receiver::AlignAudio() {
  constexpr rtp::Duration kMaxHold = std::chrono::milliseconds(200);
  for (auto& [assrc, s] : streams_) {
    if (s->kind() != MediaKind::kAudio) continue;
    auto& audio = static_cast<AudioStream&>(*s);
    const rtp::SessionMember* ap = Member(assrc);
    if (!ap || ap->cname.empty()) continue;
    const std::optional<rtp::OutputSample> heard = audio.LastOutput();
    if (!heard) continue;
    for (auto& [vssrc, v] : streams_) {
      const rtp::SessionMember* vp = Member(vssrc);
      if (v->kind() != MediaKind::kVideo || !vp || vp->cname != ap->cname) continue;
      auto& video = static_cast<VideoStream&>(*v);
      const std::optional<rtp::OutputSample> seen = video.LastOutput();
      if (!seen) break;
      rtp::AvSync& sync = av_sync_[assrc];
      sync.OnVideoOutput(*seen);
      sync.OnAudioOutput(*heard);
      const rtp::Holds holds = rtp::SplitHolds(*sync.Offset(), kMaxHold);
      audio.SetLipSyncDelay(holds.audio);
      video.SetPresentationDelay(holds.video);
      spdlog::trace("lip sync {:08x}/{:08x}: video {} us, audio {} us after capture as met; hold "
                    "audio {} us, video {} us",
                    assrc, vssrc, sync.VideoDelay()->count(), sync.AudioDelay()->count(),
                    holds.audio.count(), holds.video.count());
      break;
    }
  }
}

void Receiver::SecondTick() {
  const Now now = Now::Read();
  AttachSinks(now);  // windows of participants whose NAME never came; the single sink moves on
  CountSocketDrops();
  for (auto& [ssrc, s] : streams_) {
    if (s->kind() == MediaKind::kVideo) static_cast<VideoStream&>(*s).SyncFigures();
  }
  stats_->Tick(Roster(), streams_, keyframes_.sent(), drops_.Total(), signal_->Figures(now.mono));
}

const rtp::SessionMember* Receiver::Member(std::uint32_t ssrc) const {
  for (const Port* port : {&video_port_, &audio_port_}) {
    if (!port->session) continue;
    if (const rtp::SessionMember* m = port->session->FindMember(ssrc)) return m;
  }
  return nullptr;
}

Participants Receiver::Roster() const {
  Participants out;
  for (const auto& [ssrc, s] : streams_) {
    Participant& p = out[ssrc];
    p.ssrc = ssrc;
    p.kind = s->kind();
    if (const rtp::SessionMember* m = Member(ssrc)) {
      p.cname = m->cname;
      p.name = m->name;
    }
  }
  return out;
}

// A source left (BYE and its grace, or silence): its stream goes, with everything kept per
// SSRC around it.
void Receiver::Remove(std::uint32_t ssrc, const std::string& why, const Now& now) {
  leaving_.erase(ssrc);
  auto it = streams_.find(ssrc);
  if (it == streams_.end()) return;
  {
    const rtp::SessionMember* m = Member(ssrc);
    // NAME and BYE reason come from the network: made safe before they reach a terminal.
    const std::string name =
        m && !m->name.empty() ? fmt::format(" {}", rtp::SafeText(m->name)) : std::string();
    // A video stream is the participant; its audio leaving is a detail.
    spdlog::log(it->second->kind() == MediaKind::kVideo ? spdlog::level::info : spdlog::level::debug,
                "participant {:08x}{} left ({})", ssrc, name, rtp::SafeText(why, 300));
  }
  {
    if (it->second->kind() == MediaKind::kVideo) static_cast<VideoStream&>(*it->second).SyncFigures();
    stats_->Retire(ssrc, it->second->kind(), it->second->figures());
    streams_.erase(it);  // its decode worker stops here
  }
  if (nack_) nack_->Forget(ssrc);
  sinks_->Forget(ssrc);
  fec_.Forget(ssrc);
  keyframes_.Forget(ssrc);
  av_sync_.erase(ssrc);
  AttachSinks(now);  // the next participant takes over a single-stream sink
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
  start_wall_ = Now::Read().wall;
  stats_ = std::make_unique<RecvStatsReporter>(o_.stats_json, o_.log.status_line());
  if (!Setup()) return 1;
  const auto start = std::chrono::steady_clock::now();
  auto playout = loop_->AddTimer(std::chrono::milliseconds(2), std::chrono::milliseconds(2),
                                 [this] { PlayoutTick(); });
  auto rtcp = loop_->AddTimer(std::chrono::milliseconds(20), std::chrono::milliseconds(20),
                              [this] { RtcpTick(); });
  auto second = loop_->AddTimer(std::chrono::seconds(1), std::chrono::seconds(1), [this] { SecondTick(); });
  // Lip sync follows a change of either stream's delay (the video jitter buffer growing under
  // load) within about a second: ten samples a second into AvSync's 1/8-gain smoothing.
  auto lip_sync = loop_->AddTimer(std::chrono::milliseconds(100), std::chrono::milliseconds(100),
                                  [this] { AlignAudio(); });
  if (!playout || !rtcp || !second || !lip_sync) return Fail("cannot create timers"), 1;
  const std::chrono::seconds rejoin(o_.rejoin_every_s);  // --rejoin-every
  if (rejoin.count() && !loop_->AddTimer(rejoin, rejoin, [this] { signal_->Rejoin(); }))
    return 1;
  if (o_.duration_s > 0) {
    auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(o_.duration_s));
    if (!loop_->AddTimer(d, std::chrono::nanoseconds(0), [this] { loop_->Stop(); })) return 1;
  }
  auto ran = loop_->Run();
  const Now end = Now::Read();
  for (Port* port : {&video_port_, &audio_port_}) {
    if (port->session) Send(*port, port->session->Bye(end.mono, "receiver left"));
  }
  for (auto& [ssrc, s] : streams_) {
    if (s->kind() != MediaKind::kVideo) continue;
    auto& video = static_cast<VideoStream&>(*s);
    video.DrainDecoder();  // what was released is shown before the outputs close
    video.SyncFigures();
  }
  if (!ran) return Fail(ran.error().message), 1;
  const std::uint64_t datagrams = video_port_.datagrams + audio_port_.datagrams;
  const std::string reason = loop_->stop_signal() ? "interrupted" : "--duration reached";
  CountSocketDrops();
  FinalExtras extras;
  extras.own_ssrc = own_ssrc_;
  extras.own_ssrc_changes = own_ssrc_changes_;
  extras.plis_suppressed = keyframes_.suppressed();
  extras.gate_evicted = video_port_.gate.evicted() + audio_port_.gate.evicted();
  for (Port* port : {&video_port_, &audio_port_})
    if (port->session) {
      extras.rtcp_ignored += port->session->counters().ignored;
      extras.feedback_sent += port->session->counters().feedback_sent;
      extras.feedback_held += port->session->counters().feedback_held;
    }
  stats_->Final(Roster(), streams_, keyframes_.sent(), std::chrono::steady_clock::now() - start,
                reason, video_port_.malformed_rtp + audio_port_.malformed_rtp,
                video_port_.malformed_rtcp + audio_port_.malformed_rtcp, stray_after_bye_, drops_,
                extras, signal_->Figures(end.mono));
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

int RunReceiver(const RecvOptions& options) {
  net::InitLogging("confcast-recv", options.log.Level());
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

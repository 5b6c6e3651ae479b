// confcast-send. Threads: one per media stream (pull a frame, encode, packetize, stamp, send
// in one sendmmsg batch) and the event loop (RTCP in and out, statistics, signals, duration).
// The only state the threads share is atomics, the keyframe aggregator behind a mutex, and the
// lock-free ring that hands the video thread's sent packets to the event loop's RTX history
// (send_chain.h says why retransmission stays on the event loop).
#include <confcast/media/h264.h>
#include <confcast/media/opus.h>
#include <confcast/media/source.h>
#include <confcast/net/batch_io.h>
#include <confcast/net/endpoint.h>
#include <confcast/net/event_loop.h>
#include <confcast/net/interface.h>
#include <confcast/net/log.h>
#include <confcast/net/socket.h>
#include <confcast/net/srtp_group.h>
#include <confcast/net/srtp_key.h>
#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/annexb.h>
#include <confcast/rtp/h264_packetizer.h>
#include <confcast/rtp/seq.h>
#include <confcast/rtp/stamper.h>
#include <confcast/sender/sender.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "device_list.h"
#include "fec_protector.h"
#include "keyframe_control.h"
#include "rtcp_session.h"
#include "sap_announcer.h"
#include "rtx_sender.h"
#include "sdp_output.h"
#include "send_chain.h"
#include "send_counters.h"
#include "send_stats.h"

namespace confcast::sender {
namespace {

constexpr std::uint8_t kVideoPayloadType = 96;
constexpr std::uint8_t kAudioPayloadType = 111;
constexpr std::uint8_t kAbsCaptureTimeId = 1;  // a=extmap:1 in our SDP
constexpr std::uint8_t kRtxPayloadType = 97;    // a=rtpmap:97 rtx/90000, apt=96
constexpr std::size_t kMaxDatagram = 9216;
constexpr std::chrono::milliseconds kRingDrainPeriod{10};

void Fail(const std::string& line) { spdlog::error("{}", line); }
// A 32-bit key for a transport address (FNV-1a over address and port): the keyframe
// aggregator's per-requester table is keyed by it.
std::uint32_t RequesterKey(const rtp::TransportAddress& a) {
  std::uint32_t h = 2166136261u;
  auto mix = [&](std::uint8_t b) { h = (h ^ b) * 16777619u; };
  for (std::size_t i = 0; i < (a.v6 ? 16u : 4u); ++i) mix(a.ip[i]);
  mix(static_cast<std::uint8_t>(a.port >> 8));
  mix(static_cast<std::uint8_t>(a.port));
  return h;
}

rtp::Timestamp MonoMicros() {
  return std::chrono::duration_cast<rtp::Timestamp>(
      std::chrono::steady_clock::now().time_since_epoch());
}

// What a media thread sends through: its socket, its stamper, the counters RTCP reads and its
// write path (send_chain.h), which the media thread alone drives.
struct Outlet {
  Outlet(net::SenderStream s, rtp::RtpStamper st, rtp::RtpClock c)
      : socket(std::move(s)), stamper(st), clock(c) {}
  net::SenderStream socket;
  rtp::RtpStamper stamper;
  rtp::RtpClock clock;
  StreamCounters counters;
  // stamp -> [fec] -> [history] -> transport, outermost stage last.
  std::unique_ptr<BatchTransport> transport;
  std::unique_ptr<HistoryTap> history;
  std::unique_ptr<FecStage> fec;
  std::unique_ptr<StampStage> stamp;

  void BuildChain(FecProtector* protector, SentPacketRing* sent) {
    transport = std::make_unique<BatchTransport>(socket.rtp_fd(), counters);
    PacketSink* next = transport.get();
    if (sent) next = (history = std::make_unique<HistoryTap>(*sent, *next)).get();
    if (protector) next = (fec = std::make_unique<FecStage>(*protector, *next)).get();
    stamp = std::make_unique<StampStage>(stamper, counters, *next, kMaxDatagram);
  }
};

struct AbsCaptureExt {
  std::array<std::uint8_t, 16> bytes{};
  std::array<rtp::ExtensionView, 1> view{};
  std::span<const rtp::ExtensionView> For(std::int64_t capture_unix_us) {
    const rtp::AbsCaptureTime t{rtp::NtpFromUnixMicros(capture_unix_us), std::nullopt};
    const std::size_t n = rtp::SerializeTo(t, bytes);
    view[0] = rtp::ExtensionView{kAbsCaptureTimeId, rtp::Bytes(bytes.data(), n)};
    return view;
  }
};

class Sender {
 public:
  explicit Sender(const SendOptions& o) : o_(o), rng_(std::random_device{}()) {}
  int Run();

 private:
  bool Setup();
  bool WriteSdp(std::span<const std::uint8_t> keyframe);
  void SetupRtx();
  void Retransmit(const rtp::Nack& nack, const rtp::TransportAddress& from);
  void DrainSentRing();
  void VideoThread();
  void AudioThread();
  void StopFromThread(const std::string& why);
  void StopAfterDrain(const std::string& why);

  SendOptions o_;
  std::mt19937 rng_;
  std::unique_ptr<net::EventLoop> loop_;
  std::optional<net::InterfaceChoice> iface_;
  std::optional<net::MulticastEndpoint> video_ep_, audio_ep_;
  std::unique_ptr<Outlet> video_, audio_;
  std::unique_ptr<FecProtector> fec_;  // video thread only, after Setup
  std::unique_ptr<media::VideoSource> video_source_;
  std::unique_ptr<media::AudioSource> audio_source_;
  std::unique_ptr<media::OpusEncoder> opus_;
  std::unique_ptr<RtcpSession> rtcp_;
  std::shared_ptr<net::SrtpGroup> srtp_;  // --key-file: on every socket of the session
  std::unique_ptr<SapAnnouncer> sap_;
  std::unique_ptr<RtxSender> rtx_;                   // event loop only
  std::unique_ptr<SentPacketRing> sent_ring_;        // video thread -> event loop, with rtx_
  std::unique_ptr<BatchTransport> rtx_transport_;    // event loop's RTX packets
  KeyframeControl keyframes_;
  SdpInputs sdp_;
  bool sdp_written_ = false;  // video thread only once running
  std::atomic<bool> stop_{false};
  std::mutex stop_mutex_;
  std::string stop_reason_;
  std::atomic<int> exit_code_{0};
};

bool Sender::Setup() {
  auto loop = net::EventLoop::Create();
  if (!loop) return Fail(loop.error().message), false;
  loop_ = std::move(*loop);
  // Before any thread exists (GStreamer starts its own in the sources): signalfd needs
  // SIGINT/SIGTERM blocked in every thread.
  if (auto ok = loop_->StopOnSignals(); !ok) return Fail(ok.error().message), false;

  auto video_ep = net::ParseEndpoint(o_.group, o_.port, {}, net::Role::kSender);
  if (!video_ep) return Fail("--group/--port: " + video_ep.error().message), false;
  auto audio_ep = net::MakeEndpoint(video_ep->group, static_cast<std::uint16_t>(o_.port + 2),
                                    video_ep->source, net::Role::kSender);
  if (!audio_ep) return Fail(audio_ep.error().message), false;
  video_ep_ = *video_ep;
  audio_ep_ = *audio_ep;

  auto iface = net::SelectInterface(o_.iface, *video_ep_);
  if (!iface) return Fail("--iface: " + iface.error().message), false;
  iface_ = *iface;
  spdlog::info("{}", iface_->StartupLine(*video_ep_));
  for (const auto& w : iface_->warnings) spdlog::warn("{}", w);

  if (!o_.key_file.empty()) {
    auto key = net::ReadKeyFile(o_.key_file);
    if (!key) return Fail(key.error().message), false;
    auto group = net::SrtpGroup::Create(*key);
    if (!group) return Fail("--key-file " + o_.key_file + ": " + group.error().message), false;
    srtp_ = std::move(*group);
    sdp_.crypto = SdpCrypto{o_.sdp_crypto, std::move(*key)};
  }
  auto open_outlet = [&](const net::MulticastEndpoint& ep, net::Dscp dscp, std::uint8_t pt,
                         std::uint32_t rate) -> std::unique_ptr<Outlet> {
    net::SenderOptions so;
    so.ttl = o_.ttl;
    so.loopback = o_.loopback;
    so.dscp = dscp;
    auto s = net::SenderStream::Open(ep, *iface_, so);
    if (!s) return Fail(s.error().message), nullptr;
    for (const auto& w : s->warnings()) spdlog::warn("{}", w);
    if (srtp_) {  // SRTP hook: every datagram on these sockets, in and out (srtp_group.h)
      srtp_->Attach(s->rtp_fd(), net::PacketKind::kRtp);
      srtp_->Attach(s->rtcp_fd(), net::PacketKind::kRtcp);
      if (s->rtcp_listener()) srtp_->Attach(s->rtcp_listener()->fd(), net::PacketKind::kRtcp);
    }
    // Random initial values (RFC 3550 5.1) unless a test fixed them. --initial-ts sets the
    // clock's offset so that a frame captured now gets that timestamp.
    auto ssrc = static_cast<std::uint32_t>(rng_());
    if (o_.ssrc) ssrc = pt == kVideoPayloadType ? *o_.ssrc : *o_.ssrc ^ 0x5a5a5a5a;
    const auto seq = o_.initial_seq.value_or(static_cast<std::uint16_t>(rng_()));
    auto offset = static_cast<std::uint32_t>(rng_());
    if (o_.initial_ts) {
      const std::int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
      offset = *o_.initial_ts - rtp::RtpClock(rate, 0).ToRtp(now_us);
    }
    return std::make_unique<Outlet>(std::move(*s), rtp::RtpStamper(ssrc, pt, seq),
                                    rtp::RtpClock(rate, offset));
  };

  if (o_.video != "none") {
    media::VideoSourceOptions vo{o_.width, o_.height, o_.fps, o_.loop};
    auto src = media::CreateVideoSource(o_.video, vo);
    if (!src) return Fail("--video " + o_.video + ": " + src.error().message), false;
    video_source_ = std::move(*src);
    video_ = open_outlet(*video_ep_, net::Dscp::kAf41, kVideoPayloadType, 90000);
    if (!video_) return false;
    if (o_.fec_percent != 0) {
      auto fec_ssrc = static_cast<std::uint32_t>(rng_());
      if (fec_ssrc == video_->stamper.ssrc()) fec_ssrc ^= 0xFEC0FEC0u;
      fec_ = std::make_unique<FecProtector>(o_.fec_percent, fec_ssrc,
                                            static_cast<std::uint16_t>(rng_()), video_->counters,
                                            o_.rtx);
    }
  }
  if (o_.audio != "none") {
    media::AudioSourceOptions ao;
    ao.loop = o_.loop;
    auto src = media::CreateAudioSource(o_.audio, ao);
    if (!src) return Fail("--audio " + o_.audio + ": " + src.error().message), false;
    audio_source_ = std::move(*src);
    media::OpusEncoderConfig oc;
    oc.bitrate_bps = o_.audio_bitrate_bps;
    auto enc = media::OpusEncoder::Create(oc);
    if (!enc) return Fail("opus: " + enc.error().message), false;
    opus_ = std::move(*enc);
    audio_ = open_outlet(*audio_ep_, net::Dscp::kEf, kAudioPayloadType, 48000);
    if (!audio_) return false;
    if (video_ && audio_->stamper.ssrc() == video_->stamper.ssrc()) {
      audio_->stamper.set_ssrc(video_->stamper.ssrc() ^ 0x5a5a5a5a);
    }
  }

  RtcpSession::Config rc;
  rc.name = o_.name;
  rtcp_ = std::make_unique<RtcpSession>(rc, rng_());
  if (video_) {
    rtcp_->AddStream("video", video_->socket, video_->stamper, video_->clock, video_->counters,
                     o_.bitrate_kbps * 1000.0);
    if (fec_) rtcp_->AddRepairSsrc("video", fec_->ssrc());
  }
  if (audio_) {
    rtcp_->AddStream("audio", audio_->socket, audio_->stamper, audio_->clock, audio_->counters,
                     o_.audio_bitrate_bps);
  }
  rtcp_->on_ssrc_change = [this](const std::string& kind, std::uint32_t, std::uint32_t fresh) {
    Outlet* outlet = kind == "video" ? video_.get() : audio_.get();
    if (outlet) outlet->stamp->RequestSsrc(fresh);
    if (kind == "video" && rtx_) rtx_->SetMediaSsrc(fresh);  // NACKs about the new SSRC are ours
    // Receivers treat the new SSRC as a new source: it can only start at an IDR.
    if (kind == "video") (void)keyframes_.Request(std::chrono::steady_clock::now(), fresh, std::nullopt);
  };
  rtcp_->on_keyframe_request = [this](std::uint32_t from, const rtp::TransportAddress& where,
                                      std::optional<std::uint8_t> fir_seq) {
    // The per-requester limit follows the transport address, so a host that signs each request
    // with a fresh SSRC is still one requester (issue 18).
    const bool forced = keyframes_.Request(std::chrono::steady_clock::now(), RequesterKey(where), fir_seq);
    spdlog::debug("{} from {:08x}: {}", fir_seq ? "FIR" : "PLI", from,
                  forced ? "IDR" : "served by a pending IDR");
  };
  if (video_ && o_.rtx) SetupRtx();
  if (video_) video_->BuildChain(fec_.get(), sent_ring_.get());
  if (audio_) audio_->BuildChain(nullptr, nullptr);
  if (auto ok = rtcp_->Watch(*loop_); !ok) return Fail(ok.error()), false;

  sdp_.endpoint = *video_ep_;
  sdp_.ttl = o_.ttl;
  sdp_.name = o_.name;
  sdp_.cname = rtcp_->cname();
  if (video_) sdp_.video_ssrc = video_->stamper.ssrc();
  if (fec_) sdp_.fec_ssrc = fec_->ssrc();
  if (rtx_) sdp_.rtx_ssrc = rtx_->ssrc();
  if (audio_) sdp_.audio_ssrc = audio_->stamper.ssrc();
  sdp_.abs_capture_time_id = kAbsCaptureTimeId;
  sdp_.origin = iface_->address;
  sdp_.video_kbps = video_ ? o_.bitrate_kbps : 0;
  sdp_.audio_kbps = audio_ ? o_.audio_bitrate_bps / 1000 : 0;
  if (o_.announce) {
    SapAnnouncerConfig sc;
    sc.session_group = video_ep_->group;
    sc.iface = *iface_;
    sc.ttl = o_.ttl;
    sc.loopback = o_.loopback;
    if (o_.announce_interval_s > 0) {
      sc.interval = std::chrono::duration_cast<rtp::Duration>(
          std::chrono::duration<double>(o_.announce_interval_s));
    }
    auto sap = SapAnnouncer::Open(sc, MonoMicros());
    if (!sap) return Fail(sap.error()), false;
    sap_ = std::move(*sap);
    if (sap_->listen_fd() >= 0) {
      if (auto ok = loop_->Watch(sap_->listen_fd(), [this] { sap_->OnReadable(MonoMicros()); });
          !ok) {
        return Fail(ok.error().message), false;
      }
    }
    spdlog::info("announcing with SAP on {}, TTL {}, {}", sap_->destination(), o_.ttl,
                 o_.announce_interval_s > 0
                     ? fmt::format("every {} s", o_.announce_interval_s)
                     : std::string("at 0, 1 and 2 s, then every ~5 min (RFC 2974 3.1)"));
  }
  // With video the SDP waits for the first IDR, whose SPS/PPS it carries.
  if (!video_ && !WriteSdp({})) return false;
  return true;
}

// RTX (RFC 4588) on the video port: its own SSRC and sequence space, PT 97, our CNAME in SDES.
void Sender::SetupRtx() {
  RtxSenderConfig rc;
  rc.media_ssrc = video_->stamper.ssrc();
  do {
    rc.rtx_ssrc = static_cast<std::uint32_t>(rng_());
  } while (rc.rtx_ssrc == rc.media_ssrc || (audio_ && rc.rtx_ssrc == audio_->stamper.ssrc()));
  rc.rtx_payload_type = kRtxPayloadType;
  rc.first_sequence_number = static_cast<std::uint16_t>(rng_());
  rc.limits.budget_share = o_.rtx_budget_percent / 100.0;
  rtx_ = std::make_unique<RtxSender>(rc);
  // Twice the history: the event loop drains it every kRingDrainPeriod and before each NACK.
  sent_ring_ = std::make_unique<SentPacketRing>(2 * rc.history.max_packets);
  rtx_transport_ = std::make_unique<BatchTransport>(video_->socket.rtp_fd(), video_->counters);
  rtcp_->AddRepairSsrc("video", rc.rtx_ssrc);
  rtcp_->on_nack = [this](const rtp::Nack& nack, const rtp::TransportAddress& from) { Retransmit(nack, from); };
  // What a receiver reports losing bounds what it may ask to have resent (repair_limiter.h).
  rtcp_->on_video_loss_report = [this](const rtp::TransportAddress& from, double fraction) {
    rtx_->OnLossReport(FeedbackSourceOf(from), fraction, MonoMicros());
  };
}

// A NACK from `from`: the limiter (repair_limiter.h) decides what of it is served, so that no
// host on the LAN can turn requests into a flood to the whole group.
void Sender::Retransmit(const rtp::Nack& nack, const rtp::TransportAddress& from) {
  DrainSentRing();  // every packet already on the wire is in the history before we look
  const auto packets = rtx_->OnNack(nack, MonoMicros(), FeedbackSourceOf(from));
  if (packets.empty()) return;
  // The media thread sends on the same socket; a UDP send is atomic per datagram.
  for (const auto& p : packets) rtx_transport_->Write(Datagram{p, {}, false});
  rtx_transport_->Flush();
  const RtxSenderStats s = rtx_->stats();
  video_->counters.retransmissions_sent.store(s.retransmissions_sent, std::memory_order_relaxed);
  video_->counters.retransmissions_deduplicated.store(s.retransmissions_deduplicated,
                                                      std::memory_order_relaxed);
  spdlog::debug("NACK from {:08x}: {} retransmitted", nack.sender_ssrc, packets.size());
}

// Event loop: the video thread's sent packets into the history only this thread touches.
void Sender::DrainSentRing() {
  (void)DrainInto(*sent_ring_, *rtx_);
  video_->counters.history_ring_dropped.store(sent_ring_->dropped(), std::memory_order_relaxed);
}

bool Sender::WriteSdp(std::span<const std::uint8_t> keyframe) {
  if ((o_.sdp_path.empty() && !sap_) || sdp_written_) return true;
  sdp_written_ = true;
  auto text = BuildSdpText(sdp_, keyframe);
  if (!text) return Fail(text.error()), false;
  if (sap_) sap_->SetDescription(*text);
  if (o_.sdp_path.empty()) return true;
  const bool secret = o_.sdp_crypto == "with-key";
  if (auto ok = WriteSdpFile(o_.sdp_path, *text, secret); !ok) return Fail(ok.error()), false;
  if (secret) {
    spdlog::warn("{} carries the group key (a=crypto inline:); it is mode 0600: share it only "
                 "with members", o_.sdp_path);
  }
  spdlog::info("wrote {}; watch with:", o_.sdp_path);
  for (const std::string& command : WatchCommands(o_.sdp_path, sdp_)) spdlog::info("  {}", command);
  return true;
}

void Sender::StopFromThread(const std::string& why) {
  {
    std::lock_guard lock(stop_mutex_);
    if (stop_reason_.empty()) stop_reason_ = why;
  }
  stop_ = true;
  loop_->Stop();
}

// A file or pipe source ended. Receivers may still be asking for lost packets of the last
// frames: the event loop keeps answering NACKs for kEndDrain before the BYE (unless something
// stops the sender first). Stopping at once left the last frame's losses unrepairable: the
// bench showed a receiver's frame 299 never shown under 5% loss.
constexpr auto kEndDrain = std::chrono::milliseconds(250);

void Sender::StopAfterDrain(const std::string& why) {
  const auto until = std::chrono::steady_clock::now() + kEndDrain;
  while (!stop_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  StopFromThread(why);
}

void Sender::VideoThread() {
  std::unique_ptr<media::H264Encoder> encoder;
  AbsCaptureExt ext;
  std::vector<std::uint8_t> payload(kMaxDatagram);
  StampStage& stamp = *video_->stamp;
  const std::size_t max_payload = static_cast<std::size_t>(o_.mtu) -
                                  rtp::RtpStamper::HeaderSize(ext.For(0)) -
                                  (srtp_ ? srtp_->rtp_overhead() : 0);  // SRTP tag within --mtu
  while (!stop_) {
    auto pulled = video_source_->Pull(std::chrono::milliseconds(200));
    if (!pulled) {
      if (pulled.error().code == media::MediaErrorCode::kEndOfStream) {
        StopAfterDrain("video source ended");
      } else {
        Fail("video source: " + pulled.error().message);
        exit_code_ = 1;
        StopFromThread("video source failed");
      }
      return;
    }
    if (!*pulled) continue;
    const media::VideoFrame& frame = **pulled;
    if (!encoder) {
      media::H264EncoderConfig ec;
      ec.width = frame.width;
      ec.height = frame.height;
      ec.fps = o_.fps;
      ec.bitrate_kbps = o_.bitrate_kbps;
      ec.gop = o_.gop;
      if (o_.vbv_ms > 0)
        ec.vbv_kbits = std::max(1, static_cast<int>(std::int64_t{o_.bitrate_kbps} * o_.vbv_ms / 1000));
      ec.max_slice_bytes = o_.slice_cap ? static_cast<int>(max_payload) : 0;
      ec.intra_refresh = o_.intra_refresh;
      auto e = media::H264Encoder::Create(ec);
      if (!e) {
        Fail("h264 encoder: " + e.error().message);
        exit_code_ = 1;
        StopFromThread("encoder failed");
        return;
      }
      encoder = std::move(*e);
      spdlog::info("video {}x{} at {} fps, {} kbit/s, GOP {}, slices <= {} bytes", frame.width,
                   frame.height, o_.fps, o_.bitrate_kbps, o_.gop,
                   o_.slice_cap ? max_payload : std::size_t{0});
    }
    stamp.ApplyPendingSsrc();
    if (keyframes_.TakeDue(std::chrono::steady_clock::now())) encoder->ForceKeyframe();
    auto encoded = encoder->Encode(frame);
    const std::int64_t encoded_at = media::WallClockNow().count();
    if (!encoded) {
      Fail("h264 encoder: " + encoded.error().message);
      continue;
    }
    if (!*encoded) continue;
    const media::EncodedFrame& au = **encoded;
    // With --intra-refresh libx264 flags each frame that starts a refresh sweep as a key frame
    // too; only an IDR answers a keyframe request and carries the SPS/PPS the SDP needs.
    const bool idr = au.keyframe && std::ranges::any_of(rtp::SplitAnnexB(au.data), [](auto nal) {
                       return !nal.empty() && rtp::IsNalType(nal[0], rtp::NalType::kIdr);
                     });
    if (idr) {
      keyframes_.Sent(std::chrono::steady_clock::now());
      if (!WriteSdp(au.data)) {
        exit_code_ = 1;
        StopFromThread("cannot write the SDP file");
        return;
      }
    }
    const std::int64_t capture_us = au.capture_time.count();
    const std::uint32_t ts = video_->clock.ToRtp(capture_us);
    const rtp::Timestamp now = MonoMicros();
    if (fec_) fec_->BeginFrame(rtcp_->LossReports("video"), now);
    (void)PacketizeAccessUnit(au.data, max_payload, ts, ext.For(capture_us), now, stamp, payload);
    stamp.Flush();  // media, then the frame's FEC repair, in one batch
    video_->counters.CountFrame(au.data.size(), idr);
    const std::int64_t sent_at = media::WallClockNow().count();
    video_->counters.CountTimes(encoded_at - capture_us, sent_at - encoded_at);
    video_->counters.SetMapping(capture_us, ts);
  }
}

void Sender::AudioThread() {
  AbsCaptureExt ext;
  // Audio timestamps count samples (RFC 3550 5.1: the sampling instant), so consecutive frames
  // are exactly one frame apart whatever the capture jitter; after a real gap in capture (more
  // than two frames off) they resynchronise to the capture clock.
  std::optional<std::uint32_t> next_ts;
  while (!stop_) {
    auto pulled = audio_source_->Pull(std::chrono::milliseconds(200));
    if (!pulled) {
      if (pulled.error().code == media::MediaErrorCode::kEndOfStream) {
        if (!video_) StopAfterDrain("audio source ended");
      } else {
        Fail("audio source: " + pulled.error().message);
        exit_code_ = 1;
        StopFromThread("audio source failed");
      }
      return;
    }
    if (!*pulled) continue;
    // Opus in-band FEC protects against what the audio receivers report losing (RFC 7587 3.2).
    opus_->SetExpectedLoss(static_cast<int>(std::lround(rtcp_->WorstFractionLost("audio") * 100)));
    auto encoded = opus_->Encode(**pulled);
    if (!encoded) {
      Fail("opus: " + encoded.error().message);
      continue;
    }
    const std::int64_t capture_us = encoded->capture_time.count();
    const std::uint32_t by_clock = audio_->clock.ToRtp(capture_us);
    const auto samples = static_cast<std::uint32_t>((**pulled).samples_per_channel());
    audio_->stamp->ApplyPendingSsrc();
    std::uint32_t ts = next_ts.value_or(by_clock);
    if (std::abs(rtp::TsDiff(by_clock, ts)) > 2 * static_cast<std::int64_t>(samples)) ts = by_clock;
    next_ts = ts + samples;
    (void)audio_->stamp->Write(encoded->data, false, ts, ext.For(capture_us), MonoMicros());
    audio_->stamp->Flush();
    audio_->counters.frames.fetch_add(1, std::memory_order_relaxed);
    audio_->counters.SetMapping(capture_us, ts);
  }
}

int Sender::Run() {
  if (!Setup()) return 1;

  SendStatsReporter stats(o_.stats_json, o_.log.status_line());
  stats.set_srtp(srtp_.get());
  stats.set_rtx(rtx_.get());
  const auto start = std::chrono::steady_clock::now();
  auto tick = loop_->AddTimer(std::chrono::seconds(1), std::chrono::seconds(1), [&] {
    stats.Tick(video_ ? &video_->counters : nullptr, audio_ ? &audio_->counters : nullptr,
               *rtcp_, keyframes_);
    if (rtx_) {
      // Dedup window: the smallest RTT any receiver of the video reports.
      std::optional<rtp::Duration> rtt;
      for (const ReceiverInfo& r : rtcp_->Receivers()) {
        if (r.stream != "video" || !r.rtt_ms) continue;
        const rtp::Duration d{static_cast<std::int64_t>(*r.rtt_ms * 1000)};
        rtt = rtt ? std::min(*rtt, d) : d;
      }
      rtx_->SetRtt(rtt);
    }
  });
  if (!tick) return Fail(tick.error().message), 1;
  if (sent_ring_) {  // so the ring never fills between NACKs (send_chain.h)
    auto t = loop_->AddTimer(kRingDrainPeriod, kRingDrainPeriod, [this] { DrainSentRing(); });
    if (!t) return Fail(t.error().message), 1;
  }
  if (o_.duration_s > 0) {
    auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(o_.duration_s));
    auto t = loop_->AddTimer(d, std::chrono::nanoseconds(0), [&] {
      StopFromThread("--duration reached");
    });
    if (!t) return Fail(t.error().message), 1;
  }

  if (sap_) {
    auto t = loop_->AddTimer(std::chrono::milliseconds(1), std::chrono::milliseconds(100),
                             [this] { sap_->Tick(MonoMicros()); });
    if (!t) return Fail(t.error().message), 1;
  }

  std::thread video_thread, audio_thread;
  if (video_) video_thread = std::thread([this] { VideoThread(); });
  if (audio_) audio_thread = std::thread([this] { AudioThread(); });
  rtcp_->Start(*loop_);

  auto ran = loop_->Run();
  stop_ = true;
  if (video_thread.joinable()) video_thread.join();
  if (audio_thread.joinable()) audio_thread.join();
  rtcp_->SendBye(stop_reason_.empty() ? "sender stopped" : stop_reason_);
  if (sap_) sap_->SendDeletion();  // RFC 2974 4: listeners drop the session at once
  if (!ran) {
    Fail(ran.error().message);
    return 1;
  }
  if (loop_->stop_signal() != 0 && stop_reason_.empty()) {
    stop_reason_ = loop_->stop_signal() == SIGINT ? "interrupted" : "terminated";
  }
  stats.Final(video_ ? &video_->counters : nullptr, audio_ ? &audio_->counters : nullptr, *rtcp_,
              keyframes_, std::chrono::steady_clock::now() - start, stop_reason_);
  return exit_code_;
}

}  // namespace

int RunSender(const SendOptions& options) {
  net::InitLogging("confcast-send", options.log.Level());
  if (options.list_devices) return PrintCaptureDevices();
  Sender sender(options);
  return sender.Run();
}

}  // namespace confcast::sender

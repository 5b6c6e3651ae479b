// confcast-recv's orchestration: one thread runs the event loop (datagrams in, batched and
// kernel-stamped; a 2 ms playout tick; a 20 ms RTCP tick; a 1 s report tick). It owns the
// sockets and wires the stages, each of which has one job and its own type:
//
//   per port (video, audio):  parse -> RTX unwrap (nack_controller.h) -> FEC recovery
//       (fec_recovery.h) -> own-SSRC check -> admission (participants) -> probation
//       (source_gate.h, RFC 3550 A.1) -> the SSRC's ReceiveStream (receive_stream.h)
//   per stream: statistics -> jitter buffer -> depacketizer -> decode worker thread -> sink
//   around them: NACK generation (nack_controller.h), keyframe requests (keyframe_policy.h),
//       sink choice (sinks.h), lip sync (rtp::AvSync), the watchdog, and one rtp::RtpSession
//       per port (members bound to their address, intervals, collisions, BYE, timeouts).
//
// Time: every event reads the clock once (Now: wall time for media, which is what kernel
// arrival stamps and capture times use, and monotonic time for the session) and passes it down.
#pragma once

#include <confcast/net/batch_io.h>
#include <confcast/net/event_loop.h>
#include <confcast/net/interface.h>
#include <confcast/net/socket.h>
#include <confcast/receiver/options.h>
#include <confcast/receiver/source_gate.h>
#include <confcast/rtp/lip_sync.h>
#include <confcast/rtp/rtcp.h>
#include <confcast/rtp/rtp_session.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "drop_counters.h"
#include "fec_recovery.h"
#include "keyframe_policy.h"
#include "media_kind.h"
#include "nack_controller.h"
#include "participants.h"
#include "receive_stream.h"
#include "recv_stats.h"
#include "session_plan.h"
#include "signal_watch.h"
#include "sinks.h"
#include "srtp_setup.h"

namespace confcast::receiver {

// One reading of the clocks per event.
struct Now {
  rtp::Timestamp wall{0};  // system clock: arrival stamps, capture times, playout
  rtp::Timestamp mono{0};  // steady clock: RTCP intervals, participants, keyframe requests
  static Now Read();
};

struct Port {
  MediaKind kind = MediaKind::kVideo;
  MediaPlan plan;
  net::MulticastEndpoint endpoint;
  std::optional<net::ReceiverStream> rx;
  std::optional<net::SenderStream> tx;  // our RTCP goes to group:P+1 from here
  net::BatchReceiver rtp_in{64, 2048};
  net::BatchReceiver rtcp_in{16, 2048};
  std::optional<rtp::RtpSession> session;  // RFC 3550 session of this port pair
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
  ~Receiver();
  int Run();

 private:
  // receiver.cc: set-up, ticks, lifecycle.
  bool Setup();
  bool OpenPort(Port& port, MediaKind kind, const MediaPlan& plan, double bandwidth);
  void PlayoutTick();
  void SecondTick();
  void AlignAudio();
  // `fresh`: the SSRC of a stream created for the packet in hand, not asked for a keyframe (its
  // jitter buffer asks at join when the first frame is not one; asking anyway cost an extra
  // IDR at every session start and used up the request interval the join request needs).
  void AttachSinks(const Now& now, std::optional<std::uint32_t> fresh = std::nullopt);
  void Remove(std::uint32_t ssrc, const std::string& why, const Now& now);
  // The session member of a source (video or audio port), if any.
  const rtp::SessionMember* Member(std::uint32_t ssrc) const;
  Participants Roster() const;
  void CountSocketDrops();
  ReceiveStream* Stream(std::uint32_t ssrc, MediaKind kind);
  // How long a participant that said BYE is kept: longer than anything the jitter buffer holds.
  rtp::Duration ByeGrace() const {
    return std::chrono::milliseconds(std::max(500, o_.latency_ms + 200));
  }

  // receive_path.cc: RTP in, repair, streams, NACK and keyframe requests out.
  void OnRtp(Port& port);
  void HandleRtp(Port& port, const rtp::RtpView& view, rtp::Bytes bytes, const Source& source,
                 rtp::Timestamp arrival, const Now& now);
  ReceiveStream* Admit(Port& port, const rtp::RtpView& view, const Source& source,
                       rtp::Timestamp arrival, const Now& now);
  void Feed(ReceiveStream& s, const rtp::RtpView& view, rtp::Timestamp arrival, PacketOrigin origin,
            const Now& now);
  void HandleRtx(const net::Datagram& d, rtp::Timestamp arrival, const Now& now);
  void DeliverRecovered(const FecRecovery::Datagrams& packets, rtp::Timestamp arrival, const Now& now);
  void SendNacks(const Now& now);
  void RequestKeyframe(std::uint32_t ssrc, const Now& now);
  void SendPli(std::uint32_t ssrc, const Now& now);

  // receiver_rtcp.cc: the RTCP side, around each port's RtpSession.
  void StartSession(Port& port);
  void OnRtcp(Port& port);
  void RtcpTick();
  void OnCollision(Port& port, const rtp::SsrcCollision& c);
  void Send(Port& port, const std::optional<rtp::RtcpCompound>& compound);
  double Draw() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  RecvOptions o_;
  std::optional<std::string> sdp_text_;
  std::mt19937 rng_;
  SessionPlan plan_;
  std::unique_ptr<net::EventLoop> loop_;
  std::optional<net::InterfaceChoice> iface_;
  Port video_port_, audio_port_;
  std::unique_ptr<Sinks> sinks_;  // before streams_: decode workers stop before sinks close
  Streams streams_;
  struct Leaving {
    rtp::Timestamp at{0};  // mono
    std::string why;
  };
  std::map<std::uint32_t, Leaving> leaving_;  // said BYE: shown a moment more, then removed
  std::map<std::uint32_t, rtp::AvSync> av_sync_;      // by audio SSRC
  KeyframePolicy keyframes_;
  FecRecovery fec_;
  std::unique_ptr<NackController> nack_;
  std::uint32_t own_ssrc_ = 0;  // the same on both ports
  std::string cname_;
  rtp::Timestamp start_wall_{};
  bool first_stream_ = true;
  std::unique_ptr<RecvStatsReporter> stats_;
  std::optional<SignalWatch> signal_;     // the receive watchdog
  std::shared_ptr<net::SrtpGroup> srtp_;  // --key-file: on every socket (srtp_setup.h)
  EncryptedPayloadHint encrypted_hint_;   // without --key-file
  std::uint64_t stray_after_bye_ = 0;
  std::uint64_t own_ssrc_changes_ = 0;
  DropCounters drops_;
};

}  // namespace confcast::receiver

// Receive side of NACK/RTX repair for the video port (RFC 4585 generic NACK, RFC 4588 RTX).
//
// - Recognises RTX packets (the RTX payload type, PT 97 by our convention, or an SSRC the SDP
//   names in a=ssrc-group:FID) and ties each RTX SSRC to its media SSRC: the FID group when
//   known, else the media SSRC with the same SDES CNAME, else the only video stream there is.
//   Restore() turns an RTX packet back into the original, which the receiver feeds into the same
//   jitter-buffer path as any media packet.
// - Runs one rtp::NackTracker per media SSRC, fed with every media arrival and every repair,
//   and with the NACKs other receivers send to the group (multicast suppression). Process(),
//   called from the event loop's timer, returns the NACKs to send now.
// It sends nothing and reads no clock: the receiver owns sockets and time.
#pragma once

#include <confcast/rtp/nack_tracker.h>
#include <confcast/rtp/packet.h>
#include <confcast/rtp/rtcp.h>
#include <confcast/rtp/rtx.h>

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace confcast::receiver {

struct NackControllerConfig {
  bool send_nacks = true;  // --nack on|off; RTX that arrives is used either way
  std::uint8_t media_payload_type = 96;
  std::uint8_t rtx_payload_type = 97;
  // A packet without the marker bit followed by this much silence: the frame's tail is
  // presumed lost and NACKed at once (senders write a frame in one burst).
  rtp::Duration tail_wait{3'000};
  rtp::NackTrackerConfig tracker;
};

struct NackRequest {
  std::uint32_t media_ssrc = 0;
  std::vector<std::uint16_t> seqs;  // in RTP order
  std::vector<rtp::NackItem> items;
};

struct RestoredPacket {
  std::uint32_t media_ssrc = 0;
  std::uint16_t seq = 0;
  std::vector<std::uint8_t> bytes;  // the original RTP packet
};

enum class RtxDrop { kMalformed, kUnknownMedia };

class NackController {
 public:
  explicit NackController(NackControllerConfig config);

  // True when this packet on the video port is a retransmission rather than media.
  bool IsRtx(const rtp::RtpView& packet) const;
  // Restores the original of an RTX packet.
  [[nodiscard]] std::expected<RestoredPacket, RtxDrop> Restore(rtp::Bytes datagram);

  // A media SSRC that the receiver decodes (creates its tracker).
  void AddMedia(std::uint32_t ssrc);
  // Drops everything about a media SSRC that left: its tracker, CNAME, RTX pairing.
  void Forget(std::uint32_t ssrc);
  // SSRCs with a remembered CNAME or RTX pairing (bounded: pruned on Forget).
  std::size_t remembered() const { return cnames_.size() + fid_.size(); }
  // SDES CNAME of any SSRC (media or RTX).
  void OnCname(std::uint32_t ssrc, const std::string& cname);
  // a=ssrc-group:FID <media> <rtx>.
  void AddFid(std::uint32_t media_ssrc, std::uint32_t rtx_ssrc);

  // `payload`: the H.264 payload, looked at only for a stream's first packet: one inside a
  // keyframe (rtp::InsideKeyframe) makes the tracker ask for the numbers before it
  // (NackTracker::OnJoinedInsideKeyframe).
  void OnMedia(std::uint32_t ssrc, std::uint16_t seq, bool marker, rtp::Timestamp arrival,
               std::span<const std::uint8_t> payload = {});
  // A repair (RTX or FEC) restored `seq`. False when it was not missing: FEC can rebuild a
  // frame's lost tail before any newer packet showed the gap, and the caller then feeds it as
  // media (OnMedia), or the next frame would make it a gap and NACK a packet we have.
  bool OnRecovered(std::uint32_t ssrc, std::uint16_t seq, rtp::Timestamp now, rtp::Repair how);
  // A FEC repair packet of `ssrc` protects numbers up to `last_protected` (see
  // NackTracker::OnProtected): a lost frame tail is asked for without waiting for the next frame.
  void OnProtected(std::uint32_t ssrc, std::uint16_t last_protected, rtp::Timestamp arrival);
  // A NACK another receiver sent to the group.
  void OnNackHeard(const rtp::Nack& nack, rtp::Timestamp now);
  // NACKs due at `now` (none with send_nacks off). `uniform01`: a fresh random draw.
  [[nodiscard]] std::vector<NackRequest> Process(rtp::Timestamp now, double uniform01);
  // The receivers in the session (RtpSession::FeedbackGroupSize): above 8, NACKs wait the
  // large-group back-off (rtp/feedback_backoff.h) so that receivers that lost the same packet
  // send about one.
  void SetGroupSize(int members);

  const rtp::NackTracker* TrackerFor(std::uint32_t ssrc) const;
  std::uint64_t rtx_unresolved() const noexcept { return rtx_unresolved_; }
  std::uint64_t rtx_malformed() const noexcept { return rtx_malformed_; }

 private:
  std::optional<std::uint32_t> MediaFor(std::uint32_t rtx_ssrc) const;

  NackControllerConfig config_;
  rtp::RtxAptMap apt_;
  struct Stream {
    explicit Stream(const rtp::NackTrackerConfig& c) : tracker(c) {}
    rtp::NackTracker tracker;
    bool newest_ends_frame = true;  // marker bit of the newest packet
    rtp::Timestamp newest_arrival{0};
    bool tail_suspected = false;
  };
  std::map<std::uint32_t, Stream> trackers_;  // by media SSRC
  std::map<std::uint32_t, std::string> cnames_;
  std::map<std::uint32_t, std::uint32_t> fid_;  // RTX SSRC -> media SSRC
  std::uint64_t rtx_unresolved_ = 0;
  std::uint64_t rtx_malformed_ = 0;
  int group_size_ = 1;
};

}  // namespace confcast::receiver

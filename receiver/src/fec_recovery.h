// FlexFEC (RFC 8627) on the receive side: one decoder per protected video SSRC, created when
// the first repair packet naming it arrives (no repair stream, no cost). Repair packets are
// recognised by payload type 98 on the video port and routed by the protected SSRC in their
// CSRC list, so neither the SDP's ssrc-group nor the SDES CNAME is needed to pair them; a
// repair packet is never fed to the video decoder. Packets it rebuilds go back to the
// receiver, which inserts them into the same jitter-buffer path as received ones (the jitter
// buffer drops one that also arrives later, e.g. by RTX, as a duplicate).
#pragma once

#include <confcast/rtp/flexfec.h>
#include <confcast/rtp/packet.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace confcast::receiver {

class FecRecovery {
 public:
  using Datagrams = std::vector<std::vector<std::uint8_t>>;

  static bool IsRepair(const rtp::RtpView& view) noexcept {
    return view.payload_type == rtp::kFlexFecPayloadType;
  }

  struct RepairResult {
    std::optional<std::uint32_t> media_ssrc;  // the stream it protects, when one of ours
    Datagrams recovered;                      // rebuilt media datagrams of that stream
    std::optional<std::uint16_t> last_protected;  // the newest media number it protects
  };
  // A repair datagram. `is_video_stream(ssrc)` says whether we receive that media SSRC.
  [[nodiscard]] RepairResult OnRepair(const rtp::RtpView& view, rtp::Bytes datagram,
                                      const std::function<bool(std::uint32_t)>& is_video_stream);
  // A validated media datagram of a video stream; may complete a repair set.
  [[nodiscard]] Datagrams OnMedia(std::uint32_t ssrc, rtp::Bytes datagram);
  // The stream left: drop its decoder.
  void Forget(std::uint32_t ssrc) { decoders_.erase(ssrc); }

  std::uint64_t malformed() const noexcept { return malformed_; }

 private:
  std::map<std::uint32_t, rtp::FlexFecDecoder> decoders_;
  std::uint64_t malformed_ = 0;
};

}  // namespace confcast::receiver

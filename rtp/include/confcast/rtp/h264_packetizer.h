// H.264 RTP packetizer, RFC 6184 packetization-mode 1 (non-interleaved): single NAL unit
// packets (5.6), STAP-A aggregation (5.7.1) and FU-A fragmentation (5.8). It has one job:
// cut one access unit into RTP payloads, pulled one at a time. SSRC, sequence numbers,
// timestamps and sockets belong to whoever stamps the payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "confcast/rtp/annexb.h"

namespace confcast::rtp {

// A payload written into a caller's buffer by H264Packetizer::NextInto.
struct PayloadInfo {
  std::size_t size = 0;
  bool last_of_access_unit = false;  // the RTP marker bit (RFC 6184 5.1)
  friend constexpr bool operator==(const PayloadInfo&, const PayloadInfo&) = default;
};

// An owning payload, for callers that do not care about the copy.
struct Payload {
  std::vector<std::uint8_t> bytes;
  bool last_of_access_unit = false;
  friend bool operator==(const Payload&, const Payload&) = default;
};

// NAL units of type 0 or 24..31 (unspecified in H.264, and aggregation/fragmentation types in
// RFC 6184) are skipped: sent as single NAL unit packets they would be misread.
struct H264PacketizerOptions {
  bool aggregate = true;  // STAP-A for consecutive NAL units that fit together
  bool drop_aud = true;   // access unit delimiters carry nothing RTP does not already say
};

class H264Packetizer {
 public:
  // FU indicator + FU header + one byte of NAL unit data.
  static constexpr std::size_t kMinPayload = 3;

  // From one access unit in Annex-B form. The bytes must outlive the packetizer.
  // max_payload below kMinPayload is raised to it.
  H264Packetizer(std::span<const std::uint8_t> annexb_access_unit, std::size_t max_payload,
                 H264PacketizerOptions options = {}) noexcept;
  // From NAL units (header byte first, no start codes). The list and the bytes must outlive it.
  H264Packetizer(std::span<const std::span<const std::uint8_t>> nals, std::size_t max_payload,
                 H264PacketizerOptions options = {}) noexcept;

  // The packetizer borrows its input: a temporary buffer would dangle.
  H264Packetizer(std::vector<std::uint8_t>&&, std::size_t, H264PacketizerOptions = {}) = delete;

  // Writes the next payload into `out` without allocating. Needs out.size() >= max_payload();
  // with a smaller buffer it writes nothing and returns nullopt, as it does when done.
  std::optional<PayloadInfo> NextInto(std::span<std::uint8_t> out) noexcept;
  // The next payload as an owning value, nullopt when done.
  std::optional<Payload> Next();

  bool Done() noexcept;
  std::size_t max_payload() const noexcept { return max_payload_; }

 private:
  std::optional<std::span<const std::uint8_t>> Pull() noexcept;
  std::optional<std::span<const std::uint8_t>> Peek() noexcept;
  std::optional<std::span<const std::uint8_t>> Pop() noexcept;
  PayloadInfo NextFragment(std::span<std::uint8_t> out) noexcept;

  std::size_t max_payload_;
  H264PacketizerOptions options_;
  // NAL source: an Annex-B reader, or a caller's list.
  AnnexBReader reader_;
  std::span<const std::span<const std::uint8_t>> list_;
  std::size_t list_pos_ = 0;
  bool from_list_;
  // One NAL unit of lookahead, to know whether the next one fits in the same STAP-A and
  // whether the current payload is the last one.
  std::optional<std::span<const std::uint8_t>> peeked_;
  bool has_peeked_ = false;
  // The NAL unit being fragmented: fragments have near-equal sizes `base` or `base + 1`.
  std::span<const std::uint8_t> fu_nal_;
  std::size_t fu_offset_ = 0;
  std::size_t fu_index_ = 0;
  std::size_t fu_count_ = 0;
  std::size_t fu_base_ = 0;
  std::size_t fu_larger_ = 0;  // the first fu_larger_ fragments carry base + 1 bytes
};

}  // namespace confcast::rtp

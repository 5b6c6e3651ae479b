// H.264 RTP depacketizer, RFC 6184 packetization-mode 1: single NAL unit packets (5.6),
// STAP-A (5.7.1) and FU-A (5.8) back into Annex-B access units with 4-byte start codes.
//
// It is fed payloads in sequence order by the jitter buffer, which guarantees order but not
// completeness, so it detects loss itself and never emits a corrupt NAL unit: a NAL unit that
// lost a fragment is dropped whole and its access unit is reported damaged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace confcast::rtp {

// What happened to one pushed packet.
enum class PacketStatus : std::uint8_t {
  kAccepted,        // its NAL unit(s) or fragment went into the current access unit
  kDuplicate,       // same sequence number as the previous packet: dropped
  kOutOfOrder,      // up to 100 older than the previous packet: dropped (further back is a
                    // stream restart, handled as a gap)
  kEmpty,           // zero-length payload: ignored
  kIgnoredNalType,  // NAL unit type 0, 30 or 31: ignored (RFC 6184 5.2)
  kUnsupported,     // STAP-B, MTAP16, MTAP24 or FU-B: not part of mode 1, dropped
  kMalformedStapA,  // a STAP-A whose NAL unit sizes do not add up: dropped
  kMalformedFu,     // an FU-A shorter than its two headers, or with both S and E set: dropped
  kFuWithoutStart,  // a middle or end fragment whose start was never seen: dropped
  kFuTypeMismatch,  // a fragment of another NAL unit type than the one being reassembled
  kFuDiscarded,     // a fragment of a NAL unit already abandoned after loss: dropped
  kTooLarge,        // the access unit would exceed the size cap: dropped
};

// Why an access unit is incomplete (the first reason found).
enum class AuDamage : std::uint8_t {
  kNone,
  kLostBefore,    // a sequence gap right before its first packet: its head may be missing
  kSequenceGap,   // packets missing inside it (or its tail, when no marker was seen)
  kFuIncomplete,  // an FU-A without start or end, or fragments of different NAL units
  kMalformed,     // a packet could not be parsed
  kUnsupported,   // a packet of an unsupported type carried part of it
  kTooLarge,      // it exceeded the size cap; the rest was dropped
};

struct AccessUnit {
  std::vector<std::uint8_t> annexb;  // its intact NAL units, each after 00 00 00 01
  std::uint32_t timestamp = 0;
  std::uint16_t first_seq = 0;
  std::uint16_t last_seq = 0;
  std::uint32_t packets = 0;  // packets with this timestamp that were not duplicates
  bool complete = false;      // no loss detected (damage == kNone)
  AuDamage damage = AuDamage::kNone;
  bool ended_by_marker = false;  // false: ended by a timestamp change or Flush()
  bool has_idr = false;
  bool has_sps = false;
  bool has_pps = false;
  // Complete, with an IDR slice, and SPS and PPS known (in this access unit or seen before):
  // a decoder can start here.
  bool decodable_start = false;
  friend bool operator==(const AccessUnit&, const AccessUnit&) = default;
};

struct [[nodiscard]] PushResult {
  PacketStatus status = PacketStatus::kAccepted;
  // Access units this packet finished, oldest first: at most two (one closed by this packet's
  // new timestamp, one closed by its marker bit).
  std::vector<AccessUnit> access_units;
};

struct H264DepacketizerStats {
  std::uint64_t packets = 0;
  std::uint64_t dropped_packets = 0;  // any status but kAccepted
  std::uint64_t malformed_packets = 0;
  std::uint64_t unsupported_packets = 0;
  std::uint64_t sequence_gaps = 0;
  std::uint64_t access_units = 0;
  std::uint64_t damaged_access_units = 0;
  friend bool operator==(const H264DepacketizerStats&, const H264DepacketizerStats&) = default;
};

class H264Depacketizer {
 public:
  static constexpr std::size_t kDefaultMaxAccessUnitSize = 4 * 1024 * 1024;

  explicit H264Depacketizer(std::size_t max_access_unit_size = kDefaultMaxAccessUnitSize);

  // One RTP payload with its header's sequence number, timestamp and marker bit.
  PushResult Push(std::span<const std::uint8_t> payload, std::uint16_t seq, std::uint32_t timestamp,
                  bool marker);
  // Ends the open access unit (end of stream, or the jitter buffer gave up waiting).
  [[nodiscard]] std::optional<AccessUnit> Flush();
  // Returns an emitted access unit's buffer so its capacity is reused (no allocation in the
  // steady state).
  void Recycle(std::vector<std::uint8_t>&& buffer);
  // SPS and PPS arrived out of band (SDP sprop-parameter-sets): an IDR alone can start decoding.
  void SetParameterSetsKnown() noexcept { sps_known_ = pps_known_ = true; }
  // Forgets the open access unit and the last sequence number (a new stream starts).
  void Reset();

  const H264DepacketizerStats& stats() const noexcept { return stats_; }

 private:
  enum class FuState : std::uint8_t { kNone, kActive, kBroken };

  void Open(std::uint16_t seq, std::uint32_t timestamp, AuDamage damage);
  void Close(bool by_marker, std::vector<AccessUnit>& out);
  void Damage(AuDamage why) noexcept;
  void AbandonFragment(AuDamage why);
  PacketStatus Process(std::span<const std::uint8_t> payload);
  PacketStatus ProcessStapA(std::span<const std::uint8_t> payload);
  PacketStatus ProcessFuA(std::span<const std::uint8_t> payload);
  PacketStatus AppendNal(std::span<const std::uint8_t> nal);
  bool Reserve(std::size_t bytes);
  void NoteNal(std::uint8_t header) noexcept;

  std::size_t max_size_;
  H264DepacketizerStats stats_;
  std::optional<std::uint16_t> last_seq_;
  bool sps_known_ = false;
  bool pps_known_ = false;
  std::vector<std::uint8_t> spare_;

  // The access unit being assembled.
  bool open_ = false;
  AccessUnit au_;
  bool overflowed_ = false;
  FuState fu_ = FuState::kNone;
  std::size_t fu_start_ = 0;  // where the fragmented NAL unit's start code is in au_.annexb
  std::uint8_t fu_type_ = 0;
};

}  // namespace confcast::rtp

// Flexible forward error correction for RTP (RFC 8627), XOR parity of one source stream.
//
// A repair packet is an RTP packet of its own SSRC and sequence space (payload type 98 here,
// "flexfec/90000") whose CSRC list names the protected source SSRC(s). Its payload starts with
// the FEC header (RFC 8627 4.2.2):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |R|F|P|X|  CC   |M| PT recovery |        length recovery        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          TS recovery                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   F=0 (flexible mask), for each protected SSRC in CSRC-list order:
//   |           SN base_i           |k|          Mask [0-14]        |
//   |k|                   Mask [15-45] (if the first k is 0)        |
//   |                     Mask [46-109] (if the second k is 0)      |
//   |                                                               |
//   F=1 (fixed offsets), for each protected SSRC:
//   |           SN base_i           |  L (columns)  |    D (rows)   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   :                 repair payload (XOR of the packets)            :
//
// Mask bit i (bit 0 right after the first k) set means packet SN base + i is protected. F=1:
// D <= 1 protects the row SN base .. SN base + L - 1; D > 1 the column SN base, +L, .. +L(D-1).
// confcast sends F=0: one code path serves rows, columns and the short last row of a frame
// (groups never span frames, so no repair waits for the next frame). The parser reads both.
//
// The protected "bit string" of a packet (RFC 8627 6.2) is its first 8 bytes (V..timestamp,
// where only P, X, CC, M, PT and the timestamp are used), its length minus 12 as 16 bits, and
// every byte after the 12-byte fixed header (CSRCs, extension, payload, padding), zero-padded
// to the longest. The repair packet carries the XOR of these; XORing it with all but one of
// the protected packets gives back the missing one, its length included (RFC 8627 6.3).
// R=1 marks an RFC 8627 retransmission packet, which confcast does not use (RTX is RFC 4588).
#pragma once

#include <confcast/rtp/bytes.h>
#include <confcast/rtp/packet.h>

#include <bitset>
#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>
#include <vector>

namespace confcast::rtp {

inline constexpr std::uint8_t kFlexFecPayloadType = 98;
inline constexpr std::size_t kFlexFecMaskBits = 110;   // the longest mask: 15 + 31 + 64 bits
inline constexpr std::size_t kFlexFecFixedHeader = 8;  // up to and including TS recovery

enum class FlexFecError {
  kBadRtp,             // not a valid RTP packet
  kRetransmission,     // R=1: an RFC 8627 retransmission, not a repair packet
  kNoProtectedStream,  // CC=0: the CSRC list names no protected SSRC
  kHeaderTooShort,     // the payload is shorter than the 8 fixed FEC header bytes
  kMaskTooShort,       // an SN base + mask (or L/D) entry runs past the payload
  kEmptyMask,          // F=0 mask with no bit set: protects nothing
  kZeroColumns,        // F=1 with L=0
};
std::string_view Describe(FlexFecError error) noexcept;

using FecMask = std::bitset<kFlexFecMaskBits>;

struct FecProtectedStream {
  std::uint32_t ssrc = 0;  // from the repair packet's CSRC list
  std::uint16_t sn_base = 0;
  FecMask mask;              // F=0
  std::uint8_t columns = 0;  // F=1: L
  std::uint8_t rows = 0;     // F=1: D
  friend bool operator==(const FecProtectedStream&, const FecProtectedStream&) = default;
};

struct FlexFecHeader {
  bool fixed = false;  // F bit
  bool p_recovery = false;
  bool x_recovery = false;
  std::uint8_t cc_recovery = 0;  // 4 bits
  bool m_recovery = false;
  std::uint8_t pt_recovery = 0;  // 7 bits
  std::uint16_t length_recovery = 0;
  std::uint32_t ts_recovery = 0;
  std::vector<FecProtectedStream> streams;  // 1..15
  friend bool operator==(const FlexFecHeader&, const FlexFecHeader&) = default;
};

// Offsets from SN base of the packets a stream entry protects, ascending.
std::vector<std::uint16_t> ProtectedOffsets(const FecProtectedStream& stream, bool fixed);

struct FlexFecView {
  RtpView rtp;  // the repair packet's own header
  FlexFecHeader header;
  Bytes repair_payload;
};
std::expected<FlexFecView, FlexFecError> ParseFlexFec(Bytes datagram);

// An owning repair packet (for building one, and for round trips).
struct FlexFecPacket {
  std::uint8_t payload_type = kFlexFecPayloadType;
  std::uint16_t sequence_number = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  FlexFecHeader header;
  std::vector<std::uint8_t> repair_payload;
  friend bool operator==(const FlexFecPacket&, const FlexFecPacket&) = default;
};
FlexFecPacket ToPacket(const FlexFecView& view);

std::size_t SerializedSize(const FlexFecPacket& packet) noexcept;
// Returns the bytes written, or 0 when `out` is too small or the packet cannot be represented
// (no or more than 15 streams, an empty F=0 mask, F=1 with L=0).
std::size_t SerializeTo(const FlexFecPacket& packet, MutableBytes out) noexcept;
std::vector<std::uint8_t> Serialize(const FlexFecPacket& packet);

// --- encoder ---------------------------------------------------------------------------------

// Packets per row (L) and rows per block (D). L=0: no FEC. D>1 adds a column repair packet per
// column of each block of up to L x D packets; rows and columns are XOR parity (RFC 8627 1.1).
struct FecScheme {
  int columns = 0;  // L
  int rows = 1;     // D
  friend bool operator==(const FecScheme&, const FecScheme&) = default;
};

// Turns media packets of one SSRC, in sending order, into repair datagrams. Packets are XORed
// into running row and column parities as they come, so nothing is copied per packet; a row's
// repair packet is emitted when the row is full, columns when the block is full, and Flush()
// ends the block early (the end of a frame), so repair never waits for the next frame.
// A gap in sequence numbers or another SSRC ends the block too.
class FlexFecEncoder {
 public:
  FlexFecEncoder(std::uint32_t fec_ssrc, std::uint16_t first_sequence,
                 std::uint8_t payload_type = kFlexFecPayloadType) noexcept;

  // Takes effect at the next block. L x D is capped so that a block fits a 110-bit mask.
  void SetScheme(FecScheme scheme) noexcept;
  FecScheme scheme() const noexcept { return next_scheme_; }

  // Adds one media datagram (shorter than 12 bytes: ignored). Appends repair datagrams of
  // rows (and a block) it completes to `out`.
  void Add(Bytes media, std::vector<std::vector<std::uint8_t>>& out);
  // Ends the current block: repair for its last (short) row and its columns.
  void Flush(std::vector<std::vector<std::uint8_t>>& out);

  std::uint32_t ssrc() const noexcept { return ssrc_; }
  std::uint16_t next_sequence() const noexcept { return next_sequence_; }

 private:
  struct Parity {
    std::uint8_t byte0 = 0, byte1 = 0;
    std::uint16_t length = 0;
    std::uint32_t ts = 0;
    std::uint16_t sn_base = 0;
    FecMask mask;
    std::size_t count = 0;
    std::vector<std::uint8_t> payload;
    void Reset();
    void Xor(Bytes media, std::size_t offset_from_base);
  };
  void Emit(Parity& p, std::vector<std::vector<std::uint8_t>>& out);

  std::uint32_t ssrc_;
  std::uint8_t payload_type_;
  std::uint16_t next_sequence_;
  FecScheme next_scheme_;
  FecScheme scheme_;  // of the current block
  std::uint32_t media_ssrc_ = 0;
  std::uint16_t last_seq_ = 0;
  std::uint32_t last_ts_ = 0;
  std::size_t in_block_ = 0;  // packets in the current block
  Parity row_;
  std::vector<Parity> columns_;
};

// --- decoder ---------------------------------------------------------------------------------

struct FlexFecDecoderConfig {
  std::uint32_t media_ssrc = 0;
  std::size_t window_packets = 512;  // media packets remembered (the repair window)
  std::size_t max_repair_packets = 256;
};

struct FlexFecDecoderStats {
  std::uint64_t repair_received = 0;   // valid repair packets for our SSRC
  std::uint64_t repair_malformed = 0;  // did not parse
  std::uint64_t repair_ignored = 0;    // other SSRC, several SSRCs, too old, or too wide
  std::uint64_t recovered = 0;
  std::uint64_t inconsistent = 0;  // XOR gave something that is no RTP packet (garbage in)
};

struct FecDecodeResult {
  std::vector<std::vector<std::uint8_t>> recovered;  // full RTP datagrams, in recovery order
  std::optional<FlexFecError> error;                 // why a repair datagram was rejected
  // The newest media number the accepted repair packet protects: the sender sent it, whether
  // or not it arrived (a lost frame tail shows here before the next frame does).
  std::optional<std::uint16_t> last_protected;
};

// Keeps the last `window_packets` media packets of one SSRC (a ring indexed by sequence
// number, unwrapped against the newest media packet) and the repair packets that may still
// help. Whenever exactly one packet of a repair packet's set is missing, it is rebuilt; a
// rebuilt packet may complete another set (row then column in 2-D), which is tried in turn.
// A repair packet is dropped once its set is complete or has slid out of the window, so memory
// is bounded by window_packets media and max_repair_packets repair packets.
class FlexFecDecoder {
 public:
  explicit FlexFecDecoder(const FlexFecDecoderConfig& config);

  // A media datagram of the protected SSRC arrived (others are ignored).
  [[nodiscard]] FecDecodeResult OnMedia(Bytes datagram);
  // A repair datagram arrived.
  [[nodiscard]] FecDecodeResult OnRepair(Bytes datagram);

  const FlexFecDecoderStats& stats() const noexcept { return stats_; }
  std::size_t repair_packets_held() const noexcept { return repair_.size(); }

 private:
  struct Slot {
    std::int64_t useq = -1;
    bool filled = false;
    std::vector<std::uint8_t> bytes;
  };
  struct Repair {
    std::int64_t base = 0;
    std::vector<std::uint16_t> offsets;
    std::uint8_t byte0 = 0, byte1 = 0;
    std::uint16_t length = 0;
    std::uint32_t ts = 0;
    std::vector<std::uint8_t> payload;
    std::int64_t last() const { return base + offsets.back(); }
  };
  std::int64_t Unwrap(std::uint16_t seq) const;
  Slot& SlotOf(std::int64_t useq);
  bool Has(std::int64_t useq);
  bool Store(std::int64_t useq, Bytes datagram);
  void DropStale();
  // Tries repair packet i; returns the recovered sequence when it rebuilt one. Erases i when
  // it is used up (complete, recovered or inconsistent).
  std::optional<std::int64_t> TryRepair(std::size_t i, FecDecodeResult& result, bool& erased);
  void Settle(std::vector<std::int64_t> work, FecDecodeResult& result);

  FlexFecDecoderConfig config_;
  std::vector<Slot> ring_;
  std::optional<std::int64_t> newest_;
  std::vector<Repair> repair_;
  FlexFecDecoderStats stats_;
};

}  // namespace confcast::rtp

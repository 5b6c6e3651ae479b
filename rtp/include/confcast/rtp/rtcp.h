// RTCP codec: owning packet values, compound parse into values, and serialization
// (RFC 3550 6, RFC 4585 6.2.1 / 6.3.1, RFC 5104 4.3.1). The allocation-free view API that this
// builds on is in rtcp_view.h; shared vocabulary (errors, types, options) in rtcp_common.h.
//
// Symmetry: for every value x that serializes, ParseRtcpPacket(Serialize(x)) == x, and for a
// compound c, ParseRtcp(Serialize(c)) == c. To keep that exact:
//   - values never carry padding (the P bit is honoured on parse, never produced);
//   - bytes the model does not keep (SDES bytes after the counted chunks, BYE bytes after the
//     reason, chunk padding contents, FIR media SSRC, PLI FCI) are dropped on parse and written
//     as zero / not at all on serialize;
//   - report block cumulative_lost is clamped to the 24-bit range on serialize.
// More than 31 report blocks, SDES chunks or BYE SSRCs is rejected with kTooManyEntries rather
// than silently split: SplitReportBlocks stacks extra report blocks into following RR packets
// as RFC 3550 6.4.2 suggests, and the caller decides whether it wants that.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "confcast/rtp/bytes.h"
#include "confcast/rtp/report_block.h"
#include "confcast/rtp/rtcp_common.h"
#include "confcast/rtp/rtcp_view.h"
#include "confcast/rtp/time.h"

namespace confcast::rtp {

struct SenderReport {
  std::uint32_t sender_ssrc = 0;
  NtpTime ntp;
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;
  std::vector<ReportBlock> report_blocks;
  std::vector<std::uint8_t> profile_extension;  // multiple of 4 bytes
  friend bool operator==(const SenderReport&, const SenderReport&) = default;
};

struct ReceiverReport {
  std::uint32_t sender_ssrc = 0;
  std::vector<ReportBlock> report_blocks;
  std::vector<std::uint8_t> profile_extension;  // multiple of 4 bytes
  friend bool operator==(const ReceiverReport&, const ReceiverReport&) = default;
};

struct SdesItem {
  std::uint8_t type = 0;  // an SdesType value or any other type 1..255
  std::string value;      // at most 255 bytes; UTF-8 text for the standard types
  friend bool operator==(const SdesItem&, const SdesItem&) = default;
};

struct SdesChunk {
  std::uint32_t ssrc = 0;
  std::vector<SdesItem> items;
  // The first item of this type, if any.
  const std::string* Find(SdesType type) const noexcept;
  friend bool operator==(const SdesChunk&, const SdesChunk&) = default;
};

struct Sdes {
  std::vector<SdesChunk> chunks;
  friend bool operator==(const Sdes&, const Sdes&) = default;
};

struct Bye {
  std::vector<std::uint32_t> ssrcs;
  std::string reason;  // empty: no reason field
  friend bool operator==(const Bye&, const Bye&) = default;
};

struct App {
  std::uint8_t subtype = 0;  // 0..31
  std::uint32_t ssrc = 0;
  std::array<char, 4> name{};
  std::vector<std::uint8_t> data;  // multiple of 4 bytes
  friend bool operator==(const App&, const App&) = default;
};

struct Nack {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  std::vector<NackItem> items;
  friend bool operator==(const Nack&, const Nack&) = default;
};

struct Pli {
  std::uint32_t sender_ssrc = 0;
  std::uint32_t media_ssrc = 0;
  friend bool operator==(const Pli&, const Pli&) = default;
};

struct Fir {
  std::uint32_t sender_ssrc = 0;
  std::vector<FirEntry> entries;
  friend bool operator==(const Fir&, const Fir&) = default;
};

// A packet type (or feedback FMT) this codec does not interpret, kept verbatim minus padding.
struct UnknownRtcpPacket {
  std::uint8_t packet_type = 0;
  std::uint8_t count = 0;          // the 5-bit header field
  std::vector<std::uint8_t> body;  // after the common header; multiple of 4 bytes
  friend bool operator==(const UnknownRtcpPacket&, const UnknownRtcpPacket&) = default;
};

using RtcpPacket =
    std::variant<SenderReport, ReceiverReport, Sdes, Bye, App, Nack, Pli, Fir, UnknownRtcpPacket>;
using RtcpCompound = std::vector<RtcpPacket>;

// Views to owning values.
SenderReport ToValue(const SenderReportView& v);
ReceiverReport ToValue(const ReceiverReportView& v);
Sdes ToValue(const SdesView& v);
Bye ToValue(const ByeView& v);
App ToValue(const AppView& v);
Nack ToValue(const NackView& v);
Pli ToValue(const PliView& v);
Fir ToValue(const FirView& v);
UnknownRtcpPacket ToValue(const RtcpPacketView& v);
RtcpPacket ToValue(const RtcpView& v);

// Parses and validates a compound (see ParseRtcpCompound) into owning values.
std::expected<RtcpCompound, RtcpError> ParseRtcp(Bytes datagram, RtcpParseOptions options = {});
// Parses a datagram holding exactly one packet, without the compound rules (a second packet is
// kLengthMismatch).
std::expected<RtcpPacket, RtcpError> ParseRtcpPacket(Bytes packet);

// Serialization. SerializedSize assumes the value is valid; SerializeTo checks validity and
// the output size and returns the bytes written.
std::size_t SerializedSize(const SenderReport& x) noexcept;
std::size_t SerializedSize(const ReceiverReport& x) noexcept;
std::size_t SerializedSize(const Sdes& x) noexcept;
std::size_t SerializedSize(const Bye& x) noexcept;
std::size_t SerializedSize(const App& x) noexcept;
std::size_t SerializedSize(const Nack& x) noexcept;
std::size_t SerializedSize(const Pli& x) noexcept;
std::size_t SerializedSize(const Fir& x) noexcept;
std::size_t SerializedSize(const UnknownRtcpPacket& x) noexcept;
std::size_t SerializedSize(const RtcpPacket& x) noexcept;
std::size_t SerializedSize(std::span<const RtcpPacket> compound) noexcept;

std::expected<std::size_t, RtcpError> SerializeTo(const SenderReport& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const ReceiverReport& x,
                                                  MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const Sdes& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const Bye& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const App& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const Nack& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const Pli& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const Fir& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const UnknownRtcpPacket& x,
                                                  MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(const RtcpPacket& x, MutableBytes out) noexcept;
std::expected<std::size_t, RtcpError> SerializeTo(std::span<const RtcpPacket> compound,
                                                  MutableBytes out) noexcept;

// Allocating forms: a vector of exactly SerializedSize bytes.
template <typename T>
std::expected<std::vector<std::uint8_t>, RtcpError> Serialize(const T& x) {
  std::vector<std::uint8_t> out(SerializedSize(x));
  auto n = SerializeTo(x, MutableBytes(out));
  if (!n) return std::unexpected(n.error());
  out.resize(*n);
  return out;
}
inline std::expected<std::vector<std::uint8_t>, RtcpError> Serialize(const RtcpCompound& c) {
  return Serialize(std::span<const RtcpPacket>(c));
}

// Keeps the first 31 report blocks in the report and stacks the rest, 31 at a time, into
// receiver reports from the same sender that follow it (RFC 3550 6.4.2). The profile
// extension stays with the first packet.
RtcpCompound SplitReportBlocks(SenderReport report);
RtcpCompound SplitReportBlocks(ReceiverReport report);

// Generic NACK helpers (RFC 4585 6.2.1).
// The lost sequence numbers the entries describe, in order (PID, then BLP bits low to high).
std::vector<std::uint16_t> ExpandNack(std::span<const NackItem> items);
// The fewest entries covering `lost`, which must be in RTP order (each newer than the one before,
// per SeqNewer, so it may cross 65535 -> 0). Duplicates are ignored; an out-of-order value
// starts a new entry, so every input is still covered.
std::vector<NackItem> BuildNackItems(std::span<const std::uint16_t> lost);

}  // namespace confcast::rtp

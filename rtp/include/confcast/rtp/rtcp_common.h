// RTCP vocabulary shared by the view parser (rtcp_view.h) and the owning values and serializer
// (rtcp.h): packet type numbers, SDES item types, feedback entries, errors and parse options.
//
// References: RFC 3550 section 6 and appendix A.2 (compound packets and their validity
// checks), RFC 4585 6.2.1 (generic NACK) and 6.3.1 (PLI), RFC 5104 4.3.1 (FIR), RFC 5506
// (reduced-size RTCP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace confcast::rtp {

// RTCP packets are 32-bit aligned (RFC 3550 6.4.1): a length rounded up to whole words.
constexpr std::size_t RoundUp4(std::size_t n) noexcept {
  return (n + 3) & ~std::size_t{3};
}

// Packet types (RFC 3550 12.1, RFC 4585 6.1).
inline constexpr std::uint8_t kRtcpSr = 200;
inline constexpr std::uint8_t kRtcpRr = 201;
inline constexpr std::uint8_t kRtcpSdes = 202;
inline constexpr std::uint8_t kRtcpBye = 203;
inline constexpr std::uint8_t kRtcpApp = 204;
inline constexpr std::uint8_t kRtcpRtpfb = 205;  // transport-layer feedback
inline constexpr std::uint8_t kRtcpPsfb = 206;   // payload-specific feedback

// Feedback message types (the FMT field, in the count position of the header).
inline constexpr std::uint8_t kRtpfbNack = 1;  // RFC 4585 6.2.1
inline constexpr std::uint8_t kPsfbPli = 1;    // RFC 4585 6.3.1
inline constexpr std::uint8_t kPsfbFir = 4;    // RFC 5104 4.3.1

// The 5-bit count field limits report blocks, SDES chunks and BYE SSRCs per packet.
inline constexpr std::size_t kRtcpMaxCount = 31;
inline constexpr std::size_t kRtcpHeaderSize = 4;
inline constexpr std::size_t kReportBlockSize = 24;
// A packet's length field counts 32-bit words minus one in 16 bits.
inline constexpr std::size_t kRtcpMaxPacketSize = 65536 * 4;

// SDES item types (RFC 3550 6.5). Types without a name here are kept as type + bytes.
enum class SdesType : std::uint8_t {
  kCname = 1,
  kName = 2,
  kEmail = 3,
  kPhone = 4,
  kLoc = 5,
  kTool = 6,
  kNote = 7,
  kPriv = 8,
};

// One generic NACK FCI entry (RFC 4585 6.2.1): packet PID is lost, and packet PID+i+1 is lost
// when bit i of BLP is set.
struct NackItem {
  std::uint16_t pid = 0;
  std::uint16_t blp = 0;
  friend constexpr bool operator==(const NackItem&, const NackItem&) = default;
};

// One FIR FCI entry (RFC 5104 4.3.1.1): the media sender asked to send a decoder refresh, and
// the command sequence number that tells repeated requests from new ones.
struct FirEntry {
  std::uint32_t ssrc = 0;
  std::uint8_t seq_nr = 0;
  friend constexpr bool operator==(const FirEntry&, const FirEntry&) = default;
};

// Why a compound did not parse, or why a value could not be serialized.
enum class RtcpError : std::uint8_t {
  // Framing (RFC 3550 A.2).
  kEmpty,           // zero-length datagram
  kTooShort,        // fewer than 4 bytes: not even one common header
  kBadVersion,      // a packet's version field is not 2
  kLengthOverrun,   // a length field points past the end of the datagram
  kLengthMismatch,  // 1-3 bytes left after the last packet: lengths do not add up
  kFirstNotReport,  // strict mode: the first packet is neither SR nor RR
  kPaddingNotLast,  // strict mode: the P bit is set on a packet that is not the last
  kBadPadding,      // padding count zero, not a multiple of 4, or larger than the packet
  // Packet contents.
  kPacketTooShort,  // shorter than the fixed part of its type (SR sender info, FB SSRCs...)
  kCountOverrun,    // RC / SC count needs more data than the packet holds
  kItemOverrun,     // an SDES item, terminator or chunk padding runs past the packet
  kReasonOverrun,   // BYE reason length runs past the packet
  kBadFciLength,    // FIR FCI is not a whole number of 8-byte entries
  kWrongType,       // a typed parser was handed a packet of another type or FMT
  // Serialization.
  kBufferTooSmall,  // output span smaller than SerializedSize
  kTooManyEntries,  // more than 31 report blocks, SDES chunks or BYE SSRCs in one packet
  kValueTooLong,    // SDES item or BYE reason longer than 255 bytes
  kBadCountField,   // APP subtype or unknown packet count field above 31
  kUnaligned,       // APP data, profile extension or raw body not a multiple of 4 bytes
  kPacketTooLong,   // packet longer than the 16-bit length field can describe
  kBadItemType,     // SDES item type 0 (reserved for the END item)
  kReservedType,    // an unknown-packet value that carries a type this codec parses itself
};

// A short human-readable description of an error ("length field runs past the datagram").
std::string_view RtcpErrorText(RtcpError error) noexcept;

struct RtcpParseOptions {
  // RFC 3550 A.2 checks for received compounds: the first packet must be SR or RR and only the
  // last packet may carry padding. Off accepts RFC 5506 reduced-size RTCP (for example a lone
  // NACK or PLI). Version 2 and exact lengths are checked in both modes, since framing depends
  // on them.
  bool strict = true;
};

}  // namespace confcast::rtp

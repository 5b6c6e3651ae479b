// Human-readable text for RtcpError, for logs and counters.
#include "confcast/rtp/rtcp_common.h"

namespace confcast::rtp {

std::string_view RtcpErrorText(RtcpError error) noexcept {
  switch (error) {
    case RtcpError::kEmpty:
      return "empty datagram";
    case RtcpError::kTooShort:
      return "shorter than an RTCP header";
    case RtcpError::kBadVersion:
      return "RTCP version is not 2";
    case RtcpError::kLengthOverrun:
      return "length field runs past the datagram";
    case RtcpError::kLengthMismatch:
      return "packet lengths do not add up to the datagram";
    case RtcpError::kFirstNotReport:
      return "first packet of compound is not SR or RR";
    case RtcpError::kPaddingNotLast:
      return "padding on a packet that is not the last";
    case RtcpError::kBadPadding:
      return "bad padding count";
    case RtcpError::kPacketTooShort:
      return "packet shorter than its fixed part";
    case RtcpError::kCountOverrun:
      return "count field needs more data than the packet holds";
    case RtcpError::kItemOverrun:
      return "SDES item runs past the packet";
    case RtcpError::kReasonOverrun:
      return "BYE reason runs past the packet";
    case RtcpError::kBadFciLength:
      return "FCI length is not a whole number of entries";
    case RtcpError::kWrongType:
      return "packet is not of the type asked for";
    case RtcpError::kBufferTooSmall:
      return "output buffer too small";
    case RtcpError::kTooManyEntries:
      return "more than 31 report blocks, chunks or SSRCs";
    case RtcpError::kValueTooLong:
      return "SDES item or BYE reason longer than 255 bytes";
    case RtcpError::kBadCountField:
      return "subtype or count above 31";
    case RtcpError::kUnaligned:
      return "data not a multiple of 4 bytes";
    case RtcpError::kPacketTooLong:
      return "packet too long for the length field";
    case RtcpError::kBadItemType:
      return "SDES item type 0 is reserved";
    case RtcpError::kReservedType:
      return "raw packet uses a type the codec parses itself";
  }
  return "unknown RTCP error";
}

}  // namespace confcast::rtp

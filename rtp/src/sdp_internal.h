// Text helpers shared by the SDP parser, writer and builder (private to confcast_rtp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "confcast/rtp/sdp.h"

namespace confcast::rtp::sdp_internal {

// Unsigned decimal: digits only, no sign, no spaces; nullopt on overflow past `max`.
std::optional<std::uint64_t> ParseDecimal(std::string_view s, std::uint64_t max);

// Splits on runs of spaces and tabs.
std::vector<std::string_view> SplitWhitespace(std::string_view s);
std::string_view Trim(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

bool IsIpv4Literal(std::string_view s);
bool IsIpv6Literal(std::string_view s);
bool IsHostName(std::string_view s);  // FQDN syntax, at least one letter

// "<address>[/<ttl>][/<count>]" for the given address type (RFC 8866 5.7). On failure sets
// kind (kBadConnection or kBadTtl) and a message.
struct TextError {
  SdpErrorKind kind = SdpErrorKind::kBadLine;
  std::string message;
};
using AddressError = TextError;
std::optional<SdpConnection> ParseConnectionAddress(SdpAddrType type, std::string_view text,
                                                    AddressError& error);
std::string FormatConnectionAddress(const SdpConnection& c);

// Quotes user text for an error message: printable, at most ~60 characters.
std::string Quote(std::string_view s);

std::optional<SdpDirection> ParseDirection(std::string_view s);

// Everything after the first n whitespace-separated tokens, trimmed.
std::string_view RestAfterTokens(std::string_view s, std::size_t n);
// An RTP payload type 0..127; `where` names the field for the message.
std::optional<std::uint8_t> ParsePayloadType(TextError& e, std::string_view token,
                                             std::string_view where);

// Values of media-level attributes (sdp_attributes.cc): append to the media or fill e.
bool ParseRtpMapValue(std::string_view v, MediaDescription& m, TextError& e);
bool ParseFmtpValue(std::string_view v, MediaDescription& m, TextError& e);
bool ParseRtcpFbValue(std::string_view v, MediaDescription& m, TextError& e);
bool ParseRtcpValue(std::string_view v, MediaDescription& m, TextError& e);
bool ParseExtMapValue(std::string_view v, MediaDescription& m, TextError& e);
bool ParseSsrcValue(std::string_view v, MediaDescription& m, TextError& e);
bool ParseSourceFilterValue(std::string_view v, std::vector<SourceFilter>& out, TextError& e);

}  // namespace confcast::rtp::sdp_internal

// Text helpers shared by the SDP parser, writer and builder (private to confcast_rtp).
#pragma once

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
struct AddressError {
  SdpErrorKind kind;
  std::string message;
};
std::optional<Connection> ParseConnectionAddress(AddrType type, std::string_view text,
                                                 AddressError& error);
std::string FormatConnectionAddress(const Connection& c);

// Quotes user text for an error message: printable, at most ~60 characters.
std::string Quote(std::string_view s);

std::optional<Direction> ParseDirection(std::string_view s);

}  // namespace confcast::rtp::sdp_internal

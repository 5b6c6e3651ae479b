// libFuzzer target for the SDP parser (RFC 8866): parse; when the input parses, serialize it,
// parse the text again and abort unless the result equals the first parse and serializes to the
// same text. Output beyond the documented parser limits (the writer adds o=, s=, t= when they
// were missing, and a space after "source-filter:") is not re-parsed: it would be rejected by
// design, not by mistake.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "confcast/rtp/sdp.h"

namespace {

bool WithinLimits(std::string_view text) {
  if (text.size() > confcast::rtp::kMaxSdpBytes) return false;
  std::size_t lines = 0;
  while (!text.empty()) {
    const std::size_t end = text.find("\r\n");
    if (end > confcast::rtp::kMaxSdpLineLength) return false;
    ++lines;
    text.remove_prefix(end + 2);  // the writer ends every line, the last one included
  }
  return lines <= confcast::rtp::kMaxSdpLines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto first = confcast::rtp::ParseSdp(std::span<const std::uint8_t>(data, size));
  if (!first) {
    if (confcast::rtp::FormatSdpError(first.error()).find('\n') != std::string::npos) std::abort();
    return 0;
  }
  const std::string text = confcast::rtp::SerializeSdp(*first);
  if (!WithinLimits(text)) return 0;
  const auto second = confcast::rtp::ParseSdp(text);
  if (!second || !(*second == *first)) std::abort();
  if (confcast::rtp::SerializeSdp(*second) != text) std::abort();
  return 0;
}

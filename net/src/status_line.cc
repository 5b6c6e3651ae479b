#include <confcast/net/status_line.h>
#include <confcast/rtp/safe_text.h>

namespace confcast::net {
namespace {

// The first `n` code points of valid UTF-8.
std::string Prefix(const std::string& s, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t points = 0; at < s.size() && points < n; ++points) {
    ++at;
    while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) ++at;
  }
  return s.substr(0, at);
}

}  // namespace

std::string FitStatus(std::span<const std::string> fields, std::size_t columns) {
  constexpr std::string_view kSeparator = " | ";
  std::string line;
  std::size_t used = 0;
  for (const std::string& field : fields) {
    if (field.empty()) continue;
    const std::size_t width = rtp::Utf8Length(field);
    if (line.empty()) {
      if (width > columns) return Prefix(field, columns);
      line = field;
      used = width;
      continue;
    }
    if (used + kSeparator.size() + width > columns) break;
    line += kSeparator;
    line += field;
    used += kSeparator.size() + width;
  }
  return line;
}

}  // namespace confcast::net

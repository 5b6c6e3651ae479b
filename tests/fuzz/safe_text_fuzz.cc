// libFuzzer target for SafeText: whatever the bytes and the cap (the first input byte), the
// output is valid UTF-8, has no byte below 0x20, no 0x7F, no C1 code point, no bidi override
// or isolate, fits the cap, and sanitizing it again changes nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "confcast/rtp/safe_text.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckSafe(const std::string& out, std::size_t cap) {
  Check(out.size() <= cap);
  Check(confcast::rtp::IsValidUtf8(out));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto b = static_cast<std::uint8_t>(out[i]);
    Check(b >= 0x20 && b != 0x7F);
    if (b == 0xC2 && i + 1 < out.size()) Check(static_cast<std::uint8_t>(out[i + 1]) >= 0xA0);
    if (b == 0xE2 && i + 2 < out.size()) {
      const auto b1 = static_cast<std::uint8_t>(out[i + 1]);
      const auto b2 = static_cast<std::uint8_t>(out[i + 2]);
      Check(!(b1 == 0x80 && b2 >= 0xA8 && b2 <= 0xAE));  // U+2028..U+202E
      Check(!(b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9));  // U+2066..U+2069
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t cap = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string out = confcast::rtp::SafeText(text, cap);
  CheckSafe(out, cap);
  // Sanitized text is a fixed point (when it was not cut: the ellipsis is fine either way).
  Check(confcast::rtp::SafeText(out, cap) == out);
  const std::string whole = confcast::rtp::SafeText(text, text.size() * 3 + 3);
  CheckSafe(whole, text.size() * 3 + 3);
  Check(whole.find("\xE2\x80\xA6") == std::string::npos ||
        text.find("\xE2\x80\xA6") != std::string_view::npos);  // never cut with room to spare
  const std::string file = confcast::rtp::SafeFileName(text, cap);
  Check(file.find('/') == std::string::npos && file.find('\\') == std::string::npos);
  Check(!file.empty() && file.front() != '.');
  CheckSafe(file, std::max<std::size_t>(cap, 1));
  return 0;
}

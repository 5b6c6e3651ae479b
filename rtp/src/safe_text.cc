// SafeText: strict UTF-8 decoding with one U+FFFD per maximal invalid subpart, then a filter of
// control, bidi-override and line-separator code points, then a cap at a character boundary.
// See safe_text.h for the rules and why.
#include <confcast/rtp/safe_text.h>

#include <algorithm>
#include <cstdint>

namespace confcast::rtp {
namespace {

struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 1;  // bytes consumed (the maximal subpart when invalid)
  bool valid = false;
};

// Unicode 15, table 3-7 (well-formed UTF-8 byte sequences): the lead byte fixes the length and
// the range of the second byte; later bytes are always 80..BF.
Decoded DecodeOne(std::string_view s, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t b0 = byte(at);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t need = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {};  // 80..BF (stray continuation), C0, C1 (overlong), F5..FF
  }
  std::size_t i = 1;
  for (; i <= need; ++i) {
    if (at + i >= s.size()) return {0, i, false};  // cut short: the bytes so far are one subpart
    const std::uint8_t b = byte(at + i);
    const std::uint8_t min = i == 1 ? lo : 0x80;
    const std::uint8_t max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) return {0, i, false};  // resume at the offending byte
    cp = cp << 6 | (b & 0x3F);
  }
  return {cp, i, true};
}

bool Forbidden(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||  // C0, DEL, C1
         (cp >= 0x202A && cp <= 0x202E) ||            // LRE RLE PDF LRO RLO
         (cp >= 0x2066 && cp <= 0x2069) ||            // LRI RLI FSI PDI
         cp == 0x2028 || cp == 0x2029;                // line and paragraph separators
}

}  // namespace

std::string SafeText(std::string_view in, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(in.size(), max_bytes) + 4);
  // Sanitize until the output is known to need cutting (one character beyond the cap), so a
  // megabyte of input costs no more than the cap.
  std::size_t at = 0;
  while (at < in.size() && out.size() <= max_bytes) {
    const Decoded d = DecodeOne(in, at);
    if (d.valid && !Forbidden(d.code_point)) {
      out.append(in.substr(at, d.length));
    } else {
      out.append(kReplacementCharacter);
    }
    at += d.length;
  }
  if (out.size() <= max_bytes && at >= in.size()) return out;
  // Cut: keep whole characters that leave room for the ellipsis.
  const bool marker = max_bytes >= kEllipsis.size();
  std::size_t keep = marker ? max_bytes - kEllipsis.size() : max_bytes;
  keep = std::min(keep, out.size());
  while (keep > 0 && keep < out.size() && (static_cast<std::uint8_t>(out[keep]) & 0xC0) == 0x80) {
    --keep;  // out[keep] continues a character: step back to its lead byte
  }
  out.resize(keep);
  if (marker) out.append(kEllipsis);
  return out;
}

std::string SafeFileName(std::string_view untrusted, std::size_t max_bytes) {
  std::string s = SafeText(untrusted, max_bytes);
  for (char& c : s) {
    if (c == '/' || c == '\\') c = '_';
  }
  if (s.empty()) return "_";
  if (s.front() == '.') s.front() = '_';
  return s;
}

std::size_t Utf8Length(std::string_view text) noexcept {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<std::uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

bool IsValidUtf8(std::string_view text) noexcept {
  for (std::size_t at = 0; at < text.size();) {
    const Decoded d = DecodeOne(text, at);
    if (!d.valid) return false;
    at += d.length;
  }
  return true;
}

}  // namespace confcast::rtp

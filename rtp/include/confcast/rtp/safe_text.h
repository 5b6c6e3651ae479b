// Text that came from the network or a file (SDES NAME/CNAME, BYE reasons, SDP s= and c=, SAP
// listings) made safe to show on a terminal, in a window title, in a log or in a file name.
//
// Anyone on the LAN can send such text. Printed raw, `ESC ]0;...BEL` retitles the terminal,
// `ESC [31m` recolours it, CR/LF forge log lines, U+202E (right-to-left override) reverses what
// follows, and invalid UTF-8 breaks JSON writers and some terminals. SafeText is the one
// boundary every such string passes before it is shown:
//
//   - it decodes UTF-8 strictly (Unicode 15, 3.9, table 3-7): overlong forms, surrogates
//     (U+D800..U+DFFF), code points above U+10FFFF, stray continuation bytes, bytes C0, C1 and
//     F5..FF, and sequences cut short are invalid. Each *maximal subpart* of an invalid sequence
//     becomes one replacement character (the W3C/WHATWG decoding practice), so a truncated
//     3-byte sequence costs one U+FFFD, not three;
//   - it replaces control characters: C0 (U+0000..U+001F, ESC, BEL, CR, LF and TAB included),
//     DEL (U+007F) and C1 (U+0080..U+009F, which some terminals obey as 8-bit CSI/OSC);
//   - it replaces the bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069,
//     the "Trojan Source" characters, CVE-2021-42574) and the line and paragraph separators
//     (U+2028, U+2029), which some viewers treat as line breaks;
//   - every replaced character becomes U+FFFD (EF BF BD): visible, so the reader sees that
//     something was there, and valid UTF-8, so the output is safe for JSON and file names too;
//   - it caps the output at `max_bytes` bytes, cut at a character boundary and ended with
//     U+2026 (HORIZONTAL ELLIPSIS, 3 bytes) when something was cut (a cap below 3 cuts without
//     the marker).
//
// The output is valid UTF-8 with no byte below 0x20, no 0x7F and no C1 code point.
// Everything else (letters of every script, emoji, combining marks) passes unchanged.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace confcast::rtp {

inline constexpr std::size_t kSafeTextDefaultMaxBytes = 128;
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD
inline constexpr std::string_view kEllipsis = "\xE2\x80\xA6";               // U+2026

// The untrusted text, safe to print (see above), at most max_bytes bytes long.
std::string SafeText(std::string_view untrusted, std::size_t max_bytes = kSafeTextDefaultMaxBytes);

// SafeText made fit for one component of a file name: '/' and '\' become '_', and a leading
// '.' becomes '_' (no hidden files, no "." or ".."); empty text becomes "_".
std::string SafeFileName(std::string_view untrusted,
                         std::size_t max_bytes = kSafeTextDefaultMaxBytes);

// Code points in valid UTF-8 (SafeText's output): the columns a table pads to, counting every
// character as one column.
std::size_t Utf8Length(std::string_view valid_utf8) noexcept;

// True when `text` is valid UTF-8 in the strict sense above (for tests and fuzz targets).
bool IsValidUtf8(std::string_view text) noexcept;

}  // namespace confcast::rtp

#include "device_list.h"

#include <confcast/rtp/safe_text.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace confcast::sender {

namespace {

constexpr std::size_t kNameBytes = 80;

// The value as a shell word: as it is when only safe characters, else in single quotes.
std::string ShellWord(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("_./:=@,+-").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Kind {
  media::DeviceKind kind;
  const char* heading;
  const char* option;
  const char* none;
};

constexpr Kind kKinds[] = {
    {media::DeviceKind::kVideo, "video capture devices", "--video",
     "none found (--video test sends a test pattern, --video screen the X11 screen)"},
    {media::DeviceKind::kAudio, "audio capture devices", "--audio",
     "none found (--audio test sends a tone, --audio none no audio)"},
};

}  // namespace

std::string FormatCaptureDevices(const std::vector<media::CaptureDevice>& devices) {
  std::string out;
  for (const Kind& k : kKinds) {
    out += fmt::format("{}:\n", k.heading);
    std::size_t listed = 0;
    for (const media::CaptureDevice& d : devices) {
      if (d.kind != k.kind) continue;
      ++listed;
      const std::string name = rtp::SafeText(d.name, kNameBytes);
      if (d.spec.empty()) {
        out += fmt::format("  ({}: through {}, which confcast-send cannot capture from)\n", name,
                           d.element.empty() ? "no element" : rtp::SafeText(d.element, 40));
        continue;
      }
      // A value that SafeText would change cannot be typed as printed: say so instead.
      if (rtp::SafeText(d.spec, d.spec.size() + 1) != d.spec) {
        out += fmt::format("  ({}: its {} value holds control characters or invalid text)\n",
                           name, k.option);
        continue;
      }
      const std::string value = fmt::format("{} {}", k.option, ShellWord(d.spec));
      out += fmt::format("  {:<40} {}\n", value, name);
    }
    if (listed == 0) out += fmt::format("  {}\n", k.none);
  }
  return out;
}

int PrintCaptureDevices() {
  const std::string text = FormatCaptureDevices(media::ListCaptureDevices());
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace confcast::sender

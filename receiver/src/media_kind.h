// The two kinds of media a confcast session carries, each on its own port pair.
#pragma once

#include <cstdint>
#include <string_view>

namespace confcast::receiver {

enum class MediaKind : std::uint8_t { kVideo, kAudio };

constexpr std::string_view Name(MediaKind kind) noexcept {
  return kind == MediaKind::kVideo ? "video" : "audio";
}

}  // namespace confcast::receiver

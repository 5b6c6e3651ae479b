#include "confcast/media/frame.h"

#include <algorithm>
#include <chrono>

namespace confcast::media {

rtp::Timestamp WallClockNow() noexcept {
  return std::chrono::duration_cast<rtp::Timestamp>(
      std::chrono::system_clock::now().time_since_epoch());
}

std::size_t VideoFrame::I420Size(int width, int height) noexcept {
  if (width <= 0 || height <= 0) return 0;
  const std::size_t w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
  return w * h + 2 * ((w + 1) / 2) * ((h + 1) / 2);
}

VideoFrame VideoFrame::Blank(int width, int height) {
  VideoFrame f;
  f.width = width;
  f.height = height;
  f.i420.assign(I420Size(width, height), 0);
  return f;
}

namespace {
std::size_t LumaSize(const VideoFrame& f) {
  return static_cast<std::size_t>(f.width) * static_cast<std::size_t>(f.height);
}
std::size_t ChromaSize(const VideoFrame& f) {
  return static_cast<std::size_t>(f.ChromaWidth()) * static_cast<std::size_t>(f.ChromaHeight());
}
}  // namespace

std::span<std::uint8_t> VideoFrame::Y() noexcept {
  return std::span(i420).first(LumaSize(*this));
}
std::span<std::uint8_t> VideoFrame::U() noexcept {
  return std::span(i420).subspan(LumaSize(*this), ChromaSize(*this));
}
std::span<std::uint8_t> VideoFrame::V() noexcept {
  return std::span(i420).subspan(LumaSize(*this) + ChromaSize(*this), ChromaSize(*this));
}
std::span<const std::uint8_t> VideoFrame::Y() const noexcept {
  return std::span(i420).first(LumaSize(*this));
}
std::span<const std::uint8_t> VideoFrame::U() const noexcept {
  return std::span(i420).subspan(LumaSize(*this), ChromaSize(*this));
}
std::span<const std::uint8_t> VideoFrame::V() const noexcept {
  return std::span(i420).subspan(LumaSize(*this) + ChromaSize(*this), ChromaSize(*this));
}

VideoFrame SyntheticFrame(int width, int height, std::uint64_t n) {
  VideoFrame f = VideoFrame::Blank(width, height);
  f.frame_number = n;
  const int shift = static_cast<int>(n % 256);
  auto y = f.Y();
  for (int r = 0; r < height; ++r)
    for (int c = 0; c < width; ++c)
      y[static_cast<std::size_t>(r * width + c)] =
          static_cast<std::uint8_t>((r + c + 2 * shift) & 0xff);
  // A 1/4-height bright square moving right two pixels per frame.
  const int side = std::max(2, height / 4);
  const int x0 = static_cast<int>((2 * n) % static_cast<std::uint64_t>(std::max(1, width - side)));
  const int y0 = height / 3;
  for (int r = y0; r < std::min(height, y0 + side); ++r)
    for (int c = x0; c < std::min(width, x0 + side); ++c)
      y[static_cast<std::size_t>(r * width + c)] = 235;
  auto u = f.U();
  auto v = f.V();
  const int cw = f.ChromaWidth();
  for (int r = 0; r < f.ChromaHeight(); ++r)
    for (int c = 0; c < cw; ++c) {
      u[static_cast<std::size_t>(r * cw + c)] = static_cast<std::uint8_t>(64 + (c * 128) / cw);
      v[static_cast<std::size_t>(r * cw + c)] =
          static_cast<std::uint8_t>(64 + (r * 128) / std::max(1, f.ChromaHeight()));
    }
  return f;
}

}  // namespace confcast::media

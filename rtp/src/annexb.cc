// Annex-B start code scan (ITU-T H.264 B.1/B.2). Start codes are found by looking for their
// 0x01 byte with memchr (vectorized in libc) and checking the two zero bytes before it, so the
// scan touches each byte roughly once even in large slices.
#include "confcast/rtp/annexb.h"

#include <cstring>

namespace confcast::rtp {
namespace {

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

// Position of the 0x01 byte of the first 0x000001 at or after `from` + 2, or kNotFound.
std::size_t FindStartCode(std::span<const std::uint8_t> s, std::size_t from) noexcept {
  std::size_t i = from + 2;
  while (i < s.size()) {
    const void* hit = std::memchr(s.data() + i, 0x01, s.size() - i);
    if (hit == nullptr) return kNotFound;
    i = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - s.data());
    if (s[i - 1] == 0 && s[i - 2] == 0) return i;
    ++i;
  }
  return kNotFound;
}

}  // namespace

AnnexBReader::AnnexBReader(std::span<const std::uint8_t> stream) noexcept : stream_(stream) {
  const std::size_t first = FindStartCode(stream_, 0);
  pos_ = first == kNotFound ? stream_.size() : first + 1;
}

std::optional<std::span<const std::uint8_t>> AnnexBReader::Next() noexcept {
  while (pos_ < stream_.size()) {
    const std::size_t begin = pos_;
    const std::size_t code = FindStartCode(stream_, begin);
    std::size_t end = code == kNotFound ? stream_.size() : code - 2;
    pos_ = code == kNotFound ? stream_.size() : code + 1;
    while (end > begin && stream_[end - 1] == 0) --end;
    if (end > begin) return stream_.subspan(begin, end - begin);
  }
  return std::nullopt;
}

std::vector<std::span<const std::uint8_t>> SplitAnnexB(std::span<const std::uint8_t> stream) {
  std::vector<std::span<const std::uint8_t>> nals;
  AnnexBReader reader(stream);
  while (auto nal = reader.Next()) nals.push_back(*nal);
  return nals;
}

std::vector<std::uint8_t> JoinAnnexB(std::span<const std::span<const std::uint8_t>> nals) {
  std::size_t size = 0;
  for (const auto& nal : nals) size += sizeof(kStartCode4) + nal.size();
  std::vector<std::uint8_t> out;
  out.reserve(size);
  for (const auto& nal : nals) {
    out.insert(out.end(), std::begin(kStartCode4), std::end(kStartCode4));
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

}  // namespace confcast::rtp

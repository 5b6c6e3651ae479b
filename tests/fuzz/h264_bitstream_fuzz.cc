// Fuzzes rtp/h264_bitstream.h: FirstMbInSlice, StartsKeyframe, BeginsAccessUnit and
// LooksEncrypted on any bytes.
//
// 1. The input as an RTP payload: no crash, no read past the end (ASan), and LooksEncrypted
//    exactly when the first byte is not a mode-1 NAL unit header.
// 2. The input as a NAL unit (types 1-23): sent as a single NAL unit packet, as the start
//    fragment of an FU-A, or inside a STAP-A, it is a keyframe start in all three or in none,
//    and exactly when it is an SPS or an IDR slice whose first_mb_in_slice is 0; it begins an
//    access unit in all three exactly when it is an AUD or an SPS.
// 3. A ue(v) value taken from the input, written as a slice header with emulation prevention
//    and the rest of the input as what follows, reads back as first_mb_in_slice.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "confcast/rtp/h264_bitstream.h"

namespace {

using namespace confcast::rtp;

void Check(bool ok) {
  if (!ok) std::abort();
}

void FuzzPayload(std::span<const std::uint8_t> in) {
  (void)StartsKeyframe(in);
  (void)BeginsAccessUnit(in);
  (void)InsideKeyframe(in);
  (void)FirstMbInSlice(in);
  if (in.empty()) {
    Check(!LooksEncrypted(in));
    return;
  }
  const int type = in[0] & 0x1f;
  const bool plain = (in[0] & 0x80) == 0 && ((type >= 1 && type <= 24) || type == 28);
  Check(LooksEncrypted(in) == !plain);
}

void FuzzNal(std::span<const std::uint8_t> nal) {
  if (nal.size() < 2 || nal.size() > 0xffff) return;
  const std::uint8_t type = nal[0] & 0x1f;
  if (type < 1 || type > 23) return;
  const bool expected = type == 7 || (type == 5 && FirstMbInSlice(nal) == std::optional<std::uint32_t>{0});
  Check(StartsKeyframe(nal) == expected);
  std::vector<std::uint8_t> fu = {static_cast<std::uint8_t>((nal[0] & 0xe0) | 28),
                                  static_cast<std::uint8_t>(0x80 | type)};
  fu.insert(fu.end(), nal.begin() + 1, nal.end());
  const bool begins = type == 7 || type == 9;
  const bool inside = type == 5 || type == 8;
  Check(BeginsAccessUnit(nal) == begins);
  Check(InsideKeyframe(nal) == inside);
  Check(StartsKeyframe(fu) == expected);
  Check(BeginsAccessUnit(fu) == begins);
  fu[1] = type;  // a middle fragment never is
  Check(!StartsKeyframe(fu));
  Check(!BeginsAccessUnit(fu));
  Check(InsideKeyframe(fu) == inside);  // any fragment of an IDR slice
  std::vector<std::uint8_t> stap = {0x78, static_cast<std::uint8_t>(nal.size() >> 8),
                                    static_cast<std::uint8_t>(nal.size())};
  stap.insert(stap.end(), nal.begin(), nal.end());
  Check(StartsKeyframe(stap) == expected);
  Check(BeginsAccessUnit(stap) == begins);
  Check(InsideKeyframe(stap) == inside);
}

// RBSP bits with emulation prevention (H.264 7.4.1).
class Writer {
 public:
  void Bits(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      if (bits_ % 8 == 0) rbsp_.push_back(0);
      if ((v >> i) & 1) rbsp_.back() |= static_cast<std::uint8_t>(0x80 >> (bits_ % 8));
      ++bits_;
    }
  }
  std::vector<std::uint8_t> Nal(std::uint8_t header) const {
    std::vector<std::uint8_t> out = {header};
    int zeros = 0;
    for (std::uint8_t b : rbsp_) {
      if (zeros >= 2 && b <= 3) {
        out.push_back(3);
        zeros = 0;
      }
      out.push_back(b);
      zeros = b == 0 ? zeros + 1 : 0;
    }
    return out;
  }

 private:
  std::vector<std::uint8_t> rbsp_;
  std::size_t bits_ = 0;
};

void FuzzUeRoundTrip(std::span<const std::uint8_t> in) {
  if (in.size() < 5) return;
  std::uint32_t v = std::uint32_t{in[0]} << 24 | std::uint32_t{in[1]} << 16 |
                    std::uint32_t{in[2]} << 8 | in[3];
  v >>= in[4] % 32;  // small values as often as large ones
  if (v == 0xffffffffu) v = 0xfffffffeu;
  const std::uint64_t code = std::uint64_t{v} + 1;
  int m = 0;
  while ((code >> (m + 1)) != 0) ++m;
  Writer w;
  w.Bits(0, m);
  w.Bits(code, m + 1);
  for (std::size_t i = 5; i < in.size() && i < 64; ++i) w.Bits(in[i], 8);
  const std::uint8_t headers[] = {0x65, 0x41, 0x22, 0x01};
  Check(FirstMbInSlice(w.Nal(headers[in[4] % 4])) == v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  FuzzPayload(in);
  FuzzNal(in);
  FuzzUeRoundTrip(in);
  return 0;
}

// FirstMbInSlice, StartsKeyframe and LooksEncrypted on real libx264 output (values checked
// against ffmpeg's slice header parser, see tests/rtp/data/README.md) and on slice headers built
// bit by bit here, with emulation prevention where it matters.
#include <confcast/rtp/h264_bitstream.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "h264_capture.h"

namespace confcast::rtp {
namespace {

using capture::Buf;

// ffmpeg -bsf:v trace_headers on the two captures.
const std::vector<std::uint32_t> kFourSlicesFirstMb = [] {
  std::vector<std::uint32_t> v;
  for (int frame = 0; frame < 10; ++frame) v.insert(v.end(), {0, 22, 55, 77});
  return v;
}();
const std::vector<std::uint32_t> kSliceMaxFirstMb = {0, 38, 101, 176, 218, 258, 277,
                                                     0, 42,  198, 263, 285};

std::vector<Buf> Slices(const Buf& stream) {
  std::vector<Buf> out;
  for (const auto nal : SplitAnnexB(stream)) {
    if (capture::IsVcl(nal[0])) out.emplace_back(nal.begin(), nal.end());
  }
  return out;
}

// Writes RBSP bits MSB first, then applies emulation prevention (H.264 7.4.1).
class RbspWriter {
 public:
  void Bits(std::uint64_t value, int n) {
    for (int i = n - 1; i >= 0; --i) Bit(((value >> i) & 1) != 0);
  }
  void Ue(std::uint32_t v) {
    const std::uint64_t code = std::uint64_t{v} + 1;
    int m = 0;
    while ((code >> (m + 1)) != 0) ++m;
    Bits(0, m);
    Bits(code, m + 1);
  }
  // rbsp_trailing_bits, then 0x03 after every two zero bytes followed by a byte <= 3.
  Buf Nal(std::uint8_t header) {
    Bit(true);
    while (bits_ % 8 != 0) Bit(false);
    Buf out = {header};
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
  void Bit(bool one) {
    if (bits_ % 8 == 0) rbsp_.push_back(0);
    if (one) rbsp_.back() |= static_cast<std::uint8_t>(0x80 >> (bits_ % 8));
    ++bits_;
  }
  Buf rbsp_;
  std::size_t bits_ = 0;
};

// ue(v) read straight off the bytes, as a reader that forgot emulation prevention would.
std::optional<std::uint64_t> NaiveUe(const Buf& nal) {
  std::size_t bit = 8;
  auto next = [&]() -> std::optional<int> {
    if (bit / 8 >= nal.size()) return std::nullopt;
    const int b = (nal[bit / 8] >> (7 - bit % 8)) & 1;
    ++bit;
    return b;
  };
  int m = 0;
  for (;;) {
    auto b = next();
    if (!b) return std::nullopt;
    if (*b) break;
    if (++m > 40) return std::nullopt;
  }
  std::uint64_t suffix = 0;
  for (int i = 0; i < m; ++i) {
    auto b = next();
    if (!b) return std::nullopt;
    suffix = suffix << 1 | static_cast<std::uint64_t>(*b);
  }
  return (std::uint64_t{1} << m) - 1 + suffix;
}

bool HasEmulationPrevention(const Buf& nal) {
  for (std::size_t i = 3; i < nal.size(); ++i) {
    if (nal[i - 2] == 0 && nal[i - 1] == 0 && nal[i] == 3) return true;
  }
  return false;
}

std::uint32_t Lcg(std::uint32_t& s) {
  s = s * 1664525u + 1013904223u;
  return s;
}

// A slice header start: first_mb_in_slice, then slice_type and pic_parameter_set_id (ue), then
// `tail_bits` bits of `tail` (frame_num and what follows, arbitrary here).
Buf SliceNal(std::uint8_t header, std::uint32_t first_mb, std::uint64_t tail, int tail_bits) {
  RbspWriter w;
  w.Ue(first_mb);
  w.Ue(7);  // slice_type I
  w.Ue(0);
  w.Bits(tail, tail_bits);
  return w.Nal(header);
}

TEST(FirstMbInSlice, MatchesFfmpegOnEverySliceOfTwoX264Captures) {
  for (const auto& [file, expected] :
       {std::pair{"x264_4slices_176x144.h264", kFourSlicesFirstMb},
        std::pair{"x264_slicemax400_320x240.h264", kSliceMaxFirstMb}}) {
    const Buf stream = capture::ReadCapture(file);
    ASSERT_FALSE(stream.empty()) << file;
    std::vector<std::uint32_t> got;
    for (const Buf& slice : Slices(stream)) {
      const auto mb = FirstMbInSlice(slice);
      ASSERT_TRUE(mb.has_value()) << file;
      got.push_back(*mb);
    }
    EXPECT_EQ(got, expected) << file;
  }
}

TEST(FirstMbInSlice, NoAnswerForOtherNalUnits) {
  const Buf stream = capture::ReadCapture("x264_4slices_176x144.h264");
  int others = 0;
  for (const auto nal : SplitAnnexB(stream)) {
    if (capture::IsVcl(nal[0])) continue;
    ++others;  // SPS, PPS, SEI
    EXPECT_EQ(FirstMbInSlice(nal), std::nullopt) << int(nal[0] & 0x1f);
  }
  EXPECT_EQ(others, 5);
  EXPECT_EQ(FirstMbInSlice({}), std::nullopt);
  for (int type : {0, 3, 4, 6, 7, 8, 9, 20, 24, 28, 31}) {
    const Buf nal = {static_cast<std::uint8_t>(0x60 | type), 0x80};  // ue(v) 0 if read
    EXPECT_EQ(FirstMbInSlice(nal), std::nullopt) << type;
  }
  for (int type : {1, 2, 5}) {
    const Buf nal = {static_cast<std::uint8_t>(0x60 | type), 0x80};
    EXPECT_EQ(FirstMbInSlice(nal), 0u) << type;
  }
}

TEST(FirstMbInSlice, APrefixGivesTheValueOrNothingNeverAnotherValue) {
  for (const char* file : {"x264_4slices_176x144.h264", "x264_slicemax400_320x240.h264"}) {
    for (const Buf& slice : Slices(capture::ReadCapture(file))) {
      const auto whole = FirstMbInSlice(slice);
      EXPECT_EQ(FirstMbInSlice(std::span(slice).first(1)), std::nullopt);
      for (std::size_t n = 2; n <= std::min<std::size_t>(slice.size(), 6); ++n) {
        const auto part = FirstMbInSlice(std::span(slice).first(n));
        if (part) {
          EXPECT_EQ(part, whole) << file << " " << n;
        }
      }
    }
  }
}

TEST(FirstMbInSlice, EmulationPreventionInsideTheCodeIsSkipped) {
  // 2^22 - 1 has 22 leading zero bits: 00 00 then 0x02 needs an 0x03 in front. Larger values
  // put further 0x03 bytes inside the code's suffix too.
  int checked = 0;
  for (std::uint32_t v : {4194303u, 4194304u, 8388607u, 8388608u, 16777215u, 33554431u,
                          1073741823u, 2147483647u, 4294967294u}) {
    for (std::uint64_t tail : {0ull, 1ull, 0xffull}) {
      const Buf nal = SliceNal(0x65, v, tail, 8);
      ASSERT_TRUE(HasEmulationPrevention(nal)) << v;
      EXPECT_EQ(FirstMbInSlice(nal), v) << v << " " << tail;
      // Proof that the 0x03 sat inside the code: read naively, the value is another one.
      EXPECT_NE(NaiveUe(nal), std::optional<std::uint64_t>{v}) << v;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 27);
}

TEST(FirstMbInSlice, GoldenSliceHeaderWithTwoEmulationPreventionBytes) {
  // first_mb_in_slice 4194303 = 2^22 - 1: 22 zero bits, a one, 22 zero bits, then the rest of
  // the header. RBSP 00 00 02 00 00 01 c0; both 00 00 0x runs need an 0x03 on the wire.
  constexpr std::uint8_t kNal[] = {
      0x65,              // F=0, NRI=3, type 5 (IDR slice)
      0x00, 0x00, 0x03,  // 16 zero bits, then an emulation prevention byte
      0x02,              // 6 zero bits, the one, the suffix's first zero bit
      0x00, 0x00, 0x03,  // 16 more suffix bits, another emulation prevention byte
      0x01,              // the last 5 suffix bits (22 in all), then slice_type ...
      0xc0,
  };
  EXPECT_EQ(FirstMbInSlice(kNal), 4194303u);
}

TEST(FirstMbInSlice, EmulationPreventionRightAfterTheCodeChangesNothing) {
  // first_mb 32767: 15 zeros, a one, 15 zeros (bytes 00 01 00 0x), then eight zero bits and a
  // one: 00 00 01 would follow, so an 0x03 goes in just past the code.
  RbspWriter w;
  w.Ue(32767);
  w.Bits(0, 8);
  w.Bits(1, 1);
  const Buf nal = w.Nal(0x41);
  ASSERT_TRUE(HasEmulationPrevention(nal));
  EXPECT_EQ(FirstMbInSlice(nal), 32767u);
  EXPECT_EQ(NaiveUe(nal), std::optional<std::uint64_t>{32767});
}

TEST(FirstMbInSlice, RoundTripsValuesAcrossTheWholeRange) {
  std::vector<std::uint32_t> values;
  for (std::uint32_t v = 0; v < 4096; ++v) values.push_back(v);
  for (int bits = 12; bits <= 32; ++bits) {
    const std::uint64_t p = std::uint64_t{1} << bits;
    for (std::uint64_t v : {p - 2, p - 1, p, p + 1}) {
      if (v <= 0xfffffffeull) values.push_back(static_cast<std::uint32_t>(v));
    }
  }
  std::uint32_t rng = 264;
  for (int i = 0; i < 20000; ++i) {
    const int bits = static_cast<int>(Lcg(rng) % 33);
    const std::uint64_t v = bits == 0 ? 0 : Lcg(rng) >> (32 - bits);
    values.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(v, 0xfffffffeull)));
  }
  int with_prevention = 0;
  for (std::uint32_t v : values) {
    const std::uint8_t header = std::array<std::uint8_t, 3>{0x65, 0x41, 0x22}[v % 3];
    const int tail_bits = static_cast<int>(Lcg(rng) % 40);
    // Runs of zero bits after the code (a tail of 0) make emulation prevention likely there.
    const std::uint64_t tail =
        Lcg(rng) % 4 == 0 ? 0 : (std::uint64_t{Lcg(rng)} << 32 | Lcg(rng));
    const Buf nal = SliceNal(header, v, tail, tail_bits);
    with_prevention += HasEmulationPrevention(nal) ? 1 : 0;
    ASSERT_EQ(FirstMbInSlice(nal), v) << v << " tail " << tail << "/" << tail_bits;
  }
  EXPECT_GT(with_prevention, 100);
}

TEST(FirstMbInSlice, RefusesCodesThatAreTooLongOrCutShort) {
  // 32 leading zeros would be a value above 2^32 - 2.
  Buf nal = {0x65, 0x00, 0x00, 0x03, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80};
  EXPECT_EQ(FirstMbInSlice(nal), std::nullopt);
  EXPECT_EQ(FirstMbInSlice(Buf{0x65, 0x00, 0x00, 0x03}), std::nullopt);  // ends after an 0x03
  EXPECT_EQ(FirstMbInSlice(Buf{0x65, 0x00, 0x00, 0x00}), std::nullopt);
  EXPECT_EQ(FirstMbInSlice(Buf{0x65, 0x01}), std::nullopt);  // 7 zeros, the one, no suffix
  EXPECT_EQ(FirstMbInSlice(Buf{0x65, 0x01, 0x00}), 127u);
  // 31 zeros is the longest code: 2^32 - 2 at most.
  EXPECT_EQ(FirstMbInSlice(SliceNal(0x65, 0xfffffffeu, 0, 0)), 0xfffffffeu);
}

// --- StartsKeyframe --------------------------------------------------------------------------

// NAL unit types whose first byte is in this payload (a single NAL unit, each unit of a STAP-A,
// the unit an FU-A start fragment opens), parsed here without the library.
std::vector<std::uint8_t> NalsBegunIn(const Buf& p) {
  const std::uint8_t type = p[0] & 0x1f;
  if (type <= 23) return {type};
  std::vector<std::uint8_t> out;
  if (type == 24) {
    for (std::size_t at = 1; at < p.size();) {
      const std::size_t size = std::size_t{p[at]} << 8 | p[at + 1];
      out.push_back(p[at + 2] & 0x1f);
      at += 2 + size;
    }
  } else if (type == 28 && (p[1] & 0x80) != 0) {
    out.push_back(p[1] & 0x1f);
  }
  return out;
}

TEST(StartsKeyframe, MarksOnlyTheSpsAndTheTopIdrSliceInRealStreams) {
  for (const auto& [file, first_mbs] :
       {std::pair{"x264_4slices_176x144.h264", kFourSlicesFirstMb},
        std::pair{"x264_slicemax400_320x240.h264", kSliceMaxFirstMb}}) {
    const auto aus = capture::SplitAccessUnits(capture::ReadCapture(file));
    for (std::size_t max_payload : {1400u, 700u, 300u, 120u, 40u}) {
      std::size_t slice = 0;  // index into first_mbs, over the whole stream
      int marked_idr_aus = 0;
      for (const auto& au : aus) {
        const Buf annexb = au.AnnexB();
        const auto payloads = capture::Packetize(annexb, max_payload);
        int marked = 0;
        for (std::size_t i = 0; i < payloads.size(); ++i) {
          bool expected = false;
          for (std::uint8_t type : NalsBegunIn(payloads[i].bytes)) {
            if (type == 7) expected = true;
            if (type == 1 || type == 5) {
              ASSERT_LT(slice, first_mbs.size());
              if (type == 5 && first_mbs[slice] == 0) expected = true;
              ++slice;
            }
          }
          EXPECT_EQ(StartsKeyframe(payloads[i].bytes), expected)
              << file << " payload " << max_payload << " packet " << i;
          marked += expected ? 1 : 0;
        }
        if (au.idr) {
          EXPECT_TRUE(StartsKeyframe(payloads.front().bytes)) << file << " " << max_payload;
          EXPECT_GE(marked, 1);
          EXPECT_LE(marked, 2);  // the SPS packet and the top slice's, when they are apart
          ++marked_idr_aus;
        } else {
          EXPECT_EQ(marked, 0);
        }
      }
      EXPECT_EQ(slice, first_mbs.size());
      EXPECT_EQ(marked_idr_aus, file == std::string("x264_4slices_176x144.h264") ? 2 : 1);
    }
  }
}

TEST(StartsKeyframe, LowerSlicesOfAnIdrPictureAreNotAStart) {
  const auto aus = capture::SplitAccessUnits(capture::ReadCapture("x264_4slices_176x144.h264"));
  ASSERT_EQ(aus.size(), 10u);
  const auto& idr = aus[5];  // SPS, PPS, slices at MB 0, 22, 55, 77
  ASSERT_EQ(idr.nals.size(), 6u);
  for (std::size_t n = 2; n < 6; ++n) {
    const Buf& slice = idr.nals[n];
    const bool top = n == 2;
    EXPECT_EQ(StartsKeyframe(slice), top) << n;  // single NAL unit packet
    Buf fu = {static_cast<std::uint8_t>((slice[0] & 0xe0) | 28),
              static_cast<std::uint8_t>(0x80 | (slice[0] & 0x1f))};
    fu.insert(fu.end(), slice.begin() + 1, slice.begin() + 40);
    EXPECT_EQ(StartsKeyframe(fu), top) << n;  // FU-A start
    fu[1] = static_cast<std::uint8_t>(slice[0] & 0x1f);
    EXPECT_FALSE(StartsKeyframe(fu)) << n;  // FU-A middle
    fu[1] |= 0x40;
    EXPECT_FALSE(StartsKeyframe(fu)) << n;  // FU-A end
    fu[1] |= 0x80;
    EXPECT_FALSE(StartsKeyframe(fu)) << n;  // S and E: malformed
  }
}

Buf StapA(const std::vector<Buf>& nals) {
  Buf p = {0x78};
  for (const Buf& nal : nals) {
    p.push_back(static_cast<std::uint8_t>(nal.size() >> 8));
    p.push_back(static_cast<std::uint8_t>(nal.size()));
    p.insert(p.end(), nal.begin(), nal.end());
  }
  return p;
}

// The NAL units of the 4-slice capture the STAP-A, BeginsAccessUnit and InsideKeyframe tests
// build their payloads from: its first IDR access unit (SPS, PPS, SEI, top and lower slice),
// the top slice of the P picture after it, and an AUD.
struct FourSliceNals {
  FourSliceNals() {
    const auto aus =
        capture::SplitAccessUnits(capture::ReadCapture("x264_4slices_176x144.h264"));
    sps = aus[0].nals[0];
    pps = aus[0].nals[1];
    sei = aus[0].nals[2];
    top = aus[0].nals[3];
    lower = aus[0].nals[4];
    p_top = aus[1].nals[0];
  }
  Buf sps, pps, sei, top, lower, p_top;
  Buf aud = {0x09, 0xf0};
};

TEST(StartsKeyframe, StapAContentsDecide) {
  const FourSliceNals n;
  const auto& [sps, pps, sei, top, lower, p_top, aud] = n;
  ASSERT_EQ(sps[0] & 0x1f, 7);
  ASSERT_EQ(sei[0] & 0x1f, 6);
  ASSERT_EQ(top[0] & 0x1f, 5);
  EXPECT_TRUE(StartsKeyframe(sps));
  EXPECT_FALSE(StartsKeyframe(pps));
  EXPECT_FALSE(StartsKeyframe(sei));
  EXPECT_FALSE(StartsKeyframe(aud));
  EXPECT_FALSE(StartsKeyframe(p_top));
  EXPECT_TRUE(StartsKeyframe(StapA({sps, pps})));
  EXPECT_TRUE(StartsKeyframe(StapA({aud, sei, sps, pps})));
  EXPECT_TRUE(StartsKeyframe(StapA({pps, top})));
  EXPECT_FALSE(StartsKeyframe(StapA({aud, sei})));
  EXPECT_FALSE(StartsKeyframe(StapA({pps, lower})));
  EXPECT_FALSE(StartsKeyframe(StapA({p_top})));
  // A STAP-A whose sizes do not add up delivers nothing, whatever it starts with.
  Buf bad = StapA({sps, pps});
  bad.push_back(0x00);
  EXPECT_FALSE(StartsKeyframe(bad));
  bad = StapA({sps});
  bad[2] = static_cast<std::uint8_t>(bad[2] + 1);
  EXPECT_FALSE(StartsKeyframe(bad));
  EXPECT_FALSE(StartsKeyframe(Buf{0x78}));
  EXPECT_FALSE(StartsKeyframe(Buf{0x78, 0x00, 0x00}));
  EXPECT_FALSE(StartsKeyframe({}));
  // An FU-A start of an SPS (only a huge one would be cut) opens an access unit too.
  Buf fu_sps = {0x7c, 0x87};
  fu_sps.insert(fu_sps.end(), sps.begin() + 1, sps.end());
  EXPECT_TRUE(StartsKeyframe(fu_sps));
  EXPECT_FALSE(StartsKeyframe(Buf{0x7c, 0x85}));  // a start fragment without a byte of slice
}

// --- BeginsAccessUnit ------------------------------------------------------------------------

TEST(BeginsAccessUnit, OnlyAnAudOrSpsFirst) {
  const FourSliceNals n;
  const auto& [sps, pps, sei, top, lower, p_top, aud] = n;
  EXPECT_TRUE(BeginsAccessUnit(sps));
  EXPECT_TRUE(BeginsAccessUnit(aud));
  EXPECT_FALSE(BeginsAccessUnit(pps));
  EXPECT_FALSE(BeginsAccessUnit(sei));
  EXPECT_FALSE(BeginsAccessUnit(top));  // a keyframe start, but its SPS/PPS may come before it
  EXPECT_FALSE(BeginsAccessUnit(p_top));
  EXPECT_TRUE(BeginsAccessUnit(StapA({sps, pps})));
  EXPECT_TRUE(BeginsAccessUnit(StapA({aud, sei, sps, pps})));
  EXPECT_FALSE(BeginsAccessUnit(StapA({sei, sps, pps})));  // an earlier AUD packet may exist
  EXPECT_FALSE(BeginsAccessUnit(StapA({pps, top})));
  Buf bad = StapA({sps, pps});
  bad.push_back(0x00);
  EXPECT_FALSE(BeginsAccessUnit(bad));  // dropped whole by the depacketizer
  Buf fu_sps = {0x7c, 0x87};
  fu_sps.insert(fu_sps.end(), sps.begin() + 1, sps.end());
  EXPECT_TRUE(BeginsAccessUnit(fu_sps));
  fu_sps[1] = 0x07;  // a middle fragment
  EXPECT_FALSE(BeginsAccessUnit(fu_sps));
  EXPECT_FALSE(BeginsAccessUnit({}));
  EXPECT_FALSE(BeginsAccessUnit(Buf{0x78}));
  EXPECT_FALSE(BeginsAccessUnit(Buf{0x7c}));
}

TEST(BeginsAccessUnit, TheFirstPacketOfEveryIdrInRealStreams) {
  // libx264 puts the SPS first in each IDR access unit; the packetizer keeps it first.
  const auto aus = capture::SplitAccessUnits(capture::ReadCapture("x264_slicemax400_320x240.h264"));
  for (std::size_t max_payload : {1400u, 300u, 40u}) {
    for (const auto& au : aus) {
      const auto payloads = capture::Packetize(au.AnnexB(), max_payload);
      EXPECT_EQ(BeginsAccessUnit(payloads.front().bytes), au.idr) << max_payload;
      for (std::size_t i = 1; i < payloads.size(); ++i)
        EXPECT_FALSE(BeginsAccessUnit(payloads[i].bytes)) << max_payload << " " << i;
    }
  }
}

TEST(InsideKeyframe, IdrSlicesAndPpsOnly) {
  const FourSliceNals n;
  const auto& [sps, pps, sei, top, lower, p_top, aud] = n;
  EXPECT_FALSE(InsideKeyframe(sps));  // the start itself
  EXPECT_TRUE(InsideKeyframe(pps));
  EXPECT_TRUE(InsideKeyframe(top));
  EXPECT_TRUE(InsideKeyframe(lower));
  EXPECT_FALSE(InsideKeyframe(sei));
  EXPECT_FALSE(InsideKeyframe(p_top));
  EXPECT_TRUE(InsideKeyframe(StapA({pps, top})));
  EXPECT_FALSE(InsideKeyframe(StapA({sps, pps})));
  Buf fu = {static_cast<std::uint8_t>((lower[0] & 0xe0) | 28),
            static_cast<std::uint8_t>(lower[0] & 0x1f)};  // a middle fragment of an IDR slice
  fu.insert(fu.end(), lower.begin() + 1, lower.begin() + 20);
  EXPECT_TRUE(InsideKeyframe(fu));
  fu[1] = static_cast<std::uint8_t>(p_top[0] & 0x1f);  // of a P slice
  EXPECT_FALSE(InsideKeyframe(fu));
  EXPECT_FALSE(InsideKeyframe({}));
  EXPECT_FALSE(InsideKeyframe(Buf{0x7c}));
}

TEST(LooksEncrypted, ExactlyTheFirstBytesPlainModeOneH264NeverHas) {
  int looks = 0;
  for (int b = 0; b < 256; ++b) {
    const int type = b & 0x1f;
    const bool plain = (b & 0x80) == 0 && ((type >= 1 && type <= 24) || type == 28);
    const Buf payload = {static_cast<std::uint8_t>(b), 0x12, 0x34};
    EXPECT_EQ(LooksEncrypted(payload), !plain) << b;
    looks += LooksEncrypted(payload) ? 1 : 0;
  }
  EXPECT_EQ(looks, 156);  // 61% of random first bytes
  EXPECT_FALSE(LooksEncrypted({}));
  for (const char* file : {"x264_4slices_176x144.h264", "x264_slicemax400_320x240.h264"}) {
    for (const auto& au : capture::SplitAccessUnits(capture::ReadCapture(file))) {
      const Buf annexb = au.AnnexB();
      for (std::size_t max_payload : {1200u, 100u}) {
        for (const auto& p : capture::Packetize(annexb, max_payload)) {
          EXPECT_FALSE(LooksEncrypted(p.bytes)) << file;
        }
      }
    }
  }
}

}  // namespace
}  // namespace confcast::rtp

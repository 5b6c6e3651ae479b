// A packet-level model of one video stream for the jitter buffer integrity tests: real x264
// access units cut by H264Packetizer (the sender), a network that loses, delays, reorders and
// duplicates packets and sends late repair copies, and a receiver that drives VideoJitterBuffer
// and H264Depacketizer the way receiver/src/video_stream.cc does. The receiver model checks
// every frame and access unit it is handed against what the sender sent.
#pragma once

#include <confcast/rtp/h264_bitstream.h>
#include <confcast/rtp/h264_depacketizer.h>
#include <confcast/rtp/jitter_buffer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "h264_capture.h"

namespace confcast::rtp::sim {

using capture::Buf;
using namespace std::chrono_literals;

constexpr std::uint32_t kTsPerFrame = 3000;
constexpr Duration kFrameInterval{33'333};
constexpr Duration kPacketSpacing{150};

// The 4-slice capture: IDR (SPS, PPS, SEI, 4 slices), 4 P frames, IDR (SPS, PPS, 4 slices), 4 P.
inline const std::vector<capture::AccessUnitNals>& Captured() {
  static const auto aus =
      capture::SplitAccessUnits(capture::ReadCapture("x264_4slices_176x144.h264"));
  return aus;
}

// Whether a payload carries any part of a slice (the picture itself, not its parameters).
inline bool CarriesSlice(const Buf& p) {
  const std::uint8_t type = p[0] & 0x1f;
  if (type == 28) return capture::IsVcl(p[1]);
  if (type != 24) return capture::IsVcl(p[0]);
  for (std::size_t at = 1; at + 2 < p.size();) {
    if (capture::IsVcl(p[at + 2])) return true;
    at += 2 + (std::size_t{p[at]} << 8 | p[at + 1]);
  }
  return false;
}

struct Sent {
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  bool marker = false;
  Buf payload;
  std::size_t au = 0;
  Timestamp at{0};
  bool slice = false;
};

struct SentStream {
  std::vector<Sent> packets;
  std::vector<Buf> annexb;  // per access unit: what a decoder must get, byte for byte
  std::vector<bool> idr;
  std::vector<std::size_t> first;  // index of each access unit's first packet
  std::uint16_t seq0 = 0;
  std::uint32_t ts0 = 0;

  std::optional<std::size_t> AuOf(std::uint32_t ts) const {
    const std::uint32_t d = ts - ts0;
    if (d % kTsPerFrame != 0 || d / kTsPerFrame >= annexb.size()) return std::nullopt;
    return d / kTsPerFrame;
  }
  const Sent* BySeq(std::uint16_t seq) const {
    const std::size_t i = static_cast<std::uint16_t>(seq - seq0);
    return i < packets.size() ? &packets[i] : nullptr;
  }
};

// `frames` access units, the capture's `first_au`, `first_au + 1`, ... over and over.
inline SentStream Send(std::size_t frames, std::size_t max_payload, std::uint16_t seq0,
                       std::uint32_t ts0, std::size_t first_au = 0) {
  SentStream s;
  s.seq0 = seq0;
  s.ts0 = ts0;
  const auto& aus = Captured();
  for (std::size_t k = 0; k < frames; ++k) {
    const auto& au = aus[(first_au + k) % aus.size()];
    s.annexb.push_back(au.AnnexB());
    s.idr.push_back(au.idr);
    s.first.push_back(s.packets.size());
    const auto payloads = capture::Packetize(s.annexb.back(), max_payload);
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      Sent p;
      p.seq = static_cast<std::uint16_t>(seq0 + s.packets.size());
      p.ts = static_cast<std::uint32_t>(ts0 + k * kTsPerFrame);
      p.marker = payloads[i].last_of_access_unit;
      p.payload = payloads[i].bytes;
      p.au = k;
      p.at = Timestamp{1s} + static_cast<std::int64_t>(k) * kFrameInterval +
             static_cast<std::int64_t>(i) * kPacketSpacing;
      p.slice = CarriesSlice(p.payload);
      s.packets.push_back(std::move(p));
    }
  }
  return s;
}

struct Arrival {
  Timestamp at{0};
  std::size_t packet = 0;
};

// What the network does to the packets (all probabilities per packet).
struct Impairment {
  double good_to_bad = 0;  // Gilbert-Elliott burst loss
  double bad_to_good = 1;
  double loss_good = 0;
  double loss_bad = 0;
  Duration base_delay{1'000};
  Duration jitter{0};  // uniform extra delay in [0, jitter]: reordering
  double duplicate = 0;
  double rtx = 0;  // a lost packet comes back as a retransmission ...
  Duration rtx_after_min{8'000}, rtx_after_max{60'000};
  double fec = 0;  // ... or rebuilt by FEC, a little after its group
  Duration fec_after_min{3'000}, fec_after_max{25'000};
};

inline Duration Uniform(std::mt19937& rng, Duration lo, Duration hi) {
  return Duration{std::uniform_int_distribution<std::int64_t>(lo.count(), hi.count())(rng)};
}

// Arrival times of every copy that gets through, sorted (ties in random order).
inline std::vector<Arrival> Impair(const SentStream& s, const Impairment& im, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Arrival> out;
  bool bad = false;
  for (std::size_t i = 0; i < s.packets.size(); ++i) {
    bad = bad ? u(rng) >= im.bad_to_good : u(rng) < im.good_to_bad;
    const Timestamp sent = s.packets[i].at;
    const Timestamp arrives = sent + im.base_delay + Uniform(rng, 0us, im.jitter);
    if (u(rng) >= (bad ? im.loss_bad : im.loss_good)) {
      out.push_back({arrives, i});
      if (u(rng) < im.duplicate) out.push_back({arrives + Uniform(rng, 0us, 5ms), i});
      continue;
    }
    if (u(rng) < im.rtx) out.push_back({sent + Uniform(rng, im.rtx_after_min, im.rtx_after_max), i});
    if (u(rng) < im.fec) out.push_back({sent + Uniform(rng, im.fec_after_min, im.fec_after_max), i});
  }
  std::shuffle(out.begin(), out.end(), rng);
  std::stable_sort(out.begin(), out.end(),
                   [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  return out;
}

// The receive path of one stream, checking as it goes.
class Receiver {
 public:
  Receiver(VideoJitterConfig config, const SentStream& sent) : jb_(config), sent_(sent) {}

  void Arrive(const Sent& p, Timestamp t) {
    RunTimers(t);
    VideoPacket v{p.seq, p.ts, p.marker, StartsKeyframe(p.payload), p.payload};
    InsertResult r = jb_.Insert(std::move(v), t);
    Take(r.frames);
  }
  // Polls at every wakeup up to `until`, as the receiver's timer does.
  void RunTimers(Timestamp until) {
    for (int guard = 0; guard < 100000; ++guard) {
      const auto wake = jb_.NextWakeup();
      if (!wake || *wake > until) return;
      PollResult r = jb_.Poll(*wake);
      Take(r.frames);
      if (jb_.NextWakeup() == wake) break;
    }
    ADD_FAILURE() << "the jitter buffer keeps asking to be polled at the same time";
  }

  const VideoJitterBuffer& jitter() const { return jb_; }
  const std::vector<std::size_t>& handed() const { return handed_; }
  int exact() const { return exact_; }
  // Keyframes handed out after their lost parameter-set packets (never a slice) were given up.
  int without_leading() const { return without_leading_; }
  int frames_resumed_past_start() const { return resumed_past_start_; }

 private:
  void Take(std::vector<VideoFrame>& frames) {
    for (VideoFrame& f : frames) {
      CheckFrame(f);
      Deliver(f);
    }
  }

  // Jitter buffer level: a contiguous run of one access unit's packets up to its marker,
  // starting at its first packet or past packets without any slice; after a skip, a keyframe.
  void CheckFrame(const VideoFrame& f) {
    const auto au = sent_.AuOf(f.rtp_ts);
    ASSERT_TRUE(au) << f.rtp_ts;
    const Sent* first = sent_.BySeq(f.first_seq);
    const Sent* last = sent_.BySeq(f.last_seq);
    ASSERT_TRUE(first && last);
    ASSERT_EQ(first->au, *au);
    EXPECT_EQ(last->au, *au);
    EXPECT_TRUE(last->marker) << "frame " << *au << " released without its last packet";
    ASSERT_EQ(f.payloads.size(), static_cast<std::uint16_t>(f.last_seq - f.first_seq + 1u));
    for (std::size_t i = 0; i < f.payloads.size(); ++i) {
      EXPECT_EQ(f.payloads[i], sent_.BySeq(static_cast<std::uint16_t>(f.first_seq + i))->payload);
    }
    for (std::size_t i = sent_.first[*au]; &sent_.packets[i] != first; ++i) {
      EXPECT_FALSE(sent_.packets[i].slice) << "frame " << *au << " released without a slice";
    }
    if (&sent_.packets[sent_.first[*au]] != first) {
      // A frame that does not start at its access unit's first packet starts at a mark.
      EXPECT_TRUE(StartsKeyframe(first->payload)) << "frame " << *au << " starts mid-unit";
      ++resumed_past_start_;
    }
    if (!last_frame_ || *au != *last_frame_ + 1) {
      EXPECT_TRUE(f.keyframe && sent_.idr[*au]) << "frame " << *au << " after a skip";
    }
    EXPECT_TRUE(!last_frame_ || *au > *last_frame_);
    last_frame_ = *au;
  }

  // receiver/src/video_stream.cc Deliver: the depacketizer starts afresh after skipped packets,
  // a damaged unit breaks the chain, and a broken chain (or no decoder yet) waits for a
  // decodable start. What passes is what the decoder would get.
  void Deliver(const VideoFrame& f) {
    if (last_seq_ && static_cast<std::uint16_t>(*last_seq_ + 1) != f.first_seq) {
      depacketizer_.Reset();
      broken_ = true;
    }
    last_seq_ = f.last_seq;
    std::vector<AccessUnit> units;
    for (std::size_t i = 0; i < f.payloads.size(); ++i) {
      PushResult r = depacketizer_.Push(f.payloads[i], static_cast<std::uint16_t>(f.first_seq + i),
                                        f.rtp_ts, i + 1 == f.payloads.size());
      for (auto& unit : r.access_units) units.push_back(std::move(unit));
    }
    for (const AccessUnit& unit : units) {
      EXPECT_TRUE(unit.complete) << "the depacketizer found damage " << static_cast<int>(unit.damage)
                                 << " in frame " << f.first_seq << "-" << f.last_seq;
      if (!unit.complete) {
        broken_ = true;
        continue;
      }
      if (broken_) {
        if (!unit.decodable_start) continue;
        broken_ = false;
      }
      CheckHanded(unit);
    }
  }

  // Decoder level: (a) byte for byte what the sender packetized, or, for a keyframe whose
  // parameter-set packet was lost for good, the same from its first slice on while identical
  // parameter sets were handed out before; (b) after a skip, an IDR.
  void CheckHanded(const AccessUnit& unit) {
    const auto au = sent_.AuOf(unit.timestamp);
    ASSERT_TRUE(au);
    const Buf& expected = sent_.annexb[*au];
    if (unit.annexb == expected) {
      ++exact_;
    } else {
      const std::size_t cut = expected.size() - std::min(expected.size(), unit.annexb.size());
      const bool suffix = unit.annexb.size() < expected.size() &&
                          std::equal(unit.annexb.begin(), unit.annexb.end(), expected.begin() + cut);
      bool prefix_has_slice = false;
      for (const auto nal : SplitAnnexB(std::span(expected).first(cut))) {
        prefix_has_slice = prefix_has_slice || capture::IsVcl(nal[0]);
      }
      EXPECT_TRUE(suffix && !prefix_has_slice && sent_.idr[*au] && parameter_sets_seen_)
          << "access unit " << *au << " handed out damaged: " << unit.annexb.size() << " of "
          << expected.size() << " bytes";
      ++without_leading_;
    }
    parameter_sets_seen_ = parameter_sets_seen_ || (unit.has_sps && unit.has_pps);
    if (!handed_.empty() && *au != handed_.back() + 1) {
      EXPECT_TRUE(sent_.idr[*au] && unit.has_idr) << "access unit " << *au << " after a skip";
    }
    EXPECT_TRUE(handed_.empty() || *au > handed_.back());
    handed_.push_back(*au);
  }

  VideoJitterBuffer jb_;
  const SentStream& sent_;
  H264Depacketizer depacketizer_;
  std::optional<std::uint16_t> last_seq_;
  std::optional<std::size_t> last_frame_;
  bool broken_ = true;  // no decoder yet: it starts at a decodable start
  bool parameter_sets_seen_ = false;
  std::vector<std::size_t> handed_;
  int exact_ = 0;
  int without_leading_ = 0;
  int resumed_past_start_ = 0;
};

}  // namespace confcast::rtp::sim

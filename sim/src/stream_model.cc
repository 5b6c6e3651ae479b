// Frames, packets and FEC for confcast-sim; see stream_model.h.
#include "stream_model.h"

#include <confcast/rtp/packet.h>

#include <algorithm>
#include <cmath>

namespace confcast::sim {
namespace {


std::uint64_t Mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

std::size_t StreamModel::PatternHash::operator()(
    const std::tuple<int, int, int, std::uint64_t, std::uint64_t>& k) const noexcept {
  std::uint64_t h = 0;
  h = Mix(h, static_cast<std::uint64_t>(std::get<0>(k)));
  h = Mix(h, static_cast<std::uint64_t>(std::get<1>(k)));
  h = Mix(h, static_cast<std::uint64_t>(std::get<2>(k)));
  h = Mix(h, std::get<3>(k));
  h = Mix(h, std::get<4>(k));
  return static_cast<std::size_t>(h);
}

StreamModel::StreamModel(const StreamConfig& config, std::uint64_t seed)
    : config_(config), rng_(seed ^ 0x5eedf00dULL) {}

Frame StreamModel::Next(rtp::Timestamp sent, bool force_keyframe, rtp::FecScheme scheme) {
  Frame f;
  f.index = next_index_++;
  f.sent = sent;
  f.keyframe = force_keyframe || since_keyframe_ == 0 || since_keyframe_ >= config_.gop;
  since_keyframe_ = f.keyframe ? 1 : since_keyframe_ + 1;
  // Mean delta-frame size such that a GOP of one IDR and gop-1 deltas makes the bitrate.
  const double per_frame = config_.bitrate_bps / 8.0 / config_.fps;
  const double gop = std::max(config_.gop, 1);
  const double delta = per_frame * gop / (gop - 1 + config_.keyframe_ratio);
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  const double bytes = (f.keyframe ? delta * config_.keyframe_ratio : delta) *
                       (1.0 + config_.size_spread * (2.0 * u - 1.0));
  f.media = std::clamp(static_cast<int>(std::ceil(bytes / kMaxPayload)), 1, kMaxFramePackets);
  f.first_seq = next_seq_;
  next_seq_ += static_cast<std::uint32_t>(f.media);
  auto left = static_cast<std::size_t>(std::max(bytes, 1.0));
  for (int i = 0; i < f.media; ++i) {
    const std::size_t payload = std::min(left, kMaxPayload);
    left -= std::min(left, payload);
    f.media_bytes.push_back(
        static_cast<std::uint32_t>(std::max<std::size_t>(payload, 1) + kRtpHeader + kUdpIp));
  }
  // The real encoder decides how many repair packets the frame gets, and their sizes.
  f.scheme = scheme;
  if (scheme.columns > 0) {
    rtp::FlexFecEncoder encoder(kFecSsrc, next_fec_seq_);
    encoder.SetScheme(scheme);
    std::vector<std::vector<std::uint8_t>> repair;
    std::vector<std::vector<std::uint8_t>> media = MakeMedia(f);
    for (const auto& m : media) encoder.Add(m, repair);
    encoder.Flush(repair);
    next_fec_seq_ = encoder.next_sequence();
    if (static_cast<int>(repair.size()) > kMaxFramePackets) repair.resize(kMaxFramePackets);
    f.repair = static_cast<int>(repair.size());
    for (const auto& r : repair)
      f.repair_bytes.push_back(static_cast<std::uint32_t>(r.size() + kUdpIp));
    const Shape shape{f.media, scheme.columns, scheme.rows};
    if (!samples_.contains(shape))
      samples_.emplace(shape, Sample{std::move(media), std::move(repair)});
  }
  return f;
}

std::vector<std::vector<std::uint8_t>> StreamModel::MakeMedia(const Frame& f) {
  std::vector<std::vector<std::uint8_t>> out;
  for (int i = 0; i < f.media; ++i) {
    rtp::RtpPacket p;
    p.payload_type = 96;
    p.marker = i + 1 == f.media;
    p.sequence_number = static_cast<std::uint16_t>(f.first_seq + static_cast<std::uint32_t>(i));
    p.timestamp = f.index * 3000;
    p.ssrc = kMediaSsrc;
    p.payload.resize(f.media_bytes[static_cast<std::size_t>(i)] - kRtpHeader - kUdpIp);
    for (auto& b : p.payload) b = static_cast<std::uint8_t>(rng_());
    out.push_back(rtp::Serialize(p));
  }
  return out;
}

std::uint64_t StreamModel::Recover(const Frame& frame, std::uint64_t media_lost,
                                   std::uint64_t repair_lost) {
  if (media_lost == 0 || frame.repair == 0) return 0;
  const auto key = std::make_tuple(frame.media, frame.scheme.columns, frame.scheme.rows, media_lost,
                                   repair_lost);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  const Sample& sample = samples_.at(Shape{frame.media, frame.scheme.columns, frame.scheme.rows});
  ++decodes_;
  rtp::FlexFecDecoder decoder(rtp::FlexFecDecoderConfig{kMediaSsrc, 128, 128});
  const std::uint16_t first = rtp::ReadU16(sample.media.front(), 2);
  std::uint64_t rebuilt = 0;
  auto collect = [&](const rtp::FecDecodeResult& r) {
    for (const auto& bytes : r.recovered) {
      auto view = rtp::ParseRtp(bytes);
      if (!view) {
        ++mismatches_;
        continue;
      }
      const int i = static_cast<std::uint16_t>(view->sequence_number - first);
      if (i >= frame.media || bytes != sample.media[static_cast<std::size_t>(i)]) {
        ++mismatches_;
        continue;
      }
      rebuilt |= std::uint64_t{1} << i;
    }
  };
  for (int i = 0; i < frame.media; ++i) {
    if (!(media_lost >> i & 1)) collect(decoder.OnMedia(sample.media[static_cast<std::size_t>(i)]));
  }
  for (int j = 0; j < frame.repair; ++j) {
    if (!(repair_lost >> j & 1))
      collect(decoder.OnRepair(sample.repair[static_cast<std::size_t>(j)]));
  }
  rebuilt &= media_lost;
  memo_.emplace(key, rebuilt);
  return rebuilt;
}

}  // namespace confcast::sim

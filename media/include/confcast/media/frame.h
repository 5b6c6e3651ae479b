// Plain value types that move between sources, codecs and sinks. Every frame carries its
// capture time (microseconds since the Unix epoch, read from the wall clock at capture), so
// the sender can put it in the abs-capture-time header extension and the receiver can report
// true end-to-end latency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/time.h"

namespace confcast::media {

// Microseconds since the Unix epoch, from the wall clock (std::chrono::system_clock).
rtp::Timestamp WallClockNow() noexcept;

// One error a user can cause or meet: a code for programs and one line for people, naming the
// problem and the fix ("video source 'v4l2:/dev/video3' not found; cameras present: none").
enum class MediaErrorCode {
  kBadSpec,      // the spec string does not parse
  kNotFound,     // device, file or element missing
  kUnavailable,  // present but cannot be opened (busy, no server, no display)
  kBadFormat,    // malformed input (y4m header, frame size)
  kCodec,        // encoder or decoder failure
  kIo,           // read or write failure
  kEndOfStream,  // a source ran out of frames
};
struct MediaError {
  MediaErrorCode code = MediaErrorCode::kBadSpec;
  std::string message;
  friend bool operator==(const MediaError&, const MediaError&) = default;
};

// A picture in I420 (planar Y, then U, then V at half size each way), tightly packed: the luma
// stride is the width, the chroma stride is (width + 1) / 2.
struct VideoFrame {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> i420;
  rtp::Duration pts{0};            // media time, from the source's first frame
  rtp::Timestamp capture_time{0};  // wall clock at capture (Unix epoch, microseconds)
  std::uint64_t frame_number = 0;

  static std::size_t I420Size(int width, int height) noexcept;
  // Allocates a zeroed I420 picture of the given size.
  static VideoFrame Blank(int width, int height);
  int ChromaWidth() const noexcept { return (width + 1) / 2; }
  int ChromaHeight() const noexcept { return (height + 1) / 2; }
  std::span<std::uint8_t> Y() noexcept;
  std::span<std::uint8_t> U() noexcept;
  std::span<std::uint8_t> V() noexcept;
  std::span<const std::uint8_t> Y() const noexcept;
  std::span<const std::uint8_t> U() const noexcept;
  std::span<const std::uint8_t> V() const noexcept;
  rtp::NtpTime CaptureNtp() const noexcept { return rtp::NtpFromUnixMicros(capture_time.count()); }
  friend bool operator==(const VideoFrame&, const VideoFrame&) = default;
};

// Interleaved signed 16-bit PCM. Opus runs at 48 kHz; sources resample to it.
inline constexpr int kAudioSampleRate = 48000;
struct AudioFrame {
  int sample_rate = kAudioSampleRate;
  int channels = 1;
  std::vector<std::int16_t> samples;  // samples_per_channel() * channels values
  rtp::Duration pts{0};
  rtp::Timestamp capture_time{0};
  std::uint64_t frame_number = 0;

  int samples_per_channel() const noexcept {
    return channels > 0 ? static_cast<int>(samples.size()) / channels : 0;
  }
  rtp::Duration duration() const noexcept {
    return rtp::Duration{std::int64_t{samples_per_channel()} * 1'000'000 / sample_rate};
  }
  rtp::NtpTime CaptureNtp() const noexcept { return rtp::NtpFromUnixMicros(capture_time.count()); }
  friend bool operator==(const AudioFrame&, const AudioFrame&) = default;
};

// One coded unit: an H.264 access unit in Annex-B byte-stream form (start codes, SPS and PPS in
// front of every IDR) or one Opus packet.
enum class Codec { kH264, kOpus };
struct EncodedFrame {
  Codec codec = Codec::kH264;
  std::vector<std::uint8_t> data;
  bool keyframe = false;
  rtp::Duration pts{0};
  rtp::Timestamp capture_time{0};
  std::uint64_t frame_number = 0;
  friend bool operator==(const EncodedFrame&, const EncodedFrame&) = default;
};

// A deterministic moving picture (diagonal gradients and a bright square that moves with the
// frame number), for tests and benchmarks that need content an encoder cannot trivially skip.
VideoFrame SyntheticFrame(int width, int height, std::uint64_t frame_number);

// Annex-B splitting lives with the H.264 payload format in rtp/.
using rtp::SplitAnnexB;

}  // namespace confcast::media

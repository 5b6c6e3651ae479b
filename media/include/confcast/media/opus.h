// Opus encoder and decoder through libopus at 48 kHz (RFC 6716; RTP carriage RFC 7587).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <span>

#include "confcast/media/frame.h"

namespace confcast::media {

enum class OpusApplication { kVoip, kLowDelay, kAudio };

struct OpusEncoderConfig {
  int channels = 1;
  int frame_ms = 20;  // 20 (default) or 10; 2.5 and 5 are not offered
  OpusApplication application = OpusApplication::kVoip;
  int bitrate_bps = 32000;
  bool fec = true;  // in-band FEC (LBRR), used when expected loss > 0
  int expected_loss_pct = 0;
  bool dtx = false;
  int complexity = 9;
};

class OpusEncoder {
 public:
  static std::expected<std::unique_ptr<OpusEncoder>, MediaError> Create(
      const OpusEncoderConfig& config);
  ~OpusEncoder();
  OpusEncoder(const OpusEncoder&) = delete;
  OpusEncoder& operator=(const OpusEncoder&) = delete;

  // Encodes exactly one frame (samples_per_frame() per channel). With DTX on, a packet of one
  // or two bytes means silence and need not be sent.
  std::expected<EncodedFrame, MediaError> Encode(const AudioFrame& frame);
  // Loss the encoder should protect against with in-band FEC; may change at any time (from
  // RTCP receiver reports).
  void SetExpectedLoss(int percent);
  void SetBitrate(int bps);
  int samples_per_frame() const noexcept;  // per channel
  const OpusEncoderConfig& config() const noexcept;

 private:
  struct Impl;
  explicit OpusEncoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class OpusDecoder {
 public:
  static std::expected<std::unique_ptr<OpusDecoder>, MediaError> Create(int channels = 1);
  ~OpusDecoder();
  OpusDecoder(const OpusDecoder&) = delete;
  OpusDecoder& operator=(const OpusDecoder&) = delete;

  std::expected<AudioFrame, MediaError> Decode(std::span<const std::uint8_t> packet);
  // Packet loss concealment for one missing packet of the last packet's duration.
  std::expected<AudioFrame, MediaError> Conceal();
  // Recovers a lost packet from the in-band FEC data of the packet after it (decode_fec=1).
  // Call it with the next packet, then Decode() that same packet as usual. Falls back to PLC
  // inside libopus when the next packet carries no FEC.
  std::expected<AudioFrame, MediaError> RecoverFromNext(std::span<const std::uint8_t> next);
  int channels() const noexcept;

 private:
  struct Impl;
  explicit OpusDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace confcast::media

// Opus through libopus (RFC 6716) at 48 kHz.
//
// Encoder: VOIP (speech tuned, in-band FEC capable) or RESTRICTED_LOWDELAY (no speech mode,
// lowest algorithmic delay). In-band FEC (LBRR) only costs bits when the expected loss is above
// zero, so SetExpectedLoss() follows the loss that RTCP receiver reports measure.
// Decoder: a missing packet is concealed with opus_decode(NULL) (PLC); when the next packet
// has arrived, its LBRR data rebuilds the missing one (decode_fec = 1), which is better than PLC.
#include <fmt/format.h>
#include <opus.h>

#include <algorithm>

#include "confcast/media/opus.h"

namespace confcast::media {

namespace {
MediaError OpusError(const char* who, int err) {
  return MediaError{MediaErrorCode::kCodec, fmt::format("{}: {}", who, opus_strerror(err))};
}
constexpr int kMaxPacketBytes = 1500;
constexpr int kMaxFrameSamples = 5760;  // 120 ms at 48 kHz, the largest Opus frame
}  // namespace

struct OpusEncoder::Impl {
  OpusEncoderConfig config;
  ::OpusEncoder* enc = nullptr;
  ~Impl() { opus_encoder_destroy(enc); }
};

std::expected<std::unique_ptr<OpusEncoder>, MediaError> OpusEncoder::Create(
    const OpusEncoderConfig& config) {
  if (config.channels != 1 && config.channels != 2)
    return std::unexpected(
        MediaError{MediaErrorCode::kCodec,
                   fmt::format("Opus encoder: {} channels; use 1 or 2", config.channels)});
  if (config.frame_ms != 10 && config.frame_ms != 20)
    return std::unexpected(
        MediaError{MediaErrorCode::kCodec,
                   fmt::format("Opus encoder: frame of {} ms; use 10 or 20", config.frame_ms)});
  int app = OPUS_APPLICATION_VOIP;
  if (config.application == OpusApplication::kLowDelay) app = OPUS_APPLICATION_RESTRICTED_LOWDELAY;
  if (config.application == OpusApplication::kAudio) app = OPUS_APPLICATION_AUDIO;
  auto im = std::make_unique<Impl>();
  im->config = config;
  int err = OPUS_OK;
  im->enc = opus_encoder_create(kAudioSampleRate, config.channels, app, &err);
  if (err != OPUS_OK) return std::unexpected(OpusError("Opus encoder", err));
  opus_encoder_ctl(im->enc, OPUS_SET_BITRATE(config.bitrate_bps));
  opus_encoder_ctl(im->enc, OPUS_SET_INBAND_FEC(config.fec && config.expected_loss_pct > 0 ? 1 : 0));
  opus_encoder_ctl(im->enc,
                   OPUS_SET_PACKET_LOSS_PERC(std::clamp(config.expected_loss_pct, 0, 100)));
  opus_encoder_ctl(im->enc, OPUS_SET_DTX(config.dtx ? 1 : 0));
  opus_encoder_ctl(im->enc, OPUS_SET_COMPLEXITY(std::clamp(config.complexity, 0, 10)));
  return std::unique_ptr<OpusEncoder>(new OpusEncoder(std::move(im)));
}

OpusEncoder::OpusEncoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpusEncoder::~OpusEncoder() = default;

int OpusEncoder::samples_per_frame() const noexcept {
  return kAudioSampleRate / 1000 * impl_->config.frame_ms;
}
const OpusEncoderConfig& OpusEncoder::config() const noexcept {
  return impl_->config;
}

void OpusEncoder::SetExpectedLoss(int percent) {
  impl_->config.expected_loss_pct = std::clamp(percent, 0, 100);
  opus_encoder_ctl(impl_->enc, OPUS_SET_PACKET_LOSS_PERC(impl_->config.expected_loss_pct));
  // In-band FEC (LBRR) only while someone loses packets: it costs bits, and with some libopus
  // versions INBAND_FEC=1 also biases the mode decision towards SILK on a clean link.
  opus_encoder_ctl(impl_->enc,
                   OPUS_SET_INBAND_FEC(impl_->config.fec && impl_->config.expected_loss_pct > 0 ? 1 : 0));
}

void OpusEncoder::SetBitrate(int bps) {
  impl_->config.bitrate_bps = bps;
  opus_encoder_ctl(impl_->enc, OPUS_SET_BITRATE(bps));
}

std::expected<EncodedFrame, MediaError> OpusEncoder::Encode(const AudioFrame& in) {
  const auto& c = impl_->config;
  if (in.sample_rate != kAudioSampleRate || in.channels != c.channels ||
      in.samples_per_channel() != samples_per_frame() ||
      in.samples.size() != static_cast<std::size_t>(samples_per_frame() * c.channels))
    return std::unexpected(MediaError{
        MediaErrorCode::kCodec,
        fmt::format("Opus encoder: got {} Hz x{} with {} samples; want 48000 Hz x{} with {}",
                    in.sample_rate, in.channels, in.samples.size(), c.channels,
                    samples_per_frame() * c.channels)});
  EncodedFrame out;
  out.codec = Codec::kOpus;
  out.data.resize(kMaxPacketBytes);
  const opus_int32 n = opus_encode(impl_->enc, in.samples.data(), samples_per_frame(),
                                   out.data.data(), kMaxPacketBytes);
  if (n < 0) return std::unexpected(OpusError("Opus encoder", n));
  out.data.resize(static_cast<std::size_t>(n));
  out.keyframe = true;
  out.pts = in.pts;
  out.capture_time = in.capture_time;
  out.frame_number = in.frame_number;
  return out;
}

struct OpusDecoder::Impl {
  int channels = 1;
  ::OpusDecoder* dec = nullptr;
  int last_frame_samples = kAudioSampleRate / 50;
  std::uint64_t frames = 0;
  ~Impl() { opus_decoder_destroy(dec); }

  std::expected<AudioFrame, MediaError> Run(const std::uint8_t* data, int len, int frame_size,
                                            int fec) {
    AudioFrame f;
    f.channels = channels;
    f.samples.resize(static_cast<std::size_t>(kMaxFrameSamples * channels));
    const int n = opus_decode(dec, data, len, f.samples.data(), frame_size, fec);
    if (n < 0) return std::unexpected(OpusError("Opus decoder", n));
    f.samples.resize(static_cast<std::size_t>(n * channels));
    f.frame_number = frames++;
    return f;
  }
};

std::expected<std::unique_ptr<OpusDecoder>, MediaError> OpusDecoder::Create(int channels) {
  if (channels != 1 && channels != 2)
    return std::unexpected(
        MediaError{MediaErrorCode::kCodec, fmt::format("Opus decoder: {} channels", channels)});
  auto im = std::make_unique<Impl>();
  im->channels = channels;
  int err = OPUS_OK;
  im->dec = opus_decoder_create(kAudioSampleRate, channels, &err);
  if (err != OPUS_OK) return std::unexpected(OpusError("Opus decoder", err));
  return std::unique_ptr<OpusDecoder>(new OpusDecoder(std::move(im)));
}

OpusDecoder::OpusDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpusDecoder::~OpusDecoder() = default;
int OpusDecoder::channels() const noexcept {
  return impl_->channels;
}

std::expected<AudioFrame, MediaError> OpusDecoder::Decode(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return Conceal();
  const int samples = opus_packet_get_nb_samples(
      packet.data(), static_cast<opus_int32>(packet.size()), kAudioSampleRate);
  if (samples < 0) return std::unexpected(OpusError("Opus decoder", samples));
  auto f = impl_->Run(packet.data(), static_cast<int>(packet.size()), kMaxFrameSamples, 0);
  if (f) impl_->last_frame_samples = f->samples_per_channel();
  return f;
}

std::expected<AudioFrame, MediaError> OpusDecoder::Conceal() {
  return impl_->Run(nullptr, 0, impl_->last_frame_samples, 0);
}

std::expected<AudioFrame, MediaError> OpusDecoder::RecoverFromNext(
    std::span<const std::uint8_t> next) {
  if (next.empty()) return Conceal();
  // The frame size must be the lost packet's duration; assume it matches the last one seen.
  return impl_->Run(next.data(), static_cast<int>(next.size()), impl_->last_frame_samples, 1);
}

}  // namespace confcast::media

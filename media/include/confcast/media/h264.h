// H.264 encoder and decoder through libavcodec (libx264 to encode, the native decoder to decode),
// set up for interactive latency: no B-frames, no lookahead, no frame-threading delay.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "confcast/media/frame.h"

namespace confcast::media {

struct H264EncoderConfig {
  int width = 640;
  int height = 480;
  int fps = 30;
  int bitrate_kbps = 1500;
  // VBV buffer in kbit; 0 means one frame's worth (bitrate / fps), which keeps every frame
  // close to the average size so no frame needs many packet times to send.
  int vbv_kbits = 0;
  int gop = 300;  // frames between IDRs; PLI forces one sooner
  std::string preset = "ultrafast";
  std::string tune = "zerolatency";
  int max_slice_bytes = 0;     // >0: x264 slice-max-size (RTP payload size)
  bool intra_refresh = false;  // periodic intra refresh instead of IDRs
  int threads = 0;             // 0 = let x264 choose (sliced threads)
};

// Encodes I420 frames into Annex-B access units. Frames of another size are scaled with
// libswscale to the configured size. One frame in, one access unit out (zerolatency).
class H264Encoder {
 public:
  static std::expected<std::unique_ptr<H264Encoder>, MediaError> Create(
      const H264EncoderConfig& config);
  ~H264Encoder();
  H264Encoder(const H264Encoder&) = delete;
  H264Encoder& operator=(const H264Encoder&) = delete;

  // Returns the access unit for this frame, or nullopt if the encoder held it back (it does
  // not with the default tune). pts and capture time are copied from the frame.
  std::expected<std::optional<EncodedFrame>, MediaError> Encode(const VideoFrame& frame);
  // The next encoded frame will be an IDR with SPS and PPS in front (answer to PLI / FIR).
  void ForceKeyframe() noexcept;
  // Changes the target bitrate (and the VBV with it when vbv_kbits was 0) from the next frame.
  void SetBitrate(int kbps);
  const H264EncoderConfig& config() const noexcept;

 private:
  struct Impl;
  explicit H264Encoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct H264DecodeResult {
  std::optional<VideoFrame> frame;  // a picture came out for this access unit
  bool error = false;               // the access unit had errors (frame may still be partial)
  std::string error_text;           // what libavcodec said, when error
};

// Decodes Annex-B access units. Slice threads only: frame threads would add a frame of delay
// per thread. Keeps the last picture that decoded without error for concealment.
//
// threads = 1 (the default) keeps libavcodec's error resilience on: a lost slice is concealed
// from the neighbouring and previous pictures and reported as an error. With threads > 1
// libavcodec decodes the slices of a picture in parallel but switches error resilience off, so
// a lost slice is neither concealed nor reported; use it only for very large pictures on
// clean links.
class H264Decoder {
 public:
  static std::expected<std::unique_ptr<H264Decoder>, MediaError> Create(int threads = 1);
  ~H264Decoder();
  H264Decoder(const H264Decoder&) = delete;
  H264Decoder& operator=(const H264Decoder&) = delete;

  H264DecodeResult Decode(std::span<const std::uint8_t> access_unit, rtp::Duration pts,
                          rtp::Timestamp capture_time);
  H264DecodeResult Decode(const EncodedFrame& f) { return Decode(f.data, f.pts, f.capture_time); }
  // The last picture that decoded cleanly, or null before the first.
  const VideoFrame* last_good_picture() const noexcept;
  std::uint64_t error_count() const noexcept;

 private:
  struct Impl;
  explicit H264Decoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace confcast::media

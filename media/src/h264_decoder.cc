// H.264 decoding through libavcodec's native decoder.
//
// thread_type = FF_THREAD_SLICE: frame threading holds thread_count - 1 frames inside the
// decoder before the first picture comes out; slice threads add no delay. AV_CODEC_FLAG_LOW_DELAY
// tells the decoder there are no B-frames to reorder, so each access unit yields its picture
// immediately. Errors are reported per access unit (send_packet failure, decode_error_flags,
// or a corrupt frame); the last clean picture is kept so a renderer can repeat it. A lost slice
// is only seen (FF_DECODE_ERROR_CONCEALMENT_ACTIVE) with one thread: libavcodec's error
// resilience is off under slice threading.
#include <fmt/format.h>

#include <algorithm>

#include "av_util.h"
#include "confcast/media/h264.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

namespace confcast::media {

struct H264Decoder::Impl {
  AVCodecContext* ctx = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  std::optional<VideoFrame> last_good;
  std::uint64_t errors = 0;
  std::uint64_t decoded = 0;
  SwsContext* sws = nullptr;  // other senders' 4:2:2, 4:4:4 or high-bit-depth pictures -> I420

  ~Impl() {
    sws_freeContext(sws);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&ctx);
  }
};

std::expected<std::unique_ptr<H264Decoder>, MediaError> H264Decoder::Create(int threads) {
  QuietAvLog();
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  if (!codec)
    return std::unexpected(
        MediaError{MediaErrorCode::kCodec, "H.264 decoder missing in libavcodec"});
  auto im = std::make_unique<Impl>();
  im->ctx = avcodec_alloc_context3(codec);
  im->frame = av_frame_alloc();
  im->packet = av_packet_alloc();
  if (!im->ctx || !im->frame || !im->packet)
    return std::unexpected(MediaError{MediaErrorCode::kCodec, "H.264 decoder: out of memory"});
  im->ctx->thread_type = FF_THREAD_SLICE;
  im->ctx->thread_count = std::max(1, threads);
  im->ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
  if (int err = avcodec_open2(im->ctx, codec, nullptr); err < 0)
    return std::unexpected(
        MediaError{MediaErrorCode::kCodec, "H.264 decoder: cannot open: " + AvErrorText(err)});
  return std::unique_ptr<H264Decoder>(new H264Decoder(std::move(im)));
}

H264Decoder::H264Decoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H264Decoder::~H264Decoder() = default;

const VideoFrame* H264Decoder::last_good_picture() const noexcept {
  return impl_->last_good ? &*impl_->last_good : nullptr;
}
std::uint64_t H264Decoder::error_count() const noexcept {
  return impl_->errors;
}

H264DecodeResult H264Decoder::Decode(std::span<const std::uint8_t> au, rtp::Duration pts,
                                     rtp::Timestamp capture_time) {
  Impl& im = *impl_;
  H264DecodeResult result;
  auto fail = [&](std::string text) {
    if (!result.error) ++im.errors;
    result.error = true;
    if (!result.error_text.empty()) result.error_text += "; ";
    result.error_text += std::move(text);
  };
  if (au.empty()) {
    fail("empty access unit");
    return result;
  }
  // The packet refers to the caller's bytes only for the duration of send_packet, which copies
  // them because the packet is not reference counted.
  im.packet->data = const_cast<std::uint8_t*>(au.data());
  im.packet->size = static_cast<int>(au.size());
  im.packet->pts = pts.count();
  const int sent = avcodec_send_packet(im.ctx, im.packet);
  im.packet->data = nullptr;
  im.packet->size = 0;
  if (sent < 0) fail("decode: " + AvErrorText(sent));
  while (true) {
    const int err = avcodec_receive_frame(im.ctx, im.frame);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    if (err < 0) {
      fail("decode: " + AvErrorText(err));
      break;
    }
    const bool corrupt =
        im.frame->decode_error_flags != 0 || (im.frame->flags & AV_FRAME_FLAG_CORRUPT) != 0;
    if (corrupt)
      fail(fmt::format("picture has errors (flags {:#x})", im.frame->decode_error_flags));
    VideoFrame out = VideoFrame::Blank(im.frame->width, im.frame->height);
    std::uint8_t* dst[4] = {out.Y().data(), out.U().data(), out.V().data(), nullptr};
    int dst_stride[4] = {out.width, out.ChromaWidth(), out.ChromaWidth(), 0};
    if (im.frame->format == AV_PIX_FMT_YUV420P || im.frame->format == AV_PIX_FMT_YUVJ420P) {
      av_image_copy(dst, dst_stride, const_cast<const uint8_t**>(im.frame->data),
                    im.frame->linesize, AV_PIX_FMT_YUV420P, out.width, out.height);
    } else {
      im.sws = sws_getCachedContext(im.sws, im.frame->width, im.frame->height,
                                    static_cast<AVPixelFormat>(im.frame->format), out.width,
                                    out.height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr,
                                    nullptr);
      if (!im.sws) {
        fail(fmt::format("cannot convert decoded pixel format {} to I420", im.frame->format));
        av_frame_unref(im.frame);
        continue;
      }
      sws_scale(im.sws, im.frame->data, im.frame->linesize, 0, im.frame->height, dst, dst_stride);
    }
    out.pts = pts;
    out.capture_time = capture_time;
    out.frame_number = im.decoded++;
    av_frame_unref(im.frame);
    if (!corrupt) im.last_good = out;
    result.frame = std::move(out);
  }
  return result;
}

}  // namespace confcast::media

#include "png_writer.h"

#include <fmt/format.h>

#include <cstdio>

#include "av_util.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
}

namespace confcast::media {

std::expected<void, MediaError> WritePng(const VideoFrame& in, const std::filesystem::path& path) {
  auto fail = [&](std::string why) {
    return std::unexpected(
        MediaError{MediaErrorCode::kIo, fmt::format("png '{}': {}", path.string(), why)});
  };
  if (in.i420.size() != VideoFrame::I420Size(in.width, in.height)) return fail("not an I420 frame");
  QuietAvLog();
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (!codec) return fail("libavcodec has no PNG encoder");
  AVCodecContext* ctx = avcodec_alloc_context3(codec);
  AVFrame* rgb = av_frame_alloc();
  AVPacket* pkt = av_packet_alloc();
  SwsContext* sws = nullptr;
  std::expected<void, MediaError> result;
  do {
    if (!ctx || !rgb || !pkt) {
      result = fail("out of memory");
      break;
    }
    ctx->width = in.width;
    ctx->height = in.height;
    ctx->pix_fmt = AV_PIX_FMT_RGB24;
    ctx->time_base = AVRational{1, 1};
    if (avcodec_open2(ctx, codec, nullptr) < 0) {
      result = fail("cannot open the PNG encoder");
      break;
    }
    rgb->format = AV_PIX_FMT_RGB24;
    rgb->width = in.width;
    rgb->height = in.height;
    if (av_frame_get_buffer(rgb, 0) < 0) {
      result = fail("out of memory");
      break;
    }
    sws = sws_getContext(in.width, in.height, AV_PIX_FMT_YUV420P, in.width, in.height,
                         AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
    const uint8_t* src[3] = {in.Y().data(), in.U().data(), in.V().data()};
    const int stride[3] = {in.width, in.ChromaWidth(), in.ChromaWidth()};
    if (!sws || sws_scale(sws, src, stride, 0, in.height, rgb->data, rgb->linesize) <= 0) {
      result = fail("cannot convert to RGB");
      break;
    }
    if (avcodec_send_frame(ctx, rgb) < 0 || avcodec_receive_packet(ctx, pkt) < 0) {
      result = fail("PNG encoding failed");
      break;
    }
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
      result = fail("cannot create the file; check the directory");
      break;
    }
    const bool ok = std::fwrite(pkt->data, 1, static_cast<std::size_t>(pkt->size), f) ==
                    static_cast<std::size_t>(pkt->size);
    if (std::fclose(f) != 0 || !ok) result = fail("write failed");
  } while (false);
  sws_freeContext(sws);
  av_packet_free(&pkt);
  av_frame_free(&rgb);
  avcodec_free_context(&ctx);
  return result;
}

}  // namespace confcast::media

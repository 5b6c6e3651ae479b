// H.264 encoding through libavcodec's libx264 wrapper.
//
// Low-latency settings (why each one):
// - preset ultrafast, tune zerolatency: no lookahead, no B-frames, sliced threads, so the access
//   unit for a frame comes out of the same Encode() call.
// - CBR-like VBV of about one frame: frames stay near the average size, so a frame never needs
//   many packet times on the wire (the sender's pacing delay stays small).
// - repeat-headers: SPS and PPS in band before every IDR (DESIGN.md: receivers join at any IDR);
//   AV_CODEC_FLAG_GLOBAL_HEADER stays off so the output is Annex-B.
// - slice-max-size: a slice never exceeds the RTP payload, so one lost packet costs one slice.
// - forced-idr: a forced keyframe (PLI) is a real IDR, not a recovery point.
// - x264 puts its version and option string in a user-data-unregistered SEI (H.264 D.1.7,
//   payload type 5) of the first frame: ~700 bytes no decoder needs, larger than any slice cap,
//   so it is dropped. Other SEI (recovery point with intra refresh) is kept.
#include <fmt/format.h>

#include <algorithm>

#include "av_util.h"
#include "confcast/media/h264.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

namespace confcast::media {

struct H264Encoder::Impl {
  H264EncoderConfig config;
  AVCodecContext* ctx = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  int sws_src_w = 0, sws_src_h = 0;
  bool force_keyframe = false;
  bool Fill(const VideoFrame& in);
  std::int64_t next_pts = 0;

  ~Impl() {
    sws_freeContext(sws);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&ctx);
  }
};

namespace {

MediaError CodecError(std::string what) {
  return MediaError{MediaErrorCode::kCodec, "H.264 encoder: " + std::move(what)};
}

int VbvKbits(const H264EncoderConfig& c) {
  return c.vbv_kbits > 0 ? c.vbv_kbits : std::max(1, c.bitrate_kbps / std::max(1, c.fps));
}

// True when the NAL unit is an SEI whose first message is user data unregistered.
bool IsEncoderInfoSei(std::span<const std::uint8_t> nal) {
  return nal.size() >= 2 && (nal[0] & 0x1f) == 6 && nal[1] == 5;
}

std::vector<std::uint8_t> WithoutEncoderInfoSei(std::span<const std::uint8_t> au) {
  std::vector<std::uint8_t> out;
  out.reserve(au.size());
  for (auto nal : SplitAnnexB(au)) {
    if (IsEncoderInfoSei(nal)) continue;
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

}  // namespace

// Copies (or scales) an I420 VideoFrame into the encoder's AVFrame.
bool H264Encoder::Impl::Fill(const VideoFrame& in) {
  Impl& im = *this;
  AVFrame* f = im.frame;
  if (av_frame_make_writable(f) < 0) return false;
  const uint8_t* src[3] = {in.Y().data(), in.U().data(), in.V().data()};
  const int src_stride[3] = {in.width, in.ChromaWidth(), in.ChromaWidth()};
  if (in.width == f->width && in.height == f->height) {
    av_image_copy(f->data, f->linesize, src, src_stride, AV_PIX_FMT_YUV420P, f->width, f->height);
    return true;
  }
  if (!im.sws || im.sws_src_w != in.width || im.sws_src_h != in.height) {
    sws_freeContext(im.sws);
    im.sws = sws_getContext(in.width, in.height, AV_PIX_FMT_YUV420P, f->width, f->height,
                            AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
    im.sws_src_w = in.width;
    im.sws_src_h = in.height;
    if (!im.sws) return false;
  }
  sws_scale(im.sws, src, src_stride, 0, in.height, f->data, f->linesize);
  return true;
}

std::expected<std::unique_ptr<H264Encoder>, MediaError> H264Encoder::Create(
    const H264EncoderConfig& config) {
  if (config.width <= 0 || config.height <= 0 || config.width % 2 || config.height % 2)
    return std::unexpected(CodecError(
        fmt::format("size {}x{} is not usable; width and height must be even and positive",
                    config.width, config.height)));
  if (config.fps <= 0 || config.bitrate_kbps <= 0)
    return std::unexpected(CodecError("fps and bitrate must be positive"));
  QuietAvLog();
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec)
    return std::unexpected(CodecError("libavcodec has no libx264; install libavcodec with x264"));
  auto im = std::make_unique<Impl>();
  im->config = config;
  AVCodecContext* c = im->ctx = avcodec_alloc_context3(codec);
  im->frame = av_frame_alloc();
  im->packet = av_packet_alloc();
  if (!c || !im->frame || !im->packet) return std::unexpected(CodecError("out of memory"));
  c->width = config.width;
  c->height = config.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->time_base = AVRational{1, config.fps};
  c->framerate = AVRational{config.fps, 1};
  c->bit_rate = std::int64_t{config.bitrate_kbps} * 1000;
  c->rc_max_rate = c->bit_rate;
  c->rc_buffer_size = VbvKbits(config) * 1000;
  c->gop_size = config.gop;
  c->max_b_frames = 0;
  c->thread_count = config.threads;
  c->flags &= ~AV_CODEC_FLAG_GLOBAL_HEADER;
  av_opt_set(c->priv_data, "preset", config.preset.c_str(), 0);
  av_opt_set(c->priv_data, "tune", config.tune.c_str(), 0);
  av_opt_set_int(c->priv_data, "forced-idr", 1, 0);
  if (config.intra_refresh) av_opt_set_int(c->priv_data, "intra-refresh", 1, 0);
  std::string params = "repeat-headers=1:annexb=1:bframes=0:scenecut=0";
  if (config.max_slice_bytes > 0)
    params += fmt::format(":slice-max-size={}", config.max_slice_bytes);
  av_opt_set(c->priv_data, "x264-params", params.c_str(), 0);
  if (int err = avcodec_open2(c, codec, nullptr); err < 0)
    return std::unexpected(CodecError("cannot open libx264: " + AvErrorText(err)));
  im->frame->format = AV_PIX_FMT_YUV420P;
  im->frame->width = config.width;
  im->frame->height = config.height;
  if (av_frame_get_buffer(im->frame, 0) < 0) return std::unexpected(CodecError("out of memory"));
  return std::unique_ptr<H264Encoder>(new H264Encoder(std::move(im)));
}

H264Encoder::H264Encoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H264Encoder::~H264Encoder() = default;

void H264Encoder::ForceKeyframe() noexcept {
  impl_->force_keyframe = true;
}
const H264EncoderConfig& H264Encoder::config() const noexcept {
  return impl_->config;
}

void H264Encoder::SetBitrate(int kbps) {
  if (kbps <= 0) return;
  auto& c = impl_->config;
  c.bitrate_kbps = kbps;
  impl_->ctx->bit_rate = std::int64_t{kbps} * 1000;
  impl_->ctx->rc_max_rate = impl_->ctx->bit_rate;
  impl_->ctx->rc_buffer_size = VbvKbits(c) * 1000;
  // libx264.c reconfigures x264 when it sees these fields change on the next frame.
}

std::expected<std::optional<EncodedFrame>, MediaError> H264Encoder::Encode(const VideoFrame& in) {
  Impl& im = *impl_;
  if (in.width <= 0 || in.height <= 0 ||
      in.i420.size() != VideoFrame::I420Size(in.width, in.height))
    return std::unexpected(CodecError(
        fmt::format("frame {}x{} with {} bytes is not I420", in.width, in.height, in.i420.size())));
  if (!im.Fill(in)) return std::unexpected(CodecError("cannot convert the frame"));
  im.frame->pts = im.next_pts++;
  im.frame->pict_type = im.force_keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  im.force_keyframe = false;
  if (int err = avcodec_send_frame(im.ctx, im.frame); err < 0)
    return std::unexpected(CodecError("send_frame: " + AvErrorText(err)));
  int err = avcodec_receive_packet(im.ctx, im.packet);
  if (err == AVERROR(EAGAIN)) return std::optional<EncodedFrame>{};
  if (err < 0) return std::unexpected(CodecError("receive_packet: " + AvErrorText(err)));
  EncodedFrame out;
  out.codec = Codec::kH264;
  const std::span<const std::uint8_t> au(im.packet->data,
                                         static_cast<std::size_t>(im.packet->size));
  const auto nals = SplitAnnexB(au);
  if (std::any_of(nals.begin(), nals.end(), IsEncoderInfoSei))
    out.data = WithoutEncoderInfoSei(au);
  else
    out.data.assign(au.begin(), au.end());
  out.keyframe = (im.packet->flags & AV_PKT_FLAG_KEY) != 0;
  out.pts = in.pts;
  out.capture_time = in.capture_time;
  out.frame_number = in.frame_number;
  av_packet_unref(im.packet);
  return std::optional<EncodedFrame>{std::move(out)};
}

}  // namespace confcast::media

// Recorder: appsrc (H.264 Annex-B access units) -> h264parse -> matroskamux, and appsrc (Opus
// packets) -> opusparse -> the same muxer. h264parse turns the byte stream into the avcC form
// Matroska wants; no decoding or encoding happens. Timestamps are the frames' pts.
// Surviving a kill: the muxer closes a cluster at least every second and the file sink writes
// each block as it comes (no user-space buffer), so a killed process leaves every cluster it
// finished on disk; only the index (Cues) and the duration, written by Close(), are missing,
// and players and ffprobe read such a file by scanning its clusters.
#include "confcast/media/record.h"

#include <fmt/format.h>

#include <filesystem>

#include "gst_util.h"

namespace confcast::media {

struct Recorder::Impl {
  std::unique_ptr<gst::Pipeline> pipeline;
  GstAppSrc* video = nullptr;
  GstAppSrc* audio = nullptr;
  std::string path;
  bool closed = false;

  std::expected<void, MediaError> Push(GstAppSrc* src, const EncodedFrame& f, const char* kind) {
    if (closed)
      return std::unexpected(MediaError{MediaErrorCode::kIo, "recorder '" + path + "' is closed"});
    if (!src)
      return std::unexpected(
          MediaError{MediaErrorCode::kBadSpec,
                     fmt::format("recorder '{}' was opened without {}", path, kind)});
    if (auto e = pipeline->PollError()) return std::unexpected(*e);
    GstBuffer* buf = gst_buffer_new_memdup(f.data.data(), f.data.size());
    GST_BUFFER_PTS(buf) = static_cast<GstClockTime>(f.pts.count()) * GST_USECOND;
    GST_BUFFER_DTS(buf) = GST_BUFFER_PTS(buf);
    if (!f.keyframe) GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (gst_app_src_push_buffer(src, buf) != GST_FLOW_OK)
      return std::unexpected(
          MediaError{MediaErrorCode::kIo, fmt::format("recorder '{}': write failed", path)});
    return {};
  }
};

std::expected<std::unique_ptr<Recorder>, MediaError> Recorder::Open(std::string_view spec,
                                                                    const RecorderOptions& o) {
  std::string path(spec.starts_with("record:") ? spec.substr(7) : spec);
  if (path.empty())
    return std::unexpected(
        MediaError{MediaErrorCode::kBadSpec, "record: needs a file name (record:PATH.mkv)"});
  if (!o.video && !o.audio)
    return std::unexpected(
        MediaError{MediaErrorCode::kBadSpec, "record: nothing to record (no video, no audio)"});
  const auto parent = std::filesystem::absolute(path).parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec))
    return std::unexpected(MediaError{
        MediaErrorCode::kNotFound,
        fmt::format("record: directory '{}' not found; create it first", parent.string())});
  std::string desc = "matroskamux name=mux streamable=false max-cluster-duration=1000000000 ! "
      "filesink name=file buffer-mode=unbuffered ";
  if (o.video)
    desc +=
        "appsrc name=v format=time max-bytes=0 "
        "caps=video/x-h264,stream-format=byte-stream,alignment=au ! h264parse ! "
        "queue max-size-time=0 max-size-bytes=0 max-size-buffers=0 ! mux. ";
  if (o.audio)
    desc += fmt::format(
        "appsrc name=a format=time max-bytes=0 "
        "caps=audio/x-opus,channel-mapping-family=0,channels={},rate=48000 ! "
        "opusparse ! queue max-size-time=0 max-size-bytes=0 max-size-buffers=0 ! "
        "mux. ",
        o.audio_channels);
  auto p = gst::Pipeline::Launch(desc, fmt::format("record '{}'", path));
  if (!p) return std::unexpected(p.error());
  g_object_set((*p)->Get("file"), "location", path.c_str(), nullptr);
  auto im = std::make_unique<Impl>();
  im->path = path;
  if (o.video) im->video = GST_APP_SRC((*p)->Get("v"));
  if (o.audio) im->audio = GST_APP_SRC((*p)->Get("a"));
  // Not waiting for PLAYING: a non-live pipeline prerolls only when the first frame arrives.
  if (auto s = (*p)->Start(std::chrono::milliseconds(0)); !s) return std::unexpected(s.error());
  im->pipeline = std::move(*p);
  return std::unique_ptr<Recorder>(new Recorder(std::move(im)));
}

Recorder::Recorder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recorder::~Recorder() {
  (void)Close();
}

std::expected<void, MediaError> Recorder::WriteVideo(const EncodedFrame& f) {
  return impl_->Push(impl_->video, f, "video");
}
std::expected<void, MediaError> Recorder::WriteAudio(const EncodedFrame& f) {
  return impl_->Push(impl_->audio, f, "audio");
}

std::expected<void, MediaError> Recorder::Close() {
  Impl& im = *impl_;
  if (im.closed) return {};
  im.closed = true;
  if (im.video) gst_app_src_end_of_stream(im.video);
  if (im.audio) gst_app_src_end_of_stream(im.audio);
  // Wait for the muxer to write its index and the file sink to see EOS.
  GstBus* bus = gst_element_get_bus(im.pipeline->pipeline());
  GstMessage* m = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND,
                                             GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  std::expected<void, MediaError> result;
  if (!m) {
    result = std::unexpected(MediaError{
        MediaErrorCode::kIo, fmt::format("record '{}': did not finish in time", im.path)});
  } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gst_message_parse_error(m, &err, nullptr);
    result = std::unexpected(
        MediaError{MediaErrorCode::kIo,
                   fmt::format("record '{}': {}", im.path, err ? err->message : "unknown error")});
    if (err) g_error_free(err);
  }
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(im.pipeline->pipeline(), GST_STATE_NULL);
  return result;
}

}  // namespace confcast::media

// Video sources. Live GStreamer sources end in an appsink that keeps at most two buffers and
// drops the oldest (a slow consumer gets fresh frames, not a growing queue); test sources run
// with is-live=true so frames come at the real frame rate. Every frame is stamped with the wall
// clock at capture (gst::Pipeline::CaptureTime). y4m sources read the pipe directly.
//
// Lip sync: a file source joins the shared timeline (gst_util.h) with the audio source of the
// same file, so both stamp the file's time t with one instant. The test source carries a sync
// mark that the test audio source matches (kSyncMark*, source.h): a white box in the bottom
// right corner on the frames nearest to the first 100 ms of every wall-clock second, the
// instants at which the test tone sounds; both are decided from the capture time, so the
// mark and the tone share the one clock the receiver lines up.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "confcast/media/source.h"
#include "confcast/media/y4m.h"
#include "gst_util.h"

namespace confcast::media {

std::vector<std::string> ListCameras() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/dev", ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("video")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(5);

std::string Joined(const std::vector<std::string>& v) {
  if (v.empty()) return "none found";
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class GstVideoSource final : public VideoSource {
 public:
  GstVideoSource(std::string spec, std::unique_ptr<gst::Pipeline> p, bool loop, int mark_fps)
      : spec_(std::move(spec)), pipeline_(std::move(p)), loop_(loop), mark_fps_(mark_fps) {
    sink_ = GST_APP_SINK(pipeline_->Get("sink"));
  }

  std::expected<std::optional<VideoFrame>, MediaError> Pull(
      std::chrono::milliseconds timeout) override {
    GstSample* s = gst_app_sink_try_pull_sample(
        sink_, static_cast<GstClockTime>(timeout.count()) * GST_MSECOND);
    if (!s) {
      if (auto e = pipeline_->PollError()) return std::unexpected(*e);
      if (gst_app_sink_is_eos(sink_)) {
        if (loop_ && pipeline_->Rewind()) return std::optional<VideoFrame>{};
        return std::unexpected(MediaError{MediaErrorCode::kEndOfStream,
                                          fmt::format("video source '{}' ended", spec_)});
      }
      return std::optional<VideoFrame>{};
    }
    auto frame = gst::VideoFrameFromSample(s);
    if (frame) {
      frame->capture_time = pipeline_->CaptureTime(s);
      if (frames_ == 0) first_capture_ = frame->capture_time;
      frame->pts = frame->capture_time - first_capture_;
      frame->frame_number = frames_++;
      if (mark_fps_ > 0) DrawSyncMark(*frame);
    }
    gst_sample_unref(s);
    if (!frame) return std::unexpected(frame.error());
    return std::optional<VideoFrame>{std::move(*frame)};
  }
  const std::string& spec() const noexcept override { return spec_; }

 private:
  // The mark is on (white) on the frames whose time, moved half a frame on, falls in the
  // first kSyncMarkOn of a wall-clock second: the first of them is the one nearest to the
  // second, off by at most half a frame period. Elsewhere the box is black.
  void DrawSyncMark(VideoFrame& f) const {
    const std::int64_t half_frame_us = 500'000 / mark_fps_;
    const std::int64_t phase = (f.capture_time.count() + half_frame_us) % 1'000'000;
    const bool on = phase < std::chrono::microseconds(kSyncMarkOn).count();
    const int x0 = f.width - f.width / kSyncMarkFraction, y0 = f.height - f.height / kSyncMarkFraction;
    const std::uint8_t luma = on ? 235 : 16;
    auto y = f.Y();
    for (int row = y0; row < f.height; ++row)
      std::fill_n(y.begin() + static_cast<std::ptrdiff_t>(row) * f.width + x0, f.width - x0, luma);
    auto u = f.U(), v = f.V();
    const int cw = f.ChromaWidth();
    for (int row = y0 / 2; row < f.ChromaHeight(); ++row) {
      const auto at = static_cast<std::ptrdiff_t>(row) * cw + x0 / 2;
      std::fill_n(u.begin() + at, cw - x0 / 2, std::uint8_t{128});
      std::fill_n(v.begin() + at, cw - x0 / 2, std::uint8_t{128});
    }
  }

  std::string spec_;
  std::unique_ptr<gst::Pipeline> pipeline_;
  GstAppSink* sink_ = nullptr;
  bool loop_;
  int mark_fps_;  // > 0: draw the sync mark (test source) for this frame rate
  std::uint64_t frames_ = 0;
  rtp::Timestamp first_capture_{0};
};

class Y4mVideoSource final : public VideoSource {
 public:
  Y4mVideoSource(std::string spec, std::unique_ptr<Y4mReader> r)
      : spec_(std::move(spec)), reader_(std::move(r)) {}
  std::expected<std::optional<VideoFrame>, MediaError> Pull(std::chrono::milliseconds) override {
    auto f = reader_->Next();
    if (!f) return std::unexpected(f.error());
    return std::optional<VideoFrame>{std::move(*f)};
  }
  const std::string& spec() const noexcept override { return spec_; }

 private:
  std::string spec_;
  std::unique_ptr<Y4mReader> reader_;
};

std::string RawCaps(const VideoSourceOptions& o) {
  return fmt::format(
      "video/x-raw,format=I420,width={},height={},framerate={}/1,pixel-aspect-ratio=1/1", o.width,
      o.height, o.fps);
}
// sync=false: a live source is already paced by its clock; syncing the appsink as well would
// hold every frame for the pipeline latency (a frame period) before we may encode it.
constexpr const char* kAppSink = "appsink name=sink max-buffers=2 drop=true sync=false";

struct GstStart {
  bool loop = false;
  bool shared_timeline = false;  // a file: one timeline with the audio of the same file
  int mark_fps = 0;              // the test source: draw the sync mark
  void (*configure)(gst::Pipeline&, const std::string&) = nullptr;
  std::string arg{};
};

std::expected<std::unique_ptr<VideoSource>, MediaError> StartGst(std::string spec,
                                                                 const std::string& desc,
                                                                 const GstStart& how) {
  auto p = gst::Pipeline::Launch(desc, fmt::format("video source '{}'", spec));
  if (!p) return std::unexpected(p.error());
  if (how.configure) how.configure(**p, how.arg);
  if (how.shared_timeline) (*p)->JoinSharedTimeline();
  if (auto s = (*p)->Start(kStartTimeout); !s) return std::unexpected(s.error());
  return std::make_unique<GstVideoSource>(std::move(spec), std::move(*p), how.loop, how.mark_fps);
}

void SetLocation(gst::Pipeline& p, const std::string& v) {
  g_object_set(p.Get("src"), "location", v.c_str(), nullptr);
}
void SetDevice(gst::Pipeline& p, const std::string& v) {
  g_object_set(p.Get("src"), "device", v.c_str(), nullptr);
}

}  // namespace

std::expected<std::unique_ptr<VideoSource>, MediaError> CreateVideoSource(
    std::string_view spec_view, const VideoSourceOptions& o) {
  std::string spec(spec_view.empty() ? "test" : spec_view);
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (o.width <= 0 || o.height <= 0 || o.fps <= 0)
    return std::unexpected(MediaError{
        MediaErrorCode::kBadSpec,
        fmt::format("video size {}x{} at {} fps is not usable", o.width, o.height, o.fps)});
  if (kind == "y4m") {
    if (arg.empty())
      return std::unexpected(
          MediaError{MediaErrorCode::kBadSpec, "video source 'y4m:' needs a path or '-' (y4m:-)"});
    auto r = Y4mReader::Open(arg);
    if (!r)
      return std::unexpected(MediaError{
          r.error().code, fmt::format("video source '{}': {}", spec, r.error().message)});
    return std::make_unique<Y4mVideoSource>(spec, std::move(*r));
  }
  const std::string caps = RawCaps(o);
  if (kind == "test" && arg.empty()) {
    // A moving SMPTE pattern with a wall-clock overlay: motion and time are both visible.
    return StartGst(spec,
                    fmt::format("videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! "
                                "video/x-raw,width={},height={},framerate={}/1 ! "
                                "clockoverlay time-format=\"%H:%M:%S\" font-desc=\"Sans 24\" ! "
                                "videoconvert ! {} ! {}",
                                o.width, o.height, o.fps, caps, kAppSink),
                    GstStart{.mark_fps = o.fps});
  }
  if (kind == "v4l2") {
    const std::string dev = arg.empty() ? "/dev/video0" : arg;
    std::error_code ec;
    if (!std::filesystem::exists(dev, ec))
      return std::unexpected(MediaError{
          MediaErrorCode::kNotFound, fmt::format("video source '{}' not found; cameras present: {}",
                                                 spec, Joined(ListCameras()))});
    // Negotiation in order of preference: the requested size and rate as raw video, then as
    // MJPEG (many USB cameras reach 30 fps at 720p only in MJPEG), then any raw mode, then any
    // MJPEG mode. decodebin decodes MJPEG and passes raw through; videoscale and videorate
    // adapt whatever mode was chosen to the requested size and rate.
    const std::string prefer = fmt::format(
        "video/x-raw,width={0},height={1},framerate={2}/1;"
        "image/jpeg,width={0},height={1},framerate={2}/1;video/x-raw;image/jpeg",
        o.width, o.height, o.fps);
    return StartGst(spec,
                    fmt::format("v4l2src name=src ! capsfilter caps=\"{}\" ! decodebin ! "
                                "videoconvert ! videoscale ! videorate ! {} ! {}",
                                prefer, caps, kAppSink),
                    GstStart{.configure = SetDevice, .arg = dev});
  }
  if (kind == "screen" && arg.empty()) {
    const char* display = std::getenv("DISPLAY");
    if (!display || !*display)
      return std::unexpected(MediaError{
          MediaErrorCode::kUnavailable,
          "video source 'screen' needs an X11 display and DISPLAY is not set; run it in an X "
          "session or use --video test"});
    return StartGst(spec,
                    fmt::format("ximagesrc use-damage=false ! videoconvert ! videoscale ! "
                                "videorate ! {} ! {}",
                                caps, kAppSink),
                    GstStart{});
  }
  if (kind == "file") {
    std::error_code ec;
    if (arg.empty() || !std::filesystem::is_regular_file(arg, ec))
      return std::unexpected(MediaError{
          MediaErrorCode::kNotFound,
          fmt::format("video source '{}': file '{}' not found; give an existing file (file:PATH)",
                      spec, arg)});
    // sync=true plays the file in real time against the pipeline clock.
    return StartGst(spec,
                    fmt::format("filesrc name=src ! decodebin ! videoconvert ! videoscale ! "
                                "videorate ! {} ! appsink name=sink max-buffers=2 sync=true",
                                caps),
                    GstStart{.loop = o.loop, .shared_timeline = true, .configure = SetLocation,
                             .arg = arg});
  }
  return std::unexpected(MediaError{
      MediaErrorCode::kBadSpec,
      fmt::format("unknown video source '{}'; use test, v4l2[:/dev/videoN], screen, file:PATH, "
                  "y4m:PATH or y4m:-",
                  spec)});
}

}  // namespace confcast::media

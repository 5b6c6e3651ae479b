// Video sinks. `window` pushes frames through appsrc into an X11 sink (xvimagesink, else
// ximagesink, else glimagesink). Frames are stamped as they are pushed (do-timestamp) and the
// sink shows each at its stamp plus the presentation delay (sync=true, ts-offset), which is 0
// unless lip sync asks the picture to wait for slower sound: the jitter buffer upstream already
// did the timing. A frame that comes late is shown at once, never dropped (qos=false,
// max-lateness=-1), as it was with sync=false; the queue in front of the sink holds as many
// frames as the delay needs. The stream name reaches the window title as a
// GST_TAG_TITLE tag (taginject), which the X sinks use for the window name.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "confcast/rtp/safe_text.h"
#include "confcast/media/sink.h"
#include "confcast/media/y4m.h"
#include "gst_util.h"
#include "png_writer.h"

namespace confcast::media {

bool HaveDisplay() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

std::string DefaultVideoSinkSpec() {
  return HaveDisplay() ? "window" : "null";
}

namespace {

class NullVideoSink final : public VideoSink {
 public:
  std::expected<void, MediaError> Render(const VideoFrame&) override {
    ++frames_;
    return {};
  }
  std::uint64_t frames_rendered() const noexcept override { return frames_; }

 private:
  std::uint64_t frames_ = 0;
};

class Y4mVideoSink final : public VideoSink {
 public:
  explicit Y4mVideoSink(std::unique_ptr<Y4mWriter> w) : writer_(std::move(w)) {}
  std::expected<void, MediaError> Render(const VideoFrame& f) override {
    auto r = writer_->Write(f);
    if (!r) return r;
    ++frames_;
    // Each frame goes out whole now: left in the stdio buffer, its tail would wait for the
    // next frame and a reader at the other end of a pipe would see it a frame period late.
    return writer_->Flush();
  }
  std::expected<void, MediaError> Close() override { return writer_->Flush(); }
  std::uint64_t frames_rendered() const noexcept override { return frames_; }

 private:
  std::unique_ptr<Y4mWriter> writer_;
  std::uint64_t frames_ = 0;
};

// Writes DIR/<title>-<frame number>.png when png_interval_s of capture time has passed since
// the last snapshot, and the last frame again on Close() (named <title>-last.png). The title is
// a participant's SDES NAME, which anyone on the LAN can set: it becomes one safe file name
// component (no '/', no leading '.', no control characters), so a NAME of "../../x" stays in DIR.
class PngVideoSink final : public VideoSink {
 public:
  PngVideoSink(std::filesystem::path dir, VideoSinkOptions o)
      : dir_(std::move(dir)), options_(std::move(o)) {
    options_.title = rtp::SafeFileName(options_.title, 64);
  }
  ~PngVideoSink() override { (void)Close(); }
  std::expected<void, MediaError> Render(const VideoFrame& f) override {
    ++frames_;
    const rtp::Duration interval = std::chrono::seconds(std::max(1, options_.png_interval_s));
    if (!last_shot_ || f.capture_time - *last_shot_ >= interval) {
      last_shot_ = f.capture_time;
      auto r = WritePng(f, dir_ / fmt::format("{}-{:06}.png", options_.title, f.frame_number));
      if (!r) return r;
    }
    last_ = f;
    return {};
  }
  std::expected<void, MediaError> Close() override {
    if (!last_) return {};
    auto r = WritePng(*last_, dir_ / fmt::format("{}-last.png", options_.title));
    last_.reset();
    return r;
  }
  std::uint64_t frames_rendered() const noexcept override { return frames_; }

 private:
  std::filesystem::path dir_;
  VideoSinkOptions options_;
  std::optional<rtp::Timestamp> last_shot_;
  std::optional<VideoFrame> last_;
  std::uint64_t frames_ = 0;
};

class WindowVideoSink final : public VideoSink {
 public:
  // `can_delay`: the sink is one of ours by name, synchronised (autovideosink's choice is not).
  WindowVideoSink(std::unique_ptr<gst::Pipeline> p, bool can_delay)
      : pipeline_(std::move(p)), can_delay_(can_delay) {
    src_ = GST_APP_SRC(pipeline_->Get("src"));
  }
  ~WindowVideoSink() override { (void)Close(); }

  std::expected<void, MediaError> Render(const VideoFrame& f) override {
    if (closed_) return std::unexpected(MediaError{MediaErrorCode::kUnavailable, "window closed"});
    if (auto e = pipeline_->PollError()) return std::unexpected(*e);
    if (f.width != width_ || f.height != height_) {
      GstCaps* caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
                                          G_TYPE_INT, f.width, "height", G_TYPE_INT, f.height,
                                          "framerate", GST_TYPE_FRACTION, 0, 1, nullptr);
      gst_app_src_set_caps(src_, caps);
      gst_caps_unref(caps);
      width_ = f.width;
      height_ = f.height;
    }
    GstBuffer* buf = gst_buffer_new_memdup(f.i420.data(), f.i420.size());
    if (gst_app_src_push_buffer(src_, buf) != GST_FLOW_OK)
      return std::unexpected(
          MediaError{MediaErrorCode::kUnavailable, "video sink 'window': the window is gone"});
    ++frames_;
    return {};
  }
  std::expected<void, MediaError> Close() override {
    if (closed_) return {};
    closed_ = true;
    gst_app_src_end_of_stream(src_);
    return {};
  }
  std::uint64_t frames_rendered() const noexcept override { return frames_; }
  std::optional<rtp::Duration> PlayoutLatency() override {
    pipeline_->UpdateLatency();
    return pipeline_->Latency();
  }
  bool SetPresentationDelay(rtp::Duration delay) override {
    if (closed_ || !can_delay_) return false;
    const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::max(delay, rtp::Duration{0}))
                                .count();
    // GObject properties take the object's lock: safe beside the decode worker's Render().
    g_object_set(pipeline_->Get("queue"), "max-size-time",
                 static_cast<guint64>(ns) + kQueueSlack, nullptr);
    g_object_set(pipeline_->Get("out"), "ts-offset", static_cast<gint64>(ns), nullptr);
    return true;
  }

 private:
  // Frames the queue holds beyond the presentation delay (a few frame periods) before it drops
  // the oldest: a sink that stopped drawing never stalls the decode worker.
  static constexpr guint64 kQueueSlack = 100 * GST_MSECOND;
  std::unique_ptr<gst::Pipeline> pipeline_;
  bool can_delay_;
  GstAppSrc* src_ = nullptr;
  int width_ = 0, height_ = 0;
  std::uint64_t frames_ = 0;
  bool closed_ = false;
};

// The window title: a participant's SDES NAME, made safe (rtp::SafeText: no control or bidi
// characters, valid UTF-8, 128 bytes at most), then kept from breaking out of the tag string.
std::string TagSafe(std::string_view title) {
  std::string s = rtp::SafeText(title);
  for (char& c : s)
    if (c == '"' || c == '\\' || c == ',' || c == ';') c = ' ';
  return s;
}

}  // namespace

std::expected<std::unique_ptr<VideoSink>, MediaError> CreateVideoSink(std::string_view spec_view,
                                                                      const VideoSinkOptions& o) {
  std::string spec(spec_view.empty() || spec_view == "auto" ? DefaultVideoSinkSpec() : spec_view);
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "null" && arg.empty()) return std::make_unique<NullVideoSink>();
  if (kind == "y4m") {
    if (arg.empty())
      return std::unexpected(
          MediaError{MediaErrorCode::kBadSpec, "video sink 'y4m:' needs a path or '-' (y4m:-)"});
    auto w = Y4mWriter::Open(arg, o.fps_num, o.fps_den);
    if (!w) return std::unexpected(w.error());
    return std::make_unique<Y4mVideoSink>(std::move(*w));
  }
  if (kind == "png") {
    std::error_code ec;
    if (arg.empty() || !std::filesystem::is_directory(arg, ec))
      return std::unexpected(MediaError{
          MediaErrorCode::kNotFound,
          fmt::format("video sink '{}': directory '{}' not found; create it first", spec, arg)});
    return std::make_unique<PngVideoSink>(arg, o);
  }
  if (kind == "window" && arg.empty()) {
    if (!HaveDisplay())
      return std::unexpected(MediaError{
          MediaErrorCode::kUnavailable,
          "video sink 'window' needs a display and DISPLAY is not set; use --video-sink null, "
          "y4m:PATH or png:DIR"});
    // XOpenDisplay fails now and then with EAGAIN on a busy X server (seen with Xvfb on a
    // loaded machine), so opening the window is retried a few times before giving up.
    // One window opens at a time: probing xvimagesink opens and closes an X display, and
    // Xlib's global state is not safe when two threads do that at once (ASan caught a double
    // free in XCloseDisplay when a receiver opened two participants' windows together).
    //
    // The X sinks are tried by name rather than through autovideosink: autovideosink probes
    // kmssink between xvimagesink and ximagesink, and that probe alone took 1.3 s under Xvfb
    // (several seconds on a loaded machine, so a participant's window came up after most of
    // a short call). The first sink that starts is remembered for later windows.
    static std::mutex opening;
    static std::string chosen;
    std::lock_guard lock(opening);
    const std::vector<std::string> candidates =
        !chosen.empty() ? std::vector<std::string>{chosen}
                        : std::vector<std::string>{"xvimagesink", "ximagesink", "glimagesink",
                                                   "autovideosink"};
    MediaError last;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
      for (const std::string& sink : candidates) {
        if (!gst::ElementExists(sink.c_str())) continue;
        auto p = gst::Pipeline::Launch(
            "appsrc name=src is-live=true format=time do-timestamp=true max-bytes=0 "
            "block=false ! taginject name=tags ! queue name=queue max-size-buffers=0 "
            "max-size-bytes=0 max-size-time=100000000 leaky=downstream ! videoconvert ! " +
                sink + " name=out" +
                (sink == "autovideosink" ? " sync=false"
                                         : " sync=true qos=false max-lateness=-1 ts-offset=0"),
            "video sink 'window' (" + sink + ")");
        if (!p) {
          last = p.error();
          continue;
        }
        const std::string tags = fmt::format("title=\"{}\"", TagSafe(o.title));
        g_object_set((*p)->Get("tags"), "tags", tags.c_str(), nullptr);
        auto s = (*p)->Start(std::chrono::milliseconds(0));
        if (s) {
          chosen = sink;
          return std::make_unique<WindowVideoSink>(std::move(*p), sink != "autovideosink");
        }
        last = s.error();
      }
    }
    return std::unexpected(last);
  }
  if (kind == "record")
    return std::unexpected(MediaError{
        MediaErrorCode::kBadSpec,
        "video sink 'record:' stores encoded streams; the receiver opens it with Recorder "
        "(record.h), not as a video sink"});
  return std::unexpected(MediaError{
      MediaErrorCode::kBadSpec,
      fmt::format("unknown video sink '{}'; use window, null, y4m:PATH, y4m:-, png:DIR or "
                  "record:PATH.mkv",
                  spec)});
}

}  // namespace confcast::media

#include "gst_util.h"

#include <fmt/format.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace confcast::media::gst {

void EnsureInit() {
  static const bool done = [] {
    // autoaudiosrc/autoaudiosink probe OpenAL, whose library writes "AL lib: (EE) ..." lines
    // straight to stderr when no sound device exists; our own one-line error says the same.
    // A user who wants OpenAL's log sets ALSOFT_LOGLEVEL themselves.
    g_setenv("ALSOFT_LOGLEVEL", "0", FALSE);
    gst_init(nullptr, nullptr);
    return true;
  }();
  (void)done;
}

bool ElementExists(const char* factory) {
  EnsureInit();
  GstElementFactory* f = gst_element_factory_find(factory);
  if (!f) return false;
  gst_object_unref(f);
  return true;
}

namespace {

// The shared timeline starts this far after the first pipeline joins, so that the sources
// created after it (the sender opens sockets and the audio pipeline prerolls in between) are
// PLAYING by then: none starts late and sends a burst of what it owes.
constexpr GstClockTime kSharedTimelineLead = 500 * GST_MSECOND;

// The shared timeline's base time, held while `members` joined pipelines live.
struct SharedTimeline {
  std::mutex mutex;
  int members = 0;
  GstClockTime base = GST_CLOCK_TIME_NONE;
};
SharedTimeline& Timeline() {
  static SharedTimeline t;
  return t;
}

}  // namespace

Pipeline::~Pipeline() {
  if (pipeline_) {
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    gst_object_unref(pipeline_);
  }
  if (shared_) {
    SharedTimeline& t = Timeline();
    const std::lock_guard lock(t.mutex);
    if (--t.members == 0) t.base = GST_CLOCK_TIME_NONE;
  }
}

void Pipeline::JoinSharedTimeline() {
  if (shared_) return;
  GstClock* clock = gst_system_clock_obtain();
  SharedTimeline& t = Timeline();
  {
    const std::lock_guard lock(t.mutex);
    if (t.members++ == 0) t.base = gst_clock_get_time(clock) + kSharedTimelineLead;
    gst_pipeline_use_clock(GST_PIPELINE(pipeline_), clock);
    gst_element_set_start_time(pipeline_, GST_CLOCK_TIME_NONE);
    gst_element_set_base_time(pipeline_, t.base);
  }
  gst_object_unref(clock);
  shared_ = true;
}

bool Pipeline::Rewind() {
  if (shared_) {
    // The container's duration is the same for both pipelines of one file; without one, the
    // running time reached at the end (the appsink released the last buffer on time).
    gint64 duration = -1;
    const GstClockTime base = gst_element_get_base_time(pipeline_);
    if (!gst_element_query_duration(pipeline_, GST_FORMAT_TIME, &duration) || duration <= 0) {
      GstClock* clock = gst_element_get_clock(pipeline_);
      duration = clock ? static_cast<gint64>(gst_clock_get_time(clock) - base) : 0;
      if (clock) gst_object_unref(clock);
    }
    gst_element_set_base_time(pipeline_, base + static_cast<GstClockTime>(duration));
  }
  return gst_element_seek_simple(pipeline_, GST_FORMAT_TIME,
                                 GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0);
}

std::expected<std::unique_ptr<Pipeline>, MediaError> Pipeline::Launch(
    const std::string& description, std::string what) {
  EnsureInit();
  GError* err = nullptr;
  GstElement* p = gst_parse_launch(description.c_str(), &err);
  if (err) {
    std::string msg =
        fmt::format("{}: cannot build the GStreamer pipeline: {}", what, err->message);
    g_error_free(err);
    if (p) gst_object_unref(p);
    return std::unexpected(MediaError{MediaErrorCode::kNotFound, std::move(msg)});
  }
  auto out = std::make_unique<Pipeline>();
  out->pipeline_ = p;
  out->what_ = std::move(what);
  return out;
}

GstElement* Pipeline::Get(const char* name) const {
  GstElement* e = gst_bin_get_by_name(GST_BIN(pipeline_), name);
  if (e) gst_object_unref(e);  // the pipeline keeps it alive
  return e;
}

std::optional<MediaError> Pipeline::PollError() {
  GstBus* bus = gst_element_get_bus(pipeline_);
  std::optional<MediaError> out;
  while (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
    if (!out) {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(m, &err, &dbg);
      // CONFCAST_MEDIA_DEBUG=1 adds GStreamer's debug detail (element and reason).
      const char* verbose = std::getenv("CONFCAST_MEDIA_DEBUG");
      out = MediaError{MediaErrorCode::kUnavailable,
                       fmt::format("{}: {}", what_, err ? err->message : "unknown error")};
      if (verbose && *verbose == '1')
        out->message +=
            fmt::format(" [{}: {}]", GST_OBJECT_NAME(GST_MESSAGE_SRC(m)), dbg ? dbg : "");
      if (err) g_error_free(err);
      g_free(dbg);
    }
    gst_message_unref(m);
  }
  gst_object_unref(bus);
  return out;
}

void Pipeline::UpdateLatency() {
  GstBus* bus = gst_element_get_bus(pipeline_);
  bool asked = false;
  while (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_LATENCY)) {
    asked = true;
    gst_message_unref(m);
  }
  gst_object_unref(bus);
  if (asked) gst_bin_recalculate_latency(GST_BIN(pipeline_));
}

std::optional<rtp::Duration> Pipeline::Latency() const {
  GstQuery* q = gst_query_new_latency();
  std::optional<rtp::Duration> out;
  if (gst_element_query(pipeline_, q)) {
    gboolean live = FALSE;
    GstClockTime min = 0, max = 0;
    gst_query_parse_latency(q, &live, &min, &max);
    if (GST_CLOCK_TIME_IS_VALID(min))
      out = std::chrono::duration_cast<rtp::Duration>(std::chrono::nanoseconds(min));
  }
  gst_query_unref(q);
  return out;
}

std::expected<void, MediaError> Pipeline::Start(std::chrono::milliseconds timeout) {
  const GstStateChangeReturn r = gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  if (r == GST_STATE_CHANGE_FAILURE) {
    if (auto e = PollError()) return std::unexpected(*e);
    return std::unexpected(MediaError{MediaErrorCode::kUnavailable, what_ + ": cannot start"});
  }
  GstState state = GST_STATE_NULL;
  const GstStateChangeReturn w = gst_element_get_state(
      pipeline_, &state, nullptr, static_cast<GstClockTime>(timeout.count()) * GST_MSECOND);
  if (auto e = PollError()) return std::unexpected(*e);
  if (w == GST_STATE_CHANGE_FAILURE)
    return std::unexpected(MediaError{MediaErrorCode::kUnavailable, what_ + ": cannot start"});
  return {};
}

rtp::Timestamp Pipeline::CaptureTime(GstSample* sample) const {
  const rtp::Timestamp now = WallClockNow();
  GstBuffer* buf = gst_sample_get_buffer(sample);
  const GstSegment* seg = gst_sample_get_segment(sample);
  if (!buf || !seg || !GST_BUFFER_PTS_IS_VALID(buf)) return now;
  const guint64 running = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
  GstClock* clock = gst_element_get_clock(pipeline_);
  if (!clock || running == GST_CLOCK_TIME_NONE) {
    if (clock) gst_object_unref(clock);
    return now;
  }
  const GstClockTime clock_now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime base = gst_element_get_base_time(pipeline_);
  const std::int64_t age_ns =
      static_cast<std::int64_t>(clock_now - base) - static_cast<std::int64_t>(running);
  // A buffer from the future (file sources running ahead) is stamped now.
  return now - rtp::Duration{std::max<std::int64_t>(0, age_ns / 1000)};
}

std::expected<VideoFrame, MediaError> VideoFrameFromSample(GstSample* sample) {
  GstVideoInfo info;
  GstCaps* caps = gst_sample_get_caps(sample);
  GstBuffer* buf = gst_sample_get_buffer(sample);
  if (!caps || !buf || !gst_video_info_from_caps(&info, caps) ||
      GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_FORMAT_I420)
    return std::unexpected(MediaError{MediaErrorCode::kBadFormat, "video sample is not I420"});
  GstVideoFrame vf;
  if (!gst_video_frame_map(&vf, &info, buf, GST_MAP_READ))
    return std::unexpected(MediaError{MediaErrorCode::kBadFormat, "cannot map a video sample"});
  VideoFrame out = VideoFrame::Blank(GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info));
  std::span<std::uint8_t> planes[3] = {out.Y(), out.U(), out.V()};
  for (int p = 0; p < 3; ++p) {
    const int w = p == 0 ? out.width : out.ChromaWidth();
    const int h = p == 0 ? out.height : out.ChromaHeight();
    const auto* src = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&vf, p));
    const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, p);
    for (int r = 0; r < h; ++r)
      std::memcpy(planes[p].data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(w),
                  src + static_cast<std::ptrdiff_t>(r) * stride, static_cast<std::size_t>(w));
  }
  gst_video_frame_unmap(&vf);
  return out;
}

}  // namespace confcast::media::gst

// Audio sinks. `auto` plays through pulsesink, else alsasink, else whatever autoaudiosink finds;
// when the machine has no output device the pipeline fails to start or errors later, and the
// sink warns once on stderr and drops audio from then on, so a receiver without a sound card
// still shows video.
//
// Lip sync: the sound is heard one audio-sink buffer after Play(). pulsesink and alsasink keep
// 200 ms by default, which put the sound 143 ms behind the picture in the window (e2e
// .playout_sync); here they keep 40 ms in 10 ms segments, and the receiver asks how long that
// is (PlayoutLatency, GStreamer's latency query) rather than assuming it. Samples are stamped
// when they are pushed (do-timestamp) and played that long after their stamp; the sink
// follows a change of more than 10 ms in that timing (our lip-sync hold moving) once it has
// lasted 200 ms, instead of absorbing up to 40 ms of it into its buffer as by default.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>
#include <string>

#include "confcast/media/sink.h"
#include "gst_util.h"

namespace confcast::media {

namespace {

class NullAudioSink final : public AudioSink {
 public:
  void Play(const AudioFrame&) override {}
  bool active() const noexcept override { return false; }
};

// The factory name of the element autoaudiosink picked, or "" when it has none.
std::string ActualSink(GstElement* autosink) {
  std::string name;
  if (!autosink || !GST_IS_BIN(autosink)) return name;
  GstIterator* it = gst_bin_iterate_elements(GST_BIN(autosink));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* e = GST_ELEMENT(g_value_get_object(&item));
    if (GstElementFactory* f = gst_element_get_factory(e))
      name = gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(f));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return name;
}

constexpr const char* kLowLatency =
    " buffer-time=40000 latency-time=10000 alignment-threshold=10000000 discont-wait=200000000";

class GstAudioSink final : public AudioSink {
 public:
  GstAudioSink() {
    MediaError last{MediaErrorCode::kUnavailable, "audio sink 'auto': no audio output device"};
    for (const std::string sink : {"pulsesink", "alsasink", "autoaudiosink"}) {
      if (!gst::ElementExists(sink.c_str())) continue;
      auto p = gst::Pipeline::Launch(
          "appsrc name=src is-live=true format=time do-timestamp=true ! audioconvert ! "
          "audioresample ! " + sink + " name=out" + (sink == "autoaudiosink" ? "" : kLowLatency),
          "audio sink 'auto' (" + sink + ")");
      if (!p) {
        last = p.error();
        continue;
      }
      if (auto s = (*p)->Start(std::chrono::milliseconds(0)); !s) {
        last = s.error();
        continue;
      }
      pipeline_ = std::move(*p);
      auto_ = sink == "autoaudiosink";
      break;
    }
    if (!pipeline_) {
      Fail(last);
      return;
    }
    src_ = GST_APP_SRC(pipeline_->Get("src"));
    // With no usable device autoaudiosink quietly plays into a fakesink: say so once.
    const std::string actual = auto_ ? ActualSink(pipeline_->Get("out")) : "chosen";
    if (actual.empty() || actual == "fakesink")
      Fail(MediaError{MediaErrorCode::kUnavailable, "audio sink 'auto': no audio output device"});
  }
  ~GstAudioSink() override {
    if (src_ && !failed_) gst_app_src_end_of_stream(src_);
  }

  void Play(const AudioFrame& f) override {
    if (failed_) return;
    if (auto e = pipeline_->PollError()) {
      Fail(*e);
      return;
    }
    pipeline_->UpdateLatency();
    if (f.channels != channels_) {
      GstCaps* caps = gst_caps_new_simple(
          "audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT, f.sample_rate,
          "channels", G_TYPE_INT, f.channels, "layout", G_TYPE_STRING, "interleaved", nullptr);
      gst_app_src_set_caps(src_, caps);
      gst_caps_unref(caps);
      channels_ = f.channels;
    }
    GstBuffer* buf =
        gst_buffer_new_memdup(f.samples.data(), f.samples.size() * sizeof(std::int16_t));
    if (gst_app_src_push_buffer(src_, buf) != GST_FLOW_OK)
      Fail(MediaError{MediaErrorCode::kUnavailable, "audio sink 'auto': output stopped"});
    played_ = true;
  }
  bool active() const noexcept override { return !failed_; }
  std::optional<rtp::Duration> PlayoutLatency() override {
    if (failed_) return rtp::Duration{0};
    if (!played_) return std::nullopt;
    pipeline_->UpdateLatency();
    // Before the device has its format the query answers without the sink's buffer: a figure
    // below one segment (10 ms) is not the real one yet.
    auto l = pipeline_->Latency();
    if (!l || *l < std::chrono::milliseconds(10)) return std::nullopt;
    return l;
  }

 private:
  void Fail(const MediaError& e) {
    if (!failed_)
      spdlog::warn("no audio output ({}); audio is dropped", e.message);
    failed_ = true;
  }
  std::unique_ptr<gst::Pipeline> pipeline_;
  GstAppSrc* src_ = nullptr;
  int channels_ = 0;
  bool failed_ = false;
  bool played_ = false;
  bool auto_ = false;  // autoaudiosink chose the device (no low-latency settings)
};

}  // namespace

std::expected<std::unique_ptr<AudioSink>, MediaError> CreateAudioSink(std::string_view spec) {
  if (spec == "null" || spec == "none") return std::make_unique<NullAudioSink>();
  if (spec.empty() || spec == "auto" || spec == "window") return std::make_unique<GstAudioSink>();
  return std::unexpected(MediaError{
      MediaErrorCode::kBadSpec, fmt::format("unknown audio sink '{}'; use auto or null", spec)});
}

}  // namespace confcast::media

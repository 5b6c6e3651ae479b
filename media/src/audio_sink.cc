// Audio sinks. `auto` plays through autoaudiosink; when the machine has no output device the
// pipeline fails to start or errors later, and the sink warns once on stderr and drops audio from
// then on, so a receiver without a sound card still shows video.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

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

class GstAudioSink final : public AudioSink {
 public:
  GstAudioSink() {
    auto p = gst::Pipeline::Launch(
        "appsrc name=src is-live=true format=time do-timestamp=true ! audioconvert ! "
        "audioresample ! autoaudiosink name=out",
        "audio sink 'auto'");
    if (!p) {
      Fail(p.error());
      return;
    }
    pipeline_ = std::move(*p);
    src_ = GST_APP_SRC(pipeline_->Get("src"));
    if (auto s = pipeline_->Start(std::chrono::milliseconds(0)); !s) {
      Fail(s.error());
      return;
    }
    // With no usable device autoaudiosink quietly plays into a fakesink: say so once.
    const std::string actual = ActualSink(pipeline_->Get("out"));
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
  }
  bool active() const noexcept override { return !failed_; }

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
};

}  // namespace

std::expected<std::unique_ptr<AudioSink>, MediaError> CreateAudioSink(std::string_view spec) {
  if (spec == "null" || spec == "none") return std::make_unique<NullAudioSink>();
  if (spec.empty() || spec == "auto" || spec == "window") return std::make_unique<GstAudioSink>();
  return std::unexpected(MediaError{
      MediaErrorCode::kBadSpec, fmt::format("unknown audio sink '{}'; use auto or null", spec)});
}

}  // namespace confcast::media

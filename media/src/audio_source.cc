// Audio sources: GStreamer capture converted to 48 kHz interleaved S16 and cut into frames of
// exactly the Opus frame duration. The capture time of each frame is that of the buffer it
// starts in plus the offset of its first sample.
//
// Lip sync: a file source joins the shared timeline (gst_util.h) with the video source of the
// same file, so both stamp the file's time t with one instant. The test source is a 1 kHz sine
// gated by the capture time of each sample: it sounds in the first kSyncMarkOn of every
// wall-clock second, when the test video source shows its white mark (video_source.cc).
#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "confcast/media/source.h"
#include "gst_util.h"

namespace confcast::media {

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(5);

class GstAudioSource final : public AudioSource {
 public:
  GstAudioSource(std::string spec, std::unique_ptr<gst::Pipeline> p, const AudioSourceOptions& o,
                 bool sync_tone)
      : spec_(std::move(spec)), pipeline_(std::move(p)), options_(o), sync_tone_(sync_tone) {
    sink_ = GST_APP_SINK(pipeline_->Get("sink"));
    frame_samples_ = kAudioSampleRate / 1000 * o.frame_ms;
  }

  std::expected<std::optional<AudioFrame>, MediaError> Pull(
      std::chrono::milliseconds timeout) override {
    const auto want = static_cast<std::size_t>(frame_samples_ * options_.channels);
    while (pending_.size() < want) {
      GstSample* s = gst_app_sink_try_pull_sample(
          sink_, static_cast<GstClockTime>(timeout.count()) * GST_MSECOND);
      if (!s) {
        if (auto e = pipeline_->PollError()) return std::unexpected(*e);
        if (gst_app_sink_is_eos(sink_)) {
          if (options_.loop && pipeline_->Rewind()) return std::optional<AudioFrame>{};
          return std::unexpected(MediaError{MediaErrorCode::kEndOfStream,
                                            fmt::format("audio source '{}' ended", spec_)});
        }
        return std::optional<AudioFrame>{};
      }
      const rtp::Timestamp capture = pipeline_->CaptureTime(s);
      GstBuffer* buf = gst_sample_get_buffer(s);
      GstMapInfo map;
      if (buf && gst_buffer_map(buf, &map, GST_MAP_READ)) {
        const std::size_t n = map.size / sizeof(std::int16_t);
        if (pending_.empty()) {
          pending_capture_ = capture;
        }
        const std::size_t old = pending_.size();
        pending_.resize(old + n);
        std::memcpy(pending_.data() + old, map.data, n * sizeof(std::int16_t));
        gst_buffer_unmap(buf, &map);
      }
      gst_sample_unref(s);
    }
    AudioFrame f;
    f.channels = options_.channels;
    f.samples.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(want));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(want));
    f.capture_time = pending_capture_;
    f.pts = rtp::Duration{static_cast<std::int64_t>(frames_) * options_.frame_ms * 1000};
    f.frame_number = frames_++;
    pending_capture_ += f.duration();
    if (sync_tone_) GateSyncTone(f);
    return std::optional<AudioFrame>{std::move(f)};
  }
  const std::string& spec() const noexcept override { return spec_; }

 private:
  // Silences every sample whose capture time is not in the first kSyncMarkOn of a second.
  static void GateSyncTone(AudioFrame& f) {
    const std::int64_t on_us = std::chrono::microseconds(kSyncMarkOn).count();
    const auto channels = static_cast<std::size_t>(f.channels);
    for (std::size_t i = 0; i < f.samples.size(); ++i) {
      const auto sample = static_cast<std::int64_t>(i / channels);
      const std::int64_t t = f.capture_time.count() + sample * 1'000'000 / kAudioSampleRate;
      if (t % 1'000'000 >= on_us) f.samples[i] = 0;
    }
  }

  std::string spec_;
  std::unique_ptr<gst::Pipeline> pipeline_;
  AudioSourceOptions options_;
  GstAppSink* sink_ = nullptr;
  int frame_samples_ = 960;
  std::vector<std::int16_t> pending_;
  rtp::Timestamp pending_capture_{0};
  std::uint64_t frames_ = 0;
  bool sync_tone_;
};

std::string SoundCards() {
  std::ifstream in("/proc/asound/cards");
  std::string line, cards;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != ' ' || line.find('[') == std::string::npos) continue;
    cards += (cards.empty() ? "" : ", ") + line.substr(0, line.find(']') + 1);
  }
  return cards;
}

}  // namespace

std::expected<std::unique_ptr<AudioSource>, MediaError> CreateAudioSource(
    std::string_view spec_view, const AudioSourceOptions& o) {
  std::string spec(spec_view.empty() ? "test" : spec_view);
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "none") return std::unique_ptr<AudioSource>{};
  if ((o.channels != 1 && o.channels != 2) || (o.frame_ms != 10 && o.frame_ms != 20))
    return std::unexpected(MediaError{MediaErrorCode::kBadSpec,
                                      fmt::format("audio with {} channels and {} ms frames is not "
                                                  "usable; use 1 or 2 channels and 10 or 20 ms",
                                                  o.channels, o.frame_ms)});
  const std::string caps =
      fmt::format("audio/x-raw,format=S16LE,rate=48000,channels={},layout=interleaved", o.channels);
  const int spf = kAudioSampleRate / 1000 * o.frame_ms;
  const std::string what = fmt::format("audio source '{}'", spec);
  std::string desc;
  std::string property, value;
  if (kind == "test" && arg.empty()) {
    desc = fmt::format(
        "audiotestsrc is-live=true wave=sine freq=1000 volume=0.3 samplesperbuffer={}"
        " ! {} ! appsink name=sink max-buffers=50 sync=false",
        spf, caps);
  } else if (kind == "auto" && arg.empty()) {
    desc = fmt::format(
        "autoaudiosrc ! audioconvert ! audioresample ! {} ! appsink name=sink "
        "max-buffers=50 sync=false",
        caps);
  } else if (kind == "alsa") {
    if (!gst::ElementExists("alsasrc"))
      return std::unexpected(
          MediaError{MediaErrorCode::kNotFound,
                     what + " needs the GStreamer alsasrc element; install gstreamer1.0-alsa"});
    const std::string cards = SoundCards();
    if (cards.empty())
      return std::unexpected(MediaError{
          MediaErrorCode::kNotFound,
          what + " not found; sound cards present: none found (use --audio test or none)"});
    desc = fmt::format(
        "alsasrc name=src ! audioconvert ! audioresample ! {} ! appsink name=sink "
        "max-buffers=50 sync=false",
        caps);
    if (!arg.empty()) property = "device", value = arg;
  } else if (kind == "pulse") {
    if (!gst::ElementExists("pulsesrc"))
      return std::unexpected(MediaError{
          MediaErrorCode::kNotFound,
          what + " needs the GStreamer pulsesrc element; install gstreamer1.0-pulseaudio"});
    desc = fmt::format(
        "pulsesrc name=src ! audioconvert ! audioresample ! {} ! appsink name=sink "
        "max-buffers=50 sync=false",
        caps);
    if (!arg.empty()) property = "device", value = arg;  // a source name (--list-devices)
  } else if (kind == "file") {
    std::error_code ec;
    if (arg.empty() || !std::filesystem::is_regular_file(arg, ec))
      return std::unexpected(MediaError{
          MediaErrorCode::kNotFound,
          fmt::format("{}: file '{}' not found; give an existing file (file:PATH)", what, arg)});
    desc = fmt::format(
        "filesrc name=src ! decodebin ! audioconvert ! audioresample ! {} ! appsink "
        "name=sink max-buffers=50 sync=true",
        caps);
    property = "location", value = arg;
  } else {
    return std::unexpected(MediaError{
        MediaErrorCode::kBadSpec,
        fmt::format("unknown audio source '{}'; use test, auto, alsa[:DEVICE], pulse[:DEVICE], file:PATH "
                    "or none",
                    spec)});
  }
  auto p = gst::Pipeline::Launch(desc, what);
  if (!p) return std::unexpected(p.error());
  if (!property.empty()) g_object_set((*p)->Get("src"), property.c_str(), value.c_str(), nullptr);
  if (kind == "file") (*p)->JoinSharedTimeline();
  if (auto s = (*p)->Start(kStartTimeout); !s) {
    MediaError e = s.error();
    if (kind == "pulse" && arg.empty())
      e.message += " (is a PulseAudio server running? use --audio test or none)";
    if (kind == "pulse" && !arg.empty())
      e.message += " (is a PulseAudio server running, with that source? "
                   "confcast-send --list-devices shows the sources; or use --audio test or none)";
    if (kind == "auto") e.message += " (no capture device; use --audio test or none)";
    return std::unexpected(std::move(e));
  }
  return std::make_unique<GstAudioSource>(spec, std::move(*p), o, kind == "test");
}

}  // namespace confcast::media

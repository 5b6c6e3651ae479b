#include "sinks.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "audio_stream.h"
#include "video_stream.h"

namespace confcast::receiver {

namespace {

bool IsRecord(const std::string& spec) { return spec.rfind("record:", 0) == 0; }

}  // namespace

std::expected<std::unique_ptr<Sinks>, std::string> Sinks::Open(const SinkConfig& given) {
  SinkConfig config = given;
  const bool record_video = config.have_video && IsRecord(config.video_spec);
  const bool record_audio =
      config.have_audio &&
      (IsRecord(config.audio_spec) || (record_video && config.audio_follows_video));
  const bool shared = record_video && record_audio &&
                      (config.audio_follows_video || config.audio_spec == config.video_spec);
  std::unique_ptr<Sinks> s(new Sinks(config));
  if (record_video) {
    media::RecorderOptions ro;
    ro.video = true;
    ro.audio = shared;
    ro.audio_channels = config.audio_channels;
    auto r = Recording::Open(config.video_spec, ro);
    if (!r) return std::unexpected("--video-sink " + config.video_spec + ": " + r.error());
    s->video_recording_ = r->get();
    if (shared) s->audio_recording_ = r->get();
    s->recordings_.push_back(std::move(*r));
    config.video_spec = "null";  // decoded for the figures, shown nowhere
  }
  if (record_audio && !shared) {
    media::RecorderOptions ro;
    ro.video = false;
    ro.audio = true;
    ro.audio_channels = config.audio_channels;
    auto r = Recording::Open(config.audio_spec, ro);
    if (!r) return std::unexpected("--audio-sink " + config.audio_spec + ": " + r.error());
    s->audio_recording_ = r->get();
    s->recordings_.push_back(std::move(*r));
  }
  if (record_audio) config.audio_spec = "null";
  s->windowed_ = config.video_spec.rfind("window", 0) == 0;
  if (!s->windowed_ && config.have_video) {
    media::VideoSinkOptions vo;
    vo.title = config.participant.empty() ? "confcast" : config.participant;
    auto sink = media::CreateVideoSink(config.video_spec, vo);
    if (!sink) return std::unexpected("--video-sink " + config.video_spec + ": " + sink.error().message);
    s->single_ = std::move(*sink);
  }
  if (config.have_audio) {
    auto sink = media::CreateAudioSink(config.audio_spec);
    if (!sink) return std::unexpected("--audio-sink " + config.audio_spec + ": " + sink.error().message);
    s->audio_ = std::move(*sink);
  }
  return s;
}

Sinks::~Sinks() { Close(); }

bool Sinks::Chosen(std::uint32_t ssrc, const SinkCandidate& who) const {
  const std::string& want = config_.participant;
  if (want.empty()) return true;
  if (who.name == want || who.cname == want) return true;
  return fmt::format("{:08x}", ssrc) == want || std::to_string(ssrc) == want;
}

std::vector<std::uint32_t> Sinks::Attach(Streams& streams, const Lookup& who,
                                         rtp::Timestamp now) {
  std::vector<std::uint32_t> attached;
  awaiting_name_ = false;
  for (auto& [ssrc, stream] : streams) {
    if (stream->has_sink()) continue;
    const std::optional<SinkCandidate> p = who(ssrc);
    if (!p || !Chosen(ssrc, *p)) continue;
    if (stream->kind() == MediaKind::kAudio) {
      if (audio_ && !audio_owner_) {
        if (audio_recording_ && audio_recording_ == video_recording_) {
          // One file for one participant: the audio of the recorded video's CNAME. RTCP (and
          // with it SDES) may come seconds after the first packets, so while either CNAME is
          // unknown the audio is taken, like the audio sink's, from the first heard.
          if (!single_owner_) continue;
          const std::optional<SinkCandidate> v = who(*single_owner_);
          if (v && !v->cname.empty() && !p->cname.empty() && v->cname != p->cname) continue;
        }
        audio_owner_ = ssrc;
        auto& audio = static_cast<AudioStream&>(*stream);
        audio.AttachSink(audio_.get());
        audio.AttachRecording(audio_recording_);
      }
      continue;
    }
    auto& video = static_cast<VideoStream&>(*stream);
    if (windowed_) {
      if (p->name.empty() && now - p->first_heard < std::chrono::seconds(1)) {
        awaiting_name_ = true;
        continue;
      }
      auto pending = opening_.find(ssrc);
      if (pending == opening_.end()) {
        media::VideoSinkOptions vo;
        vo.title = !p->name.empty() ? p->name : fmt::format("confcast {:08x}", ssrc);
        opening_.emplace(ssrc, Opening{std::async(std::launch::async,
                                                  [spec = config_.video_spec, vo] {
                                                    return media::CreateVideoSink(spec, vo);
                                                  }),
                                       now});
        continue;
      }
      Opening& o = pending->second;
      if (o.sink.wait_for(std::chrono::seconds(0)) != std::future_status::ready) continue;
      auto sink = o.sink.get();
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(now - o.since);
      opening_.erase(pending);
      if (sink) spdlog::debug("window for {:08x} open after {} ms", ssrc, took.count());
      if (!sink) {
        spdlog::error("--video-sink {}: {}", config_.video_spec, sink.error().message);
        continue;
      }
      video.AttachSink(sink->get());
      windows_[ssrc] = std::move(*sink);
      attached.push_back(ssrc);
    } else if (single_ && !single_owner_ && !passed_over_.count(ssrc)) {
      single_owner_ = ssrc;
      single_since_ = now;
      video.AttachSink(single_.get());
      video.AttachRecording(video_recording_);
      attached.push_back(ssrc);
      spdlog::debug("showing {:08x}", ssrc);
    }
  }
  return attached;
}

std::vector<std::uint32_t> Sinks::Reconsider(Streams& streams, const Lookup& who,
                                             rtp::Timestamp now) {
  if (!single_owner_ || !config_.participant.empty()) return {};
  auto owner = streams.find(*single_owner_);
  if (owner == streams.end() || owner->second->figures().frames_rendered > 0) return {};
  if (now - single_since_ < std::chrono::seconds(3)) return {};
  const bool other = std::any_of(streams.begin(), streams.end(), [&](const auto& kv) {
    return kv.second->kind() == MediaKind::kVideo && kv.first != *single_owner_ &&
           !passed_over_.count(kv.first);
  });
  if (!other) return {};
  spdlog::info("{:08x} showed nothing in 3 s; showing another participant", *single_owner_);
  passed_over_.insert(*single_owner_);
  static_cast<VideoStream&>(*owner->second).AttachSink(nullptr);
  static_cast<VideoStream&>(*owner->second).AttachRecording(nullptr);
  single_owner_.reset();
  if (audio_owner_ && audio_recording_ && audio_recording_ == video_recording_) {
    // The file's audio follows its video to the next participant.
    if (auto a = streams.find(*audio_owner_); a != streams.end()) {
      static_cast<AudioStream&>(*a->second).AttachSink(nullptr);
      static_cast<AudioStream&>(*a->second).AttachRecording(nullptr);
    }
    audio_owner_.reset();
  }
  return Attach(streams, who, now);
}

void Sinks::Forget(std::uint32_t ssrc) {
  // The stream is gone (its decode worker stopped) before its window closes.
  windows_.erase(ssrc);
  opening_.erase(ssrc);
  passed_over_.erase(ssrc);
  if (single_owner_ == ssrc) single_owner_.reset();
  if (audio_owner_ == ssrc) audio_owner_.reset();
}

void Sinks::Close() {
  if (std::exchange(closed_, true)) return;
  if (single_) (void)single_->Close();
  for (auto& [ssrc, w] : windows_) (void)w->Close();
  for (auto& r : recordings_) r->Close();
}

}  // namespace confcast::receiver

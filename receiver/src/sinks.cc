#include "sinks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "audio_stream.h"
#include "video_stream.h"

namespace confcast::receiver {

std::expected<std::unique_ptr<Sinks>, std::string> Sinks::Open(const SinkConfig& config) {
  std::unique_ptr<Sinks> s(new Sinks(config));
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
  for (auto& [ssrc, stream] : streams) {
    if (stream->has_sink()) continue;
    const std::optional<SinkCandidate> p = who(ssrc);
    if (!p || !Chosen(ssrc, *p)) continue;
    if (stream->kind() == MediaKind::kAudio) {
      if (audio_ && !audio_owner_) {
        audio_owner_ = ssrc;
        static_cast<AudioStream&>(*stream).AttachSink(audio_.get());
      }
      continue;
    }
    auto& video = static_cast<VideoStream&>(*stream);
    if (windowed_) {
      if (p->name.empty() && now - p->first_heard < std::chrono::seconds(1)) continue;
      auto pending = opening_.find(ssrc);
      if (pending == opening_.end()) {
        media::VideoSinkOptions vo;
        vo.title = !p->name.empty() ? p->name : fmt::format("confcast {:08x}", ssrc);
        opening_.emplace(ssrc, std::async(std::launch::async, [spec = config_.video_spec, vo] {
                           return media::CreateVideoSink(spec, vo);
                         }));
        continue;
      }
      if (pending->second.wait_for(std::chrono::seconds(0)) != std::future_status::ready) continue;
      auto sink = pending->second.get();
      opening_.erase(pending);
      if (!sink) {
        std::fprintf(stderr, "confcast-recv: --video-sink %s: %s\n", config_.video_spec.c_str(),
                     sink.error().message.c_str());
        continue;
      }
      video.AttachSink(sink->get());
      windows_[ssrc] = std::move(*sink);
      attached.push_back(ssrc);
    } else if (single_ && !single_owner_ && !passed_over_.count(ssrc)) {
      single_owner_ = ssrc;
      single_since_ = now;
      video.AttachSink(single_.get());
      attached.push_back(ssrc);
      if (config_.verbose) std::fprintf(stderr, "confcast-recv: showing %08x\n", ssrc);
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
  std::fprintf(stderr, "confcast-recv: %08x showed nothing in 3 s; showing another participant\n",
               *single_owner_);
  passed_over_.insert(*single_owner_);
  static_cast<VideoStream&>(*owner->second).AttachSink(nullptr);
  single_owner_.reset();
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
  if (single_) (void)single_->Close();
  for (auto& [ssrc, w] : windows_) (void)w->Close();
}

}  // namespace confcast::receiver

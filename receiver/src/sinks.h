// Where each received stream is shown or played, and which stream gets a sink that shows one
// participant (y4m, png, null, record) when there are several.
//
//   window: every video participant in a window of its own, titled with its SDES NAME (waited
//           for up to a second after its first packet). Opening a window (a GStreamer pipeline,
//           an X connection) takes long enough to stall the event loop, so it happens on a
//           thread of its own and the sink is attached once it is ready.
//   other video sinks: one participant, the chosen one (--participant NAME|CNAME|SSRC) or the
//           first heard. If that one has shown nothing for 3 s while another is there (a stream
//           that only looks like ours came first), the sink moves on and never comes back to
//           it, so a foreign source cannot hold the screen.
//   audio: one participant's audio, the chosen one or the first heard.
//   record:PATH.mkv (recording.h): the video sink's participant (chosen like the other
//           single-stream sinks) has its encoded video written to PATH, decoded into a null
//           sink meanwhile so the figures go on; its audio follows into the same file unless
//           --audio-sink names another sink (record:OTHER.mkv: a file of its own). When both
//           share a file, the audio recorded is the first heard whose CNAME is not known to
//           differ from the video participant's.
//           A participant that leaves and comes back (new SSRC, sender restart) goes on in the
//           same file; the outage is a gap in its timeline.
#pragma once

#include <confcast/media/sink.h>
#include <confcast/rtp/time.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "receive_stream.h"
#include "recording.h"

namespace confcast::receiver {

using Streams = std::map<std::uint32_t, std::unique_ptr<ReceiveStream>>;

// What the sink choice needs to know about a participant.
struct SinkCandidate {
  std::string name, cname;
  rtp::Timestamp first_heard{0};  // monotonic
};

struct SinkConfig {
  std::string video_spec;  // --video-sink, resolved (window or null by default)
  std::string audio_spec;  // --audio-sink, resolved
  bool audio_follows_video = true;  // no --audio-sink given
  int audio_channels = 1;
  std::string participant;  // --participant
  bool have_video = true, have_audio = true;
};

class Sinks {
 public:
  // Opens the single-stream sinks (the windows open as participants come). The error names
  // the option and what is wrong with it.
  static std::expected<std::unique_ptr<Sinks>, std::string> Open(const SinkConfig& config);
  ~Sinks();

  using Lookup = std::function<std::optional<SinkCandidate>(std::uint32_t ssrc)>;
  // Gives a sink to every stream that should have one and does not. Returns the video SSRCs
  // that got a sink now: they need a keyframe.
  std::vector<std::uint32_t> Attach(Streams& streams, const Lookup& who,
                                    rtp::Timestamp now);
  // The single video sink moves on from a participant that shows nothing (see above).
  std::vector<std::uint32_t> Reconsider(Streams& streams, const Lookup& who,
                                        rtp::Timestamp now);
  // A stream leaves: its window closes, a single sink it held is free again.
  void Forget(std::uint32_t ssrc);
  bool windowed() const { return windowed_; }
  // Windows still being opened, or waiting for their participant's NAME: Attach again soon
  // (the event loop does every 20 ms), so a window comes up when it is ready, not a second on.
  bool pending() const { return !opening_.empty() || awaiting_name_; }
  // Finishes every output (files flushed). Streams must not render any more.
  void Close();

 private:
  explicit Sinks(const SinkConfig& config) : config_(config) {}
  bool Chosen(std::uint32_t ssrc, const SinkCandidate& who) const;

  SinkConfig config_;
  bool windowed_ = false;
  bool closed_ = false;
  std::unique_ptr<media::VideoSink> single_;
  std::optional<std::uint32_t> single_owner_;
  rtp::Timestamp single_since_{0};
  std::set<std::uint32_t> passed_over_;  // held the single sink and showed nothing
  std::map<std::uint32_t, std::unique_ptr<media::VideoSink>> windows_;
  using SinkResult = std::expected<std::unique_ptr<media::VideoSink>, media::MediaError>;
  struct Opening {
    std::future<SinkResult> sink;
    rtp::Timestamp since;  // steady time the open started
  };
  std::map<std::uint32_t, Opening> opening_;  // windows being opened
  bool awaiting_name_ = false;  // the last Attach left a window waiting for a NAME
  std::unique_ptr<media::AudioSink> audio_;
  std::optional<std::uint32_t> audio_owner_;
  std::vector<std::unique_ptr<Recording>> recordings_;
  Recording* video_recording_ = nullptr;  // given with the single video sink
  Recording* audio_recording_ = nullptr;  // given with the audio sink; may be the same file
};

}  // namespace confcast::receiver

// GStreamer plumbing shared by sources and sinks (private to confcast_media): one-time init,
// a pipeline owner that starts with a deadline and turns bus errors into MediaError, sample
// to frame conversion, the capture time of a buffer, and the shared timeline of file sources.
//
// Shared timeline (lip sync of file sources): `--video file:X --audio file:X` runs two
// pipelines, created one after the other. Left alone, each takes its own base time when it
// reaches PLAYING, so running time t of the video and running time t of the audio are two
// different instants (the second pipeline's start, tens of ms later), and the capture times
// CaptureTime derives from them (wall time of base + running time) put the tone that far from
// its flash. A pipeline that joins the shared timeline uses the system clock and the base time
// that the first pipeline to join set, 500 ms ahead so that the others are ready by then
// (start-time NONE, so PLAYING does not pick a new one):
// running time t is the same instant in every joined pipeline, the appsinks (sync=true) release
// a buffer when its running time comes on that one clock (a pipeline that started late
// catches up at once), and capture times keep the file's own sync. The base stays while any
// joined pipeline lives; the next pipeline after the last one is gone starts a new timeline.
// Looping (Rewind) moves a joined pipeline's base on by the file's duration, the same for the
// video and the audio of one file, so they stay aligned loop after loop.
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "confcast/media/frame.h"

namespace confcast::media::gst {

void EnsureInit();
bool ElementExists(const char* factory);

class Pipeline {
 public:
  Pipeline() = default;
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Parses a gst-launch description. `what` names the user's spec in errors.
  static std::expected<std::unique_ptr<Pipeline>, MediaError> Launch(const std::string& description,
                                                                     std::string what);
  GstElement* Get(const char* name) const;  // borrowed
  GstElement* pipeline() const noexcept { return pipeline_; }
  // Sets PLAYING and waits up to `timeout` for it, failing with the first bus error. Devices
  // open in the NULL->READY change, which is synchronous, so sinks (which preroll only when the
  // first buffer comes) pass 0 and still see a missing device.
  std::expected<void, MediaError> Start(std::chrono::milliseconds timeout);
  // Puts this pipeline on the process's shared timeline (see the top); call before Start.
  void JoinSharedTimeline();
  // Plays again from the start (--loop). On the shared timeline the base time moves on by the
  // file's duration, so running time continues where it ended. False if the seek failed.
  bool Rewind();
  // The first error posted on the bus since the last call, if any; EOS is reported separately.
  std::optional<MediaError> PollError();
  // A sink posts a LATENCY message when its latency becomes known (an audio sink once its
  // device is open and the format set); the pipeline then has to be told to recompute what it
  // waits for, or a live pipeline keeps the figure it took at start. Does that for every such
  // message since the last call.
  void UpdateLatency();
  // The pipeline's latency (GStreamer latency query, its minimum): how long after a buffer is
  // stamped its sinks render it. None while it is not known.
  std::optional<rtp::Duration> Latency() const;
  // Wall-clock capture time of a sample: the buffer's running time against the pipeline clock
  // tells how long ago it was captured.
  rtp::Timestamp CaptureTime(GstSample* sample) const;
  const std::string& what() const noexcept { return what_; }

 private:
  GstElement* pipeline_ = nullptr;
  std::string what_;
  bool shared_ = false;
};

// Copies an I420 sample (any strides) into a tightly packed VideoFrame.
std::expected<VideoFrame, MediaError> VideoFrameFromSample(GstSample* sample);

}  // namespace confcast::media::gst

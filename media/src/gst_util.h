// GStreamer plumbing shared by sources and sinks (private to confcast_media): one-time init,
// a pipeline owner that starts with a deadline and turns bus errors into MediaError, sample
// to frame conversion and the capture time of a buffer.
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
  // The first error posted on the bus since the last call, if any; EOS is reported separately.
  std::optional<MediaError> PollError();
  // Wall-clock capture time of a sample: the buffer's running time against the pipeline clock
  // tells how long ago it was captured.
  rtp::Timestamp CaptureTime(GstSample* sample) const;
  const std::string& what() const noexcept { return what_; }

 private:
  GstElement* pipeline_ = nullptr;
  std::string what_;
};

// Copies an I420 sample (any strides) into a tightly packed VideoFrame.
std::expected<VideoFrame, MediaError> VideoFrameFromSample(GstSample* sample);

}  // namespace confcast::media::gst

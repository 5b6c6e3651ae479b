// Capture devices, as GStreamer's device monitor (GstDeviceMonitor, classes Video/Source and
// Audio/Source) finds them, each with the source spec CreateVideoSource / CreateAudioSource
// opens it with: what `confcast-send --list-devices` prints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace confcast::media {

enum class DeviceKind { kVideo, kAudio };

struct CaptureDevice {
  DeviceKind kind = DeviceKind::kVideo;
  std::string name;     // display name as the system reports it: untrusted, make it safe to print
  std::string element;  // the GStreamer element that captures it: v4l2src, pulsesrc, alsasrc, ...
  std::string device;   // that element's "device" property: /dev/video0, a Pulse source, hw:0
  std::string spec;     // the --video / --audio value; empty when no confcast source opens it
};

// Every video and audio capture device the monitor's providers report (v4l2, PulseAudio or
// ALSA, ...), video first, each kind sorted by spec. Empty when there are none.
std::vector<CaptureDevice> ListCaptureDevices();

// The source spec for a device that `element` captures from `device` (see source.h):
// v4l2src -> "v4l2:DEVICE", pulsesrc -> "pulse:DEVICE", alsasrc -> "alsa:DEVICE"; "" for an
// element confcast has no source for, or no device.
std::string SourceSpecFor(std::string_view element, std::string_view device);

}  // namespace confcast::media

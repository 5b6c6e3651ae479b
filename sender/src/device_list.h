// confcast-send --list-devices: the capture devices GStreamer finds, each with the exact
// --video / --audio value that opens it.
#pragma once

#include <confcast/media/device_monitor.h>

#include <string>
#include <vector>

namespace confcast::sender {

// One heading per kind, then a line per device ("  --video v4l2:/dev/video0   NAME"), or a
// "none found" line naming what to use instead. Device names (and any value that would not
// print as it is) pass through rtp::SafeText: they are text from outside. Values with
// characters a shell would read are single-quoted.
std::string FormatCaptureDevices(const std::vector<media::CaptureDevice>& devices);

// Lists the devices on stdout; the exit code (0).
int PrintCaptureDevices();

}  // namespace confcast::sender

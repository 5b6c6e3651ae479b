// confcast-send --list-devices: what it prints for the devices the monitor reports (made-up
// lists here; tests/sender/list_devices_test.sh runs the real program on this machine).
#include <confcast/media/device_monitor.h>
#include <gtest/gtest.h>

#include "device_list.h"

namespace confcast::sender {
namespace {

using media::CaptureDevice;
using media::DeviceKind;

TEST(ListDevices, NoneFoundIsOneLinePerKindWithWhatToUseInstead) {
  const std::string text = FormatCaptureDevices({});
  EXPECT_EQ(text,
            "video capture devices:\n"
            "  none found (--video test sends a test pattern, --video screen the X11 screen)\n"
            "audio capture devices:\n"
            "  none found (--audio test sends a tone, --audio none no audio)\n");
}

TEST(ListDevices, EachDeviceWithTheValueThatOpensIt) {
  const std::vector<CaptureDevice> devices = {
      {DeviceKind::kVideo, "Integrated Camera", "v4l2src", "/dev/video0",
       media::SourceSpecFor("v4l2src", "/dev/video0")},
      {DeviceKind::kAudio, "Built-in Audio Analog Stereo", "pulsesrc",
       "alsa_input.pci-0000_00_1f.3.analog-stereo",
       media::SourceSpecFor("pulsesrc", "alsa_input.pci-0000_00_1f.3.analog-stereo")},
      {DeviceKind::kAudio, "HDA Intel PCH", "alsasrc", "hw:0", media::SourceSpecFor("alsasrc", "hw:0")},
  };
  const std::string text = FormatCaptureDevices(devices);
  EXPECT_NE(text.find("\n  --video v4l2:/dev/video0 "), std::string::npos) << text;
  EXPECT_NE(text.find(" Integrated Camera\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  --audio pulse:alsa_input.pci-0000_00_1f.3.analog-stereo "), std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  --audio alsa:hw:0 "), std::string::npos) << text;
  EXPECT_EQ(text.find("none found"), std::string::npos) << text;
}

TEST(ListDevices, SpecsFollowWhatTheSourcesAccept) {
  EXPECT_EQ(media::SourceSpecFor("v4l2src", "/dev/video2"), "v4l2:/dev/video2");
  EXPECT_EQ(media::SourceSpecFor("pulsesrc", "mic"), "pulse:mic");
  EXPECT_EQ(media::SourceSpecFor("alsasrc", "hw:1,0"), "alsa:hw:1,0");
  EXPECT_EQ(media::SourceSpecFor("uvch264src", "/dev/video0"), "");  // no confcast source
  EXPECT_EQ(media::SourceSpecFor("v4l2src", ""), "");
}

TEST(ListDevices, NamesAreMadeSafeAndOddValuesQuotedOrRefused) {
  const std::vector<CaptureDevice> devices = {
      {DeviceKind::kVideo, "Cam\x1b]0;owned\x07\xe2\x80\xae", "v4l2src", "/dev/video0",
       "v4l2:/dev/video0"},
      {DeviceKind::kAudio, "USB mic", "pulsesrc", "my mic's", "pulse:my mic's"},
      {DeviceKind::kAudio, "Evil", "pulsesrc", "x\x1b[31m", "pulse:x\x1b[31m"},
      {DeviceKind::kVideo, "Decklink", "decklinkvideosrc", "", ""},
  };
  const std::string text = FormatCaptureDevices(devices);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xe2\x80\xae"), std::string::npos) << text;  // right-to-left override
  EXPECT_NE(text.find("Cam\xef\xbf\xbd"), std::string::npos) << text;
  EXPECT_NE(text.find("--audio 'pulse:my mic'\\''s' "), std::string::npos) << text;
  // A value with control characters cannot be typed as shown: not offered as one.
  EXPECT_NE(text.find("(Evil: its --audio value holds control characters or invalid text)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(Decklink: through decklinkvideosrc, which confcast-send cannot capture from)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace confcast::sender

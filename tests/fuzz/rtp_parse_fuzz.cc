// RTP parse round trip: anything that parses must serialize back to something that parses
// to the same packet. Memory errors are caught by ASan; logic drift by the abort.
#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/packet.h>

#include <cstdlib>

using namespace confcast::rtp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = ParseRtp(Bytes(data, size));
  if (!parsed) return 0;
  parsed->ForEachExtension([](const ExtensionView& e) { (void)ParseAbsCaptureTime(e.data); });
  const RtpPacket packet = ToPacket(*parsed);
  const std::vector<std::uint8_t> wire = Serialize(packet);
  if (wire.size() != SerializedSize(packet)) std::abort();
  const auto again = ParseRtp(wire);
  if (!again || ToPacket(*again) != packet) std::abort();
  return 0;
}

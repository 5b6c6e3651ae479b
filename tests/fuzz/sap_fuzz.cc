// libFuzzer target for SAP (RFC 2974): parse; when the input parses, serialize the owning
// packet, parse again and abort unless both parses give the same packet. Every input also goes
// through a session directory, which must never crash whatever the payload.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "confcast/rtp/sap.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  confcast::rtp::SapDirectory directory;
  (void)directory.OnDatagram(input, confcast::rtp::Timestamp{1});
  (void)directory.OnDatagram(input, confcast::rtp::Timestamp{2});
  (void)directory.Expire(confcast::rtp::Timestamp{1'000'000'000'000});
  const auto first = confcast::rtp::ParseSap(input);
  if (!first) return 0;
  const confcast::rtp::SapPacket packet = confcast::rtp::ToPacket(*first);
  const auto wire = confcast::rtp::Serialize(packet);
  if (!wire) std::abort();  // whatever parses must serialize
  const auto second = confcast::rtp::ParseSap(*wire);
  if (!second || !(confcast::rtp::ToPacket(*second) == packet)) std::abort();
  return 0;
}

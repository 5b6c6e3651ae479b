// rtp-embed: builds an RTP packet with confcast-rtp, parses it back and prints its header, as
// a check that the installed library, its headers and its package files work together.
// Exits 0 when the parsed header matches the one built.
#include <confcast/rtp/packet.h>

#include <cstdio>

int main() {
  using namespace confcast::rtp;
  RtpPacket p;
  p.marker = true;
  p.payload_type = 96;
  p.sequence_number = 65535;
  p.timestamp = 90000;
  p.ssrc = 0x1234abcd;
  p.payload = {0x65, 0x88, 0x84};
  const std::vector<std::uint8_t> wire = Serialize(p);
  const auto view = ParseRtp(wire);
  if (!view) {
    std::fprintf(stderr, "rtp-embed: parse failed: %.*s\n", int(Describe(view.error()).size()),
                 Describe(view.error()).data());
    return 1;
  }
  std::printf("rtp-embed: %zu bytes, pt %u seq %u ts %u ssrc %08x marker %d\n", wire.size(),
              unsigned(view->payload_type), unsigned(view->sequence_number),
              unsigned(view->timestamp), unsigned(view->ssrc), int(view->marker));
  return ToPacket(*view) == p ? 0 : 1;
}

// FlexFEC (RFC 8627): the header parser round trip, and the decoder fed arbitrary datagrams.
// The input is split into datagrams at 0xA5 0x5A markers; each goes to the parser, and to the
// decoder as repair when its payload type is 98, as media otherwise.
#include <confcast/rtp/flexfec.h>

#include <cstdlib>
#include <vector>

using namespace confcast::rtp;

namespace {

void RoundTrip(Bytes d) {
  const auto parsed = ParseFlexFec(d);
  if (!parsed) return;
  const FlexFecPacket packet = ToPacket(*parsed);
  const std::vector<std::uint8_t> wire = Serialize(packet);
  if (wire.size() != SerializedSize(packet)) std::abort();
  const auto again = ParseFlexFec(wire);
  if (!again || ToPacket(*again) != packet) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes all(data, size);
  std::vector<Bytes> datagrams;
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < size; ++i) {
    if (data[i] == 0xA5 && data[i + 1] == 0x5A) {
      datagrams.push_back(all.subspan(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  datagrams.push_back(all.subspan(start));
  // The protected SSRC is whatever the first repair-looking datagram names, so the decoder
  // gets to do real work on crafted inputs.
  std::uint32_t ssrc = 0x11223344;
  for (Bytes d : datagrams) {
    if (auto v = ParseFlexFec(d); v && !v->header.streams.empty()) {
      ssrc = v->header.streams[0].ssrc;
      break;
    }
  }
  FlexFecDecoder decoder({ssrc, 64, 16});
  for (Bytes d : datagrams) {
    RoundTrip(d);
    const bool repair = d.size() > 1 && (d[1] & 0x7F) == kFlexFecPayloadType;
    const FecDecodeResult r = repair ? decoder.OnRepair(d) : decoder.OnMedia(d);
    for (const auto& p : r.recovered) {
      if (!ParseRtp(p)) std::abort();  // the decoder only ever returns valid RTP
    }
    if (decoder.repair_packets_held() > 16) std::abort();
  }
  return 0;
}

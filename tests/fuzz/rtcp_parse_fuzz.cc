// Fuzz target for the RTCP codec. Every input goes through the view parser in both modes and,
// when it parses, through the typed views. Inputs that parse strictly are turned into values,
// serialized, parsed again and compared: the value model is exact (padding, SDES/BYE trailing
// bytes and the FIR media SSRC are the only things dropped, and values do not hold them), so
// any difference, or a value that fails to serialize, is a bug and aborts.
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "confcast/rtp/rtcp.h"

namespace {

using namespace confcast::rtp;

void WalkViews(const RtcpCompoundView& compound) {
  for (RtcpPacketView p : compound) {
    auto typed = ParseRtcpView(p);
    if (!typed) std::abort();  // a validated compound must not fail here
    if (const auto* sdes = std::get_if<SdesView>(&*typed)) {
      SdesChunkCursor chunks = sdes->Chunks();
      std::size_t n = 0;
      while (auto chunk = chunks.Next()) {
        SdesItemCursor items = chunk->Items();
        while (items.Next()) {
        }
        ++n;
      }
      if (n != sdes->chunk_count) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input(data, size);
  if (auto lenient = ParseRtcpCompound(input, {.strict = false})) WalkViews(*lenient);
  auto strict = ParseRtcpCompound(input, {.strict = true});
  if (!strict) return 0;
  WalkViews(*strict);

  auto values = ParseRtcp(input);
  if (!values) std::abort();  // the view parser accepted it
  auto bytes = Serialize(*values);
  if (!bytes) std::abort();
  if (bytes->size() > size) std::abort();  // re-encoding never grows
  auto again = ParseRtcp(*bytes);
  if (!again || *again != *values) std::abort();
  auto bytes_again = Serialize(*again);
  if (!bytes_again || *bytes_again != *bytes) std::abort();
  return 0;
}

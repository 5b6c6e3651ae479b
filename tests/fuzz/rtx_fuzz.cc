// RTX parse/restore/rebuild round trip (RFC 4588): whatever parses as RTX must restore to an RTP
// packet with the OSN as its sequence number, and rebuilding the RTX from that original must
// give back the input (minus padding, which RTX never carries).
#include <confcast/rtp/rtx.h>

#include <algorithm>
#include <cstdlib>

using namespace confcast::rtp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input(data, size);
  const auto rtx = ParseRtx(input);
  if (!rtx) return 0;
  RtxAptMap apt;
  apt.Set(rtx->rtp.payload_type, 96);
  const auto restored = RestoreOriginal(*rtx, apt, 0x01020304);
  if (!restored || restored->size() != RestoredSize(*rtx)) std::abort();
  const auto original = ParseRtp(*restored);
  if (!original || original->sequence_number != rtx->osn || original->payload_type != 96 ||
      original->ssrc != 0x01020304 || original->timestamp != rtx->rtp.timestamp ||
      original->marker != rtx->rtp.marker ||
      !std::equal(original->payload.begin(), original->payload.end(), rtx->original_payload.begin(),
                  rtx->original_payload.end())) {
    std::abort();
  }
  const std::vector<std::uint8_t> again =
      BuildRtx(*original, {rtx->rtp.ssrc, rtx->rtp.payload_type, rtx->rtp.sequence_number});
  const std::size_t unpadded = size - rtx->rtp.padding_size;
  if (again.size() != unpadded || !std::equal(again.begin() + 1, again.end(), data + 1) ||
      (again[0] != (data[0] & ~0x20))) {
    std::abort();
  }
  return 0;
}

// Fuzzes the H.264 depacketizer and the packetizer round trip.
//
// 1. The input is read as records [2-byte big-endian length][flags][payload] fed to the
//    depacketizer; flags bit 0 is the marker, bits 1-2 step the sequence number (+1, +2 = a
//    loss, +0 = a duplicate, -1 = reordered), bit 3 moves the timestamp on. Every access unit
//    it emits must respect the size cap and its own flags.
// 2. The same input is read as Annex-B, packetized with a payload size taken from its first
//    byte, and depacketized: the result must be exactly the input's NAL units.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/bytes.h"
#include "confcast/rtp/h264_depacketizer.h"
#include "confcast/rtp/h264_packetizer.h"

namespace {

using namespace confcast::rtp;

constexpr std::size_t kCap = 64 * 1024;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckAccessUnit(const AccessUnit& au) {
  Check(au.annexb.size() <= kCap);
  Check(au.complete == (au.damage == AuDamage::kNone));
  Check(!au.decodable_start || (au.complete && au.has_idr));
  if (!au.annexb.empty()) Check(ReadU32(au.annexb, 0) == 1);
}

void FuzzRecords(std::span<const std::uint8_t> in) {
  H264Depacketizer d(kCap);
  std::uint16_t seq = 0xfff0;
  std::uint32_t ts = 0;
  std::size_t at = 0;
  while (in.size() - at >= 3) {
    const std::size_t length = ReadU16(in, at);
    const std::uint8_t flags = in[at + 2];
    at += 3;
    const auto payload = in.subspan(at, std::min(length, in.size() - at));
    at += payload.size();
    static constexpr int kSeqStep[] = {1, 2, 0, -1};
    seq = static_cast<std::uint16_t>(seq + kSeqStep[(flags >> 1) & 3]);
    if (flags & 0x08) ts += 3000;
    const auto r = d.Push(payload, seq, ts, (flags & 1) != 0);
    for (const auto& au : r.access_units) CheckAccessUnit(au);
  }
  if (const auto au = d.Flush()) CheckAccessUnit(*au);
}

void FuzzRoundTrip(std::span<const std::uint8_t> in) {
  if (in.empty()) return;
  const std::size_t max_payload = 3 + in[0] * 6u;
  std::vector<std::span<const std::uint8_t>> expected;
  for (const auto nal : SplitAnnexB(in)) {
    const std::uint8_t type = NalTypeBits(nal[0]);
    if (type != 0 && type < 24 && type != static_cast<std::uint8_t>(NalType::kAud)) {
      expected.push_back(nal);
    }
  }
  H264Packetizer p(in, max_payload);
  H264Depacketizer d(kCap);
  std::vector<std::uint8_t> buffer(max_payload);
  std::vector<AccessUnit> aus;
  std::uint16_t seq = 65500;
  while (const auto info = p.NextInto(buffer)) {
    Check(info->size <= max_payload);
    auto r = d.Push(std::span(buffer).first(info->size), seq++, 1234, info->last_of_access_unit);
    Check(r.status == PacketStatus::kAccepted);
    for (auto& au : r.access_units) aus.push_back(std::move(au));
  }
  const auto want = JoinAnnexB(expected);
  if (expected.empty() || want.size() > kCap) return;
  Check(aus.size() == 1);
  Check(aus[0].complete && aus[0].ended_by_marker);
  Check(aus[0].annexb == want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  FuzzRecords(in);
  FuzzRoundTrip(in);
  return 0;
}

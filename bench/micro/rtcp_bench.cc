// RTCP codec microbenchmarks: the typical compound a sender emits every interval (SR with one
// report block + SDES with CNAME and NAME), built and serialized into a reused buffer, and
// parsed back both through the allocation-free views and into owning values.
#include <benchmark/benchmark.h>

#include <vector>

#include "confcast/rtp/rtcp.h"

namespace {

using namespace confcast::rtp;

RtcpCompound TypicalCompound(std::uint32_t i) {
  return {
      SenderReport{0x12345678,
                   NtpTime{0xe65b2c8040000000ull + i},
                   90000 + i,
                   1000 + i,
                   1200000 + i,
                   {ReportBlock{0xdeadbeef, 3, 12, 0x10010 + i, 40, 0x5b2c8000, 0x18000}},
                   {}},
      Sdes{{SdesChunk{0x12345678, {{1, "alice@192.168.1.20"}, {2, "Alice"}}}}},
  };
}

void BM_RtcpBuildSerialize(benchmark::State& state) {
  std::vector<std::uint8_t> buffer(1500);
  std::size_t bytes = 0;
  std::uint32_t i = 0;
  for (auto _ : state) {
    const RtcpCompound compound = TypicalCompound(i++);
    auto n = SerializeTo(std::span<const RtcpPacket>(compound), buffer);
    benchmark::DoNotOptimize(n);
    bytes += n.value_or(0);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RtcpBuildSerialize);

// Validate the compound and read every field through the views: no allocation.
void BM_RtcpParseViews(benchmark::State& state) {
  const std::vector<std::uint8_t> wire = *Serialize(TypicalCompound(0));
  for (auto _ : state) {
    auto compound = ParseRtcpCompound(wire);
    if (!compound) state.SkipWithError("parse failed");
    std::uint64_t sum = 0;
    for (RtcpPacketView p : *compound) {
      auto typed = ParseRtcpView(p);
      if (const auto* sr = std::get_if<SenderReportView>(&*typed)) {
        sum += sr->ntp.value + sr->rtp_timestamp;
        for (ReportBlock b : sr->report_blocks) sum += b.extended_highest_seq;
      } else if (const auto* sdes = std::get_if<SdesView>(&*typed)) {
        SdesChunkCursor chunks = sdes->Chunks();
        while (auto c = chunks.Next()) {
          if (auto cname = c->Find(SdesType::kCname)) sum += cname->size();
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_RtcpParseViews);

// The allocating convenience path: owning values for every packet.
void BM_RtcpParseValues(benchmark::State& state) {
  const std::vector<std::uint8_t> wire = *Serialize(TypicalCompound(0));
  for (auto _ : state) {
    auto values = ParseRtcp(wire);
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_RtcpParseValues);

}  // namespace

// Receive statistics and RTCP interval costs per call: OnPacket runs for every received RTP
// packet, so it must stay far below the per-packet budget (a 20 Mbit/s stream is ~2000 pkt/s).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "confcast/rtp/receive_stats.h"
#include "confcast/rtp/rtcp_interval.h"

namespace confcast::rtp {
namespace {

void BM_ReceiveStatsOnPacket(benchmark::State& state) {
  ReceiveStatistics stats(0x1234, 90000);
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::int64_t arrival_us = 0;
  constexpr std::size_t kPayloadBytes = 1200;
  for (auto _ : state) {
    // 1% loss and a little arrival jitter, so every branch of the hot path runs.
    seq = static_cast<std::uint16_t>(seq + ((seq % 100) == 0 ? 2 : 1));
    ts += 3000;
    arrival_us += 33'333 + (seq % 7) * 100;
    benchmark::DoNotOptimize(stats.OnPacket(seq, ts, Timestamp{arrival_us}, kPayloadBytes));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayloadBytes));
}
BENCHMARK(BM_ReceiveStatsOnPacket);

void BM_ReceiveStatsMakeReportBlock(benchmark::State& state) {
  ReceiveStatistics stats(0x1234, 90000);
  for (std::uint16_t s = 0; s < 100; ++s) {
    (void)stats.OnPacket(s, s * 3000u, Timestamp{s * 33'333}, 1200);
  }
  stats.OnSenderReport(NtpTime{0xABCD0000'00000000ull}, Timestamp{1'000'000});
  std::int64_t now = 2'000'000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(stats.MakeReportBlock(Timestamp{now++}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReceiveStatsMakeReportBlock);

void BM_ComputeInterval(benchmark::State& state) {
  int members = 1;
  double draw = 0;
  for (auto _ : state) {
    members = members % 1000 + 1;
    draw = draw > 0.99 ? 0 : draw + 0.01;
    benchmark::DoNotOptimize(ComputeInterval(members, members / 8, 12'500, true, 120, false, draw));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComputeInterval);

}  // namespace
}  // namespace confcast::rtp

// FlexFEC (RFC 8627) encode and decode throughput on 1200-byte video packets.
// Run: build/rel/bench/confcast-microbench --benchmark_filter=FlexFec
#include <benchmark/benchmark.h>
#include <confcast/rtp/flexfec.h>

#include <vector>

namespace confcast::rtp {
namespace {

constexpr std::uint32_t kMedia = 0x11223344;

std::vector<std::vector<std::uint8_t>> Packets(std::uint16_t first, int n) {
  std::vector<std::vector<std::uint8_t>> out;
  for (int i = 0; i < n; ++i) {
    RtpPacket p;
    p.payload_type = 96;
    p.sequence_number = static_cast<std::uint16_t>(first + i);
    p.timestamp = 90000;
    p.ssrc = kMedia;
    p.payload.assign(1188, static_cast<std::uint8_t>(i));
    out.push_back(Serialize(p));
  }
  return out;
}

// Media packets protected per second (args: L, D).
void BM_FlexFecEncode(benchmark::State& state) {
  const FecScheme scheme{static_cast<int>(state.range(0)), static_cast<int>(state.range(1))};
  const auto media = Packets(0, 100);
  FlexFecEncoder enc(0xFEC, 0);
  enc.SetScheme(scheme);
  std::vector<std::vector<std::uint8_t>> out;
  std::size_t packets = 0, bytes = 0;
  for (auto _ : state) {
    out.clear();
    for (const auto& m : media) enc.Add(m, out);
    enc.Flush(out);
    benchmark::DoNotOptimize(out.data());
    packets += media.size();
    bytes += media.size() * media[0].size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(packets));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_FlexFecEncode)->Args({5, 1})->Args({10, 1})->Args({5, 5});

// Media packets through the decoder per second, one lost in each row (args: L, D).
void BM_FlexFecDecode(benchmark::State& state) {
  const FecScheme scheme{static_cast<int>(state.range(0)), static_cast<int>(state.range(1))};
  std::size_t packets = 0, bytes = 0, recovered = 0;
  std::uint16_t first = 0;
  FlexFecDecoder dec({kMedia, 512, 128});
  for (auto _ : state) {
    state.PauseTiming();
    const auto media = Packets(first, 100);
    first = static_cast<std::uint16_t>(first + 100);
    FlexFecEncoder enc(0xFEC, 0);
    enc.SetScheme(scheme);
    std::vector<std::vector<std::uint8_t>> fec;
    for (const auto& m : media) enc.Add(m, fec);
    enc.Flush(fec);
    state.ResumeTiming();
    for (std::size_t i = 0; i < media.size(); ++i) {
      if (i % static_cast<std::size_t>(scheme.columns) == 1) continue;  // lost
      recovered += dec.OnMedia(media[i]).recovered.size();
    }
    for (const auto& f : fec) recovered += dec.OnRepair(f).recovered.size();
    packets += media.size();
    bytes += media.size() * media[0].size();
  }
  state.counters["recovered_per_iter"] =
      benchmark::Counter(static_cast<double>(recovered), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(static_cast<std::int64_t>(packets));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_FlexFecDecode)->Args({5, 1})->Args({10, 1})->Args({5, 5});

}  // namespace
}  // namespace confcast::rtp

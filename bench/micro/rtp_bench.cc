// RTP parse and serialize throughput. Run: build-rel/bench/confcast-microbench --benchmark_filter=Rtp
#include <benchmark/benchmark.h>
#include <confcast/rtp/abs_capture_time.h>
#include <confcast/rtp/packet.h>

#include <vector>

namespace confcast::rtp {
namespace {

RtpPacket TypicalVideoPacket() {
  RtpPacket p;
  p.marker = false;
  p.payload_type = 96;
  p.sequence_number = 4242;
  p.timestamp = 90000;
  p.ssrc = 0x11223344;
  std::uint8_t ext[16];
  const AbsCaptureTime t{NtpFromUnixMicros(1'700'000'000'000'000), std::nullopt};
  p.SetExtension(1, std::span<const std::uint8_t>(ext, SerializeTo(t, ext)));
  p.payload.assign(1200, 0x5a);
  return p;
}

void BM_RtpParse(benchmark::State& state) {
  const std::vector<std::uint8_t> wire = Serialize(TypicalVideoPacket());
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto v = ParseRtp(wire);
    benchmark::DoNotOptimize(v);
    bytes += wire.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RtpParse);

void BM_RtpParseAndFindExtension(benchmark::State& state) {
  const std::vector<std::uint8_t> wire = Serialize(TypicalVideoPacket());
  for (auto _ : state) {
    auto v = ParseRtp(wire);
    auto e = v->FindExtension(1);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_RtpParseAndFindExtension);

void BM_RtpSerialize(benchmark::State& state) {
  const RtpPacket p = TypicalVideoPacket();
  std::vector<std::uint8_t> out(SerializedSize(p));
  for (auto _ : state) {
    benchmark::DoNotOptimize(SerializeTo(p, out));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_RtpSerialize);

}  // namespace
}  // namespace confcast::rtp

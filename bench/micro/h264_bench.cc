// H.264 RTP payload format throughput: packetize and depacketize a 1080p-IDR-sized access
// unit (~150 KB: SPS, PPS, SEI and 8 IDR slices) and a ~15 KB P frame at 1200-byte payloads.
// Slice bytes are synthetic and never zero, so they contain no start code emulation.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <span>
#include <vector>

#include "confcast/rtp/annexb.h"
#include "confcast/rtp/h264_depacketizer.h"
#include "confcast/rtp/h264_packetizer.h"

namespace {

using namespace confcast::rtp;

constexpr std::size_t kMaxPayload = 1200;

std::vector<std::uint8_t> Nal(std::uint8_t header, std::size_t size, std::uint32_t& state) {
  std::vector<std::uint8_t> nal(size);
  nal[0] = header;
  for (std::size_t i = 1; i < size; ++i) {
    state = state * 1664525u + 1013904223u;  // LCG: cheap, deterministic filler
    nal[i] = static_cast<std::uint8_t>(1 + (state >> 24) % 255);
  }
  return nal;
}

std::vector<std::uint8_t> AccessUnit(bool idr) {
  std::uint32_t state = idr ? 1 : 2;
  std::vector<std::vector<std::uint8_t>> nals;
  if (idr) {
    nals.push_back(Nal(0x67, 12, state));
    nals.push_back(Nal(0x68, 4, state));
    nals.push_back(Nal(0x06, 24, state));
    for (int i = 0; i < 8; ++i) nals.push_back(Nal(0x65, 18750, state));
  } else {
    nals.push_back(Nal(0x41, 9000, state));
    nals.push_back(Nal(0x41, 6000, state));
  }
  std::vector<std::span<const std::uint8_t>> spans(nals.begin(), nals.end());
  return JoinAnnexB(spans);
}

void Packetize(benchmark::State& state, bool idr) {
  const auto au = AccessUnit(idr);
  std::vector<std::uint8_t> buffer(kMaxPayload);
  std::int64_t packets = 0;
  for (auto _ : state) {
    H264Packetizer p(au, kMaxPayload);
    while (const auto info = p.NextInto(buffer)) {
      benchmark::DoNotOptimize(buffer.data());
      ++packets;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(au.size()));
  state.SetItemsProcessed(packets);
}

struct Packets {
  std::vector<std::uint8_t> bytes;                  // all payloads back to back
  std::vector<std::pair<std::size_t, bool>> sizes;  // size, marker
};

Packets PacketizeAll(std::span<const std::uint8_t> au) {
  Packets out;
  H264Packetizer p(au, kMaxPayload);
  std::vector<std::uint8_t> buffer(kMaxPayload);
  while (const auto info = p.NextInto(buffer)) {
    out.bytes.insert(out.bytes.end(), buffer.begin(), buffer.begin() + info->size);
    out.sizes.emplace_back(info->size, info->last_of_access_unit);
  }
  return out;
}

void Depacketize(benchmark::State& state, bool idr) {
  const auto au = AccessUnit(idr);
  const Packets packets = PacketizeAll(au);
  H264Depacketizer d;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  for (auto _ : state) {
    std::size_t at = 0;
    for (const auto& [size, marker] : packets.sizes) {
      auto r = d.Push(std::span(packets.bytes).subspan(at, size), seq++, ts, marker);
      at += size;
      for (auto& out : r.access_units) {
        if (!out.complete) state.SkipWithError("damaged access unit");
        d.Recycle(std::move(out.annexb));
      }
    }
    ts += 3000;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(au.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(packets.sizes.size()));
}

// The whole path: Annex-B in, payloads, Annex-B out.
void RoundTrip(benchmark::State& state, bool idr) {
  const auto au = AccessUnit(idr);
  std::vector<std::uint8_t> buffer(kMaxPayload);
  H264Depacketizer d;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::int64_t packets = 0;
  for (auto _ : state) {
    H264Packetizer p(au, kMaxPayload);
    while (const auto info = p.NextInto(buffer)) {
      auto r = d.Push(std::span(buffer).first(info->size), seq++, ts, info->last_of_access_unit);
      ++packets;
      for (auto& out : r.access_units) {
        if (out.annexb.size() != au.size()) state.SkipWithError("round trip mismatch");
        d.Recycle(std::move(out.annexb));
      }
    }
    ts += 3000;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(au.size()));
  state.SetItemsProcessed(packets);
}

void SplitAnnexBScan(benchmark::State& state) {
  const auto au = AccessUnit(true);
  for (auto _ : state) {
    AnnexBReader reader(au);
    while (auto nal = reader.Next()) benchmark::DoNotOptimize(nal->data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(au.size()));
}

BENCHMARK_CAPTURE(Packetize, Idr150K, true);
BENCHMARK_CAPTURE(Packetize, P15K, false);
BENCHMARK_CAPTURE(Depacketize, Idr150K, true);
BENCHMARK_CAPTURE(Depacketize, P15K, false);
BENCHMARK_CAPTURE(RoundTrip, Idr150K, true);
BENCHMARK_CAPTURE(RoundTrip, P15K, false);
BENCHMARK(SplitAnnexBScan);

}  // namespace

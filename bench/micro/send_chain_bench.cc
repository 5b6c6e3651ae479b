// The video thread's cost per packet on the way to the socket, before and after the RTX history
// moved behind the SentPacketRing (sender/src/send_chain.h). Run:
//   build/bench/confcast-microbench --benchmark_filter=SendPath
// Before: stamp, then the per-packet lock and the history insert on the media thread (what
// Outlet::Add did through RtxSender::Remember). After: stamp, then a copy into the ring; the
// history insert moves to the event loop (measured separately as SendPath_EventLoopDrain).
// All uncontended: under contention (a NACK being served) the old lock also made the video
// thread wait for the event loop.
#include <benchmark/benchmark.h>

#include <mutex>
#include <vector>

#include "send_chain.h"

namespace confcast::sender {
namespace {

// The transport without the socket: the datagram is handed on, nothing more.
class Discard : public PacketSink {
 public:
  void Write(const Datagram& d) override { benchmark::DoNotOptimize(d.bytes.data()); }
  void Flush() override {}
};

// The old media-thread step: the history insert under RtxSender's former per-packet lock.
class LockedRemember : public ForwardingSink {
 public:
  LockedRemember(RtxSender& rtx, PacketSink& next) : ForwardingSink(next), rtx_(rtx) {}
  void Write(const Datagram& d) override {
    {
      std::lock_guard lock(mutex_);
      rtx_.Remember(d.bytes, d.stamped_at);
    }
    next_.Write(d);
  }

 private:
  RtxSender& rtx_;
  std::mutex mutex_;
};

constexpr int kPacketsPerFrame = 16;
const std::vector<std::uint8_t> kPayload(1200, 0x5a);

RtxSenderConfig Config() {
  RtxSenderConfig c;
  c.media_ssrc = 0x1111;
  c.rtx_ssrc = 0x2222;
  return c;
}

void RunFrames(benchmark::State& state, StampStage& stamp, SentPacketRing* ring, RtxSender* rtx) {
  rtp::Timestamp now{0};
  for (auto _ : state) {
    for (int i = 0; i < kPacketsPerFrame; ++i) {
      (void)stamp.Write(kPayload, i == kPacketsPerFrame - 1, 3000, {}, now);
    }
    stamp.Flush();
    now += rtp::Timestamp{33'000};
    if (ring) {  // the event loop's part, off the clock
      state.PauseTiming();
      (void)DrainInto(*ring, *rtx);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations() * kPacketsPerFrame);
}

void BM_SendPath_Before_LockedHistory(benchmark::State& state) {
  StreamCounters counters;
  rtp::RtpStamper stamper(0x1111, 96, 0);
  RtxSender rtx(Config());
  Discard end;
  LockedRemember history(rtx, end);
  StampStage stamp(stamper, counters, history, 1500);
  RunFrames(state, stamp, nullptr, nullptr);
}
BENCHMARK(BM_SendPath_Before_LockedHistory);

void BM_SendPath_After_Ring(benchmark::State& state) {
  StreamCounters counters;
  rtp::RtpStamper stamper(0x1111, 96, 0);
  RtxSender rtx(Config());
  SentPacketRing ring(2048);
  Discard end;
  HistoryTap history(ring, end);
  StampStage stamp(stamper, counters, history, 1500);
  RunFrames(state, stamp, &ring, &rtx);
}
BENCHMARK(BM_SendPath_After_Ring);

// The event loop's share after the change: the history insert, per packet drained.
void BM_SendPath_EventLoopDrain(benchmark::State& state) {
  RtxSender rtx(Config());
  SentPacketRing ring(2048);
  std::vector<std::uint8_t> d(1212, 0x5a);
  d[0] = 0x80;
  d[1] = 96;
  std::uint16_t seq = 0;
  rtp::Timestamp now{0};
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < kPacketsPerFrame; ++i, ++seq) {
      d[2] = static_cast<std::uint8_t>(seq >> 8);
      d[3] = static_cast<std::uint8_t>(seq);
      (void)ring.Push(d, now);
    }
    now += rtp::Timestamp{33'000};
    state.ResumeTiming();
    benchmark::DoNotOptimize(DrainInto(ring, rtx));
  }
  state.SetItemsProcessed(state.iterations() * kPacketsPerFrame);
}
BENCHMARK(BM_SendPath_EventLoopDrain);

}  // namespace
}  // namespace confcast::sender

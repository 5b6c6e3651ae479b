// Jitter buffer throughput: a 30 fps video stream of 10 packets per frame (1200-byte payloads),
// inserted with fake arrival times and polled whenever the buffer asks to be woken, as the
// receiver's event loop does. Payload buffers are recycled so the figure is the buffer's own
// cost, not malloc's.
// Run: build-rel/bench/confcast-microbench --benchmark_filter=Jitter
#include <benchmark/benchmark.h>
#include <confcast/rtp/audio_jitter_buffer.h>
#include <confcast/rtp/jitter_buffer.h>

#include <utility>
#include <vector>

namespace confcast::rtp {
namespace {

constexpr int kPacketsPerFrame = 10;
constexpr std::size_t kPayload = 1200;

// `reorder`: packets 1 and 2, 5 and 6 of each frame arrive swapped.
void RunVideo(benchmark::State& state, bool reorder) {
  VideoJitterConfig config;
  config.min_delay = Duration{2'000};
  VideoJitterBuffer jb(config);
  std::vector<std::vector<std::uint8_t>> pool(64, std::vector<std::uint8_t>(kPayload, 0x5a));
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::int64_t frame = 0;
  int index = 0;
  std::int64_t frames_out = 0;
  const auto recycle = [&](std::vector<VideoFrame>& frames) {
    for (auto& f : frames) {
      for (auto& p : f.payloads) pool.push_back(std::move(p));
      ++frames_out;
    }
  };
  for (auto _ : state) {
    int i = index;
    if (reorder && index % 4 == 1 && index + 1 < kPacketsPerFrame) i = index + 1;
    if (reorder && index % 4 == 2) i = index - 1;
    VideoPacket p;
    p.seq = static_cast<std::uint16_t>(seq + i);
    p.rtp_ts = ts;
    p.marker = i == kPacketsPerFrame - 1;
    p.keyframe_start = i == 0 && frame % 60 == 0;
    if (pool.empty()) pool.emplace_back(kPayload, 0x5a);
    p.payload = std::move(pool.back());
    pool.pop_back();
    const Timestamp arrival{1'000'000 + frame * 100'000 / 3 + i * 150};
    if (const auto wake = jb.NextWakeup(); wake && *wake <= arrival) {
      PollResult r = jb.Poll(arrival);
      recycle(r.frames);
    }
    InsertResult r = jb.Insert(std::move(p), arrival);
    recycle(r.frames);
    if (++index == kPacketsPerFrame) {
      index = 0;
      ++frame;
      seq = static_cast<std::uint16_t>(seq + kPacketsPerFrame);
      ts += 3000;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayload));
  state.counters["frames_out"] = static_cast<double>(frames_out);
  state.counters["dropped"] = static_cast<double>(jb.stats().frames_dropped);
}

void BM_VideoJitterInsertPoll(benchmark::State& state) {
  RunVideo(state, false);
}
BENCHMARK(BM_VideoJitterInsertPoll);

void BM_VideoJitterInsertPollReordered(benchmark::State& state) {
  RunVideo(state, true);
}
BENCHMARK(BM_VideoJitterInsertPollReordered);

// Opus 20 ms packets of 120 bytes, polled at every wakeup.
void BM_AudioJitterInsertPoll(benchmark::State& state) {
  AudioJitterBuffer jb;
  std::vector<std::vector<std::uint8_t>> pool(8, std::vector<std::uint8_t>(120, 0x11));
  std::int64_t i = 0;
  for (auto _ : state) {
    const Timestamp arrival{1'000'000 + i * 20'000};
    while (const auto wake = jb.NextWakeup()) {
      if (*wake > arrival) break;
      AudioPollResult r = jb.Poll(*wake);
      for (auto& s : r.slots)
        if (!s.payload.empty()) pool.push_back(std::move(s.payload));
    }
    if (pool.empty()) pool.emplace_back(120, 0x11);
    std::vector<std::uint8_t> payload = std::move(pool.back());
    pool.pop_back();
    benchmark::DoNotOptimize(jb.Insert(static_cast<std::uint16_t>(i),
                                       static_cast<std::uint32_t>(i * 960), std::move(payload),
                                       arrival));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AudioJitterInsertPoll);

}  // namespace
}  // namespace confcast::rtp

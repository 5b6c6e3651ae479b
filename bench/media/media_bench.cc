// Codec latency floor: time per frame for H.264 encode and decode at 1280x720 and 1920x1080,
// and Opus encode and decode per 20 ms frame, with confcast's low-latency settings.
//
//   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-rel -j2 --target confcast-media-bench
//   ./build-rel/bench/media/confcast-media-bench [--frames N] [--threads T] [--decoder-threads D]
//
// Prints p50, p99 and mean in milliseconds, plus the average access unit size, and what the
// first frame of a session costs (opening the codecs, the first encode and decode). The synthetic
// picture moves every frame (a gradient and a moving square), so the encoder cannot skip.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#include "confcast/media/frame.h"
#include "confcast/media/h264.h"
#include "confcast/media/opus.h"

namespace {

using confcast::media::AudioFrame;
using confcast::media::EncodedFrame;
using confcast::media::VideoFrame;
using Clock = std::chrono::steady_clock;

struct Stats {
  double p50, p99, mean;
};

Stats Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * double(ms.size()))) - 1;
    return ms[std::min(i, ms.size() - 1)];
  };
  double sum = 0;
  for (double v : ms) sum += v;
  return {at(0.50), at(0.99), sum / double(ms.size())};
}

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void Print(const char* what, const Stats& s, const std::string& extra) {
  std::printf("%-28s p50 %7.3f ms  p99 %7.3f ms  mean %7.3f ms  %s\n", what, s.p50, s.p99, s.mean,
              extra.c_str());
}

bool BenchVideo(int w, int h, int kbps, int frames, int threads, int dec_threads) {
  confcast::media::H264EncoderConfig c;
  c.width = w;
  c.height = h;
  c.fps = 30;
  c.bitrate_kbps = kbps;
  c.gop = 300;
  c.threads = threads;
  const auto open0 = Clock::now();
  auto enc = confcast::media::H264Encoder::Create(c);
  const auto open1 = Clock::now();
  auto dec = confcast::media::H264Decoder::Create(dec_threads);
  const auto open2 = Clock::now();
  if (!enc || !dec) {
    std::fprintf(stderr, "cannot create codecs: %s\n",
                 !enc ? enc.error().message.c_str() : dec.error().message.c_str());
    return false;
  }
  // Pre-generated pictures so that pattern generation is not timed.
  std::vector<VideoFrame> pics;
  for (int i = 0; i < 60; ++i)
    pics.push_back(confcast::media::SyntheticFrame(w, h, static_cast<std::uint64_t>(i * 3)));
  std::vector<double> enc_ms, dec_ms;
  double first_enc_ms = 0, first_dec_ms = 0;
  std::size_t bytes = 0;
  for (int i = 0; i < frames; ++i) {
    const VideoFrame& f = pics[static_cast<std::size_t>(i) % pics.size()];
    const auto t0 = Clock::now();
    auto au = (*enc)->Encode(f);
    const auto t1 = Clock::now();
    if (!au || !*au) {
      std::fprintf(stderr, "encode failed at frame %d\n", i);
      return false;
    }
    auto out = (*dec)->Decode(**au);
    const auto t2 = Clock::now();
    if (out.error || !out.frame) {
      std::fprintf(stderr, "decode failed at frame %d: %s\n", i, out.error_text.c_str());
      return false;
    }
    bytes += (*au)->data.size();
    if (i == 0) {
      first_enc_ms = Ms(t1 - t0);
      first_dec_ms = Ms(t2 - t1);
    }
    if (i >= 5) {  // the first frames warm caches and thread pools
      enc_ms.push_back(Ms(t1 - t0));
      dec_ms.push_back(Ms(t2 - t1));
    }
  }
  char extra[96];
  std::snprintf(extra, sizeof extra, "%d kbit/s, avg AU %zu bytes", kbps,
                bytes / static_cast<std::size_t>(frames));
  const std::string size = std::to_string(w) + "x" + std::to_string(h);
  Print(("H.264 encode " + size).c_str(), Summarize(enc_ms), extra);
  Print(("H.264 decode " + size).c_str(), Summarize(dec_ms), "");
  // What the first frame of a session waits for on top of the steady figures above.
  std::printf("%-28s encoder open %.1f ms, first encode %.1f ms; decoder open %.1f ms, first "
              "decode %.1f ms\n",
              ("H.264 start-up " + size).c_str(), Ms(open1 - open0), first_enc_ms,
              Ms(open2 - open1), first_dec_ms);
  return true;
}

bool BenchOpus(int frames) {
  confcast::media::OpusEncoderConfig c;
  c.expected_loss_pct = 10;
  auto enc = confcast::media::OpusEncoder::Create(c);
  auto dec = confcast::media::OpusDecoder::Create(1);
  if (!enc || !dec) return false;
  std::vector<double> enc_ms, dec_ms;
  for (int i = 0; i < frames; ++i) {
    AudioFrame f;
    f.samples.resize(960);
    for (std::size_t s = 0; s < 960; ++s)
      f.samples[s] = static_cast<std::int16_t>(
          8000 * std::sin(2 * std::numbers::pi * 440 * double(std::size_t(i) * 960 + s) / 48000));
    const auto t0 = Clock::now();
    auto pkt = (*enc)->Encode(f);
    const auto t1 = Clock::now();
    if (!pkt) return false;
    auto pcm = (*dec)->Decode(pkt->data);
    const auto t2 = Clock::now();
    if (!pcm) return false;
    enc_ms.push_back(Ms(t1 - t0));
    dec_ms.push_back(Ms(t2 - t1));
  }
  Print("Opus encode 20 ms mono", Summarize(enc_ms), "32 kbit/s, VOIP, FEC at 10% loss");
  Print("Opus decode 20 ms mono", Summarize(dec_ms), "");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 300;
  int threads = 0;
  int dec_threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--frames") == 0) frames = std::max(10, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--decoder-threads") == 0)
      dec_threads = std::max(1, std::atoi(argv[i + 1]));
  }
  std::printf("confcast-media-bench: %d frames per size, encoder threads %s, decoder threads %d\n",
              frames, threads > 0 ? std::to_string(threads).c_str() : "auto", dec_threads);
  bool ok = BenchVideo(1280, 720, 2500, frames, threads, dec_threads) &&
            BenchVideo(1920, 1080, 5000, frames, threads, dec_threads) && BenchOpus(frames * 5);
  return ok ? 0 : 1;
}

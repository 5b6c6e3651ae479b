// confcast-stamp: measures any video pipeline the same way from outside.
//
//   confcast-stamp gen  --size WxH --fps N --seconds S [--raw]  > frames   (y4m, or raw I420)
//   confcast-stamp read --size WxH [--raw] [--json PATH] [--frames PATH] [--label L] < frames
//
// `gen` paces frames at N fps and writes into each, just before it goes out, its capture time
// (64-bit microseconds since the Unix epoch) and frame number (32 bits) as 96 luma blocks of
// 16x16 pixels (black 16 / white 235) in the top-left corner (768x32 pixels), aligned to
// macroblocks so that H.264 at any sane bitrate keeps them readable; the rest of the picture
// moves so the encoder has real work. Everything outside the stamp is drawn from the frame
// number and the size alone (SourcePicture), so `read` regenerates the source of any frame it
// sees. `read` decodes the blocks of every picture that comes out of the pipeline and reports
// latency (arrival minus capture, same host, same clock), frames missing (numbers never seen)
// and corrupted (blocks unreadable or impossible), and measures each readable picture against
// the regenerated source frame of its number, luma only, the stamp area left out:
//   PSNR = 10 log10(255^2 / MSE) dB (99.99 for an exact copy);
//   SSIM (Wang et al. 2004) with uniform 8x8 windows tiling the picture (not overlapping),
//   C1 = (0.01*255)^2, C2 = (0.03*255)^2, the mean over the windows outside the stamp.
// Both ends run on one machine, so one clock serves both. `--frames` also writes one line per
// picture that came out:
//   ARRIVAL_US ok|rep|bad NUMBER CAPTURE_US PSNR_DB SSIM
// ok: a frame number seen for the first time; rep: a number seen before (the pipeline showed
// an old picture again, a frozen display); bad: the stamp is unreadable (NUMBER and CAPTURE_US
// are 0, PSNR_DB and SSIM are "-"). The arrival time is taken before the picture is measured.
// confcast-bench draws latency distributions, frame outcomes, frozen time and picture quality
// from it (bench/confcastbench/analyze.py).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kBlock = 16;
constexpr int kBits = 96;
constexpr int kPerRow = 48;

std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Args {
  std::string mode;
  int width = 1280, height = 720, fps = 30;
  double seconds = 10;
  bool raw = false;
  std::string json, frames, label = "pipeline";
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr, "confcast-stamp: %s\nusage: confcast-stamp gen|read --size WxH [--fps N] [--seconds S] [--raw] [--json PATH] [--frames PATH] [--label L]\n", why);
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  if (argc < 2) Usage("missing mode");
  a.mode = argv[1];
  if (a.mode != "gen" && a.mode != "read") Usage("mode must be gen or read");
  for (int i = 2; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + k).c_str());
      return argv[++i];
    };
    if (k == "--size") {
      if (std::sscanf(val().c_str(), "%dx%d", &a.width, &a.height) != 2 || a.width < kPerRow * kBlock ||
          a.height < 2 * kBlock || a.width % 2 || a.height % 2)
        Usage("--size must be even WxH, at least 768x32");
    } else if (k == "--fps") {
      a.fps = std::atoi(val().c_str());
    } else if (k == "--seconds") {
      a.seconds = std::atof(val().c_str());
    } else if (k == "--raw") {
      a.raw = true;
    } else if (k == "--json") {
      a.json = val();
    } else if (k == "--frames") {
      a.frames = val();
    } else if (k == "--label") {
      a.label = val();
    } else {
      Usage(("unknown option " + k).c_str());
    }
  }
  if (a.fps < 1 || a.fps > 240) Usage("--fps must be 1..240");
  return a;
}

void WriteStamp(std::uint8_t* y, int stride, std::uint64_t time_us, std::uint32_t number) {
  for (int bit = 0; bit < kBits; ++bit) {
    const bool one = bit < 64 ? (time_us >> (63 - bit)) & 1 : (number >> (95 - bit)) & 1;
    const int bx = (bit % kPerRow) * kBlock, by = (bit / kPerRow) * kBlock;
    for (int r = 0; r < kBlock; ++r) std::memset(y + (by + r) * stride + bx, one ? 235 : 16, kBlock);
  }
}

// Reads the stamp; false when any block is neither clearly black nor clearly white.
bool ReadStamp(const std::uint8_t* y, int stride, std::uint64_t& time_us, std::uint32_t& number) {
  time_us = 0;
  number = 0;
  for (int bit = 0; bit < kBits; ++bit) {
    const int bx = (bit % kPerRow) * kBlock, by = (bit / kPerRow) * kBlock;
    int sum = 0;
    for (int r = 4; r < 12; ++r)
      for (int c = 4; c < 12; ++c) sum += y[(by + r) * stride + bx + c];
    const int mean = sum / 64;
    if (mean > 80 && mean < 170) return false;
    const std::uint64_t one = mean >= 170;
    if (bit < 64) time_us |= one << (63 - bit);
    else number |= static_cast<std::uint32_t>(one) << (95 - bit);
  }
  return true;
}

std::vector<std::uint8_t> Ramp(int width) {
  std::vector<std::uint8_t> ramp(static_cast<std::size_t>(width) + 256);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<std::uint8_t>(i & 0xff);
  return ramp;
}

// Frame n of the source without its stamp, from n alone: moving diagonal bands, luma
// (x + y + 6n) mod 256, each row a slice of one ramp (a row is a memcpy, so the source keeps
// its pace on a loaded machine); U flat 128, V a level that steps with n.
void SourcePicture(std::uint8_t* i420, int width, int height, const std::vector<std::uint8_t>& ramp,
                   std::uint32_t n) {
  const std::size_t ysize = static_cast<std::size_t>(width) * height;
  for (int yy = 0; yy < height; ++yy)
    std::memcpy(i420 + static_cast<std::size_t>(yy) * width, ramp.data() + ((yy + 6 * n) & 0xff),
                static_cast<std::size_t>(width));
  std::memset(i420 + ysize, 128, ysize / 4);
  std::memset(i420 + ysize + ysize / 4, static_cast<int>(96 + (n * 3) % 64), ysize / 4);
}

bool InStamp(int x, int y) { return y < 2 * kBlock && x < kPerRow * kBlock; }

struct Quality {
  double psnr_db = 0;
  double ssim = 0;
};

// Luma PSNR and SSIM of `got` against `ref` (both width x height, same stride), the stamp area
// left out; see the comment at the top of the file.
Quality Measure(const std::uint8_t* got, const std::uint8_t* ref, int width, int height) {
  std::uint64_t sse = 0, count = 0;
  for (int y = 0; y < height; ++y) {
    const int x0 = y < 2 * kBlock ? kPerRow * kBlock : 0;
    const std::uint8_t* g = got + static_cast<std::size_t>(y) * width;
    const std::uint8_t* r = ref + static_cast<std::size_t>(y) * width;
    for (int x = x0; x < width; ++x) {
      const int d = int{g[x]} - int{r[x]};
      sse += static_cast<std::uint64_t>(d * d);
    }
    count += static_cast<std::uint64_t>(width - x0);
  }
  Quality q;
  q.psnr_db = sse == 0 ? 99.99
                       : std::min(99.99, 10.0 * std::log10(255.0 * 255.0 * static_cast<double>(count) /
                                                           static_cast<double>(sse)));
  constexpr int kWin = 8;
  constexpr double kC1 = (0.01 * 255) * (0.01 * 255), kC2 = (0.03 * 255) * (0.03 * 255);
  double sum = 0;
  int windows = 0;
  for (int wy = 0; wy + kWin <= height; wy += kWin) {
    for (int wx = 0; wx + kWin <= width; wx += kWin) {
      if (InStamp(wx, wy)) continue;  // the stamp is 8-aligned: a window is in it or out of it
      std::int64_t sg = 0, sr = 0, sgg = 0, srr = 0, sgr = 0;
      for (int y = wy; y < wy + kWin; ++y) {
        const std::uint8_t* g = got + static_cast<std::size_t>(y) * width + wx;
        const std::uint8_t* r = ref + static_cast<std::size_t>(y) * width + wx;
        for (int x = 0; x < kWin; ++x) {
          sg += g[x];
          sr += r[x];
          sgg += int{g[x]} * g[x];
          srr += int{r[x]} * r[x];
          sgr += int{g[x]} * r[x];
        }
      }
      constexpr double kN = kWin * kWin;
      const double mg = static_cast<double>(sg) / kN, mr = static_cast<double>(sr) / kN;
      const double vg = static_cast<double>(sgg) / kN - mg * mg;
      const double vr = static_cast<double>(srr) / kN - mr * mr;
      const double cov = static_cast<double>(sgr) / kN - mg * mr;
      sum += ((2 * mg * mr + kC1) * (2 * cov + kC2)) / ((mg * mg + mr * mr + kC1) * (vg + vr + kC2));
      ++windows;
    }
  }
  q.ssim = windows ? sum / windows : 1.0;
  return q;
}

bool WriteAll(const void* p, std::size_t n) { return std::fwrite(p, 1, n, stdout) == n; }
bool ReadAll(void* p, std::size_t n) { return std::fread(p, 1, n, stdin) == n; }

int Gen(const Args& a) {
  const std::size_t ysize = static_cast<std::size_t>(a.width) * a.height;
  std::vector<std::uint8_t> frame(ysize * 3 / 2);
  if (!a.raw) std::printf("YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", a.width, a.height, a.fps);
  const std::vector<std::uint8_t> ramp = Ramp(a.width);
  const int frames = static_cast<int>(a.seconds * a.fps);
  const auto start = std::chrono::steady_clock::now();
  for (int n = 0; n < frames; ++n) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(std::int64_t{n} * 1'000'000 / a.fps));
    SourcePicture(frame.data(), a.width, a.height, ramp, static_cast<std::uint32_t>(n));
    WriteStamp(frame.data(), a.width, static_cast<std::uint64_t>(NowUs()), static_cast<std::uint32_t>(n));
    if (!a.raw && !WriteAll("FRAME\n", 6)) return 0;
    if (!WriteAll(frame.data(), frame.size())) return 0;  // the reader went away
    std::fflush(stdout);
  }
  return 0;
}

int Read(const Args& a) {
  const std::size_t ysize = static_cast<std::size_t>(a.width) * a.height;
  std::vector<std::uint8_t> frame(ysize * 3 / 2);
  if (!a.raw) {  // skip the stream header line
    for (int c; (c = std::fgetc(stdin)) != '\n';)
      if (c == EOF) Usage("no y4m header on standard input");
  }
  const std::vector<std::uint8_t> ramp = Ramp(a.width);
  std::vector<std::uint8_t> source(ysize * 3 / 2);
  std::vector<double> latency, psnr;
  std::set<std::uint32_t> seen;
  std::uint32_t highest = 0;
  int corrupted = 0, frames = 0, repeated = 0;
  std::FILE* log = a.frames.empty() ? nullptr : std::fopen(a.frames.c_str(), "w");
  auto note = [&](std::int64_t now, const char* what, std::uint32_t n, std::uint64_t t,
                  const Quality* q) {
    if (!log) return;
    if (q)
      std::fprintf(log, "%lld %s %u %llu %.2f %.4f\n", static_cast<long long>(now), what, n,
                   static_cast<unsigned long long>(t), q->psnr_db, q->ssim);
    else
      std::fprintf(log, "%lld %s %u %llu - -\n", static_cast<long long>(now), what, n,
                   static_cast<unsigned long long>(t));
  };
  for (;;) {
    if (!a.raw) {
      char tag[6];
      if (!ReadAll(tag, 6)) break;
      if (std::memcmp(tag, "FRAME", 5) != 0) Usage("bad y4m FRAME marker");
      for (int c = tag[5]; c != '\n';)
        if ((c = std::fgetc(stdin)) == EOF) break;
    }
    if (!ReadAll(frame.data(), frame.size())) break;
    const std::int64_t now = NowUs();
    ++frames;
    std::uint64_t t;
    std::uint32_t n;
    if (!ReadStamp(frame.data(), a.width, t, n) || static_cast<std::int64_t>(t) > now ||
        now - static_cast<std::int64_t>(t) > 60'000'000) {
      ++corrupted;
      note(now, "bad", 0, 0, nullptr);
      continue;
    }
    SourcePicture(source.data(), a.width, a.height, ramp, n);
    const Quality quality = Measure(frame.data(), source.data(), a.width, a.height);
    if (!seen.insert(n).second) {  // a repeated picture (concealment): not a new frame
      ++repeated;
      note(now, "rep", n, t, &quality);
      continue;
    }
    note(now, "ok", n, t, &quality);
    psnr.push_back(quality.psnr_db);
    highest = std::max(highest, n);
    latency.push_back(static_cast<double>(now - static_cast<std::int64_t>(t)) / 1000.0);
  }
  if (log) std::fclose(log);
  std::sort(latency.begin(), latency.end());
  auto q = [&](double p) {
    return latency.empty() ? NAN : latency[std::min(latency.size() - 1, static_cast<std::size_t>(p * static_cast<double>(latency.size() - 1) + 0.5))];
  };
  const std::uint32_t first = seen.empty() ? 0 : *seen.begin();
  double psnr_sum = 0;
  for (double v : psnr) psnr_sum += v;
  const double psnr_mean = psnr.empty() ? NAN : psnr_sum / static_cast<double>(psnr.size());
  const long expected = seen.empty() ? 0 : static_cast<long>(highest - first + 1);
  const long missing = expected - static_cast<long>(seen.size());
  std::fprintf(stderr, "%s: %zu frames intact, %ld missing, %d corrupted; latency ms p50 %.1f p95 %.1f p99 %.1f max %.1f; luma PSNR %.2f dB\n",
               a.label.c_str(), seen.size(), missing, corrupted, q(0.5), q(0.95), q(0.99),
               latency.empty() ? NAN : latency.back(), psnr_mean);
  if (!a.json.empty()) {
    if (std::FILE* f = std::fopen(a.json.c_str(), "w")) {
      auto num = [](double v) { return std::isnan(v) ? std::string("null") : std::to_string(v); };
      std::fprintf(f, "{\"label\": \"%s\", \"frames_out\": %d, \"intact\": %zu, \"missing\": %ld, \"corrupted\": %d, "
                      "\"repeated\": %d, \"first_frame\": %u, \"p50_ms\": %s, \"p95_ms\": %s, \"p99_ms\": %s, \"max_ms\": %s, "
                      "\"psnr_mean_db\": %s}\n",
                   a.label.c_str(), frames, seen.size(), missing, corrupted, repeated, first, num(q(0.5)).c_str(),
                   num(q(0.95)).c_str(), num(q(0.99)).c_str(),
                   num(latency.empty() ? NAN : latency.back()).c_str(), num(psnr_mean).c_str());
      std::fclose(f);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = Parse(argc, argv);
  return a.mode == "gen" ? Gen(a) : Read(a);
}

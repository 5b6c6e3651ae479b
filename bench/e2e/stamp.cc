// confcast-stamp: measures any video pipeline the same way from outside.
//
//   confcast-stamp gen  --size WxH --fps N --seconds S [--raw]  > frames   (y4m, or raw I420)
//   confcast-stamp read --size WxH [--raw] [--json PATH] [--frames PATH] [--label L] < frames
//
// `gen` paces frames at N fps and writes into each, just before it goes out, its capture time
// (64-bit microseconds since the Unix epoch) and frame number (32 bits) as 96 luma blocks of
// 16x16 pixels (black 16 / white 235) in the top-left corner, aligned to macroblocks so that
// H.264 at any sane bitrate keeps them readable; the rest of the picture moves so the encoder
// has real work. `read` decodes the blocks of every frame that comes out of the pipeline and
// reports latency (arrival minus capture, same host, same clock), frames missing (numbers
// never seen) and corrupted (blocks unreadable or impossible). Both ends run on one machine,
// so one clock serves both. `--frames` also writes one line per picture that came out,
// "ARRIVAL_US ok|rep|bad NUMBER CAPTURE_US" (rep: a picture seen before, i.e. a frozen display),
// from which confcast-bench draws latency distributions and freezes.
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

bool WriteAll(const void* p, std::size_t n) { return std::fwrite(p, 1, n, stdout) == n; }
bool ReadAll(void* p, std::size_t n) { return std::fread(p, 1, n, stdin) == n; }

int Gen(const Args& a) {
  const std::size_t ysize = static_cast<std::size_t>(a.width) * a.height;
  std::vector<std::uint8_t> frame(ysize * 3 / 2);
  if (!a.raw) std::printf("YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", a.width, a.height, a.fps);
  std::vector<std::uint8_t> ramp(static_cast<std::size_t>(a.width) + 256);
  for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<std::uint8_t>(i & 0xff);
  const int frames = static_cast<int>(a.seconds * a.fps);
  const auto start = std::chrono::steady_clock::now();
  for (int n = 0; n < frames; ++n) {
    std::this_thread::sleep_until(start + std::chrono::microseconds(std::int64_t{n} * 1'000'000 / a.fps));
    // Moving diagonal bands, luma (x + y + 6n) mod 256: each row is a slice of one ramp, so a
    // row is a memcpy and the source stays cheap enough to keep its pace on a loaded machine.
    for (int yy = 0; yy < a.height; ++yy)
      std::memcpy(frame.data() + static_cast<std::size_t>(yy) * a.width,
                  ramp.data() + ((yy + 6 * n) & 0xff), static_cast<std::size_t>(a.width));
    std::memset(frame.data() + ysize, 128, ysize / 4);
    std::memset(frame.data() + ysize + ysize / 4, static_cast<int>(96 + (n * 3) % 64), ysize / 4);
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
  std::vector<double> latency;
  std::set<std::uint32_t> seen;
  std::uint32_t highest = 0;
  int corrupted = 0, frames = 0, repeated = 0;
  std::FILE* log = a.frames.empty() ? nullptr : std::fopen(a.frames.c_str(), "w");
  auto note = [&](std::int64_t now, const char* what, std::uint32_t n, std::uint64_t t) {
    if (log) std::fprintf(log, "%lld %s %u %llu\n", static_cast<long long>(now), what, n,
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
      note(now, "bad", 0, 0);
      continue;
    }
    if (!seen.insert(n).second) {  // a repeated picture (concealment): not a new frame
      ++repeated;
      note(now, "rep", n, t);
      continue;
    }
    note(now, "ok", n, t);
    highest = std::max(highest, n);
    latency.push_back(static_cast<double>(now - static_cast<std::int64_t>(t)) / 1000.0);
  }
  if (log) std::fclose(log);
  std::sort(latency.begin(), latency.end());
  auto q = [&](double p) {
    return latency.empty() ? NAN : latency[std::min(latency.size() - 1, static_cast<std::size_t>(p * static_cast<double>(latency.size() - 1) + 0.5))];
  };
  const std::uint32_t first = seen.empty() ? 0 : *seen.begin();
  const long expected = seen.empty() ? 0 : static_cast<long>(highest - first + 1);
  const long missing = expected - static_cast<long>(seen.size());
  std::fprintf(stderr, "%s: %zu frames intact, %ld missing, %d corrupted; latency ms p50 %.1f p95 %.1f p99 %.1f max %.1f\n",
               a.label.c_str(), seen.size(), missing, corrupted, q(0.5), q(0.95), q(0.99),
               latency.empty() ? NAN : latency.back());
  if (!a.json.empty()) {
    if (std::FILE* f = std::fopen(a.json.c_str(), "w")) {
      auto num = [](double v) { return std::isnan(v) ? std::string("null") : std::to_string(v); };
      std::fprintf(f, "{\"label\": \"%s\", \"frames_out\": %d, \"intact\": %zu, \"missing\": %ld, \"corrupted\": %d, "
                      "\"repeated\": %d, \"first_frame\": %u, \"p50_ms\": %s, \"p95_ms\": %s, \"p99_ms\": %s, \"max_ms\": %s}\n",
                   a.label.c_str(), frames, seen.size(), missing, corrupted, repeated, first, num(q(0.5)).c_str(),
                   num(q(0.95)).c_str(), num(q(0.99)).c_str(),
                   num(latency.empty() ? NAN : latency.back()).c_str());
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

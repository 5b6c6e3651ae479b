// Renders a moving synthetic picture in the `window` sink until killed or `seconds` pass; prints
// "ready" once the first frames are pushed. Driven by window_xvfb_test.sh under xvfb-run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "confcast/media/sink.h"

int main(int argc, char** argv) {
  using namespace confcast::media;
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 20;
  VideoSinkOptions o;
  o.title = "confcast-probe";
  auto sink = CreateVideoSink("window", o);
  if (!sink) {
    std::fprintf(stderr, "window_probe: %s\n", sink.error().message.c_str());
    return 1;
  }
  // Paced at 30 fps: this is a display program, not a test assertion on time.
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t n = 0;
       std::chrono::steady_clock::now() - start < std::chrono::seconds(seconds); ++n) {
    if (auto r = (*sink)->Render(SyntheticFrame(320, 240, n)); !r) {
      std::fprintf(stderr, "window_probe: %s\n", r.error().message.c_str());
      return 1;
    }
    if (n == 10) {
      std::printf("ready\n");
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(33));
  }
  return 0;
}

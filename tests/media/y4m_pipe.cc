// y4m:- in, y4m:- out through confcast's own source and sink: lets a ctest check that confcast
// can sit in a shell pipe (ffmpeg ... | confcast | ffmpeg ...) without touching the pixels.
#include <cstdio>

#include "confcast/media/sink.h"
#include "confcast/media/source.h"

int main() {
  using namespace confcast::media;
  auto src = CreateVideoSource("y4m:-");
  if (!src) {
    std::fprintf(stderr, "y4m_pipe: %s\n", src.error().message.c_str());
    return 2;
  }
  auto sink = CreateVideoSink("y4m:-");
  if (!sink) {
    std::fprintf(stderr, "y4m_pipe: %s\n", sink.error().message.c_str());
    return 2;
  }
  while (true) {
    auto f = (*src)->Pull(std::chrono::milliseconds(1000));
    if (!f) {
      if (f.error().code == MediaErrorCode::kEndOfStream) break;
      std::fprintf(stderr, "y4m_pipe: %s\n", f.error().message.c_str());
      return 1;
    }
    if (!f->has_value()) continue;
    if (auto r = (*sink)->Render(**f); !r) {
      std::fprintf(stderr, "y4m_pipe: %s\n", r.error().message.c_str());
      return 1;
    }
  }
  return (*sink)->Close() ? 0 : 1;
}

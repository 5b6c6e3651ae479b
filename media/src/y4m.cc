// YUV4MPEG2 reader and writer. The format has no formal RFC; this follows the de-facto spec
// (mjpegtools yuv4mpeg(5), as read by ffmpeg's yuv4mpegdec): "YUV4MPEG2" then space-separated
// tags W<width> H<height> F<num>:<den> I<p|t|b|m> A<num>:<den> C<colour space> X<extension>,
// ending in '\n'; each frame is "FRAME" [params] '\n' then Y, U, V planes.
#include "confcast/media/y4m.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace confcast::media {

namespace {

constexpr std::string_view kMagic = "YUV4MPEG2";
constexpr std::size_t kMaxLine = 4096;
constexpr int kMaxDimension = 16384;

MediaError Bad(std::string message) {
  return MediaError{MediaErrorCode::kBadFormat, "y4m: " + std::move(message)};
}

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool ParseRatio(std::string_view s, int& num, int& den) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return ParseInt(s.substr(0, colon), num) && ParseInt(s.substr(colon + 1), den);
}

bool Is420(std::string_view c) {
  return c == "420" || c == "420jpeg" || c == "420paldv" || c == "420mpeg2";
}

// Reads one '\n'-terminated line (without the newline). Returns false at EOF before any byte.
std::expected<bool, MediaError> ReadLine(std::FILE* f, std::string& line, std::string_view what) {
  line.clear();
  while (true) {
    const int ch = std::fgetc(f);
    if (ch == EOF) {
      if (line.empty()) return false;
      return std::unexpected(Bad(fmt::format("{} ends without a newline", what)));
    }
    if (ch == '\n') return true;
    if (line.size() >= kMaxLine)
      return std::unexpected(
          Bad(fmt::format("{} longer than {} bytes; is this a y4m stream?", what, kMaxLine)));
    line.push_back(static_cast<char>(ch));
  }
}

}  // namespace

std::expected<Y4mHeader, MediaError> ParseY4mHeader(std::string_view line) {
  if (line.substr(0, kMagic.size()) != kMagic ||
      (line.size() > kMagic.size() && line[kMagic.size()] != ' '))
    return std::unexpected(Bad(fmt::format(
        "not a YUV4MPEG2 stream (starts with '{}'); produce one with ffmpeg -f yuv4mpegpipe",
        line.substr(0, std::min<std::size_t>(line.size(), 16)))));
  Y4mHeader h;
  h.width = h.height = -1;
  std::string_view rest = line.substr(kMagic.size());
  while (!rest.empty()) {
    if (rest.front() == ' ') {
      rest.remove_prefix(1);
      continue;
    }
    const auto end = std::min(rest.find(' '), rest.size());
    const std::string_view tag = rest.substr(0, end);
    rest.remove_prefix(end);
    const std::string_view v = tag.substr(1);
    switch (tag.front()) {
      case 'W':
        if (!ParseInt(v, h.width) || h.width <= 0 || h.width > kMaxDimension)
          return std::unexpected(Bad(fmt::format("bad width tag '{}'", tag)));
        break;
      case 'H':
        if (!ParseInt(v, h.height) || h.height <= 0 || h.height > kMaxDimension)
          return std::unexpected(Bad(fmt::format("bad height tag '{}'", tag)));
        break;
      case 'F':
        if (!ParseRatio(v, h.fps_num, h.fps_den) || h.fps_num <= 0 || h.fps_den <= 0)
          return std::unexpected(
              Bad(fmt::format("bad frame rate tag '{}'; want F<num>:<den>", tag)));
        break;
      case 'I':
        if (v.size() != 1 || std::string_view("ptbm?").find(v[0]) == std::string_view::npos)
          return std::unexpected(Bad(fmt::format("bad interlace tag '{}'", tag)));
        h.interlace = v[0];
        break;
      case 'A':
        if (!ParseRatio(v, h.aspect_num, h.aspect_den) || h.aspect_num < 0 || h.aspect_den < 0)
          return std::unexpected(Bad(fmt::format("bad aspect tag '{}'", tag)));
        break;
      case 'C':
        if (!Is420(v))
          return std::unexpected(Bad(fmt::format(
              "colour space C{} is not supported; only 4:2:0 is (convert with -pix_fmt yuv420p)",
              v)));
        h.chroma = std::string(v);
        break;
      case 'X':
        if (!h.extra.empty()) h.extra += ' ';
        h.extra += std::string(v);
        break;
      default:
        return std::unexpected(Bad(fmt::format("unknown header tag '{}'", tag)));
    }
  }
  if (h.width < 0) return std::unexpected(Bad("header has no width (W tag)"));
  if (h.height < 0) return std::unexpected(Bad("header has no height (H tag)"));
  return h;
}

std::string SerializeY4mHeader(const Y4mHeader& h) {
  std::string s =
      fmt::format("YUV4MPEG2 W{} H{} F{}:{} I{} A{}:{} C{}", h.width, h.height, h.fps_num,
                  h.fps_den, h.interlace, h.aspect_num, h.aspect_den, h.chroma);
  std::string_view x = h.extra;
  while (!x.empty()) {
    const auto end = std::min(x.find(' '), x.size());
    s += " X";
    s += x.substr(0, end);
    x.remove_prefix(std::min(x.size(), end + 1));
  }
  s += '\n';
  return s;
}

std::expected<std::unique_ptr<Y4mReader>, MediaError> Y4mReader::Open(const std::string& path) {
  const bool is_stdin = path == "-";
  std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
  const std::string name = is_stdin ? "standard input" : "'" + path + "'";
  if (!f)
    return std::unexpected(
        MediaError{errno == ENOENT ? MediaErrorCode::kNotFound : MediaErrorCode::kIo,
                   fmt::format("y4m file {} cannot be opened: {}; check the path", name,
                               std::strerror(errno))});
  auto close = [&] {
    if (!is_stdin) std::fclose(f);
  };
  std::string line;
  auto got = ReadLine(f, line, "header");
  if (!got || !*got) {
    close();
    if (!got) return std::unexpected(got.error());
    return std::unexpected(Bad(fmt::format("{} is empty; expected a YUV4MPEG2 header", name)));
  }
  auto header = ParseY4mHeader(line);
  if (!header) {
    close();
    return std::unexpected(
        MediaError{header.error().code, header.error().message + " (in " + name + ")"});
  }
  return std::unique_ptr<Y4mReader>(new Y4mReader(f, !is_stdin, name, *header));
}

Y4mReader::Y4mReader(std::FILE* f, bool owned, std::string name, Y4mHeader header)
    : file_(f), owned_(owned), name_(std::move(name)), header_(std::move(header)) {}

Y4mReader::~Y4mReader() {
  if (owned_) std::fclose(file_);
}

std::expected<VideoFrame, MediaError> Y4mReader::Next() {
  std::string line;
  auto got = ReadLine(file_, line, "FRAME line");
  if (!got) return std::unexpected(got.error());
  if (!*got)
    return std::unexpected(MediaError{MediaErrorCode::kEndOfStream,
                                      fmt::format("y4m {} ended after {} frames", name_, frames_)});
  if (line.substr(0, 5) != "FRAME" || (line.size() > 5 && line[5] != ' '))
    return std::unexpected(
        Bad(fmt::format("frame {} of {} does not start with FRAME", frames_, name_)));
  VideoFrame frame = VideoFrame::Blank(header_.width, header_.height);
  const std::size_t n = std::fread(frame.i420.data(), 1, frame.i420.size(), file_);
  if (n != frame.i420.size())
    return std::unexpected(Bad(fmt::format("frame {} of {} is truncated ({} of {} bytes)", frames_,
                                           name_, n, frame.i420.size())));
  frame.capture_time = WallClockNow();
  frame.frame_number = frames_;
  frame.pts = rtp::Duration{static_cast<std::int64_t>(frames_) * 1'000'000 * header_.fps_den /
                            header_.fps_num};
  ++frames_;
  return frame;
}

std::expected<std::unique_ptr<Y4mWriter>, MediaError> Y4mWriter::Open(const std::string& path,
                                                                      int fps_num, int fps_den) {
  const bool is_stdout = path == "-";
  std::FILE* f = is_stdout ? stdout : std::fopen(path.c_str(), "wb");
  const std::string name = is_stdout ? "standard output" : "'" + path + "'";
  if (!f)
    return std::unexpected(MediaError{
        MediaErrorCode::kIo, fmt::format("y4m output {} cannot be created: {}; check the directory",
                                         name, std::strerror(errno))});
  if (fps_num <= 0 || fps_den <= 0) fps_num = 30, fps_den = 1;
  return std::unique_ptr<Y4mWriter>(new Y4mWriter(f, !is_stdout, name, fps_num, fps_den));
}

Y4mWriter::Y4mWriter(std::FILE* f, bool owned, std::string name, int fps_num, int fps_den)
    : file_(f), owned_(owned), name_(std::move(name)) {
  header_.fps_num = fps_num;
  header_.fps_den = fps_den;
}

Y4mWriter::~Y4mWriter() {
  if (owned_)
    std::fclose(file_);
  else
    std::fflush(file_);
}

std::expected<void, MediaError> Y4mWriter::Write(const VideoFrame& frame) {
  if (frame.i420.size() != VideoFrame::I420Size(frame.width, frame.height))
    return std::unexpected(Bad(fmt::format("frame {}x{} with {} bytes is not I420", frame.width,
                                           frame.height, frame.i420.size())));
  if (!header_written_) {
    header_.width = frame.width;
    header_.height = frame.height;
    const std::string h = SerializeY4mHeader(header_);
    if (std::fwrite(h.data(), 1, h.size(), file_) != h.size())
      return std::unexpected(MediaError{MediaErrorCode::kIo, "y4m: cannot write to " + name_});
    header_written_ = true;
  } else if (frame.width != header_.width || frame.height != header_.height) {
    return std::unexpected(
        Bad(fmt::format("frame size changed from {}x{} to {}x{}; y4m cannot "
                        "carry that, restart the output",
                        header_.width, header_.height, frame.width, frame.height)));
  }
  static constexpr char kFrame[] = "FRAME\n";
  if (std::fwrite(kFrame, 1, 6, file_) != 6 ||
      std::fwrite(frame.i420.data(), 1, frame.i420.size(), file_) != frame.i420.size())
    return std::unexpected(MediaError{MediaErrorCode::kIo, "y4m: cannot write to " + name_});
  return {};
}

std::expected<void, MediaError> Y4mWriter::Flush() {
  if (std::fflush(file_) != 0)
    return std::unexpected(MediaError{MediaErrorCode::kIo, "y4m: cannot flush " + name_});
  return {};
}

}  // namespace confcast::media
